"""The records every stage shares: an article, its passages, and a passage as found.

Dates are `datetime.date` everywhere; only the store and the HTTP layer turn them into their
own forms (numbers for range filters, ISO text in JSON).
"""

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Literal

import numpy as np

from service.domain.parse import ParsedSentence


@dataclass(frozen=True)
class Article:
    """A cleaned article, ready to index.

    `text` is the full cleaned text; passages are cut from `text[:body_end]`, so trailing
    boilerplate (copyright lines, "Additional reporting by ...") stays out of the index.
    """

    id: str
    text: str
    body_end: int
    title: str | None = None
    date: dt.date | None = None
    source: str | None = None
    url: str | None = None

    def content_hash(self) -> str:
        """Hash of everything stored for the article: a change in any field means re-indexing."""
        fields = asdict(self)
        fields["date"] = self.date.isoformat() if self.date else None
        payload = json.dumps(fields, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(payload.encode()).hexdigest()

    @property
    def ref(self) -> "ArticleRef":
        return ArticleRef(self.id, self.title, self.source, self.date, self.url)


@dataclass(frozen=True)
class ArticleRef:
    """What a passage, a hit or a citation says of the article it comes from."""

    article_id: str
    title: str | None
    source: str | None
    date: dt.date | None
    url: str | None


@dataclass(frozen=True)
class Passage:
    """A span of an article: `article.text[start:end] == text`."""

    article_id: str
    ordinal: int
    start: int
    end: int
    text: str

    @property
    def id(self) -> str:
        return passage_id(self.article_id, self.ordinal)


def passage_id(article_id: str, ordinal: int) -> str:
    return f"{article_id}#{ordinal:05d}"


def article_id_of(passage_id: str) -> str:
    return passage_id.rsplit("#", 1)[0]


@dataclass(frozen=True)
class IndexedArticle:
    """An article ready to write: its passages, their vectors, and its content fingerprint.

    `sentence_vectors` holds, for each passage, one row per sentence of its text
    (`service.text.sentences`), and `sentence_parses` one parse per sentence: the reading step
    and the citation check read them instead of encoding and parsing while a question waits.
    """

    article: Article
    fingerprint: str
    passages: list[Passage]
    vectors: np.ndarray
    sentence_vectors: list[np.ndarray]
    sentence_parses: list[list[ParsedSentence]] | None = None
    """None: not parsed (records written without the parser); read, they are parsed then."""


@dataclass(frozen=True)
class StoredArticle:
    """An article as the store holds it; `text` and `passages` only when asked for."""

    id: str
    title: str | None
    date: dt.date | None
    source: str | None
    url: str | None
    passage_count: int
    ingested_at: str
    body_end: int | None = None
    text: str | None = None
    passages: list[Passage] | None = None

    @property
    def ref(self) -> ArticleRef:
        return ArticleRef(self.id, self.title, self.source, self.date, self.url)


@dataclass(frozen=True)
class StoredPassage:
    """A passage as the store holds it: the span, its article, and its vector when read."""

    passage: Passage
    article: ArticleRef
    vector: np.ndarray | None = None


@dataclass
class RetrievedPassage:
    """A passage found for a query: where it is, how it ranked, who else reported it."""

    passage_id: str
    article: ArticleRef
    ordinal: int
    start: int
    end: int
    text: str
    score: float
    """Fused score of the dense and keyword rankings: orders results, means nothing on its own."""
    similarity: float
    """Cosine similarity of the passage to the query, in [-1, 1]."""
    vector: np.ndarray = field(repr=False)
    also_reported_by: list[ArticleRef] = field(default_factory=list)

    @classmethod
    def of(
        cls, stored: StoredPassage, *, score: float, query_vector: np.ndarray
    ) -> "RetrievedPassage":
        passage, vector = stored.passage, stored.vector
        assert vector is not None, "retrieval reads passages with their vectors"
        return cls(
            passage_id=passage.id,
            article=stored.article,
            ordinal=passage.ordinal,
            start=passage.start,
            end=passage.end,
            text=passage.text,
            score=score,
            similarity=float(vector @ query_vector),
            vector=vector,
        )


@dataclass(frozen=True)
class Citation:
    """A passage cited by an answer, a bullet or a checked sentence, with the sentence of it
    that supports what was said."""

    n: int
    """The marker `[n]` in the text; in an answer, also the passage's number in its
    `passages` (1-based)."""
    passage: RetrievedPassage
    quote: str
    """The exact supporting span: `article_text[quote_start:quote_end] == quote`."""
    quote_start: int
    quote_end: int

    @classmethod
    def quoting(cls, n: int, passage: RetrievedPassage, start: int, end: int) -> "Citation":
        """Citation `n` of the passage, quoting `passage.text[start:end]`."""
        return cls(n, passage, passage.text[start:end], passage.start + start, passage.start + end)


@dataclass(frozen=True)
class FigureValue:
    """One report's value of a figure: as written ("at least 23"), cited to its sentence."""

    text: str
    citation: Citation
    agreeing: tuple[Citation, ...] = ()
    """The sentences of other reports that day whose values this one allows."""

    @property
    def date(self) -> dt.date | None:
        return self.citation.passage.article.date

    @property
    def source(self) -> str | None:
        return self.citation.passage.article.source


@dataclass(frozen=True)
class ContestedFigure:
    """A figure of one story that reports give differently: on the same day (`differ`), or
    later than before (`changed`: the values earliest first)."""

    what: str
    """What it counts: "deaths", "injured", "offer"...; whose office ("Uvalde police chief");
    which event's day ("day the dam failed")."""
    kind: Literal["differ", "changed"]
    values: list[FigureValue]
    answers: Literal["number", "person", "date"] = "number"
    """The kind of question its values answer."""


@dataclass(frozen=True)
class LoadError:
    """A record that could not be ingested; `where` names the file and line, or the batch index."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass(frozen=True)
class Delivery:
    """How a webhook's last delivery went."""

    at: str
    outcome: Literal["delivered", "failed", "refused"]
    """refused: the webhook's address may not be reached, or the delivery not signed."""
    detail: str


@dataclass(frozen=True)
class Watch:
    """A saved topic, checked whenever articles are stored."""

    id: str
    topic: str
    sources: tuple[str, ...] = ()
    webhook: str | None = None
    created_at: str = ""
    sealed_secret: str | None = None
    """The webhook's signing secret, encrypted (`service.webhooks.SecretBox`); None for a
    watch without a webhook, or made before deliveries were signed."""
    last_delivery: Delivery | None = None


@dataclass(frozen=True)
class WatchItem:
    """What a newly stored article says about a watched topic: a cited line."""

    watch_id: str
    article: ArticleRef
    text: str
    """The line, with `[1]` for its quote."""
    quote: str
    quote_start: int
    """The quote's span in the article's text."""
    quote_end: int
    found_at: str
    """When it was found (ISO 8601, UTC)."""


def watch_item_fields(item: WatchItem) -> dict:
    """The item as flat JSON fields: how the store keeps it and a webhook receives it."""
    article = item.article
    return {
        "watch_id": item.watch_id,
        "article_id": article.article_id,
        "title": article.title,
        "source": article.source,
        "date": article.date.isoformat() if article.date else None,
        "url": article.url,
        "text": item.text,
        "quote": item.quote,
        "quote_start": item.quote_start,
        "quote_end": item.quote_end,
        "found_at": item.found_at,
    }


def watch_item_from_fields(fields: dict) -> WatchItem:
    date = dt.date.fromisoformat(fields["date"]) if fields["date"] else None
    article = ArticleRef(
        fields["article_id"], fields["title"], fields["source"], date, fields["url"]
    )
    rest = {
        k: v for k, v in fields.items() if k not in ("article_id", "title", "source", "date", "url")
    }
    return WatchItem(article=article, **rest)
