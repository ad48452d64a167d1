"""BM25 over every passage, held in memory beside the store.

Local Chroma has no sparse index, so keyword scoring lives here. The index is rebuilt whenever
the store's revision differs from the one it was built at: after this process ingests or
deletes, and equally after another replica writes to a shared Chroma server.
"""

import threading
from dataclasses import dataclass

import bm25s
import numpy as np

from service.domain import ArticleFilter, Store, StoredPassage, date_number
from service.text import keyword_tokens, terms

# The filter's conditions as array operations; a missing value (None, or 0 for an undated
# article) fails every condition, as a missing metadata field does in Chroma.
_OPERATORS = {"in": np.isin, ">=": np.greater_equal, "<=": np.less_equal}
_MISSING = {"article_id": None, "source": None, "date_int": 0}


@dataclass(frozen=True)
class _Built:
    revision: str
    bm25: bm25s.BM25 | None
    passage_ids: np.ndarray
    columns: dict[str, np.ndarray]
    """Per passage, the article fields filters test: article_id, source, date_int."""


class KeywordIndex:
    def __init__(self, store: Store):
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
                self._built = _build(self._store.all_passages(), revision)
            return self._built


def _build(records: list[StoredPassage], revision: str) -> _Built:
    tokenized = keyword_tokens([record.passage.text for record in records]) if records else None
    bm25 = None
    # Passages with no keyword terms at all (digits, stopwords) leave nothing to index.
    if tokenized is not None and tokenized.vocab:
        bm25 = bm25s.BM25()
        bm25.index(tokenized, show_progress=False)
    articles = [record.article for record in records]
    return _Built(
        revision=revision,
        bm25=bm25,
        passage_ids=np.array([record.passage.id for record in records], dtype=object),
        columns={
            "article_id": np.array([a.article_id for a in articles], dtype=object),
            "source": np.array([a.source for a in articles], dtype=object),
            "date_int": np.array(
                [date_number(a.date) if a.date else 0 for a in articles], dtype=np.int64
            ),
        },
    )


def _mask(built: _Built, selection: ArticleFilter) -> np.ndarray:
    """1 where a passage passes the filter, else 0."""
    keep = np.ones(len(built.passage_ids), dtype=bool)
    for condition in selection.conditions():
        column = built.columns[condition.field]
        keep &= _OPERATORS[condition.operator](column, condition.value)
        keep &= column != _MISSING[condition.field]
    return keep.astype(np.float32)
