"""Fixtures on real parts: the shipped embedding model and a Chroma index in a temp folder."""

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.components import Components, build_components
from service.embedding import SentenceTransformerEmbedder
from service.settings import Settings, load_settings

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
BLINKEN_ARTICLE = "003_462873f93a5904d1"
ALASKA_ARTICLE = "002_0e0174ffe944c68c"
EXPORT_ARTICLE = "000_059afd0c80f679fa"


@pytest.fixture(scope="session")
def embedder() -> SentenceTransformerEmbedder:
    return SentenceTransformerEmbedder(None, batch_size=32, threads=None)


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    for name in ("NEWSDESK_CHROMA_URL", "NEWSDESK_INDEX_PATH"):
        monkeypatch.delenv(name, raising=False)
    return load_settings(index_path=tmp_path / "index")


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
    from service.loading import load_paths

    report = components.ingestor.ingest(load_paths([seeds_dir], max_bytes=1_000_000))
    assert report.new == 3
    return components
