"""BM25 over every passage, held in memory beside the store.

Local Chroma has no sparse index, so keyword scoring lives here. The index is rebuilt whenever
the store's revision differs from the one it was built at: after this process ingests or
deletes, and equally after another replica writes to a shared Chroma server.
"""

import threading
from dataclasses import dataclass

import bm25s
import numpy as np
import Stemmer

from service.store import ArticleFilter, ChromaStore, date_number

_STEMMER = Stemmer.Stemmer("english")


@dataclass(frozen=True)
class _Built:
    revision: str
    bm25: bm25s.BM25 | None
    passage_ids: np.ndarray
    article_ids: np.ndarray
    sources: np.ndarray
    dates: np.ndarray  # YYYYMMDD, 0 when the article has no date


class KeywordIndex:
    def __init__(self, store: ChromaStore):
        self._store = store
        self._lock = threading.Lock()
        self._built: _Built | None = None

    def search(
        self, query: str, *, limit: int, selection: ArticleFilter
    ) -> list[tuple[str, float]]:
        """Ids of the best-matching passages with their BM25 scores (only scores above 0)."""
        built = self._current()
        if built.bm25 is None:
            return []
        query_tokens = terms(query)
        if not query_tokens:
            return []
        scores = built.bm25.get_scores(query_tokens) * _mask(built, selection)
        top = np.argsort(-scores)[:limit]
        return [(str(built.passage_ids[i]), float(scores[i])) for i in top if scores[i] > 0]

    def passage_ids(self) -> set[str]:
        """The passages indexed, once the index is in step with the store."""
        return set(self._current().passage_ids)

    def refresh(self) -> None:
        """Bring the index in step with the store now, rather than at the next search."""
        self._current()

    def _current(self) -> _Built:
        revision = self._store.revision()
        with self._lock:
            if self._built is None or self._built.revision != revision:
                self._built = _build(self._store, revision)
            return self._built


def _build(store: ChromaStore, revision: str) -> _Built:
    records = list(store.all_passages())
    tokenized = _tokenize([record.text for record in records]) if records else None
    bm25 = None
    # Passages with no keyword terms at all (digits, stopwords) leave nothing to index.
    if tokenized is not None and tokenized.vocab:
        bm25 = bm25s.BM25()
        bm25.index(tokenized, show_progress=False)
    return _Built(
        revision=revision,
        bm25=bm25,
        passage_ids=np.array([record.id for record in records], dtype=object),
        article_ids=np.array([record.metadata["article_id"] for record in records], dtype=object),
        sources=np.array([record.metadata.get("source", "") for record in records], dtype=object),
        dates=np.array([record.metadata.get("date_int", 0) for record in records], dtype=np.int64),
    )


def terms(text: str) -> list[str]:
    """The text's keyword terms: lower-cased, stemmed, stopwords removed (maybe none)."""
    tokenized = _tokenize([text], return_ids=False)
    return tokenized[0] if tokenized else []


def _tokenize(texts: list[str], *, return_ids: bool = True):
    return bm25s.tokenize(
        texts, stopwords="en", stemmer=_STEMMER, show_progress=False, return_ids=return_ids
    )


def _mask(built: _Built, selection: ArticleFilter) -> np.ndarray:
    """1 where a passage passes the filter, else 0: the same rules as `ArticleFilter.where`."""
    keep = np.ones(len(built.passage_ids), dtype=bool)
    if selection.article_ids:
        keep &= np.isin(built.article_ids, list(selection.article_ids))
    if selection.sources:
        keep &= np.isin(built.sources, list(selection.sources))
    if selection.date_from:
        keep &= built.dates >= date_number(selection.date_from)
    if selection.date_to:
        keep &= (built.dates <= date_number(selection.date_to)) & (built.dates > 0)
    return keep.astype(np.float32)
