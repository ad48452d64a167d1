"""A `Store` held in dictionaries: for fast tests where a real Chroma adds nothing.

tests/test_store_contract.py runs the same checks on it and on the real ChromaStore, so what
passes here holds there.
"""

import dataclasses
import datetime as dt
import operator
import time
import uuid
from collections.abc import Mapping, Sequence

import numpy as np

from service.domain import (
    CHANGE_LOG_DAYS,
    ArticleFilter,
    ArticleRef,
    Change,
    IndexedArticle,
    Passage,
    StoredArticle,
    StoredPassage,
    Watch,
    WatchItem,
    date_number,
)
from service.domain.parse import ParsedSentence

_TESTS = {"in": lambda value, allowed: value in allowed, ">=": operator.ge, "<=": operator.le}


def admits(selection: ArticleFilter, article: ArticleRef) -> bool:
    """The filter's conditions on one article; a missing field fails its condition."""
    fields = {
        "article_id": article.article_id,
        "source": article.source,
        "date_int": date_number(article.date) if article.date else None,
    }
    return all(
        fields[c.field] is not None and _TESTS[c.operator](fields[c.field], c.value)
        for c in selection.conditions()
    )


class InMemoryStore:
    kind = "memory"

    def __init__(self) -> None:
        self._articles: dict[str, tuple[StoredArticle, str, np.ndarray]] = {}
        self._passages: dict[str, StoredPassage] = {}
        self._sentences: dict[str, np.ndarray] = {}
        self._parses: dict[str, list[ParsedSentence]] = {}
        self._revision = ""
        self._changes: list[Change] = []
        self._watches: dict[str, Watch] = {}
        self._watch_items: dict[tuple[str, str], WatchItem] = {}

    def counts(self) -> tuple[int, int]:
        return len(self._articles), len(self._passages)

    def fingerprints(self, article_ids: Sequence[str]) -> dict[str, str]:
        return {i: self._articles[i][1] for i in article_ids if i in self._articles}

    def all_fingerprints(self) -> dict[str, str]:
        return {i: fingerprint for i, (_, fingerprint, _) in self._articles.items()}

    def write(self, items: Sequence[IndexedArticle]) -> None:
        for item in items:
            self._drop_passages(item.article.id)
            for passage, vector, sentences, parses in zip(
                item.passages,
                item.vectors,
                item.sentence_vectors,
                item.sentence_parses or [None] * len(item.passages),
                strict=True,
            ):
                self._passages[passage.id] = StoredPassage(passage, item.article.ref, vector)
                self._sentences[passage.id] = sentences
                if parses is not None:
                    self._parses[passage.id] = parses
        for item in items:
            article = item.article
            stored = StoredArticle(
                id=article.id,
                title=article.title,
                date=article.date,
                source=article.source,
                url=article.url,
                passage_count=len(item.passages),
                ingested_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                body_end=article.body_end,
                text=article.text,
            )
            mean = item.vectors.mean(axis=0)
            self._articles[article.id] = (stored, item.fingerprint, mean / np.linalg.norm(mean))
        self._log([item.article.id for item in items])

    def delete(self, article_id: str) -> bool:
        existed = self._articles.pop(article_id, None) is not None
        self._drop_passages(article_id)
        self._log([article_id])
        return existed

    def revision(self) -> str:
        return self._revision

    def changes_since(self, at_us: int) -> list[Change]:
        return [change for change in self._changes if change.at_us >= at_us]

    def _log(self, article_ids: list[str]) -> None:
        now_us = time.time_ns() // 1000
        kept_from_us = now_us - CHANGE_LOG_DAYS * 86_400_000_000
        self._changes = [c for c in self._changes if c.at_us >= kept_from_us]
        self._changes.append(Change(uuid.uuid4().hex, now_us, tuple(article_ids)))
        self._revision = uuid.uuid4().hex

    def all_passages(self) -> list[StoredPassage]:
        return [StoredPassage(p.passage, p.article) for p in self._passages.values()]

    def nearest_passages(
        self, vector: np.ndarray, *, limit: int, selection: ArticleFilter
    ) -> list[tuple[str, float]]:
        scored = [
            (pid, float(p.vector @ vector))
            for pid, p in self._passages.items()
            if admits(selection, p.article)
        ]
        return sorted(scored, key=lambda item: item[1], reverse=True)[:limit]

    def passages(self, passage_ids: Sequence[str]) -> list[StoredPassage]:
        return [self._passages[pid] for pid in passage_ids if pid in self._passages]

    def passage_vectors(self, passage_ids: Sequence[str]) -> dict[str, np.ndarray]:
        return {pid: self._passages[pid].vector for pid in passage_ids if pid in self._passages}

    def sentence_vectors(self, passage_ids: Sequence[str]) -> dict[str, np.ndarray]:
        return {pid: self._sentences[pid] for pid in passage_ids if pid in self._sentences}

    def sentence_parses(self, texts: Mapping[str, str]) -> dict[str, list[ParsedSentence]]:
        return {pid: self._parses[pid] for pid in texts if pid in self._parses}

    def passages_of(self, article_ids: Sequence[str]) -> list[StoredPassage]:
        wanted = set(article_ids)
        found = [p for p in self._passages.values() if p.passage.article_id in wanted]
        return sorted(found, key=lambda p: (p.passage.article_id, p.passage.ordinal))

    def get(self, article_id: str) -> StoredArticle | None:
        if article_id not in self._articles:
            return None
        passages: list[Passage] = [p.passage for p in self.passages_of([article_id])]
        return _with(self._articles[article_id][0], passages=passages)

    def articles(self, article_ids: Sequence[str]) -> list[StoredArticle]:
        return [_with(self._articles[i][0], text=None) for i in article_ids if i in self._articles]

    def article_vectors(self, selection: ArticleFilter) -> list[tuple[StoredArticle, np.ndarray]]:
        return [
            (_with(article, text=None), vector)
            for article, _, vector in self._articles.values()
            if admits(selection, article.ref)
        ]

    def save_watch(self, watch: Watch) -> None:
        self._watches[watch.id] = watch

    def watches(self) -> list[Watch]:
        return sorted(self._watches.values(), key=lambda watch: (watch.created_at, watch.id))

    def delete_watch(self, watch_id: str) -> bool:
        for key in [key for key in self._watch_items if key[0] == watch_id]:
            del self._watch_items[key]
        return self._watches.pop(watch_id, None) is not None

    def add_watch_items(self, items: Sequence[WatchItem]) -> None:
        for item in items:
            self._watch_items[item.watch_id, item.article.article_id] = item

    def watch_items(self, watch_id: str, *, limit: int) -> list[WatchItem]:
        items = [item for (wid, _), item in self._watch_items.items() if wid == watch_id]
        return sorted(items, key=lambda item: item.found_at, reverse=True)[:limit]

    def _drop_passages(self, article_id: str) -> None:
        for pid in [pid for pid, p in self._passages.items() if p.passage.article_id == article_id]:
            del self._passages[pid]
            del self._sentences[pid]
            self._parses.pop(pid, None)


def _with(article: StoredArticle, **changes) -> StoredArticle:
    return dataclasses.replace(article, **changes)
