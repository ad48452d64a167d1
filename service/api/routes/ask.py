from collections.abc import Iterator

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from service.answering import Delta, Final, Sources
from service.answering.conversation import Message
from service.api.deps import ComponentsDep
from service.api.schemas import AskIn, AskOut, ChatIn, ChatOut, PassageHitOut, SearchIn, SearchOut
from service.api.sse import event, event_stream
from service.components import Components
from service.domain import ArticleFilter

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
    selection = body.filters.selection()
    if body.stream:
        return event_stream(_answer_events(body.question, body.k, selection, components))
    return AskOut.of(components.pipeline.ask(body.question, k=body.k, selection=selection))


@router.post(
    "/chat",
    response_model=ChatOut,
    responses={200: {"content": {"text/event-stream": {}}, "description": "With stream=true."}},
)
def chat(body: ChatIn, components: ComponentsDep) -> ChatOut | StreamingResponse:
    """A follow-up in a conversation, rewritten to stand alone, then answered as /ask."""
    messages = [Message(m.role, m.content) for m in body.messages]
    question = components.rewriter.standalone(messages)
    selection = body.filters.selection()
    if body.stream:
        return event_stream(
            _answer_events(question, body.k, selection, components),
            lead=[event("question", {"question": question})],
        )
    answer = components.pipeline.ask(question, k=body.k, selection=selection)
    return ChatOut(**AskOut.of(answer).model_dump(), question=question)


def _answer_events(
    question: str, k: int, selection: ArticleFilter, components: Components
) -> Iterator[str]:
    for item in components.pipeline.stream(question, k=k, selection=selection):
        match item:
            case Sources(passages):
                yield event(
                    "sources",
                    {"passages": [PassageHitOut.of(p).model_dump(mode="json") for p in passages]},
                )
            case Delta(text, restart):
                yield event("delta", {"text": text, "restart": restart})
            case Final(answer):
                yield event("citations", AskOut.of(answer))
    yield event("done", {})
