"""What an answer is made of, and the one interface both answerers implement."""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from service.answering.reading import Reading, ShortAnswer
from service.domain import Citation, ContestedFigure, RetrievedPassage

ABSTENTION = "The articles don't say."


@dataclass
class Answer:
    text: str
    citations: list[Citation]
    passages: list[RetrievedPassage]
    mode: str
    grounded: bool
    warnings: list[str] = field(default_factory=list)
    short_answer: ShortAnswer | None = None
    related: list[Citation] = field(default_factory=list)
    """When the articles don't answer: the closest sentences they do hold, cited and checked."""
    confidence: float | None = None
    """The reading step's probability that the passages answer the question."""
    figures: list[ContestedFigure] = field(default_factory=list)
    """Figures the answer states that its passages' reports give differently, or that changed."""

    @property
    def explanation(self) -> str:
        """The text after the short answer it leads with: "Sharp. [1] Separately, Fujitsu
        ..." -> "Separately, Fujitsu ..."; all of it when it has none."""
        lead = self.short_answer and f"{self.short_answer.text}. [{self.short_answer.n}]"
        return self.text.removeprefix(lead).lstrip() if lead else self.text


class AnswerError(RuntimeError):
    """The answerer could not produce a usable draft (LLM timeout, HTTP error, empty output,
    nothing supported...). `warnings`, when given, say so in full for the response."""

    def __init__(self, message: str, *, warnings: list[str] | None = None):
        super().__init__(message)
        self.warnings = warnings or []


class Answerer(Protocol):
    mode: str

    def draft(
        self, question: str, passages: Sequence[RetrievedPassage], reading: Reading
    ) -> Iterator[str]:
        """The answer as it is produced, in pieces, with `[n]` markers numbering `passages`
        from 1, given the reading step's findings in them. Raises AnswerError when no usable
        answer can be produced."""
        ...
