"""The long-lived parts of the service, built once from settings by the CLI or the app."""

from dataclasses import dataclass

from service.chunking import PassageSplitter
from service.embedding import Embedder, SentenceTransformerEmbedder, embedding_model_name
from service.ingestion import Ingestor
from service.settings import Settings, SettingsError
from service.store import ChromaStore


@dataclass(frozen=True)
class Components:
    settings: Settings
    embedder: Embedder
    splitter: PassageSplitter
    store: ChromaStore
    ingestor: Ingestor


def open_store(settings: Settings) -> ChromaStore:
    """The store alone, for commands that neither embed nor search."""
    return ChromaStore.from_settings(
        settings, embedding_model=embedding_model_name(settings.embedding_model)
    )


def build_components(settings: Settings, *, embedder: Embedder | None = None) -> Components:
    """Everything the service runs on; pass `embedder` to reuse a model already loaded."""
    embedder = embedder or SentenceTransformerEmbedder(
        settings.embedding_model,
        batch_size=settings.embedding_batch_size,
        threads=settings.torch_threads,
    )
    passage_tokens = settings.passage_tokens or embedder.max_tokens
    if passage_tokens > embedder.max_tokens:
        raise SettingsError(
            f"NEWSDESK_PASSAGE_TOKENS={passage_tokens} is more than {embedder.name} reads "
            f"({embedder.max_tokens} tokens): the rest of each passage would be ignored"
        )
    splitter = PassageSplitter(
        count_tokens=embedder.count_tokens,
        max_tokens=passage_tokens,
        overlap_tokens=settings.passage_overlap_tokens,
    )
    store = open_store(settings)
    ingestor = Ingestor(
        store=store,
        embedder=embedder,
        splitter=splitter,
        batch_articles=settings.ingest_batch_articles,
    )
    return Components(
        settings=settings, embedder=embedder, splitter=splitter, store=store, ingestor=ingestor
    )
