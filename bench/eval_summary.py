"""Extractive summaries against references, next to lead-3; and a one-week briefing.

    .venv/bin/python bench/eval_summary.py [--articles N] [--skip-week]

1. ROUGE-1/2/L (F1, stemmed) of three-sentence single-article summaries against the BBC News
   Summary references (../shared/data/bbc_news_summary), for lead-3 and for the briefing's
   extractive summarizer (centroid + MMR) at several strengths of its lead prior, all on the
   same articles in the same run. Each article is ingested and summarised as a one-article
   storyline, through the same code as a briefing.
2. A briefing over the busiest week of ../shared/data/realtimeqa_articles: articles, the time
   to ingest them, the time of the briefing, its storylines, bullets and size as JSON.
Figures are printed and written to bench/results/eval_summary.json.
"""

import argparse
import collections
import datetime as dt
import itertools
import json
import tempfile
import time
from pathlib import Path

from rouge_score import rouge_scorer

from service.api.schemas import BriefingOut
from service.briefing import BriefRequest, ExtractiveSummarizer, group_storylines
from service.components import Components, build_components
from service.domain import Article, ArticleFilter, RetrievedPassage
from service.loading import load_paths
from service.settings import load_settings
from service.text import sentence_spans

DATA = Path(__file__).resolve().parents[2] / "shared/data"
SENTENCES = 3
LEAD_BONUSES = (0.0, 0.1, 0.2, 0.3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=None, help="first N BBC articles only")
    parser.add_argument("--skip-week", action="store_true")
    args = parser.parse_args()
    results = {"rouge": rouge_against_references(args.articles)}
    if not args.skip_week:
        results["week_briefing"] = week_briefing()
    out = Path(__file__).parent / "results" / "eval_summary.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


def rouge_against_references(limit: int | None) -> dict:
    references = {
        r["article_id"]: r["summary"]
        for r in map(json.loads, (DATA / "bbc_news_summary/summaries.jsonl").open())
    }
    with tempfile.TemporaryDirectory() as index:
        components = build_components(load_settings(index_path=Path(index)))
        loaded = load_paths([DATA / "bbc_news/articles.jsonl"], max_bytes=2_000_000)
        articles = [a for a in itertools.islice(loaded, limit) if isinstance(a, Article)]
        started = time.perf_counter()
        components.ingestor.ingest(articles)
        ingest_seconds = time.perf_counter() - started

        scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
        systems = {"lead-3": []} | {f"newsdesk (lead prior {b})": [] for b in LEAD_BONUSES}
        started = time.perf_counter()
        for article in articles:
            reference = references[article.id]
            body = article.text[: article.body_end]
            lead = " ".join(body[s:e] for s, e in sentence_spans(body)[:SENTENCES])
            systems["lead-3"].append(scorer.score(reference, lead))
            for bonus in LEAD_BONUSES:
                summary = summarize_one(components, article.id, bonus)
                systems[f"newsdesk (lead prior {bonus})"].append(scorer.score(reference, summary))
        summarize_seconds = time.perf_counter() - started

    return {
        "articles": len(articles),
        "sentences_per_summary": SENTENCES,
        "ingest_s": round(ingest_seconds, 1),
        "summarize_all_variants_s": round(summarize_seconds, 1),
        "f1": {
            name: {
                metric: round(sum(s[metric].fmeasure for s in scores) / len(scores), 4)
                for metric in ("rouge1", "rouge2", "rougeL")
            }
            for name, scores in systems.items()
        },
    }


def summarize_one(components: Components, article_id: str, lead_bonus: float) -> str:
    """The article as a one-article storyline, summarised as a briefing would."""
    articles = components.store.article_vectors(ArticleFilter(article_ids=[article_id]))
    (storyline,) = group_storylines(articles, duplicate_similarity=1.1, max_distance=0.0)
    passages = [
        RetrievedPassage.of(record, score=0.0, query_vector=storyline.centroid)
        for record in components.store.passages_of([article_id])
    ]
    summarizer = ExtractiveSummarizer(
        components.sentence_vectors, components.sentence_parses, lead_bonus=lead_bonus
    )
    drafts = summarizer.draft(storyline, passages, bullets=SENTENCES, topic=None)
    return " ".join(draft.rsplit(" [", 1)[0] for draft in drafts)


def week_briefing() -> dict:
    path = DATA / "realtimeqa_articles/articles.jsonl"
    dated = [
        a for a in load_paths([path], max_bytes=2_000_000) if isinstance(a, Article) and a.date
    ]
    weeks = collections.Counter(a.date - dt.timedelta(days=a.date.weekday()) for a in dated)
    monday, count = weeks.most_common(1)[0]
    sunday = monday + dt.timedelta(days=6)
    week = [a for a in dated if monday <= a.date <= sunday]
    with tempfile.TemporaryDirectory() as index:
        components = build_components(load_settings(index_path=Path(index)))
        started = time.perf_counter()
        report = components.ingestor.ingest(week)
        ingest_seconds = time.perf_counter() - started
        runs = {}
        for topic in (None, "inflation and interest rates"):
            request = BriefRequest(
                window=ArticleFilter(date_from=monday, date_to=sunday),
                topic=topic,
                max_articles=200,
                length="medium",
            )
            started = time.perf_counter()
            briefing = components.briefing.brief(request)
            seconds = time.perf_counter() - started
            body = BriefingOut.of(briefing).model_dump_json()
            runs[topic or "(no topic)"] = {
                "seconds": round(seconds, 2),
                "storylines_found": len(briefing.storylines),
                "articles_used": briefing.articles_used,
                "bullets": len(briefing.bullets),
                "words": sum(len(b.text.split()) for b in briefing.bullets),
                "json_bytes": len(body.encode()),
                "labels": [s.label for s in briefing.storylines],
                "warnings": briefing.warnings,
            }
    return {
        "week": f"{monday} to {sunday}",
        "articles": count,
        "passages": report.passages_written,
        "ingest_s": round(ingest_seconds, 1),
        "briefings": runs,
    }


if __name__ == "__main__":
    main()
