"""Who may call the API, and how often: bearer keys, admin keys, a per-key rate limit.

With no keys configured the API is open (the default binds to 127.0.0.1). With keys, every
route that depends on `authenticated` (and the MCP transport, wrapped in `Keyed`) needs
`Authorization: Bearer KEY`; routes that change the archive depend on `admin` as well.
"""

import hashlib
import hmac
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import SecretStr
from starlette.types import ASGIApp, Receive, Scope, Send

from service.settings import HTTPSettings


@dataclass(frozen=True)
class Caller:
    key_id: str | None  # a fingerprint of the key, never the key; None when the API is open
    admin: bool


class KeyRing:
    def __init__(self, keys: list[SecretStr], admin_keys: list[SecretStr]):
        # Digests of equal length, so each comparison takes the same time whatever the key.
        self._keys = [(_digest(k.get_secret_value()), False) for k in keys]
        self._keys += [(_digest(k.get_secret_value()), True) for k in admin_keys]
        self._writes_need_admin = bool(admin_keys)

    @property
    def open(self) -> bool:
        return not self._keys

    def caller(self, presented: str | None) -> Caller | None:
        """The caller a key belongs to, or None for an unknown key."""
        if self.open:
            return Caller(key_id=None, admin=True)
        if presented is None:
            return None
        digest = _digest(presented)
        found: Caller | None = None
        # Every configured key is compared, so the time taken does not tell which one matched.
        for key_digest, is_admin in self._keys:
            if hmac.compare_digest(digest, key_digest) and found is None:
                found = Caller(
                    key_id=key_digest.hex()[:12], admin=is_admin or not self._writes_need_admin
                )
        return found


def _digest(key: str) -> bytes:
    return hashlib.sha256(key.encode()).digest()


class RateLimiter:
    """A token bucket per key: `per_minute` requests a minute, with bursts up to that many."""

    def __init__(self, per_minute: int, *, clock: Callable[[], float] = time.monotonic):
        self.per_minute = per_minute
        self._capacity = float(per_minute)
        self._refill_per_s = per_minute / 60
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key id -> (tokens, at)
        self._lock = threading.Lock()

    def wait_s(self, key_id: str) -> float:
        """Take one request's token: 0 when allowed, else the seconds until one is free."""
        now = self._clock()
        with self._lock:
            tokens, at = self._buckets.get(key_id, (self._capacity, now))
            tokens = min(self._capacity, tokens + (now - at) * self._refill_per_s)
            if tokens >= 1:
                self._buckets[key_id] = (tokens - 1, now)
                return 0.0
            self._buckets[key_id] = (tokens, now)
            return (1 - tokens) / self._refill_per_s


@dataclass(frozen=True)
class Access:
    keys: KeyRing
    limiter: RateLimiter | None

    @classmethod
    def from_settings(cls, settings: HTTPSettings) -> "Access":
        per_minute = settings.rate_limit_per_minute
        return cls(
            keys=KeyRing(settings.api_keys, settings.admin_api_keys),
            limiter=RateLimiter(per_minute) if per_minute else None,
        )


_bearer = HTTPBearer(
    auto_error=False, description="An API key from NEWSDESK_API_KEYS or NEWSDESK_ADMIN_API_KEYS."
)


def authenticated(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Caller:
    """The caller, after checking their key and their rate; 401 or 429 otherwise."""
    access: Access = request.app.state.access
    caller = access.keys.caller(credentials.credentials if credentials else None)
    if caller is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "invalid API key" if credentials else "missing API key: send Authorization: Bearer KEY",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if caller.key_id is not None and access.limiter is not None:
        wait_s = access.limiter.wait_s(caller.key_id)
        if wait_s > 0:
            raise HTTPException(
                status.HTTP_429_TOO_MANY_REQUESTS,
                f"rate limit of {access.limiter.per_minute} requests a minute reached for this "
                f"key; retry in {math.ceil(wait_s)} s",
                headers={"Retry-After": str(math.ceil(wait_s))},
            )
    return caller


class Keyed:
    """An ASGI app (the MCP server's transport) behind the same keys and rate limit as the
    routes that depend on `authenticated`."""

    def __init__(self, app: ASGIApp):
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        try:
            authenticated(request, await _bearer(request))
        except HTTPException as error:
            refusal = JSONResponse(
                {"detail": error.detail}, status_code=error.status_code, headers=error.headers
            )
            await refusal(scope, receive, send)
            return
        await self._app(scope, receive, send)


def admin(caller: Annotated[Caller, Depends(authenticated)]) -> Caller:
    """The caller, if their key may change the archive; 403 otherwise."""
    if not caller.admin:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "ingesting and deleting need an admin key")
    return caller
