"""Ingest beyond one process: several `newsdesk ingest` workers on one Chroma server, and a
local index that a running server holds."""

import json
import subprocess
import sys
from pathlib import Path

import httpx

from service.components import build_components
from service.domain import ArticleFilter
from service.settings import load_settings
from tests.processes import ChromaServer, NewsdeskServer, newsdesk_environment
from tests.test_crash_safety import assert_consistent

TOWNS = ["Aldmere", "Brookfield", "Carrow", "Dunlin", "Eastwick", "Fallow", "Greyhaven"]


def council_article(number: int) -> dict:
    """A short made-up local news report (written for these tests), two passages long."""
    town = f"{TOWNS[number % len(TOWNS)]} {number}"
    paragraph = (
        f"The council of {town} approved a budget of {number * 3 + 7} million for its roads. "
        f"The mayor of {town} said the work would start in spring and last {number % 5 + 2} "
        "years. Residents asked for new cycle lanes beside the main street. "
    )
    return {
        "id": f"council-{number:03d}",
        "title": f"{town} approves road budget",
        "date": f"2024-03-{number % 28 + 1:02d}",
        "source": "Newsdesk test fixtures",
        "text": paragraph * 6,
    }


def write_articles(path: Path, numbers: list[int]) -> Path:
    path.write_text("".join(json.dumps(council_article(n)) + "\n" for n in numbers))
    return path


def ingest(path: Path, **settings: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "service.cli", "ingest", "--quiet", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=newsdesk_environment(NEWSDESK_INGEST_BATCH_ARTICLES="3", **settings),
    )


def test_two_workers_with_overlapping_input_lose_and_duplicate_nothing(tmp_path, embedder):
    chroma = ChromaServer(tmp_path / "chroma", tmp_path / "chroma.log")
    chroma.start()
    try:
        shared = list(range(0, 12))  # both workers start on the same articles at once
        inputs = [
            write_articles(tmp_path / "first.jsonl", shared + list(range(12, 24))),
            write_articles(tmp_path / "second.jsonl", shared + list(range(24, 36))),
        ]
        workers = [ingest(path, NEWSDESK_CHROMA_URL=chroma.url) for path in inputs]
        for worker in workers:
            _, err = worker.communicate(timeout=900)
            assert worker.returncode == 0, err

        components = build_components(load_settings(chroma_url=chroma.url), embedder=embedder)
        assert_consistent(components, {f"council-{n:03d}" for n in range(36)})
        question = "What budget did the council of Carrow 2 approve?"
        answer = components.pipeline.ask(question, k=4, selection=ArticleFilter())
        assert answer.citations and "13 million" in answer.text
    finally:
        chroma.stop()


def test_a_local_index_in_use_by_a_server_refuses_a_second_writer(tmp_path):
    index = tmp_path / "index"
    articles = write_articles(tmp_path / "more.jsonl", [1, 2])
    with NewsdeskServer(tmp_path / "server.log", NEWSDESK_INDEX_PATH=str(index)) as server:
        refused = ingest(articles, NEWSDESK_INDEX_PATH=str(index))
        _, err = refused.communicate(timeout=120)
        assert refused.returncode == 3, err  # the index cannot be used
        assert "in use by another newsdesk process" in err and "POST /articles" in err
        # The server is unharmed and takes the articles itself.
        body = {"articles": [council_article(1), council_article(2)]}
        assert httpx.post(f"{server.url}/articles", json=body, timeout=120).status_code == 200
        assert httpx.get(f"{server.url}/health", timeout=30).json()["articles"] >= 2

    accepted = ingest(articles, NEWSDESK_INDEX_PATH=str(index))
    out, err = accepted.communicate(timeout=300)
    assert accepted.returncode == 0, err
    assert "2 unchanged" in out
