"""Briefings on the seeds over HTTP: coverage, citations, storylines, duplicates, bad input."""

import json

import httpx
from fastapi.testclient import TestClient

from tests.conftest import ALASKA_ARTICLE, BLINKEN_ARTICLE, EXPORT_ARTICLE, SEEDS
from tests.llm_server import COMPLETIONS, streamed_completion

WINDOW = {"date_from": "2021-01-01", "date_to": "2023-12-31"}


def brief(client: TestClient, **body) -> dict:
    response = client.post("/brief", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def bullets_citing(briefing: dict, article_id: str) -> list[str]:
    return [
        bullet["text"]
        for bullet in briefing["bullets"]
        if any(c["article_id"] == article_id for c in bullet["citations"])
    ]


def test_seed_briefing_covers_each_story_cited_to_its_article(client, seeded):
    briefing = brief(client, **WINDOW, length="long")
    assert briefing["mode"] == "extractive" and briefing["articles_used"] == 3
    assert briefing["period"] == {"date_from": "2021-01-01", "date_to": "2023-12-31"}
    assert any("Blinken" in text for text in bullets_citing(briefing, BLINKEN_ARTICLE))
    alaska = " ".join(bullets_citing(briefing, ALASKA_ARTICLE))
    assert "Alaska" in alaska and "Quad" in alaska
    assert "export" in " ".join(bullets_citing(briefing, EXPORT_ARTICLE))
    for bullet in briefing["bullets"]:
        assert bullet["citations"], bullet
        for citation in bullet["citations"]:
            assert f"[{citation['n']}]" in bullet["text"]
            article = client.get(f"/articles/{citation['article_id']}").json()
            assert (
                article["text"][citation["quote_start"] : citation["quote_end"]]
                == citation["quote"]
            )
    labels = [s["label"] for s in briefing["storylines"]]
    assert len(labels) == 3
    assert "Senior Chinese and US officials may meet next week in Alaska" in " ".join(labels)


def test_lengths_bound_storylines_and_bullets(client, seeded):
    short = brief(client, **WINDOW, length="short")
    assert len(short["bullets"]) == 3 and len(short["storylines"]) == 3
    medium = brief(client, **WINDOW)
    assert len(medium["bullets"]) == 6


def test_topic_and_date_window_select_articles(client, seeded):
    only_2023 = brief(client, date_from="2023-01-01", date_to="2023-12-31")
    cited = {c["article_id"] for b in only_2023["bullets"] for c in b["citations"]}
    assert cited == {BLINKEN_ARTICLE, EXPORT_ARTICLE}
    on_topic = brief(
        client, **WINDOW, topic="vaccine doses for developing countries", max_articles=1
    )
    assert [s["article_ids"] for s in on_topic["storylines"]] == [[ALASKA_ARTICLE]]


def test_syndicated_copy_is_merged_into_its_storyline(client, seeded, tmp_path):
    copy = (SEEDS / f"{BLINKEN_ARTICLE}.txt").read_text()
    client.post("/articles", json={"articles": [{"id": "ft-copy", "source": "Wire", "text": copy}]})
    briefing = brief(client, **WINDOW)
    storyline = next(
        s for s in briefing["storylines"] if {BLINKEN_ARTICLE, "ft-copy"} & set(s["article_ids"])
    )
    assert len(storyline["article_ids"]) == 1
    assert list(storyline["copies"].values()) == [
        [({BLINKEN_ARTICLE, "ft-copy"} - set(storyline["article_ids"])).pop()]
    ]
    assert briefing["articles_used"] == 4
    assert len(briefing["bullets"]) == 6, "a copy adds no bullets of its own"


def test_nothing_to_brief_says_so(client, seeded):
    for body in (
        {"date_from": "2030-01-01"},
        {**WINDOW, "topic": "Premier League football results"},
    ):
        briefing = brief(client, **body)
        assert briefing["bullets"] == [] and briefing["storylines"] == []
        assert briefing["warnings"] == ["no articles matched the topic, dates and sources"]


def test_bad_briefing_requests_are_422(client, seeded):
    reversed_range = client.post(
        "/brief", json={"date_from": "2023-01-01", "date_to": "2021-01-01"}
    )
    assert reversed_range.status_code == 422 and "date_from is after date_to" in reversed_range.text
    assert client.post("/brief", json={"length": "epic"}).status_code == 422
    assert client.post("/brief", json={"max_articles": 0}).status_code == 422


def test_streamed_briefing(client, seeded):
    with client.stream("POST", "/brief", json={**WINDOW, "stream": True}) as response:
        blocks = response.read().decode().strip().split("\n\n")
    events = [
        (b.split("\n")[0].removeprefix("event: "), json.loads(b.split("\n")[1][6:])) for b in blocks
    ]
    names = [name for name, _ in events]
    assert names == ["sources"] + ["delta"] * 6 + ["citations", "done"]
    assert len(events[0][1]["storylines"]) == 3
    assert [data["text"] for name, data in events if name == "delta"] == [
        b["text"] for b in events[-2][1]["bullets"]
    ]


def test_llm_briefing_is_checked_and_respects_the_context_budget(llm_client_with):
    client = llm_client_with(llm_context_tokens=900)
    router = client.router
    prompts = []

    def reply(request):
        body = json.loads(request.content)
        prompts.append(body["messages"][1]["content"])
        user = body["messages"][1]["content"]
        first = user.split("</passage>")[0].split(">\n", 1)[1]
        sentence = first.split(". ")[0].rstrip(".") + "."
        return streamed_completion(
            f"- {sentence} [1]\n", "- The moon landed on Beijing in 1969 [1].\n"
        )

    router.post(COMPLETIONS).mock(side_effect=reply)
    briefing = brief(client, **WINDOW)
    assert briefing["mode"] == "llm" and len(prompts) == 3
    assert len(briefing["bullets"]) == 3 and not any(
        "moon" in b["text"] for b in briefing["bullets"]
    )
    assert (
        briefing["warnings"].count("1 sentence(s) not supported by the cited passages removed") == 3
    )
    assert any(
        "passages fit the LLM context budget of 900 tokens" in w for w in briefing["warnings"]
    )
    assert all(p.count("<passage ") <= 2 for p in prompts)


def test_llm_fault_falls_back_to_extractive_per_storyline(llm_client_with):
    client = llm_client_with(llm_context_tokens=900)
    client.router.post(COMPLETIONS).mock(side_effect=httpx.Response(429))
    briefing = brief(client, **WINDOW)
    assert briefing["mode"] == "extractive" and len(briefing["bullets"]) == 6
    assert (
        sum("LLM unavailable (the LLM server answered HTTP 429)" in w for w in briefing["warnings"])
        == 3
    )


def test_storylines_say_when_and_how_widely_they_were_reported(client, seeded):
    briefing = brief(client, **WINDOW, length="long")
    by_label = {storyline["label"]: storyline for storyline in briefing["storylines"]}
    alaska = next(s for label, s in by_label.items() if "Alaska" in label)
    assert (alaska["first_date"], alaska["last_date"]) == ("2021-03-10", "2021-03-10")
    assert alaska["articles"] == 1 and alaska["single_source"] is True
    blinken = next(s for label, s in by_label.items() if "Blinken" in label)
    assert blinken["sources"] == ["The Financial Times"]
    # Every bullet names its storyline, whose article it cites.
    for bullet in briefing["bullets"]:
        storyline = briefing["storylines"][bullet["storyline"]]
        assert {c["article_id"] for c in bullet["citations"]} <= set(storyline["article_ids"])


def test_bullets_are_sentences_a_reader_can_use(client, seeded):
    """No question, fragment, talk, bare headline or leaning sentence, and no repeats."""
    from service.answering.citations import without_markers
    from service.briefing.bullets import bullet_problem

    said: list[str] = []
    for bullet in brief(client, **WINDOW, length="long")["bullets"]:
        text = without_markers(bullet["text"])
        assert bullet_problem(text, said=said) is None, text
        said.append(text)


STORY_BEFORE = {
    "id": "ferry-1",
    "date": "2024-05-02",
    "source": "Elsworth Gazette",
    "title": "Elsworth ferry strike begins",
    "text": "Crews of the Elsworth ferry walked out on Thursday in a dispute over pay, halting "
    "crossings to Marrow Island. The union said the strike would last until the operator "
    "improved its offer of a 3 percent rise. About 4,000 passengers use the ferry each day.",
}
STORY_AFTER = {
    "id": "ferry-2",
    "date": "2024-05-09",
    "source": "Coastal Times",
    "title": "Elsworth ferry strike ends with 6 percent pay deal",
    "text": "The Elsworth ferry strike ended on Thursday after crews accepted a 6 percent pay "
    "rise, and crossings to Marrow Island resumed. The walkout over pay had halted the ferry "
    "for a week. About 4,000 passengers use the ferry each day.",
}


def test_whats_new_since_a_day_with_where_the_story_stood(client, seeded):
    client.post("/articles", json={"articles": [STORY_BEFORE, STORY_AFTER]})
    window = {"date_from": "2024-05-01", "date_to": "2024-05-31"}
    briefing = brief(client, **window, since="2024-05-02", length="short")
    bullets = briefing["bullets"]
    assert [b["background"] for b in bullets] == [True, False]
    background, news = bullets
    assert background["text"].startswith("Before 2024-05-02: ")
    assert {c["article_id"] for c in background["citations"]} == {"ferry-1"}
    assert {c["article_id"] for c in news["citations"]} == {"ferry-2"}
    assert background["storyline"] == news["storyline"] == 0
    assert briefing["period"]["date_from"] == "2024-05-03"
    # Without `since`, both days are news and nothing is background.
    assert not any(b["background"] for b in brief(client, **window)["bullets"])
    backwards = client.post("/brief", json={**window, "since": "2024-05-31"})
    assert backwards.status_code == 422 and "since must be before date_to" in backwards.text
