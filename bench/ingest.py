"""Ingestion throughput, next to the raw encode rate of the same model on the same passages.

    .venv/bin/python bench/ingest.py [--data PATH.jsonl] [--limit N]

Three timings in one run, on a fresh index in a temporary directory:
1. raw encode: the embedder alone on exactly the passages ingestion will write, and on their
   distinct sentences (whose vectors ingestion stores too): the ceiling; and the parser
   alone on those sentences (their parses are stored too, parsed while the model encodes);
2. first ingest, end to end: read, clean, split, embed, write to Chroma;
3. second ingest of the unchanged corpus (should skip everything).
Figures are printed and written to bench/results/ingest.json.
"""

import argparse
import itertools
import json
import resource
import tempfile
import time
from pathlib import Path

from service.components import build_components
from service.domain import Article
from service.loading import load_paths
from service.settings import load_settings
from service.text import sentences

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared/data/bbc_news/articles.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int, default=None, help="first N articles only")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as index:
        components = build_components(load_settings(index_path=Path(index)))
        max_bytes = components.settings.ingestion.max_article_bytes

        def corpus():
            return itertools.islice(load_paths([args.data], max_bytes=max_bytes), args.limit)

        articles = [item for item in corpus() if isinstance(item, Article)]
        texts = [p.text for article in articles for p in components.splitter.split(article)]
        words = sum(len(text.split()) for text in texts)
        # What ingestion encodes besides the passages: each distinct sentence of them, once
        # per batch of articles (a sentence shared across batches is encoded again there).
        distinct_sentences = list(dict.fromkeys(s for text in texts for s in sentences(text)))

        started = time.perf_counter()
        components.embedder.embed(texts)
        raw_seconds = time.perf_counter() - started
        started = time.perf_counter()
        components.embedder.embed(distinct_sentences)
        raw_sentence_seconds = time.perf_counter() - started
        started = time.perf_counter()
        components.sentence_parses.parser.parse(distinct_sentences)
        raw_parse_seconds = time.perf_counter() - started

        started = time.perf_counter()
        first = components.ingestor.ingest(corpus())
        first_seconds = time.perf_counter() - started

        started = time.perf_counter()
        second = components.ingestor.ingest(corpus())
        second_seconds = time.perf_counter() - started

    raw_rate = len(texts) / raw_seconds
    raw_everything_rate = len(texts) / (raw_seconds + raw_sentence_seconds)
    ingest_rate = first.passages_written / first_seconds
    results = {
        "data": str(args.data),
        "articles": len(articles),
        "passages": len(texts),
        "mean_words_per_passage": round(words / len(texts), 1),
        "distinct_sentences": len(distinct_sentences),
        "raw_encode_passages_per_s": round(raw_rate, 2),
        "raw_encode_passages_and_sentences_per_s": round(raw_everything_rate, 2),
        "raw_parse_sentences_per_s": round(len(distinct_sentences) / raw_parse_seconds, 1),
        "raw_parse_passages_per_s": round(len(texts) / raw_parse_seconds, 2),
        "first_ingest_s": round(first_seconds, 1),
        "first_ingest_articles_per_s": round(first.succeeded / first_seconds, 2),
        "first_ingest_passages_per_s": round(ingest_rate, 2),
        "ingest_vs_raw_encode_of_passages": round(ingest_rate / raw_rate, 3),
        "ingest_vs_raw_encode_of_all_it_encodes": round(ingest_rate / raw_everything_rate, 3),
        "second_ingest_s": round(second_seconds, 2),
        "second_ingest_unchanged": second.unchanged,
        "first_vs_second_speedup": round(first_seconds / second_seconds, 1),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "first_report": first.summary(),
    }
    out = Path(__file__).parent / "results" / "ingest.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
