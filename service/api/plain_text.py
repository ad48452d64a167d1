"""Replies as plain text, for clients that show text and nothing else: chat clients on the
OpenAI-compatible endpoint and agents on the MCP server. The `[n]` markers stay, and a short
"Sources" list says what each one is."""

from collections.abc import Sequence

from service.answering import Answer, Citation
from service.briefing import Briefing
from service.domain import ArticleRef, RetrievedPassage


def described(article: ArticleRef) -> str:
    """Title (source, date) url."""
    details = ", ".join(x for x in (article.source, article.date and article.date.isoformat()) if x)
    line = f"{article.title or article.article_id}" + (f" ({details})" if details else "")
    return line + (f" {article.url}" if article.url else "")


def sources(citations: Sequence[Citation]) -> str:
    """The cited articles, one line per marker; empty without citations."""
    if not citations:
        return ""
    lines = [f"[{c.n}] {described(c.passage.article)}" for c in citations]
    return "\n\nSources:\n" + "\n".join(lines)


def answer(reply: Answer) -> str:
    return reply.text + sources(reply.citations)


def passages(found: Sequence[RetrievedPassage]) -> str:
    if not found:
        return "No passage matched."
    return "\n\n".join(
        f"[{rank}] {described(p.article)}\n(article {p.article.article_id}, characters "
        f"{p.start}-{p.end})\n{p.text}"
        for rank, p in enumerate(found, start=1)
    )


def briefing(reply: Briefing) -> str:
    if not reply.bullets:
        return f"{reply.title}: nothing to brief, no articles matched."
    lines = [reply.title, ""]
    for bullet in reply.bullets:
        lines.append(f"- {bullet.text}")
        lines += [f"    [{c.n}] {described(c.passage.article)}" for c in bullet.citations]
    return "\n".join(lines)
