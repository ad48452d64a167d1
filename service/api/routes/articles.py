import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Response, status

from service.api.access import admin
from service.api.deps import ComponentsDep
from service.api.schemas import (
    ArticleOut,
    ArticlePageOut,
    ArticlesIn,
    ArticleSummaryOut,
    IngestReportOut,
    QueryText,
)
from service.domain import Article, ArticleFilter, LoadError
from service.loading import RecordError, article_from_record

router = APIRouter(prefix="/articles", tags=["articles"])


@router.post(
    "",
    dependencies=[Depends(admin)],
    responses={
        207: {
            "model": IngestReportOut,
            "description": "Some articles failed; the rest were stored.",
        },
        422: {"model": IngestReportOut, "description": "Every article failed."},
    },
)
def ingest_articles(
    body: ArticlesIn, components: ComponentsDep, response: Response
) -> IngestReportOut:
    """Ingest a batch of articles; each bad one is reported by its index."""
    max_bytes = components.settings.ingestion.max_article_bytes
    items: list[Article | LoadError] = []
    for index, record in enumerate(body.articles):
        try:
            items.append(article_from_record(record, max_bytes=max_bytes))
        except RecordError as error:
            items.append(LoadError(f"articles[{index}]", str(error)))
    report = components.ingestor.ingest(items)
    if report.failed:
        response.status_code = (
            status.HTTP_207_MULTI_STATUS
            if report.succeeded
            else status.HTTP_422_UNPROCESSABLE_CONTENT
        )
    return IngestReportOut.of(report)


@router.get("")
def list_articles(
    components: ComponentsDep,
    source: Annotated[
        list[QueryText] | None, Query(description="Keep these sources (repeatable).")
    ] = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> ArticlePageOut:
    """Stored articles, newest first, filtered by source and date range."""
    try:
        selection = ArticleFilter(sources=source, date_from=date_from, date_to=date_to)
    except ValueError as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(error)) from None
    total, articles = components.catalogue.page(selection, limit=limit, offset=offset)
    return ArticlePageOut(
        total=total,
        limit=limit,
        offset=offset,
        articles=[ArticleSummaryOut.of(a) for a in articles],
    )


# Ids may be URLs, hence the `path` converter.
@router.get("/{article_id:path}", responses={404: {"description": "No such article."}})
def get_article(article_id: QueryText, components: ComponentsDep) -> ArticleOut:
    """One article: its text, metadata, and passages with their character spans."""
    article = components.store.get(article_id)
    if article is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no article with id {article_id!r}")
    return ArticleOut.of(article)


@router.delete(
    "/{article_id:path}",
    status_code=status.HTTP_204_NO_CONTENT,
    dependencies=[Depends(admin)],
    responses={404: {"description": "No such article."}},
)
def delete_article(article_id: QueryText, components: ComponentsDep) -> None:
    """Delete an article and all its passages."""
    if not components.ingestor.delete(article_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no article with id {article_id!r}")
