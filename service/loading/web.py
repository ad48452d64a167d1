"""Articles from the web: a page (its main text extracted by trafilatura, as for .html files),
or an RSS or Atom feed (feedparser), each entry's page fetched and stored with the entry's
metadata: its GUID (else its link) as id, its title and date, the feed's title as source.

Polite by default: a user agent naming Newsdesk, robots.txt obeyed, a delay between two
requests to one host, a size cap and a timeout on every fetch. Every problem (a 404, a body
that is neither a feed nor HTML, a malformed feed, one over the cap) becomes a `LoadError`
naming the URL, and loading goes on with the next entry or feed."""

import dataclasses
import datetime as dt
import threading
import time
import urllib.robotparser
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from importlib.metadata import version
from urllib.parse import urljoin, urlsplit

import feedparser
import httpx

from service.domain import Article, LoadError
from service.loading.cleaning import parse_date
from service.loading.files import Loaded, parse_html
from service.loading.records import RecordError
from service.settings import WebSettings

USER_AGENT = f"Newsdesk/{version('newsdesk')} (self-hosted news archive; feed and page reader)"
_FEED_TYPES = ("rss", "atom", "xml")
_HTML_TYPES = ("text/html", "application/xhtml+xml")


class FetchError(Exception):
    """A URL that could not be fetched, or may not be; `status` is the HTTP status when the
    server answered with an error."""

    def __init__(self, message: str, *, status: int | None = None):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Fetched:
    url: str
    content_type: str
    body: bytes
    etag: str | None = None
    last_modified: str | None = None

    def text(self) -> str:
        return self.body.decode(_charset(self.content_type) or "utf-8", errors="replace")


class WebClient:
    """GETs with the manners above; thread-safe, one per process is enough."""

    def __init__(self, settings: WebSettings, *, http: httpx.Client | None = None):
        self._settings = settings
        self._http = http or httpx.Client(
            headers={"User-Agent": USER_AGENT},
            timeout=settings.fetch_timeout_s,
            follow_redirects=True,
        )
        self._robots: dict[str, urllib.robotparser.RobotFileParser] = {}
        self._next_request_at: dict[str, float] = {}
        self._lock = threading.Lock()

    def get(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> Fetched | None:
        """The body at `url`, or None when the server says it has not changed since the
        `etag` / `last_modified` of an earlier fetch (HTTP 304)."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchError("not an http(s) URL")
        if not self._allowed(url):
            raise FetchError("robots.txt does not allow Newsdesk to fetch it")
        conditions = {"If-None-Match": etag, "If-Modified-Since": last_modified}
        headers = {name: value for name, value in conditions.items() if value}
        return self._fetch(url, headers)

    def _fetch(self, url: str, headers: dict[str, str]) -> Fetched | None:
        self._wait_for_turn(urlsplit(url).netloc)
        cap = self._settings.fetch_max_bytes
        try:
            with self._http.stream("GET", url, headers=headers) as response:
                if response.status_code == 304:
                    return None
                if response.status_code >= 400:
                    raise FetchError(f"HTTP {response.status_code}", status=response.status_code)
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > cap:
                    raise FetchError(f"{int(declared):,} bytes, over the {cap:,} limit")
                body = bytearray()
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > cap:
                        raise FetchError(f"over the {cap:,} byte limit")
                return Fetched(
                    url=str(response.url),
                    content_type=response.headers.get("content-type", "").lower(),
                    body=bytes(body),
                    etag=response.headers.get("etag"),
                    last_modified=response.headers.get("last-modified"),
                )
        except httpx.HTTPError as error:
            raise FetchError(f"{type(error).__name__}: {error}") from None

    def _wait_for_turn(self, host: str) -> None:
        """Sleep until this host may be asked again; book the next turn."""
        with self._lock:
            now = time.monotonic()
            turn = max(now, self._next_request_at.get(host, now))
            self._next_request_at[host] = turn + self._settings.fetch_host_delay_s
        time.sleep(turn - now)

    def _allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        site = f"{parts.scheme}://{parts.netloc}"
        with self._lock:
            robots = self._robots.get(site)
        if robots is None:
            robots = self._read_robots(site)
            with self._lock:
                self._robots[site] = robots
        return robots.can_fetch(USER_AGENT, url)

    def _read_robots(self, site: str) -> urllib.robotparser.RobotFileParser:
        """The site's robots.txt, read as Python's parser reads one: none (or 4xx) allows
        everything, 401 and 403 allow nothing; a server error allows nothing for now."""
        robots = urllib.robotparser.RobotFileParser(urljoin(site, "/robots.txt"))
        try:
            fetched = self._fetch(urljoin(site, "/robots.txt"), {})
        except FetchError as error:
            forbidden = error.status in (401, 403) or (error.status or 0) >= 500
            robots.disallow_all, robots.allow_all = forbidden, not forbidden
            return robots
        robots.parse((fetched.text() if fetched else "").splitlines())
        return robots


def load_urls(
    urls: Iterable[str],
    web: WebClient,
    *,
    max_bytes: int,
    stored: Callable[[list[str]], set[str]] = lambda ids: set(),
) -> Iterator[Loaded]:
    """The articles at these URLs: a page's, or every entry's of a feed. Entries whose ids
    `stored` names are skipped without fetching their pages."""
    for url in urls:
        try:
            fetched = web.get(url)
        except FetchError as error:
            yield LoadError(url, f"cannot fetch: {error}")
            continue
        assert fetched is not None  # an unconditional GET is never "not modified"
        yield from load_fetched(fetched, web, max_bytes=max_bytes, stored=stored)


def load_fetched(
    fetched: Fetched,
    web: WebClient,
    *,
    max_bytes: int,
    stored: Callable[[list[str]], set[str]] = lambda ids: set(),
) -> Iterator[Loaded]:
    """The articles of a fetched page or feed."""
    if any(kind in fetched.content_type for kind in _HTML_TYPES):
        yield _page(fetched, max_bytes, article_id=fetched.url)
    elif any(kind in fetched.content_type for kind in _FEED_TYPES) or _looks_like_xml(fetched):
        yield from _feed(fetched, web, max_bytes=max_bytes, stored=stored)
    else:
        kind = fetched.content_type or "no content type"
        yield LoadError(fetched.url, f"neither a feed nor an HTML page ({kind})")


def _feed(
    fetched: Fetched, web: WebClient, *, max_bytes: int, stored: Callable[[list[str]], set[str]]
) -> Iterator[Loaded]:
    parsed = feedparser.parse(fetched.body, response_headers={"content-location": fetched.url})
    if not parsed.version:
        problem = getattr(parsed.get("bozo_exception"), "args", [""])[0] or "not RSS or Atom"
        yield LoadError(fetched.url, f"malformed feed: {problem}")
        return
    source = parsed.feed.get("title") or urlsplit(fetched.url).hostname
    entries = [(entry.get("id") or entry.get("link"), entry) for entry in parsed.entries]
    known = stored([entry_id for entry_id, _ in entries if entry_id])
    for number, (entry_id, entry) in enumerate(entries, start=1):
        where = f"{fetched.url} entry {number}"
        if not entry_id:
            yield LoadError(where, "entry has neither an id nor a link")
        elif entry_id not in known:
            yield _entry(entry, entry_id, source, web, max_bytes=max_bytes, where=where)


def _entry(
    entry: feedparser.FeedParserDict,
    entry_id: str,
    source: str,
    web: WebClient,
    *,
    max_bytes: int,
    where: str,
) -> Loaded:
    """The entry's page, with the entry's id, title, date and link and the feed's title."""
    link = entry.get("link")
    if not link:
        return LoadError(where, "entry has no link to its article")
    try:
        page = web.get(link)
    except FetchError as error:
        return LoadError(link, f"cannot fetch: {error}")
    assert page is not None
    if not any(kind in page.content_type for kind in _HTML_TYPES):
        return LoadError(link, f"not an HTML page ({page.content_type or 'no content type'})")
    extracted = _page(page, max_bytes, article_id=entry_id)
    if isinstance(extracted, LoadError):
        return extracted
    return dataclasses.replace(
        extracted,
        title=entry.get("title") or extracted.title,
        date=_date(entry.get("published") or entry.get("updated")) or extracted.date,
        source=source,
        url=link,
    )


def _page(fetched: Fetched, max_bytes: int, *, article_id: str) -> Article | LoadError:
    try:
        article = parse_html(fetched.text(), article_id, max_bytes)
    except RecordError as error:
        return LoadError(fetched.url, str(error))
    # The address it was fetched from, whatever the page says of itself.
    source = article.source or urlsplit(fetched.url).hostname
    return dataclasses.replace(article, source=source, url=fetched.url)


def _date(written: str | None) -> dt.date | None:
    try:
        return parse_date(written)
    except ValueError:
        return None  # the page's own date, if it has one, beats a lost article


def _looks_like_xml(fetched: Fetched) -> bool:
    return fetched.body.lstrip()[:100].startswith((b"<?xml", b"<rss", b"<feed", b"<rdf"))


def _charset(content_type: str) -> str | None:
    for parameter in content_type.split(";")[1:]:
        name, _, value = parameter.strip().partition("=")
        if name == "charset" and value:
            return value.strip('"')
    return None
