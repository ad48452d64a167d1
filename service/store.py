"""Articles and passages in Chroma: a local persistent index or a Chroma server.

Two collections, both in cosine space and both given vectors by the service (Chroma's
default embedding function would try to download a model):
- `<prefix>_passages`: one record per passage, with its span and the article's metadata,
  so retrieval filters (source, date range) work on passages directly.
- `<prefix>_articles`: one record per article holding the full text, its metadata and the
  mean of its passage vectors (for clustering articles). This record is written last and
  deleted first: it marks the article as complete, so an interrupted write leaves at worst
  passages without an article, which the next write of that article clears.
- `<prefix>_meta`: one record whose id-free value, `revision`, changes with every write and
  delete, so anything kept beside the store (the keyword index, in every replica) can tell
  cheaply whether it is stale.
"""

import datetime as dt
import functools
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import ParamSpec, TypeVar

import chromadb
import httpx
import numpy as np
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.config import Settings as ChromaSettings

from service.models import Article, Passage
from service.settings import Settings


class StoreError(RuntimeError):
    """The index cannot be used as configured."""


class StoreUnavailable(StoreError):
    """The Chroma server cannot be reached now; it may come back."""


@dataclass(frozen=True)
class IndexedArticle:
    """An article ready to write: its passages, their vectors, and its content fingerprint."""

    article: Article
    fingerprint: str
    passages: list[Passage]
    vectors: np.ndarray


@dataclass(frozen=True)
class StoredPassage:
    id: str
    ordinal: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class PassageRecord:
    """A passage as retrieval sees it: text, span, the article's metadata, and its vector."""

    id: str
    text: str
    metadata: dict
    vector: np.ndarray | None = None


@dataclass(frozen=True)
class StoredArticle:
    id: str
    title: str | None
    date: str | None
    source: str | None
    url: str | None
    passage_count: int
    ingested_at: str
    body_end: int | None = None
    text: str | None = None
    passages: list[StoredPassage] | None = None


@dataclass(frozen=True)
class ArticleFilter:
    sources: Sequence[str] | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    article_ids: Sequence[str] | None = None

    def where(self) -> dict | None:
        """The Chroma `where` clause; dates compare as YYYYMMDD integers."""
        conditions: list[dict] = []
        if self.article_ids:
            conditions.append({"article_id": {"$in": list(self.article_ids)}})
        if self.sources:
            conditions.append({"source": {"$in": list(self.sources)}})
        if self.date_from:
            conditions.append({"date_int": {"$gte": date_number(self.date_from)}})
        if self.date_to:
            conditions.append({"date_int": {"$lte": date_number(self.date_to)}})
        if len(conditions) > 1:
            return {"$and": conditions}
        return conditions[0] if conditions else None


def date_number(day: dt.date) -> int:
    return day.year * 10_000 + day.month * 100 + day.day


def client_factory(settings: Settings) -> Callable[[], ClientAPI]:
    """How to reach the configured Chroma: a server by URL, else a local index directory."""
    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    url = settings.chroma_url
    if url is None:
        settings.index_path.mkdir(parents=True, exist_ok=True)
        return lambda: chromadb.PersistentClient(
            path=str(settings.index_path), settings=chroma_settings
        )

    def connect() -> ClientAPI:
        try:
            return chromadb.HttpClient(
                host=url.host, port=url.port, ssl=url.scheme == "https", settings=chroma_settings
            )
        except ValueError as error:  # chromadb's word for "no server answered"
            raise StoreUnavailable(f"Chroma server at {url} is unreachable: {error}") from error

    return connect


@dataclass(frozen=True)
class _Collections:
    articles: Collection
    passages: Collection
    meta: Collection
    max_batch: int


P = ParamSpec("P")
R = TypeVar("R")


def _reaching_store(method: Callable[P, R]) -> Callable[P, R]:
    """A store method whose connection failures become `StoreUnavailable`; the next call
    connects afresh, so the service recovers by itself when a Chroma server comes back."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        store = args[0]
        assert isinstance(store, ChromaStore)
        try:
            return method(*args, **kwargs)
        except httpx.TransportError as error:  # refused, reset, timed out
            store.disconnect()
            raise StoreUnavailable(f"{store.kind} is unreachable: {error}") from error

    return wrapper


class ChromaStore:
    def __init__(
        self,
        client_factory: Callable[[], ClientAPI],
        *,
        prefix: str,
        embedding_model: str,
        kind: str,
    ):
        self.kind = kind
        self.embedding_model = embedding_model
        self._client_factory = client_factory
        self._prefix = prefix
        self._connection: _Collections | None = None
        self._connection_lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings, *, embedding_model: str) -> "ChromaStore":
        kind = (
            f"chroma-server {settings.chroma_url}"
            if settings.chroma_url
            else (f"chroma-local {settings.index_path}")
        )
        return cls(
            client_factory(settings),
            prefix=settings.collection_prefix,
            embedding_model=embedding_model,
            kind=kind,
        )

    def disconnect(self) -> None:
        """Forget the connection; the next call opens a new one."""
        self._connection = None

    def _collections(self) -> _Collections:
        with self._connection_lock:
            if self._connection is None:
                self._connection = self._open(self._client_factory())
            return self._connection

    def _open(self, client: ClientAPI) -> _Collections:
        metadata = {"hnsw:space": "cosine", "embedding_model": self.embedding_model}
        articles, passages = (
            client.get_or_create_collection(
                f"{self._prefix}_{name}", metadata=metadata, embedding_function=None
            )
            for name in ("articles", "passages")
        )
        for collection in (articles, passages):
            stored_model = (collection.metadata or {}).get("embedding_model")
            if stored_model != self.embedding_model:
                raise StoreError(
                    f"collection {collection.name!r} was built with embedding model "
                    f"{stored_model!r}, not {self.embedding_model!r}: use another index path or "
                    "collection prefix, or delete the index and ingest again"
                )
        meta = client.get_or_create_collection(f"{self._prefix}_meta", embedding_function=None)
        return _Collections(articles, passages, meta, client.get_max_batch_size())

    @property
    def _articles(self) -> Collection:
        return self._collections().articles

    @property
    def _passages(self) -> Collection:
        return self._collections().passages

    @property
    def _meta(self) -> Collection:
        return self._collections().meta

    @_reaching_store
    def counts(self) -> tuple[int, int]:
        return self._articles.count(), self._passages.count()

    @_reaching_store
    def fingerprints(self, article_ids: Sequence[str]) -> dict[str, str]:
        """The stored content fingerprint of each of these articles that is stored."""
        found: dict[str, str] = {}
        for ids in self._batches(list(article_ids)):
            records = self._articles.get(ids=ids, include=["metadatas"])
            for article_id, metadata in zip(records["ids"], records["metadatas"], strict=True):
                found[article_id] = str(metadata.get("fingerprint"))
        return found

    @_reaching_store
    def write(self, items: Sequence[IndexedArticle]) -> None:
        """Replace these articles and all their passages."""
        if not items:
            return
        ingested_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        for ids in self._batches([item.article.id for item in items]):
            self._passages.delete(where={"article_id": {"$in": ids}})
        passages = [
            (item, p, v) for item in items for p, v in zip(item.passages, item.vectors, strict=True)
        ]
        for batch in self._batches(passages):
            self._passages.add(
                ids=[passage.id for _, passage, _ in batch],
                documents=[passage.text for _, passage, _ in batch],
                embeddings=np.stack([vector for _, _, vector in batch]),
                metadatas=[
                    _article_metadata(item.article)
                    | {"ordinal": p.ordinal, "start": p.start, "end": p.end}
                    for item, p, _ in batch
                ],
            )
        for batch in self._batches(list(items)):
            self._articles.upsert(
                ids=[item.article.id for item in batch],
                documents=[item.article.text for item in batch],
                embeddings=np.stack([_mean_direction(item.vectors) for item in batch]),
                metadatas=[
                    _article_metadata(item.article)
                    | {
                        "fingerprint": item.fingerprint,
                        "body_end": item.article.body_end,
                        "passage_count": len(item.passages),
                        "ingested_at": ingested_at,
                    }
                    for item in batch
                ],
            )

        self._new_revision()

    @_reaching_store
    def delete(self, article_id: str) -> bool:
        """Remove the article and its passages; False when there was no such article."""
        existed = bool(self._articles.get(ids=[article_id], include=[])["ids"])
        self._articles.delete(ids=[article_id])
        self._passages.delete(where={"article_id": article_id})
        self._new_revision()
        return existed

    @_reaching_store
    def revision(self) -> str:
        """Changes whenever any article is written or deleted, by this process or another."""
        found = self._meta.get(ids=[_REVISION], include=["documents"])
        return found["documents"][0] if found["ids"] else ""

    def _new_revision(self) -> None:
        # A random value, not a counter: replicas writing at once need no read-modify-write.
        self._meta.upsert(ids=[_REVISION], documents=[uuid.uuid4().hex], embeddings=[[1.0]])

    @_reaching_store
    def all_passages(self, page_size: int = 5000) -> list[PassageRecord]:
        """Every passage with its text and metadata (no vectors), read page by page."""
        records = []
        for offset in range(0, self._passages.count(), page_size):
            page = self._passages.get(
                include=["documents", "metadatas"], limit=page_size, offset=offset
            )
            records += _passage_records(page)
        return records

    @_reaching_store
    def nearest_passages(
        self, vector: np.ndarray, *, limit: int, selection: ArticleFilter
    ) -> list[tuple[str, float]]:
        """Ids of the passages nearest to the vector, with their cosine similarity."""
        found = self._passages.query(
            query_embeddings=[vector],
            n_results=limit,
            where=selection.where(),
            include=["distances"],
        )
        return [
            (pid, 1.0 - distance)
            for pid, distance in zip(found["ids"][0], found["distances"][0], strict=True)
        ]

    @_reaching_store
    def passages(self, passage_ids: Sequence[str]) -> list[PassageRecord]:
        """These passages with text, metadata and vector, in the order asked."""
        found = self._passages.get(
            ids=list(passage_ids), include=["documents", "metadatas", "embeddings"]
        )
        records = {record.id: record for record in _passage_records(found)}
        return [records[pid] for pid in passage_ids if pid in records]

    @_reaching_store
    def get(self, article_id: str) -> StoredArticle | None:
        """The article with its full text and its passages in order."""
        records = self._articles.get(ids=[article_id], include=["documents", "metadatas"])
        if not records["ids"]:
            return None
        found = self._passages.get(
            where={"article_id": article_id}, include=["documents", "metadatas"]
        )
        passages = sorted(
            (
                StoredPassage(pid, meta["ordinal"], meta["start"], meta["end"], text)
                for pid, text, meta in zip(
                    found["ids"], found["documents"], found["metadatas"], strict=True
                )
            ),
            key=lambda passage: passage.ordinal,
        )
        return _stored_article(
            article_id, records["metadatas"][0], text=records["documents"][0], passages=passages
        )

    @_reaching_store
    def list_articles(
        self, selection: ArticleFilter, *, limit: int, offset: int
    ) -> tuple[int, list[StoredArticle]]:
        """A page of matching articles, newest first (undated last), and the total matching."""
        records = self._articles.get(where=selection.where(), include=["metadatas"])
        articles = [
            _stored_article(article_id, metadata)
            for article_id, metadata in zip(records["ids"], records["metadatas"], strict=True)
        ]
        articles.sort(key=lambda article: (article.date or "", article.id), reverse=True)
        return len(articles), articles[offset : offset + limit]

    @_reaching_store
    def article_vectors(self, selection: ArticleFilter) -> list[tuple[StoredArticle, np.ndarray]]:
        """Matching articles (no text) with their mean passage direction."""
        records = self._articles.get(where=selection.where(), include=["metadatas", "embeddings"])
        return [
            (_stored_article(article_id, metadata), np.asarray(vector))
            for article_id, metadata, vector in zip(
                records["ids"], records["metadatas"], records["embeddings"], strict=True
            )
        ]

    @_reaching_store
    def passages_of(self, article_ids: Sequence[str]) -> list[PassageRecord]:
        """Every passage of these articles, with text, metadata and vector."""
        records = []
        for ids in self._batches(list(article_ids)):
            found = self._passages.get(
                where={"article_id": {"$in": ids}}, include=["documents", "metadatas", "embeddings"]
            )
            records += _passage_records(found)
        return sorted(records, key=lambda r: (r.metadata["article_id"], r.metadata["ordinal"]))

    def _batches(self, items: list) -> Iterator[list]:
        size = self._collections().max_batch
        for start in range(0, len(items), size):
            yield items[start : start + size]


_REVISION = "revision"


def _passage_records(found: dict) -> list[PassageRecord]:
    """Passage records from a Chroma `get` result; vectors when it included them."""
    vectors = found.get("embeddings")
    if vectors is None:
        vectors = [None] * len(found["ids"])
    return [
        PassageRecord(pid, text, meta, None if vector is None else np.asarray(vector))
        for pid, text, meta, vector in zip(
            found["ids"], found["documents"], found["metadatas"], vectors, strict=True
        )
    ]


def _article_metadata(article: Article) -> dict:
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


def _mean_direction(vectors: np.ndarray) -> np.ndarray:
    mean = vectors.mean(axis=0)
    return mean / (np.linalg.norm(mean) or 1.0)


def _stored_article(
    article_id: str,
    metadata: dict,
    *,
    text: str | None = None,
    passages: list[StoredPassage] | None = None,
) -> StoredArticle:
    return StoredArticle(
        id=article_id,
        title=metadata.get("title"),
        date=metadata.get("date"),
        source=metadata.get("source"),
        url=metadata.get("url"),
        passage_count=metadata.get("passage_count", 0),
        ingested_at=metadata.get("ingested_at", ""),
        body_end=metadata.get("body_end"),
        text=text,
        passages=passages,
    )
