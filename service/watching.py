"""Polling feeds for new articles: `newsdesk watch`, and the server's poller when
`NEWSDESK_FEEDS` names feeds.

Each feed is asked at its interval with a conditional GET (the ETag and Last-Modified of the
last answer), so an unchanged feed costs one short 304. Entries already stored are skipped
without fetching their pages. A feed that fails (unreachable, an HTTP error, malformed) is
reported and asked again after twice the wait of the time before, up to a day, while the
other feeds go on as usual."""

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from service.components import Components
from service.domain import LoadError, StoreError
from service.ingestion import Ingestor, IngestReport
from service.loading.web import FetchError, WebClient, load_fetched

MAX_BACKOFF_S = 24 * 3600.0

log = logging.getLogger(__name__)


@dataclass
class FeedState:
    url: str
    etag: str | None = None
    last_modified: str | None = None
    failures: int = 0
    due_at: float = 0.0


@dataclass(frozen=True)
class FeedPoll:
    """What one poll of one feed did."""

    url: str
    report: IngestReport | None = None  # None when the feed had not changed, or failed
    error: str | None = None
    retry_in_s: float = 0.0

    def summary(self) -> str:
        if self.error:
            return f"{self.url}: failed ({self.error}); retrying in {self.retry_in_s:.0f} s"
        if self.report is None:
            return f"{self.url}: not modified"
        return f"{self.url}: {self.report.summary()}"


class FeedWatcher:
    """Polls feeds into the ingestor; one per process, as it keeps each feed's state."""

    def __init__(
        self,
        feeds: Sequence[str],
        *,
        web: WebClient,
        ingestor: Ingestor,
        interval_s: float,
        max_article_bytes: int,
        clock: Callable[[], float] = time.monotonic,
    ):
        if not feeds:
            raise ValueError("no feed to watch")
        self._feeds = [FeedState(url) for url in dict.fromkeys(feeds)]
        self._web = web
        self._ingestor = ingestor
        self._interval_s = interval_s
        self._max_article_bytes = max_article_bytes
        self._clock = clock

    def poll_due(self) -> list[FeedPoll]:
        """Poll every feed whose time has come."""
        return [self._poll(feed) for feed in self._feeds if feed.due_at <= self._clock()]

    def seconds_to_next(self) -> float:
        return max(0.0, min(feed.due_at for feed in self._feeds) - self._clock())

    def run(self, stop: threading.Event, report: Callable[[FeedPoll], None]) -> None:
        """Poll until `stop` is set, handing each poll's outcome to `report`."""
        while not stop.is_set():
            for poll in self.poll_due():
                report(poll)
            stop.wait(self.seconds_to_next())

    def _poll(self, feed: FeedState) -> FeedPoll:
        try:
            fetched = self._web.get(feed.url, etag=feed.etag, last_modified=feed.last_modified)
        except FetchError as error:
            return self._failed(feed, str(error))
        if fetched is None:
            return self._succeeded(feed, None)
        loaded = list(
            load_fetched(
                fetched,
                self._web,
                max_bytes=self._max_article_bytes,
                stored=self._ingestor.already_stored,
            )
        )
        # An error about the feed itself (not one of its entries) is the feed failing.
        for item in loaded:
            if isinstance(item, LoadError) and item.where == fetched.url:
                return self._failed(feed, item.message)
        try:
            report = self._ingestor.ingest(loaded)
        except StoreError as error:
            return self._failed(feed, f"cannot store its articles: {error}")
        feed.etag, feed.last_modified = fetched.etag, fetched.last_modified
        return self._succeeded(feed, report)

    def _succeeded(self, feed: FeedState, report: IngestReport | None) -> FeedPoll:
        feed.failures = 0
        feed.due_at = self._clock() + self._interval_s
        return FeedPoll(feed.url, report=report)

    def _failed(self, feed: FeedState, error: str) -> FeedPoll:
        feed.failures += 1
        wait_s = min(self._interval_s * 2**feed.failures, MAX_BACKOFF_S)
        feed.due_at = self._clock() + wait_s
        return FeedPoll(feed.url, error=error, retry_in_s=wait_s)


def feed_watcher(components: Components, feeds: Sequence[str]) -> FeedWatcher:
    """A watcher of these feeds that ingests into these components' store."""
    settings = components.settings
    return FeedWatcher(
        feeds,
        web=WebClient(settings.web),
        ingestor=components.ingestor,
        interval_s=settings.web.feed_interval_s,
        max_article_bytes=settings.ingestion.max_article_bytes,
    )


class FeedPoller:
    """The server's poller: a watcher on a thread of its own, stopped with the server."""

    def __init__(self, watcher: FeedWatcher):
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=watcher.run, args=(self._stop, _logged), name="feed-poller", daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=60)


def _logged(poll: FeedPoll) -> None:
    (log.warning if poll.error else log.info)("feed %s", poll.summary())
