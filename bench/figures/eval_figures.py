"""Figures across reports against hand-labelled pairs (bench/figures/pairs.jsonl), beside the
baseline, in one run, each half apart; and who holds an office and when an event happened
against theirs (bench/figures/told_pairs.jsonl).

    .venv/bin/python bench/figures/eval_figures.py [--out bench/results/eval_figures.json]

Each pair is two numbers from different reports of one storyline (their article ids and
character spans in ../shared/data/realtimeqa_articles), labelled `agree`, `differ`, `changed`
or `different` (not the same thing). The service reads each sentence as it reads a passage's
(the parser, then `figures_in`): a number it takes for no figure leaves the pair unflagged;
else `relation` says how the two stand, given how alike the two sentences are (the
embedding model's cosine). The baseline flags any two different numbers whose
counted noun (the noun the number modifies) is the same: `differ` on one day, `changed` on
two. For `differ` and `changed`: precision (of the pairs flagged so, the share labelled so)
and recall (of the pairs labelled so, the share flagged so).

A told pair is two names said with an office word, or two days, from different reports of one
storyline (`value`: the name's or the day's span). The service reads them with `told_in`; the
baseline takes any two people said with one office word for its holders (different surnames:
they differ, or it changed) and any two days tied by their verb or their sentences for one
event's (the weekday read back from the report's date).
"""

import argparse
import calendar
import datetime as dt
import json
import sys
from collections import Counter
from pathlib import Path

from service.embedding import SentenceTransformerEmbedder
from service.figures import figures_in, relation, told_in
from service.figures.told import resolved
from service.loading import article_from_record
from service.parsing import load_parser
from service.settings import load_settings
from service.verifying.facts import number_values

ROOT = Path(__file__).resolve().parents[2]
PAIRS = ROOT / "bench/figures/pairs.jsonl"
TOLD_PAIRS = ROOT / "bench/figures/told_pairs.jsonl"
ARTICLES = ROOT.parent / "shared/data/realtimeqa_articles/articles.jsonl"
KINDS = ("differ", "changed")
WEEKDAYS = [day.lower() for day in calendar.day_name]


def read_articles(ids: set[str]) -> dict[str, str]:
    """Article id -> its text as the service stores it (cleaned), where the spans are."""
    found = {}
    with ARTICLES.open() as lines:
        for line in lines:
            record = json.loads(line)
            if record["id"] in ids:
                found[record["id"]] = article_from_record(record, max_bytes=10_000_000).text
    return found


def service_kind(parse_a, side_a: dict, parse_b, side_b: dict, similarity: float) -> str:
    """The service's call on the pair: agree, differ, changed, or different (unflagged)."""
    a = figure_at(parse_a, side_a)
    b = figure_at(parse_b, side_b)
    if a is None or b is None:
        return "different"
    return relation(a, day(side_a), b, day(side_b), similarity)


def figure_at(parse, side: dict):
    """The figure the service reads at the labelled number (or name, or day), or None."""
    start, end = (at - side["sentence"][0] for at in span(side))
    found = figures_in(parse) if "number" in side else told_in(parse, day(side))
    return next((f for f in found if f.start <= start and end <= f.end), None)


def span(side: dict) -> list[int]:
    return side.get("number") or side["value"]


def baseline_role(parse_a, side_a: dict, parse_b, side_b: dict, similarity: float) -> str:
    """Two people said with one office word: its holders (one person by one surname)."""
    same = side_a["value_text"].split()[-1] == side_b["value_text"].split()[-1]
    return _told_kind(same, side_a, side_b)


def baseline_day(parse_a, side_a: dict, parse_b, side_b: dict, similarity: float) -> str:
    """Two days tied by their verb or their sentences: one event's."""
    return _told_kind(naive_day(side_a) == naive_day(side_b), side_a, side_b)


def _told_kind(same: bool, side_a: dict, side_b: dict) -> str:
    if same:
        return "agree"
    return "differ" if day(side_a) == day(side_b) else "changed"


BASELINES = {"roles": baseline_role, "days": baseline_day}


def naive_day(side: dict) -> dt.date | None:
    """The day as said, read back from the report's date as the service reads it, but from
    any weekday the date names ("late Sunday", "the age of 67 Friday")."""
    said, reported = side["value_text"], day(side)
    if reported is None:
        return None
    weekday = next((w for w in WEEKDAYS if w in said.lower()), None)
    return resolved(weekday or said, reported)


def baseline_kind(parse_a, side_a: dict, parse_b, side_b: dict, similarity: float) -> str:
    noun_a, noun_b = counted_noun(parse_a, side_a), counted_noun(parse_b, side_b)
    if not noun_a or noun_a != noun_b:
        return "different"
    if number_values(side_a["number_text"]) == number_values(side_b["number_text"]):
        return "agree"
    return "differ" if day(side_a) == day(side_b) else "changed"


def counted_noun(parse, side: dict) -> str:
    start = side["number"][0] - side["sentence"][0]
    end = side["number"][1] - side["sentence"][0]
    tokens = parse.tokens_in(start, end)
    if not tokens:
        return ""
    head = parse.tokens[parse.tokens[parse.root_of(tokens)].head]
    return head.lemma.lower() if head.pos in {"NOUN", "PROPN"} else ""


def day(side: dict) -> dt.date | None:
    return dt.date.fromisoformat(side["date"]) if side.get("date") else None


def scores(calls: list[tuple[str, str]]) -> dict:
    """(label, call) pairs -> precision and recall of each kind, and of flagging at all."""
    result = {}
    for kind in KINDS:
        flagged = sum(1 for _, call in calls if call == kind)
        labelled = sum(1 for label, _ in calls if label == kind)
        right = sum(1 for label, call in calls if label == call == kind)
        result[kind] = {
            "labelled": labelled,
            "flagged": flagged,
            "right": right,
            "precision": round(right / flagged, 3) if flagged else None,
            "recall": round(right / labelled, 3) if labelled else None,
        }
    flagged = [(label, call) for label, call in calls if call in KINDS]
    result["either"] = {
        "flagged": len(flagged),
        "precision": round(sum(label in KINDS for label, _ in flagged) / len(flagged), 3)
        if flagged
        else None,
        "recall": round(
            sum(1 for label, call in calls if label in KINDS and call in KINDS)
            / max(1, sum(label in KINDS for label, _ in calls)),
            3,
        ),
    }
    # How much of what agrees is read as one slot: a reader that reads nothing flags nothing.
    result["agree"] = {
        "labelled": sum(label == "agree" for label, _ in calls),
        "read so": sum(label == call == "agree" for label, call in calls),
    }
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "bench/results/eval_figures.json")
    args = parser.parse_args()
    pairs = [json.loads(line) | {"set": "figures"} for line in PAIRS.open()]
    pairs += [
        json.loads(line) | {"set": f"{json.loads(line)['drawn_as']}s"} for line in TOLD_PAIRS.open()
    ]
    articles = read_articles({p[side]["article_id"] for p in pairs for side in ("a", "b")})
    texts = []
    for pair in pairs:
        for side in ("a", "b"):
            record = pair[side]
            text = articles[record["article_id"]]
            record["sentence_text"] = text[record["sentence"][0] : record["sentence"][1]]
            said = "number_text" if "number" in record else "value_text"
            record[said] = text[span(record)[0] : span(record)[1]]
            texts.append(record["sentence_text"])
    parses = iter(load_parser(None).parse(texts))
    settings = load_settings().embedding
    embedder = SentenceTransformerEmbedder(
        settings.embedding_model,
        batch_size=settings.embedding_batch_size,
        threads=settings.torch_threads,
    )
    vectors = iter(embedder.embed(texts))
    calls: dict[tuple[str, str], dict[str, list]] = {}
    for pair in pairs:
        parse_a, parse_b = next(parses), next(parses)
        similarity = float(next(vectors) @ next(vectors))
        baseline = baseline_kind if pair["set"] == "figures" else BASELINES[pair["set"]]
        for name, judge in (("service", service_kind), ("baseline", baseline)):
            call = judge(parse_a, pair["a"], parse_b, pair["b"], similarity)
            made = calls.setdefault((pair["set"], pair["half"]), {})
            made.setdefault(name, []).append((pair["label"], call))
            pair[name] = call
    sets = sorted({p["set"] for p in pairs})
    results = {
        "command": "bench/figures/eval_figures.py " + " ".join(sys.argv[1:]),
        "date": dt.date.today().isoformat(),
        "pairs": {
            name: dict(Counter(p["half"] for p in pairs if p["set"] == name)) for name in sets
        },
        "labels": {
            f"{name} {half}": dict(
                Counter(p["label"] for p in pairs if (p["set"], p["half"]) == (name, half))
            )
            for name in sets
            for half in ("dev", "test")
        },
        "by_half": {
            f"{name} {half}": {judge: scores(made) for judge, made in by_judge.items()}
            for (name, half), by_judge in sorted(calls.items())
        },
        "wrong": [
            {
                "set": p["set"],
                "half": p["half"],
                "pair": p["pair"],
                "label": p["label"],
                "service": p["service"],
                "a": p["a"]["sentence_text"][:160],
                "b": p["b"]["sentence_text"][:160],
            }
            for p in pairs
            if (p["half"] == "dev" or p["set"] != "figures")
            and (p["service"] in KINDS or p["label"] in KINDS)
            and p["service"] != p["label"]
        ],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    # The errors quote publishers' sentences: they stay in bench/results, out of the repository.
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results["by_half"], indent=2))


if __name__ == "__main__":
    main()
