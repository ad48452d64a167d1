"""Server mode: the same ingestion against a real Chroma server started by `chroma run`."""

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from service.components import build_components
from service.loading import load_paths
from service.settings import Settings, load_settings
from tests.conftest import ALASKA_ARTICLE, BLINKEN_ARTICLE


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def chroma_server(tmp_path: Path) -> Iterator[str]:
    chroma = Path(sys.executable).parent / "chroma"
    assert chroma.exists(), f"{chroma} missing: chromadb is installed with the project"
    port = free_port()
    log = (tmp_path / "chroma.log").open("w")
    server = subprocess.Popen(
        [
            str(chroma),
            "run",
            "--path",
            str(tmp_path / "server-data"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"chroma server did not start: {(tmp_path / 'chroma.log').read_text()}"
                )
            time.sleep(0.3)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


@pytest.fixture
def server_settings(chroma_server: str, tmp_path: Path, monkeypatch) -> Settings:
    monkeypatch.delenv("NEWSDESK_INDEX_PATH", raising=False)
    return load_settings(chroma_url=chroma_server, index_path=tmp_path / "unused-local-index")


def test_ingest_update_delete_against_a_chroma_server(server_settings, embedder, seeds_dir):
    components = build_components(server_settings, embedder=embedder)
    assert components.store.kind.startswith("chroma-server http://127.0.0.1:")
    report = components.ingestor.ingest(load_paths([seeds_dir], max_bytes=1_000_000))
    assert report.new == 3

    # A second client (another process would do the same) sees what the first wrote.
    other = build_components(server_settings, embedder=embedder)
    stored = other.store.get(BLINKEN_ARTICLE)
    assert stored.source == "The Financial Times"
    assert all(stored.text[p.start : p.end] == p.text for p in stored.passages)
    again = other.ingestor.ingest(load_paths([seeds_dir], max_bytes=1_000_000))
    assert again.unchanged == 3 and again.passages_written == 0

    assert other.ingestor.delete(ALASKA_ARTICLE)
    assert components.store.get(ALASKA_ARTICLE) is None
    assert components.store.counts()[0] == 2
    assert not (server_settings.index_path).exists(), "server mode writes no local index"
