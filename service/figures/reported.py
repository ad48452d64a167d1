"""The figures a sentence reports: a number or amount, what it counts, and how firmly.

From the parse: the number's entity (CARDINAL, MONEY, PERCENT, QUANTITY), the noun it counts
("23 people"), the verb above it ("were killed"), or for a number standing alone the noun of
the clause ("the death toll rose to 31": the toll). What a figure counts is named by a small
vocabulary of what news counts most (deaths, injuries, arrests...) so that "23 people were
killed", "23 dead" and "a death toll of 23" are one thing, and "40 injured" another; else by
its noun (and verb, for a person counted: "evacuate people"). Two figures are only ever
compared when they count the same thing in the same unit over the same period ("this year",
"daily", "new cases"), and of the same places and doers when both name them.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass

from service.domain.parse import Entity, ParsedSentence
from service.verifying.facts import number_values

FIGURE_LABELS = frozenset({"CARDINAL", "MONEY", "PERCENT", "QUANTITY"})
# What news counts most, by the lemmas that tell it: a noun or the verb above the figure.
COUNTED_THINGS = {
    "deaths": {"kill", "die", "dead", "death", "fatality", "toll", "perish", "drown", "body"},
    "injured": {"injure", "wound", "hurt", "injury", "injured", "wounded", "hospitalize"},
    "missing": {"missing", "miss", "unaccounted"},
    "arrested": {"arrest", "detain", "arrestee", "detainee"},
    "evacuated": {"evacuate", "evacuee", "displace"},
}
# The units of what is told like a figure (`service.figures.told`): a role's holder, whose
# value is the person's name (its text), and an event's day, whose value is the day's ordinal.
NAME = "name"
DATE = "date"
# A day either side: reports of a night's event, or in two time zones, give adjacent days.
DAY_SLACK = 1
# Nouns that say what was counted, not who: "a death toll of 23", "40 injuries".
_TELLING_NOUNS = frozenset().union(*COUNTED_THINGS.values()) | {"number", "total", "figure"}
_TOLD_BY = tuple(COUNTED_THINGS.values())
# Verbs of a figure's change, whose subject is what the figure counts ("inflation rose 9%").
_CHANGES = frozenset(
    {"rise", "fall", "climb", "increase", "decrease", "drop", "reach", "hit", "jump", "grow"}
    | {"surge", "soar", "stand", "total", "top", "exceed", "decline", "slip", "double"}
)
# A counted noun that says nothing of its own (the verb says what happened to them).
_GENERIC_NOUNS = frozenset(
    {"person", "people", "man", "woman", "child", "resident", "individual", "other", "more"}
)
# Verbs of telling, not of what happened ("officials said 23 died").
_TELLING = frozenset(
    {"say", "tell", "report", "announce", "add", "confirm", "estimate", "show", "put", "bring"}
)
# A number reached or left by a change: "rose to 31", "up from 23" (the figure of before).
_CHANGE_PREPOSITIONS = {"to": "now", "from": "before"}
# Hedges, and the values they allow around the number stated.
_AT_LEAST = ("at least", "more than", "over", "upwards of", "in excess of", "above")
_AT_MOST = ("up to", "fewer than", "less than", "under", "as many as", "no more than", "below")
_ABOUT = ("nearly", "almost", "about", "around", "roughly", "approximately", "some", "close to")
_HEDGE = re.compile(
    r"\b(" + "|".join(sorted(_AT_LEAST + _AT_MOST + _ABOUT, key=len, reverse=True)) + r")\s+$",
    re.IGNORECASE,
)
# "About 20" allows 15% either way; "nearly 20" up to 20.
ABOUT_MARGIN = 0.15
_DIGITS = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?")
_SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_SCALE_WORD = re.compile(r"\b(thousand|million|billion|trillion|bn|m)\b", re.IGNORECASE)
_UNITS = re.compile(r"[$£€¥%]|\b(dollars?|pounds?|euros?|percent|per cent)\b", re.IGNORECASE)
_UNIT_NAMES = {"dollar": "$", "pound": "£", "euro": "€", "percent": "%", "per cent": "%"}
# Words of a date that give a figure its period ("this year", "in 2021", "a day", "daily").
_PERIOD_WORDS = frozenset(
    {"year", "years", "month", "months", "decade", "quarter", "season", "weeks"}
    | {"daily", "weekly", "annual", "annually", "monthly", "last", "previous", "past", "since"}
)
_PER_DAY = re.compile(r"\b(a|per|each|every) day\b")
# A weekday, or a month and day, as a date says it.
NAMED_DAY = re.compile(
    r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday"
    r"|(jan|feb|mar|apr|may|jun|jul|aug|sept?|oct|nov|dec)[a-z]*\.? \d{1,2})\b",
    re.I,
)
_PLACE_OR_DOER = frozenset({"GPE", "LOC", "FAC", "ORG", "NORP", "PERSON"})
_AREA = re.compile(r"(acre|square mile|hectare|square kilometer|square kilometre)s?\b", re.I)
_ACRES_IN = {
    "acre": 1.0,
    "square mile": 640.0,
    "hectare": 2.471,
    "square kilometer": 247.1,
    "square kilometre": 247.1,
}
# A number after these names something ("Standard number 111", "No. 1 goalie").
_NAMING = frozenset({"number", "no", "no.", "#"})
# Verbs and auxiliaries of what is foreseen, not reported: "expect the rate to reach 2.5%",
# "the toll could rise to 50". Forecasts differ by nature.
_FORESEEING = frozenset({"expect", "forecast", "predict", "project", "anticipate", "hope"})
_MODALS = frozenset({"will", "would", "could", "may", "might", "should"})


@dataclass(frozen=True)
class Figure:
    """One figure of a sentence; `start`/`end` are its span in the sentence's text."""

    what: str
    """What it counts: "deaths", "injured", or its noun ("offer", "evacuate people")."""
    value: float
    low: float
    high: float
    """The values it allows: its hedge ("at least 23": 23 to infinity) and rounding ("3.6
    billion": 3.55 to 3.65 billion)."""
    unit: str
    """"$", "£", "%"... or "" for a count."""
    period: str
    """The period it is of, as said ("this year", "a day"), or "" for the story's own."""
    about: frozenset[str]
    """The places and doers its sentence names (lowercased): "Kharkiv", "Russia"."""
    whose: str
    """Who or what it is of: for a toll, who was counted ("child" in "19 children were
    killed"; "" for people at large); else the subject ("startup" in "a startup valued at
    $9 billion")."""
    day: str
    """The day its sentence places it on ("saturday", "may 2"), or "": two reports of one
    date may tell of different days."""
    sentence: str
    """Its sentence's text."""
    start: int
    end: int
    text: str
    """As written, with its hedge: "at least 23"."""
    named: str = ""
    """How a note names it, where `what` does not: "police chief of Uvalde", "day Abe died"."""
    by_weekday: bool = False
    """Of an event's day said only by its weekday ("on Friday"): its value is the last such
    day on or before the report's date, which may be a week out (a report dated in another
    time zone, or updated after it was dated), so only its weekday is compared."""

    def allows(self, other: "Figure") -> bool:
        """Both could be true at once: their ranges of values overlap; of a role, one person
        ("Pedro Arredondo" and "Arredondo"); of an event, days at most DAY_SLACK apart (or
        weekdays, when one was said as a weekday)."""
        if self.unit == NAME:
            mine, theirs = self.text.lower().split(), other.text.lower().split()
            return mine[-1] == theirs[-1] and (
                mine[0] == theirs[0] or min(len(mine), len(theirs)) == 1
            )
        if self.unit == DATE:
            apart = abs(self.value - other.value)
            if self.by_weekday or other.by_weekday:
                apart = min(apart % 7, 7 - apart % 7)  # one weekday, whichever week
            return apart <= DAY_SLACK
        return self.low <= other.high and other.low <= self.high

    @property
    def answers(self) -> str:
        """The kind of question it answers: "number", "person" (a role's holder), "date"."""
        return {NAME: "person", DATE: "date"}.get(self.unit, "number")

    @property
    def toll(self) -> bool:
        """Of what news counts most (deaths, injured..., a fire's area), which a story has one
        of."""
        return self.what in COUNTED_THINGS or self.what == "area"

    def same_day(self, other: "Figure") -> bool:
        """Of the same day where both sentences name one: two reports of one date may tell
        of Friday's delays and of Saturday's."""
        return not self.day or not other.day or self.day == other.day

    def same_thing(self, other: "Figure") -> bool:
        """They count the same thing: of the same who, in the same unit, over the same period;
        a toll of the same places and doers where both name some (and of the same who), any
        other figure only of a place or doer both name (and of the same who where both say)
        (in one story, "23 killed" is its toll, but "10 states" and
        "21 states" may count anything). Two places in one sentence (a syndicated copy's) are
        two things. A role is one office of one place, an event's day one verb's of one
        subject."""
        if self.sentence == other.sentence and self.start != other.start:
            return False
        if (self.what, self.unit, self.period) != (other.what, other.unit, other.period):
            return False
        if self.unit in {NAME, DATE}:
            return self.whose == other.whose  # the office's place, the event's subject
        if self.toll:
            # "19 children" and "two teachers" are not the toll of "21 people".
            return self.whose == other.whose and (
                not self.about or not other.about or bool(self.about & other.about)
            )
        whose_agree = self.whose == other.whose or not self.whose or not other.whose
        return whose_agree and bool(self.about & other.about)


def figures_in(parse: ParsedSentence) -> list[Figure]:
    """The figures the sentence reports as standing now: not a value it says was left behind
    ("up from 23"), not a year, an age, an ordinal or a time."""
    found = []
    for entity, tokens in number_entities(parse):
        number = parse.root_of(tokens)
        amount = _amount(parse.span_text(entity))
        if amount is None:
            continue
        if _names_something(parse, tokens) or foretold(parse, number):
            continue
        noun = _counted_noun(parse, number, tokens)
        if noun is None:
            continue
        what, period, whose = _what(parse, number, noun, tokens)
        if not what or (what not in COUNTED_THINGS and parse.span_text(entity).lower() == "one"):
            continue  # "one case is a toddler": one of them, not a count
        # A hedge before the number, in its entity ("at least 23") or before it.
        first = next((i for i in tokens if parse.tokens[i].pos in {"NUM", "SYM"}), tokens.start)
        hedge = _HEDGE.search(parse.text[: parse.tokens[first].start])
        start = hedge.start() if hedge else entity.start
        value, precision = amount
        low, high = _allowed(value, precision, (hedge.group(1).lower() if hedge else ""))
        unit = "%" if entity.label == "PERCENT" else _unit(parse.span_text(entity))
        area = _AREA.search(parse.span_text(entity))
        if area:
            # An area, in acres whichever way it is given: a fire's "15 square miles" and
            # "16,700 acres" are one figure.
            factor = _ACRES_IN[area.group(1).lower().removesuffix("s")]
            what, unit = "area", "acres"
            value, low, high = value * factor, low * factor, high * factor
        found.append(
            Figure(
                what=what,
                value=value,
                low=low,
                high=high,
                unit=unit,
                period=period,
                about=places_and_doers(parse),
                whose=whose,
                day=_day(parse),
                sentence=parse.text,
                start=start,
                end=entity.end,
                text=parse.text[start : entity.end],
            )
        )
    return found


def number_entities(parse: ParsedSentence) -> Iterator[tuple[Entity, range]]:
    """The sentence's numbers and amounts the parser tags, each with its tokens."""
    for entity in parse.entities:
        tokens = parse.tokens_in(entity.start, entity.end)
        if entity.label in FIGURE_LABELS and tokens:
            yield entity, tokens


def _names_something(parse: ParsedSentence, tokens: range) -> bool:
    return tokens.start > 0 and parse.word(tokens.start - 1).lower() in _NAMING


def foretold(parse: ParsedSentence, number: int) -> bool:
    """The number is of what someone foresees or what may be: under a verb of expecting, or
    a verb with a modal."""
    for at in parse.ancestors(number):
        token = parse.tokens[at]
        if token.pos != "VERB" and token.pos != "AUX":
            continue
        if token.lemma.lower() in _FORESEEING:
            return True
        if any(parse.tokens[c].lemma.lower() in _MODALS for c in parse.children[at]):
            return True
    return False


def _amount(text: str) -> tuple[float, float] | None:
    """(value, precision: the unit of its last digit when it was rounded, else 0)."""
    digits = _DIGITS.search(text)
    if digits:
        written = digits.group().replace(",", "")
        value = float(written)
        decimals = len(written.partition(".")[2])
    else:
        words = number_values(text)
        if not words:
            return None
        value, decimals = float(words[0]), 0
    scale = _SCALE_WORD.search(text)
    if scale:
        word = scale.group(1).lower()
        factor = _SCALES.get(word) or {"bn": 1e9, "m": 1e6}[word]
        return value * factor, factor * 10.0**-decimals
    return value, 0.0


def _allowed(value: float, precision: float, hedge: str) -> tuple[float, float]:
    low, high = value - precision / 2, value + precision / 2
    if hedge in _AT_LEAST:
        return low, float("inf")
    if hedge in _AT_MOST:
        return 0.0, high
    if hedge in {"nearly", "almost", "close to"}:
        return value * (1 - ABOUT_MARGIN), high
    if hedge in _ABOUT:
        return value * (1 - ABOUT_MARGIN), value * (1 + ABOUT_MARGIN)
    return low, high


def _unit(text: str) -> str:
    found = _UNITS.search(text)
    if not found:
        return ""
    said = found.group().lower()
    return _UNIT_NAMES.get(said.rstrip("s"), _UNIT_NAMES.get(said, said))


def _counted_noun(parse: ParsedSentence, number: int, inside: range) -> int | None:
    """The token whose count the number is: the noun it modifies ("23 people"), the noun of
    "of" after it ("31 of the passengers"), the subject of a change it is the end of ("the
    toll rose to 31"), or the number itself standing for what it counts ("killed 23"). None
    for a figure that is no figure: a year, an age, a value the sentence says was left behind,
    a number naming something ("Apollo 11")."""
    token = parse.tokens[number]
    head = parse.tokens[token.head]
    if token.dep in {"nummod", "quantmod", "compound", "nmod", "amod"} and token.head != number:
        if token.head in inside:
            return None
        if head.pos in {"NOUN", "PROPN"} and head.lemma.lower() not in {"year", "age", "time"}:
            return token.head
        if head.pos == "ADJ" and any(head.lemma.lower() in told for told in _TOLD_BY):
            return token.head  # "19 dead"
        return None
    of = [
        grandchild
        for child in parse.children[number]
        if parse.tokens[child].lemma.lower() == "of"
        for grandchild in parse.children[child]
        if parse.tokens[grandchild].dep == "pobj"
    ]
    if of:
        return of[0]
    if token.dep == "pobj":
        preposition = head.lemma.lower()
        if _CHANGE_PREPOSITIONS.get(preposition) == "before":
            return None
        above = parse.tokens[head.head]
        if preposition == "to" and above.pos == "VERB":
            subjects = [c for c in parse.children[head.head] if parse.tokens[c].dep == "nsubj"]
            return subjects[0] if subjects else None
        if preposition == "of" and above.pos == "NOUN":
            return head.head  # "a death toll of 23"
        if preposition in {"for", "at", "through"} and above.pos == "VERB":
            # a price, an extent: "agreed to buy Spirit for $3.8 billion", "burned through 703
            # acres"
            return number
        return None
    if token.dep in {"dobj", "nsubj", "nsubjpass", "attr", "conj", "appos", "npadvmod"}:
        if token.dep in {"attr", "dobj", "npadvmod"} and (
            head.lemma.lower() in _CHANGES or head.lemma.lower() == "be"
        ):
            # "the toll stands at", "inflation rose 9.1%", "the toll is 23": of the subject.
            subjects = [c for c in parse.children[token.head] if parse.tokens[c].dep == "nsubj"]
            if subjects:
                return subjects[0]
        return number
    return None


def _what(parse: ParsedSentence, number: int, noun: int, inside: range) -> tuple[str, str, str]:
    """(what the figure counts, the period it is of, whose it is)."""
    noun_words = [parse.tokens[noun].lemma.lower()] if noun != number else []
    noun_words += [
        parse.tokens[c].lemma.lower()
        for c in parse.children[noun]
        if parse.tokens[c].dep in {"compound", "amod"} and c not in inside
    ]
    noun_words += [
        parse.tokens[g].lemma.lower()
        for c in parse.children[noun]
        if parse.tokens[c].lemma.lower() == "of"
        for g in parse.children[c]
        if parse.tokens[g].dep == "pobj"
    ]
    verb = verb_above(parse, noun)
    # "left 12 missing", "were found dead": the state the verb leaves them in.
    states = {
        parse.tokens[c].lemma.lower()
        for c in (parse.children[verb] if verb is not None else ())
        if parse.tokens[c].dep in {"oprd", "acomp"}
    }
    verb_lemma = parse.tokens[verb].lemma.lower() if verb is not None else ""
    lemmas = set(noun_words) | states | {verb_lemma}
    clause = _clause(parse, noun)
    period = period_of(parse, clause)
    if "new" in noun_words:
        period = (period + " new").strip()
    head_noun = noun_words[0] if noun_words else ""
    for thing, told_by in COUNTED_THINGS.items():
        if lemmas & told_by:
            counted = head_noun if head_noun not in _GENERIC_NOUNS | _TELLING_NOUNS else ""
            return thing, period, counted
    whose = _subject(parse, verb, noun) if verb is not None else ""
    if any(parse.word(i).lower() == "each" for i in clause):
        period = (period + " each").strip()  # "each have more than 100 cases"
    # "cases among children" are some of the cases.
    among = [
        parse.tokens[g].lemma.lower()
        for i in clause
        if parse.word(i).lower() == "among"
        for g in parse.children[i]
        if parse.tokens[g].dep == "pobj"
    ]
    whose = " ".join([whose, *among]).strip()
    # Another figure is its noun as its verb tells it: "flights delayed" are not "flights
    # canceled", nor "doses available" "doses tested".
    told = verb_lemma if verb_lemma not in _TELLING | {"be", "have"} else ""
    if head_noun and head_noun not in _GENERIC_NOUNS:
        return f"{head_noun} {told}".strip(), period, whose
    if told:
        return f"{told} {head_noun}".strip(), period, whose
    return "", period, whose


def _subject(parse: ParsedSentence, verb: int, counted: int) -> str:
    """The lemma of the verb's subject, or of the noun a participle describes ("a startup
    valued at"); "" when it has none, it is a pronoun, or it is what is counted."""
    subjects = [c for c in parse.children[verb] if parse.tokens[c].dep in {"nsubj", "nsubjpass"}]
    if parse.tokens[verb].dep in {"acl", "relcl"} and not subjects:
        subjects = [parse.tokens[verb].head]
    if not subjects or subjects[0] == counted or parse.tokens[subjects[0]].pos == "PRON":
        return ""
    return parse.tokens[subjects[0]].lemma.lower()


def _day(parse: ParsedSentence) -> str:
    """The weekday or month and day a date of the sentence names, lowercased, or ""."""
    for entity in parse.entities:
        if entity.label == "DATE":
            said = NAMED_DAY.search(parse.span_text(entity))
            if said:
                return said.group().lower()
    return ""


def verb_above(parse: ParsedSentence, index: int) -> int | None:
    """The nearest verb (or adjective of a state: "dead", "missing") above the token, or the
    token itself when it is one."""
    for at in [index, *parse.ancestors(index)]:
        token = parse.tokens[at]
        if token.pos == "VERB" or (token.pos == "ADJ" and token.dep in {"acomp", "amod"}):
            return at
    return None


def _clause(parse: ParsedSentence, noun: int) -> set[int]:
    """The tokens of the figure's clause: the subtree of the verb it hangs from."""
    top = noun
    for at in parse.ancestors(noun):
        top = at
        if parse.tokens[at].pos == "VERB":
            break
    inside, todo = set(), [top]
    while todo:
        at = todo.pop()
        inside.add(at)
        todo += [c for c in parse.children[at] if parse.tokens[c].pos != "VERB" or c == top]
    return inside


def period_of(parse: ParsedSentence, clause: set[int]) -> str:
    """The period of the figure's clause (its tokens) as its dates say it ("last year", "2021",
    "a day"), without the days that only place the report in time ("on Tuesday", "May 2")."""
    said = " ".join(
        parse.span_text(entity).lower()
        for entity in parse.entities
        if entity.label == "DATE" and set(parse.tokens_in(entity.start, entity.end)) & clause
    )
    said = _PER_DAY.sub("daily", said)
    return " ".join(
        w for w in re.findall(r"[a-z]+|\d{4}", said) if w in _PERIOD_WORDS or w.isdigit()
    )


def places_and_doers(parse: ParsedSentence) -> frozenset[str]:
    """The places and doers the sentence names: a toll of Kenya's embassy bombings is not one
    of the USS Cole's, though both are "killed"."""
    return frozenset(
        parse.span_text(entity).lower().removeprefix("the ")
        for entity in parse.entities
        if entity.label in _PLACE_OR_DOER
    )
