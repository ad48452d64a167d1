"""Hybrid passage retrieval: dense (Chroma) and keyword (BM25) rankings fused by reciprocal rank.

A question asking for the latest news puts the passages about as relevant as the best one
(cosine similarity within `recency_band` of it) first, newest first.

After fusion, near-duplicate passages (one story syndicated by several outlets) collapse into
the best-ranked one, which lists the other articles as "also reported by", and no article
contributes more than `max_per_article` passages, so results spread over articles.
"""

import datetime as dt
import re
from collections.abc import Hashable, Iterable, Iterator
from typing import Any

import numpy as np

from service.domain import ArticleFilter, RetrievedPassage, Store
from service.embedding import SentenceVectors
from service.retrieval.keyword import KeywordIndex
from service.settings import RetrievalSettings
from service.text import sentences

# Candidates read first, per result asked for: enough that they usually fill k after the
# per-article cap and duplicate collapse. They alone are what the sentence rerank reorders: over
# the archive's development questions, 3 found as well as 5 (hit@1 0.696, hit@5 0.924 against
# 0.911) at 43 rather than 62 ms a search (bench/eval_answers.py --archive).
PAGE_PER_RESULT = 3
_RECENCY = re.compile(
    r"\b(latest|most recent|recent(ly)?|newest|last week|this week|today|now|current(ly)?)\b",
    re.IGNORECASE,
)


class Retriever:
    def __init__(
        self,
        *,
        store: Store,
        vectors: SentenceVectors,
        keyword: KeywordIndex,
        config: RetrievalSettings,
    ):
        self._store = store
        # The query is encoded through the sentence cache: the extractive answerer scores
        # sentences against the question, and so finds its vector there, not encoding it again.
        self._vectors = vectors
        self._keyword = keyword
        self._config = config

    def search(self, query: str, *, k: int, selection: ArticleFilter) -> list[RetrievedPassage]:
        """The k best passages for the query among those the filter lets through."""
        query_vector = self._vectors.of([query])[0]
        limit = max(self._config.search_candidates, k)
        rankings = [
            [
                pid
                for pid, _ in self._store.nearest_passages(
                    query_vector, limit=limit, selection=selection
                )
            ],
            [pid for pid, _ in self._keyword.search(query, limit=limit, selection=selection)],
        ]
        fused = _fuse(rankings, self._config.rrf_k)
        if not fused:
            return []
        if _RECENCY.search(query):
            # Reordering by date needs every candidate's similarity: all of them at once.
            (everything,) = self._fetched(fused, query_vector, page=len(fused))
            return self._diversify([self._newest_first(everything)], k) if everything else []
        # The best few first, the rest only when they do not fill k: reading every candidate
        # with its vector was the largest cost of a search (bench/load.py --profile).
        pages = self._fetched(fused, query_vector, page=k * PAGE_PER_RESULT)
        if self._config.sentence_rerank:
            pages = self._first_reranked(pages, query_vector)
        return self._diversify(pages, k)

    def _first_reranked(
        self, pages: Iterator[list[RetrievedPassage]], query_vector: np.ndarray
    ) -> Iterator[list[RetrievedPassage]]:
        """The first page reordered by best sentence; the rest, read only when the first does
        not fill k, as fused: reranking it read every remaining candidate's sentence vectors,
        the slowest searches at 100,000 passages (bench/scale.py, p95)."""
        first = next(pages, None)
        if first is not None:
            yield self._by_sentences(first, query_vector)
            yield from pages

    def _fetched(
        self, fused: dict[str, float], query_vector: np.ndarray, *, page: int
    ) -> Iterator[list[RetrievedPassage]]:
        """The fused candidates with their records, best first: the first `page` of them, then
        the rest in one read. Each read of the store costs about the same whatever it holds
        (at 100,000 passages, reading 24 took as long as reading 100), so a second page is
        all that is left, not another small one."""
        ranked = list(fused)
        for ids in (ranked[:page], ranked[page:]):
            if not ids:
                return
            records = {record.passage.id: record for record in self._store.passages(ids)}
            yield [
                RetrievedPassage.of(records[pid], score=fused[pid], query_vector=query_vector)
                for pid in ids
                if pid in records
            ]

    def _by_sentences(
        self, candidates: list[RetrievedPassage], query_vector: np.ndarray
    ) -> list[RetrievedPassage]:
        """The candidates fused once more with their order by best sentence: a question is
        short, and matches the one sentence that answers it better than the whole passage
        around it (the embedder was trained on inputs of 128 tokens; passages fill 254)."""
        texts = [sentences(c.text) or [c.text] for c in candidates]
        vectors = self._vectors.of([t for group in texts for t in group], passages=candidates)
        similarities = iter(vectors @ query_vector)
        best = [max(next(similarities) for _ in group) for group in texts]
        by_sentence = sorted(range(len(candidates)), key=lambda i: -best[i])
        fused = _fuse([list(range(len(candidates))), by_sentence], self._config.rrf_k)
        return [candidates[i] for i in fused]

    def _newest_first(self, candidates: list[RetrievedPassage]) -> list[RetrievedPassage]:
        floor = max(c.similarity for c in candidates) - self._config.recency_band
        relevant = [c for c in candidates if c.similarity >= floor]
        # sort is stable: equally dated passages keep their fused order.
        relevant.sort(key=lambda c: c.article.date or dt.date.min, reverse=True)
        return relevant + [c for c in candidates if c.similarity < floor]

    def _diversify(self, pages: Iterable[list[RetrievedPassage]], k: int) -> list[RetrievedPassage]:
        """The first k candidates, at most `max_passages_per_article` of an article, each
        near-duplicate of a chosen one listed on it. Pages are read until k are chosen; the
        rest of the page that completes them is still read for duplicates, which rank next to
        their original (same words, same meaning)."""
        chosen: list[RetrievedPassage] = []
        per_article: dict[str, int] = {}
        for candidates in pages:
            self._choose(candidates, k, chosen, per_article)
            if len(chosen) >= k:
                break  # before the next page is read
        return chosen

    def _choose(
        self,
        candidates: list[RetrievedPassage],
        k: int,
        chosen: list[RetrievedPassage],
        per_article: dict[str, int],
    ) -> None:
        for candidate in candidates:
            duplicate_of = next(
                (
                    kept
                    for kept in chosen
                    if kept.article.article_id != candidate.article.article_id
                    and float(kept.vector @ candidate.vector) >= self._config.duplicate_similarity
                ),
                None,
            )
            if duplicate_of is not None:
                known = {duplicate_of.article.article_id} | {
                    ref.article_id for ref in duplicate_of.also_reported_by
                }
                if candidate.article.article_id not in known:
                    duplicate_of.also_reported_by.append(candidate.article)
                continue
            article_id = candidate.article.article_id
            full = per_article.get(article_id, 0) >= self._config.max_passages_per_article
            if full or len(chosen) >= k:
                continue
            per_article[article_id] = per_article.get(article_id, 0) + 1
            chosen.append(candidate)


def _fuse(rankings: list[list[Hashable]], rrf_k: int) -> dict[Any, float]:
    """Reciprocal rank fusion: each list adds 1 / (rrf_k + rank); best first."""
    scores: dict[Any, float] = {}
    for ranking in rankings:
        for rank, pid in enumerate(ranking, start=1):
            scores[pid] = scores.get(pid, 0.0) + 1.0 / (rrf_k + rank)
    return dict(sorted(scores.items(), key=lambda item: item[1], reverse=True))
