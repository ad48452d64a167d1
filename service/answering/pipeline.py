"""Asking: retrieve, read, draft (LLM or extractive), fall back on faults, check citations.

`stream` yields what a streaming client needs in order: the sources, the draft as it is
written, then the checked answer. An answer to a question asking for a number, a person or a
date that states a figure (an office's holder, an event's day) the passages' reports give
differently, or that changed, says so and cites each value (`service.figures`). The checked
answer is what counts: checking may remove sentences, and after an LLM fault the draft
restarts with the extractive answer.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from service.answering.citations import CitationChecker, is_abstention, without_markers
from service.answering.extractive import not_said, related_sentences
from service.answering.fallback import Drafters
from service.answering.models import Answer, Answerer, AnswerError
from service.answering.reading import Reader, Reading
from service.domain import ArticleFilter, RetrievedPassage
from service.figures import FigureReader, note
from service.figures.notes import stated
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

# Asks for a number and has a "did" to move: the warm-up reaches every word list and index a
# typed question reads.
WARM_UP_QUESTION = "How many people did the reports name?"


class AskPipeline:
    def __init__(
        self,
        *,
        retriever: Retriever,
        reader: Reader,
        answerers: Drafters[Answerer],
        checker: CitationChecker,
        figures: FigureReader,
    ):
        self._retriever = retriever
        self._figures = figures
        self.reader = reader
        self.answerers = answerers
        self._checker = checker

    def ask(self, question: str, *, k: int, selection: ArticleFilter) -> Answer:
        final = None
        for event in self.stream(question, k=k, selection=selection):
            if isinstance(event, Final):
                final = event.answer
        assert final is not None
        return final

    def warm_up(self) -> None:
        """Pay now what the first question would: the store reads its vector index and the
        stored sentence vectors in, the model makes its first pass, the word lists that find
        what a question asks (lemminflect) are loaded. At 100,000 passages that was most of a
        second of the first `/ask` (bench/scale.py). Nothing is drafted, so no LLM is asked."""
        passages = self._retriever.search(WARM_UP_QUESTION, k=5, selection=ArticleFilter())
        self.reader.read(WARM_UP_QUESTION, passages)
        not_said(WARM_UP_QUESTION)

    def stream(self, question: str, *, k: int, selection: ArticleFilter) -> Iterator[AskEvent]:
        passages = self._retriever.search(question, k=k, selection=selection)
        yield Sources(passages)
        if not passages:
            yield Delta(not_said(question))
            yield Final(
                Answer(
                    not_said(question),
                    [],
                    [],
                    self.answerers.extractive.mode,
                    grounded=False,
                    warnings=["no passage matched the question and filters"],
                )
            )
            return

        reading = self.reader.read(question, passages)
        warnings: list[str] = []

        def attempt(answerer: Answerer, replacing: bool) -> Iterator[AskEvent]:
            pieces: list[str] = []
            for index, piece in enumerate(answerer.draft(question, passages, reading)):
                pieces.append(piece)
                yield Delta(piece, restart=replacing and index == 0)
            draft = "".join(pieces)
            answer = self._checker.check(draft, passages, mode=answerer.mode)
            problem = self._unusable(draft, answer, reading)
            if problem and answerer is self.answerers.llm:
                raise AnswerError(problem, warnings=[*answer.warnings, problem])
            self._complete(answer, question, draft, reading, passages)
            if replacing:
                answer.warnings[:0] = [*warnings, "extractive answer given instead"]
            yield Final(answer)

        yield from self.answerers.stream(
            attempt, warnings, failure=lambda error: f"LLM unavailable: {error}"
        )

    def _complete(
        self,
        answer: Answer,
        question: str,
        draft: str,
        reading: Reading,
        passages: list[RetrievedPassage],
    ) -> None:
        """What the reading adds to a checked answer: its confidence; the short answer, when
        the answer gives it from the passage it was found in; when it asks for a number, a
        person or a date, the contested figures (an office's holders, an event's days) the
        answer states, said; and when the answer is an abstention, what was asked in its
        words and the related sentences, checked."""
        answer.confidence = reading.confidence
        short = reading.short_answer
        if (
            answer.grounded
            and short
            and short.text in answer.text
            and any(citation.n == short.n for citation in answer.citations)
        ):
            answer.short_answer = short
        if answer.grounded and reading.asked.kind in {"number", "person", "date"}:
            answer.figures = [
                figure
                for figure in self._figures.contested(passages)
                if figure.answers == reading.asked.kind
                and stated(figure, answer.citations) is not None
            ]
            added, cited = note(answer.figures, answer.citations)
            answer.text = f"{answer.text} {added}".strip()
            answer.citations = sorted(answer.citations + cited, key=lambda c: c.n)
        if not answer.grounded:
            if answer.mode == self.answerers.extractive.mode and is_abstention(draft):
                answer.text = draft.strip()
            related = related_sentences(reading)
            if related:
                near = " ".join(f"{s.text} [{s.passage_number}]" for s in related)
                checked = self._checker.check(near, passages, mode=self.answerers.extractive.mode)
                answer.related = checked.citations

    def _unusable(self, draft: str, answer: Answer, reading: Reading) -> str | None:
        """Why a checked LLM answer cannot stand (the extractive answer stands in), or None.

        An answer is more than supported sentences. It must be about what was asked: the
        names in the question (one may be missing when it has three or more) occur in the
        answer or the passages it cites. And when the question asks for a number, a date, a
        person, a place or a name, the answer must hold one that the question did not
        already say, found as the reading finds them in passages."""
        if not answer.grounded:
            return None if is_abstention(draft) else "the LLM's answer had no supported sentence"
        text = without_markers(answer.text)
        cited = " ".join(
            [text, *(f"{c.passage.article.title or ''} {c.passage.text}" for c in answer.citations)]
        )
        asked = reading.asked
        missing = [name for name in asked.names if name.lower() not in cited.lower()]
        if len(missing) > (1 if len(asked.names) >= 3 else 0):
            return (
                f"the LLM's answer is not about {', '.join(missing)}, which the question asks about"
            )
        if asked.kind and not self.reader.holds_asked_type(text, asked):
            return f"the LLM's answer holds no {asked.kind}, which the question asks for"
        return None
