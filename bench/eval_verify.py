"""The citation checker against human factuality judgements (FRANK), next to baselines.

    .venv/bin/python bench/eval_verify.py [--write] [--limit N]

Each system summary of ../shared/data/frank_cnndm_xsum is checked against its own article,
sentence by sentence; a summary is consistent by the humans when `human_factuality == 1.0`.
A summary's score is its lowest sentence score, and a checker calls it consistent when every
sentence is supported. Reported on FRANK's test split, pooled and for CNN/DM and XSum apart
(59% of CNN/DM's test summaries are consistent, 7% of XSum's: a score that only tells the
datasets apart looks good pooled): balanced accuracy and ROC AUC.

Checkers, in the same run:
- `newsdesk`: `service.verifying.support` (names, numbers with what they count, dates,
  polarity, roles, terms, embedding); `--write` fits its logistic weights and threshold on the
  validation split (summary features: each feature's lowest value over the sentences) and
  writes `service/verifying/support.json`;
- `previous check`: the check before it (every number in the passage, and 60% of the terms
  or cosine 0.6 to a passage sentence); score: the mean of term share and best cosine;
- `named-entity overlap`: share of the summary's named entities found in the article;
- `ROUGE-2 precision`: of the summary against the article;
- `embedding cosine`: each sentence's best cosine to an article sentence, lowest of them.
Thresholds of the baselines are chosen on the validation split too (best balanced accuracy).

Then the LLM path: 80 hand-made LLM-style answers (bench/verify/llm_answers.jsonl) citing [1]
the one passage of a fixture article (tests/fixtures/verify_articles.jsonl): 40 correct
paraphrases, which the citation check must keep, and 40 with one name, number, date, negation
or doer and object swapped, which it must catch; dev and test halves apart, next to the
previous check. Written to bench/results/eval_verify.json.
"""

import argparse
import collections
import dataclasses
import json
import re
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np
from rouge_score import rouge_scorer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score, roc_auc_score

from service.answering.citations import CitationChecker, without_markers
from service.components import build_components
from service.domain import ArticleFilter, ArticleRef, RetrievedPassage
from service.loading import load_paths
from service.settings import load_settings
from service.text import sentence_spans
from service.verifying.facts import Facts, words
from service.verifying.support import MODEL_PATH, SupportChecker, SupportModel

ROOT = Path(__file__).resolve().parents[1]
LLM_ANSWERS = ROOT / "bench/verify/llm_answers.jsonl"
FIXTURE_ARTICLES = ROOT / "tests/fixtures/verify_articles.jsonl"
FRANK = ROOT.parent / "shared/data/frank_cnndm_xsum"
RESULTS = ROOT / "bench/results"
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
FEATURES = (
    "similarity",
    "terms_held",
    "runs2_held",
    "runs3_held",
    "names_held",
    "numbers_held",
    "counted_held",
    "dates_held",
    "negation_held",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="fit support.json (see above)")
    parser.add_argument("--limit", type=int, help="first N summaries of each split (a try)")
    parser.add_argument("--llm-only", action="store_true", help="only the LLM-style answers")
    args = parser.parse_args()
    if args.llm_only:
        print(
            json.dumps(llm_measured(llm_rows(SupportModel.load()), SupportModel.load()), indent=2)
        )
        return

    articles = {a["id"]: a for a in map(json.loads, (FRANK / "articles.jsonl").open())}
    summaries = [
        s
        for s in map(json.loads, (FRANK / "system_summaries_with_human_factuality.jsonl").open())
        if s["frank_split"] in {"valid", "test"}
    ]
    if args.limit:
        by_split = collections.defaultdict(list)
        for s in summaries:
            by_split[s["frank_split"]].append(s)
        summaries = [s for rows in by_split.values() for s in rows[: args.limit]]

    with tempfile.TemporaryDirectory() as index:
        settings = load_settings(
            index_path=Path(index), sentence_cache_size=400_000, parse_cache_size=400_000
        )
        components = build_components(settings)
        checker = SupportChecker(
            components.sentence_vectors, components.sentence_parses, SupportModel.load()
        )
        started = time.perf_counter()
        rows = [
            sentence_rows(checker, components.sentence_parses, s, articles[s["article_id"]])
            for s in summaries
        ]
        seconds = time.perf_counter() - started
    sentences = sum(len(r) for r in rows)
    print(f"{len(summaries)} summaries, {sentences} sentences checked in {seconds:.0f} s")

    labels = np.array([s["human_factuality"] == 1.0 for s in summaries])
    split = np.array([s["frank_split"] for s in summaries])
    dataset = np.array([s["dataset"] for s in summaries])
    valid = split == "valid"

    model = SupportModel.load()
    frank_threshold = json.loads(MODEL_PATH.read_text())["frank_threshold"]
    answers = llm_rows(model)
    if args.write:
        model, frank_threshold = fitted(rows, labels, valid)
        model = dataclasses.replace(model, threshold=service_threshold(answers, model))
        MODEL_PATH.write_text(
            json.dumps(model_json(model, frank_threshold, valid), indent=2) + "\n"
        )
    frank_model = dataclasses.replace(model, threshold=frank_threshold)
    scores = {
        "newsdesk": np.array([min(model.score(f) for f, _ in r) for r in rows]),
        "previous check": np.array([min(previous(f) for f, _ in r) for r in rows]),
        "named-entity overlap": np.array([min(f["entities_held"] for f, _ in r) for r in rows]),
        "ROUGE-2 precision": rouge2_precision(summaries, articles),
        "embedding cosine": np.array([min(f["similarity"] for f, _ in r) for r in rows]),
    }
    decided = {
        f"newsdesk, threshold for FRANK ({frank_threshold})": consistent(rows, frank_model),
        f"newsdesk, the service's threshold ({model.threshold})": consistent(rows, model),
        "previous check": np.array([all(f["previous_supported"] for f, _ in r) for r in rows]),
    }
    results = {
        "command": "bench/eval_verify.py" + (" --write" if args.write else ""),
        "summaries": {"valid": int(valid.sum()), "test": int((~valid).sum())},
        "seconds_per_sentence": round(seconds / sentences, 4),
        "checkers": {},
    }
    parts = {"pooled": np.ones_like(valid), "cnndm": dataset == "cnndm", "xsum": dataset == "xsum"}
    for name, score in scores.items():
        calls = {k: v for k, v in decided.items() if k.startswith(name)} or {
            name: score >= best_threshold(score, labels, valid)
        }
        for called, said_consistent in calls.items():
            results["checkers"][called] = {
                part: measured(score, said_consistent, labels, (~valid) & mask)
                for part, mask in parts.items()
            }
    results["sentences_contradicted"] = sum(bool(d) for r in rows for _, d in r)
    results["llm_answers"] = llm_measured(answers, model)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "eval_verify_rows.json").write_text(
        json.dumps(
            [
                {**s, "sentences": [[f, [asdict(x) for x in d]] for f, d in r]}
                for s, r in zip(summaries, rows, strict=True)
            ]
        )
    )
    (RESULTS / "eval_verify.json").write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


def consistent(rows, model: SupportModel) -> np.ndarray:
    """Every sentence supported: its facts held, no difference, its score at the threshold."""
    return np.array([all(model.supports(f) and not d for f, d in r) for r in rows])


def llm_rows(model: SupportModel) -> list[dict]:
    """Each hand-made answer with what the citation check found, now and before."""
    items = [json.loads(line) for line in LLM_ANSWERS.open()]
    with tempfile.TemporaryDirectory() as index:
        components = build_components(load_settings(index_path=Path(index)))
        components.ingestor.ingest(load_paths([FIXTURE_ARTICLES], max_bytes=100_000))
        support = SupportChecker(components.sentence_vectors, components.sentence_parses, model)
        for item in items:
            claim = without_markers(item["answer"])
            only = ArticleFilter(article_ids=[item["article_id"]])
            (passage,) = components.retriever.search(claim, k=1, selection=only)
            item["passage"] = passage
            item["support"] = support.support(claim, passage)
            item["checker"] = CitationChecker(support)
            features = item["support"].features
            item["kept_before"] = numbers_agree(claim, passage.text) and (
                features["terms_held"] >= 0.6 or features["similarity"] >= 0.65
            )
    return items


def kept(item: dict, model: SupportModel) -> bool:
    """The citation check (as the LLM path runs it) keeps the whole answer."""
    item["checker"].support.model = model
    checked = item["checker"].check(item["answer"], [item["passage"]], mode="llm")
    return checked.grounded and not checked.warnings


def service_threshold(items: list[dict], model: SupportModel) -> float:
    """The threshold on the development half of the LLM-style answers that keeps the most
    correct answers, then catches the most altered ones, then is the highest."""

    def outcome(threshold: float) -> tuple[int, int, float]:
        at = dataclasses.replace(model, threshold=threshold)
        dev = [i for i in items if i["split"] == "dev"]
        kept_correct = sum(
            not i["support"].differs and at.supports(i["support"].features)
            for i in dev
            if i["correct"]
        )
        caught = sum(
            bool(i["support"].differs) or not at.supports(i["support"].features)
            for i in dev
            if not i["correct"]
        )
        return kept_correct, caught, threshold

    return max(outcome(t) for t in np.round(np.arange(0.05, 0.95, 0.01), 2))[2]


def llm_measured(items: list[dict], model: SupportModel) -> dict:
    """Kept correct answers and caught altered ones, by half, new check and previous."""
    for item in items:
        item["kept_now"] = kept(item, model)
    measured = {}
    for split in ("dev", "test"):
        half = [i for i in items if i["split"] == split]
        correct = [i for i in half if i["correct"]]
        altered = [i for i in half if not i["correct"]]
        measured[split] = {
            check: {
                "correct_kept": sum(i[f"kept_{when}"] for i in correct),
                "altered_caught": sum(not i[f"kept_{when}"] for i in altered),
                "of": len(correct),
                "missed": [i["answer"] for i in altered if i[f"kept_{when}"]],
                "dropped": [i["answer"] for i in correct if not i[f"kept_{when}"]],
            }
            for check, when in (("newsdesk", "now"), ("previous check", "before"))
        }
    return measured


def sentence_rows(checker: SupportChecker, parses, summary: dict, article: dict):
    """(features, differences) of each sentence of the summary against its article."""
    passage = as_passage(article)
    rows = []
    for start, end in sentence_spans(summary["summary"]):
        claim = summary["summary"][start:end]
        support = checker.support(claim, passage)
        features = dict(support.features)
        facts = Facts(parses.of([claim])[0])
        article_words = set(words(article["text"]))
        entities = [words(facts.parse.span_text(e)) for e in facts.parse.entities]
        features["entities_held"] = min(
            (sum(w in article_words for w in e) / len(e) for e in entities if e), default=1.0
        )
        features["previous_supported"] = numbers_agree(claim, article["text"]) and (
            features["terms_held"] >= 0.6 or features["similarity"] >= 0.65
        )
        rows.append((features, support.differs))
    return rows or [({name: 0.0 for name in FEATURES} | {"entities_held": 0.0}, ())]


def numbers_agree(claim: str, source: str) -> bool:
    """The previous check's guard: every number of the claim occurs in the source."""
    source_numbers = {n.replace(",", "") for n in NUMBER.findall(source)}
    return all(n.replace(",", "") in source_numbers for n in NUMBER.findall(claim))


def as_passage(article: dict) -> RetrievedPassage:
    text = article["text"]
    ref = ArticleRef(article["id"], article["title"], article["source"], None, None)
    return RetrievedPassage(article["id"], ref, 0, 0, len(text), text, 0.0, 0.0, np.zeros(1))


def previous(features: dict) -> float:
    agree = features["previous_supported"] or features["numbers_held"] == 1.0
    return (features["terms_held"] + features["similarity"]) / 2 if agree else 0.0


def fitted(rows, labels, valid) -> tuple[SupportModel, float]:
    """Logistic weights on the validation split, each summary as its sentences' lowest
    features; and the threshold with the best balanced accuracy there, deciding as the
    checker does (every sentence holding its facts, with no difference, at the threshold)."""
    x = np.array([[min(f[name] for f, _ in r) for name in FEATURES] for r in rows])
    regression = LogisticRegression(class_weight="balanced", C=1.0, max_iter=1000)
    regression.fit(x[valid], labels[valid])
    weights = dict(zip(FEATURES, (round(float(w), 4) for w in regression.coef_[0]), strict=True))
    model = SupportModel(weights, round(float(regression.intercept_[0]), 4), 0.5)

    def accuracy(threshold: float) -> float:
        at = dataclasses.replace(model, threshold=threshold)
        return balanced_accuracy_score(labels[valid], consistent(rows, at)[valid])

    return model, float(max(np.round(np.arange(0.05, 0.95, 0.01), 2), key=accuracy))


def model_json(model: SupportModel, frank_threshold: float, valid) -> dict:
    return {
        "about": (
            "Logistic weights over the support features, fitted by bench/eval_verify.py "
            f"--write on FRANK's validation split ({int(valid.sum())} summaries, each as its "
            "sentences' lowest feature values, classes balanced). threshold: the service's, "
            "chosen on the development half of the hand-made LLM-style answers "
            "(bench/verify/llm_answers.jsonl: the most correct answers kept, then the most "
            "altered ones caught). frank_threshold: the best balanced accuracy on FRANK's "
            "validation split, for the benchmark (as SummaC chose theirs)."
        ),
        "weights": model.weights,
        "intercept": model.intercept,
        "threshold": model.threshold,
        "frank_threshold": frank_threshold,
    }


def best_threshold(score: np.ndarray, labels: np.ndarray, valid: np.ndarray) -> float:
    candidates = np.unique(np.round(score[valid], 4))
    accuracy = [balanced_accuracy_score(labels[valid], score[valid] >= t) for t in candidates]
    return float(candidates[int(np.argmax(accuracy))])


def measured(score, consistent, labels, mask) -> dict:
    return {
        "balanced_accuracy": round(
            float(balanced_accuracy_score(labels[mask], consistent[mask])), 3
        ),
        "roc_auc": round(float(roc_auc_score(labels[mask], score[mask])), 3),
        "summaries": int(mask.sum()),
        "consistent_by_humans": int(labels[mask].sum()),
    }


def rouge2_precision(summaries: list[dict], articles: dict) -> np.ndarray:
    scorer = rouge_scorer.RougeScorer(["rouge2"], use_stemmer=True)
    return np.array(
        [
            scorer.score(articles[s["article_id"]]["text"], s["summary"])["rouge2"].precision
            for s in summaries
        ]
    )


if __name__ == "__main__":
    main()
