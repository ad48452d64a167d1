"""The OpenAI-compatible endpoint as the clients people use reach it: the official `openai`
SDK and LangChain's `ChatOpenAI`, over real HTTP to a `newsdesk serve` process."""

import subprocess
import sys
from collections.abc import Iterator

import httpx
import openai
import pytest
from langchain_openai import ChatOpenAI

from tests.conftest import ALASKA_ARTICLE, SEEDS
from tests.processes import NewsdeskServer, newsdesk_environment

KEY = "reader-key"
COVAX = "How many vaccine doses did China pledge to COVAX?"


@pytest.fixture(scope="module")
def newsdesk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NewsdeskServer]:
    folder = tmp_path_factory.mktemp("openai")
    index = folder / "index"
    subprocess.run(
        [sys.executable, "-m", "service.cli", "ingest", "--quiet", str(SEEDS)],
        env=newsdesk_environment(NEWSDESK_INDEX_PATH=str(index)),
        check=True,
        timeout=300,
    )
    settings = {"NEWSDESK_INDEX_PATH": str(index), "NEWSDESK_API_KEYS": KEY}
    with NewsdeskServer(folder / "serve.log", **settings) as server:
        yield server


@pytest.fixture
def client(newsdesk: NewsdeskServer) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{newsdesk.url}/v1", api_key=KEY, max_retries=0)


def test_the_archive_is_listed_as_a_model(client):
    assert [model.id for model in client.models.list()] == ["newsdesk"]


def test_an_answer_carries_its_markers_sources_and_full_citations(client):
    reply = client.chat.completions.create(
        model="newsdesk",
        messages=[
            {"role": "system", "content": "You are a helpful assistant."},
            {"role": "user", "content": COVAX},
        ],
        temperature=0.2,
    )
    content = reply.choices[0].message.content
    assert "10 million" in content and "[1]" in content
    assert "\n\nSources:\n[1] Senior Chinese and US officials may meet next week" in content
    assert reply.choices[0].finish_reason == "stop"
    citations = reply.model_extra["citations"]
    first = citations[0]
    assert first["n"] == 1 and first["article_id"] == ALASKA_ARTICLE
    assert "10 million" in first["quote"]
    assert first["quote_end"] - first["quote_start"] == len(first["quote"])
    assert reply.model_extra["newsdesk"]["grounded"] is True


def test_a_streamed_answer_ends_with_the_same_citations(client):
    whole = client.chat.completions.create(
        model="newsdesk", messages=[{"role": "user", "content": COVAX}]
    )
    chunks = list(
        client.chat.completions.create(
            model="newsdesk", messages=[{"role": "user", "content": COVAX}], stream=True
        )
    )
    streamed = "".join(chunk.choices[0].delta.content or "" for chunk in chunks)
    assert streamed == whole.choices[0].message.content
    assert chunks[0].choices[0].delta.role == "assistant"
    last = chunks[-1]
    assert last.choices[0].finish_reason == "stop"
    assert last.model_extra["citations"] == whole.model_extra["citations"]
    assert all(chunk.choices[0].finish_reason is None for chunk in chunks[:-1])


def test_filters_come_through_the_extra_body(client):
    reply = client.chat.completions.create(
        model="newsdesk",
        messages=[{"role": "user", "content": COVAX}],
        extra_body={"newsdesk": {"filters": {"date_from": "2030-01-01"}}},
    )
    assert reply.choices[0].message.content.startswith("The articles don't say")
    assert reply.model_extra["citations"] == []
    assert reply.model_extra["newsdesk"]["grounded"] is False


def test_a_follow_up_is_answered_in_context(client):
    reply = client.chat.completions.create(
        model="newsdesk",
        messages=[
            {"role": "user", "content": "What did China pledge to COVAX?"},
            {"role": "assistant", "content": "China pledged vaccine doses [1]."},
            {"role": "user", "content": [{"type": "text", "text": "How many doses was it?"}]},
        ],
    )
    assert "COVAX" in reply.model_extra["newsdesk"]["question"]
    assert "10 million" in reply.choices[0].message.content


def test_errors_reach_the_client_in_openais_shape(client, newsdesk):
    with pytest.raises(openai.NotFoundError, match="does not exist"):
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "x"}])
    stranger = openai.OpenAI(base_url=f"{newsdesk.url}/v1", api_key="wrong", max_retries=0)
    with pytest.raises(openai.AuthenticationError, match="invalid API key"):
        stranger.models.list()
    with pytest.raises(openai.BadRequestError, match="last message must be a non-empty user"):
        client.chat.completions.create(
            model="newsdesk", messages=[{"role": "assistant", "content": "Hello"}]
        )
    with pytest.raises(openai.BadRequestError):
        client.chat.completions.create(model="newsdesk", messages=[])
    huge = httpx.post(
        f"{newsdesk.url}/v1/chat/completions",
        content=b"x" * 11_000_000,
        headers={"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"},
        timeout=60,
    )
    assert huge.status_code == 413
    assert huge.json()["error"]["type"] == "invalid_request_error"
    # Newsdesk's own routes keep FastAPI's shape.
    own = httpx.post(f"{newsdesk.url}/ask", json={}, headers={"Authorization": f"Bearer {KEY}"})
    assert own.status_code == 422 and isinstance(own.json()["detail"], list)


def test_langchain_chat_openai_pointed_at_newsdesk(newsdesk, client):
    """LangChain keeps only a reply's content, so the citations a LangChain app sees are the
    markers and the Sources list in it; they match the full citations the SDK sees."""
    chat = ChatOpenAI(base_url=f"{newsdesk.url}/v1", api_key=KEY, model="newsdesk", max_retries=0)
    content = chat.invoke(COVAX).content
    assert "10 million" in content and "[1]" in content
    full = client.chat.completions.create(
        model="newsdesk", messages=[{"role": "user", "content": COVAX}]
    )
    assert content == full.choices[0].message.content
    streamed = "".join(chunk.content for chunk in chat.stream(COVAX))
    assert streamed == content
    sources = content.split("\n\nSources:\n")[1].splitlines()
    assert len(sources) == len(full.model_extra["citations"])
