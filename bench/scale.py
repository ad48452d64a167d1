"""Scale: latency, the keyword index and the article list at 100,000 passages and more.

    .venv/bin/python bench/scale.py [--sizes 10000 30000 100000] [--questions 40]

For each size N, fills a local Chroma index (bench/results/scale-<N>, kept for later runs) with
N passages of
real news text, cut from ../shared/data's bbc_news and realtimeqa_articles by the service's own
splitter (articles repeated under new ids until there are N passages), each with a random unit
vector and random sentence vectors: everything measured here reads and indexes text and
metadata, never the model, so the model is not run. The parser is: each sentence's parse is
stored as ingest stores it (an article's copies share its parses), since the reading step and
the citation check read them.

On the largest, in one process, the keyword index as it was (bm25s built from every passage
whenever the store changed, and at every start) beside the one that applies changes and is
saved:
- start: build from the store (before) / load the saved index and catch up (now);
- the first keyword search after one article is ingested, and after one is deleted;
- the memory the index holds (tracemalloc);
and a page of GET /articles: every article read and sorted (before) beside the catalogue
(now). Then `newsdesk serve` on each index (and on the largest through `chroma run` too):
start to ready, one client asking each question as /search and extractive /ask in turn, then
checking five-sentence paragraphs (/verify).
Figures go to bench/results/scale.json, /ask and /search p95 against size to scale.png.
"""

import argparse
import datetime as dt
import itertools
import json
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import bm25s
import chromadb
import httpx
import matplotlib
import numpy as np
import Stemmer
from load import HOST, RESULTS, free_port, percentile, serve
from soak import CORPORA

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from service.components import open_store, passage_splitter
from service.domain import Article, ArticleFilter, IndexedArticle, Passage
from service.domain.parse import ParsedSentence
from service.embedding import SentenceTransformerEmbedder
from service.loading import load_paths
from service.parsing import load_parser
from service.retrieval import ArticleCatalogue, KeywordIndex
from service.settings import load_settings
from service.text import sentence_spans, sentences

QUERY = "central bank interest rates inflation"
EVERYTHING = ArticleFilter()
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
    parser = load_parser(settings.parsing.parser_model)
    parsed: dict[str, list[list[ParsedSentence]]] = {}
    generator = np.random.default_rng(7)
    written, batch = 0, []
    for copy in itertools.count():
        for article in articles:
            if written >= passages_wanted:
                break
            renamed = Article(**(vars(article) | {"id": f"{article.id}~{copy}"}))
            passages = split(renamed)
            if article.id not in parsed:
                parsed[article.id] = [parser.parse(sentences(p.text)) for p in passages]
            batch.append(
                IndexedArticle(
                    renamed,
                    "bench",
                    passages,
                    unit_rows(generator, len(passages)),
                    [unit_rows(generator, len(sentences(p.text))) for p in passages],
                    parsed[article.id],
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


def index_measurements(index_path: Path) -> dict:
    """The keyword index and the article pages, before and now, in this process."""
    settings = load_settings(index_path=index_path)
    store = open_store(settings)
    saved = index_path / "bench-keyword"

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

    # GET /articles: every article's metadata read and sorted for each page (before), or the
    # catalogue (now): its first page reads every article once, later pages only their own.
    listing_before, listing_now = {}, {}
    client = chromadb.PersistentClient(
        str(index_path), settings=chromadb.config.Settings(anonymized_telemetry=False)
    )
    articles_collection = client.get_collection(f"{settings.store.collection_prefix}_articles")
    _, listing_before["page_s"] = timed(lambda: old_page(articles_collection))
    catalogue = ArticleCatalogue(store)
    _, listing_now["first_page_s"] = timed(lambda: catalogue.page(EVERYTHING, limit=20, offset=0))
    _, listing_now["page_s"] = timed(lambda: catalogue.page(EVERYTHING, limit=20, offset=5000))
    store.write([one_article(3)])
    _, listing_now["page_after_ingest_s"] = timed(
        lambda: catalogue.page(EVERYTHING, limit=20, offset=0)
    )
    store.delete("scale-probe-3")

    return {
        "keyword_index": {"before (bm25s rebuilt)": before, "now (changes applied)": now},
        "article_pages": {
            "before (all read, sorted)": listing_before,
            "now (catalogue)": listing_now,
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 30_000, 100_000])
    parser.add_argument("--questions", type=int, default=40, help="per size, one client")
    parser.add_argument(
        "--real-index",
        type=Path,
        help="also one client on this index of really embedded articles (e.g. bench/soak.py's): "
        "the filled ones hold random vectors, so there /ask mostly abstains, which is cheaper",
    )
    parser.add_argument(
        "--one-client-only",
        action="store_true",
        help="only the one-client latencies (on indexes filled before), to "
        "bench/results/scale-one-client.json",
    )
    args = parser.parse_args()
    sizes = sorted(args.sizes)
    if args.one_client_only:
        measure_one_client(args, sizes, {"command": "bench/scale.py " + " ".join(sys.argv[1:])})
        return
    indexes = {size: RESULTS / f"scale-{size}" for size in sizes}
    archives = {}
    for size, index_path in indexes.items():
        began = time.perf_counter()
        fill(load_settings(index_path=index_path), size)
        fill_s = time.perf_counter() - began
        articles, passages = open_store(load_settings(index_path=index_path)).counts()
        disk = sum(f.stat().st_size for f in index_path.rglob("*") if f.is_file())
        archives[size] = {
            "articles": articles,
            "passages": passages,
            "disk_mib_per_1000_passages": round(disk / 2**20 / passages * 1000, 1),
        }
        print(f"{size}: {articles:,} articles, {passages:,} passages (fill {fill_s:.0f} s)")

    largest = indexes[sizes[-1]]
    results = {
        "command": "bench/scale.py " + " ".join(sys.argv[1:]),
        "date": dt.date.today().isoformat(),
        "archives": archives,
        **index_measurements(largest),
    }
    measure_one_client(args, sizes, results)
    plot(results, sizes, RESULTS / "scale.png")


def measure_one_client(args: argparse.Namespace, sizes: list[int], results: dict) -> None:
    """One client on each index, and on the largest through `chroma run`; the figures are
    added to `results` and written out."""
    indexes = {size: RESULTS / f"scale-{size}" for size in sizes}
    questions = questions_from_titles(args.questions)
    paragraphs = paragraphs_of_articles(args.questions)
    results["one_client"] = {
        f"local {size}": one_client(index_path, questions, paragraphs)
        for size, index_path in indexes.items()
    }
    results["one_client"][f"chroma server {sizes[-1]}"] = one_client(
        indexes[sizes[-1]], questions, paragraphs, chroma_server=True
    )
    if args.real_index:
        results["one_client"][f"local, real vectors: {args.real_index}"] = one_client(
            args.real_index, questions, paragraphs
        )
    RESULTS.mkdir(exist_ok=True)
    name = "scale-one-client.json" if args.one_client_only else "scale.json"
    (RESULTS / name).write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


def questions_from_titles(count: int) -> list[str]:
    titles = []
    for line in CORPORA[1].open():
        title = json.loads(line).get("title")
        if title:
            titles.append(f"What happened: {title}?")
    return titles[:: max(1, len(titles) // count)][:count]


def paragraphs_of_articles(count: int) -> list[str]:
    """Five-sentence paragraphs to check (/verify): the opening sentences of articles."""
    texts = [json.loads(line)["text"] for line in CORPORA[1].open()]
    found = []
    for text in texts[:: max(1, len(texts) // count)]:
        spans = sentence_spans(text)
        if len(spans) >= 5:
            found.append(text[spans[0][0] : spans[4][1]])
    return found[:count]


def one_client(
    index_path: Path, questions: list[str], paragraphs: list[str], *, chroma_server: bool = False
) -> dict:
    """Start to ready, then each question as /search and as extractive /ask, one at a time
    (the first after start counted); then each five-sentence paragraph checked (/verify)."""
    chroma = None
    settings: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as replica_dir:
        if chroma_server:
            port = free_port()
            chroma = subprocess.Popen(
                [
                    str(Path(sys.executable).parent / "chroma"),
                    "run",
                    "--path",
                    str(index_path),
                    "--host",
                    HOST,
                    "--port",
                    str(port),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            _wait_for(f"http://{HOST}:{port}/api/v2/heartbeat")
            settings["NEWSDESK_CHROMA_URL"] = f"http://{HOST}:{port}"
            index_path = Path(replica_dir)  # the replica's own keyword index copy lives here
        started = time.perf_counter()
        server, url, _ = serve(index_path, **settings)
        ready_s = time.perf_counter() - started
        timings: dict[str, list[float]] = {
            "/search": [],
            "/ask": [],
            "/verify": [],
        }
        try:
            with httpx.Client(base_url=url, timeout=120) as http:
                for question in questions:
                    for path, field in (("/search", "query"), ("/ask", "question")):
                        began = time.perf_counter()
                        response = http.post(path, json={field: question})
                        response.raise_for_status()
                        timings[path].append(time.perf_counter() - began)
                for paragraph in paragraphs:
                    began = time.perf_counter()
                    http.post("/verify", json={"text": paragraph}).raise_for_status()
                    timings["/verify"].append(time.perf_counter() - began)
        finally:
            server.terminate()
            server.wait(timeout=30)
            if chroma:
                chroma.terminate()
                chroma.wait(timeout=30)
    return {"start_to_ready_s": round(ready_s, 1)} | {
        path: {
            "first_ms": round(values[0] * 1000),
            "p50_ms": round(percentile(values, 0.5) * 1000),
            "p95_ms": round(percentile(values, 0.95) * 1000),
        }
        for path, values in timings.items()
    }


def _wait_for(url: str) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=2).raise_for_status()
            return
        except httpx.HTTPError:
            time.sleep(0.5)
    raise RuntimeError(f"{url} never answered")


def plot(results: dict, sizes: list[int], out: Path) -> None:
    """/ask and /search p95 (one client) against the archive's passages."""
    figure, axis = plt.subplots(figsize=(6, 3.2))
    passages = [results["archives"][size]["passages"] for size in sizes]
    for path in ("/ask", "/search"):
        p95 = [results["one_client"][f"local {size}"][path]["p95_ms"] for size in sizes]
        axis.plot(passages, p95, marker="o", label=f"{path} p95")
    axis.axhline(150, color="grey", linestyle="--", linewidth=0.8, label="/ask goal (150 ms)")
    axis.set_xlabel("passages in the archive (local index)")
    axis.set_ylabel("ms, one client")
    axis.set_ylim(bottom=0)
    axis.grid(alpha=0.3)
    axis.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(out, dpi=120)


def old_page(collection) -> list:
    records = collection.get(include=["metadatas"])
    ordered = sorted(
        zip(records["ids"], records["metadatas"], strict=True),
        key=lambda record: (record[1].get("date", ""), record[0]),
        reverse=True,
    )
    return ordered[:20]


def _started(store, saved: Path) -> KeywordIndex:
    index = KeywordIndex(store, path=saved)
    index.search(QUERY, limit=50, selection=ArticleFilter())
    return index


if __name__ == "__main__":
    main()
