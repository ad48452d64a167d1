"""Which storylines lead a briefing, and how many bullets each gets.

A storyline matters by how widely it was reported (its reports, copies included, and its
distinct sources) and by how prominent its names are: the people, organisations and places in
its articles' opening passages that the opening passages of other reports name too. The
weights were chosen on the development half of the quiz weeks (bench/eval_briefing.py
--quiz): the quiz editors' picks of a week's stories. Recency within the window and the
storyline's coherence were tried there too and left out: neither moved the quiz answers held.
"""

import math
from collections import Counter
from collections.abc import Sequence

from service.briefing.storylines import Storyline
from service.domain import RetrievedPassage, Store, passage_id
from service.parsing import SentenceParses
from service.text import sentences

# Weights of log(reports), log(sources) and log(1 + names shared with other reports' leads).
REPORTS_WEIGHT = 1.0
SOURCES_WEIGHT = 1.0
SHARED_NAMES_WEIGHT = 0.5
# Storylines whose names are read: this many times those a briefing can hold, the most widely
# reported first (a year has thousands of one-report storylines).
SHORTLIST_FACTOR = 3
# Opening passages read of a storyline: its most central articles'.
LEADS_READ = 10
# A storyline of this many reports or more earns a second bullet, and a third.
SECOND_BULLET_REPORTS = 3
THIRD_BULLET_REPORTS = 6


def breadth(storyline: Storyline) -> float:
    return REPORTS_WEIGHT * math.log(storyline.size) + SOURCES_WEIGHT * math.log(
        max(1, len(storyline.sources))
    )


class StorylineRanker:
    def __init__(self, store: Store, parses: SentenceParses):
        self._store = store
        self._parses = parses

    def rank(self, storylines: Sequence[Storyline], *, holding: int) -> list[Storyline]:
        """Most important first. Of a briefing that can hold `holding` storylines, the
        shortlist (the most widely reported) is ordered by breadth and shared names, the rest
        by breadth."""
        by_breadth = sorted(storylines, key=lambda s: (breadth(s), s.latest), reverse=True)
        shortlist = by_breadth[: SHORTLIST_FACTOR * holding]
        names = self._lead_names(shortlist)
        reports_naming = Counter(name for found in names.values() for name in found)

        def importance(storyline: Storyline) -> tuple[float, object]:
            own = set().union(*(names.get(a.id, set()) for a in storyline.articles[:LEADS_READ]))
            shared = sum(1 for name in own if reports_naming[name] >= 2)
            return breadth(storyline) + SHARED_NAMES_WEIGHT * math.log1p(shared), storyline.latest

        return sorted(shortlist, key=importance, reverse=True) + by_breadth[len(shortlist) :]

    def _lead_names(self, storylines: Sequence[Storyline]) -> dict[str, set[str]]:
        """Article id -> the names in its opening passage, lowercased. A copy is not read: a
        story's copies share its names once."""
        ids = [
            passage_id(article.id, 0)
            for storyline in storylines
            for article in storyline.articles[:LEADS_READ]
        ]
        leads = [
            RetrievedPassage.of(stored, score=0.0, query_vector=stored.vector)
            for stored in self._store.passages(ids)
        ]
        texts = [sentences(lead.text) for lead in leads]
        parses = self._parses.of([text for some in texts for text in some], passages=leads)
        names: dict[str, set[str]] = {}
        read = 0
        for lead, some in zip(leads, texts, strict=True):
            found = parses[read : read + len(some)]
            read += len(some)
            names[lead.article.article_id] = {name.lower() for p in found for name in p.named}
        return names


def allot_bullets(storylines: Sequence[Storyline], *, bullets: int, most: int) -> list[int]:
    """Bullets for each storyline in order (the briefed ones: those given any). One each, a
    second and third for the widely reported, up to `most`, until `bullets` are given; those
    left when every storyline has its share go to the first storylines, up to `most`."""
    shares: list[int] = []
    left = bullets
    for storyline in storylines:
        if not left:
            break
        wanted = (
            1 + (storyline.size >= SECOND_BULLET_REPORTS) + (storyline.size >= THIRD_BULLET_REPORTS)
        )
        shares.append(min(most, wanted, left))
        left -= shares[-1]
    for number, share in enumerate(shares):
        more = min(most - share, left)
        shares[number] += more
        left -= more
    return shares
