"""Sentence spans in text, shared by passage packing, extractive answers and citation checks."""

import re

# A sentence ends at . ! or ? (optionally followed by closing quotes or brackets) before
# whitespace, or at a paragraph break (headlines have no full stop).
SENTENCE_BREAK = r"(?:(?<=[.!?])|(?<=[.!?][\"'\u201d\u2019)]))\s+|\n{2,}"
_BREAK = re.compile(SENTENCE_BREAK)
# Abbreviations that end with a full stop but rarely end a sentence.
_ABBREVIATION = re.compile(
    r"\b(?:Mr|Mrs|Ms|Dr|Prof|Gen|Sen|Rep|Gov|St|Jr|Sr|No|vs|Inc|Ltd|Co|U\.S|U\.K|[A-Z])\.$"
)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence, whitespace excluded: `text[start:end]` is the sentence."""
    spans = []
    start = _skip_space(text, 0)
    for found in _BREAK.finditer(text):
        if found.start() <= start or _ABBREVIATION.search(text, start, found.start()):
            continue
        spans.append((start, found.start()))
        start = found.end()
    if start < len(text.rstrip()):
        spans.append((start, len(text.rstrip())))
    return spans


def _skip_space(text: str, position: int) -> int:
    return len(text) - len(text[position:].lstrip())
