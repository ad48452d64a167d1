"""Text, in one place: what text may enter the service; and its analysis: sentences, keyword
terms, and how a claim's words and numbers compare with a source's. Used by every door and by
passage packing, retrieval, answering, citation checks and briefings alike, so all of them read
text the same way."""

import functools
import re
import unicodedata
from collections.abc import Sequence

import Stemmer
from bm25s.stopwords import STOPWORDS_EN

from service.domain import RetrievedPassage

# A sentence ends at . ! or ? (optionally followed by closing quotes or brackets) before
# whitespace, or at a paragraph break (headlines have no full stop).
SENTENCE_BREAK = r"(?:(?<=[.!?])|(?<=[.!?][\"'\u201d\u2019)]))\s+|\n{2,}"
_BREAK = re.compile(SENTENCE_BREAK)
# Abbreviations that end with a full stop but rarely end a sentence.
_ABBREVIATION = re.compile(
    r"\b(?:Mr|Mrs|Ms|Dr|Prof|Gen|Sen|Rep|Gov|St|Jr|Sr|No|vs|Inc|Ltd|Co|U\.S|U\.K|[A-Z])\.$"
)
_WORD = re.compile(r"\w{2,}")
# Keyword terms are words as scikit-learn's CountVectorizer and bm25s find them, less NLTK's
# English stopwords (as bm25s ships them), stemmed by Snowball.
_TERM = re.compile(r"(?u)\b\w\w+\b")
_STOPWORDS = frozenset(STOPWORDS_EN)
_STEMMER = Stemmer.Stemmer("english")
# Control characters carry nothing readable; tab, newline and carriage return are kept.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def checked_text(text: str) -> str:
    """Text as it may enter the service, from any door: Unicode-normalised (NFC), with control
    characters other than tab, newline and carriage return dropped. Raises ValueError for text
    that is not valid Unicode: a lone surrogate, as clients that cut strings at UTF-16
    boundaries send, cannot be stored, embedded or even encoded."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        code = ord(text[error.start])
        raise ValueError(
            f"not valid Unicode: a lone surrogate (U+{code:04X}) at character {error.start}"
        ) from None
    return unicodedata.normalize("NFC", _CONTROL.sub("", text))


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


@functools.lru_cache(maxsize=4096)
def passage_sentence_spans(text: str) -> tuple[tuple[int, int], ...]:
    """`sentence_spans` of a passage, remembered for the last few thousand: the reading, the
    lookup of its stored sentence vectors, the citation check and the briefings split the same
    passages again and again. Only passages, which are short: whole articles (up to
    `max_article_bytes`) would fill it with megabytes."""
    return tuple(sentence_spans(text))


def sentences(passage_text: str) -> list[str]:
    """A passage's sentences, as `sentence_spans` cuts them."""
    return [passage_text[start:end] for start, end in passage_sentence_spans(passage_text)]


def _skip_space(text: str, position: int) -> int:
    return len(text) - len(text[position:].lstrip())


def candidate_sentences(passages: Sequence[RetrievedPassage]) -> list[tuple[int, int, int]]:
    """(passage number from 1, start, end) of every whole sentence of the passages: the
    sentence is `passages[number - 1].text[start:end]`."""
    return [
        (number, start, end)
        for number, passage in enumerate(passages, start=1)
        for start, end in passage_sentence_spans(passage.text)
        # A passage cut inside a long sentence starts with a fragment of it; stray
        # punctuation between paragraphs is no sentence.
        if not passage.text[start].islower() and _WORD.search(passage.text, start, end)
    ]


def terms(text: str) -> list[str]:
    """The text's keyword terms: lower-cased, stemmed, stopwords removed (maybe none). The
    same terms as `bm25s.tokenize(..., stopwords="en", stemmer=...)` gives (a test checks),
    without its cost per call: bm25s builds a vocabulary and three tqdm bars (disabled, but
    each takes tqdm's global lock), which under 50 clients was a quarter of the server's time
    (bench/load.py --profile)."""
    words = [word for word in _TERM.findall(text.lower()) if word not in _STOPWORDS]
    return _STEMMER.stemWords(words)


def terms_of(texts: list[str]) -> list[list[str]]:
    """`terms` of each text."""
    return [terms(text) for text in texts]


def term_overlap(claim_terms: set[str], source: str) -> float:
    """Share of a claim's keyword terms (`terms(claim)`) that occur in the source. The caller
    computes them once for all the sources it compares."""
    if not claim_terms:
        return 0.0
    return len(claim_terms & set(terms(source))) / len(claim_terms)


_PROPER_NOUN = re.compile(r"\b[A-Z][\w'-]+")
_QUESTION_WORDS = {"who", "whom", "whose", "what", "which", "when", "where", "why", "how"}


def names(text: str) -> list[str]:
    """The proper nouns of a text (capitalised words that are not stopwords), in order."""
    return list(
        dict.fromkeys(
            noun
            for noun in _PROPER_NOUN.findall(text)
            if terms(noun) and noun.lower() not in _QUESTION_WORDS
        )
    )
