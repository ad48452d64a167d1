"""The extractive answerer: the retrieved sentences that answer the question, each cited.

Each sentence of the retrieved passages is scored as its cosine similarity to the question plus
`overlap_weight` times the share of the question's keyword terms it contains. The best sentence
must reach `min_score` (calibrated on SQuAD 2.0, see bench/eval_retrieval.py), or the answer
is the abstention. Up to `max_sentences` sentences within `margin` of the best are given, best
first, skipping near-repeats and sentence fragments.
"""

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from service.answering.models import ABSTENTION
from service.answering.support import SentenceVectors, term_overlap
from service.retrieval import RetrievedPassage
from service.retrieval.keyword import terms
from service.sentences import sentence_spans

_WORD = re.compile(r"\w{2,}")


@dataclass(frozen=True)
class ExtractiveConfig:
    min_score: float
    overlap_weight: float = 0.3
    max_sentences: int = 3
    margin: float = 0.1
    max_repeat_similarity: float = 0.9


@dataclass(frozen=True)
class ScoredSentence:
    passage_number: int
    text: str
    similarity: float
    overlap: float
    score: float
    vector: np.ndarray


def candidate_sentences(passages: Sequence[RetrievedPassage]) -> list[tuple[int, str]]:
    """(passage number from 1, sentence) for every whole sentence of the passages."""
    return [
        (number, passage.text[start:end])
        for number, passage in enumerate(passages, start=1)
        for start, end in sentence_spans(passage.text)
        # A passage cut inside a long sentence starts with a fragment of it; stray
        # punctuation between paragraphs is no sentence.
        if not passage.text[start].islower() and _WORD.search(passage.text, start, end)
    ]


class ExtractiveAnswerer:
    mode = "extractive"

    def __init__(self, vectors: SentenceVectors, config: ExtractiveConfig):
        self._vectors = vectors
        self._config = config

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
        vectors = self._vectors.of([question, *(text for _, text in found)])
        similarities = vectors[1:] @ vectors[0]
        weight = self._config.overlap_weight
        question_terms = set(terms(question))
        scored = []
        for (number, text), similarity, vector in zip(
            found, similarities, vectors[1:], strict=True
        ):
            overlap = term_overlap(question_terms, text)
            score = float(similarity) + weight * overlap
            scored.append(ScoredSentence(number, text, float(similarity), overlap, score, vector))
        return sorted(scored, key=lambda sentence: sentence.score, reverse=True)

    def select(self, scored: list[ScoredSentence]) -> list[ScoredSentence]:
        if not scored or scored[0].score < self._config.min_score:
            return []
        floor = max(self._config.min_score, scored[0].score - self._config.margin)
        chosen: list[ScoredSentence] = []
        for sentence in scored:
            if sentence.score < floor or len(chosen) == self._config.max_sentences:
                break
            if all(
                float(sentence.vector @ kept.vector) < self._config.max_repeat_similarity
                for kept in chosen
            ):
                chosen.append(sentence)
        return chosen
