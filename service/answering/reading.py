"""The reading step: in the retrieved passages, the sentence that answers the question, the
short answer in it, and whether the passages answer the question at all.

1. Every sentence is scored as its cosine similarity to the question plus `OVERLAP_WEIGHT`
   times the share of the question's keyword terms it holds.
2. The sentence most like the question is often a restatement of it, with the answer in the
   next sentence of the same article ("... warned of disaster." "Herve Gaymard, the finance
   minister, said ..."). So a sentence also scores `ReadingWeights.neighbour` times the score of its
   best neighbour in the article (the spans say which sentences touch).
3. The question is read from its parse (`question`): what kind of answer it asks for, the
   noun it asks about, its verb. When it asks for a kind, only a sentence holding a candidate
   of that kind (`candidates`: its named entities of the kind) can answer; the candidate that
   scores best with its sentence, by its type and its place in the sentence's dependency
   tree (in the slot of the question's verb, on the noun asked about), is the short answer.
4. Whether the passages answer at all is `Answerability`'s call, on a few features of that
   reading: scores, the candidate's fit and place, how many of the question's names and other
   words the answer's neighbourhood holds.
"""

import itertools
import json
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from service.answering.candidates import (
    MAX_SCORE,
    Candidate,
    candidates,
    holds_asked_type,
    listed,
)
from service.answering.question import AskedQuestion, analysed
from service.domain import RetrievedPassage
from service.domain.parse import ParsedSentence
from service.embedding import SentenceVectors
from service.parsing import SentenceParses
from service.text import candidate_sentences, sentences, term_overlap, terms

OVERLAP_WEIGHT = 0.3
# The features that, all at 1, say a candidate fills the question's slot (`Answerability`).
SLOT_FILLED = ("candidate_slot", "candidate_fit", "sentence_names_held")
WINDOW_CHARACTERS = 300
MODEL_PATH = Path(__file__).with_name("answerability.json")


@dataclass(frozen=True)
class ShortAnswer:
    """The phrase that answers the question (a name, a number, a date...), in a cited passage."""

    text: str
    n: int
    """The citation marker of the passage it is in."""
    start: int
    """Its exact span in the article: `article_text[start:end] == text`."""
    end: int


@dataclass(frozen=True)
class ReadSentence:
    passage_number: int
    """The passage it was read in (1-based): its citation."""
    start: int
    """Span within the passage's text."""
    end: int
    text: str
    article_id: str
    article_start: int
    """Where it starts in its article."""
    similarity: float
    overlap: float
    score: float
    """Similarity plus OVERLAP_WEIGHT x overlap: how much it is like the question."""
    context: float
    """Its score, or ReadingWeights.neighbour x its best neighbour's if higher."""
    vector: np.ndarray


@dataclass(frozen=True)
class Reading:
    asked: AskedQuestion
    """What the question asks for, read from its parse."""
    sentences: list[ReadSentence]
    """Best first: the answer sentence (holding the short answer, if any) leads."""
    short_answer: ShortAnswer | None
    features: dict[str, float]
    """Those of FEATURES that were computed: answerability's, and any asked for."""
    confidence: float | None
    """Answerability's probability that the passages answer the question (None when the
    question has no narrow type)."""
    answered: bool


class Answerability:
    """Whether the passages answer. For a question that asks for a type of answer, a logistic
    model over the reading's features, its weights in a small JSON file (fitted by
    bench/fit_answerability.py on the development halves). A question with no narrow type
    (why, how, what did X say) keeps the rule from before the reading step: answered when
    its best sentence scores at least `untyped_min_score`."""

    def __init__(
        self,
        weights: dict[str, float],
        intercept: float,
        threshold: float,
        untyped_min_score: float,
    ):
        self.weights = weights
        self.intercept = intercept
        self.threshold = threshold
        self.untyped_min_score = untyped_min_score

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> "Answerability":
        model = json.loads(path.read_text())
        typed = model["typed"]
        return cls(
            typed["weights"], typed["intercept"], typed["threshold"], model["untyped_min_score"]
        )

    @property
    def reads(self) -> set[str]:
        """The features its decisions read."""
        return {*self.weights, *SLOT_FILLED, "best_score"}

    def decide(self, kind: str | None, features: dict[str, float]) -> tuple[float | None, bool]:
        """(the probability that the passages answer, when the model decides; answered).
        A candidate of the asked kind in the slot of the question's verb, in a sentence
        holding every name the question says, answers whatever the model's probability: on
        the development halves this answered 1-2 points more of every writer's questions and
        abstained as often on the news near-misses (docs/answers/README.md)."""
        if kind is None:
            return None, features["best_score"] >= self.untyped_min_score
        logit = self.intercept + sum(w * features[name] for name, w in self.weights.items())
        probability = 1 / (1 + math.exp(-logit))
        slot_filled = all(features[name] >= 1.0 for name in SLOT_FILLED)
        return probability, probability >= self.threshold or slot_filled


@dataclass(frozen=True)
class ReadingWeights:
    """How the answer is chosen, on the development halves (bench/tune_reading.py)."""

    neighbour: float = 0.9
    """A sentence scores at least this times its best neighbour's score."""
    candidate: float = 0.2
    """A candidate's score (`candidates.Candidate.score`) counts this much next to its
    sentence's score (0.2 to 1.0 tried on the three writers' development halves)."""


class Reader:
    def __init__(
        self,
        vectors: SentenceVectors,
        parses: SentenceParses,
        answerability: Answerability,
        weights: ReadingWeights = ReadingWeights(),
    ):
        self._vectors = vectors
        self._parses = parses
        self._answerability = answerability
        self._weights = weights

    def analyse(self, question: str) -> AskedQuestion:
        """What the question asks, from its parse (remembered with the sentences')."""
        return analysed(self._parses.of([question])[0])

    def read(
        self,
        question: str,
        passages: Sequence[RetrievedPassage],
        features: Iterable[str] = (),
    ) -> Reading:
        """`features`: any to compute beyond those answerability reads (the benchmarks that
        fit it ask for all of FEATURES)."""
        wanted = self._answerability.reads.union(features)
        asked = self.analyse(question)
        found = self._scored(question, passages)
        if not found:
            return Reading(asked, [], None, dict.fromkeys(wanted, 0.0), 0.0, False)
        own_best = max(found, key=lambda s: s.score)
        short, candidate, parses, typed = None, None, {}, None
        # The parses are read only for a question of a narrow kind: only its answer and its
        # answerability read them.
        if asked.kind:
            parses = self._parses_of(found, passages)
            typed = self._best_typed(found, asked, parses)
        if typed:
            chosen, candidate = typed
            at = passages[chosen.passage_number - 1].start + chosen.start
            short = ShortAnswer(
                candidate.text, chosen.passage_number, at + candidate.start, at + candidate.end
            )
        else:
            chosen = own_best
        evidence = _Evidence(asked, chosen, candidate, parses, found, passages)
        computed = {name: FEATURES[name](evidence) for name in FEATURES if name in wanted}
        confidence, answered = self._answerability.decide(asked.kind, computed)
        ordered = [chosen, *sorted((s for s in found if s is not chosen), key=lambda s: -s.score)]
        return Reading(asked, ordered, short, computed, confidence, answered)

    def holds_asked_type(self, text: str, asked: AskedQuestion) -> bool:
        """Whether the text (an LLM's answer) holds a phrase of the kind the question asks
        for that the question did not already say, by the same reading as the passages'."""
        return holds_asked_type(self._parses.of(sentences(text)), asked)

    def _scored(self, question: str, passages: Sequence[RetrievedPassage]) -> list[ReadSentence]:
        """Every whole sentence of the passages once (passages overlap), with its scores."""
        spans: dict[tuple[str, int], tuple[int, int, int]] = {}
        for number, start, end in candidate_sentences(passages):
            passage = passages[number - 1]
            spans.setdefault(
                (passage.article.article_id, passage.start + start), (number, start, end)
            )
        if not spans:
            return []
        texts = [passages[n - 1].text[s:e] for n, s, e in spans.values()]
        vectors = self._vectors.of([question, *texts], passages=passages)
        similarities = vectors[1:] @ vectors[0]
        question_terms = set(terms(question))
        own = [
            float(similarity) + OVERLAP_WEIGHT * term_overlap(question_terms, text)
            for similarity, text in zip(similarities, texts, strict=True)
        ]
        # Neighbours: sentences of one article whose spans touch (only whitespace between).
        keys = list(spans)
        order = sorted(range(len(keys)), key=lambda i: keys[i])
        context = list(own)
        for before, after in itertools.pairwise(order):
            (article_a, start_a), (article_b, start_b) = keys[before], keys[after]
            number, start, end = spans[keys[before]]
            if article_a != article_b or start_b - (start_a + end - start) > 3:
                continue
            context[before] = max(context[before], self._weights.neighbour * own[after])
            context[after] = max(context[after], self._weights.neighbour * own[before])
        return [
            ReadSentence(
                number,
                start,
                end,
                text,
                *key,
                float(similarity),
                term_overlap(question_terms, text),
                own[index],
                context[index],
                vectors[index + 1],
            )
            for index, (key, (number, start, end), text, similarity) in enumerate(
                zip(keys, spans.values(), texts, similarities, strict=True)
            )
        ]

    def _best_typed(
        self,
        found: list[ReadSentence],
        asked: AskedQuestion,
        parses: dict[str, ParsedSentence],
    ) -> tuple[ReadSentence, Candidate] | None:
        """The sentence and candidate with the best sentence score + weighted candidate score.
        Sentences are tried best score first, and no further once even the highest candidate
        score could not win."""
        best: tuple[float, int, ReadSentence, Candidate] | None = None
        for index in sorted(range(len(found)), key=lambda i: -found[i].context):
            sentence = found[index]
            if best and sentence.context + self._weights.candidate * MAX_SCORE < best[0]:
                break
            options = candidates(parses[sentence.text], asked)
            if not options:
                continue
            candidate = max(options, key=lambda c: c.score)
            if asked.focus_plural:
                candidate = listed(parses[sentence.text], candidate, options)
            total = sentence.context + self._weights.candidate * candidate.score
            # Ties go to the sentence that comes first, as a plain max over them would.
            if best is None or (total, -index) > (best[0], -best[1]):
                best = (total, index, sentence, candidate)
        return (best[2], best[3]) if best else None

    def _parses_of(
        self, found: list[ReadSentence], passages: Sequence[RetrievedPassage]
    ) -> dict[str, ParsedSentence]:
        texts = [s.text for s in found]
        return dict(zip(texts, self._parses.of(texts, passages=passages), strict=True))


class _Evidence:
    """What the features are computed from: the reading's answer sentence and its
    surroundings, each part computed once and only if a feature asks for it."""

    def __init__(
        self,
        asked: AskedQuestion,
        chosen: ReadSentence,
        candidate: Candidate | None,
        parses: dict[str, ParsedSentence],
        found: list[ReadSentence],
        passages: Sequence[RetrievedPassage],
    ):
        self.asked, self.kind, self.chosen, self.parses = asked, asked.kind, chosen, parses
        self.parse = parses.get(chosen.text)
        self.candidate, self.found, self.passages = candidate, found, passages
        self.candidate_fit = candidate.fit if candidate else 0.0

    @cached_property
    def article(self) -> str:
        """The answer's article as retrieved: its headline, its date ("15 March 2021": a
        question's "in March 2021" is about the date the text itself seldom repeats), its
        passages, and the lemmas of its parsed sentences (the question's "speak" is in
        "spoke", which its stemmed terms do not match)."""
        chosen = self.chosen
        about = self.passages[chosen.passage_number - 1].article
        return " ".join(
            [
                about.title or "",
                f"{about.date:%d %B %Y}" if about.date else "",
                *(p.text for p in self.passages if p.article.article_id == chosen.article_id),
                *(
                    token.lemma
                    for s in self.found
                    if s.article_id == chosen.article_id and s.text in self.parses
                    for token in self.parses[s.text].tokens
                ),
            ]
        )

    @cached_property
    def window(self) -> str:
        """The sentences within a few hundred characters of the answer, and the headline: it
        names what the whole article is about, so it is near every sentence."""
        chosen = self.chosen
        near = (
            s.text
            for s in self.found
            if s.article_id == chosen.article_id
            and abs(s.article_start - chosen.article_start) <= WINDOW_CHARACTERS
        )
        return " ".join([self.passages[chosen.passage_number - 1].article.title or "", *near])

    @cached_property
    def question_terms(self) -> set[str]:
        return set(terms(self.asked.text))

    @cached_property
    def name_terms(self) -> set[str]:
        return {term for name in self.asked.names for term in terms(name)}

    @cached_property
    def other_terms(self) -> set[str]:
        return self.question_terms - self.name_terms

    @cached_property
    def sentence_lemmas_held(self) -> float:
        """The share of the question's content words whose lemma the answer sentence holds
        ("spoke" holds "speak", which its stemmed terms do not)."""
        wanted = self.asked.content_lemmas
        if not wanted or self.parse is None:
            return 0.0
        return len(wanted & {t.lemma.lower() for t in self.parse.tokens}) / len(wanted)

    def held(self, asked: set[str], text: str) -> float:
        """The share of `asked` terms in `text`; 1 when nothing of the kind is asked."""
        return term_overlap(asked, text) if asked else 1.0


# What answerability may be decided on: scores, and shares in [0, 1]. Serving computes only
# those its model reads; the benchmarks that fit the model ask for all of them.
FEATURES: dict[str, Callable[[_Evidence], float]] = {
    "best_score": lambda e: max(s.score for s in e.found),
    "answer_context": lambda e: e.chosen.context,
    "typed": lambda e: 1.0 if e.kind else 0.0,
    "typed_without_candidate": lambda e: 1.0 if e.kind and not e.candidate_fit else 0.0,
    "candidate_fit": lambda e: e.candidate_fit,
    "names_held": lambda e: e.held(e.name_terms, e.article),
    "names_near_answer": lambda e: e.held(e.name_terms, e.window),
    "other_terms_held": lambda e: e.held(e.other_terms, e.article),
    "window_terms_held": lambda e: term_overlap(e.question_terms, e.window),
    # The answer sentence itself: a near-miss's best sentence tends to lack what is asked
    # ("35 million followers on Facebook" for followers on Truth Social).
    "sentence_names_held": lambda e: e.held(e.name_terms, e.chosen.text),
    "sentence_other_terms_held": lambda e: e.held(e.other_terms, e.chosen.text),
    "top_similarity": lambda e: max(p.similarity for p in e.passages),
    # Where the candidate stands in its sentence's tree (`candidates`).
    "candidate_focus": lambda e: e.candidate.focus if e.candidate else 0.0,
    "candidate_slot": lambda e: e.candidate.slot if e.candidate else 0.0,
    "candidate_near": lambda e: e.candidate.near if e.candidate else 0.0,
    "candidate_score": lambda e: e.candidate.score if e.candidate else 0.0,
    "sentence_lemmas_held": lambda e: e.sentence_lemmas_held,
}
