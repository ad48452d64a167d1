"""The store's interface: what ingestion, retrieval, briefing and the API need of an index.

`service.store.ChromaStore` is the real one; tests also run a small in-memory one.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from service.domain.parse import ParsedSentence
from service.domain.records import (
    IndexedArticle,
    StoredArticle,
    StoredPassage,
    Watch,
    WatchItem,
)
from service.domain.selection import ArticleFilter

CHANGE_LOG_DAYS = 1


class StoreError(RuntimeError):
    """The index cannot be used as configured."""


class StoreUnavailable(StoreError):
    """The store cannot be reached now; it may come back."""


@dataclass(frozen=True)
class Change:
    """One entry of the store's change log: these articles were written or deleted."""

    id: str
    at_us: int
    """When, in microseconds since the epoch, by the writer's clock."""
    article_ids: tuple[str, ...]


class Store(Protocol):
    kind: str
    """Which store this is, for /health: e.g. `chroma-local index`."""

    def counts(self) -> tuple[int, int]:
        """Articles and passages stored."""
        ...

    def fingerprints(self, article_ids: Sequence[str]) -> dict[str, str]:
        """The stored content fingerprint of each of these articles that is stored."""
        ...

    def all_fingerprints(self) -> dict[str, str]:
        """The content fingerprint of every stored article."""
        ...

    def write(self, items: Sequence[IndexedArticle]) -> None:
        """Replace these articles and all their passages. The article record is written after
        its passages, so an interrupted write leaves at worst passages without an article."""
        ...

    def delete(self, article_id: str) -> bool:
        """Remove the article (first) and its passages; False when there was no such article."""
        ...

    def revision(self) -> str:
        """Changes whenever any article is written or deleted, by this process or another."""
        ...

    def changes_since(self, at_us: int) -> list[Change]:
        """The change log's entries from `at_us` on (entries are kept `CHANGE_LOG_DAYS`). An
        entry is logged after the write or delete it names, before the revision moves."""
        ...

    def all_passages(self) -> list[StoredPassage]:
        """Every passage with its article, without vectors."""
        ...

    def nearest_passages(
        self, vector: np.ndarray, *, limit: int, selection: ArticleFilter
    ) -> list[tuple[str, float]]:
        """Ids of the passages nearest to the vector, with their cosine similarity."""
        ...

    def passages(self, passage_ids: Sequence[str]) -> list[StoredPassage]:
        """These passages with their vectors, in the order asked (unknown ids left out)."""
        ...

    def passage_vectors(self, passage_ids: Sequence[str]) -> dict[str, np.ndarray]:
        """The vectors of these passages (unknown ids left out): a third of the cost of reading
        the passages at 100,000 (bench/scale.py)."""
        ...

    def sentence_vectors(self, passage_ids: Sequence[str]) -> dict[str, np.ndarray]:
        """The stored sentence vectors of each of these passages that has them, one row per
        sentence of its text."""
        ...

    def sentence_parses(self, texts: Mapping[str, str]) -> dict[str, list[ParsedSentence]]:
        """The stored parses of each of these passages (id: its text) that has them, one per
        sentence of its text (passages stored before parses were kept have none)."""
        ...

    def passages_of(self, article_ids: Sequence[str]) -> list[StoredPassage]:
        """Every passage of these articles with its vector, by article and ordinal."""
        ...

    def get(self, article_id: str) -> StoredArticle | None:
        """The article with its full text and its passages in order."""
        ...

    def articles(self, article_ids: Sequence[str]) -> list[StoredArticle]:
        """These articles' metadata (no text), in the order asked; unknown ids left out."""
        ...

    def article_vectors(self, selection: ArticleFilter) -> list[tuple[StoredArticle, np.ndarray]]:
        """Matching articles (no text) with the mean direction of their passage vectors."""
        ...

    def save_watch(self, watch: Watch) -> None:
        """Add the watch, or replace the one with its id."""
        ...

    def watches(self) -> list[Watch]:
        """Every watch, oldest first."""
        ...

    def delete_watch(self, watch_id: str) -> bool:
        """Remove the watch and its items; False when there was none."""
        ...

    def add_watch_items(self, items: Sequence[WatchItem]) -> None:
        """Keep these items; an item for the same watch and article replaces the earlier."""
        ...

    def watch_items(self, watch_id: str, *, limit: int) -> list[WatchItem]:
        """The watch's newest items first, at most `limit`."""
        ...
