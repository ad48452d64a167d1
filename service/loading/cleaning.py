"""Text cleaning and the metadata that can be read off an article's text."""

import contextlib
import email.utils
import html
import re
import unicodedata
from datetime import date

import dateparser

from service.text import sentence_spans

_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?>")
_HORIZONTAL_SPACE = re.compile(r"[ \t\u00a0\u2009\u202f]+")
_BLANK_LINES = re.compile(r"\n{3,}")

# Lines that end many news articles but say nothing about the news.
_BOILERPLATE_LINE = re.compile(
    r"^\(?\s*(copyright\b|©|\(c\)\s|all rights reserved|additional reporting by|"
    r"reporting by|editing by|writing by|compiled by)",
    re.IGNORECASE,
)
_BOILERPLATE_MAX_CHARS = 300

_COPYRIGHT = re.compile(
    r"^\s*(?:copyright|©|\(c\))\s*(?:©\s*)?"
    r"(?:(?P<year1>(?:19|20)\d{2})\s+(?P<holder1>[^\n.]+?)|(?P<holder2>[^\n]+?)\s+(?P<year2>(?:19|20)\d{2}))"
    r"\b",
    re.IGNORECASE | re.MULTILINE,
)
_CORPORATE_SUFFIX = re.compile(r"\s+(limited|ltd|inc|llc|plc|group|corporation|corp)\.?$", re.I)

_TITLE_MAX_CHARS = 100


def clean_text(raw: str) -> str:
    """Remove HTML remnants and entities, normalise whitespace, collapse blank lines."""
    text = html.unescape(_TAG.sub("", raw))
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    lines = (_HORIZONTAL_SPACE.sub(" ", line).strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def body_end(text: str) -> int:
    """Where the article's body ends: before trailing boilerplate lines, if any."""
    end = len(text)
    while end > 0:
        line_start = text.rfind("\n", 0, end) + 1
        line = text[line_start:end].strip()
        if line and not (len(line) <= _BOILERPLATE_MAX_CHARS and _BOILERPLATE_LINE.match(line)):
            break
        end = len(text[: max(line_start - 1, 0)].rstrip())
    # An article that is all boilerplate keeps its text rather than losing every passage.
    return end or len(text)


def copyright_notice(text: str) -> tuple[int, str] | None:
    """The year and holder of the article's last copyright line, if it has one."""
    matches = list(_COPYRIGHT.finditer(text))
    if not matches:
        return None
    found = matches[-1]
    year = int(found["year1"] or found["year2"])
    holder = (found["holder1"] or found["holder2"]).strip(" ,.")
    return year, _CORPORATE_SUFFIX.sub("", holder)


def derive_title(text: str) -> str | None:
    """A headline from the first lines, else the opening sentence shortened."""
    for line in text.split("\n")[:10]:
        candidate = line.strip()
        if candidate.startswith("#"):
            return candidate.lstrip("#").strip() or None
        if not candidate:
            continue
        words = len(candidate.split())
        if 4 <= words <= 25 and candidate[-1] not in ".!?:;,":
            return candidate
        if words > 25:
            break  # the body has started: there is no headline line
    spans = sentence_spans(text)
    if not spans:
        return None
    first_sentence = text[slice(*spans[0])]
    if len(first_sentence) <= _TITLE_MAX_CHARS:
        return first_sentence
    return first_sentence[:_TITLE_MAX_CHARS].rsplit(" ", 1)[0] + "…"


_DATE_FORMS = "expected YYYY-MM-DD or a day, month and year such as 26 Jul 2022"


def parse_date(value: object) -> date | None:
    """The date of an ISO date or timestamp (YYYY-MM-DD...), an RFC 2822 timestamp as RSS
    writes them ("Tue, 26 Jul 2022 14:03:00 GMT"), or another common form with a day, a month
    and a year ("26 July 2022", "July 26, 2022"), as written: the publisher's own day, not
    converted to UTC. None stays None."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError(f"unparsable date {value!r}: expected text YYYY-MM-DD")
    text = value.strip()
    with contextlib.suppress(ValueError):
        return date.fromisoformat(text[:10])
    with contextlib.suppress(TypeError, ValueError):
        return email.utils.parsedate_to_datetime(text).date()
    # A year alone or a day without its year is not a date: 1 January or this year would be
    # made up.
    parsed = dateparser.parse(text, settings={"REQUIRE_PARTS": ["day", "month", "year"]})
    if parsed is None:
        raise ValueError(f"unparsable date {value!r}: {_DATE_FORMS}")
    return parsed.date()
