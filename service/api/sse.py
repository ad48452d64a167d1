"""Server-Sent Events framing."""

import itertools
import json
from collections.abc import Iterable, Iterator, Sequence

from fastapi.responses import StreamingResponse
from pydantic import BaseModel


def event(name: str, data: BaseModel | dict) -> str:
    payload = data.model_dump_json() if isinstance(data, BaseModel) else json.dumps(data)
    return f"event: {name}\ndata: {payload}\n\n"


def event_stream(events: Iterator[str], *, lead: Sequence[str] = ()) -> StreamingResponse:
    """`lead` events, then `events`. The first of `events` is made before the response starts,
    so a request that cannot begin (the store unreachable, say) fails with its own HTTP status
    rather than as a 200 carrying an error event."""
    first = list(itertools.islice(events, 1))
    # A sync iterator: Starlette runs it in a worker thread, so embedding does not block the loop.
    return StreamingResponse(
        _closing_with_error(itertools.chain(lead, first, events)),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


def _closing_with_error(events: Iterable[str]) -> Iterator[str]:
    """Once streaming has begun the status is sent; a failure becomes an `error` event."""
    try:
        yield from events
    except Exception as error:  # the client must hear why the stream stopped
        yield event("error", {"detail": f"{type(error).__name__}: {error}"})
