"""Hybrid passage retrieval: dense (Chroma) and keyword (BM25) rankings fused by reciprocal rank.

A question asking for the latest news puts the passages about as relevant as the best one
(cosine similarity within `recency_band` of it) first, newest first.

After fusion, near-duplicate passages (one story syndicated by several outlets) collapse into
the best-ranked one, which lists the other articles as "also reported by", and no article
contributes more than `max_per_article` passages, so results spread over articles.
"""

import datetime as dt
import re

from service.domain import ArticleFilter, RetrievedPassage, Store
from service.embedding import SentenceVectors
from service.retrieval.keyword import KeywordIndex
from service.settings import RetrievalSettings

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
        records = {record.passage.id: record for record in self._store.passages(list(fused))}
        candidates = [
            RetrievedPassage.of(records[pid], score=score, query_vector=query_vector)
            for pid, score in fused.items()
            if pid in records
        ]
        if candidates and _RECENCY.search(query):
            candidates = self._newest_first(candidates)
        return self._diversify(candidates, k)

    def _newest_first(self, candidates: list[RetrievedPassage]) -> list[RetrievedPassage]:
        floor = max(c.similarity for c in candidates) - self._config.recency_band
        relevant = [c for c in candidates if c.similarity >= floor]
        # sort is stable: equally dated passages keep their fused order.
        relevant.sort(key=lambda c: c.article.date or dt.date.min, reverse=True)
        return relevant + [c for c in candidates if c.similarity < floor]

    def _diversify(self, candidates: list[RetrievedPassage], k: int) -> list[RetrievedPassage]:
        chosen: list[RetrievedPassage] = []
        per_article: dict[str, int] = {}
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
        return chosen


def _fuse(rankings: list[list[str]], rrf_k: int) -> dict[str, float]:
    """Reciprocal rank fusion: each list adds 1 / (rrf_k + rank); best first."""
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, pid in enumerate(ranking, start=1):
            scores[pid] = scores.get(pid, 0.0) + 1.0 / (rrf_k + rank)
    return dict(sorted(scores.items(), key=lambda item: item[1], reverse=True))
