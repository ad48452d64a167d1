from collections.abc import Iterator

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from service.answering import Delta, Final, Sources
from service.api.deps import ComponentsDep
from service.api.schemas import AskIn, AskOut, PassageHitOut, SearchIn, SearchOut
from service.api.sse import event, event_stream
from service.components import Components

router = APIRouter(tags=["answers"])


@router.post("/search")
def search(body: SearchIn, components: ComponentsDep) -> SearchOut:
    """Ranked passages for a query: dense and keyword retrieval fused, duplicates collapsed."""
    passages = components.retriever.search(body.query, k=body.k, selection=body.filters.selection())
    return SearchOut(query=body.query, passages=[PassageHitOut.of(p) for p in passages])


@router.post(
    "/ask",
    response_model=AskOut,
    responses={200: {"content": {"text/event-stream": {}}, "description": "With stream=true."}},
)
def ask(body: AskIn, components: ComponentsDep) -> AskOut | StreamingResponse:
    """A grounded answer whose sentences cite the passages they come from, or an abstention."""
    if body.stream:
        return event_stream(_ask_events(body, components))
    answer = components.pipeline.ask(body.question, k=body.k, selection=body.filters.selection())
    return AskOut.of(answer)


def _ask_events(body: AskIn, components: Components) -> Iterator[str]:
    stream = components.pipeline.stream(body.question, k=body.k, selection=body.filters.selection())
    for item in stream:
        match item:
            case Sources(passages):
                yield event(
                    "sources", {"passages": [PassageHitOut.of(p).model_dump() for p in passages]}
                )
            case Delta(text, restart):
                yield event("delta", {"text": text, "restart": restart})
            case Final(answer):
                yield event("citations", AskOut.of(answer))
    yield event("done", {})
