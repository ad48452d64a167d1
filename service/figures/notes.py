"""Saying a contested figure beside the text that states one of its values.

A bullet, a timeline line or an answer that cites a report of a contested figure says what the
reports give, each value cited: "Reports differ on the death toll: 23 (Riverside Gazette,
2 May) [1]; 19 (Northern Courier, 2 May) [2]."; "Earlier reports gave the death toll as 23
(Riverside Gazette, 2 May) [1]." (a text stating the newer value); "Later reports gave ..." (a
text stating an older one).
"""

import dataclasses
from collections.abc import Sequence

from service.domain import Citation, ContestedFigure, FigureValue

# How a note names what a figure counts ("Reports differ on the death toll").
THING_NAMES = {
    "deaths": "death toll",
    "injured": "number injured",
    "missing": "number missing",
    "arrested": "number arrested",
    "evacuated": "number evacuated",
    "cases": "number of cases",
}


def stated(figure: ContestedFigure, citations: Sequence[Citation]) -> int | None:
    """The index of the figure's value that the cited sentences state, or None."""
    quoted = {(c.passage.passage_id, c.quote_start) for c in citations}
    return next(
        (
            index
            for index, value in enumerate(figure.values)
            if any(
                (told.passage.passage_id, told.quote_start) in quoted
                for told in (value.citation, *value.agreeing)
            )
        ),
        None,
    )


def note(
    figures: Sequence[ContestedFigure],
    citations: Sequence[Citation],
    *,
    renumber: bool = False,
    later: bool = True,
) -> tuple[str, list[Citation]]:
    """What to add after a text with these citations, and the citations it adds: for each
    contested figure whose value the text states, the values of the other reports. With
    `renumber`, an added citation takes the number after the text's own (a timeline line
    numbers only its day's passages); else its value's own (an answer and a bullet number the
    passages the figures were read from), unless the text cites another sentence of that
    passage by it. Without `later`, a changed figure's later values are not said (a
    timeline's line is of its day)."""
    said: list[str] = []
    cited = list(citations)
    for figure in figures:
        index = stated(figure, citations)
        if index is None:
            continue
        name = THING_NAMES.get(figure.what, figure.what)
        if figure.kind == "differ":
            # Every value, the text's own too: the reader sees them side by side.
            listed = "; ".join(_cited(v, cited, renumber) for v in figure.values)
            said.append(f"Reports differ on the {name}: {listed}.")
            continue
        earlier = figure.values[:index]
        after = figure.values[index + 1 :] if later else []
        for when, values in (("Earlier", earlier), ("Later", after)):
            if values:
                listed = "; ".join(_cited(v, cited, renumber) for v in values)
                said.append(f"{when} reports gave the {name} as {listed}.")
    return " ".join(said), cited[len(citations) :]


def _cited(value: FigureValue, cited: list[Citation], renumber: bool) -> str:
    """ "23 (Riverside Gazette, 2 May) [1]", its citation added to `cited` when new."""
    return f"{value.text} ({_by(value)}) [{_cite(value, cited, renumber)}]"


def _cite(value: FigureValue, cited: list[Citation], renumber: bool) -> int:
    """The marker of the value's citation among `cited`, added to it when new."""
    for citation in cited:
        if citation.quote_start == value.citation.quote_start and (
            citation.passage.passage_id == value.citation.passage.passage_id
        ):
            return citation.n
    citation = value.citation
    if renumber or any(c.n == citation.n for c in cited):
        citation = dataclasses.replace(citation, n=max((c.n for c in cited), default=0) + 1)
    cited.append(citation)
    return citation.n


def _by(value: FigureValue) -> str:
    return ", ".join(filter(None, [value.source, _day(value) if value.date else None]))


def _day(value: FigureValue) -> str:
    return f"{value.date.day} {value.date:%B}" if value.date else "an undated report"
