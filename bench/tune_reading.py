"""Read the three writers' questions again and again: for tuning the reading step on their
development halves, and for the rows bench/fit_answerability.py fits on.

    .venv/bin/python bench/tune_reading.py [--split dev] [--show misses|abstentions]
        [--squad-questions N]

The three writers (bench/eval_answers.py says more): the project's news questions
(bench/questions/news.jsonl), SQuAD 2.0's crowd-written ones (even-numbered: dev) and the
RealTime QA quiz editors' (`quiz_half`). Each set's articles are ingested once into an index
kept in bench/results/reading-indexes/ and every question's passages retrieved once (k=6,
with its filters, as /ask does); later runs only read them again, which takes seconds for
the news and quiz sets (SQuAD's 3,039 take a few minutes: `--squad-questions`).

Per writer: answerable questions answered, the answer holding a gold answer string (short
answer, then the answer sentences, as the extractive answerer writes them), short answers
equal to a gold answer (normalised), unanswerable questions abstained on. Every question's
reading features go to bench/results/reading_<split>_rows.json for fitting.
"""

import argparse
import datetime as dt
import json
import pickle

from eval_answers import (
    DATA,
    QUESTIONS,
    QUIZ,
    RESULTS,
    ROOT,
    equals_gold,
    holds_gold,
    quiz_half,
    read_jsonl,
)

from service.answering.extractive import answer_sentences
from service.answering.reading import FEATURES
from service.components import build_components
from service.domain import ArticleFilter
from service.loading import article_from_record
from service.loading.files import load_paths
from service.settings import load_settings

INDEXES = RESULTS / "reading-indexes"
K = 6


def writers() -> dict[str, tuple[list, list[dict]]]:
    """Each writer's (articles, questions), every question with its `split` and golds."""
    everything = {
        r["id"]: r
        for name in ("bbc_news", "realtimeqa_articles")
        for r in read_jsonl(DATA / name / "articles.jsonl")
    }
    news = read_jsonl(QUESTIONS)
    news_ids = sorted({a for q in news for a in q["article_ids"]})
    seeds = list(load_paths([ROOT / "seeds"], max_bytes=10_000_000))
    squad_dir = DATA / "squad_v2_dev_half"
    squad = read_jsonl(squad_dir / "qa.jsonl")
    for index, question in enumerate(squad):
        question["split"] = "dev" if index % 2 == 0 else "test"
        question["answerable"] = not question["is_impossible"]
    quiz = read_jsonl(QUIZ)
    for question in quiz:
        question |= {
            "split": quiz_half(question),
            "answerable": True,
            "answers": [question["answer"]],
        }
    weeks = {(q["filters"]["date_from"], q["filters"]["date_to"]) for q in quiz}
    quiz_articles = [
        r
        for r in read_jsonl(DATA / "realtimeqa_articles/articles.jsonl")
        if r.get("date") and any(start <= r["date"] <= end for start, end in weeks)
    ]
    return {
        "news": (seeds + [everything[a] for a in news_ids], news),
        "squad": (read_jsonl(squad_dir / "paragraphs.jsonl"), squad),
        "quiz": (quiz_articles, quiz),
    }


def selection(question: dict) -> ArticleFilter:
    filters = question.get("filters") or {}
    return ArticleFilter(**{k: dt.date.fromisoformat(v) for k, v in filters.items()})


def retrieved(name: str, records: list, questions: list[dict], embedder) -> tuple:
    """The writer's index (made on the first run) and each question's passages."""
    settings = load_settings(index_path=INDEXES / name)
    components = build_components(settings, embedder=embedder)
    kept = INDEXES / f"{name}-passages.pickle"
    if not kept.exists():
        max_bytes = settings.ingestion.max_article_bytes
        components.ingestor.ingest(
            r if not isinstance(r, dict) else article_from_record(r, max_bytes=max_bytes)
            for r in records
        )
        components.keyword.refresh()
        found = {
            q["id"]: components.retriever.search(q["question"], k=K, selection=selection(q))
            for q in questions
        }
        kept.write_bytes(pickle.dumps(found))
    return components, pickle.loads(kept.read_bytes())


def rate(part: int, whole: int) -> str:
    return f"{part}/{whole} = {part / whole:.1%}" if whole else "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="dev", choices=["dev", "test"])
    parser.add_argument("--show", choices=["misses", "abstentions"])
    parser.add_argument("--squad-questions", type=int, help="the first N of the half only")
    args = parser.parse_args()
    INDEXES.mkdir(parents=True, exist_ok=True)
    rows: dict[str, list[dict]] = {}
    embedder = None
    for name, (records, questions) in writers().items():
        components, passages_of = retrieved(name, records, questions, embedder)
        embedder = components.embedder
        reader = components.pipeline.reader
        half = [q for q in questions if q["split"] == args.split]
        if name == "squad":
            half = half[: args.squad_questions]
        counts = dict.fromkeys(
            ["answerable", "answered", "held", "short", "equal", "unanswerable", "abstained"], 0
        )
        rows[name] = []
        for question in half:
            passages = passages_of[question["id"]]
            if not passages:
                continue
            reading = reader.read(question["question"], passages, features=FEATURES)
            short = reading.short_answer.text if reading.short_answer else None
            text = " ".join([short or "", *(s.text for s in answer_sentences(reading))])
            rows[name].append(
                {
                    "id": question["id"],
                    "answerable": question["answerable"],
                    "features": reading.features,
                }
            )
            golds = question["answers"]
            if not question["answerable"]:
                counts["unanswerable"] += 1
                counts["abstained"] += not reading.answered
                continue
            counts["answerable"] += 1
            if reading.answered:
                counts["answered"] += 1
                counts["held"] += holds_gold(text, golds)
                counts["short"] += bool(short)
                counts["equal"] += bool(short) and equals_gold(short, golds)
            shown = (
                args.show == "misses"
                and reading.answered
                and short
                and not equals_gold(short, golds)
            ) or (args.show == "abstentions" and not reading.answered)
            if shown:
                asked = reading.asked
                print(
                    f"  {question['question'][:120]} | gold {golds[:2]} | short {short} | "
                    f"{asked.kind}/{asked.focus}/{asked.predicate} | {reading.confidence}"
                )
        c = counts
        print(
            f"{name} {args.split}: answered {rate(c['answered'], c['answerable'])}, holding gold "
            f"{rate(c['held'], c['answered'])}, short answers equal {rate(c['equal'], c['short'])}"
            f", abstained {rate(c['abstained'], c['unanswerable'])}",
            flush=True,
        )
    (RESULTS / f"reading_{args.split}_rows.json").write_text(json.dumps({"now": rows}))


if __name__ == "__main__":
    main()
