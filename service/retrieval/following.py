"""Following the store: which articles changed since an index beside it last looked.

The first look compares the fingerprint of every stored article with those the index holds: at
a start, that is what makes a saved index safe whatever happened while it was not running. Every
later look reads only the store's change log since the previous one and compares the articles
it names, so its cost follows the size of the change, not of the archive. A change counts once
its entry is logged; the store logs after it writes, so a half-written article is not seen.

A look counts as made only once the index has applied what it found (`StoreFollower.catch_up`):
when reading the arriving passages or applying them fails, the next look finds the same changes
again. Before, the look was recorded first, and a catch-up that failed on a bulk ingest left
those articles out of the keyword index until a restart, with no error after the first.

Entries are stamped with their writer's clock. Each look reads from `CLOCK_SKEW_S` before the
previous look by this machine's clock, and skips entries it already applied, so writers on
other machines whose clocks differ by less than that are never missed.
"""

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from service.domain import Store, StoreUnavailable

CLOCK_SKEW_S = 300

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Look:
    """Where a look leaves the follower once its changes are applied."""

    revision: str
    at_us: int
    applied: frozenset[str]


@dataclass(frozen=True)
class ArticleChanges:
    gone: list[str]
    """Held articles that were deleted or changed."""
    arriving: dict[str, str]
    """New or changed articles, with their stored fingerprints."""
    everything: bool
    """The comparison covered every article (the first look)."""
    look: _Look = field(repr=False)


@dataclass(frozen=True)
class FollowerStatus:
    """How far an index beside the store has followed it, for /health."""

    name: str
    revision: str | None
    """The store revision whose changes the index holds; None before its first look."""
    catching_up: bool
    """Applying changes now."""
    error: str | None
    """Why the last catch-up failed; None once one succeeds."""
    failed_at: str | None


class StoreFollower:
    def __init__(self, store: Store, *, name: str):
        self._store = store
        self._name = name
        self._look: _Look | None = None
        self._catching_up = False
        self._error: str | None = None
        self._failed_at: str | None = None

    def catch_up(self, held: dict[str, str], apply: Callable[[ArticleChanges], None]) -> None:
        """Hand `apply` what differs between the store and `held` (article id -> fingerprint),
        if anything does. A failure is logged and kept for `status`, not raised: the index
        answers with what it holds, and the next call finds the same changes again."""
        self._catching_up = True
        try:
            changes = self._changes(held)
            if changes is not None:
                apply(changes)
                self._look = changes.look
            self._error = self._failed_at = None
        except Exception as error:  # whatever failed, the changes stay to be applied
            log.warning(
                "%s: catching up with the store failed (%s); will try again",
                self._name,
                error,
                exc_info=not isinstance(error, StoreUnavailable),  # no trace for the expected
            )
            self._error = f"{type(error).__name__}: {error}"
            self._failed_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        finally:
            self._catching_up = False

    def status(self) -> FollowerStatus:
        return FollowerStatus(
            name=self._name,
            revision=self._look.revision if self._look else None,
            catching_up=self._catching_up,
            error=self._error,
            failed_at=self._failed_at,
        )

    def _changes(self, held: dict[str, str]) -> ArticleChanges | None:
        revision = self._store.revision()
        last = self._look
        if last is not None and revision == last.revision:
            return None
        now_us = time.time_ns() // 1000
        skew_us = CLOCK_SKEW_S * 1_000_000
        since_us = now_us - skew_us if last is None else last.at_us - skew_us
        # The log is read first: whatever is logged after this look is read by the next one.
        log_entries = self._store.changes_since(since_us)
        if last is None:
            stored = self._store.all_fingerprints()
            scope = set(held) | set(stored)
        else:
            scope = {a for c in log_entries if c.id not in last.applied for a in c.article_ids}
            stored = self._store.fingerprints(sorted(scope)) if scope else {}
        return ArticleChanges(
            gone=[a for a in scope if a in held and stored.get(a) != held[a]],
            arriving={a: f for a, f in stored.items() if held.get(a) != f},
            everything=last is None,
            look=_Look(
                revision,
                now_us,
                frozenset(c.id for c in log_entries if c.at_us >= now_us - skew_us),
            ),
        )


class Following:
    """The server's thread that brings indexes kept beside the store in step every
    `interval_s`, so that the search after a bulk write (by this process or another) does not
    wait for the catch-up: 24 s at 60,000 passages (bench/catch_up.py). A failure stays each
    follower's own (`StoreFollower.catch_up`): the thread goes on."""

    def __init__(self, refreshes: Sequence[Callable[[], None]], *, interval_s: float):
        self._refreshes = refreshes
        self._interval_s = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="following", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=60)

    def _run(self) -> None:
        while not self._stop.wait(self._interval_s):
            for refresh in self._refreshes:
                refresh()
