"""What every part of the Chroma store shares: the connection to its collections, and reads
and writes in pieces.

Every read and write goes in pieces of at most `READ_PIECE` records (`ChromaBase._pieces`,
`_read`): SQLite, under a local index and a Chroma server alike, takes at most 32,766 values
in one statement, and a Chroma `get` names each record it returns in one. A `get` of the
passages of 5,461 articles (Chroma's own batch size) failed so, "too many SQL variables",
once those articles had more than about six passages each.
"""

import functools
import itertools
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import ParamSpec, TypeVar

import httpx
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection

from service.domain import (
    StoreError,
    StoreUnavailable,
)

# Records one statement may name: well under SQLite's 32,766 values and Chroma's batch size.
READ_PIECE = 5000


@dataclass(frozen=True)
class Collections:
    articles: Collection
    passages: Collection
    sentences: Collection
    meta: Collection
    watches: Collection
    max_batch: int


P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")


def reaching_store(method: Callable[P, R]) -> Callable[P, R]:
    """A store method whose connection failures become `StoreUnavailable`; the next call
    connects afresh, so the service recovers by itself when a Chroma server comes back."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        store = args[0]
        assert isinstance(store, ChromaBase)
        try:
            return method(*args, **kwargs)
        except httpx.TransportError as error:  # refused, reset, timed out
            store.disconnect()
            raise StoreUnavailable(f"{store.kind} is unreachable: {error}") from error

    return wrapper


class ChromaBase:
    """The connection to the collections, and reading in pieces; the parts of `ChromaStore`
    build on it."""

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
        self._connection: Collections | None = None
        self._connection_lock = threading.Lock()

    def disconnect(self) -> None:
        """Forget the connection; the next call opens a new one."""
        self._connection = None

    def _collections(self) -> Collections:
        with self._connection_lock:
            if self._connection is None:
                self._connection = self._open(self._client_factory())
            return self._connection

    def _open(self, client: ClientAPI) -> Collections:
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
        return Collections(
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
