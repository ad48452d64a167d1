"""Watched topics: saved topics checked whenever articles are stored (`service.watches`)."""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response, status

from service.api.access import admin
from service.api.deps import ComponentsDep
from service.api.schemas import (
    WatchCreatedOut,
    WatchIn,
    WatchItemOut,
    WatchOut,
    WatchSecretOut,
)
from service.components import Components
from service.domain import Watch
from service.watches import UnknownWatch
from service.webhooks import WebhookRefused

router = APIRouter(prefix="/watches", tags=["watches"])
NOT_FOUND = {404: {"description": "No such watch."}}


@router.post(
    "", status_code=status.HTTP_201_CREATED, dependencies=[Depends(admin)],
    responses={422: {"description": "A bad request, or a webhook that may not point there."}},
)  # fmt: skip
def create_watch(body: WatchIn, components: ComponentsDep) -> WatchCreatedOut:
    """Watch a topic: articles stored from now on that answer it become its items."""
    webhook = str(body.webhook) if body.webhook else None
    try:
        watch, secret = components.watches.create(
            body.topic, sources=body.sources or (), webhook=webhook
        )
    except WebhookRefused as refused:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(refused)) from None
    return WatchCreatedOut.of_new(watch, secret)


@router.post(
    "/{watch_id}/secret", dependencies=[Depends(admin)],
    responses={**NOT_FOUND, 409: {"description": "The watch has no webhook."}},
)  # fmt: skip
def rotate_secret(watch_id: str, components: ComponentsDep) -> WatchSecretOut:
    """A new signing secret for the watch's webhook; the old one signs no more deliveries."""
    try:
        return WatchSecretOut(id=watch_id, secret=components.watches.new_secret(watch_id))
    except UnknownWatch:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no watch with id {watch_id!r}") from None
    except WebhookRefused as refused:
        raise HTTPException(status.HTTP_409_CONFLICT, str(refused)) from None


@router.get("")
def list_watches(components: ComponentsDep) -> list[WatchOut]:
    return [WatchOut.of(w) for w in components.store.watches()]


@router.get("/{watch_id}", responses=NOT_FOUND)
def get_watch(watch_id: str, components: ComponentsDep) -> WatchOut:
    return WatchOut.of(_watch(components, watch_id))


@router.delete(
    "/{watch_id}", status_code=status.HTTP_204_NO_CONTENT, responses=NOT_FOUND,
    dependencies=[Depends(admin)],
)  # fmt: skip
def delete_watch(watch_id: str, components: ComponentsDep) -> Response:
    if not components.store.delete_watch(watch_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no watch with id {watch_id!r}")
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{watch_id}/items", responses=NOT_FOUND)
def watch_items(
    watch_id: str, components: ComponentsDep, limit: Annotated[int, Query(ge=1, le=500)] = 50
) -> list[WatchItemOut]:
    """The watch's items, newest first."""
    watch = _watch(components, watch_id)
    return [WatchItemOut.of(i) for i in components.store.watch_items(watch.id, limit=limit)]


@router.get(
    "/{watch_id}/feed.atom",
    responses={**NOT_FOUND, 200: {"content": {"application/atom+xml": {}}}},
)
def watch_feed(watch_id: str, request: Request, components: ComponentsDep) -> Response:
    """The watch's newest items as an Atom feed, for any feed reader."""
    feed = components.watches.feed(_watch(components, watch_id), link=str(request.url))
    return Response(feed, media_type="application/atom+xml")


def _watch(components: Components, watch_id: str) -> Watch:
    try:
        return components.watches.get(watch_id)
    except UnknownWatch:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no watch with id {watch_id!r}") from None
