"""Hybrid passage retrieval: dense (Chroma) and keyword (BM25) candidates, fused by their scores.

The vector of every passage found by either ranking is read, so its similarity to the query is
known whether or not the dense ranking found it; its fused score is `dense_weight` x that
similarity (min-max scaled over the candidates) + the rest x its BM25 score over the best
one's (0 if the keyword ranking did not find it). Scores, not ranks: when one ranking is sure
and the other is not ("Who is Michigan's chief medical executive?": BM25 scored 7.3, 7.1, 6.5
for passages that answer it, the dense ranking's best 50 all lay between 0.56 and 0.50), ranks
weigh the two alike and the unsure one wins as often as not. On the archive's development
questions, score fusion found an answering article first for 86% of them where reciprocal
rank fusion, with a rerank by best sentence, did for 77% (bench/eval_answers.py --archive);
reciprocal rank fusion is kept as `fusion = "rank"`.

A question asking for the latest news puts the passages about as relevant as the best one
(cosine similarity within `recency_band` of it) first, newest first.

After fusion, near-duplicate passages (one story syndicated by several outlets) collapse into
the best-ranked one, which lists the other articles as "also reported by", and no article
contributes more than `max_per_article` passages, so results spread over articles. All of
that needs only the candidates' ids and vectors: the passages themselves (text, article) are
read for the k chosen and their duplicates alone, since reading them for every candidate was
the largest cost of a search (bench/load.py --profile).
"""

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from service.domain import ArticleFilter, RetrievedPassage, Store, StoredPassage, article_id_of
from service.embedding import SentenceVectors
from service.retrieval.keyword import KeywordIndex
from service.settings import RetrievalSettings

_RECENCY = re.compile(
    r"\b(latest|most recent|recent(ly)?|newest|last week|this week|today|now|current(ly)?)\b",
    re.IGNORECASE,
)


@dataclass
class _Candidate:
    passage_id: str
    article_id: str
    similarity: float
    score: float
    duplicates: list["_Candidate"] = field(default_factory=list)


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
        self._fused = _FUSIONS[config.fusion](config)

    def search(self, query: str, *, k: int, selection: ArticleFilter) -> list[RetrievedPassage]:
        """The k best passages for the query among those the filter lets through."""
        query_vector = self._vectors.of([query])[0]
        limit = max(self._config.search_candidates, k)
        dense = [
            pid
            for pid, _ in self._store.nearest_passages(
                query_vector, limit=limit, selection=selection
            )
        ]
        keyword = dict(self._keyword.search(query, limit=limit, selection=selection))
        found = list(dict.fromkeys([*dense, *keyword]))
        if not found:
            return []
        vectors = self._store.passage_vectors(found)
        found = [pid for pid in found if pid in vectors]  # deleted since the rankings were read
        if not found:
            return []
        matrix = np.stack([vectors[pid] for pid in found])
        similarities = matrix @ query_vector
        scores = self._fused(found, similarities, dense, keyword)
        candidates = [
            _Candidate(pid, article_id_of(pid), float(similarity), float(score))
            for pid, similarity, score in zip(found, similarities, scores, strict=True)
        ]
        order = sorted(range(len(candidates)), key=lambda i: -candidates[i].score)
        records: dict[str, StoredPassage] = {}  # the passages read whole so far
        if _RECENCY.search(query):
            order = self._newest_first(candidates, order, records)
        chosen = self._diversify(candidates, order, matrix, k)
        shown = [c.passage_id for c in chosen] + [
            d.passage_id for c in chosen for d in c.duplicates
        ]
        unread = [pid for pid in shown if pid not in records]
        records |= {r.passage.id: r for r in self._store.passages(unread)} if unread else {}
        results = []
        for candidate in chosen:
            if candidate.passage_id not in records:  # deleted since the rankings were read
                continue
            result = RetrievedPassage.of(
                records[candidate.passage_id], score=candidate.score, query_vector=query_vector
            )
            result.also_reported_by = [
                records[d.passage_id].article
                for d in candidate.duplicates
                if d.passage_id in records
            ]
            results.append(result)
        return results

    def _newest_first(
        self, candidates: list[_Candidate], order: list[int], records: dict[str, StoredPassage]
    ) -> list[int]:
        """`order` with the passages about as relevant as the best one first, newest first;
        their dates are read with the passages, which go into `records` for the results."""
        floor = max(c.similarity for c in candidates) - self._config.recency_band
        relevant = [i for i in order if candidates[i].similarity >= floor]
        records |= {
            r.passage.id: r
            for r in self._store.passages([candidates[i].passage_id for i in relevant])
        }

        def date(i: int) -> dt.date:
            record = records.get(candidates[i].passage_id)
            return (record.article.date if record else None) or dt.date.min

        # sort is stable: equally dated passages keep their fused order.
        relevant.sort(key=date, reverse=True)
        return relevant + [i for i in order if candidates[i].similarity < floor]

    def _diversify(
        self, candidates: list[_Candidate], order: list[int], vectors: np.ndarray, k: int
    ) -> list[_Candidate]:
        """The first k candidates in `order`, at most `max_passages_per_article` of an article,
        each near-duplicate of a chosen one listed on it (duplicates rank next to their
        original: same words, same meaning). `vectors` are the candidates', row by row."""
        duplicate: dict[int, np.ndarray] = {}  # a chosen one's: which candidates duplicate it
        chosen: list[int] = []
        per_article: dict[str, int] = {}
        for i in order:
            candidate = candidates[i]
            original = next(
                (
                    candidates[j]
                    for j in chosen
                    if duplicate[j][i] and candidates[j].article_id != candidate.article_id
                ),
                None,
            )
            if original is not None:
                known = {original.article_id} | {d.article_id for d in original.duplicates}
                if candidate.article_id not in known:
                    original.duplicates.append(candidate)
                continue
            full = per_article.get(candidate.article_id, 0) >= self._config.max_passages_per_article
            if full or len(chosen) >= k:
                continue
            per_article[candidate.article_id] = per_article.get(candidate.article_id, 0) + 1
            chosen.append(i)
            # One row at a time, for the chosen only: a whole matrix of pairs was slower under
            # 50 clients (bench/load.py).
            duplicate[i] = vectors @ vectors[i] >= self._config.duplicate_similarity
        return [candidates[i] for i in chosen]


# (candidate ids, their similarities, the dense ranking, keyword scores) -> fused scores
Fusion = Callable[[list[str], np.ndarray, list[str], dict[str, float]], list[float]]


def _by_scores(config: RetrievalSettings) -> Fusion:
    """`dense_weight` x similarity, min-max scaled over the candidates, + the rest x the BM25
    score over the best one's."""

    def fused(
        ids: list[str], similarity: np.ndarray, dense: list[str], keyword: dict[str, float]
    ) -> list[float]:
        spread = similarity.max() - similarity.min()
        dense_part = (similarity - similarity.min()) / spread if spread > 0 else similarity * 0
        best_keyword = max(keyword.values(), default=0.0) or 1.0
        keyword_part = np.array([keyword.get(pid, 0.0) for pid in ids]) / best_keyword
        weight = config.dense_weight
        return (weight * dense_part + (1 - weight) * keyword_part).tolist()

    return fused


def _by_ranks(config: RetrievalSettings) -> Fusion:
    """Reciprocal rank fusion: each ranking adds 1 / (rrf_k + rank)."""

    def fused(
        ids: list[str], similarity: np.ndarray, dense: list[str], keyword: dict[str, float]
    ) -> list[float]:
        scores = dict.fromkeys(ids, 0.0)
        for ranking in (dense, list(keyword)):
            for rank, pid in enumerate(ranking, start=1):
                if pid in scores:
                    scores[pid] += 1.0 / (config.rrf_k + rank)
        return list(scores.values())

    return fused


_FUSIONS: dict[str, Callable[[RetrievalSettings], Fusion]] = {
    "scores": _by_scores,
    "rank": _by_ranks,
}
