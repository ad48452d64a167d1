"""The phrases of a parsed sentence that could answer a question, and how well each does.

Candidates are the sentence's named entities of the asked kind (`question.KIND_LABELS`: a
PERSON for "who", a DATE for "when", a CARDINAL, MONEY, PERCENT or QUANTITY for "how many"),
quoted titles for a name, and numbers the model gave no label. What the question already says
is no answer to it.

Each is scored on its type and on where it stands in the sentence's dependency tree:
- `fit`: how well its label fits what is asked (money for "how much", a day for "on what
  date", a TIME is a weaker "when");
- `focus`: it is, or hangs on, the noun asked about ("69" counting "countries" for "how many
  countries", "Herve Gaymard" beside "the finance minister" for "which minister");
- `slot`: it fills a slot of the question's verb ("Yang Jiechi", the agent of "led", for "Who
  led ...?"; "February 11" under "spoke" for "When did they speak?");
- `near`: the question's other words are few steps from it in the tree.
"""

import re
from dataclasses import dataclass

from service.answering.question import KIND_LABELS, AskedQuestion
from service.domain.parse import ParsedSentence

# Chosen on the three writers' development halves (short answers equal to the gold answer,
# docs/answers/README.md): the slot counts for less than the noun asked about, as the small
# model's attachments are less sure than its entity spans.
FOCUS_WEIGHT = 0.5
SLOT_WEIGHT = 0.25
NEAR_WEIGHT = 0.5
MAX_SCORE = 1.0 + FOCUS_WEIGHT + SLOT_WEIGHT + NEAR_WEIGHT

_QUOTED = re.compile(r"[\"“\u2018]([A-Z][^\"“”\u2018\u2019]{1,79})[\"”\u2019]")
_YEAR = re.compile(r"(?:1\d|20)\d\d")
_MEASURE_HOW = frozenset(["far", "tall", "high", "deep", "big", "large", "fast", "heavy"])
_DURATION_HOW = frozenset({"long", "old"})
_DATE_NOUNS = frozenset(["year", "day", "month", "week", "decade", "century", "age"])
_WEAK_NAME_LABELS = frozenset({"ORG", "NORP", "PERSON", "GPE"})
# The small model often gives a name of one kind another's label ("Lazio" a PERSON, "Marrow
# Hall" a PERSON): a name of another kind may still answer, if its place in the sentence says so.
_NAME_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "FAC"})
OTHER_NAME_FIT = 0.3
_BOUNDS = frozenset({"up", "to", "more", "less", "fewer", "than", "over", "under", "at", "least"})
_POSSESSIVE = re.compile(r"['\u2019]s?$")
_RUN_ON = re.compile(r"\s+(?:\(|[-\u2013\u2014]\s)")
# A currency sign the model left out of an amount ("US$3" found as "3").
_CURRENCY_BEFORE = re.compile(r"(?:[A-Z]{1,3})?[$£€¥]$")


@dataclass(frozen=True)
class Candidate:
    """A phrase of a sentence that may answer the question: `sentence[start:end] == text`."""

    text: str
    start: int
    end: int
    fit: float
    """How well its kind fits what is asked, 0 to 1."""
    focus: float = 0.0
    slot: float = 0.0
    near: float = 0.0

    @property
    def score(self) -> float:
        """0 to MAX_SCORE."""
        return (
            self.fit + FOCUS_WEIGHT * self.focus + SLOT_WEIGHT * self.slot + NEAR_WEIGHT * self.near
        )


def candidates(sentence: ParsedSentence, asked: AskedQuestion) -> list[Candidate]:
    """The phrases of the sentence that could answer the question, as they occur, scored."""
    if asked.kind is None:
        return []
    found = [
        _placed(sentence, asked, start, end, fit)
        for start, end, fit in _typed_spans(sentence, asked)
        if not _said_already(sentence.text[start:end], asked)
    ]
    return [c for c in found if c.fit > 0]


def holds_asked_type(sentences: list[ParsedSentence], asked: AskedQuestion) -> bool:
    """Whether any of the sentences holds a phrase of the asked kind that the question did not
    already say (an LLM's answer to "who" must name someone)."""
    return any(candidates(sentence, asked) for sentence in sentences)


def listed(sentence: ParsedSentence, best: Candidate, found: list[Candidate]) -> Candidate:
    """For a question asking for several ("which countries"), the best candidate with those
    joined to it by "and" or commas, as the one span from the first to the last ("India,
    Australia, Japan and the United States"); the best alone when none are."""
    heads = {sentence.root_of(sentence.tokens_in(c.start, c.end)): c for c in found}
    best_root = sentence.root_of(sentence.tokens_in(best.start, best.end))
    group = {best_root}
    changed = True
    while changed:
        changed = False
        for root in heads:
            token = sentence.tokens[root]
            linked = (token.dep == "conj" and token.head in group) or any(
                sentence.tokens[g].dep == "conj" and sentence.tokens[g].head == root for g in group
            )
            if root not in group and linked:
                group.add(root)
                changed = True
    members = [heads[root] for root in group if root in heads] or [best]
    if len(members) < 2:
        return best
    start, end = min(c.start for c in members), max(c.end for c in members)
    return Candidate(
        sentence.text[start:end], start, end, best.fit, best.focus, best.slot, best.near
    )


def _typed_spans(sentence: ParsedSentence, asked: AskedQuestion) -> list[tuple[int, int, float]]:
    """(start, end, fit) of each phrase of the asked kind."""
    kind = asked.kind
    spans = []
    for entity in sentence.entities:
        start, end = _trimmed(sentence, entity.start, entity.end, kind)
        if kind == "number":
            start, end = _number_part(sentence, start, end, asked)
        fit = _entity_fit(sentence, start, end, entity.label, asked)
        if fit and start < end:
            if entity.label == "MONEY":
                sign = _CURRENCY_BEFORE.search(sentence.text, 0, start)
                start = sign.start() if sign else start
            spans.append((start, end, fit))
    if kind == "name":
        spans += [(m.start(1), m.end(1), 1.0) for m in _QUOTED.finditer(sentence.text)]
    if kind == "number":
        # Numbers the model gave no label ("to 69 urgently needed ... countries").
        inside = [(s, e) for s, e, _ in spans] + [(e.start, e.end) for e in sentence.entities]
        for index, token in enumerate(sentence.tokens):
            if token.pos == "NUM" and not any(s <= token.start < e for s, e in inside):
                text = sentence.word(index)
                if re.search(r"\d", text) and not _YEAR.fullmatch(text) and token.tag == "CD":
                    spans.append((token.start, token.end, 0.8))
    return spans


def _trimmed(sentence: ParsedSentence, start: int, end: int, kind: str) -> tuple[int, int]:
    """The span without a leading determiner ("the RAND Corporation": "RAND Corporation") or
    a trailing possessive ("Northeastern University's"),
    an approximation ("about £2,500", "an estimated two million") or another word before a
    number ("last 83 years"); a bound stays ("up to 300", "more than 50"). Cut before an
    opening bracket or a dash the model ran on into ("Nio (NIO", "22 February - five")."""
    tokens = sentence.tokens_in(start, end)
    has_number = kind == "number" and any(sentence.tokens[i].pos == "NUM" for i in tokens)
    for index in tokens:
        token = sentence.tokens[index]
        word = sentence.word(index).lower()
        if (
            token.pos == "DET"
            or token.tag == "PRP$"
            or (has_number and token.pos not in {"NUM", "SYM"} and word not in _BOUNDS)
        ):
            continue
        start = token.start
        break
    cut = _RUN_ON.search(sentence.text, start, end)
    end = cut.start() if cut else end
    owner = _POSSESSIVE.search(sentence.text, start, end)
    return start, owner.start() if owner else end


def _number_part(
    sentence: ParsedSentence, start: int, end: int, asked: AskedQuestion
) -> tuple[int, int]:
    """Of a range, the end asked for ("to what price": "$41.32" of "$2.86 to $41.32"); of a
    count, the number without the noun counted ("how many acres": "225,000" of "225,000
    acres")."""
    text = sentence.text[start:end]
    if " to " in text and asked.asks_to:
        start += text.rindex(" to ") + len(" to ")
    tokens = sentence.tokens_in(start, end)
    if len(tokens) > 1 and sentence.tokens[tokens[-1]].lemma.lower() == asked.focus:
        end = sentence.tokens[tokens[-2]].end
    return start, end


def _entity_fit(
    sentence: ParsedSentence, start: int, end: int, label: str, asked: AskedQuestion
) -> float:
    """How well a named entity's label fits what is asked; 0 when it does not."""
    kind, text = asked.kind, sentence.text[start:end]
    if kind == "number":
        return _number_fit(text, label, asked)
    if kind == "date":
        if label not in KIND_LABELS["date"]:
            return 0.0
        too_vague = asked.focus == "year" and not re.search(r"\d{4}", text)
        too_coarse = asked.focus in {"date", "day"} and _YEAR.fullmatch(text)
        return 0.3 if label == "TIME" or too_vague or too_coarse else 1.0
    if kind == "name":
        if label in KIND_LABELS["name"]:
            return 1.0
        return 0.4 if label in _WEAK_NAME_LABELS else 0.0
    if label in KIND_LABELS[kind]:
        return 1.0
    return OTHER_NAME_FIT if label in _NAME_LABELS else 0.0


def _number_fit(text: str, label: str, asked: AskedQuestion) -> float:
    has_digit_or_word = bool(re.search(r"\d", text)) or label in {"CARDINAL", "MONEY", "PERCENT"}
    if label in KIND_LABELS["date"]:
        # "70 years", "three weeks": a span of time answers "how long" and "how many years";
        # an age ("30-year-old") answers only "how old".
        spans_time = asked.how in _DURATION_HOW or asked.focus in _DATE_NOUNS
        is_age = text.endswith(("-old", "-olds"))
        if spans_time and not _YEAR.search(text) and (is_age == (asked.how == "old")):
            return 1.0
        return 0.0
    if label not in KIND_LABELS["number"] or not has_digit_or_word:
        return 0.0
    if _YEAR.fullmatch(text) and asked.focus != "year":
        return 0.0  # a year is a date, not an amount
    if asked.asks_money:
        return 1.0 if label == "MONEY" else 0.3
    if asked.asks_share:
        return 1.0 if label == "PERCENT" else 0.5
    if asked.how in _MEASURE_HOW:
        return 1.0 if label == "QUANTITY" else 0.4
    if label == "MONEY" or label == "PERCENT":
        return 0.5  # an amount of money or a share for a count
    if text.lower() == "one":
        return 0.3  # more often "one of the ..." than a count
    return 0.8


def _said_already(text: str, asked: AskedQuestion) -> bool:
    words = {w.lower() for w in re.findall(r"\w+", text)}
    return bool(words) and words <= asked.words


def _placed(
    sentence: ParsedSentence, asked: AskedQuestion, start: int, end: int, fit: float
) -> Candidate:
    """The candidate, with its focus, slot and nearness read off the tree."""
    tokens = sentence.tokens_in(start, end)
    text = sentence.text[start:end]
    if not tokens:
        return Candidate(text, start, end, fit)
    root = sentence.root_of(tokens)
    if asked.asks_to and sentence.word(sentence.tokens[root].head).lower() == "from":
        fit /= 2  # "to what price": not where it fell from
    outside = [i for i in range(len(sentence.tokens)) if i not in tokens]

    def lemma(i: int) -> str:
        return sentence.tokens[i].lemma.lower()

    focus, focus_at = 0.0, None
    if asked.focus:
        if any(lemma(i) == asked.focus for i in tokens):
            focus, focus_at = 1.0, root  # "Buchanan County" for "which county"
        else:
            near_focus = sorted(
                (sentence.distance(root, i), i) for i in outside if lemma(i) == asked.focus
            )
            if near_focus and near_focus[0][0] <= 2:
                focus = 1.0 if near_focus[0][0] == 1 else 0.5
                focus_at = near_focus[0][1]
    slot = 0.0
    if asked.predicate:
        starts = [root] + ([focus_at] if focus_at is not None else [])
        steps = [
            sentence.distance(s, i) for s in starts for i in outside if lemma(i) == asked.predicate
        ]
        if steps:
            slot = 1.0 if min(steps) <= 2 else 0.5 if min(steps) == 3 else 0.0
    near = 0.0
    wanted = asked.content_lemmas - {asked.predicate, asked.focus}
    if wanted:
        closest: dict[str, int] = {}
        for i in outside:
            if lemma(i) in wanted:
                closest[lemma(i)] = min(closest.get(lemma(i), 99), sentence.distance(root, i))
        near = sum(1 / steps for steps in closest.values()) / len(wanted)
    return Candidate(text, start, end, fit, focus, slot, near)
