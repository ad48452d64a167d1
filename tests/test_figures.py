"""Figures across a story's reports, over the real model, parser and Chroma, on fixture stories
written for these tests: a landslide whose death toll two outlets give differently on the day
(23 and 19; a third's "more than 20" allows the 23), and which a later report revises (31);
one report counts the injured (40), never to be compared with the deaths; a marathon nearby.
And a dam's failure, whose day (Tuesday, Sunday) and whose town's fire chief (Alan Pryce, Joan
Ellery) two outlets give differently; a former chief is named too, and a later report sides
with one chief.
"""

import asyncio
import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.components import Components
from service.figures import figures_in, relation, told_in
from tests.conftest import archive_of
from tests.test_cli import newsdesk
from tests.test_mcp import over_stdio

FIXTURES = Path(__file__).parent / "fixtures/figures_story.jsonl"
ROLES_AND_DAYS = Path(__file__).parent / "fixtures/roles_days_story.jsonl"
WINDOW = {"date_from": "2026-05-01", "date_to": "2026-05-06"}
QUESTION = "How many people were killed in the Hollins Ford landslide?"


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory, embedder) -> Components:
    return archive_of([FIXTURES], tmp_path_factory.mktemp("figures"), embedder, articles=5)


@pytest.fixture(scope="module")
def api(story: Components) -> Iterator[TestClient]:
    with TestClient(create_app(story.settings, components=story)) as client:
        yield client


def post(api: TestClient, path: str, **body) -> dict:
    response = api.post(path, json=body)
    assert response.status_code == 200, response.text
    return response.json()


def values_of(figures: list[dict], kind: str) -> list[tuple[str, str, str]]:
    """(value, article id, date) of the figure of that kind: there must be exactly one."""
    (figure,) = [f for f in figures if f["kind"] == kind]
    assert figure["what"] == "deaths"
    return [(v["value"], v["citation"]["article_id"], v["date"]) for v in figure["values"]]


def assert_the_story_figures(
    figures: list[dict], *, day_value: set[str] = frozenset({"23"})
) -> None:
    """The toll differs on 2 May between the Gazette and the Courier, and rose to 31 by 4 May
    from the value of 2 May (`day_value`: the one most reports allow, 23 with the radio's "more
    than 20"); nothing else is flagged: not the injured, not the radio's "more than 20"."""
    assert {f["what"] for f in figures} == {"deaths"}, figures
    assert sorted(values_of(figures, "differ")) == [
        ("19", "landslide-courier", "2026-05-02"),
        ("23", "landslide-gazette", "2026-05-02"),
    ]
    (before, _, day), after = values_of(figures, "changed")
    assert before in day_value and day == "2026-05-02"
    assert after == ("31", "landslide-toll", "2026-05-04")
    for figure in figures:
        for value in figure["values"]:
            quote = value["citation"]["quote"]
            assert value["value"] in quote and value["text"] == quote


def test_what_a_figure_counts_and_how_firmly(story):
    parses = story.sentence_parses.parser.parse(
        [
            "More than 20 people died when a landslide hit Hollins Ford.",
            "Another 40 people were injured and taken to hospital.",
            "The death toll from the landslide rose to 31 on Monday, up from 23.",
            "The repairs cost about £12 million, the council said.",
        ]
    )
    (more_than_20,), (injured,), figures_31, (cost,) = (figures_in(p) for p in parses)
    assert (more_than_20.what, more_than_20.low, more_than_20.high) == ("deaths", 20, float("inf"))
    assert injured.what == "injured" and not injured.same_thing(more_than_20)
    # The value left behind ("up from 23") is not a figure the report stands by.
    assert [(f.what, f.value) for f in figures_31] == [("deaths", 31)]
    assert (cost.what, cost.unit, cost.value) == ("cost", "£", 12e6)
    assert cost.low < 11e6 and cost.high > 13e6


def test_who_holds_an_office_and_when_an_event_happened_are_read_narrowly(story):
    """An office of a named place held now, and an event's day with one thing done to; a
    weekday is compared as a weekday, whichever week the report's date puts it in."""
    parses = story.sentence_parses.parser.parse(
        [
            "Uvalde school police chief Pedro Arredondo was suspended on Wednesday.",
            "Juan Lopez, the Uvalde school police chief, was suspended on Wednesday.",
            "Uvalde police chief Arredondo said the gunman acted alone.",
            "Former Uvalde police chief Pete Arredondo said nothing.",
            "Shinzo Abe, Japan's longest-serving prime minister, died on Friday.",
            "President Joe Biden spoke on Friday.",
            "The Marrowby dam failed on Tuesday, the Riverside Gazette reported.",
            "The Marrowby dam failed on Sunday night, officials said.",
            "The Marrowby dam failed on May 26, engineers said.",
            "More than 1,300 flights were delayed Saturday.",
        ]
    )
    reported = dt.date(2026, 6, 4)  # a Thursday
    told = [[f for f in told_in(p, reported) if f.unit in {"name", "date"}] for p in parses]
    pedro, juan, surname = (found[0] for found in told[:3])
    assert (pedro.what, pedro.whose, pedro.named) == (
        "police chief",
        "Uvalde",
        "police chief of Uvalde",
    )
    assert [pedro.text, juan.text, surname.text] == ["Pedro Arredondo", "Juan Lopez", "Arredondo"]
    assert relation(pedro, reported, juan, reported, 1.0) == "differ"
    assert relation(pedro, reported, surname, reported, 1.0) == "agree"
    # A former holder, one of all holders, a president of no named place: not read as holders.
    assert not [f for found in told[3:6] for f in found if f.unit == "name"], told[3:6]
    tuesday, sunday, may_26 = (found[0] for found in told[6:9])
    assert (tuesday.named, tuesday.value) == ("day the dam failed", dt.date(2026, 6, 2).toordinal())
    assert relation(tuesday, reported, sunday, reported, 1.0) == "differ"
    # 26 May is a Tuesday too: a report dated a week after its text reads "Tuesday" as 2 June.
    assert relation(tuesday, reported, may_26, reported, 1.0) == "agree"
    # Who was suspended, and when, is no chief's role; nor are "flights" one thing.
    suspended = next(f for f in told[0] if f.unit == "date")
    assert relation(suspended, reported, juan, reported, 1.0) == "different"
    assert told[9] == []


@pytest.fixture(scope="module")
def dam(tmp_path_factory: pytest.TempPathFactory, embedder) -> Iterator[TestClient]:
    components = archive_of(
        [ROLES_AND_DAYS], tmp_path_factory.mktemp("roles-days"), embedder, articles=3
    )
    with TestClient(create_app(components.settings, components=components)) as client:
        yield client


def reports_of(storyline: dict) -> set[str]:
    """Its articles' ids, its copies' too."""
    return {*storyline["article_ids"], *(c for some in storyline["copies"].values() for c in some)}


def assert_the_dam_figures(figures: list[dict]) -> None:
    """The chief and the dam's day differ on 4 June; the radio's Pryce of 5 June changes
    nothing, and the former chief is no value."""
    by_what = {(f["what"], f["kind"], f["answers"]): f["values"] for f in figures}
    assert set(by_what) == {
        ("fire chief of Marrowby", "differ", "person"),
        ("day the dam failed", "differ", "date"),
    }, figures
    chiefs = by_what["fire chief of Marrowby", "differ", "person"]
    assert sorted((v["value"], v["source"]) for v in chiefs) == [
        ("Alan Pryce", "Carrow Evening Post"),
        ("Joan Ellery", "Northern Courier"),
    ]
    days = by_what["day the dam failed", "differ", "date"]
    assert sorted(v["value"] for v in days) == ["Sunday", "Tuesday"]
    for value in chiefs + days:
        assert value["value"] in value["citation"]["quote"]


def test_reports_naming_different_office_holders_or_days_are_shown_everywhere(dam):
    briefing = post(dam, "/brief", date_from="2026-06-01", date_to="2026-06-07", length="long")
    # The clean-up may be a storyline of its own; the failure's reports are one.
    (failure,) = [s for s in briefing["storylines"] if "dam-post" in reports_of(s)]
    assert {"dam-post", "dam-courier"} <= reports_of(failure)
    assert_the_dam_figures(failure["figures"])
    timeline = post(
        dam, "/timeline", date_from="2026-06-01", date_to="2026-06-07", topic="Marrowby dam"
    )
    assert_the_dam_figures(timeline["figures"])
    who = post(dam, "/ask", question="Who is the fire chief of Marrowby?")
    assert who["grounded"], who
    assert [f["answers"] for f in who["figures"]] == ["person"], who["figures"]
    assert "Reports differ on the fire chief of Marrowby" in who["answer"], who["answer"]
    when = post(dam, "/ask", question="When did the Marrowby dam fail?")
    assert when["grounded"], when
    assert [f["answers"] for f in when["figures"]] == ["date"], when["figures"]
    assert "Reports differ on the day the dam failed" in when["answer"], when["answer"]
    for answer in (who, when):
        cited = {c["n"] for c in answer["citations"]}
        assert {int(n) for n in re.findall(r"\[(\d+)\]", answer["answer"])} <= cited


def test_a_briefing_shows_the_figures_reports_differ_on_and_how_they_changed(api):
    briefing = post(api, "/brief", **WINDOW, length="long")
    landslide, marathon = briefing["storylines"]
    # The Gazette's first report is so like the radio's that it merges as a copy: its figures
    # are read all the same.
    copies = [copy for some in landslide["copies"].values() for copy in some]
    reports = [*landslide["article_ids"], *copies]
    assert len(reports) == 4 and marathon["article_ids"] == ["marathon"]
    assert_the_story_figures(landslide["figures"])
    assert marathon["figures"] == []
    # The bullet that states the toll says the other report's value, cited.
    told = [b for b in briefing["bullets"] if "Reports differ on the death toll" in b["text"]]
    assert told, [b["text"] for b in briefing["bullets"]]
    for bullet in told:
        cited = {c["n"]: c["article_id"] for c in bullet["citations"]}
        markers = {int(n) for n in re.findall(r"\[(\d+)\]", bullet["text"])}
        assert markers == set(cited)
        assert {"landslide-gazette", "landslide-courier"} <= set(cited.values())
    assert "injured" not in " ".join(b["text"] for b in told if "differ" in b["text"])


def test_a_timeline_line_says_what_changed_since_the_earlier_days(api):
    timeline = post(api, "/timeline", **WINDOW, topic="Hollins Ford landslide")
    assert_the_story_figures(timeline["figures"])
    (later,) = [e for e in timeline["entries"] if e["date"] == "2026-05-04"]
    match = re.search(
        r"Earlier reports gave the death toll as 23 \(Riverside Gazette, 2 May\) \[(\d+)\]",
        later["text"],
    )
    assert "31" in later["text"] and match, later["text"]
    (cited,) = [c for c in later["citations"] if c["n"] == int(match.group(1))]
    assert cited["article_id"] == "landslide-gazette" and "23 people" in cited["quote"]
    # A day's line gives no later value: the reader of 2 May's line has not reached 4 May.
    (first,) = [e for e in timeline["entries"] if e["date"] == "2026-05-02"]
    assert "Later reports" not in first["text"]


def test_an_answer_asking_for_the_toll_says_the_reports_differ_and_cites_each(api):
    answer = post(api, "/ask", question=QUESTION)
    assert answer["grounded"], answer
    # The radio's report may not be among the answer's passages: 2 May's two values tie.
    assert_the_story_figures(answer["figures"], day_value={"23", "19"})
    assert "Reports differ on the death toll" in answer["answer"], answer["answer"]
    by_marker = {c["n"]: c for c in answer["citations"]}
    for n in map(int, re.findall(r"\[(\d+)\]", answer["answer"])):
        assert n in by_marker
    # A marker indexes the answer's passages too: the n-th passage is the one cited.
    for citation in answer["citations"]:
        assert answer["passages"][citation["n"] - 1]["passage_id"] == citation["passage_id"]


def test_a_question_not_asking_for_a_number_gets_no_figures(api):
    answer = post(api, "/ask", question="Where did the landslide happen?")
    assert answer["figures"] == [] and "Reports differ" not in answer["answer"]


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture story ingested by the CLI, for the CLI and MCP processes to read."""
    index = tmp_path_factory.mktemp("figures-cli") / "index"
    ingested = newsdesk("ingest", "--quiet", str(FIXTURES), index=index)
    assert ingested.returncode == 0, ingested.stderr
    return index


def test_the_cli_prints_the_figures_reports_differ_on(index):
    asked = newsdesk("ask", QUESTION, index=index)
    assert asked.returncode == 0, asked.stderr
    assert "Reports differ: deaths" in asked.stdout and "Changed: deaths" in asked.stdout
    assert "(Northern Courier, 2026-05-02)" in asked.stdout
    briefed = newsdesk("brief", "--from", "2026-05-01", "--to", "2026-05-06", index=index)
    assert "Reports differ: deaths" in briefed.stdout, briefed.stdout


def test_an_agent_gets_the_figures_over_mcp(index):
    async def ask() -> object:
        async with over_stdio(index) as client:
            return await client.call_tool("ask", {"question": QUESTION})

    reply = asyncio.run(ask())
    assert not reply.is_error
    assert "Reports differ: deaths" in reply.content[0].text
    assert_the_story_figures(reply.structured_content["figures"], day_value={"23", "19"})
