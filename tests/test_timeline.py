"""Timelines over HTTP and the CLI, on the real model and index: a story's days in order,
copies merged, each line cited and able to stand alone; bad requests refused."""

import json

from service.answering.citations import without_markers
from service.briefing.bullets import bullet_problem
from tests.conftest import ALASKA_ARTICLE, BLINKEN_ARTICLE, EXPORT_ARTICLE
from tests.llm_server import COMPLETIONS, streamed_completion
from tests.test_cli import newsdesk

# A story told over four days, written for this test, with a wire copy of the second day's
# report and an unrelated article on the same days.
BRIDGE = [
    {
        "id": "bridge-1",
        "date": "2024-03-04",
        "source": "Elsworth Gazette",
        "title": "Council approves new harbour bridge for Port Elsworth",
        "text": "Port Elsworth council approved plans on Monday for a new harbour bridge, a "
        "420-metre crossing costing 86 million pounds. Councillors voted 31 to 9 in favour. "
        "The bridge will link the old town with the container docks.",
    },
    {
        "id": "bridge-2",
        "date": "2024-03-06",
        "source": "Coastal Times",
        "title": "Harbour bridge contract goes to Marrow Engineering",
        "text": "Marrow Engineering won the contract to build the Port Elsworth harbour bridge "
        "on Wednesday, beating two rival bids. The firm said construction of the crossing "
        "would begin in May and employ 300 workers.",
    },
    {
        "id": "bridge-2-wire",
        "date": "2024-03-06",
        "source": "Wire",
        "title": "Harbour bridge contract goes to Marrow Engineering",
        "text": "Marrow Engineering won the contract to build the Port Elsworth harbour bridge "
        "on Wednesday, beating two rival bids. The firm said construction of the crossing "
        "would begin in May and employ 300 workers.",
    },
    {
        "id": "bridge-3",
        "date": "2024-03-09",
        "source": "Elsworth Gazette",
        "title": "Protest over harbour bridge route",
        "text": "About 500 residents marched through Port Elsworth on Saturday against the route "
        "of the new harbour bridge. Organisers said the crossing would cut through the fish "
        "market, which the council denied.",
    },
    {
        "id": "cheese",
        "date": "2024-03-06",
        "source": "Coastal Times",
        "title": "Cheese festival returns",
        "text": "The annual Elsworth cheese festival returns on Friday with 120 stalls from "
        "across the region. Organisers expect 40,000 visitors over the weekend.",
    },
]


def test_a_topics_days_in_order_each_cited_and_standing_alone(client, seeded):
    assert client.post("/articles", json={"articles": BRIDGE}).status_code == 200
    reply = client.post("/timeline", json={"topic": "Port Elsworth harbour bridge"})
    assert reply.status_code == 200, reply.text
    timeline = reply.json()
    assert timeline["title"] == "Timeline: Port Elsworth harbour bridge"
    entries = timeline["entries"]
    assert [e["date"] for e in entries] == ["2024-03-04", "2024-03-06", "2024-03-09"]
    assert sorted(entries[1]["article_ids"]) == ["bridge-2", "bridge-2-wire"], "copies merged"
    assert "Marrow Engineering" in entries[1]["text"]
    said: list[str] = []
    for entry in entries:
        assert entry["citations"] and all(
            f"[{c['n']}]" in entry["text"] for c in entry["citations"]
        )
        assert {c["date"] for c in entry["citations"]} == {entry["date"]}
        text = without_markers(entry["text"])
        assert bullet_problem(text, said=said) is None, text
        said.append(text)
    assert all("cheese" not in e["text"].lower() for e in entries)


def test_an_articles_story_and_a_window(client, seeded):
    client.post("/articles", json={"articles": BRIDGE})
    entries = client.post(
        "/timeline", json={"article_id": "bridge-2", "date_from": "2024-03-05"}
    ).json()["entries"]
    assert entries and entries[0]["date"] == "2024-03-06", "nothing before the window"
    assert all("cheese" not in e["article_ids"] for e in entries)


def test_the_seed_story_of_us_china_relations(client, seeded):
    entries = client.post(
        "/timeline", json={"topic": "relations between China and the United States"}
    ).json()["entries"]
    assert [(e["date"], e["article_ids"]) for e in entries] == [
        ("2021-03-10", [ALASKA_ARTICLE]),
        ("2023-01-01", [BLINKEN_ARTICLE]),
        ("2023-10-12", [EXPORT_ARTICLE]),
    ]


def test_bad_timeline_requests(client, seeded):
    assert client.post("/timeline", json={}).status_code == 422
    assert client.post("/timeline", json={"topic": "x", "article_id": "y"}).status_code == 422
    missing = client.post("/timeline", json={"article_id": "no-such-article"})
    assert missing.status_code == 404 and "no-such-article" in missing.json()["detail"]
    backwards = {"topic": "x", "date_from": "2024-01-02", "date_to": "2024-01-01"}
    assert client.post("/timeline", json=backwards).status_code == 422


def test_timeline_from_the_cli(tmp_path, seeds_dir):
    index = tmp_path / "index"
    assert newsdesk("ingest", "--quiet", str(seeds_dir), index=index).returncode == 0
    topic = "relations between China and the United States"
    shown = newsdesk("timeline", "--topic", topic, index=index)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith(f"Timeline: {topic}\n2021-03-10  ")
    as_json = json.loads(newsdesk("timeline", "--topic", topic, "--json", index=index).stdout)
    assert [e["date"] for e in as_json["entries"]] == ["2021-03-10", "2023-01-01", "2023-10-12"]
    missing = newsdesk("timeline", "--article", "nope", index=index)
    assert missing.returncode == 1 and "no article with id 'nope'" in missing.stderr
    assert newsdesk("timeline", index=index).returncode == 2, "a topic or an article is needed"


def test_with_an_llm_each_day_is_written_by_it_and_checked(llm_client_with):
    """A day's line comes from the LLM on the briefing's prompt files; a line its passages
    do not support is dropped, and the day falls back to the extractive line when it fails."""
    client = llm_client_with()
    client.post("/articles", json={"articles": BRIDGE})
    days = []

    def reply(request):
        user = json.loads(request.content)["messages"][1]["content"]
        days.append(user)
        if "Marrow Engineering" in user:  # the second day: an unsupported claim
            return streamed_completion("- The bridge was opened by the King in 1066 [1].\n")
        first = user.split("</passage>")[0].split(">\n", 1)[1]
        return streamed_completion(f"- {first.split('. ')[0].rstrip('.')}. [1]\n")

    client.router.post(COMPLETIONS).mock(side_effect=reply)
    timeline = client.post("/timeline", json={"topic": "Port Elsworth harbour bridge"}).json()
    entries = timeline["entries"]
    assert len(days) == 3 and all("<passage" in prompt for prompt in days)
    assert [e["date"] for e in entries] == ["2024-03-04", "2024-03-06", "2024-03-09"]
    assert "1066" not in entries[1]["text"], "the unsupported line is not kept..."
    assert "Marrow Engineering" in entries[1]["text"], "...the day's own words stand in"
    assert "2024-03-06: the LLM's line was not supported" in " ".join(timeline["warnings"])
