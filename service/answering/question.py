"""What a question asks, read from its parse: the kind of answer (a person, a place, a
number...), the noun it asks about, the verb whose slot the answer fills, and what it already
says (names, dates, other words) that an answer's passage should say too.

A question opens with a wh-word ("Which French minister resigned?") or, as quiz editors write
them, is a statement with a blank ("The prime minister of this country resigned this week.");
either may follow a sentence of context ("Elizabeth Holmes has been found guilty ... What was
the focus of her startup?"). The kind comes from the wh-word (who: a person, when: a date,
how many: a number) or from the noun asked about ("which venue": a place, "what price": a
number), looked up in the word lists below; nouns the lists do not hold leave the kind open.
"""

from dataclasses import dataclass
from functools import cached_property

from service.domain.parse import ParsedSentence
from service.text import terms

KINDS = ("number", "date", "person", "organisation", "place", "name")
# The named-entity labels (OntoNotes, as spaCy's English models give them) of each kind.
KIND_LABELS: dict[str, frozenset[str]] = {
    "person": frozenset({"PERSON"}),
    "organisation": frozenset({"ORG"}),
    "place": frozenset({"GPE", "LOC", "FAC"}),
    "date": frozenset({"DATE", "TIME"}),
    "number": frozenset({"CARDINAL", "MONEY", "PERCENT", "QUANTITY"}),
    "name": frozenset({"WORK_OF_ART", "EVENT", "PRODUCT", "LAW"}),
}


def _lemmas(words: str) -> frozenset[str]:
    return frozenset(words.split())


# The nouns a question asks about, by the kind of answer they want (lemmas).
_NOUN_KINDS: dict[str, frozenset[str]] = {
    "person": _lemmas(
        "minister president leader official chief executive director manager coach player actor"
        " actress singer author writer judge senator governor spokesman spokeswoman analyst"
        " economist scientist founder owner head chairman ceo rabbi columnist editor presenter"
        " host winner striker pitcher champion driver officer dean professor person man woman"
        " star artist rapper musician comedian politician lawyer mayor king queen prince"
        " princess pope secretary reporter researcher doctor expert candidate nominee justice"
        " billionaire celebrity athlete member figure envoy diplomat ambassador general"
        " commander chancellor premier lawmaker legislator rival opponent successor"
        " predecessor astronaut user"
    ),
    "place": _lemmas(
        "city country town village county state province region place venue stadium island"
        " nation capital district airport park port river street area neighbourhood"
        " neighborhood continent territory location site border sea ocean mountain volcano"
    ),
    "organisation": _lemmas(
        "company firm business brand maker carmaker automaker brewer retailer airline carrier"
        " bank insurer organisation organization agency body group club team side party union"
        " newspaper magazine channel network broadcaster university school college charity"
        " council association institute court exchange app platform studio label band chain"
        " store website publication outlet watchdog regulator committee board department"
        " manufacturer developer startup giant service streamer league"
    ),
    "date": _lemmas("year day date month week season decade century"),
    "number": _lemmas(
        "number price cost amount percentage share score figure total rate value size age fee"
        " fine salary budget sum temperature speed distance height weight capacity population"
        " margin record odds ranking rank tally attendance jackpot profit loss revenue sales"
        " debt bill damage toll count growth inflation increase rise fall drop turnout sentence"
        " wind average worth valuation"
    ),
    "name": _lemmas(
        "name title song album film movie book show single drink product model word phrase"
        " term nickname series play novel award prize event holiday festival programme program"
        " car vehicle game ship plan tournament competition gadget hurricane storm variant"
        " bill law act treaty operation mission vaccine drug app"
    ),
}
# First match wins where a noun is in two lists ("app" names a product more than a firm).
_KIND_ORDER = ("name", "date", "number", "person", "place", "organisation")
# "how" + these asks for a number.
_HOW_NUMBER = _lemmas("many much long far old big large high fast often heavy tall deep")
# "this week", "this year": a time the question is about, not a blank to fill.
_TIME_NOUNS = _lemmas("week year month day morning afternoon evening weekend time season")
# "a group of islands", "which kind of vaccine": the noun after "of" is asked about.
_OF_NOUNS = _lemmas("group kind type sort set pair part")
# A money amount answers "how much", "what price", what something cost or was worth.
MONEY_WORDS = _lemmas(
    "price cost pay spend worth fee owe much sell buy deal fine value budget revenue profit salary"
)
SHARE_WORDS = _lemmas("percentage share rate percent proportion")
_WH_WORDS = _lemmas("who whom whose what which when where why how")


@dataclass(frozen=True)
class AskedQuestion:
    """A question as the reading step uses it."""

    parse: ParsedSentence
    kind: str | None
    """One of KINDS, or None (why, how, what did X say: anything may answer)."""
    focus: str | None
    """The lemma of the noun asked about: "minister" in "which French minister"."""
    focus_plural: bool
    """"Which countries ...": the answer may be a list."""
    predicate: str | None
    """The lemma of the verb whose slot the answer fills: "lead" in "Who led ...?"."""
    how: str | None
    """The word after "how": "many", "much", "long"..."""
    asked_tokens: frozenset[int]
    """The question's own tokens that stand for the answer (the wh-phrase or the blank)."""

    @property
    def text(self) -> str:
        return self.parse.text

    @cached_property
    def content_lemmas(self) -> frozenset[str]:
        """The lemmas of the question's words that say what the answer is about (nouns,
        names, verbs, adjectives, numbers), without those that stand for the answer."""
        return frozenset(
            token.lemma.lower()
            for index, token in enumerate(self.parse.tokens)
            if token.pos in {"NOUN", "PROPN", "VERB", "ADJ", "NUM"}
            and index not in self.asked_tokens
            and terms(self.parse.word(index))
        )

    @cached_property
    def names(self) -> list[str]:
        """The names the question says (its named entities other than dates and amounts,
        and proper nouns the model gave no label): an answer should be about them."""
        found = [
            self.parse.span_text(entity)
            for entity in self.parse.entities
            if entity.label not in KIND_LABELS["date"] | KIND_LABELS["number"]
        ]
        inside = {i for e in self.parse.entities for i in self.parse.tokens_in(e.start, e.end)}
        found += [
            self.parse.word(i)
            for i, token in enumerate(self.parse.tokens)
            if token.pos == "PROPN" and i not in inside and i not in self.asked_tokens
        ]
        return list(dict.fromkeys(found))

    @cached_property
    def words(self) -> frozenset[str]:
        """The question's words, lower case: what it already says is no answer to it."""
        return frozenset(self.parse.word(i).lower() for i in range(len(self.parse.tokens)))

    @property
    def asks_to(self) -> bool:
        """ "To what price did it fall?": the end of a range."""
        before = min(self.asked_tokens, default=0) - 1
        return before >= 0 and self.parse.word(before).lower() == "to"

    @property
    def asks_money(self) -> bool:
        return (
            bool(self.content_lemmas & MONEY_WORDS)
            or self.focus in MONEY_WORDS
            or self.how == "much"
        )

    @property
    def asks_share(self) -> bool:
        return self.focus in SHARE_WORDS or bool(self.content_lemmas & SHARE_WORDS)


def analysed(parse: ParsedSentence) -> AskedQuestion:
    """The question's analysis, from its parse (`service.parsing`)."""
    tokens = parse.tokens
    wh = _wh_word(parse)
    blank = None if wh is not None else _blank(parse)
    kind = focus = how = predicate = None
    asked: set[int] = set()
    focus_at = None
    if wh is not None:
        word = parse.word(wh).lower()
        asked.add(wh)
        if word in {"who", "whom", "whose"}:
            kind = "person"
            focus_at = _focus_of(parse, wh)  # "Who is the BMW chief ...": chief
        elif word == "when":
            kind = "date"
        elif word == "where":
            kind = "place"
        elif word == "how" and wh + 1 < len(tokens):
            how = parse.word(wh + 1).lower()
            if how in _HOW_NUMBER:
                kind = "number"
                asked.add(wh + 1)
                if how in {"many", "much"} and tokens[wh + 1].head != wh + 1:
                    focus_at = tokens[wh + 1].head  # "how many countries"
        if word in {"what", "which", "whose"}:
            focus_at = _focus_of(parse, wh)
    elif blank is not None:
        asked.add(blank)
        focus_at = tokens[blank].head
    if focus_at is not None and tokens[focus_at].lemma.lower() in _OF_NOUNS:
        focus_at = next(
            (
                grand
                for child in parse.children[focus_at]
                if parse.word(child).lower() == "of"
                for grand in parse.children[child]
                if tokens[grand].dep == "pobj"
            ),
            focus_at,
        )
    if focus_at is not None and tokens[focus_at].pos in {"NOUN", "PROPN"}:
        focus = tokens[focus_at].lemma.lower()
        asked.add(focus_at)
        kind = kind or _kind_of_noun(parse, focus_at)
    called = any(t.lemma in {"call", "name", "title", "dub"} and t.tag == "VBN" for t in tokens)
    if wh is not None and parse.word(wh).lower() in {"what", "which"} and not kind and called:
        kind = "name"  # "What was Harvard initially called?"
    anchor = focus_at if focus_at is not None else (wh if wh is not None else blank)
    if anchor is not None:
        predicate = _predicate_of(parse, anchor)
    return AskedQuestion(
        parse,
        kind,
        focus,
        focus_at is not None and tokens[focus_at].tag in {"NNS", "NNPS"},
        predicate,
        how,
        frozenset(asked),
    )


def _wh_word(parse: ParsedSentence) -> int | None:
    """The question word, in the last sentence that has one; not a relative pronoun ("Yang,
    who is ...")."""
    found = [
        index
        for index, token in enumerate(parse.tokens)
        if parse.word(index).lower() in _WH_WORDS
        and token.tag in {"WDT", "WP", "WP$", "WRB"}
        and parse.tokens[token.head].dep != "relcl"
        and not (token.dep == "nsubj" and parse.tokens[token.head].dep == "relcl")
    ]
    if not found:
        return None
    last_sentence = [i for i in found if parse.sentence_root(i) == parse.sentence_root(found[-1])]
    return last_sentence[0]


def _blank(parse: ParsedSentence) -> int | None:
    """The quiz editors' blank: "this" or "these" before a noun that is not a time ("this
    country", not "this week")."""
    for index, token in enumerate(parse.tokens):
        head = parse.tokens[token.head]
        if (
            parse.word(index).lower() in {"this", "these"}
            and token.dep == "det"
            and head.pos in {"NOUN", "PROPN"}
            and head.lemma.lower() not in _TIME_NOUNS
        ):
            return index
    return None


def _focus_of(parse: ParsedSentence, wh: int) -> int | None:
    """The noun "what" or "which" asks about: the noun it determines ("which venue"), the
    subject or complement of "be" beside it ("what was the price of ..."), or, for "what is
    it?" after a sentence of context, that sentence's object ("reached the highest average
    for a gallon of gas. What is it?")."""
    tokens = parse.tokens
    token = tokens[wh]
    if token.dep == "det" and tokens[token.head].pos in {"NOUN", "PROPN"}:
        return token.head
    # "which of the countries"
    for child in parse.children[wh]:
        if tokens[child].dep == "prep":
            objects = [c for c in parse.children[child] if tokens[c].dep == "pobj"]
            if objects:
                return objects[0]
    head = token.head
    if tokens[head].lemma == "be":
        for child in parse.children[head]:
            if child != wh and tokens[child].dep in {"nsubj", "attr"}:
                if tokens[child].pos == "NOUN":
                    return child
                if tokens[child].pos == "PRON":
                    return _object_before(parse, wh)
    return None


def _object_before(parse: ParsedSentence, wh: int) -> int | None:
    """The object of the sentence before the question's: what "it" stands for."""
    root = parse.sentence_root(wh)
    earlier = [
        i
        for i, t in enumerate(parse.tokens)
        if i < wh and t.dep in {"dobj", "attr"} and parse.sentence_root(i) != root
    ]
    return earlier[-1] if earlier else None


def _kind_of_noun(parse: ParsedSentence, at: int) -> str | None:
    """The kind of answer a noun asks for, by the noun or its compound ("car company")."""
    lemmas = [parse.tokens[at].lemma.lower()]
    lemmas += [
        parse.tokens[c].lemma.lower()
        for c in parse.children[at]
        if parse.tokens[c].dep == "compound"
    ]
    for lemma in lemmas:
        for kind in _KIND_ORDER:
            if lemma in _NOUN_KINDS[kind]:
                return kind
    return None


def _predicate_of(parse: ParsedSentence, at: int) -> str | None:
    """The lemma of the nearest verb above the token, other than "be" and "have" as
    auxiliaries: "lead" for the "who" of "Who led ...", "donate" for "how many countries has
    China donated vaccines to"."""
    for index in [at, *parse.ancestors(at)]:
        token = parse.tokens[index]
        if token.pos == "VERB":
            return token.lemma.lower()
        if token.pos == "AUX" and token.dep == "ROOT":
            return None  # "What is the price of ...": the noun says what is asked
    return None
