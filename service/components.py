"""The long-lived parts of the service, built once from settings by the CLI or the app."""

import dataclasses
from dataclasses import dataclass

from service.answering import (
    AskPipeline,
    CitationChecker,
    Drafters,
    ExtractiveAnswerer,
    GenerativeAnswerer,
)
from service.answering.conversation import LLMRewriter, QuestionRewriter, RuleRewriter
from service.answering.reading import Answerability, Reader
from service.answering.suggestions import QuestionSuggester
from service.briefing import (
    LINE_LEAD_BONUS,
    BriefingPipeline,
    ExtractiveSummarizer,
    GenerativeSummarizer,
    StorylineRanker,
    TimelinePipeline,
)
from service.chunking import PassageSplitter
from service.domain import Store
from service.embedding import (
    Embedder,
    SentenceTransformerEmbedder,
    SentenceVectors,
    SerialEmbedder,
    embedding_model_name,
)
from service.figures import FigureReader
from service.ingestion import Ingestor
from service.llm import ChatModel, CircuitBreaker, OpenAICompatibleChat, ResilientChat
from service.parsing import SentenceParses, load_parser
from service.prompts import PromptLibrary
from service.retrieval import ArticleCatalogue, KeywordIndex, Retriever
from service.settings import LLMSettings, Settings, SettingsError
from service.store import ChromaStore, client_factory
from service.verifying.support import SupportChecker, SupportModel
from service.verifying.verifier import TextVerifier
from service.watches import WatchDesk
from service.webhooks import SecretBox


@dataclass(frozen=True)
class Components:
    settings: Settings
    embedder: Embedder
    splitter: PassageSplitter
    store: Store
    ingestor: Ingestor
    keyword: KeywordIndex
    catalogue: ArticleCatalogue
    retriever: Retriever
    sentence_vectors: SentenceVectors
    sentence_parses: SentenceParses
    pipeline: AskPipeline
    rewriter: QuestionRewriter
    briefing: BriefingPipeline
    timeline: TimelinePipeline
    watches: WatchDesk
    verifier: TextVerifier
    suggester: QuestionSuggester


def open_store(settings: Settings) -> ChromaStore:
    """The store alone, for commands that neither embed nor search."""
    where = settings.store
    return ChromaStore(
        client_factory(where.index_path, where.chroma_url, timeout_s=where.chroma_timeout_s),
        prefix=where.collection_prefix,
        embedding_model=embedding_model_name(settings.embedding.embedding_model),
        kind=f"chroma-server {where.chroma_url}"
        if where.chroma_url
        else f"chroma-local {where.index_path}",
    )


def build_components(settings: Settings, *, embedder: Embedder | None = None) -> Components:
    """Everything the service runs on; pass `embedder` to reuse a model already loaded."""
    embedder = embedder or SerialEmbedder(
        SentenceTransformerEmbedder(
            settings.embedding.embedding_model,
            batch_size=settings.embedding.embedding_batch_size,
            threads=settings.embedding.torch_threads,
            device=settings.embedding.embedding_device,
        )
    )
    splitter = passage_splitter(settings, embedder)
    store = open_store(settings)
    parser = load_parser(settings.parsing.parser_model)
    ingestor = Ingestor(
        store=store,
        embedder=embedder,
        parser=parser,
        splitter=splitter,
        batch_articles=settings.ingestion.ingest_batch_articles,
    )
    keyword = KeywordIndex(
        store,
        path=settings.store.index_path / f"keyword-{settings.store.collection_prefix}",
    )
    vectors = SentenceVectors(
        embedder, capacity=settings.embedding.sentence_cache_size, stored=store.sentence_vectors
    )
    parses = SentenceParses(
        parser, capacity=settings.parsing.parse_cache_size, stored=store.sentence_parses
    )
    retriever = Retriever(store=store, vectors=vectors, keyword=keyword, config=settings.retrieval)
    support_model = SupportModel.load()
    if settings.answering.citation_min_support is not None:
        support_model = dataclasses.replace(
            support_model, threshold=settings.answering.citation_min_support
        )
    support = SupportChecker(vectors, parses, support_model)
    checker = CitationChecker(support)
    chat = _chat_model(settings.llm)
    prompts = PromptLibrary(settings.llm.prompts_dir)
    answerability = Answerability.load()
    if settings.answering.answer_min_confidence is not None:
        answerability.threshold = settings.answering.answer_min_confidence
    figures = FigureReader(parses, vectors)
    pipeline = AskPipeline(
        retriever=retriever,
        reader=Reader(vectors, parses, answerability),
        answerers=Drafters(
            extractive=ExtractiveAnswerer(),
            llm=GenerativeAnswerer(chat, prompts) if chat else None,
        ),
        checker=checker,
        figures=figures,
    )
    generative = GenerativeSummarizer(chat, prompts) if chat else None
    summarizers = Drafters(extractive=ExtractiveSummarizer(vectors, parses), llm=generative)
    briefing = BriefingPipeline(
        store=store,
        retriever=retriever,
        ranker=StorylineRanker(store, parses),
        figures=figures,
        summarizers=summarizers,
        checker=checker,
        count_tokens=embedder.count_tokens,
        settings=settings.briefing,
        duplicate_similarity=settings.retrieval.duplicate_similarity,
    )
    timeline = TimelinePipeline(
        store=store,
        retriever=retriever,
        vectors=vectors,
        parses=parses,
        figures=figures,
        summarizers=Drafters(
            extractive=ExtractiveSummarizer(vectors, parses, lead_bonus=LINE_LEAD_BONUS),
            llm=generative,
        ),
        checker=checker,
        settings=settings.briefing,
        duplicate_similarity=settings.retrieval.duplicate_similarity,
    )
    secrets = SecretBox(
        settings.web.webhook_secret_key.get_secret_value()
        if settings.web.webhook_secret_key
        else None,
        settings.store.index_path / "webhook-secrets.key",
    )
    watches = WatchDesk(
        store=store, retriever=retriever, pipeline=pipeline, settings=settings.web, secrets=secrets
    )
    ingestor.listeners.append(watches.check_later)
    catalogue = ArticleCatalogue(store)
    return Components(
        settings=settings,
        embedder=embedder,
        splitter=splitter,
        store=store,
        ingestor=ingestor,
        keyword=keyword,
        catalogue=catalogue,
        retriever=retriever,
        sentence_vectors=vectors,
        sentence_parses=parses,
        pipeline=pipeline,
        rewriter=LLMRewriter(chat, prompts, RuleRewriter()) if chat else RuleRewriter(),
        briefing=briefing,
        timeline=timeline,
        watches=watches,
        verifier=TextVerifier(retriever, support),
        suggester=QuestionSuggester(store, catalogue, parses, pipeline),
    )


def passage_splitter(settings: Settings, embedder: Embedder) -> PassageSplitter:
    passage_tokens = settings.passages.passage_tokens or embedder.max_tokens
    if passage_tokens > embedder.max_tokens:
        raise SettingsError(
            f"NEWSDESK_PASSAGE_TOKENS={passage_tokens} is more than {embedder.name} reads "
            f"({embedder.max_tokens} tokens): the rest of each passage would be ignored"
        )
    return PassageSplitter(
        count_tokens=embedder.count_tokens,
        max_tokens=passage_tokens,
        overlap_tokens=settings.passages.passage_overlap_tokens,
    )


def _chat_model(settings: LLMSettings) -> ChatModel | None:
    """The LLM when one is configured; without one, answers and briefings are extractive."""
    if settings.llm_base_url is None:
        return None
    chat = OpenAICompatibleChat(
        base_url=str(settings.llm_base_url),
        model=settings.llm_model,
        api_key=settings.llm_api_key.get_secret_value() if settings.llm_api_key else None,
        timeout_s=settings.llm_timeout_s,
        max_tokens=settings.llm_max_tokens,
        retries=settings.llm_retries,
    )
    breaker = CircuitBreaker(
        failures=settings.llm_breaker_failures, cooldown_s=settings.llm_breaker_cooldown_s
    )
    return ResilientChat(chat, breaker=breaker)
