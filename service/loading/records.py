"""Turning raw fields (a JSONL line, an HTTP item, a parsed file) into a validated `Article`."""

import datetime as dt
import hashlib

from pydantic import BaseModel, Field, ValidationError, field_validator
from pydantic_core import ErrorDetails

from service.domain import Article
from service.loading.cleaning import (
    body_end,
    clean_text,
    copyright_notice,
    derive_title,
    parse_date,
)
from service.text import checked_text

MAX_ID_CHARS = 512


class RecordError(ValueError):
    """The record cannot become an article; the message says why."""


class ArticleRecord(BaseModel):
    """One article as JSON: a line of a JSONL file, or an item of `POST /articles`. Only
    `text` is required; other fields are ignored."""

    id: str | int | None = Field(
        None, description="Stable id; default: the URL, else a hash of the text."
    )
    title: str | None = None
    date: dt.date | None = Field(None, description="Publication date, YYYY-MM-DD.")
    source: str | None = None
    url: str | None = None
    text: str

    @field_validator("id", "title", "source", "url", "text", mode="before")
    @classmethod
    def _checked(cls, value: object) -> object:
        return checked_text(value) if isinstance(value, str) else value

    @field_validator("date", mode="before")
    @classmethod
    def _iso_date(cls, value: object) -> dt.date | None:
        return parse_date(value)


# What each field must be, said the way a person fixing the record needs it.
_FIELD_PROBLEMS = {
    "text": "missing or non-text field 'text'",
    "id": "field 'id' must be text, a number or null",
}


def build_article(
    *,
    text: str,
    max_bytes: int,
    article_id: str | None = None,
    title: str | None = None,
    published: dt.date | None = None,
    source: str | None = None,
    url: str | None = None,
) -> Article:
    """Clean the text and fill what the text itself can tell (title, year, source)."""
    if len(text.encode()) > max_bytes:
        raise RecordError(f"article is {len(text.encode()):,} bytes, over the {max_bytes:,} limit")
    cleaned = clean_text(text)
    if not cleaned:
        raise RecordError("empty text")
    notice = copyright_notice(cleaned)
    if published is None and notice:
        # Only the year is known: the article is filed under 1 January of it.
        published = dt.date(notice[0], 1, 1)
    if source is None and notice:
        source = notice[1]
    resolved_id = article_id or url or "sha256-" + hashlib.sha256(cleaned.encode()).hexdigest()[:24]
    if len(resolved_id) > MAX_ID_CHARS or not resolved_id.isprintable():
        raise RecordError(f"id must be printable and at most {MAX_ID_CHARS} characters")
    return Article(
        id=resolved_id,
        text=cleaned,
        body_end=body_end(cleaned),
        title=_clean_field(title) or derive_title(cleaned),
        date=published,
        source=_clean_field(source),
        url=_clean_field(url),
    )


def article_from_record(record: object, *, max_bytes: int) -> Article:
    """A JSON object with `id, title, date, source, url, text` (all but text optional)."""
    try:
        fields = ArticleRecord.model_validate(record)
    except ValidationError as error:
        raise RecordError(_problem(error.errors()[0], record)) from None
    return build_article(
        text=fields.text,
        max_bytes=max_bytes,
        article_id=str(fields.id).strip() if fields.id is not None else None,
        title=fields.title,
        published=fields.date,
        source=fields.source,
        url=fields.url,
    )


def _problem(error: ErrorDetails, record: object) -> str:
    if error["type"] == "model_type":
        return f"expected a JSON object, got {type(record).__name__}"
    field = str(error["loc"][0])
    if error["type"] == "value_error":
        problem = str(error["ctx"]["error"])  # the date parser's or the text check's words
        return problem if field == "date" else f"field '{field}' is {problem}"
    return _FIELD_PROBLEMS.get(field, f"field '{field}' must be text or null")


def _clean_field(value: str | None) -> str | None:
    if not value:
        return None
    return " ".join(value.split()) or None
