"""Following the store: which articles changed since an index beside it last looked.

The first look compares the fingerprint of every stored article with those the index holds: at
a start, that is what makes a saved index safe whatever happened while it was not running. Every
later look reads only the store's change log since the previous one and compares the articles
it names, so its cost follows the size of the change, not of the archive. A change counts once
its entry is logged; the store logs after it writes, so a half-written article is not seen.

Entries are stamped with their writer's clock. Each look reads from `CLOCK_SKEW_S` before the
previous look by this machine's clock, and skips entries it already applied, so writers on
other machines whose clocks differ by less than that are never missed.
"""

import time
from dataclasses import dataclass

from service.domain import Store

CLOCK_SKEW_S = 300


@dataclass(frozen=True)
class ArticleChanges:
    gone: list[str]
    """Held articles that were deleted or changed."""
    arriving: dict[str, str]
    """New or changed articles, with their stored fingerprints."""
    everything: bool
    """The comparison covered every article (the first look)."""


class StoreFollower:
    def __init__(self, store: Store):
        self._store = store
        self._revision: str | None = None
        self._looked_at_us: int | None = None
        self._applied: set[str] = set()

    def changes(self, held: dict[str, str]) -> ArticleChanges | None:
        """What differs between the store and `held` (article id -> fingerprint); None when
        the store has not changed since the last look."""
        revision = self._store.revision()
        if revision == self._revision:
            return None
        now_us = time.time_ns() // 1000
        skew_us = CLOCK_SKEW_S * 1_000_000
        since_us = now_us - skew_us if self._looked_at_us is None else self._looked_at_us - skew_us
        # The log is read first: whatever is logged after this look is read by the next one.
        log = self._store.changes_since(since_us)
        if self._looked_at_us is None:
            stored = self._store.all_fingerprints()
            scope = set(held) | set(stored)
        else:
            scope = {a for c in log if c.id not in self._applied for a in c.article_ids}
            stored = self._store.fingerprints(sorted(scope)) if scope else {}
        found = ArticleChanges(
            gone=[a for a in scope if a in held and stored.get(a) != held[a]],
            arriving={a: f for a, f in stored.items() if held.get(a) != f},
            everything=self._looked_at_us is None,
        )
        self._revision, self._looked_at_us = revision, now_us
        self._applied = {c.id for c in log if c.at_us >= now_us - skew_us}
        return found
