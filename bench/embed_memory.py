"""Where the server's memory goes: resident memory of this process while it embeds the
sentences of retrieved passages, batch after batch, as extractive /ask does.

    .venv/bin/python bench/embed_memory.py [--index bench/results/soak-index] [--questions 250]

Retrieval alone is measured first (it stays flat), then the sentence batches of the first half
of the questions, the second half, and the first half again. Memory that grows with new batch
shapes and stays flat when the same shapes come again is the model's native memory, not a
cache of the service's (bench/soak.py found Python-level objects to be under 30 MiB of it).
"""

import argparse
import json

import psutil
from soak import CORPORA, RESULTS, distinct_questions

from service.components import build_components
from service.domain import ArticleFilter
from service.settings import load_settings
from service.text import candidate_sentences


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", default=str(RESULTS / "soak-index"))
    parser.add_argument("--questions", type=int, default=250)
    args = parser.parse_args()

    components = build_components(load_settings(index_path=args.index))
    components.keyword.refresh()
    process = psutil.Process()
    readings = {}

    def reading(name: str) -> None:
        readings[name] = round(process.memory_info().rss / 2**20)
        print(name, readings[name], "MiB")

    questions = distinct_questions(CORPORA)[: args.questions]
    reading("loaded")
    found = [components.retriever.search(q, k=6, selection=ArticleFilter()) for q in questions]
    reading(f"after {len(questions)} searches")
    batches = [
        [passages[n - 1].text[start:end] for n, start, end in candidate_sentences(passages)]
        for passages in found
    ]
    half = len(batches) // 2
    for name, chosen in [
        ("first half of the sentence batches", batches[:half]),
        ("second half (new shapes)", batches[half:]),
        ("first half again (shapes seen)", batches[:half]),
    ]:
        for batch in chosen:
            components.embedder.embed(batch)
        reading(f"after {name}")
    (RESULTS / "embed_memory.json").write_text(json.dumps(readings, indent=2) + "\n")


if __name__ == "__main__":
    main()
