"""Error bodies: `{"detail": ...}` as FastAPI writes them, but OpenAI's shape under `/v1/`,
where clients built for OpenAI (its SDK, LangChain) read `error.message`."""

from typing import Any

OPENAI_PATHS = "/v1/"
_OPENAI_TYPES = {
    401: "authentication_error",
    403: "permission_error",
    429: "rate_limit_error",
    503: "server_error",
}


def error_body(path: str, status_code: int, message: str, detail: Any = None) -> dict:
    """What to answer a request for `path` that failed with `status_code`; `detail`, when
    given, is the structured form of `message` for Newsdesk's own routes (422's errors)."""
    if path.startswith(OPENAI_PATHS):
        kind = _OPENAI_TYPES.get(status_code, "invalid_request_error")
        code = "model_not_found" if status_code == 404 and "model" in message else None
        return {"error": {"message": message, "type": kind, "param": None, "code": code}}
    return {"detail": message if detail is None else detail}
