"""Whether a passage supports a sentence: the one rule set behind every citation check (LLM
answers, briefing bullets, timeline lines) and behind `/verify` (docs/verify.md).

The sentence (the claim) and the passage's sentences are read from their parses (`facts`):
- contradicted: a passage sentence that states the same thing (half the claim's keyword
  terms, close in meaning) says it otherwise: another number of the same thing, another day
  or month, another name in the same place, the other polarity, doer and object swapped,
  another doer of the same verb. What differs is said, with the sentence that says it;
- supported: not contradicted, every name, number and date of the claim in the passage, a
  "not" where it says one, and a score at the threshold: a logistic model (`support.json`,
  fitted by bench/eval_verify.py) over the share of the claim's terms and runs of words in
  the passage, its closeness in meaning to the nearest passage sentence, and those facts;
- else unsupported.
"""

import json
import math
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Literal

import numpy as np

from service.domain import RetrievedPassage
from service.domain.parse import ParsedSentence
from service.embedding import SentenceVectors
from service.parsing import SentenceParses
from service.text import passage_sentence_spans, term_overlap, terms
from service.verifying.facts import Facts, number_values, truecased, words

MODEL_PATH = Path(__file__).with_name("support.json")
RUN_LENGTHS = (2, 3)
# The passage sentences closest to the claim: those that may state it otherwise, and where
# its "not" must be.
ALIGNED_SENTENCES = 3
# What a supported claim must hold entirely, whatever its score.
# (Counts are compared, not required: a paraphrase counts "staff" as "employees".)
FACTS = ("names_held", "numbers_held", "dates_held", "negation_held")
# Sources kept read (vectors, parses, runs of words): a text's sentences are checked against
# the same few passages, a FRANK article against each of its summaries' sentences.
SOURCES_KEPT = 256
# A passage sentence states the same thing as the claim when it holds this share of the
# claim's keyword terms and is this close in meaning: only such a sentence can contradict it.
# (A short claim and a long sentence stating it are far apart by cosine: 0.3 to 0.4.)
SAME_STATEMENT_TERMS = 0.5
SAME_STATEMENT_SIMILARITY = 0.3
# "X is in Birmingham" and "Y is in Wales" say different things, not one thing otherwise;
# nor does a name hanging from no verb ("").
_LINKING_VERBS = frozenset({"", "be", "have"})
_COMPARED_NAMES = frozenset({"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC"})
Verdict = Literal["supported", "contradicted", "unsupported"]
DifferenceKind = Literal["number", "date", "name", "polarity", "roles", "doer"]


@dataclass(frozen=True)
class Difference:
    """What the claim says (`claim`) where a passage sentence says otherwise (`source`)."""

    kind: DifferenceKind
    claim: str
    source: str
    start: int
    """The sentence that says otherwise: `passage.text[start:end]`."""
    end: int


@dataclass(frozen=True)
class Support:
    verdict: Verdict
    score: float
    """0 to 1: how surely the passage states the claim."""
    start: int
    """The passage sentence closest to the claim: `passage.text[start:end]`."""
    end: int
    differs: tuple[Difference, ...]
    features: dict[str, float] = field(compare=False, repr=False)

    @property
    def supported(self) -> bool:
        return self.verdict == "supported"


@dataclass(frozen=True)
class SupportModel:
    """Logistic weights over `SupportChecker.features`, and the score from which a claim is
    supported."""

    weights: dict[str, float]
    intercept: float
    threshold: float

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> "SupportModel":
        model = json.loads(path.read_text())
        return cls(model["weights"], model["intercept"], model["threshold"])

    def score(self, features: dict[str, float]) -> float:
        logit = self.intercept + sum(w * features[name] for name, w in self.weights.items())
        return 1 / (1 + math.exp(-logit))

    def supports(self, features: dict[str, float]) -> bool:
        """Every name, number and date held, a "not" where it says one, and a score at the
        threshold."""
        held = all(features[name] == 1.0 for name in FACTS)
        return held and self.score(features) >= self.threshold


@dataclass(frozen=True)
class _Source:
    """A passage's sentences with their vectors and parses."""

    passage: RetrievedPassage
    spans: tuple[tuple[int, int], ...]
    vectors: np.ndarray
    parses: list[ParsedSentence]

    @cached_property
    def facts(self) -> list[Facts]:
        return [Facts(parse) for parse in self.parses]

    @cached_property
    def said(self) -> list[str]:
        """Its words, in order."""
        return words(self.passage.text)

    @cached_property
    def words(self) -> set[str]:
        return set(self.said)

    @cached_property
    def terms(self) -> list[set[str]]:
        """Each sentence's keyword terms."""
        return [set(terms(parse.text)) for parse in self.parses]

    @cached_property
    def numbers(self) -> set[str]:
        return set(number_values(self.passage.text))

    @cached_property
    def counted(self) -> set[tuple[str, str, str]]:
        return {pair for facts in self.facts for pair in facts.counted}

    @cached_property
    def runs(self) -> dict[int, set[tuple[str, ...]]]:
        """Its runs of two and of three words."""
        return {n: set(_runs(self.said, n)) for n in RUN_LENGTHS}


class SupportChecker:
    def __init__(self, vectors: SentenceVectors, parses: SentenceParses, model: SupportModel):
        self._vectors = vectors
        self._parses = parses
        self.model = model
        self._sources: OrderedDict[tuple[str, str], _Source] = OrderedDict()
        self._lock = threading.Lock()

    def support(self, claim: str, passage: RetrievedPassage) -> Support:
        source = self._source(passage)
        claim = truecased(claim, passage.text)
        facts = Facts(self._parses.of([claim])[0])
        similarities = source.vectors @ self._vectors.of([claim])[0]
        claim_terms = set(terms(claim))
        shared = np.array(
            [len(claim_terms & held) / max(len(claim_terms), 1) for held in source.terms]
        )
        # Closest first: in meaning and in the words it shares with the claim.
        aligned = [int(i) for i in np.argsort(-(similarities + shared))[:ALIGNED_SENTENCES]]
        features = _features(claim, claim_terms, facts, source, similarities, aligned)
        differs = tuple(
            _differences(
                facts,
                source,
                [
                    i
                    for i in aligned
                    if shared[i] >= SAME_STATEMENT_TERMS
                    and similarities[i] >= SAME_STATEMENT_SIMILARITY
                ],
            )
        )
        score = self.model.score(features)
        verdict: Verdict = "unsupported"
        if differs:
            verdict = "contradicted"
        elif self.model.supports(features):
            verdict = "supported"
        return Support(verdict, score, *source.spans[aligned[0]], differs, features)

    def read_claims(self, claims: Sequence[str]) -> None:
        """Embed and parse claims in one batch each, before they are checked one by one."""
        self._vectors.of(claims)
        self._parses.of(claims)

    def read_passages(self, passages: Sequence[RetrievedPassage]) -> None:
        """Read the passages' sentences (vectors, parses) in one store lookup, before claims
        are checked against them one by one."""
        self._sources_of(passages)

    def _source(self, passage: RetrievedPassage) -> _Source:
        return self._sources_of([passage])[0]

    def _sources_of(self, passages: Sequence[RetrievedPassage]) -> list[_Source]:
        keys = [(p.passage_id, p.text) for p in passages]
        with self._lock:
            known = {key: self._sources[key] for key in keys if key in self._sources}
            for key in known:
                self._sources.move_to_end(key)
        missing = list(
            {key: p for key, p in zip(keys, passages, strict=True) if key not in known}.values()
        )
        if missing:
            spans = [passage_sentence_spans(p.text) or ((0, len(p.text)),) for p in missing]
            texts = [[p.text[s:e] for s, e in cut] for p, cut in zip(missing, spans, strict=True)]
            every = [text for passage_texts in texts for text in passage_texts]
            vectors = self._vectors.of(every, passages=missing)
            parses = self._parses.of(every, passages=missing)
            start = 0
            for passage, cut in zip(missing, spans, strict=True):
                end = start + len(cut)
                known[(passage.passage_id, passage.text)] = _Source(
                    passage, cut, vectors[start:end], parses[start:end]
                )
                start = end
            with self._lock:
                for passage in missing:
                    key = (passage.passage_id, passage.text)
                    self._sources[key] = known[key]
                while len(self._sources) > SOURCES_KEPT:
                    self._sources.popitem(last=False)
        return [known[key] for key in keys]


def _features(
    claim: str,
    claim_terms: set[str],
    facts: Facts,
    source: _Source,
    similarities: np.ndarray,
    aligned: list[int],
) -> dict[str, float]:
    """The claim's share of each kind of fact the source holds (1 when it states none of
    that kind): its names, numbers, counts and dates anywhere in the passage, a "not"
    where it says one; its runs of words found in the passage; its closeness in meaning to
    the nearest passage sentence."""
    names = [words(name) for name in facts.names]
    said = words(claim)
    return {
        "similarity": float(similarities.max()),
        "terms_held": term_overlap(claim_terms, source.passage.text),
        **{f"runs{n}_held": _share(_runs(said, n), source.runs[n]) for n in RUN_LENGTHS},
        "names_held": min(
            (sum(w in source.words for w in name) / len(name) for name in names if name),
            default=1.0,
        ),
        "numbers_held": _share(facts.numbers, source.numbers),
        "counted_held": _share(
            [(n, noun) for n, noun, _ in facts.counted],
            {(n, noun) for n, noun, _ in source.counted},
        ),
        "dates_held": _share(facts.date_words, source.words),
        # A claim that something did not happen needs the closest sentence to say "not"
        # too, or a close one to say it of the same verb.
        "negation_held": float(
            not facts.negated_verbs
            or bool(source.facts[aligned[0]].negated_verbs)
            or any(set(facts.negated_verbs) & set(source.facts[i].negated_verbs) for i in aligned)
        ),
    }


def _runs(said: list[str], n: int) -> list[tuple[str, ...]]:
    return [tuple(said[i : i + n]) for i in range(len(said) - n + 1)]


def _share(claimed, held) -> float:
    claimed = list(claimed)
    return sum(item in held for item in claimed) / len(claimed) if claimed else 1.0


def _differences(facts: Facts, source: _Source, same_statements: list[int]):
    """What the source sentences stating the same thing as the claim say otherwise, from the
    closest such sentence that differs; none when one of them says it as the claim does (a
    passage may give Polk County's figure and then Dallas County's)."""
    differing = []
    for index in same_statements:
        said = source.facts[index]
        found = [
            *_other_counts(facts, said, source),
            *_other_dates(facts, said, source),
            *_other_names(facts, said, source),
            *_other_polarity(facts, said),
            *_swapped_roles(facts, said),
            *_other_doers(facts, said),
        ]
        if not found:
            return []
        start, end = source.spans[index]
        differing = differing or [
            Difference(kind, *said_otherwise, start, end) for kind, *said_otherwise in found
        ]
    return differing


def _other_counts(claim: Facts, said: Facts, source: _Source):
    """ "43 countries received donations" where the sentence says 69 did."""
    for number, noun, verb in claim.counted:
        if _count_held((number, noun, verb), source.counted):
            continue
        for other, other_noun, other_verb in said.counted:
            if other_noun == noun and other != number and verb in {other_verb, ""}:
                yield "number", number, other
                break


def _count_held(count: tuple[str, str, str], held: set[tuple[str, str, str]]) -> bool:
    """The source counts the same noun with the same number, under the same verb (unless
    either is under none)."""
    number, noun, verb = count
    return any(n == number and o == noun and (v == verb or "" in {v, verb}) for n, o, v in held)


def _other_dates(claim: Facts, said: Facts, source: _Source):
    """ "on Tuesday" where the sentence says "on Monday"."""
    missing = {w for w in claim.date_words if w not in source.words}
    others = said.date_words - claim.date_words
    if missing and others:
        yield (
            "date",
            ", ".join(sorted(map(_named, missing))),
            ", ".join(sorted(map(_named, others))),
        )


def _named(day_or_month: str) -> str:
    """ "monday" -> "Monday" ("today" stays)."""
    return day_or_month if day_or_month.startswith("to") else day_or_month.capitalize()


def _other_names(claim: Facts, said: Facts, source: _Source):
    """A name the sentence does not give, where it names another of the same kind in the
    same place (the same branch of the same verb); or a name the passage never gives, where
    the sentence names another of the same kind anywhere."""
    claim_words = set(words(claim.parse.text))
    said_words = set(words(said.parse.text))
    for entity in claim.parse.entities:
        name = claim.parse.span_text(entity)
        name_words = words(name)
        if entity.label not in _COMPARED_NAMES or all(w in said_words for w in name_words):
            continue
        slot = claim.slot_of(claim.root_of_span(entity))
        others = [
            e
            for e in said.parse.entities
            if e.label == entity.label and not set(words(said.parse.span_text(e))) <= claim_words
        ]
        in_place = [
            e
            for e in others
            if slot[0] not in _LINKING_VERBS and said.slot_of(said.root_of_span(e)) == slot
        ]
        never_given = not all(w in source.words for w in name_words)
        if in_place or (others and never_given):
            yield "name", name, said.parse.span_text((in_place or others)[0])


def _other_polarity(claim: Facts, said: Facts):
    """ "would appeal" where the sentence says "would not appeal", or the other way round:
    a verb of the claim that the sentence has, but never with the claim's polarity ("wanted
    to act, but didn't want to wait" has both)."""
    polarities: dict[str, set[bool]] = {}
    for index, token in enumerate(said.parse.tokens):
        if token.pos == "VERB":
            polarities.setdefault(token.lemma.lower(), set()).add(said.negated_at(index))
    for index, token in enumerate(claim.parse.tokens):
        held = polarities.get(token.lemma.lower()) if token.pos == "VERB" else None
        negated = claim.negated_at(index)
        if held and negated not in held:
            word = claim.parse.word(index)
            yield "polarity", *((f"not {word}", word) if negated else (word, f"not {word}"))
            return


def _swapped_roles(claim: Facts, said: Facts):
    """ "Wang beat Yang" where the sentence says "Yang beat Wang"."""
    for role in claim.roles():
        if not (role.doer and role.done_to):
            continue
        for other in said.roles():
            if (
                other.verb == role.verb
                and other.doer & role.done_to
                and other.done_to & role.doer
                and not other.doer & role.doer
            ):
                yield "roles", role.said, other.said
                return


def _other_doers(claim: Facts, said: Facts):
    """ "Amira Okafor said" where the sentence says "Tom Reddy said": the same verb, done by
    someone else by name, and never by the claim's doer (a sentence may have the verb twice,
    "Democrats have remained ... as Republicans have remained")."""
    for role in claim.roles():
        if not role.doer_named:
            continue
        doing = [other for other in said.roles() if other.verb == role.verb and other.doer]
        if any(other.doer & role.doer for other in doing):
            continue
        for other in doing:
            if other.doer_named and not other.doer & role.done_to:
                yield "doer", role.doer_said, other.doer_said
                return
