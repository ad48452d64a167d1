"""Load: concurrent clients on /search and extractive /ask against a running server.

    .venv/bin/python bench/load.py [--clients 50] [--seconds 60] [--data PATH.jsonl]
                                   [--profile] [--further-minutes 10]

Ingests the BBC articles into bench/results/load-index (once: unchanged articles are skipped
on later runs), starts `newsdesk serve` on loopback with one API key per client, then each
client asks in turn: a /search, then an /ask, with questions made from the articles' titles.
Bounded in time (--seconds) and count (--max-requests); loopback only. Reports failed
requests, p50/p95/p99 latency and requests/s per endpoint, and the server's resident memory
before and after. Figures are printed and written to bench/results/load.json.

--profile samples the server with py-spy during the measured window (the collapsed stacks go
to bench/results/load-profile.txt) and reports where its CPU time went: the share of samples
in which each function is on the stack. --further-minutes keeps the same load on for that
much longer and samples the server's memory every 30 s, to see whether it levels off.
"""

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench/results"
DEFAULT_DATA = ROOT.parent / "shared/data/bbc_news/articles.jsonl"
HOST = "127.0.0.1"  # never anything but loopback


def newsdesk_environment(index: Path, **settings: str) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("NEWSDESK_")}
    return environment | {
        "NEWSDESK_INDEX_PATH": str(index),
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        **settings,
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def serve(index: Path, **settings: str) -> tuple[subprocess.Popen, str, dict]:
    """`newsdesk serve` over the index on a free loopback port, once /health answers: the
    process, its URL and its health report."""
    port = free_port()
    url = f"http://{HOST}:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "serve", "--host", HOST, "--port", str(port)],
        env=newsdesk_environment(index, **settings),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 300
    while True:
        try:
            return server, url, httpx.get(f"{url}/health", timeout=2).json()
        except httpx.HTTPError:
            assert server.poll() is None and time.monotonic() < deadline, "no server"
            time.sleep(0.5)


def questions_from(data: Path) -> list[str]:
    titles = [json.loads(line).get("title") for line in data.open()]
    return [f"What happened: {title}?" for title in titles if title]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def client_loop(
    http: httpx.AsyncClient,
    key: str,
    questions: list[str],
    deadline: float,
    budget: list[int],
    records: list[tuple[str, float, str]],
    seed: int,
) -> None:
    pick = random.Random(seed)
    headers = {"Authorization": f"Bearer {key}"}
    endpoints = [("/search", "query"), ("/ask", "question")]
    turn = seed % 2
    while time.monotonic() < deadline and budget[0] > 0:
        budget[0] -= 1
        path, field = endpoints[turn]
        turn = 1 - turn
        started = time.perf_counter()
        try:
            response = await http.post(path, json={field: pick.choice(questions)}, headers=headers)
            outcome = "ok" if response.status_code == 200 else f"HTTP {response.status_code}"
        except httpx.HTTPError as error:
            outcome = type(error).__name__
        records.append((path, time.perf_counter() - started, outcome))


async def run_load(
    url: str, keys: list[str], questions: list[str], seconds: float, max_requests: int
) -> tuple[list, float]:
    records: list[tuple[str, float, str]] = []
    budget = [max_requests]
    limits = httpx.Limits(max_connections=len(keys), max_keepalive_connections=len(keys))
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as http:
        started = time.monotonic()
        deadline = started + seconds
        await asyncio.gather(
            *(
                client_loop(http, key, questions, deadline, budget, records, seed)
                for seed, key in enumerate(keys)
            )
        )
        elapsed = time.monotonic() - started
    return records, elapsed


async def sample_memory(process: psutil.Process, every_s: float, samples: list) -> None:
    """The server's resident MiB every `every_s` seconds until cancelled, as (seconds, MiB)."""
    started = time.monotonic()
    while True:
        await asyncio.sleep(every_s)
        resident_mib = round(process.memory_info().rss / 2**20)
        samples.append((round(time.monotonic() - started), resident_mib))


async def run_load_sampling_memory(
    url: str, keys: list[str], questions: list[str], seconds: float, process: psutil.Process
) -> tuple[list, float, list]:
    samples: list[tuple[int, int]] = []
    sampler = asyncio.create_task(sample_memory(process, 30, samples))
    try:
        records, elapsed = await run_load(url, keys, questions, seconds, 10**9)
    finally:
        sampler.cancel()
    return records, elapsed, samples


def profile(pid: int, seconds: float) -> subprocess.Popen:
    """py-spy sampling the server for `seconds` (collapsed stacks, one line per stack)."""
    return subprocess.Popen(
        [
            str(Path(sys.executable).with_name("py-spy")),
            "record", "--pid", str(pid), "--duration", str(int(seconds)),
            "--rate", "50", "--format", "raw", "--nonblocking",
            "--output", str(RESULTS / "load-profile.txt"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip


def where_time_went(collapsed: Path, top: int = 25) -> list[tuple[str, float]]:
    """Each function's share of the samples in which it is on the stack (inclusive), the
    largest first. py-spy counts only threads that are running, so an idle worker costs
    nothing here."""
    on_stack: dict[str, int] = {}
    total = 0
    for line in collapsed.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        total += int(count)
        # A frame is "function (file:line)"; the same function at other lines counts once.
        for function in {frame.rsplit(":", 1)[0] for frame in stack.split(";")}:
            on_stack[function] = on_stack.get(function, 0) + int(count)
    ranked = sorted(on_stack.items(), key=lambda item: -item[1])[:top]
    return [(function, round(count / total, 3)) for function, count in ranked]


def summarize(records: list[tuple[str, float, str]], elapsed: float) -> dict:
    summary = {}
    for path in ("/search", "/ask", "all"):
        chosen = [r for r in records if path in ("all", r[0])]
        latencies = [seconds * 1000 for _, seconds, outcome in chosen if outcome == "ok"]
        failures = [outcome for _, _, outcome in chosen if outcome != "ok"]
        summary[path] = {
            "requests": len(chosen),
            "failed": len(failures),
            "failures": dict(sorted({f: failures.count(f) for f in set(failures)}.items())),
            "requests_per_s": round(len(chosen) / elapsed, 1),
            "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
            "p95_ms": round(percentile(latencies, 0.95), 1) if latencies else None,
            "p99_ms": round(percentile(latencies, 0.99), 1) if latencies else None,
        }
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--index", type=Path, default=RESULTS / "load-index")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--max-requests", type=int, default=100_000)
    parser.add_argument("--profile", action="store_true", help="py-spy the measured window")
    parser.add_argument("--further-minutes", type=float, default=0)
    args = parser.parse_args()

    newsdesk = [sys.executable, "-m", "service.cli"]
    ingested = subprocess.run(
        [*newsdesk, "ingest", "--quiet", str(args.data)],
        env=newsdesk_environment(args.index),
        capture_output=True,
        text=True,
        check=True,
    )
    print(ingested.stdout.strip())

    keys = [f"load-client-{n}" for n in range(args.clients)]
    # No rate limit: this measures the server's capacity, and one fast client now passes the
    # default 600 requests a minute per key (found: 429s in the one-client run).
    server, url, health = serve(
        args.index, NEWSDESK_API_KEYS=",".join(keys), NEWSDESK_RATE_LIMIT_PER_MINUTE="0"
    )
    try:
        # One request of each kind first, so the figures are not of loading the model.
        headers = {"Authorization": f"Bearer {keys[0]}"}
        httpx.post(f"{url}/search", json={"query": "warm up"}, headers=headers, timeout=120)
        httpx.post(f"{url}/ask", json={"question": "warm up?"}, headers=headers, timeout=120)
        process = psutil.Process(server.pid)
        memory_before = process.memory_info().rss / 2**20

        questions = questions_from(args.data)
        profiler = profile(server.pid, args.seconds) if args.profile else None
        records, elapsed = asyncio.run(
            run_load(url, keys, questions, args.seconds, args.max_requests)
        )
        memory_after = process.memory_info().rss / 2**20
        if profiler:
            profiler.wait(timeout=120)
        further = None
        if args.further_minutes:
            more, more_elapsed, samples = asyncio.run(
                run_load_sampling_memory(url, keys, questions, args.further_minutes * 60, process)
            )
            further = {
                "minutes": args.further_minutes,
                "endpoints": summarize(more, more_elapsed),
                "server_rss_mib_every_30_s": samples,
            }
    finally:
        server.terminate()
        server.wait(timeout=30)

    results = {
        "command": "bench/load.py " + " ".join(sys.argv[1:]),
        "archive": {"articles": health["articles"], "passages": health["passages"]},
        "clients": args.clients,
        "seconds": round(elapsed, 1),
        "endpoints": summarize(records, elapsed),
        "server_rss_mib": {"before": round(memory_before), "after": round(memory_after)},
        "cpus": os.cpu_count(),
    }
    if args.profile:
        results["profile"] = {
            "samples": "bench/results/load-profile.txt (py-spy, 50 Hz, running threads)",
            "share_of_samples_on_stack": where_time_went(RESULTS / "load-profile.txt"),
        }
    if further:
        results["further"] = further
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "load.json").write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
