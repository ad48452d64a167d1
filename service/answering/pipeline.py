"""Asking: retrieve, draft (LLM or extractive), fall back on faults, check citations.

`stream` yields what a streaming client needs in order: the sources, the draft as it is
written, then the checked answer. The checked answer is what counts: checking may remove
sentences, and after an LLM fault the draft restarts with the extractive answer.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from service.answering.citations import CitationChecker, is_abstention
from service.answering.extractive import ExtractiveAnswerer
from service.answering.models import ABSTENTION, Answer, Answerer, AnswerError
from service.retrieval import RetrievedPassage, Retriever
from service.store import ArticleFilter


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
        answerer: Answerer,
        extractive: ExtractiveAnswerer,
        checker: CitationChecker,
    ):
        self._retriever = retriever
        self._answerer = answerer
        self._extractive = extractive
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
                    self._extractive.mode,
                    grounded=False,
                    warnings=["no passage matched the question and filters"],
                )
            )
            return

        warnings: list[str] = []
        pieces: list[str] = []
        try:
            for piece in self._answerer.draft(question, passages):
                pieces.append(piece)
                yield Delta(piece)
            answer = self._checker.check("".join(pieces), passages, mode=self._answerer.mode)
            if (
                answer.grounded
                or self._answerer is self._extractive
                or is_abstention("".join(pieces))
            ):
                yield Final(answer)
                return
            warnings = [*answer.warnings, "the LLM's answer had no supported sentence"]
        except AnswerError as error:
            warnings = [f"LLM unavailable: {error}"]

        pieces = []
        for index, piece in enumerate(self._extractive.draft(question, passages)):
            pieces.append(piece)
            yield Delta(piece, restart=index == 0)
        answer = self._checker.check("".join(pieces), passages, mode=self._extractive.mode)
        answer.warnings[:0] = [*warnings, "extractive answer given instead"]
        yield Final(answer)
