"""Stand-in for an OpenAI-compatible chat server: replies for respx to give."""

import json

import httpx

LLM_URL = "http://llm.test/v1"
COMPLETIONS = f"{LLM_URL}/chat/completions"


def streamed_completion(*pieces: str) -> httpx.Response:
    """An OpenAI chat completion streamed as Server-Sent Events."""
    chunks = [
        {
            "id": "chatcmpl-1",
            "object": "chat.completion.chunk",
            "created": 0,
            "model": "test-model",
            "choices": [
                {
                    "index": 0,
                    "delta": {"role": "assistant", "content": piece},
                    "finish_reason": None,
                }
            ],
        }
        for piece in pieces
    ]
    body = "".join(f"data: {json.dumps(chunk)}\n\n" for chunk in chunks) + "data: [DONE]\n\n"
    return httpx.Response(200, text=body, headers={"content-type": "text/event-stream"})
