"""Articles and passages in Chroma: a local persistent index or a Chroma server.

Two collections, both in cosine space and both given vectors by the service (Chroma's
default embedding function would try to download a model):
- `<prefix>_passages`: one record per passage, with its span and the article's metadata,
  so retrieval filters (source, date range) work on passages directly.
- `<prefix>_articles`: one record per article holding the full text, its metadata and the
  mean of its passage vectors (for clustering articles). This record is written last and
  deleted first: it marks the article as complete, so an interrupted write leaves at worst
  passages without an article, which the next write of that article clears.
- `<prefix>_sentences`: one record per passage holding the vectors of its sentences (float16,
  base64, in metadata; the record's own vector is a placeholder). Kept out of the passages'
  metadata, which the keyword index reads whole, and out of a vector index, which would hold
  every sentence in memory. Written before the passages and deleted with them.
- `<prefix>_meta`: the `revision` record, whose value changes with every write and delete, so
  anything kept beside the store (the keyword index, in every replica) can tell cheaply
  whether it is stale; and the change log, one record per write or delete naming its
  articles, so it can tell what changed without reading every article.

Every read and write goes in pieces of at most `READ_PIECE` records (`ChromaStore._pieces`,
`_read`): SQLite, under a local index and a Chroma server alike, takes at most 32,766 values
in one statement, and a Chroma `get` names each record it returns in one. A `get` of the
passages of 5,461 articles (Chroma's own batch size) failed so, "too many SQL variables",
once those articles had more than about six passages each.
"""

import base64
import contextlib
import datetime as dt
import fcntl
import functools
import itertools
import json
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import ParamSpec, TypeVar

import chromadb
import httpx
import numpy as np
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.config import Settings as ChromaSettings
from pydantic import HttpUrl

from service.domain import (
    CHANGE_LOG_DAYS,
    Article,
    ArticleFilter,
    ArticleRef,
    Change,
    Delivery,
    IndexedArticle,
    Passage,
    StoredArticle,
    StoredPassage,
    StoreError,
    StoreUnavailable,
    Watch,
    WatchItem,
    date_number,
    watch_item_fields,
    watch_item_from_fields,
)


def client_factory(
    index_path: Path, chroma_url: HttpUrl | None, *, timeout_s: float
) -> Callable[[], ClientAPI]:
    """How to reach Chroma: a server by URL (every request bounded by `timeout_s`), else a
    local index directory."""
    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    url = chroma_url
    if url is None:
        index_path.mkdir(parents=True, exist_ok=True)
        return lambda: chromadb.PersistentClient(path=str(index_path), settings=chroma_settings)

    def connect() -> ClientAPI:
        try:
            # chromadb's HTTP client waits for ever (httpx, timeout=None), already while it is
            # being made: a server that accepts connections but never answers would hold the
            # request for good. So it is asked first, within the timeout ...
            httpx.get(f"{str(url).rstrip('/')}/api/v2/heartbeat", timeout=timeout_s)
            client = chromadb.HttpClient(
                host=url.host, port=url.port, ssl=url.scheme == "https", settings=chroma_settings
            )
        except (httpx.HTTPError, ValueError) as error:  # ValueError: chromadb's "no answer"
            raise StoreUnavailable(f"Chroma server at {url} is unreachable: {error}") from error
        # ... and every later request is bounded too (chromadb has no setting for it).
        client._server._session.timeout = httpx.Timeout(timeout_s)  # type: ignore[attr-defined]
        return client

    return connect


@contextlib.contextmanager
def sole_writer(index_path: Path) -> Iterator[None]:
    """Hold a local index for writing while the block runs; `StoreError` if another process
    holds it.

    Chroma's local index is safe for one process only: each process keeps its own vector
    index in memory beside the shared SQLite file. Tried without this lock: `newsdesk ingest`
    while `newsdesk serve` ran on the same index, and the server's next /search failed with
    Chroma's "Error finding id" (500) for the passages it had not written itself. Through a
    Chroma server any number of processes may write. The lock is the kernel's (flock), so it
    goes with its process, however that ends.
    """
    index_path.mkdir(parents=True, exist_ok=True)
    with (index_path / "newsdesk.lock").open("a+") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            raise StoreError(
                f"the index at {index_path} is in use by another newsdesk process "
                f"({lock.read().strip() or 'pid unknown'}): add articles through that server "
                "(POST /articles), or stop it first; several processes may write to one index "
                "only through a Chroma server (NEWSDESK_CHROMA_URL)"
            ) from None
        lock.truncate(0)
        lock.write(f"pid {os.getpid()}")
        lock.flush()
        yield


# Records one statement may name: well under SQLite's 32,766 values and Chroma's batch size.
READ_PIECE = 5000


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


@dataclass(frozen=True)
class _Collections:
    articles: Collection
    passages: Collection
    sentences: Collection
    meta: Collection
    watches: Collection
    max_batch: int


P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")


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
    """The `Store` on Chroma: a local persistent index or a Chroma server."""

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
        articles, passages, sentences = (
            client.get_or_create_collection(
                f"{self._prefix}_{name}", metadata=metadata, embedding_function=None
            )
            for name in ("articles", "passages", "sentences")
        )
        for collection in (articles, passages, sentences):
            stored_model = (collection.metadata or {}).get("embedding_model")
            if stored_model != self.embedding_model:
                raise StoreError(
                    f"collection {collection.name!r} was built with embedding model "
                    f"{stored_model!r}, not {self.embedding_model!r}: use another index path or "
                    "collection prefix, or delete the index and ingest again"
                )
        meta, watches = (
            client.get_or_create_collection(f"{self._prefix}_{name}", embedding_function=None)
            for name in ("meta", "watches")
        )
        return _Collections(
            articles, passages, sentences, meta, watches, client.get_max_batch_size()
        )

    @property
    def _articles(self) -> Collection:
        return self._collections().articles

    @property
    def _passages(self) -> Collection:
        return self._collections().passages

    @property
    def _sentences(self) -> Collection:
        return self._collections().sentences

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
        for page in self._read(self._articles, ["metadatas"], ids=article_ids):
            found |= _fingerprints(page)
        return found

    @_reaching_store
    def all_fingerprints(self) -> dict[str, str]:
        """The content fingerprint of every stored article, read page by page."""
        found: dict[str, str] = {}
        for page in self._read(self._articles, ["metadatas"]):
            found |= _fingerprints(page)
        return found

    @_reaching_store
    def write(self, items: Sequence[IndexedArticle]) -> None:
        """Replace these articles and all their passages."""
        if not items:
            return
        ingested_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        for ids in self._pieces([item.article.id for item in items]):
            self._passages.delete(where={"article_id": {"$in": ids}})
            self._sentences.delete(where={"article_id": {"$in": ids}})
        sentences = [
            (item.article.id, passage.id, vectors)
            for item in items
            for passage, vectors in zip(item.passages, item.sentence_vectors, strict=True)
        ]
        # Upserts: ingest workers given overlapping input may write one article at once, and
        # Chroma's add would silently keep whichever passage record came first.
        for batch in self._pieces(sentences):
            self._sentences.upsert(
                ids=[pid for _, pid, _ in batch],
                embeddings=[[1.0]] * len(batch),
                metadatas=[
                    {"article_id": article_id, "rows": len(vectors), "vectors": _packed(vectors)}
                    for article_id, _, vectors in batch
                ],
            )
        passages = [
            (item, p, v) for item in items for p, v in zip(item.passages, item.vectors, strict=True)
        ]
        for batch in self._pieces(passages):
            self._passages.upsert(
                ids=[passage.id for _, passage, _ in batch],
                documents=[passage.text for _, passage, _ in batch],
                embeddings=np.stack([vector for _, _, vector in batch]),
                metadatas=[
                    _article_metadata(item.article)
                    | {"ordinal": p.ordinal, "start": p.start, "end": p.end}
                    for item, p, _ in batch
                ],
            )
        for batch in self._pieces(items):
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

        self._logged_change([item.article.id for item in items])

    @_reaching_store
    def delete(self, article_id: str) -> bool:
        """Remove the article and its passages; False when there was no such article."""
        existed = bool(self._articles.get(ids=[article_id], include=[])["ids"])
        self._articles.delete(ids=[article_id])
        self._passages.delete(where={"article_id": article_id})
        self._sentences.delete(where={"article_id": article_id})
        self._logged_change([article_id])
        return existed

    @_reaching_store
    def revision(self) -> str:
        """Changes whenever any article is written or deleted, by this process or another."""
        found = self._meta.get(ids=[_REVISION], include=["documents"])
        return found["documents"][0] if found["ids"] else ""

    @_reaching_store
    def changes_since(self, at_us: int) -> list[Change]:
        """The change log's entries from `at_us` on."""
        return [
            Change(change_id, meta["at_us"], tuple(json.loads(meta["articles"])))
            for page in self._read(self._meta, ["metadatas"], where={"at_us": {"$gte": at_us}})
            for change_id, meta in zip(page["ids"], page["metadatas"], strict=True)
        ]

    def _logged_change(self, article_ids: list[str]) -> None:
        """Log the change, drop entries past keeping, and move the revision."""
        now_us = time.time_ns() // 1000
        self._meta.add(
            ids=[f"change-{uuid.uuid4().hex}"],
            embeddings=[[1.0]],
            metadatas=[{"at_us": now_us, "articles": json.dumps(article_ids)}],
        )
        self._meta.delete(where={"at_us": {"$lt": now_us - CHANGE_LOG_DAYS * 86_400_000_000}})
        # A random value, not a counter: replicas writing at once need no read-modify-write.
        self._meta.upsert(ids=[_REVISION], documents=[uuid.uuid4().hex], embeddings=[[1.0]])

    @_reaching_store
    def all_passages(self) -> list[StoredPassage]:
        """Every passage with its article (no vectors), read page by page."""
        return [
            record
            for page in self._read(self._passages, ["documents", "metadatas"])
            for record in _stored_passages(page)
        ]

    @_reaching_store
    def nearest_passages(
        self, vector: np.ndarray, *, limit: int, selection: ArticleFilter
    ) -> list[tuple[str, float]]:
        """Ids of the passages nearest to the vector, with their cosine similarity."""
        nearest: list[tuple[str, float]] = []
        # The nearest of all are among the nearest of each piece of a long article list.
        for piece in selection.pieces(self._piece_size()):
            found = self._passages.query(
                query_embeddings=[vector],
                n_results=limit,
                where=where(piece),
                include=["distances"],
            )
            nearest += [
                (pid, 1.0 - distance)
                for pid, distance in zip(found["ids"][0], found["distances"][0], strict=True)
            ]
        return sorted(nearest, key=lambda found: -found[1])[:limit]

    @_reaching_store
    def passages(self, passage_ids: Sequence[str]) -> list[StoredPassage]:
        """These passages with their vectors, in the order asked."""
        include = ["documents", "metadatas", "embeddings"]
        records = {
            record.passage.id: record
            for page in self._read(self._passages, include, ids=passage_ids)
            for record in _stored_passages(page)
        }
        return [records[pid] for pid in passage_ids if pid in records]

    @_reaching_store
    def passage_vectors(self, passage_ids: Sequence[str]) -> dict[str, np.ndarray]:
        """The vectors of these passages."""
        return {
            pid: np.asarray(vector)
            for page in self._read(self._passages, ["embeddings"], ids=passage_ids)
            for pid, vector in zip(page["ids"], page["embeddings"], strict=True)
        }

    @_reaching_store
    def sentence_vectors(self, passage_ids: Sequence[str]) -> dict[str, np.ndarray]:
        """The stored sentence vectors of each of these passages that has them."""
        return {
            pid: _unpacked(meta["vectors"], meta["rows"])
            for page in self._read(self._sentences, ["metadatas"], ids=passage_ids)
            for pid, meta in zip(page["ids"], page["metadatas"], strict=True)
        }

    @_reaching_store
    def get(self, article_id: str) -> StoredArticle | None:
        """The article with its full text and its passages in order."""
        records = self._articles.get(ids=[article_id], include=["documents", "metadatas"])
        if not records["ids"]:
            return None
        pages = self._read(
            self._passages, ["documents", "metadatas"], where={"article_id": article_id}
        )
        passages = sorted(
            (stored.passage for page in pages for stored in _stored_passages(page)),
            key=lambda p: p.ordinal,
        )
        return _stored_article(
            article_id, records["metadatas"][0], text=records["documents"][0], passages=passages
        )

    @_reaching_store
    def articles(self, article_ids: Sequence[str]) -> list[StoredArticle]:
        """These articles' metadata (no text), in the order asked; unknown ids left out."""
        found = {
            article_id: _stored_article(article_id, metadata)
            for page in self._read(self._articles, ["metadatas"], ids=article_ids)
            for article_id, metadata in zip(page["ids"], page["metadatas"], strict=True)
        }
        return [found[article_id] for article_id in article_ids if article_id in found]

    @_reaching_store
    def save_watch(self, watch: Watch) -> None:
        self._collections().watches.upsert(
            ids=[f"watch:{watch.id}"],
            documents=[json.dumps(_watch_record(watch))],
            metadatas=[{"kind": "watch"}],
            embeddings=[[1.0]],
        )

    @_reaching_store
    def watches(self) -> list[Watch]:
        pages = self._read(self._collections().watches, ["documents"], where={"kind": "watch"})
        watches = [_watch(json.loads(document)) for page in pages for document in page["documents"]]
        return sorted(watches, key=lambda watch: (watch.created_at, watch.id))

    @_reaching_store
    def delete_watch(self, watch_id: str) -> bool:
        collection = self._collections().watches
        if not collection.get(ids=[f"watch:{watch_id}"], include=[])["ids"]:
            return False
        collection.delete(where={"watch_id": watch_id})
        collection.delete(ids=[f"watch:{watch_id}"])
        return True

    @_reaching_store
    def add_watch_items(self, items: Sequence[WatchItem]) -> None:
        if not items:
            return
        self._collections().watches.upsert(
            ids=[f"item:{item.watch_id}:{item.article.article_id}" for item in items],
            documents=[json.dumps(watch_item_fields(item)) for item in items],
            metadatas=[{"kind": "item", "watch_id": item.watch_id} for item in items],
            embeddings=[[1.0]] * len(items),
        )

    @_reaching_store
    def watch_items(self, watch_id: str, *, limit: int) -> list[WatchItem]:
        pages = self._read(self._collections().watches, ["documents"], where={"watch_id": watch_id})
        items = [
            watch_item_from_fields(json.loads(document))
            for page in pages
            for document in page["documents"]
        ]
        return sorted(items, key=lambda item: item.found_at, reverse=True)[:limit]

    @_reaching_store
    def article_vectors(self, selection: ArticleFilter) -> list[tuple[StoredArticle, np.ndarray]]:
        """Matching articles (no text) with their mean passage direction."""
        return [
            (_stored_article(article_id, metadata), np.asarray(vector))
            for piece in selection.pieces(self._piece_size())
            for page in self._read(self._articles, ["metadatas", "embeddings"], where=where(piece))
            for article_id, metadata, vector in zip(
                page["ids"], page["metadatas"], page["embeddings"], strict=True
            )
        ]

    @_reaching_store
    def passages_of(self, article_ids: Sequence[str]) -> list[StoredPassage]:
        """Every passage of these articles with its vector, by article and ordinal."""
        include = ["documents", "metadatas", "embeddings"]
        records = [
            record
            for ids in self._pieces(article_ids)
            for page in self._read(self._passages, include, where={"article_id": {"$in": ids}})
            for record in _stored_passages(page)
        ]
        return sorted(records, key=lambda r: (r.passage.article_id, r.passage.ordinal))

    def _piece_size(self) -> int:
        return min(READ_PIECE, self._collections().max_batch)

    def _pieces(self, items: Sequence[T]) -> Iterator[list[T]]:
        """The items in lists short enough for one statement to name."""
        size = self._piece_size()
        for start in range(0, len(items), size):
            yield list(items[start : start + size])

    def _read(
        self,
        collection: Collection,
        include: list,
        *,
        ids: Sequence[str] | None = None,
        where: dict | None = None,
    ) -> Iterator[dict]:
        """`get` results for these ids, or for the records that match `where` (every record
        when neither is given), in pages that each name at most a piece of records."""
        if ids is not None:
            for piece in self._pieces(ids):
                yield collection.get(ids=piece, include=include)
            return
        size = self._piece_size()
        for offset in itertools.count(0, size):
            page = collection.get(where=where, include=include, limit=size, offset=offset)
            yield page
            if len(page["ids"]) < size:
                return


_REVISION = "revision"

# Chroma holds records as metadata dicts; below, they become the service's records and back.


def _fingerprints(found: dict) -> dict[str, str]:
    return {
        article_id: str(metadata.get("fingerprint"))
        for article_id, metadata in zip(found["ids"], found["metadatas"], strict=True)
    }


def _stored_passages(found: dict) -> list[StoredPassage]:
    """Passages from a Chroma `get` result; with vectors when it included them."""
    vectors = found.get("embeddings")
    if vectors is None:
        vectors = [None] * len(found["ids"])
    return [
        StoredPassage(
            Passage(meta["article_id"], meta["ordinal"], meta["start"], meta["end"], text),
            _article_ref(meta),
            None if vector is None else np.asarray(vector),
        )
        for text, meta, vector in zip(found["documents"], found["metadatas"], vectors, strict=True)
    ]


def _article_ref(metadata: dict) -> ArticleRef:
    date = metadata.get("date")
    return ArticleRef(
        article_id=metadata["article_id"],
        title=metadata.get("title"),
        source=metadata.get("source"),
        date=dt.date.fromisoformat(date) if date else None,
        url=metadata.get("url"),
    )


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


def _packed(vectors: np.ndarray) -> str:
    # float16 moves a cosine by about 1e-4 and halves the bytes; metadata holds text only.
    return base64.b64encode(vectors.astype(np.float16).tobytes()).decode("ascii")


def _unpacked(packed: str, rows: int) -> np.ndarray:
    flat = np.frombuffer(base64.b64decode(packed), dtype=np.float16).astype(np.float32)
    return flat.reshape(rows, -1) if rows else flat.reshape(0, 0)


def _mean_direction(vectors: np.ndarray) -> np.ndarray:
    mean = vectors.mean(axis=0)
    return mean / (np.linalg.norm(mean) or 1.0)


def _stored_article(
    article_id: str,
    metadata: dict,
    *,
    text: str | None = None,
    passages: list[Passage] | None = None,
) -> StoredArticle:
    ref = _article_ref(metadata | {"article_id": article_id})
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


def _watch_record(watch: Watch) -> dict:
    return asdict(watch) | {"sources": list(watch.sources)}


def _watch(record: dict) -> Watch:
    # Records made before deliveries were signed and kept have neither field: both None.
    delivery = record.get("last_delivery")
    return Watch(
        **record
        | {
            "sources": tuple(record["sources"]),
            "last_delivery": Delivery(**delivery) if delivery else None,
        }
    )
