"""Retrieval and abstention on SQuAD 2.0 (dev half), next to a naive baseline, in one run.

    .venv/bin/python bench/eval_retrieval.py [--data DIR] [--questions N] [--latency-queries 200]

Corpus: every paragraph of paragraphs.jsonl, ingested as an article.
- Newsdesk: its own passages, hybrid retrieval (dense + BM25, fused), duplicate collapse.
- Baseline: LangChain RecursiveCharacterTextSplitter(1000, 200) + Chroma + the same embedder,
  dense top-k only.
Retrieval on the answerable questions: recall@1/5/10 and MRR@10 of the gold paragraph.
Abstention on all questions: each system abstains when its score for the question is under a
threshold (Newsdesk: the extractive answerer's best sentence score; baseline: the top-1
cosine similarity). Thresholds are chosen for best accuracy on the even-numbered questions and
reported on the odd-numbered ones. Also the share of answered answerable questions whose
extractive answer contains a gold answer, and /search and extractive /ask latency through
the HTTP stack, before the evaluation (sentence vectors not cached) and after it.
Figures are printed and written to bench/results/eval_retrieval.json.
"""

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
from fastapi.testclient import TestClient
from naive_rag import NaiveRAG

from service.answering.extractive import answer_sentences
from service.api.app import create_app
from service.api.schemas import AskIn
from service.components import Components, build_components
from service.domain import ArticleFilter
from service.loading import article_from_record
from service.settings import load_settings

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared/data/squad_v2_dev_half"
K = 10
ASK_K = AskIn.model_fields["k"].default  # the passages /ask answers from by default
EVERYTHING = ArticleFilter()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--questions", type=int, default=None, help="first N questions only")
    parser.add_argument("--latency-queries", type=int, default=200)
    args = parser.parse_args()

    paragraphs = [json.loads(line) for line in (args.data / "paragraphs.jsonl").open()]
    questions = [json.loads(line) for line in (args.data / "qa.jsonl").open()][: args.questions]

    with tempfile.TemporaryDirectory() as workdir:
        settings = load_settings(index_path=Path(workdir) / "newsdesk")
        components = build_components(settings)
        started = time.perf_counter()
        report = components.ingestor.ingest(
            [
                article_from_record(p, max_bytes=settings.ingestion.max_article_bytes)
                for p in paragraphs
            ]
        )
        components.keyword.refresh()
        ingest_seconds = time.perf_counter() - started
        baseline = NaiveRAG(components.embedder, Path(workdir) / "baseline", paragraphs)

        # Cold: questions spread over the corpus, before anything is cached.
        spread = questions[:: max(1, len(questions) // args.latency_queries)][
            : args.latency_queries
        ]
        latency_cold = measure_latency(settings, components, spread)

        newsdesk_rows, baseline_rows = [], []
        started = time.perf_counter()
        for question in questions:
            newsdesk_rows.append(evaluate_newsdesk(components, question))
            ranked, score = baseline.ranked(question["question"], K)
            baseline_rows.append({"question": question, "ranked": ranked, "score": score})
        evaluate_seconds = time.perf_counter() - started

        latency_warm = measure_latency(settings, components, spread)

    results = {
        "data": str(args.data),
        "paragraphs": len(paragraphs),
        "questions": len(questions),
        "answerable": sum(not q["is_impossible"] for q in questions),
        "newsdesk_passages": report.passages_written,
        "baseline_chunks": baseline.chunks,
        "newsdesk_ingest_s": round(ingest_seconds, 1),
        "evaluate_s": round(evaluate_seconds, 1),
        "retrieval": {
            "newsdesk": retrieval_metrics(newsdesk_rows),
            "baseline": retrieval_metrics(baseline_rows),
        },
        "abstention": {
            "newsdesk (best sentence score)": abstention_metrics(newsdesk_rows),
            "baseline (top-1 similarity)": abstention_metrics(baseline_rows),
        },
        "newsdesk_threshold_sweep": threshold_sweep(newsdesk_rows),
        "extractive_answer_contains_gold": answer_containment(newsdesk_rows),
        "latency_ms_cold_cache": latency_cold,
        "latency_ms_warm_cache": latency_warm,
    }
    out = Path(__file__).parent / "results" / "eval_retrieval.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


def evaluate_newsdesk(components: Components, question: dict) -> dict:
    passages = components.retriever.search(question["question"], k=K, selection=EVERYTHING)
    ranked = []
    for passage in passages:
        for article_id in [
            passage.article.article_id,
            *(r.article_id for r in passage.also_reported_by),
        ]:
            if article_id not in ranked:
                ranked.append(article_id)
    # The answer is drawn from the passages /ask would use, by the reading step; its best
    # sentence score is what the hand rule of abstention thresholds.
    reading = components.pipeline.reader.read(question["question"], passages[:ASK_K])
    return {
        "question": question,
        "ranked": ranked,
        "score": reading.features["best_score"] if reading.sentences else -1.0,
        "answer": " ".join(sentence.text for sentence in answer_sentences(reading)),
    }


def retrieval_metrics(rows: list[dict]) -> dict:
    answerable = [row for row in rows if not row["question"]["is_impossible"]]

    def rank(row: dict) -> int | None:
        gold = row["question"]["article_id"]
        return row["ranked"].index(gold) + 1 if gold in row["ranked"] else None

    ranks = [rank(row) for row in answerable]
    return {
        **{
            f"recall@{n}": round(sum(1 for r in ranks if r and r <= n) / len(ranks), 4)
            for n in (1, 5, 10)
        },
        "mrr@10": round(sum(1 / r for r in ranks if r and r <= 10) / len(ranks), 4),
    }


def abstention_metrics(rows: list[dict]) -> dict:
    """Threshold fit on even-numbered questions, precision/recall of abstaining on odd ones."""
    calibration, held_out = rows[0::2], rows[1::2]

    def decisions(part: list[dict], threshold: float) -> tuple[int, int, int, int]:
        abstain = [row["score"] < threshold for row in part]
        impossible = [row["question"]["is_impossible"] for row in part]
        tp = sum(a and i for a, i in zip(abstain, impossible, strict=True))
        fp = sum(a and not i for a, i in zip(abstain, impossible, strict=True))
        fn = sum(not a and i for a, i in zip(abstain, impossible, strict=True))
        tn = len(part) - tp - fp - fn
        return tp, fp, fn, tn

    candidates = np.quantile([row["score"] for row in calibration], np.linspace(0, 1, 201))
    threshold = max(candidates, key=lambda t: sum(decisions(calibration, t)[i] for i in (0, 3)))
    tp, fp, fn, tn = decisions(held_out, threshold)
    return {
        "threshold": round(float(threshold), 3),
        "held_out_questions": len(held_out),
        "abstain_precision": round(tp / (tp + fp), 4) if tp + fp else None,
        "abstain_recall": round(tp / (tp + fn), 4) if tp + fn else None,
        "accuracy": round((tp + tn) / len(held_out), 4),
        "accuracy_if_never_abstaining": round((fp + tn) / len(held_out), 4),
    }


def threshold_sweep(rows: list[dict]) -> list[dict]:
    """What each abstention threshold does, on all questions: the trade-off behind the default."""
    sweep = []
    for threshold in (0.3, 0.4, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75):
        abstained = [row for row in rows if row["score"] < threshold]
        impossible = sum(row["question"]["is_impossible"] for row in rows)
        right = sum(row["question"]["is_impossible"] for row in abstained)
        sweep.append(
            {
                "threshold": threshold,
                "abstained": len(abstained),
                "abstain_precision": round(right / len(abstained), 4) if abstained else None,
                "abstain_recall": round(right / impossible, 4) if impossible else None,
            }
        )
    return sweep


def answer_containment(rows: list[dict]) -> dict:
    answerable = [row for row in rows if not row["question"]["is_impossible"]]
    answered = [row for row in answerable if row["answer"]]
    contains = sum(
        any(gold.lower() in row["answer"].lower() for gold in row["question"]["answers"])
        for row in answered
    )
    return {
        "answerable_answered": len(answered),
        "answerable": len(answerable),
        "answer_contains_gold": round(contains / len(answered), 4) if answered else None,
    }


def measure_latency(settings, components: Components, questions: list[dict]) -> dict:
    timings: dict[str, list[float]] = {"search": [], "ask_extractive": []}
    with TestClient(create_app(settings, components=components)) as client:
        for question in questions:
            for name, path, body in (
                ("search", "/search", {"query": question["question"], "k": 8}),
                ("ask_extractive", "/ask", {"question": question["question"]}),
            ):
                started = time.perf_counter()
                response = client.post(path, json=body)
                timings[name].append((time.perf_counter() - started) * 1000)
                response.raise_for_status()
    return {
        name: {
            "requests": len(values),
            "p50": round(statistics.median(values), 1),
            "p95": round(float(np.percentile(values, 95)), 1),
        }
        for name, values in timings.items()
    }


if __name__ == "__main__":
    main()
