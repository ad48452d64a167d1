"""Replies as plain text, for clients that show text and nothing else: chat clients on the
OpenAI-compatible endpoint and agents on the MCP server. The `[n]` markers stay, and a short
"Sources" list says what each one is."""

from collections.abc import Sequence

from service.answering import Answer, Citation
from service.briefing import Briefing, Storyline, Timeline
from service.domain import ArticleRef, ContestedFigure, RetrievedPassage
from service.verifying.verifier import TextCheck


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


def figures(contested: Sequence[ContestedFigure]) -> str:
    """Each contested figure under "Reports differ" or "Changed", a line per value with its
    marker, source and date, and the sentence that gives it; empty without any."""
    lines = []
    for figure in contested:
        heading = "Reports differ" if figure.kind == "differ" else "Changed"
        lines += ["", f"{heading}: {figure.what}"]
        for value in figure.values:
            when = ", ".join(filter(None, [value.source, value.date and value.date.isoformat()]))
            lines.append(f'  {value.text} [{value.citation.n}] ({when}): "{value.citation.quote}"')
    return "\n".join(lines)


def answer(reply: Answer) -> str:
    """The answer and its sources (and its contested figures); when the articles don't
    answer, the closest sentences they do hold follow, apart."""
    if reply.grounded or not reply.related:
        return reply.text + figures(reply.figures) + sources(reply.citations)
    near = [f"- {c.quote} [{c.n}]" for c in reply.related]
    return reply.text + "\n\nWhat the articles do say:\n" + "\n".join(near) + sources(reply.related)


def passages(found: Sequence[RetrievedPassage]) -> str:
    if not found:
        return "No passage matched."
    return "\n\n".join(
        f"[{rank}] {described(p.article)}\n(article {p.article.article_id}, characters "
        f"{p.start}-{p.end})\n{p.text}"
        for rank, p in enumerate(found, start=1)
    )


def briefing(reply: Briefing) -> str:
    """The storylines as sections (label, dates, how many report it), their bullets under
    them with each citation's article."""
    if not reply.bullets:
        return f"{reply.title}: nothing to brief, no articles matched."
    lines = [reply.title]
    for number, storyline in enumerate(reply.storylines):
        bullets = [bullet for bullet in reply.bullets if bullet.storyline == number]
        if not bullets:
            continue
        lines += ["", f"## {storyline.label}", f"({storyline_facts(storyline)})"]
        for bullet in bullets:
            lines.append(f"- {bullet.text}")
            lines += [f"    [{c.n}] {described(c.passage.article)}" for c in bullet.citations]
        if storyline.figures:
            lines.append(figures(storyline.figures).lstrip("\n"))
    return "\n".join(lines)


def storyline_facts(storyline: Storyline) -> str:
    """ "2022-07-25 to 2022-07-29, 6 articles, 4 sources", or "..., 1 source only"."""
    first, last = storyline.first, storyline.last
    dates = "undated" if first is None else first.isoformat()
    if last and last != first:
        dates += f" to {last.isoformat()}"
    articles = len(storyline.articles)
    count = len(storyline.sources)
    reporting = "1 source only" if count == 1 else f"{count} sources"
    return f"{dates}, {articles} article{'s' if articles != 1 else ''}, {reporting}"


def timeline(reply: Timeline) -> str:
    if not reply.entries:
        return f"{reply.title}: no dated developments found."
    lines = [reply.title]
    for entry in reply.entries:
        lines.append(f"{entry.date}: {entry.text}")
        lines += [f"    [{c.n}] {described(c.passage.article)}" for c in entry.citations]
    return "\n".join(lines) + figures(reply.figures)


def text_check(check: TextCheck) -> str:
    """Each sentence under its verdict, what the articles say instead where they differ, then
    the cited sentences."""
    lines = []
    for sentence in check.sentences:
        markers = "".join(f"[{c.n}]" for c in sentence.citations)
        lines.append(f"{sentence.verdict.upper()}: {sentence.text} {markers}".rstrip())
        lines += [
            f"    the articles say {d.source!r} [{d.citation}], not {d.claim!r}"
            for d in sentence.differs
        ]
    cited = {c.n: c for sentence in check.sentences for c in sentence.citations}
    if cited:
        lines += ["", "Sources:"]
    for n, citation in sorted(cited.items()):
        lines.append(f"[{n}] {described(citation.passage.article)}")
        lines.append(
            f'    "{citation.quote}" (characters {citation.quote_start}-{citation.quote_end})'
        )
    return "\n".join(lines)
