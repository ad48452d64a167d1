"""Hostile text at every door, over real HTTP: lone surrogates, control characters, RTL marks,
emoji sequences and very long tokens in every string field of every endpoint. Nothing may get
a 5xx; invalid Unicode is a 422 naming its field; what is stored is normalised.

Schemathesis (tests/test_fuzz.py) draws strings from the OpenAPI schema and so never sends a
lone surrogate; these strategies do.
"""

import json
import unicodedata
from collections.abc import Iterator
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.api.app import create_app
from tests.conftest import BLINKEN_ARTICLE
from tests.test_page import serve

SURROGATES = ["\ud800", "a\udfffb", "\udbff\udbff", "x\ud83d"]  # the last: half an emoji
HOSTILE = st.one_of(
    st.sampled_from(SURROGATES),
    # Surrogates (Cs), controls (Cc), format marks such as RTL and zero-width joiners (Cf),
    # symbols such as emoji (So), separators, letters and combining marks.
    st.text(
        st.characters(categories=["Cs", "Cc", "Cf", "So", "Zs", "Lu", "Ll", "Mn"]), max_size=30
    ),
    st.sampled_from(
        ["\u202egnp.exe", "\u200f\u05e9\u05dc\u05d5\u05dd", "\U0001f469\u200d\U0001f4bb"]
    ),
    st.text(st.characters(codec="ascii", categories=["Ll"]), min_size=1, max_size=3).map(
        lambda token: token * 3000  # one very long token
    ),
)
FILTERS = st.fixed_dictionaries({"sources": st.lists(HOSTILE, max_size=2)})

BODIES = {
    "/search": st.fixed_dictionaries({"query": HOSTILE, "filters": FILTERS}),
    "/ask": st.fixed_dictionaries({"question": HOSTILE, "filters": FILTERS}),
    "/chat": st.fixed_dictionaries(
        {
            "messages": st.tuples(HOSTILE, HOSTILE, HOSTILE).map(
                lambda texts: [
                    {"role": role, "content": text}
                    for role, text in zip(("user", "assistant", "user"), texts, strict=True)
                ]
            ),
            "filters": FILTERS,
        }
    ),
    "/brief": st.fixed_dictionaries({"topic": HOSTILE, "sources": st.lists(HOSTILE, max_size=2)}),
    "/articles": st.fixed_dictionaries(
        {
            "articles": st.lists(
                st.fixed_dictionaries(
                    {"text": HOSTILE},
                    optional={"id": HOSTILE, "title": HOSTILE, "source": HOSTILE, "url": HOSTILE},
                ),
                min_size=1,
                max_size=3,
            )
        }
    ),
}


def post(http: httpx.Client, path: str, body: dict) -> httpx.Response:
    # json.dumps escapes a lone surrogate as \ud800: valid JSON, invalid Unicode, as clients
    # that cut strings at UTF-16 boundaries send it. (httpx's json= would refuse to encode it.)
    return http.post(path, content=json.dumps(body), headers={"content-type": "application/json"})


def url_text(text: str) -> str:
    """Text as a client puts it in a URL, surrogates and all."""
    return quote(text.encode("utf-8", "surrogatepass"), safe="")


@pytest.fixture
def http(seeded, settings) -> Iterator[httpx.Client]:
    for url in serve(create_app(settings, components=seeded)):
        with httpx.Client(base_url=url, timeout=60) as client:
            yield client


FUZZ = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.mark.parametrize("path", sorted(BODIES))
def test_no_hostile_text_in_a_body_gets_a_server_error(http, path):
    @FUZZ
    @given(BODIES[path])
    def check(body):
        response = post(http, path, body)
        assert response.status_code < 500, (body, response.text[:500])

    check()


def test_no_hostile_text_in_a_url_gets_a_server_error(http):
    @FUZZ
    @given(HOSTILE)
    def check(text):
        for response in (
            http.get(f"/articles?source={url_text(text)}"),
            http.get(f"/articles/{url_text(text)}"),
            http.delete(f"/articles/{url_text(text)}"),
        ):
            assert response.status_code < 500, (text, response.text[:500])

    check()


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/ask", {"question": "Who did Blinken \ud800 meet?"}, "question"),
        ("/search", {"query": "a\udfffb"}, "query"),
        ("/search", {"query": "China", "filters": {"sources": ["\ud800"]}}, "sources"),
        ("/chat", {"messages": [{"role": "user", "content": "\udbff"}]}, "content"),
        ("/brief", {"topic": "x\ud83d"}, "topic"),
    ],
)
def test_a_lone_surrogate_is_a_422_naming_its_field(http, path, body, field):
    response = post(http, path, body)
    assert response.status_code == 422, response.text
    problem = response.json()["detail"][0]
    assert field in problem["loc"] and "lone surrogate" in problem["msg"]


def test_bad_articles_are_reported_and_the_rest_stored_normalised(http, seeded):
    before = seeded.store.counts()
    body = {
        "articles": [
            {"id": "surrogate", "text": "Cut at a UTF-16 boundary \ud83d"},
            {
                "id": "cafe\u0301",
                "title": "Caf\u0065\u0301 \x07news",
                "text": "Caf\u0065\u0301\x00 opens.",
            },
        ]
    }
    response = post(http, "/articles", body)
    assert response.status_code == 207, response.text
    assert response.json()["errors"] == [
        {
            "where": "articles[0]",
            "message": "field 'text' is not valid Unicode: a lone surrogate (U+D83D) at "
            "character 25",
        }
    ]
    assert seeded.store.counts()[0] == before[0] + 1, "only the good article was stored"
    stored = seeded.store.get("caf\u00e9")  # stored under its NFC id
    assert stored.text == "Caf\u00e9 opens." and stored.title == "Caf\u00e9 news"
    assert all(unicodedata.is_normalized("NFC", p.text) for p in stored.passages)


def test_a_jsonl_line_with_a_lone_surrogate_is_reported_by_line(tmp_path, seeded):
    from service.loading import load_paths

    path = tmp_path / "mixed.jsonl"
    path.write_text(
        json.dumps({"id": "ok", "text": "Fine.\x0b"})
        + "\n"
        + json.dumps({"id": "bad", "text": "\ud800"})
        + "\n"
    )
    loaded = list(load_paths([path], max_bytes=10_000))
    assert loaded[0].text == "Fine."
    assert str(loaded[1]) == (
        f"{path}:2: field 'text' is not valid Unicode: a lone surrogate (U+D800) at character 0"
    )


def test_answers_to_a_normalised_question_are_unchanged(http):
    plain = post(http, "/ask", {"question": "Who did Blinken meet in Beijing?"}).json()
    noisy = post(http, "/ask", {"question": "Who did Blinken\x00 meet in Beijing?\x07"}).json()
    assert noisy["answer"] == plain["answer"]
    assert noisy["citations"][0]["article_id"] == BLINKEN_ARTICLE
