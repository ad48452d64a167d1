"""Which articles a request is about: sources, a date range, article ids.

The rules live here once, as conditions on article fields; each backend translates them into
its own query language (Chroma's `where`; array masks, here, for the indexes the service keeps
beside the store). A condition on a field an article lacks is false, as in Chroma: an undated
article is outside every date range.
"""

import dataclasses
import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from service.domain.records import ArticleRef

Operator = Literal["in", ">=", "<="]


@dataclass(frozen=True)
class Condition:
    field: Literal["article_id", "source", "date_int"]
    operator: Operator
    value: int | list[str]


def check_date_range(date_from: dt.date | None, date_to: dt.date | None) -> None:
    """Raises ValueError when the range is empty because its ends are swapped."""
    if date_from and date_to and date_from > date_to:
        raise ValueError("date_from is after date_to")


def date_number(day: dt.date) -> int:
    """YYYYMMDD as an integer: how dates are stored, so ranges compare as numbers."""
    return day.year * 10_000 + day.month * 100 + day.day


@dataclass(frozen=True)
class ArticleFilter:
    sources: Sequence[str] | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    article_ids: Sequence[str] | None = None

    def __post_init__(self) -> None:
        check_date_range(self.date_from, self.date_to)

    def conditions(self) -> list[Condition]:
        """All of these must hold for an article to pass; none means every article passes."""
        found: list[Condition] = []
        if self.article_ids:
            found.append(Condition("article_id", "in", list(self.article_ids)))
        if self.sources:
            found.append(Condition("source", "in", list(self.sources)))
        if self.date_from:
            found.append(Condition("date_int", ">=", date_number(self.date_from)))
        if self.date_to:
            found.append(Condition("date_int", "<=", date_number(self.date_to)))
        return found

    def pieces(self, size: int) -> Iterator["ArticleFilter"]:
        """This filter as filters of at most `size` article ids each (itself when it names no
        more), which together let through what it does: a store query names every id."""
        ids = self.article_ids or []
        if len(ids) <= size:
            yield self
            return
        for start in range(0, len(ids), size):
            yield dataclasses.replace(self, article_ids=ids[start : start + size])

    @staticmethod
    def columns(articles: Sequence[ArticleRef]) -> dict[str, np.ndarray]:
        """The fields filters test, one array each, a row per article (as `mask` takes them)."""
        return {
            "article_id": np.array([a.article_id for a in articles], dtype=object),
            "source": np.array([a.source for a in articles], dtype=object),
            "date_int": np.array(
                [date_number(a.date) if a.date else 0 for a in articles], dtype=np.int64
            ),
        }

    def mask(self, columns: Mapping[str, np.ndarray]) -> np.ndarray:
        """Which rows pass, given each field as an array (None where a row lacks the field,
        or 0 for `date_int`)."""
        keep = np.ones(len(columns["article_id"]), dtype=bool)
        for condition in self.conditions():
            column = columns[condition.field]
            keep &= _ARRAY_OPERATORS[condition.operator](column, condition.value)
            keep &= column != _MISSING[condition.field]
        return keep


_ARRAY_OPERATORS = {"in": np.isin, ">=": np.greater_equal, "<=": np.less_equal}
_MISSING = {"article_id": None, "source": None, "date_int": 0}
