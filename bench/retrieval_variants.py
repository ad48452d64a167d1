"""Variants of finding at archive scale that issue 11 lists as candidates, each beside the
retriever as shipped, on the news questions' development half.

    .venv/bin/python bench/retrieval_variants.py [--index bench/results/soak-index-sentences]

Each variant is the shipped retriever (score fusion) with one input changed, built in the same
process over the same index (bench/soak.py's archive of bbc_news and realtimeqa_articles):
- the keyword index reads each passage with its article's title before it (once, or twice to
  weigh it more), or with the article's month and year ("November 2022"): BM25 with the title
  or the date as a field, folded into the passage's words;
- the dense side reads each candidate's vector as that of its article's title and the passage
  ("title\\n\\npassage"). Encoding the whole archive that way takes about 25 minutes, so only
  the candidates the stored vectors and BM25 found are encoded, which measures the header's
  effect on their order (not on which passages become candidates);
- pseudo-relevance feedback: the passages the shipped retriever puts first move the question's
  vector toward theirs (Rocchio), or add their heaviest terms to its BM25 query (RM3's idea);
- the BM25 parameters (k1, b; bm25s's 1.5 and 0.75 as shipped) and score fusion's dense
  weight (0.5 as shipped), fitted again on the enlarged development half;
- with `--passage-tokens N`, shorter passages: the same articles split into passages of N
  tokens (the embedder was trained on 128-token inputs; passages as shipped fill its 254) in an
  index of their own, bench/results/archive-passages-N, built once. A sentence's vector does
  not depend on the passage it is in, so the shipped index's sentence vectors are reused and
  only the passages are encoded (41 minutes here for 128 tokens: 89,387 passages).
hit@1 / hit@5 / MRR@10 as bench/eval_answers.py --archive counts them, for the article each
question was written from and for any article judged to answer it. Figures go to
bench/results/retrieval_variants.json.
"""

import argparse
import dataclasses
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from unittest import mock

import numpy as np
from eval_answers import QUESTIONS, RESULTS, articles_shown, hits, read_jsonl
from soak import CORPORA

from service.components import Components, build_components, open_store
from service.domain import ArticleFilter, Store, StoredPassage
from service.embedding import Embedder, SentenceVectors
from service.loading import load_paths
from service.retrieval import KeywordIndex, Retriever
from service.retrieval import keyword as keyword_scoring
from service.settings import Settings, load_settings
from service.text import sentences, terms

HITS_K = 10


class _TextWithFields:
    """The store, each passage's text preceded by fields of its article: the keyword index
    reads passages through it."""

    def __init__(self, store: Store, fields: Callable[[StoredPassage], str]):
        self._store = store
        self._fields = fields

    def __getattr__(self, name: str):
        return getattr(self._store, name)

    def all_passages(self) -> list[StoredPassage]:
        return [self._with_fields(record) for record in self._store.all_passages()]

    def passages_of(self, article_ids: Sequence[str]) -> list[StoredPassage]:
        return [self._with_fields(record) for record in self._store.passages_of(article_ids)]

    def _with_fields(self, record: StoredPassage) -> StoredPassage:
        text = f"{self._fields(record)}\n\n{record.passage.text}"
        return dataclasses.replace(record, passage=dataclasses.replace(record.passage, text=text))


class _HeaderVectors:
    """The store, each passage's vector that of its article's title and the passage, encoded
    when first asked for."""

    def __init__(self, store: Store, embedder: Embedder):
        self._store = store
        self._embedder = embedder
        self._vectors: dict[str, np.ndarray] = {}

    def __getattr__(self, name: str):
        return getattr(self._store, name)

    def passage_vectors(self, passage_ids: Sequence[str]) -> dict[str, np.ndarray]:
        missing = [pid for pid in passage_ids if pid not in self._vectors]
        if missing:
            records = self._store.passages(missing)
            encoded = self._embedder.embed(
                [f"{r.article.title or ''}\n\n{r.passage.text}" for r in records]
            )
            self._vectors |= {r.passage.id: v for r, v in zip(records, encoded, strict=True)}
        return {pid: self._vectors[pid] for pid in passage_ids if pid in self._vectors}


class _KnownSentences:
    """The embedder, with the vectors of sentences already encoded looked up, not encoded."""

    def __init__(self, embedder: Embedder, known: dict[str, np.ndarray]):
        self._embedder = embedder
        self._known = known

    def __getattr__(self, name: str):
        return getattr(self._embedder, name)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        unknown = list(dict.fromkeys(t for t in texts if t not in self._known))
        encoded = dict(zip(unknown, self._embedder.embed(unknown), strict=True)) if unknown else {}
        return np.stack([self._known[t] if t in self._known else encoded[t] for t in texts])


class _DenseFeedback:
    """The sentence vectors, a question's own vector moved toward those of the passages the
    shipped retriever puts first: Rocchio's pseudo-relevance feedback, q + weight x their
    mean, scaled to unit length. The retriever asks for one text, the question."""

    def __init__(self, vectors: SentenceVectors, first: Retriever, *, passages: int, weight: float):
        self._vectors = vectors
        self._first = first
        self._passages = passages
        self._weight = weight

    def __getattr__(self, name: str):
        return getattr(self._vectors, name)

    def of(self, texts: Sequence[str], **kwargs) -> np.ndarray:
        (question,) = texts
        found = self._first.search(question, k=self._passages, selection=ArticleFilter())
        mean = np.mean([p.vector for p in found], axis=0)
        moved = self._vectors.of(texts)[0] + self._weight * mean
        return (moved / np.linalg.norm(moved))[None, :]


class _KeywordFeedback:
    """The keyword index, each question's terms joined by the `added` terms weighing most in
    the passages the shipped retriever puts first (their share of each passage's terms x
    their idf over the archive, summed over the passages: RM3's idea), each counted once
    against the question's own `repeats`."""

    def __init__(
        self,
        keyword: KeywordIndex,
        first: Retriever,
        *,
        passages: int,
        added: int,
        repeats: int = 2,
    ):
        self._keyword = keyword
        self._first = first
        self._passages = passages
        self._added = added
        self._repeats = repeats
        self._live = len(keyword.passage_ids())
        self._idf: dict[str, float] = {}

    def __getattr__(self, name: str):
        return getattr(self._keyword, name)

    def search(
        self, query: str, *, limit: int, selection: ArticleFilter
    ) -> list[tuple[str, float]]:
        asked = set(terms(query))
        weights: Counter[str] = Counter()
        word_of: dict[str, str] = {}  # a word that gives the term: terms() stems what it reads
        for passage in self._first.search(query, k=self._passages, selection=selection):
            # Word by word, the passage's terms() in order, each with a word that gives it.
            pairs = [(w, t) for w in re.findall(r"\w\w+", passage.text.lower()) for t in terms(w)]
            word_of |= {term: word for word, term in pairs}
            for term, count in Counter(term for _, term in pairs).items():
                if term not in asked:
                    weights[term] += count / len(pairs) * self._idf_of(word_of[term])
        added = [word_of[term] for term, _ in weights.most_common(self._added)]
        expanded = " ".join([query] * self._repeats + added)
        return self._keyword.search(expanded, limit=limit, selection=selection)

    def _idf_of(self, word: str) -> float:
        if word not in self._idf:
            frequency = len(self._keyword.search(word, limit=self._live, selection=ArticleFilter()))
            self._idf[word] = float(np.log(1 + (self._live - frequency + 0.5) / (frequency + 0.5)))
        return self._idf[word]


class _BM25Parameters:
    """The keyword index, scoring with other BM25 parameters (it reads them at query time)."""

    def __init__(self, index: KeywordIndex, *, k1: float, b: float):
        self._index = index
        self._parameters = {"K1": k1, "B": b}

    def __getattr__(self, name: str):
        return getattr(self._index, name)

    def search(
        self, query: str, *, limit: int, selection: ArticleFilter
    ) -> list[tuple[str, float]]:
        with mock.patch.multiple(keyword_scoring, **self._parameters):
            return self._index.search(query, limit=limit, selection=selection)


def _sentence_vectors(store: Store) -> dict[str, np.ndarray]:
    """Every stored sentence's vector, by its text."""
    records = store.all_passages()
    known: dict[str, np.ndarray] = {}
    for start in range(0, len(records), 1000):
        batch = records[start : start + 1000]
        stored = store.sentence_vectors([r.passage.id for r in batch])
        for record in batch:
            rows = stored.get(record.passage.id)
            if rows is not None:
                known |= zip(sentences(record.passage.text), rows.astype(np.float32), strict=True)
    return known


def _shorter_passages(settings: Settings, components: Components, tokens: int) -> Components:
    """The components of the archive split into passages of `tokens` tokens, ingested first if
    the index does not hold them yet."""
    shorter = settings.replace(
        index_path=RESULTS / f"archive-passages-{tokens}", passage_tokens=tokens
    )
    if open_store(shorter).counts()[0] >= components.store.counts()[0]:
        return build_components(shorter, embedder=components.embedder)
    started = time.perf_counter()
    built = build_components(
        shorter,
        embedder=_KnownSentences(components.embedder, _sentence_vectors(components.store)),
    )
    max_bytes = settings.ingestion.max_article_bytes
    report = built.ingestor.ingest(load_paths(CORPORA, max_bytes=max_bytes))
    print(report.summary(), f"({time.perf_counter() - started:.0f} s)", flush=True)
    return built


def _title(record: StoredPassage) -> str:
    return record.article.title or ""


def _date(record: StoredPassage) -> str:
    return f"{record.article.date:%B %Y}" if record.article.date else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, default=RESULTS / "soak-index-sentences")
    parser.add_argument("--split", default="dev", choices=["dev", "test"])
    parser.add_argument("--passage-tokens", type=int, help="also passages of this many tokens")
    args = parser.parse_args()
    questions = [q for q in read_jsonl(QUESTIONS) if q["split"] == args.split and q["answerable"]]
    settings = load_settings(index_path=args.index)
    components = build_components(settings)
    store, config = components.store, settings.retrieval

    def retriever_with(
        store_for_vectors: Store = store,
        keyword: KeywordIndex | None = None,
        vectors: SentenceVectors | None = None,
        **retrieval_settings,
    ):
        return Retriever(
            store=store_for_vectors,
            vectors=vectors or components.sentence_vectors,
            keyword=keyword or components.keyword,
            config=config.model_copy(update=retrieval_settings),
        )

    first = components.retriever  # the shipped one, whose first passages give the feedback

    def keyword_with(*fields: Callable[[StoredPassage], str]) -> KeywordIndex:
        return KeywordIndex(
            _TextWithFields(store, lambda r: " ".join(field(r) for field in fields))
        )

    variants = {
        "as shipped": lambda: retriever_with(),
        "BM25: title among the words": lambda: retriever_with(keyword=keyword_with(_title)),
        "BM25: title twice": lambda: retriever_with(keyword=keyword_with(_title, _title)),
        "BM25: month and year among the words": lambda: retriever_with(keyword=keyword_with(_date)),
        "dense: title header (candidates re-encoded)": lambda: retriever_with(
            _HeaderVectors(store, components.embedder)
        ),
        **{
            f"dense: feedback from the first 3, weight {weight}": lambda weight=weight: (
                retriever_with(
                    vectors=_DenseFeedback(
                        components.sentence_vectors, first, passages=3, weight=weight
                    )
                )
            )
            for weight in (0.1, 0.3, 0.6)
        },
        **{
            f"BM25: {added} terms of the first 3 added": lambda added=added: retriever_with(
                keyword=_KeywordFeedback(components.keyword, first, passages=3, added=added)
            )
            for added in (5, 10)
        },
        **{
            f"BM25: k1 {k1}, b {b}": lambda k1=k1, b=b: retriever_with(
                keyword=_BM25Parameters(components.keyword, k1=k1, b=b)
            )
            for k1, b in ((0.9, 0.75), (1.2, 0.75), (2.0, 0.75), (1.5, 0.4), (1.5, 0.6), (1.5, 0.9))
        },
        **{
            f"score fusion, dense weight {weight}": lambda weight=weight: retriever_with(
                dense_weight=weight
            )
            for weight in (0.4, 0.6)
        },
    }
    if args.passage_tokens:
        shorter = _shorter_passages(settings, components, args.passage_tokens)
        variants[f"passages of {args.passage_tokens} tokens"] = lambda: shorter.retriever
    results: dict = {
        "command": "bench/retrieval_variants.py " + " ".join(sys.argv[1:]),
        "split": args.split,
        "questions": len(questions),
        "passages": store.counts()[1],
    }
    for name, build in variants.items():
        started = time.perf_counter()
        retriever = build()
        ranked = [
            articles_shown(retriever.search(q["question"], k=HITS_K, selection=ArticleFilter()))
            for q in questions
        ]
        found = hits(questions, ranked)
        results[name] = found | {"seconds": round(time.perf_counter() - started)}
        print(name, json.dumps(results[name]), flush=True)
    (RESULTS / "retrieval_variants.json").write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
