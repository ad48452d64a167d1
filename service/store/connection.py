"""Reaching Chroma: a server by URL or a local index directory, and one writer per local index."""

import contextlib
import fcntl
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import chromadb
import httpx
from chromadb.api import ClientAPI
from chromadb.config import Settings as ChromaSettings
from pydantic import HttpUrl

from service.domain import (
    StoreError,
    StoreUnavailable,
)


def client_factory(
    index_path: Path, chroma_url: HttpUrl | None, *, timeout_s: float
) -> Callable[[], ClientAPI]:
    """How to reach Chroma: a server by URL (every request bounded by `timeout_s`), else a
    local index directory."""
    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    url = chroma_url
    if url is None:
        index_path.mkdir(parents=True, exist_ok=True)
        return lambda: chromadb.PersistentClient(path=str(index_path), settings=chroma_settings)

    def connect() -> ClientAPI:
        try:
            # chromadb's HTTP client waits for ever (httpx, timeout=None), already while it is
            # being made: a server that accepts connections but never answers would hold the
            # request for good. So it is asked first, within the timeout ...
            httpx.get(f"{str(url).rstrip('/')}/api/v2/heartbeat", timeout=timeout_s)
            client = chromadb.HttpClient(
                host=url.host, port=url.port, ssl=url.scheme == "https", settings=chroma_settings
            )
        except (httpx.HTTPError, ValueError) as error:  # ValueError: chromadb's "no answer"
            raise StoreUnavailable(f"Chroma server at {url} is unreachable: {error}") from error
        # ... and every later request is bounded too (chromadb has no setting for it).
        client._server._session.timeout = httpx.Timeout(timeout_s)  # type: ignore[attr-defined]
        return client

    return connect


@contextlib.contextmanager
def sole_writer(index_path: Path) -> Iterator[None]:
    """Hold a local index for writing while the block runs; `StoreError` if another process
    holds it.

    Chroma's local index is safe for one process only: each process keeps its own vector
    index in memory beside the shared SQLite file. Tried without this lock: `newsdesk ingest`
    while `newsdesk serve` ran on the same index, and the server's next /search failed with
    Chroma's "Error finding id" (500) for the passages it had not written itself. Through a
    Chroma server any number of processes may write. The lock is the kernel's (flock), so it
    goes with its process, however that ends.
    """
    index_path.mkdir(parents=True, exist_ok=True)
    with (index_path / "newsdesk.lock").open("a+") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            raise StoreError(
                f"the index at {index_path} is in use by another newsdesk process "
                f"({lock.read().strip() or 'pid unknown'}): add articles through that server "
                "(POST /articles), or stop it first; several processes may write to one index "
                "only through a Chroma server (NEWSDESK_CHROMA_URL)"
            ) from None
        lock.truncate(0)
        lock.write(f"pid {os.getpid()}")
        lock.flush()
        yield
