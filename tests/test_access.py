"""Keys, admin keys, rate limits, request limits and CORS, over real HTTP (FastAPI's client)."""

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from service.api.access import RateLimiter
from service.api.app import create_app
from tests.conftest import BLINKEN_ARTICLE

READER, ADMIN = "reader-key-1", "admin-key-1"
QUESTION = {"question": "Who did Blinken meet in Beijing?"}
NEW_ARTICLE = {"articles": [{"id": "note-1", "text": "Trade talks resumed in Geneva on Monday."}]}


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def client_with(settings, seeded) -> Iterator[Callable[..., TestClient]]:
    """Makes a client over the seeds with these settings changed."""
    clients: list[TestClient] = []

    def make(**overrides) -> TestClient:
        changed = settings.replace(**overrides)
        client = TestClient(create_app(changed, components=seeded)).__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def keyed(client_with) -> TestClient:
    return client_with(api_keys=[SecretStr(READER)], admin_api_keys=[SecretStr(ADMIN)])


def test_without_a_key_only_health_and_the_page_answer(keyed):
    assert keyed.get("/health").status_code == 200
    assert keyed.get("/").status_code == 200
    assert keyed.get("/static/app.js").status_code == 200
    for method, path, body in [
        ("POST", "/ask", QUESTION),
        ("POST", "/search", {"query": "Blinken"}),
        ("POST", "/brief", {}),
        ("GET", "/articles", None),
        ("GET", f"/articles/{BLINKEN_ARTICLE}", None),
        ("GET", "/openapi.json", None),
        ("GET", "/docs", None),
    ]:
        response = keyed.request(method, path, json=body)
        assert response.status_code == 401, path
        assert response.json()["detail"] == "missing API key: send Authorization: Bearer KEY"
        assert response.headers["www-authenticate"] == "Bearer"


def test_a_wrong_key_is_refused_and_a_right_one_answers(keyed):
    refused = keyed.post("/ask", json=QUESTION, headers=bearer("reader-key-2"))
    assert refused.status_code == 401 and refused.json()["detail"] == "invalid API key"
    for key in (READER, ADMIN):
        answer = keyed.post("/ask", json=QUESTION, headers=bearer(key))
        assert answer.status_code == 200 and answer.json()["grounded"]
    assert "HTTPBearer" in keyed.get("/openapi.json", headers=bearer(READER)).text


def test_writes_need_an_admin_key_when_admin_keys_are_set(keyed):
    for method, path, body in [
        ("POST", "/articles", NEW_ARTICLE),
        ("DELETE", f"/articles/{BLINKEN_ARTICLE}", None),
    ]:
        response = keyed.request(method, path, json=body, headers=bearer(READER))
        assert response.status_code == 403
        assert response.json()["detail"] == "ingesting and deleting need an admin key"
    assert keyed.get(f"/articles/{BLINKEN_ARTICLE}", headers=bearer(READER)).status_code == 200
    assert keyed.get("/health").json()["articles"] == 3  # nothing written, nothing deleted

    assert keyed.post("/articles", json=NEW_ARTICLE, headers=bearer(ADMIN)).json()["new"] == 1
    deleted = keyed.delete(f"/articles/{BLINKEN_ARTICLE}", headers=bearer(ADMIN))
    assert deleted.status_code == 204


def test_without_admin_keys_any_key_may_write(client_with):
    client = client_with(api_keys=[SecretStr(READER)])
    assert client.post("/articles", json=NEW_ARTICLE, headers=bearer(READER)).status_code == 200


def test_each_key_has_its_own_rate_limit(client_with):
    client = client_with(
        api_keys=[SecretStr(READER), SecretStr("reader-key-2")], rate_limit_per_minute=3
    )
    for _ in range(3):
        assert client.get("/articles", headers=bearer(READER)).status_code == 200
    limited = client.get("/articles", headers=bearer(READER))
    assert limited.status_code == 429
    assert limited.json()["detail"].startswith(
        "rate limit of 3 requests a minute reached for this key; retry in"
    )
    assert int(limited.headers["retry-after"]) == 20  # a third of a minute for one token
    assert client.get("/articles", headers=bearer("reader-key-2")).status_code == 200
    assert client.get("/health").status_code == 200


def test_rate_limit_tokens_come_back_with_time():
    now = [0.0]
    limiter = RateLimiter(60, clock=lambda: now[0])
    assert all(limiter.wait_s("k") == 0 for _ in range(60))
    assert limiter.wait_s("k") == pytest.approx(1.0)
    now[0] += 1.0
    assert limiter.wait_s("k") == 0
    assert limiter.wait_s("other") == 0


def test_oversized_bodies_are_refused_before_parsing(client_with):
    client = client_with(max_request_bytes=2_000)
    big = {"articles": [{"id": "big", "text": "Trade talks resumed. " * 200}]}
    response = client.post("/articles", json=big)
    assert response.status_code == 413
    assert response.json()["detail"] == "request body is over the limit of 2000 bytes"

    # Sent in chunks, without a Content-Length, it is counted as it arrives.
    chunks = iter([b'{"articles": [{"id": "big", "text": "', b"x" * 3_000, b'"}]}'])
    response = client.post(
        "/articles", content=chunks, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert client.get("/articles/big").status_code == 404
    assert client.post("/ask", json=QUESTION).status_code == 200


@pytest.mark.parametrize(
    ("path", "body", "message"),
    [
        ("/ask", {"question": "x" * 2001}, "at most 2000 characters"),
        ("/ask", QUESTION | {"k": 21}, "less than or equal to 20"),
        ("/search", {"query": "Blinken", "k": 51}, "less than or equal to 50"),
        ("/brief", {"max_articles": 201}, "less than or equal to 200"),
        (
            "/articles",
            {"articles": [{"text": f"Note {i}."} for i in range(1001)]},
            "at most 1000 items",
        ),
    ],
)
def test_request_limits_are_4xx_with_a_message(client, path, body, message):
    response = client.post(path, json=body)
    assert response.status_code == 422
    assert message in response.text
    assert client.get("/health").json()["articles"] == 0  # nothing stored


def preflight(client: TestClient, origin: str):
    return client.options(
        "/ask",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type",
        },
    )


def test_cors_is_off_by_default_and_follows_the_setting(client, client_with):
    assert "access-control-allow-origin" not in preflight(client, "http://app.example").headers
    assert (
        "access-control-allow-origin"
        not in client.get("/health", headers={"Origin": "http://app.example"}).headers
    )

    allowed = client_with(cors_origins=["http://app.example"])
    response = preflight(allowed, "http://app.example")
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "http://app.example"
    assert "authorization" in response.headers["access-control-allow-headers"].lower()
    assert "access-control-allow-origin" not in preflight(allowed, "http://evil.example").headers
