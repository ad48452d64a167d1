"""Extractive answers on the seeds, over HTTP: citations, exact quotes, filters, abstention."""

from fastapi.testclient import TestClient

from tests.conftest import ALASKA_ARTICLE, BLINKEN_ARTICLE


def ask(client: TestClient, question: str, **body) -> dict:
    response = client.post("/ask", json={"question": question, **body})
    assert response.status_code == 200, response.text
    return response.json()


def assert_quotes_are_exact(client: TestClient, answer: dict) -> None:
    for citation in answer["citations"]:
        article = client.get(f"/articles/{citation['article_id']}").json()
        assert article["text"][citation["quote_start"] : citation["quote_end"]] == citation["quote"]
        assert article["text"][citation["start"] : citation["end"]] == next(
            p["text"] for p in answer["passages"] if p["passage_id"] == citation["passage_id"]
        )
        assert (
            citation["start"] <= citation["quote_start"] < citation["quote_end"] <= citation["end"]
        )


def test_blinken_question_cites_the_financial_times_article(client, seeded):
    answer = ask(client, "Who did Blinken meet in Beijing?")
    assert answer["mode"] == "extractive" and answer["grounded"] is True
    assert answer["citations"][0]["article_id"] == BLINKEN_ARTICLE
    assert answer["citations"][0]["source"] == "The Financial Times"
    for citation in answer["citations"]:
        assert f"[{citation['n']}]" in answer["answer"]
    assert_quotes_are_exact(client, answer)


def test_covax_question_cites_the_2021_article(client, seeded):
    answer = ask(client, "How many vaccine doses did China pledge to COVAX?")
    assert answer["grounded"] is True
    assert [c["article_id"] for c in answer["citations"]] == [ALASKA_ARTICLE]
    assert answer["citations"][0]["date"] == "2021-03-10"
    assert "10 million" in answer["citations"][0]["quote"]
    assert "10 million" in answer["answer"]
    assert_quotes_are_exact(client, answer)


def test_date_filter_excludes_the_other_articles(client, seeded):
    answer = ask(
        client,
        "Who did Blinken meet in Beijing?",
        filters={"date_from": "2021-01-01", "date_to": "2021-12-31"},
    )
    assert {p["article_id"] for p in answer["passages"]} == {ALASKA_ARTICLE}
    assert {c["article_id"] for c in answer["citations"]} <= {ALASKA_ARTICLE}


def test_a_question_the_seeds_do_not_answer_abstains(client, seeded):
    answer = ask(client, "Who won the football World Cup final?")
    assert answer["grounded"] is False
    assert answer["answer"] == "The articles don't say who won the football World Cup final."
    assert answer["citations"] == []


def test_an_abstention_quoting_a_question_of_two_sentences_is_not_checked_as_claims(client, seeded):
    """A quiz question sets a scene, then asks; the abstention names it whole, and its second
    sentence is no claim to check (one got through as "grounded", cited)."""
    answer = ask(
        client,
        "A processed cheese product is seeing a boost in popularity right now. "
        "Which product is it?",
    )
    assert answer["grounded"] is False and answer["citations"] == []
    assert answer["answer"].startswith("The articles don't say")
    assert "Which product is it" in answer["answer"]
    assert not any("not supported" in warning for warning in answer["warnings"])


def test_empty_index_or_filter_with_no_match_abstains(client):
    answer = ask(client, "Who did Blinken meet in Beijing?")
    assert answer["grounded"] is False and answer["passages"] == []
    assert answer["warnings"] == ["no passage matched the question and filters"]


def test_search_endpoint(client, seeded):
    response = client.post("/search", json={"query": "Quad summit", "k": 3})
    assert response.status_code == 200
    passages = response.json()["passages"]
    assert passages[0]["article_id"] == ALASKA_ARTICLE
    assert {"passage_id", "start", "end", "text", "score", "similarity", "also_reported_by"} <= set(
        passages[0]
    )


def test_bad_questions_are_4xx_with_a_message(client, seeded):
    cases = [
        ({"question": ""}, "question"),
        ({"question": "x", "k": 0}, "k"),
        ({"question": "x", "k": 500}, "k"),
        (
            {"question": "x", "filters": {"date_from": "2023-01-01", "date_to": "2021-01-01"}},
            "date_from is after date_to",
        ),
        ({"question": "x", "filters": {"colour": "red"}}, "colour"),
        ({"question": "x" * 2001}, "question"),
    ]
    for body, mentioned in cases:
        response = client.post("/ask", json=body)
        assert response.status_code == 422, body
        assert mentioned in response.text
    assert client.post("/search", json={"query": "x", "k": 51}).status_code == 422


def test_chat_rewrites_a_follow_up_by_the_rule(client, seeded):
    messages = [
        {"role": "user", "content": "Who did Blinken meet in Beijing?"},
        {"role": "assistant", "content": "Blinken met Xi."},
        {"role": "user", "content": "What did he say about relations with the US?"},
    ]
    response = client.post("/chat", json={"messages": messages})
    assert response.status_code == 200
    answer = response.json()
    assert answer["question"] == "What did he say about relations with the US? (Blinken, Beijing)"
    assert answer["grounded"] and answer["citations"][0]["article_id"] == BLINKEN_ARTICLE

    with client.stream("POST", "/chat", json={"messages": messages, "stream": True}) as streamed:
        first = streamed.read().decode().split("\n\n")[0]
    assert first.startswith("event: question\ndata: ") and "(Blinken, Beijing)" in first

    standalone = client.post("/chat", json={"messages": messages[:1]}).json()
    assert standalone["question"] == "Who did Blinken meet in Beijing?"


def test_chat_needs_a_last_user_message(client, seeded):
    for messages in (
        [],
        [{"role": "assistant", "content": "hi"}],
        [{"role": "user", "content": " "}],
        [{"role": "robot", "content": "hi"}],
    ):
        response = client.post("/chat", json={"messages": messages})
        assert response.status_code == 422, messages
