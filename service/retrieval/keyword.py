"""BM25 over every passage, kept beside the store and brought up to date by changes.

Local Chroma has no sparse index, so keyword scoring lives here. The index follows the store
article by article (`following.StoreFollower`): it remembers the fingerprint of each article it
holds, and when the store's revision moves (a write by this process, or by another replica on
a shared Chroma server) it applies only the difference: the passages of new and changed
articles are added, those of changed and deleted ones are masked out.

Scores are BM25 as bm25s computes it (Lucene variant, k1 1.5, b 0.75; tests/test_keyword_index.py
holds the two to the same numbers), but document frequencies and the mean length are taken over
the live passages at query time, so adding and masking passages leaves no stale statistics.
(bm25s precomputes every score when it indexes, which made each change a full rebuild.)

Added passages go to a pending segment; when it outgrows a tenth of the main one, the two are
merged and masked rows dropped. With a `path`, the index is saved there after changes (at most
every `SAVE_EVERY_S`) and loaded at start, so a restart reads only the passages of articles
that changed since (after comparing every article's fingerprint once).
"""

import json
import logging
import os
import threading
import time
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse

from service.domain import ArticleFilter, Store, StoredPassage
from service.retrieval.following import ArticleChanges, FollowerStatus, StoreFollower
from service.text import terms, terms_of

K1, B = 1.5, 0.75
SAVE_EVERY_S = 60.0
_FORMAT = 1  # of the saved files; a saved index of another format is ignored and rebuilt

log = logging.getLogger(__name__)


@dataclass
class _Rows:
    """Per passage (row): its id, whether it is live, its length in terms, and the article
    fields filters test."""

    passage_ids: np.ndarray
    live: np.ndarray
    lengths: np.ndarray
    article_id: np.ndarray
    source: np.ndarray
    date_int: np.ndarray

    @classmethod
    def of(cls, records: list[StoredPassage], lengths: list[int]) -> "_Rows":
        return cls(
            passage_ids=np.array([r.passage.id for r in records], dtype=object),
            live=np.ones(len(records), dtype=bool),
            lengths=np.array(lengths, dtype=np.float32),
            **ArticleFilter.columns([record.article for record in records]),
        )

    def __len__(self) -> int:
        return len(self.passage_ids)

    def extended(self, more: "_Rows") -> "_Rows":
        return _Rows(**{k: np.concatenate([v, getattr(more, k)]) for k, v in vars(self).items()})

    def kept(self, keep: np.ndarray) -> "_Rows":
        return _Rows(**{k: v[keep] for k, v in vars(self).items()})

    def admitted(self, selection: ArticleFilter) -> np.ndarray:
        """Live rows that pass the filter."""
        return self.live & selection.mask(vars(self))


class KeywordIndex:
    def __init__(self, store: Store, *, path: Path | None = None):
        self._store = store
        self._path = path
        self._lock = threading.Lock()
        self._follower = StoreFollower(store, name="keyword index")
        self._saved_at = -SAVE_EVERY_S  # never: the first change is saved
        self._vocabulary: dict[str, int] = {}
        self._rows = _Rows.of([], [])
        self._main = sparse.csc_matrix((0, 0), dtype=np.float32)
        """Term counts of rows [0, main rows): rows are passages, columns terms."""
        self._pending: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        """Term counts of the rows added since, as (rows, terms, counts)."""
        self._pending_matrix: sparse.csc_matrix | None = None
        self._articles: dict[str, tuple[str, np.ndarray]] = {}
        """Article id -> (its fingerprint, its rows)."""
        if path is not None and (path / _FILE).exists():
            self._load(path)

    def search(
        self, query: str, *, limit: int, selection: ArticleFilter
    ) -> list[tuple[str, float]]:
        """Ids of the best-matching passages with their BM25 scores (only scores above 0)."""
        query_terms = terms(query)
        with self._lock:
            self._catch_up()
            counted = Counter(self._vocabulary[t] for t in query_terms if t in self._vocabulary)
            admitted = self._rows.admitted(selection)
            scores = self._scores(counted) * admitted
            top = np.argsort(-scores)[:limit]
            return [
                (str(self._rows.passage_ids[i]), float(scores[i])) for i in top if scores[i] > 0
            ]

    def passage_ids(self) -> set[str]:
        """The passages indexed, once the index is in step with the store."""
        with self._lock:
            self._catch_up()
            return set(self._rows.passage_ids[self._rows.live])

    def refresh(self) -> None:
        """Bring the index in step with the store now, rather than at the next search."""
        with self._lock:
            self._catch_up()

    def _scores(self, query_terms: Counter[int]) -> np.ndarray:
        rows = self._rows
        scores = np.zeros(len(rows), dtype=np.float32)
        live = int(rows.live.sum())
        if not query_terms or not live:
            return scores
        mean_length = float(rows.lengths[rows.live].mean())
        segments = [self._main, *([self._pending_segment()] if self._pending else [])]
        for term, repeats in query_terms.items():
            postings = [_column(segment, term) for segment in segments]
            passages = np.concatenate([p for p, _ in postings])
            counts = np.concatenate([c for _, c in postings])
            alive = rows.live[passages]
            passages, counts = passages[alive], counts[alive]
            frequency = len(passages)
            idf = np.log(1 + (live - frequency + 0.5) / (frequency + 0.5))
            norm = K1 * ((1 - B) + B * rows.lengths[passages] / mean_length)
            scores[passages] += repeats * idf * counts / (norm + counts)
        return scores

    def _pending_segment(self) -> sparse.csc_matrix:
        if self._pending_matrix is None:
            rows, columns, counts = (
                np.concatenate(part) for part in zip(*self._pending, strict=True)
            )
            shape = (len(self._rows), len(self._vocabulary))
            self._pending_matrix = sparse.csc_matrix((counts, (rows, columns)), shape=shape)
        return self._pending_matrix

    def status(self) -> FollowerStatus:
        return self._follower.status()

    def _catch_up(self) -> None:
        held = {article_id: held for article_id, (held, _) in self._articles.items()}
        self._follower.catch_up(held, self._apply)

    def _apply(self, changes: ArticleChanges) -> None:
        # Read first: if reading fails, the index is left as it was.
        records = []
        if changes.arriving:
            # A first build reads every passage (without vectors); later ones the changed.
            records = (
                self._store.all_passages()
                if changes.everything and not self._articles
                else self._store.passages_of(list(changes.arriving))
            )
        for article_id in changes.gone:
            self._rows.live[self._articles.pop(article_id)[1]] = False
        if changes.arriving:
            arriving = [r for r in records if r.passage.article_id in changes.arriving]
            self._add(arriving, changes.arriving)
        if changes.gone or changes.arriving:
            pending_rows = len(self._rows) - self._main.shape[0]
            if pending_rows > max(1000, self._main.shape[0] // 10):
                self._merge()
            if self._path is not None and time.monotonic() - self._saved_at >= SAVE_EVERY_S:
                try:
                    self._save(self._path)
                except OSError as error:  # a saved copy only saves time at the next start
                    log.warning("keyword index not saved to %s: %s", self._path, error)

    def _add(self, records: list[StoredPassage], fingerprints: dict[str, str]) -> None:
        first = len(self._rows)
        tokenized = terms_of([record.passage.text for record in records])
        rows, columns, counts = [], [], []
        for row, passage_terms in enumerate(tokenized, start=first):
            for term, count in Counter(passage_terms).items():
                rows.append(row)
                columns.append(self._vocabulary.setdefault(term, len(self._vocabulary)))
                counts.append(count)
        self._pending.append(
            (np.array(rows, np.int64), np.array(columns, np.int64), np.array(counts, np.float32))
        )
        self._pending_matrix = None
        self._rows = self._rows.extended(_Rows.of(records, [len(t) for t in tokenized]))
        by_article: dict[str, list[int]] = {article_id: [] for article_id in fingerprints}
        for row, record in enumerate(records, start=first):
            by_article[record.passage.article_id].append(row)
        for article_id, fingerprint in fingerprints.items():
            self._articles[article_id] = (fingerprint, np.array(by_article[article_id], np.int64))

    def _merge(self) -> None:
        """One main segment of the live rows, renumbered; nothing pending."""
        keep = self._rows.live
        if not self._pending and keep.all():
            return
        main = self._main.tocoo()
        rows, columns, counts = (
            np.concatenate(part)
            for part in zip((main.row, main.col, main.data), *self._pending, strict=True)
        )
        shape = (len(self._rows), len(self._vocabulary))
        merged = sparse.csr_matrix((counts, (rows, columns)), shape=shape)
        self._main = merged[keep].tocsc()
        self._pending, self._pending_matrix = [], None
        self._rows = self._rows.kept(keep)
        renumbered = np.cumsum(keep) - 1
        self._articles = {
            article_id: (fingerprint, renumbered[article_rows])
            for article_id, (fingerprint, article_rows) in self._articles.items()
        }

    def _save(self, path: Path) -> None:
        self._merge()
        path.mkdir(parents=True, exist_ok=True)
        state = {
            "format": _FORMAT,
            "vocabulary": list(self._vocabulary),
            "fingerprints": {a: fingerprint for a, (fingerprint, _) in self._articles.items()},
        }
        arrays = {
            "state": np.array(json.dumps(state)),
            "data": self._main.data,
            "indices": self._main.indices,
            "indptr": self._main.indptr,
            "shape": np.array(self._main.shape),
            "passage_ids": self._rows.passage_ids.astype(str),
            "lengths": self._rows.lengths,
            "article_id": self._rows.article_id.astype(str),
            "source": np.array([s or "" for s in self._rows.source], dtype=str),
            "date_int": self._rows.date_int,
        }
        # One file, written aside and moved into place: a crash mid-save keeps the last copy.
        aside = path / "keyword.saving.npz"
        np.savez(aside, allow_pickle=False, **arrays)
        os.replace(aside, path / _FILE)
        self._saved_at = time.monotonic()

    def _load(self, path: Path) -> None:
        try:
            with np.load(path / _FILE, allow_pickle=False) as saved:
                state = json.loads(str(saved["state"]))
                if state["format"] != _FORMAT:
                    return
                self._main = sparse.csc_matrix(
                    (saved["data"], saved["indices"], saved["indptr"]), shape=tuple(saved["shape"])
                )
                self._rows = _Rows(
                    passage_ids=saved["passage_ids"].astype(object),
                    live=np.ones(len(saved["passage_ids"]), dtype=bool),
                    lengths=saved["lengths"],
                    article_id=saved["article_id"].astype(object),
                    source=np.array([s or None for s in saved["source"]], dtype=object),
                    date_int=saved["date_int"],
                )
        except (OSError, EOFError, ValueError, KeyError, zipfile.BadZipFile) as error:
            log.warning("keyword index at %s not loaded (%s): building it afresh", path, error)
            return
        self._vocabulary = {term: number for number, term in enumerate(state["vocabulary"])}
        rows_of: dict[str, list[int]] = {article_id: [] for article_id in state["fingerprints"]}
        for row, article_id in enumerate(self._rows.article_id):
            rows_of[article_id].append(row)
        self._articles = {
            article_id: (fingerprint, np.array(rows_of[article_id], np.int64))
            for article_id, fingerprint in state["fingerprints"].items()
        }
        self._saved_at = time.monotonic()


_FILE = "keyword.npz"


def _column(segment: sparse.csc_matrix, term: int) -> tuple[np.ndarray, np.ndarray]:
    """The rows holding the term and its count in each (none when the term came later)."""
    if term >= segment.shape[1]:
        return np.zeros(0, np.int64), np.zeros(0, np.float32)
    start, end = segment.indptr[term], segment.indptr[term + 1]
    return segment.indices[start:end], segment.data[start:end]
