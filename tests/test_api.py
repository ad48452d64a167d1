"""The articles and health endpoints over real HTTP handling (TestClient), real model and store."""

from fastapi.testclient import TestClient

from service.answering.pipeline import WARM_UP_QUESTION
from service.api.app import create_app
from service.components import Components
from service.settings import Settings

DATE_FORMS = "expected YYYY-MM-DD or a day, month and year such as 26 Jul 2022"

ARTICLES = [
    {
        "id": "fed-1",
        "title": "Fed raises rates",
        "date": "2022-06-15",
        "source": "cnn.com",
        "url": "https://cnn.com/fed",
        "text": "The Federal Reserve raised rates by 0.75 points.",
    },
    {
        "title": "Heatwave",
        "date": "2022-07-19",
        "source": "theweek.co.uk",
        "url": "https://www.theweek.co.uk/news/heatwave",
        "text": "Britain recorded 40C for the first time. Railways slowed trains.",
    },
    {
        "id": "old-1",
        "date": "2012-09-10",
        "source": "usatoday.com",
        "text": "Friends honored the actor at a private funeral in Los Angeles.",
    },
]


def post(client: TestClient, articles: list) -> tuple[int, dict]:
    response = client.post("/articles", json={"articles": articles})
    return response.status_code, response.json()


def test_batch_ingest_then_list_get_delete(client: TestClient):
    status, report = post(client, ARTICLES)
    assert status == 200
    assert (report["new"], report["failed"], report["errors"]) == (3, 0, [])

    listed = client.get("/articles").json()
    assert listed["total"] == 3
    assert [a["id"] for a in listed["articles"]] == [
        "https://www.theweek.co.uk/news/heatwave",
        "fed-1",
        "old-1",
    ], "newest first; an article without id is known by its URL"

    article = client.get("/articles/https://www.theweek.co.uk/news/heatwave").json()
    assert article["title"] == "Heatwave" and article["source"] == "theweek.co.uk"
    for passage in article["passages"]:
        assert article["text"][passage["start"] : passage["end"]] == passage["text"]

    assert client.delete("/articles/fed-1").status_code == 204
    assert client.get("/articles/fed-1").status_code == 404
    assert client.delete("/articles/fed-1").status_code == 404
    assert client.get("/health").json()["articles"] == 2


def test_reposting_unchanged_articles_writes_nothing(client: TestClient):
    post(client, ARTICLES)
    status, report = post(client, ARTICLES)
    assert status == 200
    assert (report["unchanged"], report["passages_written"]) == (3, 0)


def test_partial_failure_is_207_and_names_the_index(client: TestClient):
    post(client, ARTICLES[:1])
    before = client.get("/articles/fed-1").json()
    batch = [
        ARTICLES[1],
        {"id": "fed-1", "text": ""},
        {"id": "x", "text": "ok", "date": "June 5th"},
        "not an object",
    ]
    status, report = post(client, batch)
    assert status == 207
    assert report["new"] == 1 and report["failed"] == 3
    assert report["errors"] == [
        {"where": "articles[1]", "message": "empty text"},
        {"where": "articles[2]", "message": "unparsable date 'June 5th': " + DATE_FORMS},
        {"where": "articles[3]", "message": "expected a JSON object, got str"},
    ]
    assert client.get("/articles/fed-1").json() == before, "a failed update leaves the stored one"


def test_all_failed_is_422_and_malformed_bodies_are_rejected(client: TestClient):
    status, report = post(client, [{"text": "  "}])
    assert status == 422 and report["failed"] == 1
    assert (
        client.post(
            "/articles", content=b"{nope", headers={"content-type": "application/json"}
        ).status_code
        == 422
    )
    assert client.post("/articles", json={"articles": []}).status_code == 422
    assert client.post("/articles", json=[ARTICLES[0]]).status_code == 422
    assert client.get("/health").json()["articles"] == 0


def test_list_filters_and_paging(client: TestClient):
    post(client, ARTICLES)
    in_2022 = client.get(
        "/articles", params={"date_from": "2022-01-01", "date_to": "2022-12-31"}
    ).json()
    assert in_2022["total"] == 2
    by_source = client.get(
        "/articles", params=[("source", "usatoday.com"), ("source", "cnn.com")]
    ).json()
    assert {a["id"] for a in by_source["articles"]} == {"fed-1", "old-1"}
    page = client.get("/articles", params={"limit": 1, "offset": 1}).json()
    assert page["total"] == 3 and [a["id"] for a in page["articles"]] == ["fed-1"]

    reversed_range = client.get(
        "/articles", params={"date_from": "2023-01-01", "date_to": "2022-01-01"}
    )
    assert reversed_range.status_code == 422
    assert "date_from is after date_to" in reversed_range.text
    assert client.get("/articles", params={"limit": 0}).status_code == 422
    assert client.get("/articles", params={"date_from": "yesterday"}).status_code == 422


def test_health_and_docs(client: TestClient):
    health = client.get("/health").json()
    assert health == {
        "status": "ok",
        "articles": 0,
        "passages": 0,
        "embedding_model": "sentence-transformers/all-MiniLM-L6-v2",
        "store": health["store"],
        "store_revision": "",
        "followers": [
            # Both caught up at start.
            {
                "name": name,
                "revision": "",
                "behind": False,
                "catching_up": False,
                "error": None,
                "failed_at": None,
            }
            for name in ("keyword index", "article catalogue")
        ],
        "watch_checks": {"pending": 0, "error": None, "failed_at": None},
    }
    assert health["store"].startswith("chroma-local ")
    assert client.get("/docs").status_code == 200
    schema = client.get("/openapi.json").json()
    assert {"/articles", "/articles/{article_id}", "/health"} <= set(schema["paths"])


def test_start_up_pays_for_the_first_question(seeded: Components, settings: Settings):
    """The server warms up before it serves: the warm-up question went the whole way through
    retrieval and reading at start, so asking it now encodes nothing new."""
    assert seeded.sentence_vectors.computed == 0
    with TestClient(create_app(settings, components=seeded)) as client:
        warmed = seeded.sentence_vectors.computed
        assert warmed >= 1
        response = client.post("/ask", json={"question": WARM_UP_QUESTION})
        assert response.status_code == 200
        assert seeded.sentence_vectors.computed == warmed
