"""Whether the support checker finds each sentence of a passage supported by that passage: an
extractive answer, bullet or timeline line quotes one, so every one it fails is a quote the
citation check drops.

    .venv/bin/python bench/self_support.py --index bench/results/quiz-weeks-index [--passages 300]
    PYTHONPATH=/tmp/newsdesk-before .venv/bin/python bench/self_support.py --index ...

A seeded sample of the index's passages; each of their sentences is checked against its own
passage with whichever `service` package is importable (the second command: another
checkout's). Prints the count and the first failures, by verdict and kind of difference.
"""

import argparse
import json
import random
from collections import Counter
from pathlib import Path

from service.components import build_components
from service.domain import RetrievedPassage
from service.settings import load_settings
from service.text import passage_sentence_spans
from service.verifying.support import SupportChecker, SupportModel


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--passages", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    components = build_components(load_settings(index_path=args.index))
    checker = SupportChecker(
        components.sentence_vectors, components.sentence_parses, SupportModel.load()
    )
    every = components.store.all_passages()
    sample = random.Random(args.seed).sample(every, min(args.passages, len(every)))
    failed: Counter = Counter()
    examples = []
    sentences = 0
    for stored in components.store.passages([p.passage.id for p in sample]):
        passage = RetrievedPassage.of(stored, score=0.0, query_vector=stored.vector)
        for start, end in passage_sentence_spans(passage.text):
            sentence = passage.text[start:end]
            sentences += 1
            support = checker.support(sentence, passage)
            if support.verdict != "supported":
                kinds = sorted({d.kind for d in support.differs})
                failed[f"{support.verdict} {'/'.join(kinds)}".strip()] += 1
                examples.append(sentence[:160])
    print(
        json.dumps(
            {
                "index": str(args.index),
                "passages": len(sample),
                "sentences": sentences,
                "not_supported_by_their_own_passage": sum(failed.values()),
                "by_verdict_and_kind": dict(failed.most_common()),
                "first": examples[:10],
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
