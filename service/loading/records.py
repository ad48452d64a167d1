"""Turning raw fields (a JSONL line, an HTTP item, a parsed file) into a validated `Article`."""

import hashlib
from collections.abc import Mapping
from datetime import date

from service.loading.cleaning import (
    body_end,
    clean_text,
    copyright_notice,
    derive_title,
    parse_date,
)
from service.models import Article

MAX_ID_CHARS = 512
RECORD_FIELDS = ("id", "title", "date", "source", "url", "text")


class RecordError(ValueError):
    """The record cannot become an article; the message says why."""


def build_article(
    *,
    text: str,
    max_bytes: int,
    article_id: str | None = None,
    title: str | None = None,
    published: date | None = None,
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
        published = date(notice[0], 1, 1)
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
    if not isinstance(record, Mapping):
        raise RecordError(f"expected a JSON object, got {type(record).__name__}")
    text = record.get("text")
    if not isinstance(text, str):
        raise RecordError("missing or non-text field 'text'")
    for name in ("title", "source", "url"):
        if record.get(name) is not None and not isinstance(record[name], str):
            raise RecordError(f"field '{name}' must be text or null")
    raw_id = record.get("id")
    if raw_id is not None and not isinstance(raw_id, str | int):
        raise RecordError("field 'id' must be text, a number or null")
    try:
        published = parse_date(record.get("date"))
    except ValueError as error:
        raise RecordError(str(error)) from None
    return build_article(
        text=text,
        max_bytes=max_bytes,
        article_id=str(raw_id).strip() if raw_id is not None else None,
        title=record.get("title"),
        published=published,
        source=record.get("source"),
        url=record.get("url"),
    )


def _clean_field(value: str | None) -> str | None:
    if not value:
        return None
    return " ".join(value.split()) or None
