"""Scale: the keyword index and the article list at 100,000 passages and more.

    .venv/bin/python bench/scale.py [--passages 100000]

Fills a local Chroma index (bench/results/scale-<N>, kept for later runs) with N passages of
real news text, cut from ../shared/data's bbc_news and realtimeqa_articles by the service's own
splitter (articles repeated under new ids until there are N passages), each with a random unit
vector and random sentence vectors: everything measured here reads and indexes text and
metadata, never the model, so the model is not run.

Then, in one process, the keyword index as it was (bm25s built from every passage whenever the
store changed, and at every start) beside the one that applies changes and is saved:
- start: build from the store (before) / load the saved index and catch up (now);
- the first keyword search after one article is ingested, and after one is deleted;
- the memory the index holds (tracemalloc);
and a page of GET /articles (the store's list_articles). Figures are printed and written to
bench/results/scale.json.
"""

import argparse
import itertools
import json
import time
import tracemalloc
from pathlib import Path

import bm25s
import numpy as np
import Stemmer

from service.components import open_store, passage_splitter
from service.domain import Article, ArticleFilter, IndexedArticle, Passage
from service.embedding import SentenceTransformerEmbedder
from service.loading import load_paths
from service.retrieval import KeywordIndex
from service.settings import load_settings
from service.text import sentences

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench/results"
DATA = ROOT.parent / "shared/data"
CORPORA = [DATA / "bbc_news/articles.jsonl", DATA / "realtimeqa_articles/articles.jsonl"]
QUERY = "central bank interest rates inflation"
DIMENSION = 384


def unit_rows(generator: np.random.Generator, rows: int) -> np.ndarray:
    vectors = generator.standard_normal((rows, DIMENSION)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def fill(settings, passages_wanted: int) -> None:
    """Write articles until the index holds `passages_wanted` passages."""
    store = open_store(settings)
    if store.counts()[1] >= passages_wanted:
        return
    # The model's tokenizer sizes passages as ingestion does; no text is encoded.
    split = passage_splitter(
        settings, SentenceTransformerEmbedder(None, batch_size=1, threads=None)
    ).split
    articles = [a for a in load_paths(CORPORA, max_bytes=1_000_000) if isinstance(a, Article)]
    generator = np.random.default_rng(7)
    written, batch = 0, []
    for copy in itertools.count():
        for article in articles:
            if written >= passages_wanted:
                break
            renamed = Article(**(vars(article) | {"id": f"{article.id}~{copy}"}))
            passages = split(renamed)
            batch.append(
                IndexedArticle(
                    renamed,
                    "bench",
                    passages,
                    unit_rows(generator, len(passages)),
                    [unit_rows(generator, len(sentences(p.text))) for p in passages],
                )
            )
            written += len(passages)
            if len(batch) == 64:
                store.write(batch)
                batch = []
        if written >= passages_wanted:
            break
    if batch:
        store.write(batch)


def timed(action):
    started = time.perf_counter()
    result = action()
    return result, time.perf_counter() - started


def held_memory(build):
    """What `build` returns, and the MiB it still holds (tracemalloc sees numpy's arrays)."""
    tracemalloc.start()
    built = build()
    held = tracemalloc.get_traced_memory()[0] / 2**20
    tracemalloc.stop()
    return built, held


def bm25s_rebuild(store) -> tuple[bm25s.BM25, list[str]]:
    """The keyword index as it was: every passage read and indexed anew."""
    records = store.all_passages()
    tokens = bm25s.tokenize(
        [r.passage.text for r in records],
        stopwords="en",
        stemmer=Stemmer.Stemmer("english"),
        show_progress=False,
    )
    index = bm25s.BM25()
    index.index(tokens, show_progress=False)
    return index, [r.passage.id for r in records]


def one_article(number: int) -> IndexedArticle:
    article = Article(
        id=f"scale-probe-{number}",
        text="The central bank raised interest rates again to fight inflation.",
        body_end=66,
    )
    passage = Passage(article.id, 0, 0, len(article.text), article.text)
    generator = np.random.default_rng(number)
    return IndexedArticle(
        article, f"probe{number}", [passage], unit_rows(generator, 1), [unit_rows(generator, 1)]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=100_000)
    args = parser.parse_args()
    index_path = RESULTS / f"scale-{args.passages}"
    settings = load_settings(index_path=index_path)
    _, fill_s = timed(lambda: fill(settings, args.passages))
    store = open_store(settings)
    articles, passages = store.counts()
    saved = index_path / "bench-keyword"
    print(f"{articles:,} articles, {passages:,} passages (filled in {fill_s:.0f} s)")

    # Timed without tracemalloc (it slows Python down), then built again to weigh it.
    before, now = {}, {}
    _, before["start_s"] = timed(lambda: bm25s_rebuild(store))
    _, before["held_mib"] = held_memory(lambda: bm25s_rebuild(store))
    KeywordIndex(store, path=saved).refresh()  # saved once, as a running service would have
    _, now["start_s"] = timed(lambda: _started(store, saved))
    index, now["held_mib"] = held_memory(lambda: _started(store, saved))

    store.write([one_article(1)])
    _, before["first_search_after_ingest_s"] = timed(lambda: bm25s_rebuild(store))
    store.write([one_article(2)])
    _, now["first_search_after_ingest_s"] = timed(
        lambda: index.search(QUERY, limit=50, selection=ArticleFilter())
    )
    store.delete("scale-probe-1")
    _, before["first_search_after_delete_s"] = timed(lambda: bm25s_rebuild(store))
    store.delete("scale-probe-2")
    _, now["first_search_after_delete_s"] = timed(
        lambda: index.search(QUERY, limit=50, selection=ArticleFilter())
    )
    _, now["search_unchanged_s"] = timed(
        lambda: index.search(QUERY, limit=50, selection=ArticleFilter())
    )
    _, listing_s = timed(lambda: store.list_articles(ArticleFilter(), limit=20, offset=0))

    results = {
        "command": "bench/scale.py --passages " + str(args.passages),
        "archive": {"articles": articles, "passages": passages},
        "keyword_index": {"before (bm25s rebuilt)": before, "now (changes applied)": now},
        "list_articles_page_s": listing_s,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "scale.json").write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


def _started(store, saved: Path) -> KeywordIndex:
    index = KeywordIndex(store, path=saved)
    index.search(QUERY, limit=50, selection=ArticleFilter())
    return index


if __name__ == "__main__":
    main()
