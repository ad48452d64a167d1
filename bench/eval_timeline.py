"""Timelines against hand-annotated stories (bench/timelines/stories.json), beside a baseline,
in one run.

    .venv/bin/python bench/eval_timeline.py [--index bench/results/soak-index-sentences]

The index must hold realtimeqa_articles (bench/soak.py builds one). For each annotated story,
the timeline of its topic over its window, and the baseline: for each day, the first sentence
of the day's best-ranked article among what retrieval finds for the topic (the top 50
passages). Per story and overall:
- **days found**: the annotated days that have a line;
- **events right**: the annotated days whose line holds one of the day's `any_of` words;
- **off-story lines**: lines on days with no report of the story (another story's news);
- seconds per timeline.
Figures go to bench/results/eval_timeline.json.
"""

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path

from service.briefing import TimelineRequest
from service.components import build_components
from service.domain import ArticleFilter
from service.settings import load_settings
from service.text import sentences

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench/results"
STORIES = ROOT / "bench/timelines/stories.json"


def baseline(components, topic: str, window: ArticleFilter) -> dict[str, str]:
    """Day -> the first sentence of that day's best-ranked article for the topic."""
    lines: dict[str, str] = {}
    for passage in components.retriever.search(topic, k=50, selection=window):
        day = passage.article.date and passage.article.date.isoformat()
        if day and day not in lines:
            article = components.store.get(passage.article.article_id)
            lines[day] = next(iter(sentences(article.text)), "")
    return lines


def score(lines: dict[str, str], days: list[dict]) -> dict:
    annotated = {day["date"]: day for day in days}
    right = [
        day["date"]
        for day in days
        if any(word.lower() in lines.get(day["date"], "").lower() for word in day["any_of"])
    ]
    return {
        "days": len(days),
        "days_found": sum(1 for day in days if day["date"] in lines),
        "events_right": len(right),
        "lines": len(lines),
        "off_story_lines": sum(1 for day in lines if day not in annotated),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, default=RESULTS / "soak-index-sentences")
    args = parser.parse_args()
    components = build_components(load_settings(index_path=args.index))
    components.keyword.refresh()
    results = {
        "command": "bench/eval_timeline.py " + " ".join(sys.argv[1:]),
        "date": dt.date.today().isoformat(),
        "stories": {},
    }
    totals = {"timeline": {}, "baseline": {}}
    for story in json.loads(STORIES.read_text()):
        window = ArticleFilter(
            date_from=dt.date.fromisoformat(story["date_from"]),
            date_to=dt.date.fromisoformat(story["date_to"]),
        )
        began = time.perf_counter()
        timeline = components.timeline.timeline(
            TimelineRequest(window=window, topic=story["topic"])
        )
        seconds = time.perf_counter() - began
        lines = {entry.date.isoformat(): entry.text for entry in timeline.entries}
        scored = {
            "timeline": score(lines, story["days"]),
            "baseline": score(baseline(components, story["topic"], window), story["days"]),
        }
        scored["timeline"]["seconds"] = round(seconds, 2)
        scored["timeline_lines"] = lines
        results["stories"][story["story"]] = scored
        for name in totals:
            for key, value in scored[name].items():
                totals[name][key] = round(totals[name].get(key, 0) + value, 2)
    results["overall"] = totals
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "eval_timeline.json").write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
