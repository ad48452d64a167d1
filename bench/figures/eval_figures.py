"""Figures across reports against hand-labelled pairs (bench/figures/pairs.jsonl), beside the
baseline, in one run, each half apart.

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
"""

import argparse
import datetime as dt
import json
import sys
from collections import Counter
from pathlib import Path

from service.embedding import SentenceTransformerEmbedder
from service.figures import figures_in, relation
from service.loading import article_from_record
from service.parsing import load_parser
from service.settings import load_settings
from service.verifying.facts import number_values

ROOT = Path(__file__).resolve().parents[2]
PAIRS = ROOT / "bench/figures/pairs.jsonl"
ARTICLES = ROOT.parent / "shared/data/realtimeqa_articles/articles.jsonl"
KINDS = ("differ", "changed")


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
    """The figure the service reads at the labelled number, or None."""
    start = side["number"][0] - side["sentence"][0]
    end = side["number"][1] - side["sentence"][0]
    return next((f for f in figures_in(parse) if f.start <= start and end <= f.end), None)


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
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "bench/results/eval_figures.json")
    args = parser.parse_args()
    pairs = [json.loads(line) for line in PAIRS.open()]
    articles = read_articles({p[side]["article_id"] for p in pairs for side in ("a", "b")})
    texts = []
    for pair in pairs:
        for side in ("a", "b"):
            record = pair[side]
            text = articles[record["article_id"]]
            record["sentence_text"] = text[record["sentence"][0] : record["sentence"][1]]
            record["number_text"] = text[record["number"][0] : record["number"][1]]
            texts.append(record["sentence_text"])
    parses = iter(load_parser(None).parse(texts))
    settings = load_settings().embedding
    embedder = SentenceTransformerEmbedder(
        settings.embedding_model,
        batch_size=settings.embedding_batch_size,
        threads=settings.torch_threads,
    )
    vectors = iter(embedder.embed(texts))
    calls: dict[str, dict[str, list]] = {}
    for pair in pairs:
        parse_a, parse_b = next(parses), next(parses)
        similarity = float(next(vectors) @ next(vectors))
        for name, judge in (("service", service_kind), ("baseline", baseline_kind)):
            call = judge(parse_a, pair["a"], parse_b, pair["b"], similarity)
            calls.setdefault(pair["half"], {}).setdefault(name, []).append((pair["label"], call))
            pair[name] = call
    results = {
        "command": "bench/figures/eval_figures.py " + " ".join(sys.argv[1:]),
        "date": dt.date.today().isoformat(),
        "pairs": dict(Counter(p["half"] for p in pairs)),
        "labels": {
            half: dict(Counter(p["label"] for p in pairs if p["half"] == half))
            for half in ("dev", "test")
        },
        "by_half": {
            half: {name: scores(made) for name, made in by_name.items()}
            for half, by_name in sorted(calls.items())
        },
        "wrong": [
            {
                "half": p["half"],
                "label": p["label"],
                "service": p["service"],
                "a": p["a"]["sentence_text"][:160],
                "b": p["b"]["sentence_text"][:160],
            }
            for p in pairs
            if p["half"] == "dev"
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
