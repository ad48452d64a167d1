"""Timelines against hand-annotated stories (bench/timelines/stories.json), beside a baseline,
in one run.

    .venv/bin/python bench/eval_timeline.py [--index INDEX] [--half test] [--out FILE]

The index must hold realtimeqa_articles of 2022-04-01 to 2022-08-05 at least (bench/soak.py
builds one of them all). The stories come in three sets, reported apart: the three of issue 14
("issue-14"), and the seven added for issue 33, split into halves before any tuning ("dev",
"test"). For each annotated story,
the timeline of its topic over its window, and the baseline: for each day, the first sentence
of the day's best-ranked article among what retrieval finds for the topic (the top 50
passages). Per story and overall:
- **days found**: the annotated days that have a line;
- **events right**: the annotated days whose line holds one of the day's `any_of` words;
- **off-story lines**: lines on days with no report of the story (another story's news);
- **stray lines per 15**: off-story lines for every 15 lines;
- seconds per timeline;
with --before, the same for another checkout's timelines (`git worktree add DIR <commit>`),
each in a process of its own.
Figures go to bench/results/eval_timeline.json, with the lines (the publishers' sentences: a copy
in docs/ leaves them out).
"""

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path

from checkouts import run_worker  # this folder's

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


def worker(arguments: str) -> None:
    """One line of JSON per story: its timeline's lines and seconds, with the `service`
    package on PYTHONPATH (this checkout's or --before's)."""
    asked = json.loads(arguments)
    components = build_components(load_settings(index_path=Path(asked["index"])))
    components.keyword.refresh()
    for story in asked["stories"]:
        began = time.perf_counter()
        timeline = components.timeline.timeline(
            TimelineRequest(window=window_of(story), topic=story["topic"])
        )
        seconds = time.perf_counter() - began
        lines = {entry.date.isoformat(): entry.text for entry in timeline.entries}
        print(json.dumps({"story": story["story"], "lines": lines, "seconds": seconds}))


def run_timelines(tree: Path, index: Path, stories: list[dict]) -> dict[str, dict]:
    """Story -> its lines and seconds, from `tree`'s service in a process of its own."""
    replies = run_worker(__file__, tree, {"index": str(index), "stories": stories})
    return {reply["story"]: reply for reply in replies}


def window_of(story: dict) -> ArticleFilter:
    return ArticleFilter(
        date_from=dt.date.fromisoformat(story["date_from"]),
        date_to=dt.date.fromisoformat(story["date_to"]),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, default=RESULTS / "soak-index-sentences")
    parser.add_argument("--half", action="append", help="only these sets (default: all)")
    parser.add_argument("--before", type=Path, help="a checkout whose timelines to compare")
    parser.add_argument("--out", type=Path, default=RESULTS / "eval_timeline.json")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker)
        return
    stories = [
        story
        for story in json.loads(STORIES.read_text())
        if not args.half or story["half"] in args.half
    ]
    trees = {"timeline": ROOT} | ({"before": args.before} if args.before else {})
    made = {name: run_timelines(tree, args.index, stories) for name, tree in trees.items()}
    components = build_components(load_settings(index_path=args.index))
    components.keyword.refresh()
    results = {
        "command": "bench/eval_timeline.py " + " ".join(sys.argv[1:]),
        "date": dt.date.today().isoformat(),
        "stories": {},
    }
    totals: dict[str, dict[str, dict]] = {}
    for story in stories:
        scored = {
            name: score(made[name][story["story"]]["lines"], story["days"])
            | {"seconds": round(made[name][story["story"]]["seconds"], 2)}
            for name in trees
        }
        lead_lines = baseline(components, story["topic"], window_of(story))
        scored["baseline"] = score(lead_lines, story["days"])
        scored["timeline_lines"] = made["timeline"][story["story"]]["lines"]
        scored["half"] = story["half"]
        results["stories"][story["story"]] = scored
        half = totals.setdefault(story["half"], {})
        for name in [*trees, "baseline"]:
            for key, value in scored[name].items():
                half.setdefault(name, {})
                half[name][key] = round(half[name].get(key, 0) + value, 2)
    for half in totals.values():
        for made_by in half.values():
            made_by["stray_per_15"] = round(
                15 * made_by["off_story_lines"] / max(1, made_by["lines"]), 2
            )
    results["by_half"] = totals
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results["by_half"], indent=2))


if __name__ == "__main__":
    main()
