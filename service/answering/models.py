"""What an answer is made of, and the one interface both answerers implement."""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from service.domain import RetrievedPassage

ABSTENTION = "The articles don't say."


@dataclass(frozen=True)
class Citation:
    n: int
    """The marker `[n]` in the answer; also the passage's number in `passages` (1-based)."""
    passage: RetrievedPassage
    quote: str
    """The exact supporting span: `article_text[quote_start:quote_end] == quote`."""
    quote_start: int
    quote_end: int


@dataclass
class Answer:
    text: str
    citations: list[Citation]
    passages: list[RetrievedPassage]
    mode: str
    grounded: bool
    warnings: list[str] = field(default_factory=list)


class AnswerError(RuntimeError):
    """The answerer could not produce a usable draft (LLM timeout, HTTP error, empty output,
    nothing supported...). `warnings`, when given, say so in full for the response."""

    def __init__(self, message: str, *, warnings: list[str] | None = None):
        super().__init__(message)
        self.warnings = warnings or []


class Answerer(Protocol):
    mode: str

    def draft(self, question: str, passages: Sequence[RetrievedPassage]) -> Iterator[str]:
        """The answer as it is produced, in pieces, with `[n]` markers numbering `passages`
        from 1. Raises AnswerError when no usable answer can be produced."""
        ...
