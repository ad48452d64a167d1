"""Fixtures on real parts: the shipped embedding model and a Chroma index in a temp folder."""

import contextlib
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import respx
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.components import Components, build_components
from service.embedding import SentenceTransformerEmbedder, SerialEmbedder
from service.loading import load_paths
from service.settings import Settings, load_settings
from tests.llm_server import LLM_URL
from tests.processes import ChromaServer, Hook

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
BLINKEN_ARTICLE = "003_462873f93a5904d1"
ALASKA_ARTICLE = "002_0e0174ffe944c68c"
EXPORT_ARTICLE = "000_059afd0c80f679fa"


@pytest.fixture(scope="session")
def embedder() -> SerialEmbedder:
    return SerialEmbedder(SentenceTransformerEmbedder(None, batch_size=32, threads=None))


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    for name in ("NEWSDESK_CHROMA_URL", "NEWSDESK_INDEX_PATH"):
        monkeypatch.delenv(name, raising=False)
    # No background following in tests that look at when the indexes catch up; those of the
    # following thread set it (tests/test_bulk_catch_up.py).
    return load_settings(index_path=tmp_path / "index", follow_interval_s=0)


@pytest.fixture
def components(settings: Settings, embedder: SentenceTransformerEmbedder) -> Components:
    return build_components(settings, embedder=embedder)


@pytest.fixture
def seeds_dir(tmp_path: Path) -> Path:
    """A writable copy of the seed articles."""
    return Path(shutil.copytree(SEEDS, tmp_path / "seeds"))


@pytest.fixture
def client(settings: Settings, components: Components) -> Iterator[TestClient]:
    with TestClient(create_app(settings, components=components)) as test_client:
        yield test_client


@pytest.fixture
def seeded(components: Components, seeds_dir: Path) -> Components:
    """Components over an index holding the three seed articles."""
    report = components.ingestor.ingest(load_paths([seeds_dir], max_bytes=1_000_000))
    assert report.new == 3
    return components


@pytest.fixture
def llm_client_with(settings, embedder, seeds_dir) -> Iterator[Callable[..., TestClient]]:
    """Makes a client over the seeds whose LLM is respx; settings may be overridden."""
    with contextlib.ExitStack() as stack:

        def make(**overrides) -> TestClient:
            llm_settings = settings.replace(
                **{"llm_base_url": LLM_URL, "llm_model": "test-model"} | overrides
            )
            components = build_components(llm_settings, embedder=embedder)
            components.ingestor.ingest(load_paths([seeds_dir], max_bytes=1_000_000))
            router = stack.enter_context(
                respx.mock(assert_all_mocked=True, assert_all_called=False)
            )
            router.route(host="testserver").pass_through()
            client = stack.enter_context(
                TestClient(create_app(llm_settings, components=components))
            )
            client.router = router
            return client

        yield make


@pytest.fixture
def llm_client(llm_client_with) -> TestClient:
    return llm_client_with()


@pytest.fixture
def chroma(tmp_path: Path) -> Iterator[ChromaServer]:
    server = ChromaServer(tmp_path / "server-data", tmp_path / "chroma.log")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def server_settings(chroma: ChromaServer, tmp_path: Path, monkeypatch) -> Settings:
    monkeypatch.delenv("NEWSDESK_INDEX_PATH", raising=False)
    return load_settings(
        chroma_url=chroma.url, index_path=tmp_path / "unused-local-index", follow_interval_s=0
    )


@pytest.fixture
def hook():
    receiver = Hook()
    yield receiver
    receiver.close()


def archive_of(
    paths: list[Path], index: Path, embedder: SerialEmbedder, *, articles: int
) -> Components:
    """Components over a fresh index holding these files' articles (`articles` of them), for
    a module's tests to share."""
    components = build_components(
        load_settings(index_path=index, follow_interval_s=0), embedder=embedder
    )
    report = components.ingestor.ingest(load_paths(paths, max_bytes=1_000_000))
    assert report.new == articles
    return components
