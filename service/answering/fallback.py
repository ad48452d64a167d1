"""The LLM when one is configured, with the extractive drafter standing in when it fails.

Answers and briefings both draft with the LLM first, if there is one; when it fails
(`AnswerError`), they draft again extractively and say why in a warning.
"""

from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

from service.answering.models import AnswerError

D = TypeVar("D")
E = TypeVar("E")
R = TypeVar("R")


class Drafters(Generic[D]):
    def __init__(self, *, extractive: D, llm: D | None):
        self.extractive = extractive
        self.llm = llm

    def stream(
        self,
        attempt: Callable[[D, bool], Iterator[E]],
        warnings: list[str],
        *,
        failure: Callable[[AnswerError], str],
    ) -> Iterator[E]:
        """What `attempt(drafter, replacing)` yields: with the LLM when there is one; when that
        raises AnswerError, the error's warnings (or `failure(error)`) are added to `warnings`
        and the extractive drafter attempts it, with `replacing` true."""
        if self.llm is not None:
            try:
                yield from attempt(self.llm, False)
                return
            except AnswerError as error:
                warnings.extend(error.warnings or [failure(error)])
        yield from attempt(self.extractive, self.llm is not None)

    def run(
        self,
        attempt: Callable[[D], R],
        warnings: list[str],
        *,
        failure: Callable[[AnswerError], str],
    ) -> R:
        """As `stream`, for an attempt that returns its result at once."""
        results = self.stream(
            lambda drafter, _: iter([attempt(drafter)]), warnings, failure=failure
        )
        return next(results)
