"""Refuse request bodies over a size, before anything parses them."""

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.api.errors import error_body


class BodySizeLimit:
    """ASGI middleware: 413 when a body is larger than `max_bytes`.

    A declared Content-Length is checked before reading; a chunked body is read up to the
    limit, then handed on whole (the routes read whole JSON bodies anyway).
    """

    def __init__(self, app: ASGIApp, *, max_bytes: int):
        self._app = app
        self._max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self._max_bytes:
            await self._refuse(scope, send)
            return
        body, more, size = [], True, 0
        while more:
            message = await receive()
            if message["type"] != "http.request":
                await self._app(scope, _replay([message]), send)
                return
            size += len(message.get("body", b""))
            if size > self._max_bytes:
                await self._refuse(scope, send)
                return
            body.append(message)
            more = message.get("more_body", False)
        await self._app(scope, _replay(body, then=receive), send)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        detail = f"request body is over the limit of {self._max_bytes} bytes"
        payload = json.dumps(error_body(scope["path"], 413, detail)).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(payload)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": payload})


def _replay(messages: list[Message], *, then: Receive | None = None) -> Receive:
    """A `receive` that gives these messages first, then whatever comes next (a disconnect)."""
    pending = list(messages)

    async def receive() -> Message:
        if pending:
            return pending.pop(0)
        if then is None:
            return {"type": "http.disconnect"}
        return await then()

    return receive
