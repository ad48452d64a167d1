"""A text checked against the archive, sentence by sentence: the passages retrieved for each
sentence (with the request's filters), and the support checker's verdict on each.

A sentence is supported when a retrieved passage supports it (its citations: up to
`MAX_CITATIONS` such passages, best first); else contradicted when a passage states the same
thing otherwise (what differs, cited); else unsupported. A passage keeps one citation number
across the whole text.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from service.domain import ArticleFilter, Citation, RetrievedPassage
from service.retrieval import Retriever
from service.text import sentence_spans
from service.verifying.support import DifferenceKind, Support, SupportChecker, Verdict

MAX_CITATIONS = 3


@dataclass(frozen=True)
class CitedDifference:
    kind: DifferenceKind
    claim: str
    source: str
    citation: int
    """The `n` of the citation that says `source`."""


@dataclass(frozen=True)
class SentenceCheck:
    text: str
    start: int
    """Its span in the checked text."""
    end: int
    verdict: Verdict
    score: float
    citations: list[Citation]
    differs: list[CitedDifference]


@dataclass(frozen=True)
class TextCheck:
    sentences: list[SentenceCheck]

    @property
    def supported(self) -> bool:
        return all(s.verdict == "supported" for s in self.sentences)


class TextVerifier:
    def __init__(self, retriever: Retriever, checker: SupportChecker):
        self._retriever = retriever
        self._checker = checker

    def verify(self, text: str, *, k: int, selection: ArticleFilter) -> TextCheck:
        spans = sentence_spans(text)
        sentences = [text[start:end] for start, end in spans]
        # Embedded in one batch first: retrieval then finds each sentence's vector cached.
        self._checker.read_claims(sentences)
        found = [self._retriever.search(s, k=k, selection=selection) for s in sentences]
        self._checker.read_passages([p for passages in found for p in passages])
        numbers: dict[str, int] = {}
        return TextCheck(
            [
                self._checked(
                    sentence,
                    start,
                    end,
                    [(p, self._checker.support(sentence, p)) for p in passages],
                    numbers,
                )
                for sentence, (start, end), passages in zip(sentences, spans, found, strict=True)
            ]
        )

    def _checked(
        self,
        sentence: str,
        start: int,
        end: int,
        supports: Sequence[tuple[RetrievedPassage, Support]],
        numbers: dict[str, int],
    ) -> SentenceCheck:
        ranked = sorted(supports, key=lambda pair: -pair[1].score)
        best_score = ranked[0][1].score if ranked else 0.0
        for verdict in ("supported", "contradicted"):
            chosen = [(p, s) for p, s in ranked if s.verdict == verdict][:MAX_CITATIONS]
            if not chosen:
                continue
            citations = [_citation(p, s.start, s.end, numbers) for p, s in chosen]
            differs = [
                CitedDifference(d.kind, d.claim, d.source, _citation(p, d.start, d.end, numbers).n)
                for p, s in chosen
                for d in s.differs
            ]
            score = (
                chosen[0][1].score if verdict == "supported" else min(s.score for _, s in chosen)
            )
            return SentenceCheck(sentence, start, end, verdict, score, citations, differs)
        return SentenceCheck(sentence, start, end, "unsupported", best_score, [], [])


def _citation(passage: RetrievedPassage, start: int, end: int, numbers: dict[str, int]) -> Citation:
    n = numbers.setdefault(passage.passage_id, len(numbers) + 1)
    return Citation.quoting(n, passage, start, end)
