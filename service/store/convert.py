"""Chroma holds records as metadata dicts; here they become the service's records and back,
and the article filter becomes a `where` clause."""

import base64
import datetime as dt
from dataclasses import asdict

import numpy as np

from service.domain import (
    Article,
    ArticleFilter,
    ArticleRef,
    Delivery,
    Passage,
    StoredArticle,
    StoredPassage,
    Watch,
    date_number,
)


def where(selection: ArticleFilter) -> dict | None:
    """The filter as a Chroma `where` clause (dates are stored as YYYYMMDD integers)."""
    clauses = [
        {condition.field: {f"${_CHROMA_OPERATORS[condition.operator]}": condition.value}}
        for condition in selection.conditions()
    ]
    if len(clauses) > 1:
        return {"$and": clauses}
    return clauses[0] if clauses else None


_CHROMA_OPERATORS = {"in": "in", ">=": "gte", "<=": "lte"}


def fingerprints_of(found: dict) -> dict[str, str]:
    return {
        article_id: str(metadata.get("fingerprint"))
        for article_id, metadata in zip(found["ids"], found["metadatas"], strict=True)
    }


def stored_passages(found: dict) -> list[StoredPassage]:
    """Passages from a Chroma `get` result; with vectors when it included them."""
    vectors = found.get("embeddings")
    if vectors is None:
        vectors = [None] * len(found["ids"])
    return [
        StoredPassage(
            Passage(meta["article_id"], meta["ordinal"], meta["start"], meta["end"], text),
            article_ref(meta),
            None if vector is None else np.asarray(vector),
        )
        for text, meta, vector in zip(found["documents"], found["metadatas"], vectors, strict=True)
    ]


def article_ref(metadata: dict) -> ArticleRef:
    date = metadata.get("date")
    return ArticleRef(
        article_id=metadata["article_id"],
        title=metadata.get("title"),
        source=metadata.get("source"),
        date=dt.date.fromisoformat(date) if date else None,
        url=metadata.get("url"),
    )


def article_metadata(article: Article) -> dict:
    """Metadata shared by an article and its passages; Chroma keeps no nulls: left out."""
    metadata = {
        "article_id": article.id,
        "title": article.title,
        "source": article.source,
        "url": article.url,
    }
    if article.date:
        metadata |= {"date": article.date.isoformat(), "date_int": date_number(article.date)}
    return {key: value for key, value in metadata.items() if value is not None}


def packed(vectors: np.ndarray) -> str:
    # float16 moves a cosine by about 1e-4 and halves the bytes; metadata holds text only.
    return base64.b64encode(vectors.astype(np.float16).tobytes()).decode("ascii")


def unpacked(packed: str, rows: int) -> np.ndarray:
    flat = np.frombuffer(base64.b64decode(packed), dtype=np.float16).astype(np.float32)
    return flat.reshape(rows, -1) if rows else flat.reshape(0, 0)


def mean_direction(vectors: np.ndarray) -> np.ndarray:
    mean = vectors.mean(axis=0)
    return mean / (np.linalg.norm(mean) or 1.0)


def stored_article(
    article_id: str,
    metadata: dict,
    *,
    text: str | None = None,
    passages: list[Passage] | None = None,
) -> StoredArticle:
    ref = article_ref(metadata | {"article_id": article_id})
    return StoredArticle(
        id=article_id,
        title=ref.title,
        date=ref.date,
        source=ref.source,
        url=ref.url,
        passage_count=metadata.get("passage_count", 0),
        ingested_at=metadata.get("ingested_at", ""),
        body_end=metadata.get("body_end"),
        text=text,
        passages=passages,
    )


def watch_record(watch: Watch) -> dict:
    return asdict(watch) | {"sources": list(watch.sources)}


def watch_of(record: dict) -> Watch:
    # Records made before deliveries were signed and kept have neither field: both None.
    delivery = record.get("last_delivery")
    return Watch(
        **record
        | {
            "sources": tuple(record["sources"]),
            "last_delivery": Delivery(**delivery) if delivery else None,
        }
    )
