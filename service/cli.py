"""The `newsdesk` command: the same verbs as the HTTP API.

Exit codes: 0 done; 1 some records failed (the rest were stored) or the article was not found;
2 bad usage or settings; 3 the index could not be used; 4 `ask`: the articles don't answer the
question (the reply says so).

`--json` on ask, search, brief and articles prints what the HTTP API answers, field for field.
"""

import argparse
import collections
import contextlib
import datetime as dt
import itertools
import json
import sys
import textwrap
from collections.abc import Callable, Iterator
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel

from service.domain import ArticleFilter, ArticleRef, StoreError, check_date_range
from service.settings import Settings, SettingsError, load_settings

if TYPE_CHECKING:  # the components (and the model) are loaded only by commands that use them
    from service.components import Components

EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, EXIT_STORE, EXIT_NOT_ANSWERED, EXIT_NOT_SUPPORTED = range(6)


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
    except (SettingsError, ValueError) as error:
        print(f"newsdesk: {error}", file=sys.stderr)
        return EXIT_USAGE
    try:
        check_date_range(getattr(args, "date_from", None), getattr(args, "date_to", None))
    except ValueError:
        parser.error("--from is after --to")
    command: Callable[[argparse.Namespace, Settings], int] = args.run
    try:
        return command(args, settings)
    except SettingsError as error:
        print(f"newsdesk: {error}", file=sys.stderr)
        return EXIT_USAGE
    except StoreError as error:
        print(f"newsdesk: cannot use the index: {error}", file=sys.stderr)
        return EXIT_STORE


def _ingest(args: argparse.Namespace, settings: Settings) -> int:
    from tqdm import tqdm

    from service.loading import load_paths
    from service.loading.web import WebClient, load_urls

    urls = [source for source in args.sources if _is_url(source)]
    paths = [Path(source) for source in args.sources if not _is_url(source)]
    max_bytes = settings.ingestion.max_article_bytes
    with _storing(settings) as components:
        stored = components.ingestor.already_stored
        loaded = itertools.chain(
            load_paths(paths, max_bytes=max_bytes),
            load_urls(urls, WebClient(settings.web), max_bytes=max_bytes, stored=stored),
        )
        with tqdm(desc="ingesting", unit=" articles", disable=args.quiet, file=sys.stderr) as bar:
            report = components.ingestor.ingest(loaded, progress=bar.update)
    for error in report.errors:
        print(f"error: {error}", file=sys.stderr)
    print(report.summary())
    return EXIT_PARTIAL if report.failed else EXIT_OK


def _watch(args: argparse.Namespace, settings: Settings) -> int:
    import threading

    from service.watching import feed_watcher

    if args.every:
        settings = settings.replace(feed_interval_s=args.every)
    with _storing(settings) as components:
        watcher = feed_watcher(components, args.feeds)
        if args.once:
            polls = watcher.poll_due()
            for poll in polls:
                print(poll.summary(), file=sys.stderr if poll.error else sys.stdout)
            return EXIT_PARTIAL if any(poll.error for poll in polls) else EXIT_OK
        stop = threading.Event()
        try:
            watcher.run(stop, lambda poll: print(poll.summary(), flush=True))
        except KeyboardInterrupt:
            stop.set()
    return EXIT_OK


def _watch_topic(args: argparse.Namespace, settings: Settings) -> int:
    from pydantic import ValidationError

    from service.api.schemas import WatchCreatedOut, WatchIn, WatchItemOut
    from service.components import build_components, open_store
    from service.webhooks import WebhookRefused

    if args.action == "add":
        try:
            asked = WatchIn(topic=args.topic, sources=args.source, webhook=args.webhook)
        except ValidationError as error:
            print(f"newsdesk: {error.errors()[0]['msg']}", file=sys.stderr)
            return EXIT_USAGE
        webhook = str(asked.webhook) if asked.webhook else None
        with _writing(settings):
            watches = build_components(settings).watches
            try:
                watch, secret = watches.create(
                    asked.topic, sources=asked.sources or (), webhook=webhook
                )
            except WebhookRefused as refused:
                print(f"newsdesk: {refused}", file=sys.stderr)
                return EXIT_USAGE
        return _print_json(WatchCreatedOut.of_new(watch, secret))
    store = open_store(settings)
    if args.action == "list":
        for watch in store.watches():
            print(f"{watch.id}\t{watch.topic}\t{','.join(watch.sources) or '-'}")
        return EXIT_OK
    if args.action == "remove":
        with _writing(settings):
            removed = store.delete_watch(args.id)
        if not removed:
            print(f"newsdesk: no watch with id {args.id!r}", file=sys.stderr)
            return EXIT_PARTIAL
        print(f"removed {args.id}")
        return EXIT_OK
    items = store.watch_items(args.id, limit=args.limit)
    print(json.dumps([WatchItemOut.of(i).model_dump(mode="json") for i in items], indent=2))
    return EXIT_OK


def _is_url(source: str) -> bool:
    # Any scheme, so that ftp://... is refused as a URL rather than missed as a file.
    return "://" in source


def _articles(args: argparse.Namespace, settings: Settings) -> int:
    from service.components import open_store
    from service.retrieval import ArticleCatalogue

    total, articles = ArticleCatalogue(open_store(settings)).page(
        _selection(args), limit=args.limit, offset=args.offset
    )
    if args.json:
        from service.api.schemas import ArticlePageOut, ArticleSummaryOut

        summaries = [ArticleSummaryOut.of(article) for article in articles]
        page = ArticlePageOut(total=total, limit=args.limit, offset=args.offset, articles=summaries)
        return _print_json(page)
    for article in articles:
        print(
            f"{article.id}\t{article.date or '-'}\t{article.source or '-'}\t{article.title or ''}"
        )
    print(f"{len(articles)} of {total} articles", file=sys.stderr)
    return EXIT_OK


def _search(args: argparse.Namespace, settings: Settings) -> int:
    from service.components import build_components

    passages = build_components(settings).retriever.search(
        args.query, k=args.k, selection=_selection(args)
    )
    if args.json:
        from service.api.schemas import PassageHitOut, SearchOut

        return _print_json(
            SearchOut(query=args.query, passages=[PassageHitOut.of(p) for p in passages])
        )
    for rank, passage in enumerate(passages, start=1):
        print(f"[{rank}] {_describe(passage.article)}  similarity {passage.similarity:.2f}")
        print(f"    {passage.article.article_id} chars {passage.start}-{passage.end}")
        print(textwrap.indent(textwrap.fill(passage.text, 96), "    "))
        for other in passage.also_reported_by:
            print(f"    also reported by: {_describe(other)}")
    if not passages:
        print("no passages matched", file=sys.stderr)
    return EXIT_OK


def _ask(args: argparse.Namespace, settings: Settings) -> int:
    from service.components import build_components

    answer = build_components(settings).pipeline.ask(
        args.question, k=args.k, selection=_selection(args)
    )
    answered = EXIT_OK if answer.grounded else EXIT_NOT_ANSWERED
    if args.json:
        from service.api.schemas import AskOut

        _print_json(AskOut.of(answer))
        return answered
    if answer.short_answer:
        print(f"Answer: {answer.short_answer.text} [{answer.short_answer.n}]\n")
    print(textwrap.fill(answer.explanation, 100))
    if answer.related:
        print("\nWhat the articles do say:")
    if answer.figures:
        from service.api.plain_text import figures

        print(figures(answer.figures))
    for heading, cited in (("Sources", answer.citations), (None, answer.related)):
        if heading and cited:
            print(f"\n{heading}:")
        for citation in cited:
            print(f"[{citation.n}] {_describe(citation.passage.article)}")
            print(f'    "{citation.quote}" (chars {citation.quote_start}-{citation.quote_end})')
    for warning in answer.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(
        f"({answer.mode}{'' if answer.grounded else ', not answered by the articles'})",
        file=sys.stderr,
    )
    return answered


def _verify(args: argparse.Namespace, settings: Settings) -> int:
    from pydantic import ValidationError

    from service.api import plain_text
    from service.api.schemas import VerifyIn, VerifyOut
    from service.components import build_components

    try:
        text = sys.stdin.read() if args.file == "-" else Path(args.file).read_text()
        body = VerifyIn(text=text, k=args.k)
    except (OSError, UnicodeDecodeError) as error:
        print(f"newsdesk: cannot read {args.file}: {error}", file=sys.stderr)
        return EXIT_USAGE
    except ValidationError as error:
        print(f"newsdesk: {error.errors()[0]['msg']}", file=sys.stderr)
        return EXIT_USAGE
    check = build_components(settings).verifier.verify(
        body.text, k=body.k, selection=_selection(args)
    )
    supported = EXIT_OK if check.supported else EXIT_NOT_SUPPORTED
    if args.json:
        _print_json(VerifyOut.of(check))
        return supported
    print(plain_text.text_check(check))
    counts = collections.Counter(sentence.verdict for sentence in check.sentences)
    print(", ".join(f"{n} {verdict}" for verdict, n in counts.items()), file=sys.stderr)
    return supported


def _brief(args: argparse.Namespace, settings: Settings) -> int:
    from service.briefing import BriefRequest
    from service.components import build_components

    try:
        request = BriefRequest(
            window=_selection(args),
            topic=args.topic,
            max_articles=args.max_articles,
            length=args.length,
            since=args.since,
        )
    except ValueError as error:
        print(f"newsdesk: {error}", file=sys.stderr)
        return EXIT_USAGE
    briefing = build_components(settings).briefing.brief(request)
    if args.json:
        from service.api.schemas import BriefingOut

        return _print_json(BriefingOut.of(briefing))
    from service.api.plain_text import figures, storyline_facts

    period = " to ".join(day.isoformat() if day else "..." for day in briefing.period)
    print(f"{briefing.title} ({period}), {briefing.articles_used} articles")
    for number, storyline in enumerate(briefing.storylines):
        bullets = [bullet for bullet in briefing.bullets if bullet.storyline == number]
        if bullets:
            print(f"\n{storyline.label}\n({storyline_facts(storyline)})")
        for bullet in bullets:
            _print_cited(bullet.text, bullet.citations, lead="- ")
        if bullets and storyline.figures:
            print(figures(storyline.figures))
    if not briefing.bullets:
        print("Nothing to brief: no articles matched.")
    for warning in briefing.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return EXIT_OK


def _timeline(args: argparse.Namespace, settings: Settings) -> int:
    from service.api.plain_text import figures
    from service.api.schemas import TimelineOut
    from service.briefing import TimelineRequest, UnknownArticle
    from service.components import build_components

    request = TimelineRequest(window=_selection(args), topic=args.topic, article_id=args.article)
    try:
        timeline = build_components(settings).timeline.timeline(request)
    except UnknownArticle:
        print(f"newsdesk: no article with id {args.article!r}", file=sys.stderr)
        return EXIT_PARTIAL
    if args.json:
        return _print_json(TimelineOut.of(timeline))
    print(timeline.title)
    for entry in timeline.entries:
        _print_cited(entry.text, entry.citations, lead=f"{entry.date}  ")
    if not timeline.entries:
        print("Nothing dated matched.")
    if timeline.figures:
        print(figures(timeline.figures))
    for warning in timeline.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return EXIT_OK


def _print_cited(text: str, citations: list, *, lead: str) -> None:
    """The text wrapped under its lead, then a line for each citation's article."""
    indent = " " * len(lead)
    print(textwrap.fill(text, 100, initial_indent=lead, subsequent_indent=indent))
    for citation in citations:
        print(f"{indent}  [{citation.n}] {_describe(citation.passage.article)}")


def _print_json(reply: BaseModel) -> int:
    print(reply.model_dump_json(indent=2))
    return EXIT_OK


def _describe(article: ArticleRef) -> str:
    date = article.date.isoformat() if article.date else None
    details = ", ".join(x for x in (article.source, date) if x)
    return f"{article.title or article.article_id}" + (f" ({details})" if details else "")


def _selection(args: argparse.Namespace) -> ArticleFilter:
    return ArticleFilter(sources=args.source, date_from=args.date_from, date_to=args.date_to)


def _show(args: argparse.Namespace, settings: Settings) -> int:
    from service.api.schemas import ArticleOut
    from service.components import open_store

    article = open_store(settings).get(args.id)
    if article is None:
        print(f"newsdesk: no article with id {args.id!r}", file=sys.stderr)
        return EXIT_PARTIAL
    print(ArticleOut.of(article).model_dump_json(indent=2))
    return EXIT_OK


def _delete(args: argparse.Namespace, settings: Settings) -> int:
    from service.components import open_store

    with _writing(settings):
        deleted = open_store(settings).delete(args.id)
    if not deleted:
        print(f"newsdesk: no article with id {args.id!r}", file=sys.stderr)
        return EXIT_PARTIAL
    print(f"deleted {args.id}")
    return EXIT_OK


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from service.api.app import create_app

    settings = settings.replace(
        host=args.host or settings.http.host, port=args.port or settings.http.port
    )
    with _writing(settings):
        uvicorn.run(create_app(settings), host=settings.http.host, port=settings.http.port)
    return EXIT_OK


def _mcp(args: argparse.Namespace, settings: Settings) -> int:
    from service.components import build_components
    from service.mcp_server import newsdesk_mcp

    # stdout carries the protocol: anything a library prints while loading goes to stderr.
    with contextlib.redirect_stdout(sys.stderr):
        components = build_components(settings)
        components.keyword.refresh()
    newsdesk_mcp(lambda: components).run("stdio")
    return EXIT_OK


@contextlib.contextmanager
def _storing(settings: Settings) -> Iterator["Components"]:
    """The components, for a command that stores articles: the index held for its writes, and
    the watched topics checked against what it stored before it returns (a check still
    running as the interpreter shut down aborted the process)."""
    from service.components import build_components

    with _writing(settings):
        components = build_components(settings)
        try:
            yield components
        finally:
            components.watches.wait()


def _writing(settings: Settings) -> contextlib.AbstractContextManager:
    """The local index held for this process's writes (a Chroma server needs no such hold)."""
    from service.store import sole_writer

    if settings.store.chroma_url is None:
        return sole_writer(settings.store.index_path)
    return contextlib.nullcontext()


def _add_filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--source", action="append", help="keep this source (repeatable)")
    parser.add_argument(
        "--from", dest="date_from", type=dt.date.fromisoformat, metavar="YYYY-MM-DD"
    )
    parser.add_argument("--to", dest="date_to", type=dt.date.fromisoformat, metavar="YYYY-MM-DD")


def _add_json(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print the HTTP API's JSON reply")


def _at_least(minimum: int) -> Callable[[str], int]:
    def whole_number(value: str) -> int:
        number = int(value)
        if number < minimum:
            raise argparse.ArgumentTypeError(f"must be {minimum} or more")
        return number

    return whole_number


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsdesk", description="Grounded answers and briefings from your own news archive."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {version('newsdesk')}")
    verbs = parser.add_subparsers(dest="command", required=True)

    ingest = verbs.add_parser(
        "ingest", help="ingest files, directories (.txt .md .html .jsonl), pages and feeds"
    )
    ingest.add_argument(
        "sources",
        nargs="+",
        metavar="PATH_OR_URL",
        help="a file, a directory, or an http(s) "
        "URL of a page or of an RSS or Atom feed (each entry's page is fetched)",
    )
    ingest.add_argument("--quiet", action="store_true", help="no progress bar")
    ingest.set_defaults(run=_ingest)

    watch = verbs.add_parser(
        "watch", help="poll RSS or Atom feeds and ingest their new entries (Ctrl-C stops)"
    )
    watch.add_argument("feeds", nargs="+", metavar="URL")
    watch.add_argument(
        "--every", type=_at_least(1), metavar="SECONDS", help="seconds between polls of a feed"
    )
    watch.add_argument("--once", action="store_true", help="poll each feed once, then stop")
    watch.set_defaults(run=_watch)

    watch_topic = verbs.add_parser(
        "watch-topic", help="watched topics: checked whenever articles are stored"
    )
    actions = watch_topic.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="watch a topic (prints the watch as JSON)")
    add.add_argument("topic")
    add.add_argument("--source", action="append", help="only articles from this source")
    add.add_argument("--webhook", metavar="URL", help="POST each check's new items here")
    actions.add_parser("list", help="the watches, a line each")
    remove = actions.add_parser("remove", help="stop watching and forget the items")
    remove.add_argument("id")
    items = actions.add_parser("items", help="a watch's items as JSON, newest first")
    items.add_argument("id")
    items.add_argument("--limit", type=_at_least(1), default=50)
    watch_topic.set_defaults(run=_watch_topic)

    articles = verbs.add_parser("articles", help="list stored articles, newest first")
    _add_filters(articles)
    articles.add_argument("--limit", type=_at_least(1), default=50)
    articles.add_argument("--offset", type=_at_least(0), default=0)
    _add_json(articles)
    articles.set_defaults(run=_articles)

    search = verbs.add_parser("search", help="the passages that best match a query")
    search.add_argument("query")
    search.add_argument("-k", type=_at_least(1), default=8, help="how many passages (default 8)")
    _add_filters(search)
    _add_json(search)
    search.set_defaults(run=_search)

    ask = verbs.add_parser("ask", help="a cited answer from the articles")
    ask.add_argument("question")
    ask.add_argument("-k", type=_at_least(1), default=6, help="passages to answer from (default 6)")
    _add_filters(ask)
    _add_json(ask)
    ask.set_defaults(run=_ask)

    verify = verbs.add_parser(
        "verify",
        help="check a text against the articles, sentence by sentence "
        "(exit code 5 when a sentence is not supported)",
    )
    verify.add_argument("file", help="a text file, or - for standard input")
    verify.add_argument(
        "-k", type=_at_least(1), default=5, help="passages retrieved per sentence (default 5)"
    )
    _add_filters(verify)
    _add_json(verify)
    verify.set_defaults(run=_verify)

    brief = verbs.add_parser("brief", help="a cited briefing on a period (and topic)")
    brief.add_argument("--topic")
    brief.add_argument("--max-articles", type=_at_least(1), default=50)
    brief.add_argument("--length", choices=["short", "medium", "long"], default="medium")
    brief.add_argument(
        "--since",
        type=dt.date.fromisoformat,
        metavar="YYYY-MM-DD",
        help="only what was reported after this day, with where each story stood before",
    )
    _add_filters(brief)
    _add_json(brief)
    brief.set_defaults(run=_brief)

    timeline = verbs.add_parser("timeline", help="one story's developments, day by day")
    story = timeline.add_mutually_exclusive_group(required=True)
    story.add_argument("--topic", help="the story, in words")
    story.add_argument("--article", metavar="ID", help="an article of the story")
    _add_filters(timeline)
    _add_json(timeline)
    timeline.set_defaults(run=_timeline)

    show = verbs.add_parser("show", help="print one article with its passages as JSON")
    show.add_argument("id")
    show.set_defaults(run=_show)

    delete = verbs.add_parser("delete", help="delete an article and its passages")
    delete.add_argument("id")
    delete.set_defaults(run=_delete)

    serve = verbs.add_parser("serve", help="serve the API and page")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.set_defaults(run=_serve)

    mcp = verbs.add_parser("mcp", help="serve the read-only MCP tools over stdio")
    mcp.set_defaults(run=_mcp)
    return parser


if __name__ == "__main__":
    sys.exit(main())
