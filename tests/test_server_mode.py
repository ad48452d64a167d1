"""Server mode: the same ingestion against a real Chroma server started by `chroma run`."""

import time
from concurrent.futures import ThreadPoolExecutor

import httpx
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.components import build_components
from service.loading import load_paths
from service.settings import load_settings
from tests.conftest import ALASKA_ARTICLE, BLINKEN_ARTICLE, SEEDS
from tests.processes import ChromaServer, HangingServer, NewsdeskServer


def test_ingest_update_delete_against_a_chroma_server(server_settings, embedder, seeds_dir):
    components = build_components(server_settings, embedder=embedder)
    assert components.store.kind.startswith("chroma-server http://127.0.0.1:")
    report = components.ingestor.ingest(load_paths([seeds_dir], max_bytes=1_000_000))
    assert report.new == 3

    # A second client (another process would do the same) sees what the first wrote.
    other = build_components(server_settings, embedder=embedder)
    stored = other.store.get(BLINKEN_ARTICLE)
    assert stored.source == "The Financial Times"
    assert all(stored.text[p.start : p.end] == p.text for p in stored.passages)
    again = other.ingestor.ingest(load_paths([seeds_dir], max_bytes=1_000_000))
    assert again.unchanged == 3 and again.passages_written == 0

    assert other.ingestor.delete(ALASKA_ARTICLE)
    assert components.store.get(ALASKA_ARTICLE) is None
    assert components.store.counts()[0] == 2
    assert not server_settings.store.index_path.exists(), "server mode writes no local index"


def test_a_chroma_outage_gives_503_and_the_service_heals(
    chroma, server_settings, embedder, seeds_dir
):
    components = build_components(server_settings, embedder=embedder)
    components.ingestor.ingest(load_paths([seeds_dir], max_bytes=1_000_000))
    query = {"query": "Alaska talks"}
    with TestClient(create_app(server_settings, components=components)) as client:
        before = client.post("/search", json=query).json()

        chroma.stop()
        for method, path, body in [
            ("POST", "/search", query),
            ("POST", "/ask", {"question": "Where were the talks?", "stream": True}),
            ("POST", "/brief", {}),
            ("GET", "/health", None),
        ]:
            response = client.request(method, path, json=body)
            assert response.status_code == 503, path
            assert response.json()["detail"].startswith("the article store is unavailable")
            assert chroma.url in response.json()["detail"]
            assert response.headers["retry-after"] == "5"

        chroma.start()  # same data, same port: the next request reconnects by itself
        assert client.post("/search", json=query).json() == before
        assert client.get("/health").json()["articles"] == 3


def test_the_service_starts_while_chroma_is_down(chroma, server_settings, embedder):
    chroma.stop()
    components = build_components(server_settings, embedder=embedder)
    with TestClient(create_app(server_settings, components=components)) as client:
        assert client.get("/health").status_code == 503
        chroma.start()
        assert client.get("/health").json()["articles"] == 0
        assert client.post("/search", json={"query": "Blinken"}).json()["passages"] == []


def test_a_chroma_server_that_never_answers_gives_503_within_the_timeout(
    tmp_path, embedder, monkeypatch
):
    hanging = HangingServer()
    monkeypatch.delenv("NEWSDESK_INDEX_PATH", raising=False)
    settings = load_settings(chroma_url=hanging.url, chroma_timeout_s=1.0)
    components = build_components(settings, embedder=embedder)
    requests = [
        ("GET", "/health", None),
        ("POST", "/search", {"query": "Alaska talks"}),
        ("POST", "/ask", {"question": "Where were the talks?"}),
        ("POST", "/ask", {"question": "Where were the talks?", "stream": True}),
    ]
    with TestClient(create_app(settings, components=components)) as client:

        def timed(method: str, path: str, body: dict | None) -> tuple[int, float]:
            started = time.monotonic()
            response = client.request(method, path, json=body)
            return response.status_code, time.monotonic() - started

        # All at once: each waits at most for its own connection attempt (and the ones queued
        # before it), then gets 503; meanwhile a request that needs no store is served at once.
        with ThreadPoolExecutor(len(requests)) as pool:
            pending = [pool.submit(timed, *request) for request in requests]
            page_status, page_seconds = timed("GET", "/", None)
            outcomes = [future.result(timeout=30) for future in pending]
        assert page_status == 200 and page_seconds < 0.5
        assert [status for status, _ in outcomes] == [503] * len(requests)
        assert max(seconds for _, seconds in outcomes) < len(requests) * 1.0 + 2
        assert "unreachable" in client.get("/health").json()["detail"]

        # A real server comes up on that port: the service heals by itself.
        hanging.close()
        chroma = ChromaServer(tmp_path / "data", tmp_path / "chroma.log", port=hanging.port)
        chroma.start()
        try:
            assert client.get("/health").json()["articles"] == 0
            assert client.post("/search", json={"query": "Alaska"}).status_code == 200
        finally:
            chroma.stop()


def test_two_service_processes_on_one_chroma_server_give_the_same_answers(chroma, tmp_path):
    """Replicas share the store; each keeps its own keyword index, which follows the store."""
    shared = {"NEWSDESK_CHROMA_URL": chroma.url}
    with (
        NewsdeskServer(tmp_path / "a.log", **shared) as first,
        NewsdeskServer(tmp_path / "b.log", **shared) as second,
        httpx.Client(timeout=60) as http,
    ):
        seeds = [
            {"id": a.id, "title": a.title, "date": str(a.date), "source": a.source, "text": a.text}
            for a in load_paths([SEEDS], max_bytes=1_000_000)
        ]
        assert http.post(f"{first.url}/articles", json={"articles": seeds}).json()["new"] == 3

        def answers(replica: NewsdeskServer, question: str) -> tuple[dict, dict]:
            search = http.post(f"{replica.url}/search", json={"query": question}).json()
            answer = http.post(f"{replica.url}/ask", json={"question": question}).json()
            return search, answer

        question = "Who did Blinken meet in Beijing?"
        assert answers(first, question) == answers(second, question)
        assert answers(second, question)[1]["grounded"]

        # Written through one replica, found by keyword and meaning through the other.
        note = {"id": "note-1", "text": "Zorblat trade talks resumed in Geneva on Monday."}
        assert http.post(f"{second.url}/articles", json={"articles": [note]}).status_code == 200
        found = http.post(f"{first.url}/search", json={"query": "Zorblat"}).json()["passages"]
        assert found[0]["article_id"] == "note-1"
        assert answers(first, "Zorblat talks") == answers(second, "Zorblat talks")

        assert http.delete(f"{first.url}/articles/note-1").status_code == 204
        for replica in (first, second):
            hits = http.post(f"{replica.url}/search", json={"query": "Zorblat"}).json()
            assert "note-1" not in {hit["article_id"] for hit in hits["passages"]}
