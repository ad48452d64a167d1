"""Briefings of a year of dated news, week by week: the biggest stories covered, and bullets a
reader can use, against simple baselines and against an earlier checkout, in one run.

    .venv/bin/python bench/eval_briefing.py [--index bench/results/soak-index-sentences]
        [--before /tmp/newsdesk-before] [--min-articles 40] [--length medium]

The index must hold realtimeqa_articles from ../shared/data (bench/soak.py builds one with
them and bbc_news, whose articles have no dates and so fall in no week). For every week of
2022 (Monday to Sunday) with at least --min-articles articles, each pipeline briefs the week
(no topic) in a process of its own: this checkout's, and with --before the `service` package
of another checkout (e.g. `git worktree add /tmp/newsdesk-before <commit>`), so the two are
compared on the same weeks and the same index in the same run.

- **The week's biggest stories** (defined here, independently of the briefing's own
  storylines): the week's articles clustered by average-linkage agglomerative clustering on
  the cosine distance of their vectors (the mean of their passages'), cut at 0.35; the
  `--stories` clusters reported by the most distinct sources (then the most articles) are the
  biggest. A briefing covers a story when one of its bullets cites one of its articles.
- **Baselines**, at the same number of bullets as the briefing gave that week: the lead
  sentence of each of the newest articles, and of the longest articles.
- **Bullet quality**: the share of bullets `service.briefing.bullets.bullet_problem` (this
  checkout's) finds something wrong with, by kind: questions, fragments, talk, bare
  headlines, sentences leaning on the one before, repeats of an earlier bullet.
- **Cost**: seconds per weekly briefing, and for July 2022 and the whole of 2022; and which
  months the year's briefing cites.

Figures go to bench/results/eval_briefing.json.

With `--quiz`, the quiz editors judge instead (issue 34): for each quiz date of
../shared/data/realtimeqa_questions/quiz_weeks_dev.jsonl whose window (the 7 days up to it)
holds at least 30 articles in the index, a long briefing with no topic, and the quiz questions
whose answer appears in its bullets; the same for the lead sentences of the newest articles
and of the longest, at the briefing's number of bullets, and of every article of the week (the
ceiling). Quiz dates go to a development and a test half before any tuning: quiz dates a day
apart share most of a window's articles, so overlapping windows go to one half, and those
groups alternate in date order. With --before, that checkout's briefing is judged beside this
one's, each against the leads at its own number of bullets.
The index must hold realtimeqa_articles of those windows:

    .venv/bin/python bench/eval_briefing.py --write-quiz-articles /tmp/weeks.jsonl
    NEWSDESK_INDEX_PATH=bench/results/quiz-weeks-index .venv/bin/newsdesk ingest /tmp/weeks.jsonl
    .venv/bin/python bench/eval_briefing.py --quiz --index bench/results/quiz-weeks-index

Figures go to bench/results/eval_briefing_quiz.json.
"""

import argparse
import datetime as dt
import json
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
from checkouts import run_worker  # this folder's
from sklearn.cluster import AgglomerativeClustering

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench/results"
STORY_DISTANCE = 0.35
YEAR = 2022
QUIZ_WEEKS = ROOT.parent / "shared/data/realtimeqa_questions/quiz_weeks_dev.jsonl"
QUIZ_MIN_ARTICLES = 30
# Briefings judged by the quiz editors (long is the headline), and the leads' curve.
QUIZ_LENGTHS = ("medium", "long")
CURVE_LEADS = (3, 6, 10, 16, 24, 32, 48)
QUIZ_PLOT = ROOT / "docs/briefing/quiz-answers-by-text.png"
# True-or-false items have no answer a bullet could hold.
NO_ANSWER = {"true", "false"}


def weeks(year: int) -> list[tuple[dt.date, dt.date]]:
    monday = dt.date(year, 1, 3)  # the first Monday of 2022
    out = []
    while monday.year == year:
        out.append((monday, monday + dt.timedelta(days=6)))
        monday += dt.timedelta(days=7)
    return out


def worker(index: Path, periods: list[list[str]], length: str) -> None:
    """Brief each period with whichever `service` package is importable; print JSON lines."""
    from service.briefing import BriefRequest
    from service.components import build_components
    from service.domain import ArticleFilter
    from service.settings import load_settings

    components = build_components(load_settings(index_path=index))
    for date_from, date_to in periods:
        window = ArticleFilter(
            date_from=dt.date.fromisoformat(date_from), date_to=dt.date.fromisoformat(date_to)
        )
        began = time.perf_counter()
        briefing = components.briefing.brief(
            BriefRequest(window=window, length=length, max_articles=200)
        )
        seconds = time.perf_counter() - began
        bullets = [
            {
                "text": b.text,
                "articles": sorted({c.passage.article.article_id for c in b.citations}),
                "dates": sorted({str(c.passage.article.date) for c in b.citations}),
            }
            for b in briefing.bullets
        ]
        print(json.dumps({"period": [date_from, date_to], "seconds": seconds, "bullets": bullets}))


def run_pipeline(tree: Path, index: Path, periods: list, length: str) -> dict:
    """This script's worker with `tree`'s service package, in a process of its own."""
    arguments = {"index": str(index), "periods": periods, "length": length}
    replies = run_worker(__file__, tree, arguments)
    return {tuple(reply["period"]): reply for reply in replies}


def stories(articles: list, vectors: np.ndarray, count: int) -> list[set[str]]:
    """The week's `count` biggest stories as sets of article ids."""
    labels = np.zeros(len(articles), dtype=int)
    if len(articles) > 1:
        labels = AgglomerativeClustering(
            n_clusters=None, metric="cosine", linkage="average", distance_threshold=STORY_DISTANCE
        ).fit_predict(vectors)
    clusters = []
    for label in np.unique(labels):
        members = [articles[i] for i in np.flatnonzero(labels == label)]
        sources = {a.source for a in members if a.source}
        clusters.append((len(sources), len(members), {a.id for a in members}))
    clusters.sort(key=lambda c: (c[0], c[1]), reverse=True)
    return [ids for _, _, ids in clusters[:count]]


def lead_bullets(store, articles: list, count: int) -> list[dict]:
    """The lead sentence of each of these articles, as bullets citing it."""
    from service.text import sentences

    bullets = []
    for article in articles[:count]:
        stored = store.get(article.id)
        text = stored.text[: stored.body_end or len(stored.text)]
        # The title often opens the text as its own line: the lead is the first sentence after.
        lead = next((s for s in sentences(text) if s.strip() != (article.title or "")), "")
        bullets.append({"text": lead, "articles": [article.id]})
    return bullets


def quality(bullets: list[dict], titles: dict[str, str]) -> Counter:
    from service.answering.citations import without_markers
    from service.briefing.bullets import bullet_problem

    problems: Counter = Counter()
    said: list[str] = []
    for bullet in bullets:
        text = without_markers(bullet["text"])
        headline = titles.get(bullet["articles"][0]) if bullet["articles"] else None
        problem = bullet_problem(text, headline=headline, said=said)
        problems[problem or "none"] += 1
        said.append(text)
    return problems


def covered(bullets: list[dict], biggest: list[set[str]]) -> int:
    cited = {article for bullet in bullets for article in bullet["articles"]}
    return sum(1 for story in biggest if story & cited)


def normalised(text: str) -> str:
    """Lowercased words and numbers, one space apart ("$3 trillion" -> "3 trillion")."""
    return " ".join(re.findall(r"\w+", text.lower().replace("\u2019", "'")))


def answer_held(answer: str, bullets: list[dict]) -> bool:
    wanted = normalised(answer)
    if not wanted or wanted in NO_ANSWER:
        return False
    said = " " + " ".join(normalised(b["text"]) for b in bullets) + " "
    return f" {wanted} " in said


def write_quiz_articles(out: Path) -> None:
    """The realtimeqa_articles dated within a quiz window, as the JSONL they came in."""
    windows = [q["window"] for q in map(json.loads, QUIZ_WEEKS.open())]
    articles = ROOT.parent / "shared/data/realtimeqa_articles/articles.jsonl"
    with out.open("w") as written:
        for line in articles.open():
            day = json.loads(line).get("date")
            if day and any(w["date_from"] <= day <= w["date_to"] for w in windows):
                written.write(line)


def quiz_halves(quizzes: list[dict]) -> list[str]:
    """The half of each quiz (in date order), dev or test. Quiz dates a day apart share six of
    their seven days of articles, so quizzes whose windows overlap go to the same half, and those
    groups alternate."""
    halves, group, group_end = [], -1, ""
    for quiz in quizzes:
        if quiz["window"]["date_from"] > group_end:
            group += 1
        group_end = max(group_end, quiz["window"]["date_to"])
        halves.append("dev" if group % 2 == 0 else "test")
    return halves


def quiz_measure(args: argparse.Namespace, store) -> dict:
    """Quiz answers held by a week's long briefing, and by the newest and longest articles'
    leads at as many bullets, per pipeline and half; and by every lead (the ceiling)."""
    from service.domain import ArticleFilter

    quizzes = sorted(map(json.loads, QUIZ_WEEKS.open()), key=lambda q: q["quiz_date"])
    weeks_found = []
    for quiz, half in zip(quizzes, quiz_halves(quizzes), strict=True):
        window = quiz["window"]
        found = store.article_vectors(
            ArticleFilter(
                date_from=dt.date.fromisoformat(window["date_from"]),
                date_to=dt.date.fromisoformat(window["date_to"]),
            )
        )
        if len(found) >= QUIZ_MIN_ARTICLES:
            weeks_found.append((quiz, half, [article for article, _ in found]))
    periods = [[q["window"]["date_from"], q["window"]["date_to"]] for q, _, _ in weeks_found]
    pipelines = {"now": ROOT} | ({"before": args.before} if args.before else {})
    replies = {
        (name, length): run_pipeline(tree, args.index, periods, length)
        for name, tree in pipelines.items()
        for length in QUIZ_LENGTHS
    }
    totals: dict[tuple[str, str], Counter] = {}
    seconds: dict[tuple[str, str], list[float]] = {}

    def count(half: str, name: str, quiz: dict, bullets: list[dict]):
        total = totals.setdefault((half, name), Counter())
        total["weeks"] += 1
        total["questions"] += len(quiz["questions"])
        total["held"] += sum(answer_held(q["answer"], bullets) for q in quiz["questions"])
        total["bullets"] += len(bullets)
        total["characters"] += sum(len(b["text"]) for b in bullets)

    for (quiz, half, articles), period in zip(weeks_found, periods, strict=True):
        newest = sorted(articles, key=lambda a: a.date or dt.date.min, reverse=True)
        longest = sorted(articles, key=lambda a: -len(store.get(a.id).text))
        count(half, "every lead (ceiling)", quiz, lead_bullets(store, newest, len(newest)))
        for leads in CURVE_LEADS:
            count(half, f"newest {leads} leads", quiz, lead_bullets(store, newest, leads))
            count(half, f"longest {leads} leads", quiz, lead_bullets(store, longest, leads))
        for (name, length), reply in replies.items():
            briefed = reply[tuple(period)]
            bullets = briefed["bullets"]
            label = name if length == "long" else f"{name}, {length}"
            count(half, f"briefing ({label})", quiz, bullets)
            seconds.setdefault((half, label), []).append(briefed["seconds"])
            for baseline, ordered in (("newest", newest), ("longest", longest)):
                leads = lead_bullets(store, ordered, len(bullets))
                count(half, f"{baseline} leads at the briefing's bullets ({label})", quiz, leads)
    results: dict = {
        "command": "bench/eval_briefing.py " + " ".join(sys.argv[1:]),
        "date": dt.date.today().isoformat(),
        "min_articles": QUIZ_MIN_ARTICLES,
    }
    for (half, name), total in sorted(totals.items()):
        results.setdefault(half, {})[name] = dict(total)
    for half in ("dev", "test"):
        figures = results.get(half, {})
        ceiling = figures.get("every lead (ceiling)")
        for name, length in replies:
            label = name if length == "long" else f"{name}, {length}"
            briefing = figures.get(f"briefing ({label})")
            newest = figures.get(f"newest leads at the briefing's bullets ({label})")
            if not briefing or not ceiling:
                continue
            briefing["seconds_a_week_median"] = round(statistics.median(seconds[half, label]), 3)
            if newest and newest["held"]:
                briefing["x_newest_leads"] = round(briefing["held"] / newest["held"], 2)
            briefing["share_of_ceiling"] = round(briefing["held"] / ceiling["held"], 2)
            briefing["text_share_of_ceiling"] = round(
                briefing["characters"] / ceiling["characters"], 2
            )
    plot_quiz(results, QUIZ_PLOT)
    return results


def plot_quiz(results: dict, path: Path) -> None:
    """Quiz answers held against text, as shares of every lead's: the leads a curve each,
    the briefings a point each, the test half."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figures = results["test"]
    ceiling = figures["every lead (ceiling)"]

    def point(total: dict) -> tuple[float, float]:
        return total["characters"] / ceiling["characters"], total["held"] / ceiling["held"]

    figure, axes = plt.subplots(figsize=(6.4, 4.4))
    for baseline in ("newest", "longest"):
        curve = [point(figures[f"{baseline} {n} leads"]) for n in CURVE_LEADS] + [(1.0, 1.0)]
        xs, ys = [x for x, _ in curve], [y for _, y in curve]
        axes.plot(xs, ys, marker=".", label=f"the {baseline} articles' leads")
    for name in sorted(f for f in figures if f.startswith("briefing (")):
        label = name.removeprefix("briefing (").rstrip(")")
        label = label if "," in label else f"{label}, long"
        x, y = point(figures[name])
        colour = "black" if label.startswith("now") else "grey"
        axes.scatter([x], [y], s=40, zorder=3, color=colour, marker="o" if "long" in label else "s")
        axes.annotate(
            f"briefing, {label}", (x, y), fontsize=8, xytext=(5, -10), textcoords="offset points"
        )
    axes.axhline(0.75, color="grey", linewidth=0.6, linestyle="--")
    axes.axvline(1 / 3, color="grey", linewidth=0.6, linestyle="--")
    axes.annotate("goal", (1 / 3, 0.75), fontsize=7, xytext=(-24, 4), textcoords="offset points")
    axes.set_xlabel("text, as a share of every article's lead")
    axes.set_ylabel("quiz answers held, as a share of every lead's")
    axes.set_title("A week's briefing judged by the quiz editors (test half)", fontsize=10)
    axes.legend(fontsize=8, loc="lower right")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--index", type=Path, default=RESULTS / "soak-index-sentences")
    parser.add_argument("--before", type=Path, help="a checkout whose pipeline to compare")
    parser.add_argument("--min-articles", type=int, default=40)
    parser.add_argument("--length", default="medium", choices=["short", "medium", "long"])
    parser.add_argument("--stories", type=int, default=5, help="the biggest stories a week")
    parser.add_argument("--quiz", action="store_true", help="judged by the quiz editors")
    parser.add_argument(
        "--write-quiz-articles", type=Path, help="write the quiz windows' articles as JSONL"
    )
    args = parser.parse_args()
    if args.write_quiz_articles:
        write_quiz_articles(args.write_quiz_articles)
        return
    if args.worker:
        job = json.loads(args.worker)
        worker(Path(job["index"]), job["periods"], job["length"])
        return

    from service.components import open_store
    from service.domain import ArticleFilter
    from service.settings import load_settings

    store = open_store(load_settings(index_path=args.index))
    if args.quiz:
        results = quiz_measure(args, store)
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / "eval_briefing_quiz.json").write_text(json.dumps(results, indent=2) + "\n")
        print(json.dumps(results, indent=2))
        return
    chosen, weekly = [], {}
    for monday, sunday in weeks(YEAR):
        found = store.article_vectors(ArticleFilter(date_from=monday, date_to=sunday))
        if len(found) >= args.min_articles:
            chosen.append([monday.isoformat(), sunday.isoformat()])
            weekly[(monday.isoformat(), sunday.isoformat())] = found
    longer = [[f"{YEAR}-07-01", f"{YEAR}-07-31"], [f"{YEAR}-01-01", f"{YEAR}-12-31"]]
    print(f"{len(chosen)} weeks of {YEAR} with >= {args.min_articles} articles")

    pipelines = {"now": ROOT}
    if args.before:
        pipelines["before"] = args.before
    replies = {
        name: run_pipeline(tree, args.index, chosen + longer, args.length)
        for name, tree in pipelines.items()
    }

    totals: dict[str, dict] = {}
    for period, found in weekly.items():
        articles = [article for article, _ in found]
        vectors = np.stack([vector for _, vector in found])
        biggest = stories(articles, vectors, args.stories)
        titles = {a.id: a.title or "" for a in articles}
        budget = len(replies["now"][period]["bullets"])
        newest = sorted(articles, key=lambda a: a.date or dt.date.min, reverse=True)
        longest = sorted(articles, key=lambda a: -len(store.get(a.id).text))
        candidates = {
            **{name: reply[period]["bullets"] for name, reply in replies.items()},
            "newest leads": lead_bullets(store, newest, budget),
            "longest leads": lead_bullets(store, longest, budget),
        }
        for name, bullets in candidates.items():
            total = totals.setdefault(
                name, {"covered": 0, "stories": 0, "bullets": 0, "problems": Counter()}
            )
            total["covered"] += covered(bullets, biggest)
            total["stories"] += len(biggest)
            total["bullets"] += len(bullets)
            total["problems"] += quality(bullets, titles)

    results = {
        "command": "bench/eval_briefing.py " + " ".join(sys.argv[1:]),
        "date": dt.date.today().isoformat(),
        "weeks": len(weekly),
        "biggest_stories_a_week": args.stories,
        "story_distance": STORY_DISTANCE,
        "pipelines": {name: str(tree) for name, tree in pipelines.items()},
        "results": {},
        "seconds": {},
    }
    for name, total in totals.items():
        bad = total["bullets"] - total["problems"]["none"]
        results["results"][name] = {
            "stories_covered": round(total["covered"] / total["stories"], 3),
            "bullets": total["bullets"],
            "bullets_with_a_problem": round(bad / max(1, total["bullets"]), 3),
            "problems": dict(total["problems"].most_common()),
        }
    for name, reply in replies.items():
        week_seconds = [reply[p]["seconds"] for p in weekly]
        results["seconds"][name] = {
            "week_median": round(statistics.median(week_seconds), 2),
            "july": round(reply[tuple(longer[0])]["seconds"], 2),
            "year": round(reply[tuple(longer[1])]["seconds"], 2),
        }
        # Whether a long period's briefing draws on the whole of it or on its last days.
        results.setdefault("months_cited_in_the_year", {})[name] = sorted(
            {day[:7] for b in reply[tuple(longer[1])]["bullets"] for day in b["dates"]}
        )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "eval_briefing.json").write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
