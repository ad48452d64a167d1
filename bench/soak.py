"""Soak: does the server's resident memory level off under a long run of distinct questions?

    .venv/bin/python bench/soak.py [--minutes 20] [--clients 4]

Ingests bbc_news and realtimeqa_articles from ../shared/data into bench/results/soak-index
(once: later runs skip unchanged articles; about 40,000 passages, 35 minutes or more of
embedding on 2 cores), starts `newsdesk serve` on loopback, and has `--clients` clients ask
extractive /ask questions, each one new (48,014 of them, from the articles' titles and first
sentences, never repeated), for `--minutes`; a run that answers them all ends early and says
so. The server's resident memory is sampled every 10 s. Writes bench/results/soak.json and the
curve, bench/results/soak.png.

With `--baseline-index`, a server on that index (used as it is) is soaked first in the same
run, with the same questions: bench/results/soak-baseline.json, and both curves in the plot.
"""

import argparse
import json
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import matplotlib
import psutil
from load import RESULTS, ROOT, newsdesk_environment, serve

from service.text import sentences

matplotlib.use("Agg")
import matplotlib.pyplot as plt

DATA = ROOT.parent / "shared/data"
CORPORA = [DATA / "bbc_news/articles.jsonl", DATA / "realtimeqa_articles/articles.jsonl"]
SAMPLE_EVERY_S = 10
SENTENCES_PER_ARTICLE = 8


def distinct_questions(corpora: list[Path], seed: int = 7) -> list[str]:
    """One question per title and per each of the first `SENTENCES_PER_ARTICLE` sentences of
    every article, shuffled: enough that 4 fast clients do not run out in 20 minutes."""
    questions = set()
    for corpus in corpora:
        for line in corpus.open():
            record = json.loads(line)
            if record.get("title"):
                questions.add(f"What happened: {record['title']}?")
            for sentence in sentences(record["text"])[:SENTENCES_PER_ARTICLE]:
                questions.add(f"What about this: {sentence[:300]}?")
    ordered = sorted(questions)
    random.Random(seed).shuffle(ordered)
    return ordered


def plot(runs: list[dict], out: Path) -> None:
    """Resident memory against questions answered (throughput varies between runs)."""
    figure, axis = plt.subplots(figsize=(7, 3.2))
    for run in runs:
        samples = run["samples"]
        label = run.get("label", run["command"])
        axis.plot([n for _, _, n in samples], [m for _, m, _ in samples], label=label)
    first = runs[0]
    axis.set_xlabel("questions answered")
    axis.set_ylabel("server RSS (MiB)")
    axis.set_ylim(bottom=0)
    axis.set_title(
        f"{first['clients']} clients, distinct /ask questions, "
        f"{first['archive']['passages']:,} passages, {first['minutes']:g} minutes",
        fontsize=9,
    )
    axis.grid(alpha=0.3)
    axis.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(out, dpi=120)


def soak(index: Path, label: str, questions: list[str], args: argparse.Namespace) -> dict:
    """`--clients` clients asking `questions` of a server on `index` for `--minutes`."""
    server, url, health = serve(index)
    samples: list[tuple[float, float, int]] = []  # (seconds, RSS MiB, questions answered)
    outcomes: dict[str, int] = {}
    lock = threading.Lock()
    try:
        process = psutil.Process(server.pid)
        begin = time.monotonic()
        deadline = begin + args.minutes * 60
        answered = [0]

        def client(offset: int) -> None:
            with httpx.Client(base_url=url, timeout=120) as http:
                for question in questions[offset :: args.clients]:
                    if time.monotonic() >= deadline:
                        return
                    try:
                        status = str(http.post("/ask", json={"question": question}).status_code)
                    except httpx.HTTPError as error:
                        status = type(error).__name__
                    with lock:
                        outcomes[status] = outcomes.get(status, 0) + 1
                        answered[0] += 1

        threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
        for thread in threads:
            thread.start()
        while any(thread.is_alive() for thread in threads):
            samples.append(
                (time.monotonic() - begin, process.memory_info().rss / 2**20, answered[0])
            )
            time.sleep(SAMPLE_EVERY_S)
        samples.append((time.monotonic() - begin, process.memory_info().rss / 2**20, answered[0]))
    finally:
        server.terminate()
        server.wait(timeout=30)

    rss = [mib for _, mib, _ in samples]
    tenth = max(1, len(rss) // 10)
    return {
        "command": "bench/soak.py " + " ".join(sys.argv[1:]),
        "label": label,
        "index": str(index),
        "archive": {"articles": health["articles"], "passages": health["passages"]},
        "clients": args.clients,
        "minutes": args.minutes,
        "questions_answered": answered[0],
        "ran_out_of_questions": answered[0] >= len(questions),
        "outcomes": outcomes,
        "rss_mib": {
            "at_start": round(rss[0]),
            "max": round(max(rss)),
            "end": round(rss[-1]),
            "mean_first_tenth": round(sum(rss[:tenth]) / tenth),
            "mean_last_tenth": round(sum(rss[-tenth:]) / tenth),
            "mean_second_half": round(sum(rss[len(rss) // 2 :]) / len(rss[len(rss) // 2 :])),
        },
        "samples": [(round(t), round(m), n) for t, m, n in samples],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, default=RESULTS / "soak-index")
    parser.add_argument("--minutes", type=float, default=20)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--data", type=Path, nargs="+", default=CORPORA, help="JSONL articles")
    parser.add_argument("--label", default="this run", help="the run's name in plots")
    parser.add_argument(
        "--baseline-index",
        type=Path,
        help="also soak a server on this index first, as it is (not ingested into): "
        "e.g. one made before sentence vectors were stored",
    )
    parser.add_argument("--baseline-label", default="baseline")
    parser.add_argument(
        "--plot", type=Path, nargs="+", metavar="SOAK.json", help="only plot these saved runs"
    )
    parser.add_argument("--out", type=Path, default=RESULTS / "soak.png")
    args = parser.parse_args()
    if args.plot:
        plot([json.loads(path.read_text()) for path in args.plot], args.out)
        return

    newsdesk = [sys.executable, "-m", "service.cli"]
    started = time.perf_counter()
    ingested = subprocess.run(
        [*newsdesk, "ingest", "--quiet", *map(str, args.data)],
        env=newsdesk_environment(args.index),
        capture_output=True,
        text=True,
    )
    print(ingested.stdout.strip(), f"({time.perf_counter() - started:.0f} s)")

    # What a server holds before any archive: the model, the libraries, the web stack.
    with tempfile.TemporaryDirectory() as empty:
        bare, _, _ = serve(Path(empty))
        bare_mib = psutil.Process(bare.pid).memory_info().rss / 2**20
        bare.terminate()
        bare.wait(timeout=30)

    questions = distinct_questions(args.data)
    runs = [(args.index, args.label, "soak.json")]
    if args.baseline_index:
        runs.insert(0, (args.baseline_index, args.baseline_label, "soak-baseline.json"))
    results = []
    for index, label, name in runs:
        run = soak(index, label, questions, args)
        run["rss_mib"]["empty_index_at_start"] = round(bare_mib)
        passages = run["archive"]["passages"]
        run["start_mib_per_10k_passages"] = round(
            (run["rss_mib"]["at_start"] - bare_mib) / passages * 10_000
        )
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / name).write_text(json.dumps(run, indent=2) + "\n")
        print(json.dumps({k: v for k, v in run.items() if k != "samples"}, indent=2))
        results.append(run)
    plot(results, args.out)


if __name__ == "__main__":
    main()
