"""Feeds and pages from the web, against a real HTTP server on loopback serving RSS and Atom
files and pages made from the repository's Wikipedia fixtures (no network)."""

import datetime as dt
import html
import itertools
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from service.loading.web import USER_AGENT, WebClient
from service.watching import FeedWatcher
from tests.processes import NewsdeskServer
from tests.test_cli import newsdesk

FIXTURES = [
    json.loads(line)
    for line in (Path(__file__).parent / "fixtures/wikipedia_articles.jsonl")
    .read_text()
    .splitlines()
]
PUBLISHED = [dt.datetime(2022, 7, 26 - n, 14, 3, tzinfo=dt.UTC) for n in range(5)]


@dataclass
class Route:
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    etag: str | None = None


@dataclass
class Site:
    """An HTTP server on loopback: its routes can change between requests, and it remembers
    every request (path, headers, when)."""

    routes: dict[str, Route] = field(default_factory=dict)
    requests: list[tuple[str, dict, float]] = field(default_factory=list)

    def __post_init__(self) -> None:
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                site.requests.append((self.path, dict(self.headers), time.monotonic()))
                route = site.routes.get(self.path, Route(b"not found", "text/plain", 404))
                if route.etag and self.headers.get("If-None-Match") == route.etag:
                    self.send_response(304)
                    self.end_headers()
                    return
                self.send_response(route.status)
                self.send_header("Content-Type", route.content_type)
                self.send_header("Content-Length", str(len(route.body)))
                if route.etag:
                    self.send_header("ETag", route.etag)
                self.end_headers()
                self.wfile.write(route.body)

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def paths_requested(self) -> list[str]:
        return [path for path, _, _ in self.requests]

    def close(self) -> None:
        self._server.shutdown()


def page(article: dict) -> bytes:
    paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in article["text"].split("\n\n"))
    return (
        f"<!doctype html><html><head><title>{html.escape(article['title'])}</title></head>"
        f"<body><nav>Home | About</nav><article><h1>{html.escape(article['title'])}</h1>"
        f"{paragraphs}</article><footer>Footer</footer></body></html>"
    ).encode()


def rss(site: Site, numbers: list[int]) -> bytes:
    items = "".join(
        f"<item><title>{html.escape(FIXTURES[n]['title'])}</title>"
        f"<link>{site.url}/story/{n}</link><guid>urn:wiki-wire:{n}</guid>"
        f"<pubDate>{format_datetime(PUBLISHED[n], usegmt=True)}</pubDate></item>"
        for n in numbers
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>Wiki Wire</title><link>{site.url}/</link>{items}</channel></rss>"
    ).encode()


def atom(site: Site, numbers: list[int]) -> bytes:
    entries = "".join(
        f"<entry><title>{html.escape(FIXTURES[n]['title'])}</title>"
        f'<link href="{site.url}/story/{n}"/><id>tag:wiki-atom,2022:{n}</id>'
        f"<updated>{PUBLISHED[n].isoformat()}</updated></entry>"
        for n in numbers
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        "<title>Wiki Atom</title><id>tag:wiki-atom,2022</id>"
        "<updated>2022-07-26T00:00:00Z</updated>"
        f"{entries}</feed>"
    ).encode()


@pytest.fixture
def site() -> Iterator[Site]:
    site = Site()
    site.routes["/robots.txt"] = Route(b"User-agent: *\nDisallow: /private/\n", "text/plain")
    for n in range(len(PUBLISHED)):
        site.routes[f"/story/{n}"] = Route(page(FIXTURES[n]))
    site.routes["/rss.xml"] = Route(rss(site, [0, 1, 2]), "application/rss+xml", etag='"v1"')
    site.routes["/atom.xml"] = Route(atom(site, [3]), "application/atom+xml")
    yield site
    site.close()


def stored(index: Path) -> dict[str, dict]:
    listed = newsdesk("articles", "--json", "--limit", "100", index=index)
    return {article["id"]: article for article in json.loads(listed.stdout)["articles"]}


def test_feeds_and_a_page_ingest_with_their_metadata_politely(site, tmp_path):
    index = tmp_path / "index"
    sources = [f"{site.url}/rss.xml", f"{site.url}/atom.xml", f"{site.url}/story/4"]
    first = newsdesk("ingest", "--quiet", *sources, index=index, NEWSDESK_FETCH_HOST_DELAY_S="0.2")
    assert first.returncode == 0, first.stderr
    assert "articles: 5 new, 0 unchanged" in first.stdout

    articles = stored(index)
    entry = articles["urn:wiki-wire:0"]
    assert entry["title"] == FIXTURES[0]["title"]
    assert entry["date"] == "2022-07-26", "RSS's RFC 2822 date"
    assert entry["source"] == "Wiki Wire" and entry["url"] == f"{site.url}/story/0"
    assert articles["tag:wiki-atom,2022:3"]["date"] == "2022-07-23"
    assert articles["tag:wiki-atom,2022:3"]["source"] == "Wiki Atom"
    assert articles[f"{site.url}/story/4"]["title"] == FIXTURES[4]["title"]
    text = newsdesk("show", "urn:wiki-wire:1", index=index).stdout
    assert FIXTURES[1]["text"][:200] in json.loads(text)["text"]
    assert "Home | About" not in json.loads(text)["text"], "the page's main text only"

    # Polite: named, robots.txt read once per site, one request at a time per host.
    assert all(headers["User-Agent"] == USER_AGENT for _, headers, _ in site.requests)
    assert site.paths_requested().count("/robots.txt") == 1
    # The client spaces its requests' starts 0.2 s apart; the server sees them arrive with
    # scheduling jitter (0.186 s once, on a loaded machine). Without the delay they are
    # milliseconds apart.
    times = [at for _, _, at in site.requests]
    assert min(b - a for a, b in itertools.pairwise(times)) >= 0.15

    # Again: the feeds are read, their entries are already stored and not fetched again.
    before = len(site.requests)
    again = newsdesk("ingest", "--quiet", *sources[:2], index=index)
    assert again.returncode == 0 and "articles: 0 new" in again.stdout
    assert site.paths_requested()[before:] == ["/robots.txt", "/rss.xml", "/atom.xml"]


def test_bad_sources_are_reported_and_the_rest_stored(site, tmp_path):
    site.routes["/broken.xml"] = Route(b"this is not a feed", "application/rss+xml")
    site.routes["/picture.png"] = Route(b"\x89PNG\r\n\x1a\n", "image/png")
    site.routes["/huge.html"] = Route(b"<p>" + b"x" * 60_000 + b"</p>")
    site.routes["/private/secret"] = Route(page(FIXTURES[4]))
    site.routes["/mixed.xml"] = Route(
        rss(site, [0]).replace(
            b"</channel>",
            f"<item><title>Secret</title><link>{site.url}/private/secret</link>"
            f"<guid>urn:secret</guid></item>"
            f"<item><title>Gone</title><link>{site.url}/story/99</link><guid>urn:gone</guid>"
            "</item></channel>".encode(),
        ),
        "application/rss+xml",
    )
    index = tmp_path / "index"
    urls = [
        f"{site.url}/{path}"
        for path in ("broken.xml", "picture.png", "huge.html", "missing", "mixed.xml")
    ]
    result = newsdesk(
        "ingest", "--quiet", *urls, "ftp://example.org/x", index=index,
        NEWSDESK_FETCH_HOST_DELAY_S="0", NEWSDESK_FETCH_MAX_BYTES="50000",
    )  # fmt: skip
    assert result.returncode == 1, "some failed, the rest were stored"
    assert "articles: 1 new, 0 unchanged, 0 updated, 7 failed" in result.stdout
    for problem in [
        "broken.xml: malformed feed",
        "picture.png: neither a feed nor an HTML page (image/png)",
        "huge.html: cannot fetch: 60,007 bytes, over the 50,000 limit",
        "missing: cannot fetch: HTTP 404",
        "private/secret: cannot fetch: robots.txt does not allow Newsdesk to fetch it",
        "story/99: cannot fetch: HTTP 404",
        "ftp://example.org/x: cannot fetch: not an http(s) URL",
    ]:
        assert problem in result.stderr, problem
    assert "Traceback" not in result.stderr
    assert list(stored(index)) == ["urn:wiki-wire:0"]
    assert "/private/secret" not in site.paths_requested()


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_watching_asks_conditionally_skips_what_it_has_and_backs_off(site, components):
    site.routes["/down.xml"] = Route(b"unavailable", "text/plain", status=503)
    clock = Clock()
    interval = 60.0
    web = WebClient(components.settings.web.model_copy(update={"fetch_host_delay_s": 0}))
    watcher = FeedWatcher(
        [f"{site.url}/rss.xml", f"{site.url}/down.xml"],
        web=web,
        ingestor=components.ingestor,
        interval_s=interval,
        max_article_bytes=1_000_000,
        clock=clock,
    )
    rss_poll, down_poll = watcher.poll_due()
    assert rss_poll.report.new == 3 and rss_poll.error is None
    assert down_poll.error == "HTTP 503" and down_poll.retry_in_s == 2 * interval
    assert watcher.poll_due() == [], "nothing is due yet"

    clock.now += interval
    (unchanged,) = watcher.poll_due()
    assert unchanged.report is None and unchanged.summary().endswith("not modified")
    last_rss = [h for path, h, _ in site.requests if path == "/rss.xml"][-1]
    assert last_rss["If-None-Match"] == '"v1"'

    site.routes["/rss.xml"] = Route(rss(site, [4, 0, 1, 2]), "application/rss+xml", etag='"v2"')
    clock.now += interval
    before = len(site.requests)
    rss_poll, down_poll = watcher.poll_due()
    assert rss_poll.report.new == 1 and rss_poll.report.unchanged == 0
    assert [p for p in site.paths_requested()[before:] if p.startswith("/story")] == ["/story/4"]
    assert down_poll.retry_in_s == 4 * interval, "twice the wait after each failure"
    assert components.store.get("urn:wiki-wire:4").source == "Wiki Wire"


def test_the_server_polls_the_feeds_it_is_given(site, tmp_path):
    settings = {
        "NEWSDESK_INDEX_PATH": str(tmp_path / "index"),
        "NEWSDESK_FEEDS": f"{site.url}/rss.xml,{site.url}/atom.xml",
        "NEWSDESK_FETCH_HOST_DELAY_S": "0",
    }
    with NewsdeskServer(tmp_path / "serve.log", **settings) as server:
        deadline = time.monotonic() + 120
        while httpx.get(f"{server.url}/articles").json()["total"] < 4:
            assert time.monotonic() < deadline, (tmp_path / "serve.log").read_text()
            time.sleep(0.5)
        answer = httpx.post(f"{server.url}/search", json={"query": FIXTURES[2]["title"]}).json()
        assert answer["passages"][0]["article_id"] == "urn:wiki-wire:2"


def test_watch_once_from_the_cli(site, tmp_path):
    site.routes["/down.xml"] = Route(b"unavailable", "text/plain", status=503)
    feeds = [f"{site.url}/rss.xml", f"{site.url}/down.xml"]
    index = tmp_path / "index"
    topic = newsdesk("watch-topic", "add", "the 1973 oil crisis", index=index)
    watch_id = json.loads(topic.stdout)["id"]
    watched = newsdesk("watch", "--once", *feeds, index=index, NEWSDESK_FETCH_HOST_DELAY_S="0")
    assert watched.returncode == 1, "a feed failed"
    assert f"{site.url}/rss.xml: articles: 3 new" in watched.stdout
    assert f"{site.url}/down.xml: failed (HTTP 503); retrying in 1800 s" in watched.stderr
    assert len(stored(index)) == 3
    # The watched topics were checked against what the poll stored before the process ended.
    items = json.loads(newsdesk("watch-topic", "items", watch_id, index=index).stdout)
    assert [item["article_id"] for item in items] == ["urn:wiki-wire:0"]
