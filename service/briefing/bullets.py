"""What a sentence must be to stand as a briefing bullet: a declarative sentence that makes
sense without the one before it and says something the headline does not.

`bullet_problem` names what is wrong with a candidate (or None). The extractive summarizer
passes over sentences with a problem; the pipeline drops LLM bullets with one, with a warning;
bench/eval_briefing.py counts them in briefings."""

import re
from collections.abc import Sequence

from service.text import names, term_overlap, terms

MIN_BULLET_WORDS = 6
# A bullet whose terms are mostly another's says nothing new.
REPEAT_OVERLAP = 0.7

_LEADING_MARKS = re.compile(r"^[\s\u2014\u2013\-\u2022*\u00b7]+")
_ENDS_AS_QUESTION = re.compile(r"\?[\"'\u201d\u2019)\]]*$")
_ENDS_AS_SENTENCE = re.compile(r"[.!][\"'\u201d\u2019)\]]*$")
# Openings of talk, not of news: "So, ...", "Yeah, ...", "And ...".
_CHATTY_OPENING = re.compile(
    r"^(so|yeah|yes|no|well|oh|ok|okay|and|but|or|also|plus|now|then|anyway|again)\b[\s,]",
    re.IGNORECASE,
)
# A sentence that opens on a pronoun or a demonstrative leans on the one before it.
_LEANING_OPENING = re.compile(
    r"^(he|she|they|it|this|that|these|those|his|her|their|its|there|here)\b(?!\s*['\u2019]s\b)",
    re.IGNORECASE,
)
_REPORTED_BY_PRONOUN = re.compile(
    r"\b(he|she|they)\s+(said|says|added|told|explained|noted|argued|warned)\b", re.IGNORECASE
)


def trimmed(sentence: str) -> str:
    """The sentence without the dashes or list marks it may open with: the remains of a
    dateline ("WASHINGTON (AP) — Two brothers ...") or of a list."""
    return _LEADING_MARKS.sub("", sentence).strip()


def bullet_problem(
    sentence: str, *, headline: str | None = None, said: Sequence[str] = ()
) -> str | None:
    """Why the sentence cannot stand as a bullet after the bullets `said` before it, or None
    when it can."""
    text = trimmed(sentence)
    if not text:
        return "empty"
    if _ENDS_AS_QUESTION.search(text):
        return "a question"
    if not _ENDS_AS_SENTENCE.search(text):
        return "not a whole sentence"
    if text[0].islower() or not (text[0].isalnum() or text[0] in "\"'\u201c\u2018"):
        return "a fragment"
    if len(text.split()) < MIN_BULLET_WORDS:
        return "too short"
    if _CHATTY_OPENING.match(_unquoted(text)):
        return "talk, not news"
    if headline and _same_words(text, headline):
        return "the headline again"
    speaker_unnamed = _REPORTED_BY_PRONOUN.search(text) and not names(text)
    if _LEANING_OPENING.match(_unquoted(text)) or speaker_unnamed:
        return "leans on the sentence before it"
    own = set(terms(text))
    if any(term_overlap(own, other) >= REPEAT_OVERLAP for other in said):
        return "repeats an earlier bullet"
    return None


def _unquoted(text: str) -> str:
    return text.lstrip("\"'\u201c\u2018 ")


def _same_words(text: str, headline: str) -> bool:
    return terms(text.rstrip(".!")) == terms(headline)
