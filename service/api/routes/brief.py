from collections.abc import Iterator

from fastapi import APIRouter, HTTPException, status
from fastapi.responses import StreamingResponse

from service.api.deps import ComponentsDep
from service.api.schemas import (
    BriefIn,
    BriefingOut,
    BulletOut,
    StorylineOut,
    TimelineIn,
    TimelineOut,
)
from service.api.sse import event, event_stream
from service.briefing import BriefingDone, BulletWritten, StorylinesFound, UnknownArticle
from service.components import Components

router = APIRouter(tags=["briefings"])


@router.post(
    "/brief",
    response_model=BriefingOut,
    responses={200: {"content": {"text/event-stream": {}}, "description": "With stream=true."}},
)
def brief(body: BriefIn, components: ComponentsDep) -> BriefingOut | StreamingResponse:
    """A briefing: the storylines of a period (and topic), every bullet cited."""
    if body.stream:
        return event_stream(_brief_events(body, components))
    return BriefingOut.of(components.briefing.brief(body.request()))


@router.post("/timeline", responses={404: {"description": "No such article."}})
def timeline(body: TimelineIn, components: ComponentsDep) -> TimelineOut:
    """One story's developments, one cited line per day with news, earliest first."""
    try:
        return TimelineOut.of(components.timeline.timeline(body.request()))
    except UnknownArticle:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, f"no article with id {body.article_id!r}"
        ) from None


def _brief_events(body: BriefIn, components: Components) -> Iterator[str]:
    for item in components.briefing.stream(body.request()):
        match item:
            case StorylinesFound(storylines):
                yield event(
                    "sources",
                    {
                        "storylines": [
                            StorylineOut.of(s).model_dump(mode="json") for s in storylines
                        ]
                    },
                )
            case BulletWritten(bullet):
                yield event("delta", BulletOut.of(bullet))
            case BriefingDone(briefing):
                yield event("citations", BriefingOut.of(briefing))
    yield event("done", {})
