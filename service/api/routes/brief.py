from collections.abc import Iterator

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from service.api.deps import ComponentsDep
from service.api.schemas import BriefIn, BriefingOut, BulletOut, StorylineOut
from service.api.sse import event, event_stream
from service.briefing import BriefingDone, BriefRequest, BulletWritten, StorylinesFound
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
    return BriefingOut.of(components.briefing.brief(_request(body)))


def _brief_events(body: BriefIn, components: Components) -> Iterator[str]:
    for item in components.briefing.stream(_request(body)):
        match item:
            case StorylinesFound(storylines):
                yield event(
                    "sources", {"storylines": [StorylineOut.of(s).model_dump() for s in storylines]}
                )
            case BulletWritten(bullet):
                yield event("delta", BulletOut.of(bullet))
            case BriefingDone(briefing):
                yield event("citations", BriefingOut.of(briefing))
    yield event("done", {})


def _request(body: BriefIn) -> BriefRequest:
    return BriefRequest(
        topic=body.topic.strip() if body.topic and body.topic.strip() else None,
        date_from=body.date_from,
        date_to=body.date_to,
        sources=body.sources,
        max_articles=body.max_articles,
        length=body.length,
    )
