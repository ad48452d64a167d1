"""The archive as an OpenAI-compatible chat model, for the clients people already use (Open
WebUI, LibreChat, LangChain apps, the openai SDK): `GET /v1/models` and
`POST /v1/chat/completions`, streamed or not, on the same pipeline as `/chat`.

Clients show `content`, so it carries the `[n]` markers and a short "Sources" list; the full
citations travel in a top-level `citations` array (and, streamed, in the last chunk before
`[DONE]`). Filters and `k` come in an optional `newsdesk` field of the body (the SDK's
`extra_body`). Errors have OpenAI's shape (`service.api.app`)."""

import itertools
import time
import uuid
from collections.abc import Iterator
from typing import Any, Literal

from fastapi import APIRouter, HTTPException, status
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, model_validator

from service.answering import Answer, Delta, Final, Sources
from service.answering.conversation import Message
from service.api import plain_text
from service.api.deps import ComponentsDep
from service.api.schemas import CitationOut, FiltersIn, RequestIn
from service.api.sse import DONE, data, event_stream

router = APIRouter(prefix="/v1", tags=["OpenAI-compatible"])

MODEL = "newsdesk"
# When the service started: the model's `created`.
STARTED = int(time.time())
# Said in the streamed text when the LLM's answer was dropped part-way for the extractive one
# (an OpenAI stream cannot take back text a client has shown).
REPLACED = "\n\n(That answer could not be checked against the articles; instead:)\n\n"


class TextPart(RequestIn):
    type: Literal["text"]
    text: str


class ChatMessageIn(RequestIn):
    # Clients send fields of their own (name, tool calls); only role and text are read.
    model_config = ConfigDict(extra="ignore")

    role: Literal["system", "developer", "user", "assistant", "tool"]
    content: str | list[TextPart] | None = None

    @model_validator(mode="after")
    def _bounded(self) -> "ChatMessageIn":
        if len(self.text()) > 8000:
            raise ValueError("a message is over 8000 characters")
        return self

    def text(self) -> str:
        if isinstance(self.content, list):
            return "\n".join(part.text for part in self.content)
        return self.content or ""


class NewsdeskOptions(RequestIn):
    model_config = ConfigDict(extra="forbid")

    k: int = Field(6, ge=1, le=20, description="Passages retrieved for the answer.")
    filters: FiltersIn = Field(default_factory=FiltersIn)


class ChatCompletionIn(RequestIn):
    # Sampling settings (temperature, top_p, max_tokens...) mean nothing to a grounded answer
    # and are accepted and ignored, as clients send them unasked.
    model_config = ConfigDict(extra="ignore")

    model: str
    messages: list[ChatMessageIn] = Field(..., min_length=1, max_length=50)
    stream: bool = False
    n: int = Field(1, ge=1, le=1, description="One answer: the archive has one.")
    newsdesk: NewsdeskOptions = Field(default_factory=NewsdeskOptions)

    @model_validator(mode="after")
    def _ends_with_a_question(self) -> "ChatCompletionIn":
        last = self.messages[-1]
        if last.role != "user" or not last.text().strip():
            raise ValueError("the last message must be a non-empty user message")
        if len(last.text()) > 2000:
            raise ValueError("the last message is over 2000 characters")
        return self

    def conversation(self) -> list[Message]:
        """The user and assistant turns. System prompts (and tool results) are accepted but do
        not steer the answer, which always follows Newsdesk's own grounded prompt."""
        return [Message(m.role, m.text()) for m in self.messages if m.role in ("user", "assistant")]


class ModelOut(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str


class ModelsOut(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelOut]


@router.get("/models")
def models() -> ModelsOut:
    """The archive, as the one model there is."""
    return ModelsOut(data=[ModelOut(id=MODEL, created=STARTED, owned_by="newsdesk")])


@router.post(
    "/chat/completions",
    # OpenAI's shape, with `citations` and `newsdesk` beside it (see the module's docstring).
    response_model=None,
    responses={200: {"content": {"text/event-stream": {}}, "description": "With stream=true."}},
)
def chat_completions(
    body: ChatCompletionIn, components: ComponentsDep
) -> dict[str, Any] | StreamingResponse:
    """A grounded, cited answer to the conversation's last question."""
    if body.model != MODEL:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, f"the model {body.model!r} does not exist; use {MODEL!r}"
        )
    question = components.rewriter.standalone(body.conversation())
    selection = body.newsdesk.filters.selection()
    completion_id = f"chatcmpl-{uuid.uuid4().hex}"
    if body.stream:
        events = components.pipeline.stream(question, k=body.newsdesk.k, selection=selection)
        chunks = (data(chunk) for chunk in _chunks(completion_id, question, events))
        return event_stream(itertools.chain(chunks, [DONE]), error=_error_chunk)
    answer = components.pipeline.ask(question, k=body.newsdesk.k, selection=selection)
    return {
        "id": completion_id,
        "object": "chat.completion",
        "created": int(time.time()),
        "model": MODEL,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": plain_text.answer(answer)},
                "finish_reason": "stop",
            }
        ],
        **_extensions(question, answer),
    }


def _chunks(completion_id: str, question: str, events: Iterator) -> Iterator[dict]:
    """`chat.completion.chunk`s: the role, the answer's text as it comes, the Sources list,
    then the citations with finish_reason "stop"."""

    def chunk(delta: dict, finish_reason: str | None = None, **extra: Any) -> dict:
        choice = {"index": 0, "delta": delta, "finish_reason": finish_reason}
        return {
            "id": completion_id,
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": MODEL,
            "choices": [choice],
            **extra,
        }

    streamed: list[str] = []
    for item in events:
        match item:
            case Sources():
                yield chunk({"role": "assistant", "content": ""})
            case Delta(text, restart):
                if restart:
                    yield chunk({"content": REPLACED})
                    streamed = []
                streamed.append(text)
                yield chunk({"content": text})
            case Final(answer):
                # The checker may drop sentences it could not support: then the checked text
                # follows what was streamed, since that is the one the citations number.
                if "".join(streamed).strip() != answer.text.strip():
                    yield chunk({"content": f"\n\nChecked against the articles: {answer.text}"})
                yield chunk({"content": plain_text.sources(answer.citations)})
                yield chunk({}, "stop", **_extensions(question, answer))


def _error_chunk(error: Exception) -> str:
    """Once streaming has begun the status is sent: a failure is told in OpenAI's error shape."""
    return data({"error": {"message": f"{type(error).__name__}: {error}", "type": "server_error"}})


def _extensions(question: str, answer: Answer) -> dict[str, Any]:
    """What OpenAI's shape has no field for: the citations in full, and whether the articles
    answered at all."""
    return {
        "citations": [CitationOut.of(c).model_dump(mode="json") for c in answer.citations],
        "newsdesk": {
            "question": question,
            "grounded": answer.grounded,
            "mode": answer.mode,
            "warnings": answer.warnings,
        },
    }
