"""What a parsed sentence states that a source must agree with: its names, its numbers with the
noun each counts, its dates, which of its verbs are negated, and who did what to whom.

A system summary may come lowercased ("gary locke will be confirmed as kilmarnock's
manager"), which the parser reads as common nouns; `truecased` restores the capitals the
source gives those words before it is parsed.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from service.domain.parse import Entity, ParsedSentence

NUMBER_LABELS = frozenset({"CARDINAL", "MONEY", "PERCENT", "QUANTITY", "ORDINAL"})
# Words split at hyphens ("German-flagged" holds "German"), kept whole at apostrophes
# ("O'Toole"), a curly apostrophe read as a straight one.
_WORD = re.compile(r"\w+(?:['\u2019]\w+)*")
_DIGITS = re.compile(r"\d+(?:[.,]\d+)*")
_NUMBER_WORDS = {
    word: str(value)
    for value, word in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
            "twenty",
        ]
    )
} | {
    "thirty": "30",
    "forty": "40",
    "fifty": "50",
    "sixty": "60",
    "seventy": "70",
    "eighty": "80",
    "ninety": "90",
    "hundred": "100",
    "first": "1",
    "second": "2",
    "third": "3",
    "fourth": "4",
    "fifth": "5",
    "dozen": "12",
}
# Words a date is told by: a day of the week or a month, the part two reports of one event
# can disagree on ("on Monday" / "on Tuesday").
_DATE_WORDS = frozenset(
    [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "yesterday",
        "today",
        "tomorrow",
    ]
)
_NEGATIONS = frozenset({"not", "n't", "never", "no", "nobody", "nothing", "neither", "nor"})
_SUBJECTS = frozenset({"nsubj", "agent"})  # "by X" in a passive names the doer
_OBJECTS = frozenset({"dobj", "nsubjpass", "attr", "dative"})
_RELATIVE_PRONOUNS = frozenset({"who", "which", "that"})
_TITLE = re.compile(r"^[A-Z][a-z]")


def words(text: str) -> list[str]:
    """The text's words, lowercased, possessives cut ("Locke's" -> "locke")."""
    said = text.lower().replace("\u2019", "'")
    return [w.removesuffix("'s") for w in _WORD.findall(said)]


def number_values(text: str) -> list[str]:
    """The numbers a text states, digits or words, as digit strings ("three" -> "3",
    "1,200" -> "1200")."""
    found = [n.replace(",", "") for n in _DIGITS.findall(text)]
    return found + [_NUMBER_WORDS[w] for w in words(text) if w in _NUMBER_WORDS]


def truecased(text: str, source: str) -> str:
    """A text with no capitals given those its words take in the source ("kilmarnock" ->
    "Kilmarnock" where the source writes it so more often than not); other text unchanged."""
    if any(c.isupper() for c in text):
        return text
    spelt: dict[str, list[str]] = {}
    for word in _WORD.findall(source.replace("\u2019", "'")):
        spelt.setdefault(word.lower(), []).append(word)

    def cased(match: re.Match[str]) -> str:
        forms = spelt.get(match[0], [])
        capitalised = [f for f in forms if _TITLE.match(f) or f.isupper()]
        return (
            max(capitalised, key=capitalised.count)
            if len(capitalised) * 2 > len(forms)
            else match[0]
        )

    restored = _WORD.sub(cased, text)
    return restored[:1].upper() + restored[1:]


@dataclass(frozen=True)
class Role:
    """Who did what to whom: the main verb's lemma, its doer's and its object's words."""

    verb: str
    doer: frozenset[str]
    done_to: frozenset[str]
    said: str
    """As the sentence says it: "Wang Lei beat Yang Min"."""
    doer_said: str
    doer_named: bool
    """The doer is a name ("Tom Reddy"; not "the team", "he" or "the England
    international", which may be the same person by another description)."""


@dataclass(frozen=True)
class Facts:
    """The checkable statements of one parsed sentence."""

    parse: ParsedSentence

    @cached_property
    def names(self) -> list[str]:
        """Named entities (people, organisations, places...) and proper nouns outside them."""
        parse = self.parse
        found = list(parse.named)
        inside = {i for e in parse.entities for i in parse.tokens_in(e.start, e.end)}
        found += [
            parse.word(i)
            for i, t in enumerate(parse.tokens)
            # Not a possessive the parser took for a name (the "'S" of a curly "M&M'S").
            if t.pos == "PROPN"
            and i not in inside
            and len(parse.word(i)) > 1
            and parse.word(i)[0].isalnum()
        ]
        return list(dict.fromkeys(found))

    @cached_property
    def counted(self) -> list[tuple[str, str, str]]:
        """(number, lemma of the noun it counts, lemma of the verb above them): "donated to
        69 countries" -> ("69", "country", "donate"); the verb is "" when there is none."""
        parse = self.parse
        found = []
        for i, token in enumerate(parse.tokens):
            if token.pos != "NUM" or token.dep not in {"nummod", "quantmod"}:
                continue
            values = number_values(parse.word(i))
            head = parse.tokens[token.head]
            if values and head.pos in {"NOUN", "PROPN"}:
                found.append((values[0], head.lemma.lower(), self.verb_above(token.head)))
        return found

    def root_of_span(self, span: Entity) -> int:
        return self.parse.root_of(self.parse.tokens_in(span.start, span.end))

    def verb_above(self, index: int) -> str:
        """The lemma of the nearest verb the token hangs from ("" when none does)."""
        return self.slot_of(index)[0]

    def slot_of(self, index: int) -> tuple[str, str]:
        """(the nearest verb the token hangs from, the dependency by which the token's branch
        hangs from it): "Marrowby" in "beat ... in Marrowby" -> ("beat", "prep"); ("", "")
        when no verb is above it."""
        branch = index
        for above in self.parse.ancestors(index):
            if self.parse.tokens[above].pos == "VERB":
                return self.parse.tokens[above].lemma.lower(), self.parse.tokens[branch].dep
            branch = above
        return "", ""

    @cached_property
    def numbers(self) -> list[str]:
        spans = [self.parse.span_text(e) for e in self.parse.entities if e.label in NUMBER_LABELS]
        dates = [self.parse.span_text(e) for e in self.parse.entities if e.label == "DATE"]
        return list(dict.fromkeys(number_values(" ".join(spans + dates))))

    @cached_property
    def date_words(self) -> set[str]:
        return {
            w
            for e in self.parse.entities
            if e.label in {"DATE", "TIME"}
            for w in words(self.parse.span_text(e))
            if w in _DATE_WORDS
        }

    @cached_property
    def negated_verbs(self) -> list[str]:
        """The lemmas of the verbs it negates."""
        return [
            t.lemma.lower()
            for i, t in enumerate(self.parse.tokens)
            if t.pos in {"VERB", "AUX"} and self.negated_at(i)
        ]

    def negated_at(self, verb: int) -> bool:
        """The verb is negated ("did not win", "never won", "no bakeries would close")."""
        tokens, children = self.parse.tokens, self.parse.children
        return any(
            tokens[c].dep == "neg"
            or tokens[c].lemma.lower() in _NEGATIONS
            or (
                tokens[c].dep in _SUBJECTS | _OBJECTS
                and any(
                    tokens[d].dep == "det" and tokens[d].lemma.lower() == "no" for d in children[c]
                )
            )
            for c in children[verb]
        )

    def role_of(self, verb: int) -> Role:
        parse = self.parse
        doer: list[int] = []
        done_to: list[int] = []
        for child in parse.children[verb]:
            dep = parse.tokens[child].dep
            head = _first_child(parse, child) if dep == "agent" else child
            if head is not None and dep in _SUBJECTS:
                doer += self._phrase(self._antecedent(head, verb))
            elif dep in _OBJECTS:
                done_to += self._phrase(child)
        if not doer and parse.tokens[verb].dep == "xcomp" and parse.tokens[verb].head != verb:
            # "Lumen agreed to buy Crustworks": who agreed is who buys.
            doer = list(self._doer_phrase(parse.tokens[verb].head))
        return Role(
            parse.tokens[verb].lemma.lower(),
            self._names(doer),
            self._names(done_to),
            " ".join(p for p in (self._text(doer), parse.word(verb), self._text(done_to)) if p),
            self._text(doer),
            self._is_name(doer),
        )

    def _doer_phrase(self, verb: int) -> list[int]:
        for child in self.parse.children[verb]:
            if self.parse.tokens[child].dep == "nsubj":
                return self._phrase(self._antecedent(child, verb))
        return []

    def _is_name(self, phrase: list[int]) -> bool:
        """The phrase is a name, or a description with the name beside it ("Lumen's chief
        executive, Priya Nair")."""
        if not phrase:
            return False
        tokens = self.parse.tokens
        head = self.parse.root_of(range(phrase[0], phrase[-1] + 1))
        return tokens[head].pos == "PROPN" or any(
            tokens[c].dep == "appos" and tokens[c].pos == "PROPN" for c in self.parse.children[head]
        )

    def _antecedent(self, subject: int, verb: int) -> int:
        """The noun a relative pronoun stands for ("Wang Yi, who called" -> "Wang Yi")."""
        tokens = self.parse.tokens
        relative = tokens[subject].lemma.lower() in _RELATIVE_PRONOUNS
        return tokens[verb].head if relative and tokens[verb].dep == "relcl" else subject

    def roles(self) -> Iterable[Role]:
        """Each verb's doer and object, where the sentence names either."""
        for i, token in enumerate(self.parse.tokens):
            if token.pos in {"VERB", "AUX"}:
                role = self.role_of(i)
                if role.doer or role.done_to:
                    yield role

    def _phrase(self, head: int) -> list[int]:
        """The tokens of the phrase under `head`, relative clauses left out."""
        under = [head]
        for index in under:
            under.extend(
                c for c in self.parse.children[index] if self.parse.tokens[c].dep != "relcl"
            )
        return sorted(under)

    def _names(self, phrase: list[int]) -> frozenset[str]:
        """The phrase's proper nouns, lowercased (or its head word: the small model takes a
        name opening a sentence for a common noun)."""
        if not phrase:
            return frozenset()
        tokens = self.parse.tokens
        proper = {self.parse.word(i).lower() for i in phrase if tokens[i].pos == "PROPN"}
        head = self.parse.root_of(range(phrase[0], phrase[-1] + 1))
        return frozenset(proper or {self.parse.word(head).lower()})

    def _text(self, phrase: list[int]) -> str:
        if not phrase:
            return ""
        return self.parse.text[
            self.parse.tokens[phrase[0]].start : self.parse.tokens[phrase[-1]].end
        ]


def _first_child(parse: ParsedSentence, index: int) -> int | None:
    children = parse.children[index]
    return children[0] if children else None
