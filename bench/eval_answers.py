"""Answers that answer, and abstentions that are right: the extractive answerer measured.

    .venv/bin/python bench/eval_answers.py [--before /tmp/newsdesk-before] [--split test]
        [--squad-questions N] [--archive bench/results/soak-index-sentences] [--skip-squad]
        [--skip-latency] [--skip-quiz] [--kept-indexes bench/results/reading-indexes]

Three parts, each with this checkout's pipeline and, with --before, another checkout's
(`git worktree add /tmp/newsdesk-before <commit>`) in a process of its own, same run:
1. News: bench/questions/news.jsonl (one half; `--split dev` while tuning, `test` to report),
   asked over a fresh index of the seeds and the questions' articles, through `/ask`'s
   pipeline (with no LLM unless one is configured, below). Per question: answered or
   abstained, whether the answer holds a gold answer string (normalised), and the short
   answer against the gold strings.
2. SQuAD 2.0 (its dev half in ../shared/data; even-numbered questions with `--split dev`,
   odd-numbered ones with `test`): answered/abstained accuracy and containment.
3. Quiz questions (RealTime QA, written by newsroom quiz editors about 2022 news:
   ../shared/data/realtimeqa_questions/dev.jsonl, every one answerable, some statements with a
   blank), each asked with its quiz week as a date filter over an index of the
   realtimeqa_articles dated within any question's week (1,421 articles). Halves by a hash of
   the id (`quiz_half`), fixed before any tuning. Answered, answers holding the gold answer,
   short answers equal to it. `--skip-quiz` leaves it out.
4. Finding at archive scale (`--archive`, an index of all of bbc_news and
   realtimeqa_articles): hit@1/5 and MRR of the article each news question was written from,
   and of any article judged to answer it (`also_answered_by`), with score fusion (as
   shipped) and with reciprocal rank fusion, next to
   LangChain's RecursiveCharacterTextSplitter(1000, 200) + dense top-k over the same
   articles (its index is built once, in bench/results/naive-archive-index).
Also /ask latency (extractive, warm and cold) at the news index's size, and a threshold sweep
of answer rate against abstention written to docs/answers/threshold-sweep.png.
With NEWSDESK_LLM_BASE_URL (and _MODEL) set, the news and SQuAD parts ask through the LLM
path; each answer records which answerer gave it (`by_mode`) and its warnings (why the
LLM's answer did not stand, when it did not), and --skip-latency leaves out
the timing, which asks every question twice more.
The goals' rates (answered, abstained, containment, hit@1, hit@5) come with 95% Wilson
intervals over the draw of questions. Figures go to bench/results/eval_answers_<split>.json.
"""

import argparse
import datetime as dt
import hashlib
import json
import os
import re
import statistics
import string
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from pathlib import Path

import numpy as np
from naive_rag import NaiveRAG
from scipy.stats import binomtest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared/data"
RESULTS = ROOT / "bench/results"
QUESTIONS = ROOT / "bench/questions/news.jsonl"
QUIZ = DATA / "realtimeqa_questions/dev.jsonl"
PLOT = ROOT / "docs/answers/threshold-sweep.png"
HITS_K = 10


def normalised(text: str) -> str:
    """SQuAD's answer normalisation (lower case, no punctuation, articles or extra spaces),
    after Unicode normalisation and with citation markers removed."""
    text = unicodedata.normalize("NFKC", text).replace("\u2019", "'").lower()
    text = re.sub(r"\[\d+\]", " ", text)
    text = "".join(ch for ch in text if ch not in set(string.punctuation) - {"%", "$", "£"})
    text = re.sub(r"\b(a|an|the)\b", " ", text)
    return " ".join(text.split())


def holds_gold(text: str, answers: list[str]) -> bool:
    return any(normalised(gold) in normalised(text) for gold in answers)


def equals_gold(text: str, answers: list[str]) -> bool:
    return any(normalised(gold) == normalised(text) for gold in answers)


# ---------------------------------------------------------------------------------------------
# Worker: runs under one checkout's `service` package (PYTHONPATH), writes its rows as JSON.


def worker(job: dict) -> None:
    from fastapi.testclient import TestClient

    from service.api.app import create_app
    from service.components import build_components
    from service.domain import ArticleFilter
    from service.loading import article_from_record
    from service.loading.files import load_paths
    from service.settings import load_settings

    def articles(records: list[dict], max_bytes: int) -> list:
        return [article_from_record(record, max_bytes=max_bytes) for record in records]

    def answer_row(components, question: dict, selection) -> dict:
        answer = components.pipeline.ask(question["question"], k=6, selection=selection)
        short = getattr(answer, "short_answer", None)
        return {
            "id": question["id"],
            "text": answer.text,
            "grounded": answer.grounded,
            "mode": answer.mode,
            "warnings": answer.warnings,
            "confidence": answer_confidence(components, question["question"], answer),
            "short_answer": short.text if short else None,
            "related": len(getattr(answer, "related", []) or []),
            "features": all_features(components, question["question"], answer.passages)
            if job["features"]
            else None,
        }

    def filtered(question: dict) -> ArticleFilter:
        """The question's date filter (a quiz week), if it has one."""
        filters = question.get("filters") or {}
        return ArticleFilter(
            date_from=dt.date.fromisoformat(filters["date_from"])
            if "date_from" in filters
            else None,
            date_to=dt.date.fromisoformat(filters["date_to"]) if "date_to" in filters else None,
        )

    def all_features(components, question: str, passages) -> dict | None:
        """Every feature of the reading: what bench/fit_answerability.py fits on."""
        if not passages:
            return None
        from service.answering.reading import FEATURES

        return components.pipeline.reader.read(question, passages, features=FEATURES).features

    out: dict = {}
    with tempfile.TemporaryDirectory() as workdir:
        # With --kept-indexes, every pipeline reads the indexes bench/tune_reading.py made
        # (same articles, same passages) and ingests nothing.
        indexes = Path(job["kept_indexes"] or workdir)
        settings = load_settings(index_path=indexes / "news")
        components = build_components(settings)
        max_bytes = settings.ingestion.max_article_bytes
        if not job["kept_indexes"]:
            seeds = [a for a in load_paths([ROOT / "seeds"], max_bytes=max_bytes)]
            components.ingestor.ingest(seeds + articles(job["news_articles"], max_bytes))
        components.keyword.refresh()

        spread = job["news_questions"]
        if job["latency"]:
            out["latency_cold"] = ask_latency(TestClient, create_app, settings, components, spread)
        out["news"] = [
            answer_row(components, question, filtered(question))
            for question in job["news_questions"]
        ]
        if job["latency"]:
            out["latency_warm"] = ask_latency(TestClient, create_app, settings, components, spread)

        def asked_over(name: str, records: list[dict], questions: list[dict]) -> list[dict]:
            """Each question, with its date filter, over a fresh index of these records."""
            index = load_settings(index_path=indexes / name)
            fresh = build_components(index, embedder=components.embedder)
            if not job["kept_indexes"]:
                fresh.ingestor.ingest(articles(records, max_bytes))
            fresh.keyword.refresh()
            return [answer_row(fresh, question, filtered(question)) for question in questions]

        if job["squad_questions"]:
            out["squad"] = asked_over("squad", job["squad_paragraphs"], job["squad_questions"])
        if job["quiz_questions"]:
            out["quiz"] = asked_over("quiz", job["quiz_articles"], job["quiz_questions"])
    Path(job["out"]).write_text(json.dumps(out))


def answer_confidence(components, question: str, answer) -> float:
    """What the answerer's decision to answer rests on, for the threshold sweep: the reading
    step's answerability where its model decides (1 or 0 where the question has no narrow
    type: the rule from before decides those, and they are not swept); before the reading
    step, the best sentence score."""
    if hasattr(answer, "confidence"):
        confidence = answer.confidence
        return float(confidence) if confidence is not None else float(answer.grounded)
    scored = components.pipeline.answerers.extractive.score(question, answer.passages)
    return scored[0].score if scored else -1.0


def ask_latency(client_class, create_app, settings, components, questions: list[dict]) -> dict:
    timings = []
    with client_class(create_app(settings, components=components)) as client:
        for question in questions:
            started = time.perf_counter()
            client.post("/ask", json={"question": question["question"]}).raise_for_status()
            timings.append((time.perf_counter() - started) * 1000)
    return {
        "requests": len(timings),
        "p50_ms": round(statistics.median(timings), 1),
        "p95_ms": round(float(np.percentile(timings, 95)), 1),
    }


def run_worker(tree: Path, job: dict) -> dict:
    with tempfile.TemporaryDirectory() as workdir:
        out, given = Path(workdir) / "out.json", Path(workdir) / "job.json"
        given.write_text(json.dumps({**job, "out": str(out)}))
        environment = {**os.environ, "PYTHONPATH": str(tree), "HF_HUB_OFFLINE": "1"}
        subprocess.run(
            [sys.executable, __file__, "--worker", str(given)],
            check=True,
            env=environment,
            cwd=tree,
        )
        return json.loads(out.read_text())


# ---------------------------------------------------------------------------------------------
# Scoring


def news_metrics(questions: list[dict], rows: list[dict]) -> dict:
    by_id = {row["id"]: row for row in rows}
    answerable = [q for q in questions if q["answerable"]]
    unanswerable = [q for q in questions if not q["answerable"]]
    answered = [q for q in answerable if by_id[q["id"]]["grounded"]]
    with_short = [q for q in answered if by_id[q["id"]]["short_answer"]]
    abstained = [q for q in unanswerable if not by_id[q["id"]]["grounded"]]
    holding = [q for q in answered if holds_gold(by_id[q["id"]]["text"], q["answers"])]

    def right(q: dict) -> bool:
        """Answered with a gold string, or rightly abstained."""
        row = by_id[q["id"]]
        if q["answerable"]:
            return row["grounded"] and holds_gold(row["text"], q["answers"])
        return not row["grounded"]

    return {
        "questions": len(questions),
        "answerable_answered": rate(len(answered), len(answerable)),
        "answered_holding_gold": rate(len(holding), len(answered)),
        "answerable_answered_with_gold": rate(len(holding), len(answerable)),
        "unanswerable_abstained": rate(len(abstained), len(unanswerable)),
        # The goals' rates, each with its 95% interval: with 94 near-misses, one question is
        # a point of abstention, and a round's change has to be told from the questions' draw.
        "intervals": {
            "answerable_answered": interval(len(answered), len(answerable)),
            "answered_holding_gold": interval(len(holding), len(answered)),
            "unanswerable_abstained": interval(len(abstained), len(unanswerable)),
        },
        "short_answers": len(with_short),
        "short_answer_equals_gold": rate(
            sum(equals_gold(by_id[q["id"]]["short_answer"], q["answers"]) for q in with_short),
            len(with_short),
        ),
        "short_answer_holds_gold": rate(
            sum(holds_gold(by_id[q["id"]]["short_answer"], q["answers"]) for q in with_short),
            len(with_short),
        ),
        # Which answerer gave each answer: with an LLM configured (NEWSDESK_LLM_* in the
        # environment), "llm", or "extractive" where the LLM's answer failed the checks and
        # the reading's stood in.
        "by_mode": dict(Counter(answerer_and_outcome(by_id[q["id"]]) for q in questions)),
        "abstentions_with_related": sum(
            1 for q in questions if not by_id[q["id"]]["grounded"] and by_id[q["id"]]["related"]
        ),
        "by_kind": {
            kind: rate(
                sum(right(q) for q in questions if q["kind"] == kind),
                sum(1 for q in questions if q["kind"] == kind),
            )
            for kind in sorted({q["kind"] for q in questions})
        },
    }


def answerer_and_outcome(row: dict) -> str:
    return f"{row['mode']} {'answered' if row['grounded'] else 'abstained'}"


def squad_metrics(questions: list[dict], rows: list[dict]) -> dict:
    by_id = {row["id"]: row for row in rows}
    right = sum(by_id[q["id"]]["grounded"] != q["is_impossible"] for q in questions)
    answerable = [q for q in questions if not q["is_impossible"]]
    answered = [q for q in answerable if by_id[q["id"]]["grounded"]]
    holding = sum(holds_gold(by_id[q["id"]]["text"], q["answers"]) for q in answered)
    with_short = [q for q in answered if by_id[q["id"]]["short_answer"]]
    return {
        "questions": len(questions),
        "answered_or_abstained_correctly": rate(right, len(questions)),
        "answerable_answered": rate(len(answered), len(answerable)),
        "answered_holding_gold": rate(holding, len(answered)),
        "short_answers": len(with_short),
        "short_answer_holds_gold": rate(
            sum(holds_gold(by_id[q["id"]]["short_answer"], q["answers"]) for q in with_short),
            len(with_short),
        ),
    }


def quiz_half(question: dict) -> str:
    """A quiz question's half: by a hash of its id, so the split needs no list kept."""
    return "dev" if int(hashlib.sha256(question["id"].encode()).hexdigest(), 16) % 2 else "test"


def quiz_metrics(questions: list[dict], rows: list[dict]) -> dict:
    """Every quiz question is answerable: how many are answered, and with the answer."""
    by_id = {row["id"]: row for row in rows}
    answered = [q for q in questions if by_id[q["id"]]["grounded"]]
    holding = [q for q in answered if holds_gold(by_id[q["id"]]["text"], [q["answer"]])]
    with_short = [q for q in answered if by_id[q["id"]]["short_answer"]]
    equal = [q for q in with_short if equals_gold(by_id[q["id"]]["short_answer"], [q["answer"]])]
    return {
        "questions": len(questions),
        "answerable_answered": rate(len(answered), len(questions)),
        "answered_holding_gold": rate(len(holding), len(answered)),
        "answerable_answered_with_gold": rate(len(holding), len(questions)),
        "short_answers": len(with_short),
        "short_answer_equals_gold": rate(len(equal), len(with_short)),
        "intervals": {
            "answerable_answered": interval(len(answered), len(questions)),
            "answered_holding_gold": interval(len(holding), len(answered)),
            "short_answer_equals_gold": interval(len(equal), len(with_short)),
        },
    }


def sweep(questions: list[dict], rows: list[dict]) -> list[dict]:
    """Answer rate on answerable questions and abstention rate on unanswerable ones, for each
    threshold on the decision's confidence."""
    by_id = {row["id"]: row for row in rows}
    confidences = sorted({by_id[q["id"]]["confidence"] for q in questions})
    answerable = [by_id[q["id"]]["confidence"] for q in questions if q["answerable"]]
    unanswerable = [by_id[q["id"]]["confidence"] for q in questions if not q["answerable"]]
    points = []
    for threshold in np.quantile(confidences, np.linspace(0, 1, 41)):
        points.append(
            {
                "threshold": round(float(threshold), 4),
                "answered": round(float(np.mean([c >= threshold for c in answerable])), 4),
                "abstained": round(float(np.mean([c < threshold for c in unanswerable])), 4),
            }
        )
    return points


def plot_sweeps(sweeps: dict[str, list[dict]], operating: dict[str, dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(5.5, 4.2))
    for name, points in sweeps.items():
        axes.plot(
            [p["abstained"] for p in points],
            [p["answered"] for p in points],
            marker=".",
            label=f"{name}: threshold swept",
        )
        chosen = operating[name]
        axes.scatter(
            [chosen["abstained"]], [chosen["answered"]], s=80, zorder=3, label=f"{name}: as shipped"
        )
    axes.axvline(0.85, color="grey", lw=0.8, ls="--")
    axes.axhline(0.85, color="grey", lw=0.8, ls="--")
    axes.set_xlabel("near-miss questions abstained on")
    axes.set_ylabel("answerable questions answered")
    axes.set_title("News questions (test half): answer rate vs abstention")
    axes.set_xlim(0, 1.02)
    axes.set_ylim(0, 1.02)
    axes.legend(fontsize=8, loc="lower left")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)


def rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def interval(part: int, whole: int) -> list[float] | None:
    """The Wilson 95% interval of the rate part / whole."""
    if not whole:
        return None
    found = binomtest(part, whole).proportion_ci(confidence_level=0.95, method="wilson")
    return [round(float(found.low), 4), round(float(found.high), 4)]


# ---------------------------------------------------------------------------------------------
# Finding at archive scale


def articles_shown(passages: list) -> list[list[str]]:
    """Per result, the articles it names. A passage is one result, whichever of the articles
    reporting it word for word is named first: they are shown together ("also reported
    by")."""
    shown: dict[str, list[str]] = {}
    for p in passages:
        shown.setdefault(p.article.article_id, []).extend(
            r.article_id for r in [p.article, *p.also_reported_by]
        )
    return list(shown.values())


def archive_retrieval(index: Path, questions: list[dict], records: list[dict]) -> dict:
    from service.components import build_components
    from service.domain import ArticleFilter
    from service.settings import load_settings

    answerable = [q for q in questions if q["answerable"]]
    texts = {record["id"]: record["text"] for record in records}
    results: dict = {"questions": len(answerable)}
    for name, fusion in (("newsdesk", "scores"), ("newsdesk_rank_fusion", "rank")):
        components = build_components(load_settings(index_path=index, fusion=fusion))
        components.keyword.refresh()
        for question in answerable[:20]:  # warm the caches before timing
            components.retriever.search(question["question"], k=HITS_K, selection=ArticleFilter())
        rankings, timings = [], []
        for question in answerable:
            started = time.perf_counter()
            passages = components.retriever.search(
                question["question"], k=HITS_K, selection=ArticleFilter()
            )
            timings.append((time.perf_counter() - started) * 1000)
            rankings.append(articles_shown(passages))
        results[name] = {
            **hits(answerable, rankings, texts),
            "search_p50_ms": round(statistics.median(timings), 1),
            "search_p95_ms": round(float(np.percentile(timings, 95)), 1),
        }
    results["articles"], results["passages"] = components.store.counts()
    naive = NaiveRAG(components.embedder, RESULTS / "naive-archive-index", records)
    baseline = [
        [[article] for article in naive.ranked(question["question"], HITS_K)[0]]
        for question in answerable
    ]
    results["naive_baseline"] = {**hits(answerable, baseline, texts), "chunks": naive.chunks}
    return results


def hits(
    questions: list[dict], rankings: list[list[list[str]]], texts: dict[str, str] | None = None
) -> dict:
    """hit@1, hit@5 and MRR@10 of the article each question was written from, each result
    being the articles it names (one, or several that carry the same passage word for word);
    the same under `any_answering`, where an article judged to answer it too (its
    `also_answered_by`: many stories are reported by several outlets in the archive) counts as
    well; with `texts`, also the share of questions whose first (or first five) results hold
    a gold answer string, judged or not."""
    answered = {}
    if texts is not None:
        for n in (1, 5):
            held = [
                any(holds_gold(texts[a], q["answers"]) for result in ranked[:n] for a in result)
                for q, ranked in zip(questions, rankings, strict=True)
            ]
            answered[f"answer_in_top{n}"] = rate(sum(held), len(held))
    written_from = [set(q["article_ids"]) for q in questions]
    answering = [set(q["article_ids"]) | set(q.get("also_answered_by", [])) for q in questions]
    return {
        **ranked_at(written_from, rankings),
        "any_answering": ranked_at(answering, rankings),
        **answered,
    }


def ranked_at(golds: list[set[str]], rankings: list[list[list[str]]]) -> dict:
    ranks = []
    for gold, ranked in zip(golds, rankings, strict=True):
        found = [rank for rank, result in enumerate(ranked, start=1) if gold & set(result)]
        ranks.append(found[0] if found else None)
    first = sum(1 for r in ranks if r == 1)
    in_five = sum(1 for r in ranks if r and r <= 5)
    return {
        "hit@1": rate(first, len(ranks)),
        "hit@1_interval": interval(first, len(ranks)),
        "hit@5": rate(in_five, len(ranks)),
        "hit@5_interval": interval(in_five, len(ranks)),
        "mrr@10": round(sum(1 / r for r in ranks if r) / len(ranks), 4),
    }


# ---------------------------------------------------------------------------------------------


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.open()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--before", type=Path, help="a checkout whose pipeline to compare")
    parser.add_argument("--split", default="test", choices=["dev", "test"])
    parser.add_argument("--squad-questions", type=int, default=None, help="the first N only")
    parser.add_argument("--skip-squad", action="store_true")
    parser.add_argument("--skip-quiz", action="store_true")
    parser.add_argument(
        "--skip-latency", action="store_true", help="no /ask timing (slow with an LLM)"
    )
    parser.add_argument(
        "--kept-indexes",
        type=Path,
        help="read the indexes bench/tune_reading.py keeps (bench/results/reading-indexes)",
    )
    parser.add_argument("--archive", type=Path, help="index of all bbc_news + realtimeqa")
    parser.add_argument(
        "--archive-only", action="store_true", help="the archive part alone, added to the results"
    )
    args = parser.parse_args()
    if args.worker:
        worker(json.loads(Path(args.worker).read_text()))
        return

    everything = {
        r["id"]: r
        for name in ("bbc_news", "realtimeqa_articles")
        for r in read_jsonl(DATA / name / "articles.jsonl")
    }
    questions = [q for q in read_jsonl(QUESTIONS) if q["split"] == args.split]
    output = RESULTS / f"eval_answers_{args.split}.json"
    if args.archive_only:
        results = json.loads(output.read_text())
        results["archive"] = archive_retrieval(args.archive, questions, list(everything.values()))
        results["command_archive"] = "bench/eval_answers.py " + " ".join(sys.argv[1:])
        output.write_text(json.dumps(results, indent=2) + "\n")
        print(json.dumps(results["archive"], indent=2))
        return
    news_ids = sorted({a for q in read_jsonl(QUESTIONS) for a in q["article_ids"]})
    squad_questions: list[dict] = []
    squad_paragraphs: list[dict] = []
    if not args.skip_squad:
        squad = DATA / "squad_v2_dev_half"
        # SQuAD's even-numbered questions are its development half, the odd ones its test half.
        half = slice(0, None, 2) if args.split == "dev" else slice(1, None, 2)
        squad_questions = read_jsonl(squad / "qa.jsonl")[half][: args.squad_questions]
        squad_paragraphs = read_jsonl(squad / "paragraphs.jsonl")
    quiz_questions: list[dict] = []
    quiz_articles: list[dict] = []
    if not args.skip_quiz:
        quiz = read_jsonl(QUIZ)
        quiz_questions = [q for q in quiz if quiz_half(q) == args.split]
        weeks = {(q["filters"]["date_from"], q["filters"]["date_to"]) for q in quiz}
        quiz_articles = [
            record
            for record in read_jsonl(DATA / "realtimeqa_articles/articles.jsonl")
            if record.get("date") and any(start <= record["date"] <= end for start, end in weeks)
        ]
    job = {
        "quiz_articles": quiz_articles,
        "quiz_questions": quiz_questions,
        "news_articles": [everything[a] for a in news_ids],
        "news_questions": questions,
        "squad_paragraphs": squad_paragraphs,
        "squad_questions": squad_questions,
        "latency": not args.skip_latency,
        "kept_indexes": str(args.kept_indexes.resolve()) if args.kept_indexes else None,
    }
    pipelines = {"now": ROOT, **({"before": args.before} if args.before else {})}
    started = time.perf_counter()
    # Only this checkout's rows need every feature of the reading (for fitting).
    replies = {
        name: run_worker(tree, {**job, "features": tree == ROOT})
        for name, tree in pipelines.items()
    }

    results: dict = {
        "command": "bench/eval_answers.py " + " ".join(sys.argv[1:]),
        "date": dt.date.today().isoformat(),
        "split": args.split,
        "pipelines": {name: str(tree) for name, tree in pipelines.items()},
        "news": {},
        "squad": {},
        "quiz": {},
        "latency": {},
        "sweep": {},
    }
    for name, reply in replies.items():
        results["news"][name] = news_metrics(questions, reply["news"])
        if not args.skip_latency:
            results["latency"][name] = {
                "cold": reply["latency_cold"],
                "warm": reply["latency_warm"],
            }
        results["sweep"][name] = sweep(questions, reply["news"])
        if squad_questions:
            results["squad"][name] = squad_metrics(squad_questions, reply["squad"])
        if "quiz" in reply:  # a checkout from before the quiz part asks none
            results["quiz"][name] = quiz_metrics(quiz_questions, reply["quiz"])
    operating = {
        name: {
            "answered": results["news"][name]["answerable_answered"],
            "abstained": results["news"][name]["unanswerable_abstained"],
        }
        for name in replies
    }
    if args.split == "test":
        plot_sweeps(results["sweep"], operating, PLOT)
    if args.archive:
        results["archive"] = archive_retrieval(args.archive, questions, list(everything.values()))
    results["seconds"] = round(time.perf_counter() - started)
    # Every answer with its features: what bench/fit_answerability.py fits on (dev half only).
    (RESULTS / f"eval_answers_{args.split}_rows.json").write_text(json.dumps(replies))
    RESULTS.mkdir(exist_ok=True)
    output.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps({k: v for k, v in results.items() if k != "sweep"}, indent=2))


if __name__ == "__main__":
    main()
