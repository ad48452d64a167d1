"""The long-lived parts of the service, built once from settings by the CLI or the app."""

from dataclasses import dataclass

from service.answering import (
    AskPipeline,
    CitationChecker,
    ExtractiveAnswerer,
    ExtractiveConfig,
    GenerativeAnswerer,
    SentenceVectors,
    SupportThresholds,
)
from service.answering.conversation import LLMRewriter, QuestionRewriter, RuleRewriter
from service.briefing import (
    BriefingConfig,
    BriefingPipeline,
    ExtractiveSummarizer,
    GenerativeSummarizer,
)
from service.chunking import PassageSplitter
from service.embedding import (
    Embedder,
    SentenceTransformerEmbedder,
    SerialEmbedder,
    embedding_model_name,
)
from service.ingestion import Ingestor
from service.llm import ChatModel, CircuitBreaker, OpenAICompatibleChat, ResilientChat
from service.prompts import PromptLibrary
from service.retrieval import KeywordIndex, RetrievalConfig, Retriever
from service.settings import Settings, SettingsError
from service.store import ChromaStore


@dataclass(frozen=True)
class Components:
    settings: Settings
    embedder: Embedder
    splitter: PassageSplitter
    store: ChromaStore
    ingestor: Ingestor
    keyword: KeywordIndex
    retriever: Retriever
    sentence_vectors: SentenceVectors
    extractive: ExtractiveAnswerer
    pipeline: AskPipeline
    rewriter: QuestionRewriter
    briefing: BriefingPipeline


def open_store(settings: Settings) -> ChromaStore:
    """The store alone, for commands that neither embed nor search."""
    return ChromaStore.from_settings(
        settings, embedding_model=embedding_model_name(settings.embedding_model)
    )


def build_components(settings: Settings, *, embedder: Embedder | None = None) -> Components:
    """Everything the service runs on; pass `embedder` to reuse a model already loaded."""
    embedder = embedder or SerialEmbedder(
        SentenceTransformerEmbedder(
            settings.embedding_model,
            batch_size=settings.embedding_batch_size,
            threads=settings.torch_threads,
        )
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
    keyword = KeywordIndex(store)
    retriever = Retriever(
        store=store,
        embedder=embedder,
        keyword=keyword,
        config=RetrievalConfig(
            candidates=settings.search_candidates,
            rrf_k=settings.rrf_k,
            max_per_article=settings.max_passages_per_article,
            duplicate_similarity=settings.duplicate_similarity,
            recency_band=settings.recency_band,
        ),
    )
    vectors = SentenceVectors(embedder)
    checker = CitationChecker(
        vectors,
        SupportThresholds(
            min_overlap=settings.citation_min_overlap,
            min_similarity=settings.citation_min_similarity,
        ),
    )
    chat = _chat_model(settings)
    prompts = PromptLibrary(settings.prompts_dir)
    extractive = ExtractiveAnswerer(vectors, ExtractiveConfig(min_score=settings.answer_min_score))
    pipeline = AskPipeline(
        retriever=retriever,
        answerer=GenerativeAnswerer(chat, prompts) if chat else extractive,
        extractive=extractive,
        checker=checker,
    )
    extractive_summarizer = ExtractiveSummarizer(vectors)
    briefing = BriefingPipeline(
        store=store,
        retriever=retriever,
        summarizer=GenerativeSummarizer(chat, prompts) if chat else extractive_summarizer,
        extractive=extractive_summarizer,
        checker=checker,
        count_tokens=embedder.count_tokens,
        config=BriefingConfig(
            duplicate_similarity=settings.duplicate_similarity,
            storyline_max_distance=settings.storyline_max_distance,
            topic_min_similarity=settings.brief_topic_min_similarity,
            llm_context_tokens=settings.llm_context_tokens,
        ),
    )
    return Components(
        settings=settings,
        embedder=embedder,
        splitter=splitter,
        store=store,
        ingestor=ingestor,
        keyword=keyword,
        retriever=retriever,
        sentence_vectors=vectors,
        extractive=extractive,
        pipeline=pipeline,
        rewriter=LLMRewriter(chat, prompts, RuleRewriter()) if chat else RuleRewriter(),
        briefing=briefing,
    )


def _chat_model(settings: Settings) -> ChatModel | None:
    """The LLM when one is configured; without one, answers and briefings are extractive."""
    if settings.llm_base_url is None:
        return None
    chat = OpenAICompatibleChat(
        base_url=str(settings.llm_base_url),
        model=settings.llm_model,
        api_key=settings.llm_api_key.get_secret_value() if settings.llm_api_key else None,
        timeout_s=settings.llm_timeout_s,
        max_tokens=settings.llm_max_tokens,
    )
    return ResilientChat(
        chat,
        retries=settings.llm_retries,
        backoff_s=settings.llm_retry_backoff_s,
        breaker=CircuitBreaker(
            failures=settings.llm_breaker_failures, cooldown_s=settings.llm_breaker_cooldown_s
        ),
    )
