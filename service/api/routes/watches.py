"""Watched topics: saved topics checked whenever articles are stored (`service.watches`)."""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response, status

from service.api.access import admin
from service.api.deps import ComponentsDep
from service.api.schemas import WatchIn, WatchItemOut, WatchOut
from service.components import Components
from service.domain import Watch
from service.watches import UnknownWatch

router = APIRouter(prefix="/watches", tags=["watches"])
NOT_FOUND = {404: {"description": "No such watch."}}


@router.post("", status_code=status.HTTP_201_CREATED, dependencies=[Depends(admin)])
def create_watch(body: WatchIn, components: ComponentsDep) -> WatchOut:
    """Watch a topic: articles stored from now on that answer it become its items."""
    webhook = str(body.webhook) if body.webhook else None
    watch = components.watches.create(body.topic, sources=body.sources or (), webhook=webhook)
    return WatchOut.of(watch)


@router.get("")
def list_watches(components: ComponentsDep) -> list[WatchOut]:
    deliveries = components.watches.deliveries
    return [WatchOut.of(w, deliveries.get(w.id)) for w in components.store.watches()]


@router.get("/{watch_id}", responses=NOT_FOUND)
def get_watch(watch_id: str, components: ComponentsDep) -> WatchOut:
    return WatchOut.of(_watch(components, watch_id), components.watches.deliveries.get(watch_id))


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
