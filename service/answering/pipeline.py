"""Asking: retrieve, draft (LLM or extractive), fall back on faults, check citations.

`stream` yields what a streaming client needs in order: the sources, the draft as it is
written, then the checked answer. The checked answer is what counts: checking may remove
sentences, and after an LLM fault the draft restarts with the extractive answer.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from service.answering.citations import CitationChecker, is_abstention
from service.answering.fallback import Drafters
from service.answering.models import ABSTENTION, Answer, Answerer, AnswerError
from service.domain import ArticleFilter, RetrievedPassage
from service.retrieval import Retriever


@dataclass(frozen=True)
class Sources:
    passages: list[RetrievedPassage]


@dataclass(frozen=True)
class Delta:
    text: str
    restart: bool = False
    """True on the first piece of a new draft: what was streamed before is void."""


@dataclass(frozen=True)
class Final:
    answer: Answer


AskEvent = Sources | Delta | Final


class AskPipeline:
    def __init__(
        self,
        *,
        retriever: Retriever,
        answerers: Drafters[Answerer],
        checker: CitationChecker,
    ):
        self._retriever = retriever
        self._answerers = answerers
        self._checker = checker

    def ask(self, question: str, *, k: int, selection: ArticleFilter) -> Answer:
        final = None
        for event in self.stream(question, k=k, selection=selection):
            if isinstance(event, Final):
                final = event.answer
        assert final is not None
        return final

    def stream(self, question: str, *, k: int, selection: ArticleFilter) -> Iterator[AskEvent]:
        passages = self._retriever.search(question, k=k, selection=selection)
        yield Sources(passages)
        if not passages:
            yield Delta(ABSTENTION)
            yield Final(
                Answer(
                    ABSTENTION,
                    [],
                    [],
                    self._answerers.extractive.mode,
                    grounded=False,
                    warnings=["no passage matched the question and filters"],
                )
            )
            return

        warnings: list[str] = []

        def attempt(answerer: Answerer, replacing: bool) -> Iterator[AskEvent]:
            pieces: list[str] = []
            for index, piece in enumerate(answerer.draft(question, passages)):
                pieces.append(piece)
                yield Delta(piece, restart=replacing and index == 0)
            draft = "".join(pieces)
            answer = self._checker.check(draft, passages, mode=answerer.mode)
            unsupported = not answer.grounded and not is_abstention(draft)
            if unsupported and answerer is self._answerers.llm:
                raise AnswerError(
                    "nothing supported",
                    warnings=[*answer.warnings, "the LLM's answer had no supported sentence"],
                )
            if replacing:
                answer.warnings[:0] = [*warnings, "extractive answer given instead"]
            yield Final(answer)

        yield from self._answerers.stream(
            attempt, warnings, failure=lambda error: f"LLM unavailable: {error}"
        )
