"""Candidate pairs of figures for hand-labelling (bench/figures/pairs.jsonl).

    .venv/bin/python bench/figures/candidates.py --index bench/results/tl-index --out CANDIDATES

The storylines are the briefing's own (`group_storylines` over each week's articles of the
index). In each storyline of two or more reports, every number the parser tags (CARDINAL,
MONEY, PERCENT, QUANTITY) in every sentence is a mention; a pair is two mentions from
different articles that something ties together, found three ways so that no one method
decides what is labelled: the same noun counted (the baseline's "23 people"/"19 people"), the
same thing as the service reads it (`figures_in`), or a content word shared in the three words
after the numbers. Pairs are sampled across the three ways, each storyline's half (dev or test,
by a hash of its first article id) fixed here, before any tuning. The output holds the
sentences for the labeller to read; the labelled file keeps only ids and spans.
"""

import argparse
import datetime as dt
import hashlib
import itertools
import json
import random
from pathlib import Path

from eval_figures import counted_noun  # this folder's: the baseline's counted noun

from service.briefing.storylines import group_storylines
from service.components import build_components
from service.domain import ArticleFilter, RetrievedPassage
from service.figures.reported import NAMED_DAY, figures_in, number_entities, verb_above
from service.figures.told import OFFICES
from service.settings import load_settings
from service.text import passage_sentence_spans
from service.verifying.facts import number_values

STOP = {"the", "a", "an", "of", "in", "to", "and", "for", "on", "at", "by", "with", "from"}
# Two sentences this similar (cosine of their vectors) with different numbers may well be one
# statement of two values.
SIMILAR = 0.6
# Words news figures are told with, broader than what the service knows (acres, gallons,
# votes...): a pair of different values near a shared one is likely one figure reported twice.
KEYWORDS = frozenset(
    [
        "kill",
        "dead",
        "die",
        "death",
        "toll",
        "injure",
        "wound",
        "hurt",
        "missing",
        "case",
        "infection",
        "acre",
        "contain",
        "evacuate",
        "arrest",
        "gallon",
        "price",
        "vote",
        "dose",
        "fan",
        "visitor",
        "flight",
        "cancel",
        "delay",
        "firefighter",
        "structure",
        "home",
        "troop",
        "soldier",
        "civilian",
        "victim",
        "people",
        "child",
        "student",
        "jackpot",
        "percent",
        "point",
        "rate",
        "hospitalize",
        "shoot",
        "fire",
        "damage",
        "destroy",
    ]
)


def half_of(storyline_key: str) -> str:
    return "dev" if int(hashlib.sha256(storyline_key.encode()).hexdigest(), 16) % 2 else "test"


def sentences(components, passages: list[RetrievedPassage]):
    """Each sentence of the passages: (its passage, its span there, its parse, its vector)."""
    spans = [passage_sentence_spans(p.text) for p in passages]
    texts = [p.text[s:e] for p, some in zip(passages, spans, strict=True) for s, e in some]
    parses = iter(components.sentence_parses.of(texts, passages=passages))
    vectors = iter(components.sentence_vectors.of(texts, passages=passages))
    for passage, some in zip(passages, spans, strict=True):
        for start, end in some:
            yield passage, start, end, next(parses), next(vectors)


def located(passage: RetrievedPassage, start: int, end: int) -> dict:
    """A mention's article and its sentence's span in the article."""
    return {
        "article_id": passage.article.article_id,
        "date": passage.article.date.isoformat() if passage.article.date else None,
        "source": passage.article.source,
        "sentence": [passage.start + start, passage.start + end],
    }


def mentions(components, passages: list[RetrievedPassage]) -> list[dict]:
    found = []
    for passage, start, end, parse, vector in sentences(components, passages):
        figures = {f.end: f for f in figures_in(parse)}
        for entity, tokens in number_entities(parse):
            after = [
                parse.tokens[i].lemma.lower()
                for i in range(tokens.stop, min(tokens.stop + 3, len(parse.tokens)))
                if parse.tokens[i].pos in {"NOUN", "VERB", "ADJ"}
                and parse.tokens[i].lemma.lower() not in STOP
            ]
            near = {
                parse.tokens[i].lemma.lower()
                for i in range(max(0, tokens.start - 5), min(tokens.stop + 5, len(parse.tokens)))
            } & KEYWORDS
            figure = figures.get(entity.end)
            offset = passage.start + start
            mention = located(passage, start, end) | {
                "number": [offset + entity.start, offset + entity.end],
                "sentence_text": parse.text,
                "number_text": parse.span_text(entity),
                "what": figure.what if figure else "",
                "after": after,
                "near": sorted(near),
                "values": number_values(parse.span_text(entity)),
            }
            found.append(mention | {"noun": counted_noun(parse, mention), "vector": vector})
    return found


# Broader than the service's reading, so that the labels judge it: any office word near a
# name, any weekday or month and day.
ROLE_WORDS = OFFICES | {"judge", "leader", "head", "commander", "general", "spokesman", "ceo"}


def told_mentions(components, passages: list[RetrievedPassage]) -> list[dict]:
    """Names said with an office word near them (four words before, or in apposition after)
    and days said as a weekday or a month and day, each with the verb above it."""
    found = []
    for passage, start, end, parse, vector in sentences(components, passages):
        for entity in parse.entities:
            tokens = parse.tokens_in(entity.start, entity.end)
            if not tokens:
                continue
            if entity.label == "PERSON":
                near = [*range(max(0, tokens.start - 4), tokens.start)]
                near += [
                    i
                    for i in range(tokens.stop, min(tokens.stop + 8, len(parse.tokens)))
                    if parse.tokens[i].dep == "appos" or parse.tokens[i].head in tokens
                ]
                offices = {parse.tokens[i].lemma.lower() for i in near} & ROLE_WORDS
                if not offices:
                    continue
                kind, tie = "role", sorted(offices)
            elif entity.label in {"DATE", "TIME"} and NAMED_DAY.search(parse.span_text(entity)):
                verb = verb_above(parse, parse.root_of(tokens))
                kind, tie = "day", [parse.tokens[verb].lemma.lower()] if verb is not None else []
            else:
                continue
            offset = passage.start + start
            found.append(
                located(passage, start, end)
                | {
                    "kind": kind,
                    "tie": tie,
                    "value": [offset + entity.start, offset + entity.end],
                    "sentence_text": parse.text,
                    "value_text": parse.span_text(entity),
                    "vector": vector,
                }
            )
    return found


def told_ways(a: dict, b: dict) -> list[str]:
    """How two told mentions are tied: one office word; one verb above two days, or two days
    in sentences much alike."""
    if a["kind"] != b["kind"]:
        return []
    if a["kind"] == "role":
        return ["role"] if set(a["tie"]) & set(b["tie"]) else []
    alike = float(a["vector"] @ b["vector"]) >= 0.5
    return ["day"] if (a["tie"] and a["tie"] == b["tie"]) or alike else []


def span(mention: dict) -> list[int]:
    """Where its number, name or day is in its article."""
    return mention.get("number") or mention["value"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--first", default="2022-04-01")
    parser.add_argument("--weeks", type=int, default=18)
    parser.add_argument("--per-way", type=int, default=90)
    parser.add_argument("--days", type=int, default=7, help="a storyline window's days")
    parser.add_argument(
        "--ways",
        nargs="+",
        default=["noun", "what", "word", "keyword", "similar"],
        help="of numbers; or role and day: of names said with an office, of days",
    )
    parser.add_argument("--skip", type=Path, help="candidates already drawn, not again")
    parser.add_argument("--first-number", type=int, default=0)
    parser.add_argument(
        "--same-day", action="store_true", help="only pairs of one day from two sources"
    )
    parser.add_argument(
        "--min-similarity", type=float, default=-1.0, help="of the two sentences' vectors"
    )
    parser.add_argument(
        "--values-differ",
        action="store_true",
        help="of role and day: only two different names, or two days said differently",
    )
    args = parser.parse_args()
    components = build_components(load_settings(index_path=args.index))
    settings = components.settings
    by_way: dict[str, list[dict]] = {way: [] for way in args.ways}
    seen = set()
    if args.skip:
        for line in args.skip.open():
            drawn = json.loads(line)
            a, b = drawn["a"], drawn["b"]
            seen.add((a["article_id"], *span(a), b["article_id"], *span(b)))
    start = dt.date.fromisoformat(args.first)
    for week in range(args.weeks):
        window = ArticleFilter(
            date_from=start + dt.timedelta(days=7 * week),
            date_to=start + dt.timedelta(days=7 * week + args.days - 1),
        )
        storylines = group_storylines(
            components.store.article_vectors(window),
            duplicate_similarity=settings.retrieval.duplicate_similarity,
            max_distance=settings.briefing.storyline_max_distance,
        )
        for storyline in storylines:
            if len(storyline.articles) < 2:
                continue
            key = storyline.articles[0].id
            records = components.store.passages_of([a.id for a in storyline.articles[:12]])
            passages = [
                RetrievedPassage.of(r, score=0.0, query_vector=storyline.centroid) for r in records
            ]
            told = bool({"role", "day"} & set(args.ways))
            found = (told_mentions if told else mentions)(components, passages)
            for a, b in itertools.combinations(found, 2):
                if a["article_id"] == b["article_id"]:
                    continue
                if args.same_day and (a["date"] != b["date"] or a["source"] == b["source"]):
                    continue
                if float(a["vector"] @ b["vector"]) < args.min_similarity:
                    continue
                if args.values_differ and told and a["value_text"] == b["value_text"]:
                    continue
                ways = [
                    way
                    for way, tied in (
                        ("noun", a.get("noun") and a["noun"] == b["noun"]),
                        ("what", a.get("what") and a["what"] == b["what"]),
                        ("word", set(a.get("after", ())) & set(b.get("after", ()))),
                        (
                            "keyword",
                            set(a.get("near", ())) & set(b.get("near", ()))
                            and a["values"] != b["values"],
                        ),
                        (
                            "similar",
                            not told
                            and float(a["vector"] @ b["vector"]) >= SIMILAR
                            and a["values"] != b["values"],
                        ),
                        *((way, True) for way in (told_ways(a, b) if told else [])),
                    )
                    if tied and way in by_way
                ]
                pair_key = (a["article_id"], *span(a), b["article_id"], *span(b))
                if not ways or pair_key in seen:
                    continue
                seen.add(pair_key)
                sides = [{k: v for k, v in m.items() if k != "vector"} for m in (a, b)]
                pair = {"storyline": key, "half": half_of(key), "ways": ways}
                pair |= dict(zip(("a", "b"), sides, strict=True))
                by_way[ways[-1]].append(pair)
    rng = random.Random(33)
    chosen = []
    for way, pairs in by_way.items():
        rng.shuffle(pairs)
        # At most 4 pairs of a storyline per way: many storylines, not one long story.
        per_storyline: dict[str, int] = {}
        for pair in pairs:
            if per_storyline.get(pair["storyline"], 0) >= 4:
                continue
            per_storyline[pair["storyline"]] = per_storyline.get(pair["storyline"], 0) + 1
            chosen.append(pair | {"drawn_as": way})
            if sum(1 for c in chosen if c["drawn_as"] == way) >= args.per_way:
                break
        print(way, len(pairs), "candidates")
    with args.out.open("w") as out:
        for number, pair in enumerate(chosen, start=args.first_number):
            out.write(json.dumps({"pair": number, **pair}) + "\n")
    print(len(chosen), "pairs to", args.out)


if __name__ == "__main__":
    main()
