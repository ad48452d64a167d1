"""Choose the reading step's weights on the news questions' development half.

    .venv/bin/python bench/tune_reading.py

The articles of bench/questions/news.jsonl and the seeds are ingested into a fresh index; each
answerable development question's passages are retrieved once; then, for every combination
of `ReadingWeights` in the grid, the reading is done again and scored: the share of answers
(short answer, then the answer sentences, as the extractive answerer writes them) holding a
gold answer string, and the share of short answers holding one. Answerability is left out:
this is about which sentence and phrase answer, given that the passages do.
"""

import datetime as dt
import itertools
import json
import sys
import tempfile
from pathlib import Path

from eval_answers import DATA, QUESTIONS, ROOT, holds_gold, read_jsonl

from service.answering.extractive import answer_sentences
from service.answering.reading import Answerability, Reader, ReadingWeights
from service.components import build_components
from service.domain import ArticleFilter
from service.loading import article_from_record
from service.loading.files import load_paths
from service.settings import load_settings

GRID = {
    "neighbour": [0.0, 0.8, 0.9, 0.95],
    "candidate": [0.1, 0.3, 0.5, 1.0, 2.0],
}


def main() -> None:
    questions = [q for q in read_jsonl(QUESTIONS) if q["split"] == "dev" and q["answerable"]]
    wanted = {a for q in read_jsonl(QUESTIONS) for a in q["article_ids"]}
    records = [
        r
        for name in ("bbc_news", "realtimeqa_articles")
        for r in read_jsonl(DATA / name / "articles.jsonl")
        if r["id"] in wanted
    ]
    with tempfile.TemporaryDirectory() as workdir:
        settings = load_settings(index_path=Path(workdir) / "news")
        components = build_components(settings)
        max_bytes = settings.ingestion.max_article_bytes
        seeds = list(load_paths([ROOT / "seeds"], max_bytes=max_bytes))
        articles = [article_from_record(r, max_bytes=max_bytes) for r in records]
        components.ingestor.ingest(seeds + articles)
        components.keyword.refresh()
        retrieved = []
        for question in questions:
            filters = question.get("filters") or {}
            selection = ArticleFilter(**{k: dt.date.fromisoformat(v) for k, v in filters.items()})
            passages = components.retriever.search(question["question"], k=6, selection=selection)
            retrieved.append((question, passages))

        answerability = Answerability.load()
        results = []
        for values in itertools.product(*GRID.values()):
            weights = ReadingWeights(**dict(zip(GRID, values, strict=True)))
            reader = Reader(components.sentence_vectors, answerability, weights)
            answers = shorts = 0
            for question, passages in retrieved:
                reading = reader.read(question["question"], passages)
                short = reading.short_answer.text if reading.short_answer else ""
                text = " ".join([short, *(s.text for s in answer_sentences(reading))])
                answers += holds_gold(text, question["answers"])
                shorts += bool(short) and holds_gold(short, question["answers"])
            results.append(
                {
                    **weights.__dict__,
                    "answer_holds_gold": round(answers / len(retrieved), 4),
                    "short_answer_holds_gold": round(shorts / len(retrieved), 4),
                }
            )
        results.sort(
            key=lambda r: (r["answer_holds_gold"], r["short_answer_holds_gold"]), reverse=True
        )
        print(json.dumps({"questions": len(retrieved), "grid": results}, indent=2))
        shipped = ReadingWeights()
        as_shipped = next(
            r for r in results if ReadingWeights(**{k: r[k] for k in GRID}) == shipped
        )
        print(json.dumps({"as_shipped": as_shipped}))
        if "--show" in sys.argv:  # the misses, as shipped
            reader = Reader(components.sentence_vectors, answerability)
            for question, passages in retrieved:
                reading = reader.read(question["question"], passages)
                short = reading.short_answer.text if reading.short_answer else None
                if not short or not holds_gold(short, question["answers"]):
                    print(f"{question['question']} | gold {question['answers']} | short {short}")
                    print(f"    {reading.sentences[0].text[:200]}" if reading.sentences else "")


if __name__ == "__main__":
    main()
