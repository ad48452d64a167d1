"""The contested figures (numbers, an office's holders, an event's days) that weekly
briefings of an index put on their storylines, each listed for reading by hand.

    .venv/bin/python bench/figures/briefing_notes.py --index bench/results/tl-index

A labelled pair says whether the service is right on pairs drawn from the archive; this says
what a user sees: how many notes a season's briefings carry and what they say. The notes
quote publishers' sentences, so the listing stays in bench/results.
"""

import argparse
import datetime as dt
import json
import time
from collections import Counter
from pathlib import Path

from service.briefing import BriefRequest
from service.components import build_components
from service.domain import ArticleFilter
from service.settings import load_settings

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--first", default="2022-04-01")
    parser.add_argument("--weeks", type=int, default=17)
    parser.add_argument("--out", type=Path, default=ROOT / "bench/results/briefing_notes.json")
    args = parser.parse_args()
    components = build_components(load_settings(index_path=args.index))
    start = dt.date.fromisoformat(args.first)
    notes, seconds = [], []
    for week in range(args.weeks):
        window = ArticleFilter(
            date_from=start + dt.timedelta(days=7 * week),
            date_to=start + dt.timedelta(days=7 * week + 6),
        )
        began = time.perf_counter()
        briefing = components.briefing.brief(
            BriefRequest(window=window, length="long", max_articles=200)
        )
        seconds.append(time.perf_counter() - began)
        for storyline in briefing.storylines:
            for figure in storyline.figures:
                notes.append(
                    {
                        "week": str(window.date_from),
                        "what": figure.what,
                        "answers": figure.answers,
                        "kind": figure.kind,
                        "values": [
                            {
                                "value": value.text,
                                "source": value.source,
                                "date": str(value.date),
                                "sentence": value.citation.quote,
                            }
                            for value in figure.values
                        ],
                    }
                )
    results = {
        "command": "bench/figures/briefing_notes.py " + f"--index {args.index}",
        "weeks": args.weeks,
        "notes": dict(Counter(f"{n['answers']} {n['kind']}" for n in notes)),
        "seconds per week (median)": sorted(seconds)[len(seconds) // 2],
        "listed": notes,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps({k: v for k, v in results.items() if k != "listed"}, indent=2))
    for note in notes:
        print(
            f"{note['week']} {note['kind']} {note['what']}: "
            + " | ".join(f"{v['value']} ({v['source']} {v['date']})" for v in note["values"])
        )


if __name__ == "__main__":
    main()
