"""A sentence as the parser read it: its tokens (lemma, part of speech, head, dependency) and
its named entities, every span in characters of the sentence's own text."""

import base64
import json
import sys
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property

# Entity labels that name someone or something (not dates, amounts or ordinals).
NAME_LABELS = frozenset(
    {"PERSON", "ORG", "GPE", "LOC", "FAC", "NORP", "EVENT", "WORK_OF_ART", "PRODUCT", "LAW"}
)


@dataclass(frozen=True, slots=True)
class Token:
    start: int
    end: int
    lemma: str
    pos: str
    """Universal part of speech: NOUN, PROPN, VERB, NUM..."""
    tag: str
    """Penn Treebank tag: tells a plural noun (NNS) or a past tense (VBD)."""
    dep: str
    """Dependency label to its head: nsubj, dobj, pobj, agent, nummod, compound..."""
    head: int
    """Index of its head among the sentence's tokens (the root is its own head)."""


@dataclass(frozen=True, slots=True)
class Entity:
    start: int
    end: int
    label: str
    """OntoNotes: PERSON, ORG, GPE, LOC, FAC, DATE, TIME, CARDINAL, MONEY, PERCENT..."""


@dataclass(frozen=True)
class ParsedSentence:
    text: str
    tokens: tuple[Token, ...]
    entities: tuple[Entity, ...]

    def word(self, index: int) -> str:
        token = self.tokens[index]
        return self.text[token.start : token.end]

    def span_text(self, span: Entity | Token) -> str:
        return self.text[span.start : span.end]

    @cached_property
    def named(self) -> list[str]:
        """The texts of its named entities (people, organisations, places...), in order."""
        return [self.span_text(e) for e in self.entities if e.label in NAME_LABELS]

    @cached_property
    def children(self) -> tuple[tuple[int, ...], ...]:
        found: list[list[int]] = [[] for _ in self.tokens]
        for index, token in enumerate(self.tokens):
            if token.head != index:
                found[token.head].append(index)
        return tuple(map(tuple, found))

    def tokens_in(self, start: int, end: int) -> range:
        """Indices of the tokens within [start, end)."""
        inside = [i for i, t in enumerate(self.tokens) if t.start >= start and t.end <= end]
        return range(inside[0], inside[-1] + 1) if inside else range(0)

    def root_of(self, tokens: range) -> int:
        """The token of the range whose head is outside it (the phrase's head word)."""
        return next(
            (i for i in tokens if self.tokens[i].head not in tokens or self.tokens[i].head == i),
            tokens.start,
        )

    def ancestors(self, index: int) -> Iterator[int]:
        while self.tokens[index].head != index:
            index = self.tokens[index].head
            yield index

    def sentence_root(self, index: int) -> int:
        """The root of the token's sentence (a text may hold several: a question after a
        sentence of context)."""
        return [index, *self.ancestors(index)][-1]

    def distance(self, a: int, b: int) -> int:
        """Edges between two tokens in the dependency tree."""
        up_a = [a, *self.ancestors(a)]
        up_b = {token: steps for steps, token in enumerate([b, *self.ancestors(b)])}
        for steps, token in enumerate(up_a):
            if token in up_b:
                return steps + up_b[token]
        return len(up_a) + len(up_b)  # in different sentences of one text


def packed_parses(parses: Sequence[ParsedSentence]) -> str:
    """A passage's parses as stored beside its sentence vectors: compact JSON, compressed (the
    sentences' texts are the passage's, so they are not stored again)."""
    rows = [
        [
            [[t.start, t.end, t.lemma, t.pos, t.tag, t.dep, t.head] for t in p.tokens],
            [[e.start, e.end, e.label] for e in p.entities],
        ]
        for p in parses
    ]
    raw = json.dumps(rows, separators=(",", ":")).encode()
    return base64.b64encode(zlib.compress(raw, 6)).decode("ascii")


def unpacked_parses(packed: str, texts: Sequence[str]) -> list[ParsedSentence]:
    rows = json.loads(zlib.decompress(base64.b64decode(packed)))
    return [
        ParsedSentence(
            text,
            tuple(Token(*token[:2], *map(sys.intern, token[2:6]), token[6]) for token in tokens),
            tuple(Entity(start, end, sys.intern(label)) for start, end, label in entities),
        )
        for text, (tokens, entities) in zip(texts, rows, strict=True)
    ]
