"""Newsdesk as an MCP server, for agents (Claude Desktop, Cursor, any MCP client): read-only
tools over the same components as the HTTP API. `newsdesk mcp` serves it over stdio; the HTTP
server mounts it, streamable, under `/mcp` behind the same keys.

Each tool checks its input with the HTTP API's request models, so both doors refuse the same
things with the same messages, and answers twice: as text an LLM reads (with `[n]` markers and
a Sources list) and as structured content with the HTTP API's fields, citations included.
Sizes are bounded so a reply cannot flood a client's context: at most 20 passages, 50 articles
a page, and an article's text cut at MAX_ARTICLE_CHARS."""

import datetime as dt
import functools
from collections.abc import Callable
from importlib.metadata import version
from typing import Annotated, Literal, ParamSpec

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import CallToolResult, TextContent, ToolAnnotations
from pydantic import BaseModel, Field, ValidationError

from service.api import plain_text
from service.api.schemas import (
    ArticleOut,
    ArticlePageOut,
    ArticleSummaryOut,
    AskIn,
    AskOut,
    BriefIn,
    BriefingOut,
    FiltersIn,
    PassageHitOut,
    SearchIn,
    SearchOut,
    TimelineIn,
    TimelineOut,
    VerifyIn,
    VerifyOut,
)
from service.briefing import UnknownArticle
from service.components import Components
from service.domain import StoreUnavailable

P = ParamSpec("P")
MAX_ARTICLE_CHARS = 20_000
READ_ONLY = ToolAnnotations(read_only_hint=True, open_world_hint=False)

Sources = Annotated[list[str] | None, Field(description="Keep only these sources.")]
DateFrom = Annotated[dt.date | None, Field(description="First day included, YYYY-MM-DD.")]
DateTo = Annotated[dt.date | None, Field(description="Last day included, YYYY-MM-DD.")]


class ArticleTextOut(ArticleOut):
    truncated: bool = Field(..., description=f"The text was cut at {MAX_ARTICLE_CHARS} characters.")


def _refusing_bad_input(tool: Callable[P, CallToolResult]) -> Callable[P, CallToolResult]:
    """The tool, with what is wrong with its input (or an unreachable store) told to the
    model in words; the SDK would say only that the tool failed."""

    @functools.wraps(tool)
    def told(*args: P.args, **kwargs: P.kwargs) -> CallToolResult:
        try:
            return tool(*args, **kwargs)
        except ValidationError as error:
            problems = (
                f"{'.'.join(map(str, e['loc'])) or 'input'}: {e['msg']}" for e in error.errors()
            )
            raise ToolError("; ".join(problems)) from None
        except (ValueError, StoreUnavailable) as error:
            raise ToolError(str(error)) from None

    return told


def _reply(text: str, structured: BaseModel) -> CallToolResult:
    return CallToolResult(
        content=[TextContent(type="text", text=text)],
        structured_content=structured.model_dump(mode="json"),
    )


def newsdesk_mcp(components: Callable[[], Components]) -> MCPServer:
    """The server; `components` gives the service's components when a tool runs (the HTTP
    server builds them at start-up, after this is made)."""
    server = MCPServer(
        "newsdesk",
        version=version("newsdesk"),
        instructions=(
            "Newsdesk answers from a news archive and cites the passages it used. Use `ask` "
            "for a question, `search` for passages, `brief` for a summary of a period or "
            "topic, `timeline` for one story day by day, `verify` to check a text against "
            "the archive, `list_articles` and `get_article` to browse. Keep the [n] markers "
            "and sources when you quote an answer; `grounded: false` means the articles "
            "don't answer it."
        ),
    )

    @server.tool(annotations=READ_ONLY)
    @_refusing_bad_input
    def search(
        query: Annotated[str, Field(description="What to look for, in words.")],
        k: Annotated[int, Field(ge=1, le=20, description="How many passages.")] = 8,
        sources: Sources = None,
        date_from: DateFrom = None,
        date_to: DateTo = None,
    ) -> Annotated[CallToolResult, SearchOut]:
        """The archive's passages that best match a query (keyword and meaning), best first,
        each with its article's title, source, date and character span."""
        filters = FiltersIn(sources=sources, date_from=date_from, date_to=date_to)
        request = SearchIn(query=query, k=k, filters=filters)
        found = components().retriever.search(
            request.query, k=request.k, selection=filters.selection()
        )
        return _reply(
            plain_text.passages(found),
            SearchOut(query=request.query, passages=[PassageHitOut.of(p) for p in found]),
        )

    @server.tool(annotations=READ_ONLY)
    @_refusing_bad_input
    def ask(
        question: Annotated[str, Field(description="A question about the news.")],
        k: Annotated[int, Field(ge=1, le=20, description="Passages to answer from.")] = 6,
        sources: Sources = None,
        date_from: DateFrom = None,
        date_to: DateTo = None,
    ) -> Annotated[CallToolResult, AskOut]:
        """A short answer from the archive in which every sentence cites [n] the passage it
        comes from; says "The articles don't say" (grounded: false) when they don't."""
        filters = FiltersIn(sources=sources, date_from=date_from, date_to=date_to)
        request = AskIn(question=question, k=k, filters=filters)
        answer = components().pipeline.ask(
            request.question, k=request.k, selection=filters.selection()
        )
        return _reply(plain_text.answer(answer), AskOut.of(answer))

    @server.tool(annotations=READ_ONLY)
    @_refusing_bad_input
    def brief(
        topic: Annotated[str | None, Field(description="What to brief on; none: all.")] = None,
        date_from: DateFrom = None,
        date_to: DateTo = None,
        sources: Sources = None,
        length: Literal["short", "medium", "long"] = "short",
        since: Annotated[
            dt.date | None, Field(description="Only what was reported after this day.")
        ] = None,
    ) -> Annotated[CallToolResult, BriefingOut]:
        """A briefing: the main storylines of a period (and topic) as bullets, each citing
        the articles it comes from. short: 3 bullets; medium: 5 x 2; long: 8 x 3. With
        `since`, only what is new after that day, and where each older story stood."""
        request = BriefIn(
            topic=topic,
            date_from=date_from,
            date_to=date_to,
            sources=sources,
            length=length,
            since=since,
        )
        briefing = components().briefing.brief(request.request())
        return _reply(plain_text.briefing(briefing), BriefingOut.of(briefing))

    @server.tool(annotations=READ_ONLY)
    @_refusing_bad_input
    def timeline(
        topic: Annotated[str | None, Field(description="The story, in words...")] = None,
        article_id: Annotated[str | None, Field(description="...or an article of it.")] = None,
        date_from: DateFrom = None,
        date_to: DateTo = None,
        sources: Sources = None,
    ) -> Annotated[CallToolResult, TimelineOut]:
        """One story's developments: a cited line for each day with news, earliest first.
        Give a topic or an article id."""
        request = TimelineIn(
            topic=topic, article_id=article_id, date_from=date_from, date_to=date_to,
            sources=sources,
        )  # fmt: skip
        try:
            found = components().timeline.timeline(request.request())
        except UnknownArticle:
            raise ValueError(f"no article with id {article_id!r}") from None
        return _reply(plain_text.timeline(found), TimelineOut.of(found))

    @server.tool(annotations=READ_ONLY)
    @_refusing_bad_input
    def verify(
        text: Annotated[
            str, Field(description="The text to check: a draft, an answer, a summary.")
        ],
        k: Annotated[int, Field(ge=1, le=20, description="Passages retrieved per sentence.")] = 5,
        sources: Sources = None,
        date_from: DateFrom = None,
        date_to: DateTo = None,
        article_ids: Annotated[
            list[str] | None, Field(description="Check against these articles only.")
        ] = None,
    ) -> Annotated[CallToolResult, VerifyOut]:
        """Each sentence of the text checked against the archive: supported (citing the
        passages that state it), contradicted (what the articles say instead, cited) or
        unsupported (nothing retrieved states it)."""
        filters = FiltersIn(
            sources=sources, date_from=date_from, date_to=date_to, article_ids=article_ids
        )
        request = VerifyIn(text=text, k=k, filters=filters)
        check = components().verifier.verify(
            request.text, k=request.k, selection=filters.selection()
        )
        return _reply(plain_text.text_check(check), VerifyOut.of(check))

    @server.tool(annotations=READ_ONLY)
    @_refusing_bad_input
    def get_article(
        article_id: Annotated[str, Field(description="An id from search, ask or list_articles.")],
    ) -> Annotated[CallToolResult, ArticleTextOut]:
        """One article's title, source, date, URL and text (cut at 20,000 characters)."""
        article = components().store.get(article_id)
        if article is None:
            raise ValueError(f"no article with id {article_id!r}")
        full = ArticleOut.model_validate(article, from_attributes=True)
        text = full.text[:MAX_ARTICLE_CHARS]
        shown = ArticleTextOut(
            **full.model_dump(exclude={"text", "passages"}),
            text=text,
            passages=[p for p in full.passages if p.end <= len(text)],
            truncated=len(text) < len(full.text),
        )
        heading = plain_text.described(article.ref)
        return _reply(f"{heading}\n\n{text}" + (" [...]" if shown.truncated else ""), shown)

    @server.tool(annotations=READ_ONLY)
    @_refusing_bad_input
    def list_articles(
        sources: Sources = None,
        date_from: DateFrom = None,
        date_to: DateTo = None,
        limit: Annotated[int, Field(ge=1, le=50)] = 20,
        offset: Annotated[int, Field(ge=0)] = 0,
    ) -> Annotated[CallToolResult, ArticlePageOut]:
        """Stored articles, newest first: id, title, source and date, a page at a time."""
        selection = FiltersIn(sources=sources, date_from=date_from, date_to=date_to).selection()
        total, articles = components().catalogue.page(selection, limit=limit, offset=offset)
        page = ArticlePageOut(
            total=total,
            limit=limit,
            offset=offset,
            articles=[ArticleSummaryOut.of(a) for a in articles],
        )
        lines = [f"{a.id}: {plain_text.described(a.ref)}" for a in articles]
        heading = f"Articles {offset + 1}-{offset + len(articles)} of {total}:"
        return _reply("\n".join([heading, *lines]), page)

    return server
