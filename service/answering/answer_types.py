"""What a question asks for, and the phrases of a sentence that could be it.

A question's opening says what kind of answer it wants: a person (who), an organisation
(which company, what organisation), a place (where, which city), a date (when, what year), a
number (how many, how much, what price) or a name or title (what is it called). Questions
with no narrow type (why, how, what did X say) get None: anything may answer those.

Candidate answers are found by pattern: numbers, money, percentages, scores and dates by their
shapes; people, organisations, places and names as proper-noun phrases (and quoted titles)
that the question does not already contain. No NER model runs offline from the package
registries (spaCy's English models are published on GitHub, not PyPI; GLiNER and flair fetch
weights from a hub), so shapes and capitals are what there is.
"""

import functools
import re
from dataclasses import dataclass

from lemminflect import getAllLemmas

from service.text import terms

KINDS = ("number", "date", "person", "organisation", "place", "name")
# A candidate's fit to its shape is at most 1; right after the noun asked about it gains this.
APPOSITION_BONUS = 0.5
MAX_FIT = 1.0 + APPOSITION_BONUS

_MONTHS = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_WEEKDAYS = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_ORGANISATION_NOUN = (
    r"company|firm|business|brand|maker|carmaker|brewer|retailer|airline|carrier|bank|insurer"
    r"|organi[sz]ation|agency|body|group|club|team|side|party|union|newspaper|magazine"
    r"|channel|network|network|broadcaster|university|school|college|charity|council"
    r"|association|institute|court|exchange|app|platform|studio|label|band|chain|store"
    r"|website|site|publication|outlet|watchdog|regulator|committee|board|department"
)
_PLACE_NOUN = (
    r"city|country|town|village|county|state|province|region|place|venue|stadium|island"
    r"|nation|capital|district|airport|park|port|river|street|area|neighbou?rhood|countries"
    r"|cities"
)
_PERSON_NOUN = (
    r"minister|president|leader|official|chief|executive|director|manager|coach|player"
    r"|actor|actress|singer|author|writer|director|judge|senator|governor|spokes(?:man|woman)"
    r"|analyst|economist|scientist|founder|owner|head|chairman|ceo|rabbi|columnist|editor"
    r"|presenter|host|winner|striker|pitcher|champion|driver|officer|dean|professor|person"
    r"|man|woman|star|artist|rapper|musician|comedian|politician|lawyer|mayor|king|queen"
    r"|prince|princess|pope|secretary|reporter|researcher|doctor|climatologist|expert"
)
_DATE_NOUN = r"year|day|date|month|time|week|season|decade|century"
_NUMBER_NOUN = (
    r"number|price|cost|amount|percentage|share|score|figure|total|rate|value|size|age"
    r"|fee|fine|salary|budget|sum|temperature|speed|distance|height|weight|capacity"
    r"|population|margin|time|record|odds|ranking|rank|tally|attendance|jackpot|profit"
    r"|loss|revenue|sales|debt|bill|damage|toll|count|position|place|growth|inflation"
    r"|increase|rise|fall|drop|turnout|sentence|winds?"
)
# "what X", "which X", "in what X"... with up to four words before the noun X.
# Past "what was", the words between may not be a preposition, an auxiliary or a past tense:
# in "Which album returned to number one?" the noun asked about is "album", not "number"; in
# "Which county did the rain fall on?" it is "county", not "fall".
_WHICH = (
    r"(?:in |on |at |by |for |from |to |of |under )?(?:what|which)\s+(?:(?:is|was|are|were)\s+)?"
    r"(?:(?!(?:to|of|in|on|at|by|for|from|with|into|is|was|are|were|do|does|did|has|have|had"
    r"|will|would|can|could)\b)[\w'.-]+(?<!ed)\s+){0,4}?"
)
# The question may open with a clause: "According to the poll, what share ..."
_OPENING = r"(?:^|[,:]\s*)\s*"
# First match wins: number and date nouns are checked before "which X" falls to a name.
_ANSWER_TYPES: list[tuple[str, re.Pattern]] = [
    (
        "number",
        re.compile(
            rf"{_OPENING}(?:(?:for |by |in |to |of |on )?how (?:many|much|long|far|old|big"
            rf"|large|high|fast|often|heavy|tall|deep)|{_WHICH}(?:{_NUMBER_NOUN})s?\b"
            r"|what (?:would|will|did|does|do) .* cost\b)",
            re.I,
        ),
    ),
    ("date", re.compile(rf"{_OPENING}(?:when\b|{_WHICH}(?:{_DATE_NOUN})s?\b)", re.I)),
    (
        "person",
        re.compile(rf"{_OPENING}(?:(?:who|whom|whose)\b|{_WHICH}(?:{_PERSON_NOUN})s?\b)", re.I),
    ),
    ("place", re.compile(rf"{_OPENING}(?:where\b|{_WHICH}(?:{_PLACE_NOUN})s?\b)", re.I)),
    ("organisation", re.compile(rf"{_OPENING}{_WHICH}(?:{_ORGANISATION_NOUN})s?\b", re.I)),
    (
        "name",
        re.compile(
            r"^\s*(?:what|which)\b.*\b(?:called|named|titled|the name of|the title of)\b"
            r"|^\s*(?:what|which) (?:is|was) the (?:name|title)\b"
            r"|^\s*(?:what|which) (?:[\w'-]+ ){0,2}(?:song|album|film|movie|book|show|single"
            r"|drink|product|model|title|word|phrase|term|nickname|series|play|novel|award"
            r"|prize|event|holiday|festival|programme|program|car|vehicle|game|ship|plan"
            r"|tournament|competition|gadget|hurricane|storm)\b",
            re.I,
        ),
    ),
]

_SCALE = r"(?:bn|m|k|million|billion|trillion|thousand|hundred)"
_UNIT = (
    r"(?:%|per ?cent|percent|percentage points?|yen|dollars?|pounds?|euros?|cents?|mph|km/h"
    r"|kilometers?|kilometres?|miles?|meters?|metres?|feet|foot|inches|tons?|tonnes?|kg"
    r"|secs?|seconds?|minutes?|hours?|days?|weeks?|months?|years?|°C|°F|degrees|points?"
    r"|goals?|runs?|innings|votes?|people|passengers|jobs|signatures|words|pages)"
)
_NUMBER_WORDS = (
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen"
    r"|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy"
    r"|eighty|ninety|hundred|thousand|million|billion|trillion|dozen|half|twice)"
)
# A number starts a token: the 19 of "COVID-19" or the 5 of "F-35" is part of a name.
_NUMBER_PHRASE = re.compile(
    r"(?<![\w-])(?:(?:more than|less than|fewer than|about|around|almost|nearly|over|under|up to"
    r"|at least|some|roughly|just over|just under) )?"
    r"(?:"
    # scores and results: 3-6, 7-5, 6-0 or 2-1
    r"(?<![\w-])\d{1,2}-\d{1,2}(?:, \d{1,2}-\d{1,2})*(?!\d)"
    r"|(?:[$£€¥]|US\$|Rs\.? ?|(?<![\w.-]))\d[\d,]*(?:\.\d+)?(?:-\w+)?(?: ?" + _SCALE + r"\b)?"
    r"(?: ?" + _UNIT + r"(?![\w]))?"
    r"|\b" + _NUMBER_WORDS + r"(?:[- ]" + _NUMBER_WORDS + r")*\b(?: " + _UNIT + r"\b)?"
    r")",
    re.I,
)
_DATE_PHRASE = re.compile(
    rf"\b(?:(?:{_WEEKDAYS},? )?{_MONTHS} \d{{1,2}}(?:st|nd|rd|th)?(?:(?:,| and) \d{{1,2}})?"
    rf"(?:,? (?:1\d|20)\d\d)?"
    rf"|\d{{1,2}}(?:st|nd|rd|th)? {_MONTHS}(?: (?:1\d|20)\d\d)?"
    rf"|{_MONTHS} (?:1\d|20)\d\d"
    r"|(?:1\d|20)\d\d"
    rf"|{_WEEKDAYS}"
    r"|(?:last|next|this) (?:week|month|year|weekend|season|spring|summer|autumn|fall|winter)"
    r"|yesterday|today|tomorrow"
    r"|(?:spring|summer|autumn|fall|winter|start|end) (?:of )?(?:training|\d{4})"
    r"|(?:early|mid|late)[- ](?:\w+))\b"
)
_DAY_OF_MONTH = re.compile(
    rf"\b{_MONTHS} \d{{1,2}}(?:st|nd|rd|th)?\b|\b\d{{1,2}}(?:st|nd|rd|th)? {_MONTHS}"
)
# A proper-noun phrase: capitalised words (with initials, "of", "de", "&" inside), or a quote.
_CAPITAL_WORD = r"(?:[A-Z][\w'\u2019.-]*[\w]|[A-Z]\.|[A-Z])"
# Not "in" or "on": "Sweden in Brighton" is two names.
_JOINER = r"(?: (?:of|de|da|del|der|van|von|al|bin|the|and|&|for|le|la|du) )"
_PROPER_PHRASE = re.compile(
    rf"(?<![\w'\u2019]){_CAPITAL_WORD}(?:(?: |-|{_JOINER}){_CAPITAL_WORD})*(?![\w])"
)
# A title in quotes starts with a capital: "beer-like" drinks are not called so.
_QUOTED = re.compile(r"[\"“\u2018]([A-Z][^\"“”\u2018\u2019]{1,79})[\"”\u2019]")
_ORGANISATION_WORD = re.compile(
    r"\b(?:Inc|Corp|Corporation|Ltd|plc|Group|Bank|Council|Association|Union|University"
    r"|College|School|Institute|Society|Foundation|Trust|Airlines?|Airways|Motors|Party"
    r"|Committee|Commission|Authority|Agency|Department|Ministry|Board|Club|FC|United|City"
    r"|Rovers|Records|Studios|Entertainment|Media|News|Times|Post|Journal|Telegraph|Guardian"
    r"|Mail|Magazine|Network|Channel|Exchange|Fund|Federation|Church|Center|Centre"
    r"|Service|Services|Office|Police|Army|Navy|Court|Forum|Holdings|Partners|Capital|Daily"
    r"|Herald|Gazette|Weekly|Recession|War)\b"
)
# Names of events and prizes: no one's name, and no club's or company's either.
_EVENT_WORD = re.compile(r"\b(?:Cup|League|Championships?|Games|Awards?|Prize|Open|Olympics)\b")
_TITLE = re.compile(
    r"\b(?:Mr|Mrs|Ms|Miss|Dr|Sir|Dame|Lord|Lady|Prof|Professor|Rev|Gen|Sen|Rep|Gov|Judge"
    r"|President|Prime Minister|Minister|Chancellor|King|Queen|Prince|Princess|Pope|Coach"
    r"|Captain|Chief|Director|Officer|Mayor|Governor|Senator|Secretary|Sheriff|Bishop"
    r"|Archbishop|Rabbi|Father|Commissioner|Ambassador)\.? $"
)
_NOT_NAMES = re.compile(
    rf"^(?:{_MONTHS}|{_WEEKDAYS}|The|A|An|But|And|Or|In|On|At|By|For|From|To|Of|As|If|It|Its"
    r"|He|She|They|We|I|You|This|That|These|Those|There|Here|Some|Many|Most|More|Meanwhile"
    r"|However|Also|After|Before|When|While|Since|Although|Though|Despite|Now|Then|Yet|So"
    r"|Still|Even|Only|Just|Last|Next|Other|Another|His|Her|Their|Our|My|Your|Both|Each"
    r"|Every|All|No|Not|Yes|Mr|Mrs|Ms|Dr|What|Which|Who|Where|Why|How|Such|Thank|Thanks"
    r"|Speaking|According|Separately|Instead|Under|Over|With|Without|Among|Between|During"
    r"|Following|Because|Whether|Under|Like|Unlike|Along|Against|Toward|Towards|Within)$"
)
_ASKS_MONEY = re.compile(r"\b(?:price|cost|pay|paid|spend|spent|worth|fee|owe|much)\b", re.I)
_ASKS_SCORE = re.compile(r"\b(?:score|result)\b", re.I)
# What "how long", "how far"... ask for is a measure in its units: "20 years", "3 miles".
_ASKS_MEASURE: list[tuple[re.Pattern, re.Pattern]] = [
    (
        re.compile(r"\bhow long\b|\bsentence\b", re.I),
        re.compile(r"\b(?:secs?|seconds?|minutes?|hours?|days?|weeks?|months?|years?)$", re.I),
    ),
    (
        re.compile(r"\bhow (?:far|tall|high|deep|big|large)\b|\b(?:distance|height)\b", re.I),
        re.compile(r"\b(?:kilometers?|kilometres?|km|miles?|meters?|metres?|feet|foot|inches)$"),
    ),
    (re.compile(r"\bhow fast\b|\bspeed\b", re.I), re.compile(r"\b(?:mph|km/h)$")),
    (re.compile(r"\btemperature\b", re.I), re.compile(r"(?:°[CF]|degrees)$")),
]
# "Holmes, 38, and Balwani": a number set off after a name is an age; so is "30-year-old".
_AGE_APPOSITION = re.compile(r"[A-Z][\w'.-]*, $")
_AGE_COMPOUND = re.compile(r"-olds?\b")
_ENDS_IN_UNIT = re.compile(rf"\b{_UNIT}$", re.I)
_ASKS_AGE = re.compile(r"\bhow old\b|\bage\b", re.I)
_ASKS_DAY = re.compile(r"\b(?:date|day)\b", re.I)
_ASKS_YEAR = re.compile(r"\byear\b", re.I)
_ASKS_DATE = re.compile(r"\bdate\b", re.I)
_WEEKDAY = re.compile(_WEEKDAYS)
_YEAR = re.compile(r"(?:1\d|20)\d\d")
_FIRST_WORD = re.compile(r"\s*([\w-]+)")
_MONEY = re.compile(r"[$£€¥]|\byen\b|dollars?|pounds?|euros?|\d(?:bn|m)\b", re.I)
_PERCENT = re.compile(r"%|per ?cent", re.I)
_SCORE = re.compile(r"^\d{1,2}-\d{1,2}(?:, \d{1,2}-\d{1,2})*$")
_DEMONYM = re.compile(r"^[A-Z][a-z]{3,}(?:ese|ian|ish|ean|can|iqi|ani)$")
_ASKS_SHARE = re.compile(r"\b(?:percentage|share|rate|by how much|grow|rise|fall)\b", re.I)
# What a person's name does not look like: "Los Angeles-area", "New York", "Fort Myers".
_PLACE_LIKE = re.compile(
    r"-[a-z]|^(?:Los|Las|San|Santa|New|Fort|Port|Lake|Mount|Mt|North|South|East|West|St|Saint"
    r"|Upper|Lower|Greater|Central)\b"
)
_POSSESSIVE = re.compile(r"['\u2019]s?$")
_OWNS = re.compile(r"['\u2019]s? ")
_LOCATIVE = re.compile(r"\b(?:in|at|near|from|to|into|across|outside|inside|off) (?:the )?$", re.I)


@dataclass(frozen=True)
class Candidate:
    """A phrase of a sentence that may answer the question: `sentence[start:end] == text`."""

    text: str
    start: int
    end: int
    fit: float
    """How well its shape fits what is asked, 0 to `MAX_FIT` (a money amount for "how much",
    a two-word name for "who"...; more right after the noun asked about)."""


def expected_answer_type(question: str) -> str | None:
    """One of `KINDS` when the question asks for one, else None."""
    return next((kind for kind, asks in _ANSWER_TYPES if asks.search(question)), None)


def candidates(sentence: str, kind: str, question: str) -> list[Candidate]:
    """The phrases of the sentence that could answer the question, as they occur; what the
    question already says is not an answer to it."""
    asked = _words(question)
    if kind == "number":
        # The 02 of "October 02, 2022" is part of a date, not an amount.
        dated = [m.span() for m in _DAY_OF_MONTH.finditer(sentence)]
        found = [
            _number(m, sentence, question)
            for m in _NUMBER_PHRASE.finditer(sentence)
            if not any(start <= m.start() < end for start, end in dated)
        ]
    elif kind == "date":
        found = [_date(m, question) for m in _DATE_PHRASE.finditer(sentence)]
    else:
        found = _proper_phrases(sentence, kind, asked)
    return [
        _after_asked_word(c, sentence, question)
        for c in found
        if c and c.text.strip() and not _words(c.text) <= asked
    ]


def _after_asked_word(candidate: Candidate, sentence: str, question: str) -> Candidate:
    """A candidate right after the noun the question asks about fits better: "which
    carmaker" is answered by "electric carmaker Nio", "to what price" by "to $41.32"; so does
    one that ends in it ("which county": "Buchanan County"). The noun is the phrase's head,
    its last word: the "flight" of "what flight number" asks for no flight."""
    head = _asked_head(question)
    before = sentence[max(0, candidate.start - 25) : candidate.start].split()[-3:]
    named = candidate.text.split()[-1:] if " " in candidate.text else []
    if head and any(set(terms(w)) & head or w.lower() in head for w in [*before, *named]):
        return Candidate(
            candidate.text, candidate.start, candidate.end, candidate.fit + APPOSITION_BONUS
        )
    return candidate


_AUXILIARIES = {"is", "was", "are", "were", "did", "does", "do", "has", "have", "had", "will"}
_STOPS = _AUXILIARIES | {"of", "in", "on", "at", "for", "to", "by", "from", "with"}


@functools.lru_cache(maxsize=256)
def _asked_phrase(question: str, opening: str) -> tuple[str, ...]:
    """The words of the noun phrase after the opening ("which German club", "how many
    crossover vehicles"), up to its verb; none when the question does not open so. Asked
    once per candidate, hence remembered."""
    found = re.search(rf"\b(?:{opening})\s+((?:[\w'.-]+\s+){{0,5}})", question, re.I)
    if not found:
        return ()
    words = found[1].split()
    if words and words[0].lower() in _AUXILIARIES:  # "what was the price of ..."
        words = words[1:]
    phrase = []
    for word in (w for w in words if w.lower() not in {"the", "a", "an"}):
        lemmas = getAllLemmas(word.lower())
        if word.lower() in _STOPS or ("VERB" in lemmas and "NOUN" not in lemmas):
            break
        phrase.append(word)
    return tuple(phrase)


def _asked_head(question: str) -> set[str]:
    """The terms of the noun asked about ("who is the mayor of": mayor), and "to" for "to
    what"."""
    phrase = _asked_phrase(question, r"what|which|who (?:is|was|are|were)")
    head = set(terms(phrase[-1])) if phrase else set()
    return head | ({"to"} if re.search(r"\bto (?:what|which)\b", question, re.I) else set())


def holds_answer_type(text: str, kind: str, question: str) -> bool:
    """Whether the text holds a phrase of that kind that the question did not already say."""
    return bool(candidates(text, kind, question))


def _words(text: str) -> set[str]:
    return {word.lower() for word in re.findall(r"\w+", text)}


def _number(match: re.Match, sentence: str, question: str) -> Candidate | None:
    text = match[0].strip(" ,")
    digits = re.sub(r"\D", "", text)
    if not re.search(r"\d", text) and not re.search(_NUMBER_WORDS, text, re.I):
        return None
    # A year is a date, not an amount, unless a year is asked.
    if _YEAR.fullmatch(text) and not _ASKS_YEAR.search(question):
        return None
    # "How many jobs ...": "300 jobs" counts what was asked, whether the counted word was read
    # as the number's unit ("7.3 million passengers") or follows it.
    following = _FIRST_WORD.match(sentence, match.start() + len(text))  # not over a comma
    counted = " ".join([text.split()[-1], following[1] if following else ""])
    counted_terms = {t for word in _asked_phrase(question, r"how many") for t in terms(word)}
    counts_asked = bool(set(terms(counted)) & (counted_terms or set(terms(question))))
    # "How many vehicles": "three years" counts something else.
    counts_other = bool(counted_terms) and not counts_asked and bool(_ENDS_IN_UNIT.search(text))
    asks_money = bool(_ASKS_MONEY.search(question))
    shaped_as_asked = (
        (_ASKS_SCORE.search(question) and _SCORE.match(text))
        or (asks_money and _MONEY.search(text))
        or (_ASKS_SHARE.search(question) and _PERCENT.search(text))
        or counts_asked
    )
    measure = next((unit for asks, unit in _ASKS_MEASURE if asks.search(question)), None)
    is_age = _AGE_APPOSITION.search(
        sentence[max(0, match.start() - 30) : match.start()]
    ) or _AGE_COMPOUND.match(sentence, match.start() + len(text))
    if shaped_as_asked or (measure and measure.search(text) and not is_age):
        fit = 1.0
    elif (
        (asks_money and not _PERCENT.search(text))
        or (_ASKS_SCORE.search(question) and not counts_asked)
        or measure
        or counts_other
        or (is_age and not _ASKS_AGE.search(question))
    ):
        # The wrong shape for what is asked: a bare number for a score or a span of time, a
        # count for a price or of something else, someone's age for anything but an age.
        fit = 0.3
    else:
        fit = 0.8 if digits or re.search(_UNIT, text, re.I) else 0.5
    return Candidate(text, match.start(), match.start() + len(text), fit)


def _date(match: re.Match, question: str) -> Candidate:
    """A date fits best at the precision asked: a day for "on what date", a year for "in what
    year"; a bare year or weekday for the other is a weaker answer ("on what date":
    "Thursday")."""
    text = match[0]
    too_coarse = (_ASKS_DAY.search(question) and _YEAR.fullmatch(text)) or (
        _ASKS_DATE.search(question) and _WEEKDAY.fullmatch(text)
    )
    too_vague = _ASKS_YEAR.search(question) and not re.search(r"\d{4}", text)
    fit = 0.5 if too_coarse or too_vague else 1.0
    return Candidate(text, match.start(), match.end(), fit)


def _proper_phrases(sentence: str, kind: str, asked: set[str]) -> list[Candidate]:
    found = []
    titles = [match.span(1) for match in _QUOTED.finditer(sentence)]
    if kind == "name":
        found += [Candidate(sentence[a:b], a, b, 1.0) for a, b in titles]
    for match in _PROPER_PHRASE.finditer(sentence):
        # Inside a title ("the new slasher 'The Mean One'") are no people, places or firms.
        if kind != "name" and any(a <= match.start() < b for a, b in titles):
            continue
        words = [
            (word[0], match.start() + word.start(), match.start() + word.end())
            for word in re.finditer(r"[^\s-]+", match[0])
        ]

        def dropped(word: str) -> bool:
            """Capitalised function words, and words the question already says."""
            bare = _POSSESSIVE.sub("", word).strip(".")
            return bool(_NOT_NAMES.match(bare)) or bare.lower() in asked or not terms(bare)

        # "Gibraltar's Chief Minister Peter Caruana" answers "Who is Gibraltar's chief
        # minister?" with its last words; "John Harvard" answers who Harvard is named after.
        trimmed = bool(words) and dropped(words[0][0])
        while words and dropped(words[0][0]):
            words.pop(0)
        # What is left of "Asahi Breweries" once the question's "Asahi" goes is no name.
        if trimmed and len(words) == 1 and _is_common_word(words[0][0]):
            continue
        # A sentence's first word is capitalised whatever it is: a common word alone there
        # ("Key rival Sapporo", "Officials in Virginia") is no name; "Morgan Freeman" is.
        alone_first = len(words) == 1 and _sentence_start(sentence, words[0][1])
        if alone_first and _is_common_word(words[0][0]):
            continue
        while words and _NOT_NAMES.match(_POSSESSIVE.sub("", words[-1][0]).strip(".")):
            words.pop()
        if not words:
            continue
        start, end = words[0][1], words[-1][2]
        text = _POSSESSIVE.sub("", sentence[start:end]).rstrip(".,;:")
        if _DEMONYM.match(text):  # a nationality names no one: "Japanese maker Sharp"
            continue
        found.append(Candidate(text, start, start + len(text), _fit(sentence, start, text, kind)))
    return found


def _sentence_start(sentence: str, at: int) -> bool:
    return not sentence[:at].strip(" \"'\u201c\u2018([")


def _is_common_word(word: str) -> bool:
    """An English word in lemminflect's lists (which hold no names)."""
    return bool(getAllLemmas(word.lower()))


def _fit(sentence: str, start: int, text: str, kind: str) -> float:
    before = sentence[max(0, start - 30) : start]
    organisation = bool(_ORGANISATION_WORD.search(text))
    event = bool(_EVENT_WORD.search(text))
    if kind == "person":
        if _TITLE.search(before):
            return 1.0
        if organisation or event or _PLACE_LIKE.search(text):
            return 0.1
        return 0.9 if len(text.split()) >= 2 else 0.5
    if kind == "organisation":
        return 1.0 if organisation else 0.3 if event else 0.6
    if kind == "place":
        # "at Jack Straw's country residence": the place is what the name owns.
        if _OWNS.match(sentence, start + len(text)):
            return 0.3
        return 1.0 if _LOCATIVE.search(before) else 0.5
    return 0.7
