"""The figures of one story compared across its reports.

A story's reports are its passages (a storyline's, a timeline's, an answer's). Each figure
they report, and each role's holder and event's day, is read from the parse
(`told.told_in`); figures that count the same thing
(`Figure.same_thing`), said in sentences much alike (SAME_STATEMENT), are one slot. Two
reports' values of a slot `agree` when both could be true (their hedges and rounding allow
it: "at least 20" and 23, "3.6 billion" and 3,6xx million); else they `differ` when reported
the same day, and a later report `changed` it when reported on a later day (two reports of one
date that name different days, Friday's delays and Saturday's, do not differ). Values of one
article are never compared with each other: it tells its own story ("rose to 31 from 23").
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from service.domain import Citation, ContestedFigure, FigureValue, RetrievedPassage
from service.embedding import SentenceVectors
from service.figures.reported import Figure
from service.figures.told import told_in
from service.parsing import SentenceParses
from service.text import passage_sentence_spans

Relation = Literal["agree", "differ", "changed", "different"]
# Two reports' sentences giving one figure say much the same (cosine of their vectors): on
# the development half of the labelled pairs, 6 of the 7 that differ or changed were 0.45 or
# more alike ("23 people were killed in the landslide" and "the death toll rose to 31": 0.49).
# Less alike, the same noun and verb are more often another event's.
SAME_STATEMENT = 0.45


@dataclass(frozen=True)
class ReportedFigure:
    figure: Figure
    passage: RetrievedPassage
    n: int
    """The passage's number among those the figures were read from (from 1)."""
    sentence_start: int
    """Where its sentence starts in the passage's text."""
    vector: np.ndarray = field(repr=False, compare=False)
    """Its sentence's."""

    @property
    def date(self) -> dt.date | None:
        return self.passage.article.date

    @property
    def article_id(self) -> str:
        return self.passage.article.article_id

    @property
    def reported(self) -> tuple[dt.date, str]:
        return (self.date or dt.date.min, self.article_id)

    def citation(self) -> Citation:
        """Cited as `[n]`, n its passage's number, by the sentence that reports it."""
        spans = passage_sentence_spans(self.passage.text)
        end = next(end for start, end in spans if start == self.sentence_start)
        return Citation.quoting(self.n, self.passage, self.sentence_start, end)


def relation(
    a: Figure, a_day: dt.date | None, b: Figure, b_day: dt.date | None, similarity: float
) -> Relation:
    """How two reports' figures stand to each other, their sentences this alike: the rule
    `contested` applies to a slot's reports, pair by pair (bench/figures/eval_figures.py
    judges it so)."""
    if similarity < SAME_STATEMENT or not a.same_thing(b):
        return "different"
    if a.allows(b):
        return "agree"
    if a_day and b_day and a_day != b_day:
        return "changed"
    return "differ" if a.same_day(b) else "different"


class FigureReader:
    """Reads the figures a story's passages report, and which of them reports contest."""

    def __init__(self, parses: SentenceParses, vectors: SentenceVectors):
        self._parses = parses
        self._vectors = vectors

    def reported(self, passages: Sequence[RetrievedPassage]) -> list[ReportedFigure]:
        """Every figure of the passages that another of them could be compared with, in the
        order they were reported."""
        spans = [passage_sentence_spans(p.text) for p in passages]
        texts = [
            p.text[start:end]
            for p, some in zip(passages, spans, strict=True)
            for start, end in some
        ]
        parses = self._parses.of(texts, passages=passages)
        dates = [p.article.date for p, some in zip(passages, spans, strict=True) for _ in some]
        figures = [told_in(parse, date) for parse, date in zip(parses, dates, strict=True)]
        # Vectors only of the sentences with a figure some other sentence's could be compared
        # with: most have none.
        compared = _comparable(figures)
        told = [text for at, text in enumerate(texts) if at in compared]
        vectors = iter(self._vectors.of(told, passages=passages) if told else [])
        read = iter(enumerate(figures))
        found = []
        for n, (passage, some) in enumerate(zip(passages, spans, strict=True), start=1):
            for start, _ in some:
                at, in_sentence = next(read)
                if at not in compared:
                    continue
                vector = next(vectors)
                found += [
                    ReportedFigure(figure, passage, n, start, vector) for figure in in_sentence
                ]
        return sorted(found, key=lambda r: (r.reported, r.passage.start, r.sentence_start))

    def contested(self, passages: Sequence[RetrievedPassage]) -> list[ContestedFigure]:
        return contested(self.reported(passages))


def contested(reported: Sequence[ReportedFigure]) -> list[ContestedFigure]:
    """The slots whose reports' values differ on a day or changed since an earlier day, each
    value its first report's, cited, with the other reports that day that allow it."""
    found: list[ContestedFigure] = []
    for slot in _slots(reported):
        if len({r.article_id for r in slot}) < 2:
            continue
        by_day: dict[dt.date | None, list[ReportedFigure]] = {}
        for report in slot:
            by_day.setdefault(report.date, []).append(report)
        given: dict[dt.date, list[Value]] = {}
        for day, reports in by_day.items():
            values = _distinct(reports)
            told = [v for v in values if v.report.figure.same_day(values[0].report.figure)]
            if len({value.report.passage.article.source for value in told}) > 1:
                found.append(_contested("differ", told))
            if day is not None:
                given[day] = values
        # A day's leading value is a change unless an earlier day gave it: a later report
        # siding with one of a day's differing values changed nothing.
        path: list[Value] = []
        earlier: list[Value] = []
        for day in sorted(given):
            lead = given[day][0]
            if not any(v.report.figure.allows(lead.report.figure) for v in earlier):
                path.append(lead)
            earlier += given[day]
        if len(path) > 1 and not path[0].report.figure.allows(path[-1].report.figure):
            found.append(_contested("changed", path))
    return found


def _comparable(figures: Sequence[list[Figure]]) -> set[int]:
    """The sentences (their indexes) with a figure of the same thing as another sentence's: a
    figure alone in its story is never contested."""
    by_kind: dict[tuple[str, str, str], list[tuple[int, Figure]]] = {}
    for at, found in enumerate(figures):
        for figure in found:
            by_kind.setdefault((figure.what, figure.unit, figure.period), []).append((at, figure))
    return {
        at
        for alike in by_kind.values()
        for at, figure in alike
        if any(other != at and figure.same_thing(them) for other, them in alike)
    }


@dataclass(frozen=True)
class Value:
    """A value of a slot on a day: its first report, and the other reports that allow it."""

    report: ReportedFigure
    agreeing: tuple[ReportedFigure, ...]


def _slots(reported: Sequence[ReportedFigure]) -> list[list[ReportedFigure]]:
    """Figures of the same thing together, each slot in the order reported: a report joins a
    slot whose every figure counts the same thing, one of them said in a sentence much like
    its own."""
    slots: list[list[ReportedFigure]] = []
    for report in reported:
        slot = next(
            (
                s
                for s in slots
                if all(report.figure.same_thing(r.figure) for r in s)
                and any(float(report.vector @ r.vector) >= SAME_STATEMENT for r in s)
            ),
            None,
        )
        if slot is None:
            slots.append([report])
        else:
            slot.append(report)
    return slots


def _distinct(reports: list[ReportedFigure]) -> list[Value]:
    """One value for each the others do not allow, from different articles, the value most
    reports allow first."""
    kept: list[ReportedFigure] = []
    for report in reports:
        if not any(
            report.figure.allows(k.figure) or report.article_id == k.article_id for k in kept
        ):
            kept.append(report)
    values = [
        Value(k, tuple(r for r in reports if r is not k and k.figure.allows(r.figure)))
        for k in kept
    ]
    return sorted(values, key=lambda value: -len(value.agreeing))


def _contested(kind: Literal["differ", "changed"], values: list[Value]) -> ContestedFigure:
    figure = values[0].report.figure
    return ContestedFigure(
        figure.named or figure.what,
        kind,
        [
            FigureValue(
                value.report.figure.text,
                value.report.citation(),
                tuple(r.citation() for r in value.agreeing),
            )
            for value in values
        ],
        figure.answers,
    )
