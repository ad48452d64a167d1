"""Request and response bodies of the HTTP API."""

import datetime as dt
from typing import Any, Self

from pydantic import BaseModel, Field

from service.ingestion import IngestReport
from service.store import StoredArticle


class ArticleIn(BaseModel):
    """One article to ingest. Only `text` is required."""

    id: str | None = Field(
        None, description="Stable id; default: the URL, else a hash of the text."
    )
    title: str | None = None
    date: dt.date | None = Field(None, description="Publication date, YYYY-MM-DD.")
    source: str | None = None
    url: str | None = None
    text: str


class ArticlesIn(BaseModel):
    # Items are checked one by one (see service.loading.records) so that one bad article is
    # reported by its index while the others are ingested; ArticleIn documents their shape.
    articles: list[Any] = Field(
        ..., json_schema_extra={"items": ArticleIn.model_json_schema()}, min_length=1
    )


class RecordErrorOut(BaseModel):
    where: str = Field(
        ..., description="Which record: articles[i] over HTTP, file:line from files."
    )
    message: str


class IngestReportOut(BaseModel):
    new: int
    unchanged: int
    updated: int
    failed: int
    passages_written: int
    errors: list[RecordErrorOut]

    @classmethod
    def of(cls, report: IngestReport) -> "IngestReportOut":
        return cls(
            new=report.new,
            unchanged=report.unchanged,
            updated=report.updated,
            failed=report.failed,
            passages_written=report.passages_written,
            errors=[RecordErrorOut(where=e.where, message=e.message) for e in report.errors],
        )


class ArticleSummaryOut(BaseModel):
    id: str
    title: str | None
    date: str | None
    source: str | None
    url: str | None
    passage_count: int
    ingested_at: str

    @classmethod
    def of(cls, article: StoredArticle) -> Self:
        return cls.model_validate(article, from_attributes=True)


class ArticlePageOut(BaseModel):
    total: int
    limit: int
    offset: int
    articles: list[ArticleSummaryOut]


class PassageOut(BaseModel):
    id: str
    ordinal: int
    start: int = Field(..., description="Character offset into the article's text.")
    end: int
    text: str


class ArticleOut(ArticleSummaryOut):
    text: str
    body_end: int | None = Field(
        None, description="Passages come from text[:body_end]; after it is boilerplate."
    )
    passages: list[PassageOut]


class HealthOut(BaseModel):
    status: str
    articles: int
    passages: int
    embedding_model: str
    store: str
