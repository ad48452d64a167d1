"""The list of stored articles, newest first, kept beside the store for paging.

Chroma can neither sort by a field nor page in a field's order, so listing a page used to read
every article's metadata and sort it, for every page. The catalogue keeps each article's sort
key (date, then id) and the fields filters test, follows the store's changes like the keyword
index (`following.StoreFollower`), and reads from the store only the page's own articles.
"""

import collections
import datetime as dt
import threading
from dataclasses import dataclass

import numpy as np

from service.domain import ArticleFilter, Store, StoredArticle
from service.retrieval.following import ArticleChanges, FollowerStatus, StoreFollower


@dataclass(frozen=True)
class ArchiveHoldings:
    """What the archive holds, for a reader who does not know yet what to ask."""

    articles: int
    sources: list[tuple[str, int]]
    """Each source with its number of articles, most first."""
    first_date: dt.date | None
    last_date: dt.date | None
    latest: list[StoredArticle]


class ArticleCatalogue:
    def __init__(self, store: Store):
        self._store = store
        self._follower = StoreFollower(store, name="article catalogue")
        self._lock = threading.Lock()
        self._fingerprints: dict[str, str] = {}
        self._columns = ArticleFilter.columns([])
        self._newest_first = np.array([], dtype=np.int64)

    def page(
        self, selection: ArticleFilter, *, limit: int, offset: int
    ) -> tuple[int, list[StoredArticle]]:
        """A page of matching articles, newest first (undated last, then by id, descending),
        and how many match."""
        with self._lock:
            self._catch_up()
            order = self._newest_first[selection.mask(self._columns)[self._newest_first]]
            ids = [str(i) for i in self._columns["article_id"][order[offset : offset + limit]]]
        return len(order), self._store.articles(ids)

    def holdings(self, *, latest: int) -> ArchiveHoldings:
        """Counts by source, the dated articles' first and last day, the `latest` newest."""
        with self._lock:
            self._catch_up()
            sources = collections.Counter(s for s in self._columns["source"] if s is not None)
            dates = self._columns["date_int"][self._columns["date_int"] > 0]
            newest = [str(i) for i in self._columns["article_id"][self._newest_first[:latest]]]
        return ArchiveHoldings(
            articles=len(self._columns["article_id"]),
            sources=sources.most_common(),
            first_date=_day(int(dates.min())) if len(dates) else None,
            last_date=_day(int(dates.max())) if len(dates) else None,
            latest=self._store.articles(newest),
        )

    def refresh(self) -> None:
        """Bring the catalogue in step with the store now, rather than at the next listing."""
        with self._lock:
            self._catch_up()

    def status(self) -> FollowerStatus:
        return self._follower.status()

    def _catch_up(self) -> None:
        self._follower.catch_up(self._fingerprints, self._apply)

    def _apply(self, changes: ArticleChanges) -> None:
        arriving = self._store.articles(list(changes.arriving))  # read first: may fail
        leaving = set(changes.gone) | set(changes.arriving)
        keep = ~np.isin(self._columns["article_id"], list(leaving))
        added = ArticleFilter.columns([a.ref for a in arriving])
        self._columns = {k: np.concatenate([v[keep], added[k]]) for k, v in self._columns.items()}
        for article_id in changes.gone:
            del self._fingerprints[article_id]
        self._fingerprints |= {a.id: changes.arriving[a.id] for a in arriving}
        # lexsort's last key sorts first: by date, then id, both ascending; reversed after.
        ids = self._columns["article_id"].astype(str)
        self._newest_first = np.lexsort((ids, self._columns["date_int"]))[::-1]


def _day(number: int) -> dt.date:
    """`date_number`'s inverse: 20220315 -> 2022-03-15."""
    return dt.date(number // 10_000, number // 100 % 100, number % 100)
