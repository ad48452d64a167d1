"""Grouping a period's articles into storylines: copies merged, stories apart, and the same
storylines when a long period is clustered in bounded batches."""

import datetime as dt

import numpy as np
import pytest

from service.briefing import storylines as storylines_module
from service.briefing.storylines import group_storylines
from service.domain import StoredArticle


def articles_of(stories: int, per_story: int, seed: int = 7) -> list:
    """`per_story` articles around each of `stories` random directions, days apart, from
    three sources; the first of each story has an exact copy from a fourth source."""
    rng = np.random.default_rng(seed)
    found = []
    for story in range(stories):
        direction = rng.normal(size=384)
        for n in range(per_story):
            vector = direction + rng.normal(scale=0.5, size=384)
            vector /= np.linalg.norm(vector)
            article = StoredArticle(
                id=f"s{story}-a{n}",
                title=f"Story {story}, report {n}",
                date=dt.date(2022, 7, 1) + dt.timedelta(days=n),
                source=f"source {n % 3}",
                url=None,
                passage_count=1,
                ingested_at="2026-11-26T00:00:00",
            )
            found.append((article, vector))
            if n == 0:
                copy = StoredArticle(
                    **{**article.__dict__, "id": f"s{story}-copy", "source": "wire"}
                )
                found.append((copy, vector.copy()))
    return found


def grouped(articles: list) -> list[list[str]]:
    """Each storyline's articles, copies included (a batch boundary may fall between an
    article and its copy, which then count as two reports of the story, not one)."""
    lines = group_storylines(articles, duplicate_similarity=0.92, max_distance=0.6)
    reporting = [
        {a.id for a in line.articles} | {c for cs in line.copies.values() for c in cs}
        for line in lines
    ]
    return sorted(sorted(ids) for ids in reporting)


def test_stories_apart_copies_merged_and_facts_counted():
    lines = group_storylines(articles_of(3, 4), duplicate_similarity=0.92, max_distance=0.6)
    assert len(lines) == 3
    for line in lines:
        assert len(line.articles) == 4 and sum(map(len, line.copies.values())) == 1
        assert line.size == 5
        assert set(line.sources) == {"source 0", "source 1", "source 2", "wire"}
        assert (line.first, line.last) == (dt.date(2022, 7, 1), dt.date(2022, 7, 4))


@pytest.mark.parametrize("batch", [4, 5, 7])
def test_a_long_period_in_bounded_batches_gives_the_same_storylines(batch, monkeypatch):
    articles = articles_of(4, 6)
    whole = grouped(articles)
    monkeypatch.setattr(storylines_module, "MAX_CLUSTERED_AT_ONCE", batch)
    assert grouped(articles) == whole
