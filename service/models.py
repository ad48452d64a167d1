"""The records that flow through the pipeline: articles, passages, and what went wrong."""

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Article:
    """A cleaned article, as stored.

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


@dataclass(frozen=True)
class LoadError:
    """A record that could not be ingested; `where` names the file and line, or the batch index."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"
