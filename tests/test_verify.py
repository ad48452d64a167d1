"""A text checked against the archive (POST /verify) over the real model, parser and Chroma:
the seed articles and four fixture articles written for these tests."""

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.components import Components
from service.domain import ArticleRef, RetrievedPassage
from service.verifying.support import SupportChecker, SupportModel
from tests.conftest import ALASKA_ARTICLE, BLINKEN_ARTICLE, SEEDS, archive_of

FIXTURES = Path(__file__).parent / "fixtures/verify_articles.jsonl"


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory, embedder) -> Components:
    return archive_of([SEEDS, FIXTURES], tmp_path_factory.mktemp("verify"), embedder, articles=7)


@pytest.fixture(scope="module")
def api(archive: Components) -> Iterator[TestClient]:
    with TestClient(create_app(archive.settings, components=archive)) as client:
        yield client


def verify(api: TestClient, text: str, **body) -> dict:
    response = api.post("/verify", json={"text": text, **body})
    assert response.status_code == 200, response.text
    return response.json()


def test_a_text_is_checked_sentence_by_sentence(api):
    text = (
        "Biden and Xi Jinping spoke for two hours on February 11. "
        "China has donated COVID-19 vaccines to 43 developing countries. "
        "The footbridge over the Lisden canal opens to cyclists next spring."
    )
    checked = verify(api, text)
    supported, contradicted, unsupported = checked["sentences"]
    assert checked["supported"] is False
    for sentence in checked["sentences"]:
        assert text[sentence["start"] : sentence["end"]] == sentence["text"]

    assert supported["verdict"] == "supported" and supported["differs"] == []
    (citation,) = [c for c in supported["citations"] if c["article_id"] == ALASKA_ARTICLE]
    assert "spoke for two hours on February 11" in citation["quote"]

    assert contradicted["verdict"] == "contradicted"
    assert contradicted["differs"] == [
        {
            "kind": "number",
            "claim": "43",
            "source": "69",
            "citation": contradicted["citations"][0]["n"],
        }
    ]
    assert "69 urgently needed developing countries" in contradicted["citations"][0]["quote"]

    assert unsupported["verdict"] == "unsupported"
    assert unsupported["citations"] == [] and unsupported["differs"] == []
    assert unsupported["score"] < supported["score"]


@pytest.mark.parametrize(
    ("claim", "says", "instead"),
    [
        ("Yang Min beat Wang Lei 3-1 in the Harbour Cup final.", "Yang Min beat Wang Lei",
         "Wang Lei beat Yang Min"),
        ("The Harbour Cup final in Marrowby was played on Saturday.", "Saturday", "Sunday"),
        ("The Harbour Cup drew 212 players from 13 countries.", "13", "31"),
        ("Yang Min said she would appeal the umpire's decision.", "appeal", "not appeal"),
        ("Opposition leader Amira Okafor said her party would not support any rise in "
         "council tax.", "Amira Okafor", "Tom Reddy"),
        ("The deal does not need the approval of the Competition Authority.", "not need",
         "need"),
    ],
)  # fmt: skip
def test_what_differs_is_said_and_cited(api, claim, says, instead):
    (sentence,) = verify(api, claim)["sentences"]
    assert sentence["verdict"] == "contradicted", sentence
    cited = {c["n"]: c for c in sentence["citations"]}
    assert {"claim": says, "source": instead} in [
        {"claim": d["claim"], "source": d["source"]} for d in sentence["differs"]
    ]
    assert all(cited[d["citation"]]["article_id"] in FIXTURE_IDS for d in sentence["differs"])


FIXTURE_IDS = {"harbour-cup-final", "riverside-tram", "malaria-trial", "lumen-crustworks"}


def test_paraphrases_are_supported(api):
    text = (
        "Yang Min was beaten by Wang Lei in the final. "
        "The Calder Foundation funded the malaria trial, which Dr Sofia Brandt led. "
        "Lumen Foods has agreed to acquire the bakery chain Crustworks for $1.2 billion."
    )
    checked = verify(api, text)
    assert [s["verdict"] for s in checked["sentences"]] == ["supported"] * 3
    assert checked["supported"] is True
    assert [s["citations"][0]["article_id"] for s in checked["sentences"]] == [
        "harbour-cup-final",
        "malaria-trial",
        "lumen-crustworks",
    ]


def test_checked_against_the_given_articles_only(api):
    claim = "Biden and Xi Jinping spoke for two hours on February 11."
    assert verify(api, claim)["supported"] is True
    only_blinken = verify(api, claim, filters={"article_ids": [BLINKEN_ARTICLE]})
    assert only_blinken["sentences"][0]["verdict"] != "supported"
    assert all(
        c["article_id"] == BLINKEN_ARTICLE for c in only_blinken["sentences"][0]["citations"]
    )


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"text": ""}, 422, "at least 1 character"),
        ({"text": " \n "}, 422, "the text is empty"),
        ({"text": "One claim."}, None, None),
        ({"text": "Yes. " * 201}, 422, "the text has 201 sentences; at most 200"),
        ({"text": "One claim.", "k": 0}, 422, "greater than or equal to 1"),
        ({"text": "One claim.", "unknown": 1}, 422, "Extra inputs are not permitted"),
    ],
)
def test_bad_input_is_refused_with_a_reason(api, body, status, message):
    response = api.post("/verify", json=body)
    if status is None:
        assert response.status_code == 200
        return
    assert response.status_code == status
    assert message in response.text


def test_a_lone_surrogate_and_an_oversized_body_are_refused(api, archive):
    lone = api.post(
        "/verify", content=b'{"text": "a\\ud800b"}', headers={"Content-Type": "application/json"}
    )
    assert lone.status_code == 422 and "lone surrogate" in lone.text
    limit = archive.settings.http.max_request_bytes
    huge = api.post("/verify", json={"text": "x" * (limit + 1)})
    assert huge.status_code == 413


def test_the_archive_says_what_it_holds_and_what_to_ask(api):
    response = api.get("/archive", params={"latest": 3, "questions": 3})
    assert response.status_code == 200, response.text
    held = response.json()
    assert held["articles"] == 7
    assert {"source": "Newsdesk fixtures", "articles": 4} in held["sources"]
    assert held["first_date"] == "2021-03-10" and held["last_date"] == "2026-11-12"
    assert [a["id"] for a in held["latest"]] == [
        "malaria-trial",
        "riverside-tram",
        "lumen-crustworks",
    ]
    assert held["questions"], "questions its articles answer"
    for question in held["questions"]:
        answer = api.post("/ask", json={"question": question}).json()
        assert answer["grounded"] and answer["short_answer"], question
    assert api.get("/archive", params={"latest": 21}).status_code == 422


def test_a_passages_own_sentences_are_supported_by_it(archive):
    """Each sentence of a passage is supported by it (an extractive answer or bullet quotes
    them), though one holds a verb and its negation, two give figures of two places, and one
    has a verb done by two people: each was "contradicted" by its own passage before. A changed
    sentence is still caught."""
    sentences = [
        "Mayor Amira Okafor wanted to act quickly but did not want to act carelessly.",
        "In Polk County, 66% of residents have been vaccinated.",
        "In Dallas County, 67% of residents have been vaccinated.",
        "Amira Okafor said the plan was sound, and Tom Reddy said it was too costly.",
    ]
    text = " ".join(sentences)
    ref = ArticleRef("counties", "County figures", "Fixture", None, None)
    passage = RetrievedPassage(
        "counties:0", ref, 0, 0, len(text), text, 0.0, 0.0, np.zeros(384, dtype=np.float32)
    )
    checker = SupportChecker(
        archive.sentence_vectors, archive.sentence_parses, SupportModel.load()
    ).support
    for sentence in sentences:
        assert checker(sentence, passage).verdict == "supported", sentence
    changed = checker("In Polk County, 76% of residents have been vaccinated.", passage)
    assert changed.verdict == "contradicted"
    assert [(d.kind, d.claim, d.source) for d in changed.differs] == [("number", "76", "66")]
