"""Watched topics on the real model and index: items found when matching articles are stored,
an Atom feed a feed reader parses, a webhook that receives them (and one that fails without
failing the ingest), the CLI, and bad requests."""

import json
import signal
import time

import feedparser
import httpx
import pytest
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.components import build_components, open_store
from service.settings import load_settings
from tests.processes import Hook, NewsdeskServer, free_port
from tests.test_briefing import STORY_AFTER, STORY_BEFORE
from tests.test_cli import newsdesk
from tests.test_timeline import BRIDGE

FERRY = "the Elsworth ferry strike"


@pytest.fixture
def quick_client(settings, embedder):
    """The app with webhook retries a few milliseconds apart, and loopback allowed for the
    receivers these tests run."""
    quick = settings.replace(
        webhook_retries=2, webhook_backoff_s=0.01, webhook_allowed_hosts=["127.0.0.1"]
    )
    components = build_components(quick, embedder=embedder)
    with TestClient(create_app(quick, components=components)) as client:
        yield client, components


def test_a_watch_finds_matching_articles_as_they_are_stored(quick_client, hook):
    client, components = quick_client
    created = client.post("/watches", json={"topic": FERRY, "webhook": hook.url})
    assert created.status_code == 201, created.text
    watch = created.json()
    assert client.get("/watches").json()[0]["id"] == watch["id"]

    client.post("/articles", json={"articles": [STORY_BEFORE, *BRIDGE]})
    components.watches.wait()
    items = client.get(f"/watches/{watch['id']}/items").json()
    assert [item["article_id"] for item in items] == ["ferry-1"], "the bridge is another story"
    item = items[0]
    assert "[1]" in item["text"] and item["quote"] in STORY_BEFORE["text"]
    stored = client.get("/articles/ferry-1").json()["text"]
    assert stored[item["quote_start"] : item["quote_end"]] == item["quote"]

    assert hook.received[0]["watch"] == {"id": watch["id"], "topic": FERRY}
    assert [i["article_id"] for i in hook.received[0]["items"]] == ["ferry-1"]
    delivery = client.get(f"/watches/{watch['id']}").json()["last_delivery"]
    assert delivery["outcome"] == "delivered" and delivery["detail"] == "1 item(s)"

    client.post("/articles", json={"articles": [STORY_AFTER]})
    components.watches.wait()
    feed = client.get(f"/watches/{watch['id']}/feed.atom")
    assert feed.headers["content-type"].startswith("application/atom+xml")
    parsed = feedparser.parse(feed.content)
    assert parsed.version == "atom10" and not parsed.bozo
    assert parsed.feed.title == f"Newsdesk: {FERRY}"
    assert [entry.title for entry in parsed.entries] == [
        STORY_AFTER["title"],
        STORY_BEFORE["title"],
    ]
    assert "6 percent" in parsed.entries[0].summary


def test_a_failing_webhook_is_retried_and_reported_without_failing_the_ingest(quick_client):
    client, components = quick_client
    refusing = Hook(status=503)
    try:
        watch = client.post("/watches", json={"topic": FERRY, "webhook": refusing.url}).json()
        stored = client.post("/articles", json={"articles": [STORY_BEFORE]})
        assert stored.status_code == 200 and stored.json()["new"] == 1
        components.watches.wait()
    finally:
        refusing.close()
    assert len(refusing.received) == 3, "the first attempt and two retries"
    delivery = client.get(f"/watches/{watch['id']}").json()["last_delivery"]
    assert delivery["outcome"] == "failed"
    assert delivery["detail"].startswith("after 3 attempt(s)") and "503" in delivery["detail"]
    unreachable = f"http://127.0.0.1:{free_port()}/hook"
    watch = client.post("/watches", json={"topic": FERRY, "webhook": unreachable}).json()
    began = time.monotonic()
    assert client.post("/articles", json={"articles": [STORY_AFTER]}).status_code == 200
    assert time.monotonic() - began < 5, "the ingest does not wait for the webhook"
    components.watches.wait()
    delivery = client.get(f"/watches/{watch['id']}").json()["last_delivery"]
    assert "ConnectError" in delivery["detail"]


def test_bad_watch_requests(client):
    assert client.post("/watches", json={}).status_code == 422
    assert client.post("/watches", json={"topic": ""}).status_code == 422
    assert client.post("/watches", json={"topic": "x", "webhook": "not a url"}).status_code == 422
    for path in ("/watches/nope", "/watches/nope/items", "/watches/nope/feed.atom"):
        assert client.get(path).status_code == 404, path
    assert client.delete("/watches/nope").status_code == 404
    watch = client.post("/watches", json={"topic": "x"}).json()
    assert client.delete(f"/watches/{watch['id']}").status_code == 204
    assert client.get(f"/watches/{watch['id']}").status_code == 404


def test_watched_topics_from_the_cli(tmp_path):
    index = tmp_path / "index"
    added = newsdesk("watch-topic", "add", FERRY, index=index)
    assert added.returncode == 0, added.stderr
    watch_id = json.loads(added.stdout)["id"]
    articles = tmp_path / "articles.jsonl"
    articles.write_text("".join(json.dumps(a) + "\n" for a in [STORY_BEFORE, *BRIDGE]))
    assert newsdesk("ingest", "--quiet", str(articles), index=index).returncode == 0
    items = json.loads(newsdesk("watch-topic", "items", watch_id, index=index).stdout)
    assert [item["article_id"] for item in items] == ["ferry-1"]
    assert newsdesk("watch-topic", "list", index=index).stdout.startswith(f"{watch_id}\t{FERRY}")
    bad = newsdesk("watch-topic", "add", "x", "--webhook", "nope", index=index)
    assert bad.returncode == 2 and "URL" in bad.stderr
    assert newsdesk("watch-topic", "remove", watch_id, index=index).returncode == 0
    assert newsdesk("watch-topic", "remove", watch_id, index=index).returncode == 1


def test_a_server_stopped_right_after_an_ingest_checks_the_watches_first(tmp_path):
    index = tmp_path / "index"
    with NewsdeskServer(tmp_path / "serve.log", NEWSDESK_INDEX_PATH=str(index)) as server:
        # Enough watches that checking them outlasts the server's shutdown.
        watches = [
            httpx.post(f"{server.url}/watches", json={"topic": FERRY}).json() for _ in range(40)
        ]
        stored = httpx.post(f"{server.url}/articles", json={"articles": [STORY_BEFORE]}, timeout=60)
        assert stored.status_code == 200, stored.text
    # Uvicorn ends by the signal it was stopped with, once shut down; a crash ends otherwise.
    assert server.returncode == -signal.SIGTERM, (tmp_path / "serve.log").read_text()
    store = open_store(load_settings(index_path=index))
    found = [[i.article.article_id for i in store.watch_items(w["id"], limit=5)] for w in watches]
    assert found == [["ferry-1"]] * len(watches)
