"""Fit the answerability model on the three writers' development halves, and write its weights.

    .venv/bin/python bench/tune_reading.py --split dev      # reads the dev halves, writes rows
    .venv/bin/python bench/fit_answerability.py [--features ...] [--c 1.0] [--write]

A logistic regression (scikit-learn) over the reading step's features
(service/answering/reading.py FEATURES), for the questions that ask for a type of answer (the
others keep the rule from before: best sentence score >= 0.6), on the development halves of
the three writers' questions (bench/tune_reading.py): the news questions, SQuAD's
even-numbered questions and the quiz editors' (all answerable), each writer weighted equally.
Label: the question is answerable.
The threshold is the one that maximises the worse of two rates, then their sum: answerable
questions answered (the mean of the three writers' rates) and unanswerable ones abstained on
(the mean of the news near-misses' and SQuAD's). Printed next to the hand rule (the best
sentence score alone, its threshold chosen the same way), both scored with 5-fold
cross-validation so neither is scored on the rows it was fitted on (the rates averaged over 10
shufflings of the folds). With --write, service/answering/answerability.json gets the weights.
"""

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from service.answering.reading import FEATURES, MODEL_PATH

ROOT = Path(__file__).resolve().parents[1]
ROWS = ROOT / "bench/results/reading_dev_rows.json"
WRITERS = ("news", "squad", "quiz")
UNTYPED_MIN_SCORE = 0.6
REPEATS = 10


def dataset() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Features, labels, sample weights and each row's writer (an index into WRITERS), from
    the rows of the questions that ask for a type of answer: the ones the model decides."""
    rows = json.loads(ROWS.read_text())["now"]
    chosen = {
        name: [r for r in rows[name] if r["features"] and r["features"]["typed"]]
        for name in WRITERS
    }
    every = [r for name in WRITERS for r in chosen[name]]
    features = np.array([[r["features"][name] for name in FEATURES] for r in every])
    labels = np.array([r["answerable"] for r in every], dtype=int)
    weights = np.concatenate([[1 / len(chosen[name])] * len(chosen[name]) for name in WRITERS])
    writer = np.concatenate([[i] * len(chosen[name]) for i, name in enumerate(WRITERS)])
    return features, labels, weights * len(every), writer


def rates(labels: np.ndarray, answered: np.ndarray, writer: np.ndarray) -> dict[str, float]:
    """Each writer's answerable answered and unanswerable abstained (where it has any)."""
    found = {}
    for index, name in enumerate(WRITERS):
        mine = writer == index
        answerable, unanswerable = mine & (labels == 1), mine & (labels == 0)
        found[f"{name} answered"] = float(answered[answerable].mean())
        if unanswerable.any():
            found[f"{name} abstained"] = float((~answered[unanswerable]).mean())
    return found


def two_rates(found: dict[str, float]) -> tuple[float, float]:
    """(answered, abstained), each the mean over the writers."""
    answered = [v for k, v in found.items() if k.endswith("answered")]
    abstained = [v for k, v in found.items() if k.endswith("abstained")]
    return float(np.mean(answered)), float(np.mean(abstained))


def best_threshold(scores: np.ndarray, labels: np.ndarray, writer: np.ndarray) -> float:
    """The threshold that raises the worse of the two rates the most, ties to their sum: the
    goal is both high, for every writer."""

    def worse_then_both(t: float) -> tuple[float, float]:
        both = two_rates(rates(labels, scores >= t, writer))
        return min(both), sum(both)

    return float(max(np.unique(scores), key=worse_then_both))


def rates_at_best_threshold(
    scores: np.ndarray, labels: np.ndarray, writer: np.ndarray
) -> dict[str, float]:
    return rates(labels, scores >= best_threshold(scores, labels, writer), writer)


def fit(
    features: np.ndarray, labels: np.ndarray, weights: np.ndarray, c: float = 1.0
) -> LogisticRegression:
    model = LogisticRegression(C=c, max_iter=1000)
    return model.fit(features, labels, sample_weight=weights)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--c", type=float, default=1.0, help="inverse regularisation strength")
    parser.add_argument("--features", nargs="*", default=list(FEATURES), choices=list(FEATURES))
    args = parser.parse_args()
    features, labels, weights, writer = dataset()
    features = features[:, [list(FEATURES).index(name) for name in args.features]]

    # Cross-validated probabilities on the dev rows, the rates averaged over REPEATS
    # shufflings of the folds: with one shuffling, the rates of one feature set moved by 0.02
    # from one seed to the next, as much as the sets differed.
    learned_rates = []
    for seed in range(REPEATS):
        learned = np.zeros(len(labels))
        folds = StratifiedKFold(5, shuffle=True, random_state=seed)
        for train, held in folds.split(features, labels * len(WRITERS) + writer):
            model = fit(features[train], labels[train], weights[train], args.c)
            learned[held] = model.predict_proba(features[held])[:, 1]
        learned_rates.append(rates_at_best_threshold(learned, labels, writer))
    hand = features_named("best_score")
    report = {
        "learned": {
            k: round(float(np.mean([r[k] for r in learned_rates])), 4) for k in learned_rates[0]
        },
        "hand rule: best score": {
            k: round(v, 4) for k, v in rates_at_best_threshold(hand, labels, writer).items()
        },
    }
    print(json.dumps(report, indent=2))

    model = fit(features, labels, weights, args.c)
    probabilities = model.predict_proba(features)[:, 1]
    threshold = best_threshold(probabilities, labels, writer)
    weights_out = {
        name: round(float(w), 4) for name, w in zip(args.features, model.coef_[0], strict=True)
    }
    counts = ", ".join(f"{name} {int((writer == i).sum())}" for i, name in enumerate(WRITERS))
    fitted = {
        "about": "For questions asking for a type of answer: logistic regression over the "
        "reading step's features, fitted by bench/fit_answerability.py on "
        f"{dt.date.today().isoformat()} on such questions of the three writers' development "
        f"halves ({counts}; bench/tune_reading.py), each writer weighted equally; threshold: "
        "the best worse of two rates, answerable answered and unanswerable abstained, each "
        "the mean over the writers. Features: those of the command below, chosen by the "
        "cross-validated rates below (docs/answers/README.md). Questions with no narrow type "
        "keep the rule from before the reading step: the best sentence scoring at least "
        "untyped_min_score (bench/eval_retrieval.py chose 0.6).",
        "command": "bench/fit_answerability.py " + " ".join(sys.argv[1:]),
        "typed": {
            "weights": weights_out,
            "intercept": round(float(model.intercept_[0]), 4),
            "threshold": round(threshold, 4),
        },
        "untyped_min_score": UNTYPED_MIN_SCORE,
        "cross_validated": report,
    }
    print(json.dumps(fitted, indent=2))
    if args.write:
        MODEL_PATH.write_text(json.dumps(fitted, indent=2) + "\n")


def features_named(name: str) -> np.ndarray:
    return dataset()[0][:, list(FEATURES).index(name)]


if __name__ == "__main__":
    main()
