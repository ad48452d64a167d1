"""Server-Sent Events framing: named events (Newsdesk's own streams) and unnamed data lines
ending in `[DONE]` (OpenAI's)."""

import itertools
import json
from collections.abc import Callable, Iterable, Iterator, Sequence

from fastapi.responses import StreamingResponse
from pydantic import BaseModel


def event(name: str, data: BaseModel | dict) -> str:
    payload = data.model_dump_json() if isinstance(data, BaseModel) else json.dumps(data)
    return f"event: {name}\ndata: {payload}\n\n"


DONE = "data: [DONE]\n\n"


def data(payload: dict) -> str:
    """An unnamed event, as OpenAI's streams are."""
    return f"data: {json.dumps(payload)}\n\n"


def error_event(error: Exception) -> str:
    return event("error", {"detail": f"{type(error).__name__}: {error}"})


def event_stream(
    events: Iterator[str],
    *,
    lead: Sequence[str] = (),
    error: Callable[[Exception], str] = error_event,
) -> StreamingResponse:
    """`lead` events, then `events`. The first of `events` is made before the response starts,
    so a request that cannot begin (the store unreachable, say) fails with its own HTTP status
    rather than as a 200 carrying an error event. Once streaming has begun the status is sent,
    so a failure becomes the event `error` makes of it: the client must hear why it stopped."""
    first = list(itertools.islice(events, 1))
    # A sync iterator: Starlette runs it in a worker thread, so embedding does not block the loop.
    return StreamingResponse(
        _closing_with(error, itertools.chain(lead, first, events)),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


def _closing_with(error_event: Callable[[Exception], str], events: Iterable[str]) -> Iterator[str]:
    try:
        yield from events
    except Exception as error:  # the client must hear why the stream stopped
        yield error_event(error)
