"""The extractive answerer: the retrieved sentences that answer the question, each cited.

Each sentence of the retrieved passages is scored as its cosine similarity to the question plus
`OVERLAP_WEIGHT` times the share of the question's keyword terms it contains. The best sentence
must reach `min_score` (calibrated on SQuAD 2.0, see bench/eval_retrieval.py), or the answer
is the abstention. Up to `MAX_SENTENCES` sentences within `MARGIN` of the best are given, best
first, skipping near-repeats and sentence fragments.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from service.answering.models import ABSTENTION
from service.domain import RetrievedPassage
from service.embedding import SentenceVectors
from service.text import candidate_sentences, term_overlap, terms

OVERLAP_WEIGHT = 0.3
MAX_SENTENCES = 3
MARGIN = 0.1
MAX_REPEAT_SIMILARITY = 0.9


@dataclass(frozen=True)
class ScoredSentence:
    passage_number: int
    text: str
    similarity: float
    overlap: float
    score: float
    vector: np.ndarray


class ExtractiveAnswerer:
    mode = "extractive"

    def __init__(self, vectors: SentenceVectors, *, min_score: float):
        self._vectors = vectors
        self._min_score = min_score

    def draft(self, question: str, passages: Sequence[RetrievedPassage]) -> Iterator[str]:
        chosen = self.select(self.score(question, passages))
        if not chosen:
            yield ABSTENTION
            return
        for index, sentence in enumerate(chosen):
            yield ("" if index == 0 else " ") + f"{sentence.text} [{sentence.passage_number}]"

    def score(self, question: str, passages: Sequence[RetrievedPassage]) -> list[ScoredSentence]:
        """Every sentence of the passages with its score, best first."""
        found = candidate_sentences(passages)
        if not found:
            return []
        vectors = self._vectors.of([question, *(text for _, text in found)], passages=passages)
        similarities = vectors[1:] @ vectors[0]
        question_terms = set(terms(question))
        scored = []
        for (number, text), similarity, vector in zip(
            found, similarities, vectors[1:], strict=True
        ):
            overlap = term_overlap(question_terms, text)
            score = float(similarity) + OVERLAP_WEIGHT * overlap
            scored.append(ScoredSentence(number, text, float(similarity), overlap, score, vector))
        return sorted(scored, key=lambda sentence: sentence.score, reverse=True)

    def select(self, scored: list[ScoredSentence]) -> list[ScoredSentence]:
        if not scored or scored[0].score < self._min_score:
            return []
        floor = max(self._min_score, scored[0].score - MARGIN)
        chosen: list[ScoredSentence] = []
        for sentence in scored:
            if sentence.score < floor or len(chosen) == MAX_SENTENCES:
                break
            if all(float(sentence.vector @ kept.vector) < MAX_REPEAT_SIMILARITY for kept in chosen):
                chosen.append(sentence)
        return chosen
