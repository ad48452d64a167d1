"""Which storylines lead a week's briefing and which sentence stands for each, over the real
model, parser and Chroma, on a fixture week written for these tests: a dam's spillway failing,
reported by three outlets that each also recount the dam's history; a library's renovation,
reported three times by its own newsletter, later in the week; a cricket final."""

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.briefing.ranking import allot_bullets
from service.briefing.storylines import Storyline
from service.briefing.summaries import dates_its_news
from service.components import Components
from service.domain import StoredArticle
from tests.conftest import archive_of

FIXTURES = Path(__file__).parent / "fixtures/briefing_week.jsonl"
WEEK = {"date_from": "2025-06-01", "date_to": "2025-06-08"}
DAM = {"dam-gazette", "dam-courier", "dam-radio"}
LIBRARY = {"library-1", "library-2", "library-3"}


@pytest.fixture(scope="module")
def week(tmp_path_factory: pytest.TempPathFactory, embedder) -> Components:
    return archive_of([FIXTURES], tmp_path_factory.mktemp("week"), embedder, articles=7)


@pytest.fixture(scope="module")
def api(week: Components) -> Iterator[TestClient]:
    with TestClient(create_app(week.settings, components=week)) as client:
        yield client


def brief(api: TestClient, **body) -> dict:
    response = api.post("/brief", json={**WEEK, **body})
    assert response.status_code == 200, response.text
    return response.json()


def test_a_widely_reported_story_leads_over_a_single_source_one(api):
    briefing = brief(api, length="short")
    dam, library, cricket = briefing["storylines"]
    # Three reports each, but the library's come from one newsletter (and are newer).
    assert set(dam["article_ids"]) == DAM and len(dam["sources"]) == 3
    assert set(library["article_ids"]) == LIBRARY and library["single_source"]
    assert cricket["article_ids"] == ["cricket-cup"]
    first = briefing["bullets"][0]
    assert first["storyline"] == 0
    assert {c["article_id"] for c in first["citations"]} <= DAM


def test_a_storylines_bullet_states_the_event_not_the_background(api):
    """Every report recounts when the dam was built; the bullet is what happened on Tuesday."""
    (bullet,) = [b for b in brief(api, length="short")["bullets"] if b["storyline"] == 0]
    assert "spillway collapsed on Tuesday" in bullet["text"], bullet["text"]
    assert "1931" not in bullet["text"]


def test_bullets_go_to_the_widely_reported_first_and_every_storyline_is_told(api):
    briefing = brief(api, length="long")
    per_storyline = [
        sum(b["storyline"] == n for b in briefing["bullets"])
        for n in range(len(briefing["storylines"]))
    ]
    # Three storylines hold fewer than the 16 bullets of a long briefing: each gets its most.
    assert per_storyline == [3, 3, 3] and briefing["warnings"] == []
    texts = [b["text"] for b in briefing["bullets"]]
    assert len(set(texts)) == len(texts)


def storyline_of(reports: int) -> Storyline:
    """A storyline of one article and its copies: `reports` reports in all."""
    article = StoredArticle("a", None, None, None, None, 1, "2025-06-01T00:00:00")
    return Storyline([article], centroid=np.zeros(3), copies={"a": ["copy"] * (reports - 1)})


def test_bullets_allotted_by_breadth_within_the_length():
    week = [storyline_of(n) for n in (7, 3, 1, 1, 1, 1, 1, 1)]
    assert allot_bullets(week, bullets=10, most=2) == [2, 2, 1, 1, 1, 1, 1, 1]
    assert allot_bullets(week, bullets=16, most=3) == [3, 3, 3, 3, 1, 1, 1, 1]
    assert allot_bullets(week, bullets=3, most=1) == [1, 1, 1]
    assert allot_bullets(week[:2], bullets=16, most=3) == [3, 3]


@pytest.mark.parametrize(
    ("sentence", "reported", "news"),
    [
        ("The spillway gave way on Tuesday after heavy rain.", "2025-06-03", True),
        ("Residents were told yesterday to stay away.", "2025-06-04", True),
        ("The dam was opened on June 2 by the mayor.", "2025-06-03", True),
        ("The council met on Dec. 30 to approve the budget.", "2026-01-02", True),
        ("The Kessler Dam was built in 1931.", "2025-06-03", False),
        ("The inquiry will report on June 20.", "2025-06-03", False),
        ("The dam holds back the Marrow reservoir.", "2025-06-03", False),
        ("The spillway gave way on Tuesday after heavy rain.", None, False),
    ],
)
def test_a_sentence_dates_its_news_to_the_days_of_its_report(week, sentence, reported, news):
    (parse,) = week.sentence_parses.parser.parse([sentence])
    day = dt.date.fromisoformat(reported) if reported else None
    assert dates_its_news(parse, day) is news
