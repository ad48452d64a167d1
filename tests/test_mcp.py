"""The MCP server as agents reach it: the SDK's own client, over stdio (`newsdesk mcp`, a real
process) and over streamable HTTP (`/mcp` of a `newsdesk serve` process, behind its keys)."""

import asyncio
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import httpx2
import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client

from tests.conftest import ALASKA_ARTICLE, SEEDS
from tests.processes import NewsdeskServer, newsdesk_environment

KEY = "agent-key"
COVAX = "How many vaccine doses did China pledge to COVAX?"
TOOLS = {"search", "ask", "brief", "timeline", "verify", "get_article", "list_articles"}
CHECKED = (
    "Biden and Xi Jinping spoke for two hours on February 11. "
    "China has donated COVID-19 vaccines to 43 developing countries."
)


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    index = tmp_path_factory.mktemp("mcp") / "index"
    subprocess.run(
        [sys.executable, "-m", "service.cli", "ingest", "--quiet", str(SEEDS)],
        env=newsdesk_environment(NEWSDESK_INDEX_PATH=str(index)),
        check=True,
        timeout=300,
    )
    return index


@pytest.fixture(scope="module")
def newsdesk(index: Path) -> Iterator[NewsdeskServer]:
    log = index.parent / "serve.log"
    with NewsdeskServer(log, NEWSDESK_INDEX_PATH=str(index), NEWSDESK_API_KEYS=KEY) as server:
        yield server


def over_http(newsdesk: NewsdeskServer, key: str = KEY) -> Client:
    http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {key}"}, timeout=120)
    return Client(streamable_http_client(f"{newsdesk.url}/mcp", http_client=http))


def over_stdio(index: Path) -> Client:
    environment = newsdesk_environment(NEWSDESK_INDEX_PATH=str(index))
    return Client(
        StdioServerParameters(
            command=sys.executable, args=["-m", "service.cli", "mcp"], env=environment
        )
    )


async def session(client: Client) -> dict:
    """What a client sees of the tools and of one call of each."""
    async with client:
        tools = (await client.list_tools()).tools
        seen = {"tools": {tool.name: tool for tool in tools}}
        seen["ask"] = await client.call_tool("ask", {"question": COVAX})
        seen["search"] = await client.call_tool(
            "search", {"query": "COVAX vaccine doses", "k": 2, "date_from": "2021-01-01"}
        )
        seen["list"] = await client.call_tool("list_articles", {"limit": 2})
        seen["article"] = await client.call_tool("get_article", {"article_id": ALASKA_ARTICLE})
        seen["brief"] = await client.call_tool("brief", {"length": "short"})
        seen["timeline"] = await client.call_tool(
            "timeline", {"topic": "relations between China and the United States"}
        )
        seen["verify"] = await client.call_tool("verify", {"text": CHECKED})
        seen["empty_text"] = await client.call_tool("verify", {"text": "  "})
        seen["no_story"] = await client.call_tool("timeline", {})
        seen["bad_k"] = await client.call_tool("ask", {"question": COVAX, "k": 0})
        seen["bad_range"] = await client.call_tool(
            "search", {"query": "x", "date_from": "2022-01-01", "date_to": "2021-01-01"}
        )
        seen["missing"] = await client.call_tool("get_article", {"article_id": "no-such-id"})
    return seen


def assert_what_an_agent_needs(seen: dict) -> None:
    tools = seen["tools"]
    assert set(tools) == TOOLS
    for tool in tools.values():
        assert tool.description and tool.input_schema["properties"] and tool.output_schema
        assert tool.annotations.read_only_hint is True

    ask = seen["ask"]
    assert not ask.is_error
    answer = ask.structured_content
    assert answer["grounded"] is True and "10 million" in answer["answer"]
    assert answer["citations"][0]["article_id"] == ALASKA_ARTICLE
    text = ask.content[0].text
    assert "10 million" in text and "\n\nSources:\n[1] Senior Chinese and US officials" in text

    found = seen["search"].structured_content["passages"]
    assert len(found) == 2 and found[0]["article_id"] == ALASKA_ARTICLE
    assert seen["search"].content[0].text.startswith("[1] Senior Chinese and US officials")

    page = seen["list"].structured_content
    assert page["total"] == 3 and len(page["articles"]) == 2

    article = seen["article"].structured_content
    assert article["id"] == ALASKA_ARTICLE and article["truncated"] is False
    assert "COVAX" in article["text"]

    bullets = seen["brief"].structured_content["bullets"]
    assert len(bullets) == 3 and all(bullet["citations"] for bullet in bullets)

    entries = seen["timeline"].structured_content["entries"]
    assert [entry["date"] for entry in entries] == ["2021-03-10", "2023-01-01", "2023-10-12"]
    assert seen["timeline"].content[0].text.startswith("Timeline: relations between China")

    checked = seen["verify"].structured_content
    assert [s["verdict"] for s in checked["sentences"]] == ["supported", "contradicted"]
    assert checked["supported"] is False
    assert checked["sentences"][1]["differs"][0] | {"citation": 0} == {
        "kind": "number",
        "claim": "43",
        "source": "69",
        "citation": 0,
    }
    text = seen["verify"].content[0].text
    assert text.startswith("SUPPORTED: Biden and Xi Jinping spoke for two hours on February 11.")
    assert "CONTRADICTED: China has donated COVID-19 vaccines to 43" in text
    assert "the articles say '69' [2], not '43'" in text and "\n\nSources:\n[1] " in text

    for refused, reason in [
        ("bad_k", "greater than or equal to 1"),
        ("bad_range", "date_from is after date_to"),
        ("missing", "no article with id 'no-such-id'"),
        ("no_story", "give a topic or an article_id"),
        ("empty_text", "the text is empty"),
    ]:
        assert seen[refused].is_error, refused
        assert reason in seen[refused].content[0].text, seen[refused].content[0].text


def test_tools_over_streamable_http_behind_the_keys(newsdesk):
    assert_what_an_agent_needs(asyncio.run(session(over_http(newsdesk))))
    refused = httpx.post(f"{newsdesk.url}/mcp", json={}, headers={"Authorization": "Bearer x"})
    assert refused.status_code == 401


def test_tools_over_stdio(index):
    assert_what_an_agent_needs(asyncio.run(session(over_stdio(index))))
