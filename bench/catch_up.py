"""Catching up with a bulk write: the first search and listing after N passages arrived at once.

    .venv/bin/python bench/catch_up.py --before DIR [--sizes 10000 42000]

DIR is a checkout of the service to compare with (e.g. `git worktree add DIR 3d4fb05`, the
last commit before the store read in pieces). For each size N and each checkout, in a process
of its own on a fresh local index: the keyword index and the article catalogue look at the
empty store, then N passages of real news text (bench/scale.py's `fill`: random vectors, the
model is not run) are written, as a bulk ingest would, and the two catch up: the time each
took, whether it failed, and how many of the new passages / articles each holds after a
second look (what a user's next search and listing would see). Figures go to
bench/results/catch_up-<sizes>.json.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"


def measure(passages: int) -> dict:
    """In this process, with whichever service is on the path."""
    from scale import fill

    from service.components import open_store
    from service.domain import ArticleFilter
    from service.retrieval import ArticleCatalogue, KeywordIndex
    from service.settings import load_settings

    settings = load_settings(index_path=Path(tempfile.mkdtemp()) / "index")
    store = open_store(settings)
    keyword, catalogue = KeywordIndex(store), ArticleCatalogue(store)
    keyword.refresh()
    catalogue.page(ArticleFilter(), limit=10, offset=0)
    fill(settings, passages)
    stored_articles, stored_passages = store.counts()
    found: dict = {"passages": stored_passages, "articles": stored_articles}
    for name, index, look, held in [
        ("keyword index", keyword, keyword.refresh, lambda: len(keyword.passage_ids())),
        (
            "catalogue",
            catalogue,
            lambda: catalogue.page(ArticleFilter(), limit=10, offset=0),
            lambda: catalogue.page(ArticleFilter(), limit=10, offset=0)[0],
        ),
    ]:
        started = time.perf_counter()
        try:
            look()
            # Now a failed catch-up is kept for /health, not raised.
            error = index.status().error if hasattr(index, "status") else None
        except Exception as failure:  # the checkout before raised it
            error = f"{type(failure).__name__}: {failure}"
        seconds = time.perf_counter() - started
        found[name] = {"catch_up_s": round(seconds, 2), "error": error, "held_after": held()}
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", type=Path, required=True, help="the checkout to compare")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 42_000])
    parser.add_argument("--measure", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return
    results: dict = {"sizes": args.sizes, "runs": []}
    for size in args.sizes:
        for label, checkout in [("before", args.before.resolve()), ("now", BENCH.parent)]:
            environment = os.environ | {"PYTHONPATH": f"{checkout}{os.pathsep}{BENCH}"}
            command = [sys.executable, str(BENCH / "catch_up.py"), "--before", "."]
            done = subprocess.run(
                [*command, "--measure", str(size)],
                cwd=checkout,
                env=environment,
                capture_output=True,
                text=True,
                check=True,
            )
            run = {"checkout": label, "size": size} | json.loads(done.stdout.splitlines()[-1])
            results["runs"].append(run)
            print(json.dumps(run), flush=True)
    RESULTS.mkdir(exist_ok=True)
    named = "-".join(str(size) for size in args.sizes)
    (RESULTS / f"catch_up-{named}.json").write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
