"""Who holds a role and on which day an event happened, as a sentence tells them: read like
figures, a person's name or a calendar day their value, so that reports naming different
people for one office, or different days for one event, are compared as figures are.

Both are read narrowly, because a story's reports name many offices and days in passing (a
season's briefings, read loosely, drew dozens of wrong notes: "president: Donald Trump, then
George H.W. Bush"):
- a role is an office one person holds at a time, of a named place or organisation ("Uvalde
  school police chief Pedro Arredondo", "Joan Ellery, the Marrowby fire chief"), held now:
  not a "former", "acting" or "then" holder, a "longest-serving" one, one "during the Clinton
  administration", nor one of a sentence naming a year;
- an event's day is a weekday or a month and day attached to a verb in the past tense whose
  subject names one thing ("the dam failed on Tuesday"; not "flights were delayed"). A
  weekday is only compared as a weekday: which week it is of, the report's date cannot always
  say (a report dated in another time zone, or updated days after its date, tells of a later
  Friday).
"""

import calendar
import datetime as dt
import re

from service.domain.parse import Entity, ParsedSentence
from service.figures.reported import (
    DATE,
    NAME,
    Figure,
    figures_in,
    foretold,
    period_of,
    places_and_doers,
    verb_above,
)

# Offices one person holds at a time (a "spokesperson" or a "judge" is one of several).
OFFICES = frozenset(
    {"chief", "president", "minister", "secretary", "director", "governor", "mayor", "ceo"}
    | {"chairman", "chairwoman", "chair", "commissioner", "sheriff", "coach", "captain"}
    | {"speaker", "chancellor", "superintendent", "premier", "executive", "manager"}
)
# Words that join the office's own name when just before it: "prime minister", "police
# chief", "foreign secretary"; the capitalised words before them say whose office it is.
OFFICE_WORDS = frozenset(
    {"prime", "police", "foreign", "defense", "defence", "finance", "interior", "health"}
    | {"chief", "general", "executive", "head", "state", "press", "fire", "district"}
    | {"attorney", "vice", "deputy", "assistant", "school", "county", "city", "team"}
)
# "CEO" and "chief executive" are one office.
SAME_OFFICE = {"ceo": "chief executive", "chief executive officer": "chief executive"}
# A holder of another time: "former President Trump", "acting chief".
NOT_NOW = frozenset(
    {"former", "late", "then", "ex", "acting", "interim", "new", "incoming", "outgoing"}
    | {"previous", "first", "past", "next", "future", "then-", "ex-", "retired"}
)
_WEEKDAYS = [day.lower() for day in calendar.day_name]
_MONTHS = [month.lower() for month in calendar.month_abbr[1:]]
# A weekday, a month and day (and year), or both: "Friday", "July 8", "Friday, June 24",
# "September 11, 2001"; of a time of that day or not.
_ONE_DAY = re.compile(
    r"^(?:on\s+)?(?:(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b,?\s*)?"
    r"(?:(jan|feb|mar|apr|may|jun|jul|aug|sept?|oct|nov|dec)[a-z]*\.? (\d{1,2})(?:,? (\d{4}))?)?"
    r"(?:\s*(?:morning|afternoon|evening|night))?$",
    re.I,
)
_RELATIVE = frozenset({"that", "which", "who"})
# Verbs of telling: "officials said on Tuesday" dates the telling, not an event.
_TELLING = frozenset({"say", "tell", "report", "announce", "add", "confirm", "write", "post"})
_PAST_TAGS = frozenset({"VBD", "VBN"})


def told_in(parse: ParsedSentence, reported: dt.date | None) -> list[Figure]:
    """What the sentence states that reports of one story may give differently: its figures,
    who holds an office, and on which day an event happened (as of the report's date)."""
    return [*figures_in(parse), *role_holders(parse), *event_days(parse, reported)]


def role_holders(parse: ParsedSentence) -> list[Figure]:
    """People named with an office of a named place or organisation: the office (with whose:
    "police chief" of "Uvalde") is the figure, the person's name its value."""
    found = []
    for entity in parse.entities:
        tokens = parse.tokens_in(entity.start, entity.end)
        if entity.label != "PERSON" or not tokens:
            continue
        office = _title_before(parse, tokens) or _title_after(parse, tokens)
        if office is None or period_of(parse, set(range(len(parse.tokens)))):
            continue  # none, or a holder of a year the sentence names ("in 1990")
        what, whose = office
        found.append(
            _told(
                parse,
                entity,
                what=what,
                unit=NAME,
                value=0.0,
                whose=whose,
                named=f"{what} of {whose}",
                holder=True,
            )
        )
    return found


def event_days(parse: ParsedSentence, reported: dt.date | None) -> list[Figure]:
    """The days events happened on, as the sentence dates them ("the dam failed on
    Tuesday": the day the dam failed), resolved against the report's date."""
    if reported is None:
        return []
    found = []
    for entity in parse.entities:
        tokens = parse.tokens_in(entity.start, entity.end)
        if entity.label not in {"DATE", "TIME"} or not tokens:
            continue
        day = resolved(parse.span_text(entity), reported)
        date = parse.root_of(tokens)
        verb = verb_above(parse, date)
        if day is None or verb is None or foretold(parse, date):
            continue
        token = parse.tokens[verb]
        if token.tag not in _PAST_TAGS or token.lemma.lower() in _TELLING:
            continue
        subject = next(
            (c for c in parse.children[verb] if parse.tokens[c].dep in {"nsubj", "nsubjpass"}),
            None,
        )
        if subject is not None and parse.word(subject).lower() in _RELATIVE:
            subject = token.head  # "the majority that overturned Roe on Friday"
        if subject is None or not _one_thing(parse, subject):
            continue  # "it happened", "flights were delayed on Tuesday": of what, or which?
        passive = [parse.word(c) for c in parse.children[verb] if parse.tokens[c].dep == "auxpass"]
        the = "" if parse.tokens[subject].pos == "PROPN" else "the"
        named = " ".join(
            filter(None, ["day", the, parse.word(subject), *passive, parse.word(verb)])
        )
        text = parse.span_text(entity)
        found.append(
            _told(
                parse,
                entity,
                what=f"{token.lemma.lower()} day",
                unit=DATE,
                value=day.toordinal(),
                whose=parse.tokens[subject].lemma.lower(),
                named=named,
                by_weekday=not _ONE_DAY.match(text.strip()).group(2),
            )
        )
    return found


def _one_thing(parse: ParsedSentence, subject: int) -> bool:
    """The subject names one thing, whose event has one day: a name, or a singular noun with
    "the" or a possessive ("the dam", "Uvalde's school board"); not "it", "flights"."""
    token = parse.tokens[subject]
    if token.pos == "PROPN":
        return True
    return token.tag == "NN" and any(
        parse.word(c).lower() == "the" or parse.tokens[c].dep == "poss"
        for c in parse.children[subject]
    )


def resolved(said: str, reported: dt.date) -> dt.date | None:
    """The calendar day a date as said names, seen from the report's date: a weekday the last
    one on or before it (which may be a week out: `Figure.by_weekday`), a month and day of the
    nearest year not after it; None for any other date."""
    found = _ONE_DAY.match(said.strip())
    if not found or not (found.group(1) or found.group(2)):
        return None
    weekday, month, day, year = found.groups()
    if not month:
        back = (reported.weekday() - _WEEKDAYS.index(weekday.lower())) % 7
        return reported - dt.timedelta(days=back)
    number = _MONTHS.index(month.lower()[:3]) + 1
    year = int(year) if year else reported.year - (number > reported.month)
    try:
        happened = dt.date(year, number, int(day))
    except ValueError:
        return None
    # A day after the report's is a plan, not an event (a day's slack for time zones).
    return happened if happened <= reported + dt.timedelta(days=1) else None


def _title_before(parse: ParsedSentence, name: range) -> tuple[str, str] | None:
    """(office, whose) of the words just before a name: "Uvalde school police chief Pedro
    Arredondo", "Japan's Prime Minister Fumio Kishida", "Twitter CEO Parag Agrawal"."""
    run = []
    at = name.start - 1
    while at >= 0 and (
        parse.tokens[at].pos in {"NOUN", "PROPN", "ADJ"} or parse.tokens[at].tag == "POS"
    ):
        run.insert(0, at)
        at -= 1
    if at >= 0 and parse.word(at).lower() in NOT_NOW:
        return None  # "the then police chief Pedro Arredondo"
    return _office(parse, run)


def _title_after(parse: ParsedSentence, name: range) -> tuple[str, str] | None:
    """(office, whose) of the noun phrase in apposition: "Kishida, Japan's prime minister",
    "Elon Musk, the chief executive of Tesla"."""
    office = next(
        (
            c
            for i in name
            for c in parse.children[i]
            if c >= name.stop and parse.tokens[c].dep == "appos"
        ),
        None,
    )
    if office is None:
        return None
    if any(
        parse.tokens[c].dep == "prep" and parse.word(c).lower() != "of"
        for c in parse.children[office]
    ):
        return None  # "Treasury secretary during the Clinton administration": another time's
    before = [
        c
        for c in parse.children[office]
        if c < office and parse.tokens[c].dep in {"compound", "amod", "poss", "det"}
    ]
    if any(parse.word(c).lower() in {"a", "an", "one"} for c in before):
        return None  # "a police chief": one of several
    # Whose first, the office last: "Tesla chief executive" of "the chief executive of Tesla".
    of = [
        g
        for c in parse.children[office]
        if c > office and parse.word(c).lower() == "of"
        for g in parse.children[c]
        if parse.tokens[g].dep == "pobj"
    ]
    run = [
        i
        for c in [*of[:1], *before]
        for i in sorted(_subtree(parse, c))
        if parse.tokens[i].dep not in {"det", "prep"}
    ]
    return _office(parse, [*run, office])


def _office(parse: ParsedSentence, run: list[int]) -> tuple[str, str] | None:
    """(office, whose) of the words of a title, whose office last among them ("Japan 's
    Prime Minister"): None when it is no office, is not held now, or is no place's or
    organisation's (a plain "President Biden" may be any president)."""
    if not run or parse.tokens[run[-1]].lemma.lower() not in OFFICES:
        return None
    words = [parse.word(i) for i in run]
    if any(w.lower() in NOT_NOW for w in words):
        return None
    if any(parse.tokens[i].tag in {"JJS", "RBS"} for i in run):
        return None  # "Japan's longest-serving prime minister": one of all its holders
    office = [words.pop().lower()]
    while words and words[-1].lower() in OFFICE_WORDS:
        office.insert(0, words.pop().lower())
    whose = " ".join(w for w in words if w[:1].isupper() and w.lower() not in OFFICE_WORDS)
    if not whose:
        return None
    what = " ".join(office[-2:])  # "police chief" of "school district police chief"
    return SAME_OFFICE.get(what, SAME_OFFICE.get(office[-1], what)), whose.replace(".", "")


def _subtree(parse: ParsedSentence, index: int) -> list[int]:
    found, todo = [], [index]
    while todo:
        at = todo.pop()
        found.append(at)
        todo += parse.children[at]
    return found


def _told(
    parse: ParsedSentence,
    entity: Entity,
    *,
    what: str,
    unit: str,
    value: float,
    whose: str,
    named: str,
    holder: bool = False,
    by_weekday: bool = False,
) -> Figure:
    """A role's holder or an event's day as a figure of one exact value, said as `entity` is
    (of the places and doers its sentence names, but the holder)."""
    text = parse.span_text(entity)
    return Figure(
        what=what,
        value=value,
        low=value,
        high=value,
        unit=unit,
        period="",
        about=places_and_doers(parse) - ({text.lower()} if holder else set()),
        whose=whose,
        day="",
        sentence=parse.text,
        start=entity.start,
        end=entity.end,
        text=text,
        named=named,
        by_weekday=by_weekday,
    )
