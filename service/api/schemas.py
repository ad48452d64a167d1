"""Request and response bodies of the HTTP API."""

import datetime as dt
from dataclasses import asdict
from typing import Annotated, Any, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    field_validator,
    model_validator,
)

from service.answering import Answer, Citation
from service.briefing import (
    Briefing,
    BriefRequest,
    Bullet,
    Storyline,
    Timeline,
    TimelineRequest,
)
from service.domain import (
    ArticleFilter,
    ContestedFigure,
    RetrievedPassage,
    StoredArticle,
    Watch,
    WatchItem,
    check_date_range,
    watch_item_fields,
)
from service.ingestion import IngestReport
from service.loading import ArticleRecord
from service.retrieval.catalogue import ArchiveHoldings
from service.text import checked_text, sentence_spans
from service.verifying.verifier import SentenceCheck, TextCheck


class RequestIn(BaseModel):
    """A request body: every text in it is checked at the door (`checked_text`), before any
    other rule, so a lone surrogate is a 422 naming its field and no control character or
    unnormalised text gets further. Article records are checked one by one when ingested."""

    @field_validator("*", mode="before")
    @classmethod
    def _checked(cls, value: object) -> object:
        if isinstance(value, str):
            return checked_text(value)
        if isinstance(value, list):
            return [checked_text(item) if isinstance(item, str) else item for item in value]
        return value


# Text from a query string or a path, checked as body text is.
QueryText = Annotated[str, AfterValidator(checked_text)]

# Beyond this a request holds a worker for minutes; larger archives go in several requests
# or through `newsdesk ingest`.
MAX_INGEST_ARTICLES = 1000


class ArticlesIn(RequestIn):
    # Items are validated one by one (service.loading.article_from_record) so that one bad
    # article is reported by its index while the others are ingested; the schema shows theirs.
    articles: list[Any] = Field(
        ...,
        json_schema_extra={"items": ArticleRecord.model_json_schema()},
        min_length=1,
        max_length=MAX_INGEST_ARTICLES,
        description=f"At most {MAX_INGEST_ARTICLES} articles a request.",
    )


class RecordErrorOut(BaseModel):
    where: str = Field(
        ..., description="Which record: articles[i] over HTTP, file:line from files."
    )
    message: str


class IngestReportOut(BaseModel):
    new: int
    unchanged: int
    updated: int
    failed: int
    passages_written: int
    errors: list[RecordErrorOut]

    @classmethod
    def of(cls, report: IngestReport) -> "IngestReportOut":
        return cls(
            new=report.new,
            unchanged=report.unchanged,
            updated=report.updated,
            failed=report.failed,
            passages_written=report.passages_written,
            errors=[RecordErrorOut(where=e.where, message=e.message) for e in report.errors],
        )


class ArticleSummaryOut(BaseModel):
    id: str
    title: str | None
    date: dt.date | None
    source: str | None
    url: str | None
    passage_count: int
    ingested_at: str

    @classmethod
    def of(cls, article: StoredArticle) -> Self:
        return cls.model_validate(article, from_attributes=True)


class ArticlePageOut(BaseModel):
    total: int
    limit: int
    offset: int
    articles: list[ArticleSummaryOut]


class SourceCountOut(BaseModel):
    source: str
    articles: int


class ArchiveOut(BaseModel):
    """What the archive holds, and questions it answers: the page's first view."""

    articles: int
    sources: list[SourceCountOut] = Field(..., description="Most articles first.")
    first_date: dt.date | None = Field(..., description="The earliest dated article's day.")
    last_date: dt.date | None
    latest: list[ArticleSummaryOut] = Field(..., description="The newest articles.")
    questions: list[str] = Field(
        ..., description="Questions the archive answers, from its newest articles' leads."
    )

    @classmethod
    def of(cls, holdings: ArchiveHoldings, questions: list[str]) -> Self:
        return cls(
            articles=holdings.articles,
            sources=[SourceCountOut(source=s, articles=n) for s, n in holdings.sources],
            first_date=holdings.first_date,
            last_date=holdings.last_date,
            latest=[ArticleSummaryOut.of(a) for a in holdings.latest],
            questions=questions,
        )


class PassageOut(BaseModel):
    id: str
    ordinal: int
    start: int = Field(..., description="Character offset into the article's text.")
    end: int
    text: str


class ArticleOut(ArticleSummaryOut):
    text: str
    body_end: int | None = Field(
        None, description="Passages come from text[:body_end]; after it is boilerplate."
    )
    passages: list[PassageOut]


class FollowerOut(BaseModel):
    name: str = Field(..., description="An index the service keeps beside the store.")
    revision: str | None = Field(
        None, description="The store revision it holds; null before its first catch-up."
    )
    behind: bool = Field(
        ..., description="The store has changed since: its next use catches up first."
    )
    catching_up: bool = Field(..., description="Applying the store's changes now.")
    error: str | None = Field(
        None, description="Why its last catch-up failed (it is tried again at the next use)."
    )
    failed_at: str | None = None


class WatchChecksOut(BaseModel):
    pending: int = Field(..., description="Batches of stored articles waiting to be checked.")
    error: str | None = Field(None, description="Why the last check failed, after its retries.")
    failed_at: str | None = None


class HealthOut(BaseModel):
    status: Literal["ok", "degraded"] = Field(
        ..., description="degraded: an index beside the store or a watch check last failed."
    )
    articles: int
    passages: int
    embedding_model: str
    store: str
    store_revision: str = Field(..., description="Moves with every write and delete.")
    followers: list[FollowerOut]
    watch_checks: WatchChecksOut


class DateRangeIn(RequestIn):
    model_config = ConfigDict(extra="forbid")

    date_from: dt.date | None = Field(None, description="First day included, YYYY-MM-DD.")
    date_to: dt.date | None = Field(None, description="Last day included, YYYY-MM-DD.")

    @model_validator(mode="after")
    def _range_in_order(self) -> Self:
        check_date_range(self.date_from, self.date_to)
        return self


class FiltersIn(DateRangeIn):
    sources: list[str] | None = Field(None, description="Keep passages from these sources.")
    article_ids: list[str] | None = Field(None, description="Keep passages of these articles.")

    def selection(self) -> ArticleFilter:
        return ArticleFilter(
            sources=self.sources,
            date_from=self.date_from,
            date_to=self.date_to,
            article_ids=self.article_ids,
        )


class SearchIn(RequestIn):
    model_config = ConfigDict(extra="forbid")

    query: str = Field(..., min_length=1, max_length=2000)
    k: int = Field(8, ge=1, le=50)
    filters: FiltersIn = Field(default_factory=FiltersIn)


class ArticleRefOut(BaseModel):
    article_id: str
    title: str | None
    source: str | None
    date: dt.date | None
    url: str | None


class PassageHitOut(ArticleRefOut):
    passage_id: str
    start: int = Field(..., description="Character offset of the passage in the article's text.")
    end: int
    text: str
    score: float = Field(..., description="Fused rank score: orders results only.")
    similarity: float = Field(..., description="Cosine similarity to the query.")
    also_reported_by: list[ArticleRefOut] = Field(
        default_factory=list, description="Other articles carrying the same passage."
    )

    @classmethod
    def of(cls, passage: RetrievedPassage) -> Self:
        return cls(
            **_location(passage),
            text=passage.text,
            score=passage.score,
            similarity=passage.similarity,
            also_reported_by=[ArticleRefOut(**asdict(ref)) for ref in passage.also_reported_by],
        )


class SearchOut(BaseModel):
    query: str
    passages: list[PassageHitOut]


class AskIn(RequestIn):
    model_config = ConfigDict(extra="forbid")

    question: str = Field(..., min_length=1, max_length=2000)
    k: int = Field(6, ge=1, le=20, description="Passages retrieved for the answer.")
    filters: FiltersIn = Field(default_factory=FiltersIn)
    stream: bool = Field(
        False,
        description="Answer as Server-Sent Events: sources, delta..., citations, done. "
        "A delta with restart=true voids the text streamed before it; the citations event "
        "carries the checked answer, which is what counts.",
    )


# A text to check is a draft paragraph or an article, not an archive: each sentence is a
# retrieval and a check (about 40 ms each at 40k passages, bench/scale.py).
MAX_VERIFY_SENTENCES = 200


class VerifyIn(RequestIn):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(..., min_length=1, max_length=100_000, description="The text to check.")
    k: int = Field(5, ge=1, le=20, description="Passages retrieved for each sentence.")
    filters: FiltersIn = Field(
        default_factory=FiltersIn,
        description="Check against these articles only (article_ids: against those articles).",
    )

    @field_validator("text")
    @classmethod
    def _sentences(cls, text: str) -> str:
        count = len(sentence_spans(text))
        if count == 0:
            raise ValueError("the text is empty")
        if count > MAX_VERIFY_SENTENCES:
            raise ValueError(
                f"the text has {count} sentences; at most {MAX_VERIFY_SENTENCES} are checked "
                "in one request"
            )
        return text


class MessageIn(RequestIn):
    model_config = ConfigDict(extra="forbid")

    role: Literal["user", "assistant"]
    content: str = Field(..., max_length=8000)


class ChatIn(RequestIn):
    model_config = ConfigDict(extra="forbid")

    messages: list[MessageIn] = Field(..., min_length=1, max_length=50)
    k: int = Field(6, ge=1, le=20)
    filters: FiltersIn = Field(default_factory=FiltersIn)
    stream: bool = Field(False, description="As /ask, with a first `question` event.")

    @model_validator(mode="after")
    def _ends_with_a_question(self) -> Self:
        last = self.messages[-1]
        if last.role != "user" or not last.content.strip():
            raise ValueError("the last message must be a non-empty user message")
        if len(last.content) > 2000:
            raise ValueError("the last message is over 2000 characters")
        return self


class CitationOut(ArticleRefOut):
    n: int = Field(..., description="The marker [n] in the answer.")
    passage_id: str
    start: int = Field(..., description="The cited passage's span in the article's text.")
    end: int
    quote: str = Field(..., description="The supporting sentence, exactly as in the article.")
    quote_start: int = Field(..., description="The quote's span in the article's text.")
    quote_end: int

    @classmethod
    def of(cls, citation: Citation) -> Self:
        return cls(
            **_location(citation.passage),
            n=citation.n,
            quote=citation.quote,
            quote_start=citation.quote_start,
            quote_end=citation.quote_end,
        )


class FigureValueOut(BaseModel):
    value: str = Field(..., description='As the report writes it: "at least 23".')
    text: str = Field(..., description="The report's sentence that gives it.")
    citation: CitationOut
    date: dt.date | None
    source: str | None


class FigureOut(BaseModel):
    what: str = Field(
        ...,
        description="What it counts (deaths, injured, offer...), which office (police chief "
        "of Uvalde) or which event's day (day the dam failed)",
    )
    kind: Literal["differ", "changed"] = Field(
        ...,
        description="differ: reports of the same day give values that cannot both hold; "
        "changed: a later report gives a new value (the values earliest first).",
    )
    answers: Literal["number", "person", "date"] = Field(
        ..., description="What its values are: numbers, the office's holders, the event's days"
    )
    values: list[FigureValueOut]

    @classmethod
    def of(cls, figure: ContestedFigure) -> Self:
        return cls(
            what=figure.what,
            kind=figure.kind,
            answers=figure.answers,
            values=[
                FigureValueOut(
                    value=value.text,
                    text=value.citation.quote,
                    citation=CitationOut.of(value.citation),
                    date=value.date,
                    source=value.source,
                )
                for value in figure.values
            ],
        )


FIGURES_DESCRIPTION = "Figures its reports give differently, or that changed, each value cited."


class ShortAnswerOut(BaseModel):
    text: str = Field(..., description="The phrase that answers: a name, a number, a date...")
    n: int = Field(..., description="The citation ([n]) of the passage it is in.")
    start: int = Field(..., description="Its exact span in the article's text.")
    end: int


class AskOut(BaseModel):
    answer: str = Field(..., description="The answer; [n] markers index `citations`.")
    short_answer: ShortAnswerOut | None = Field(
        None, description="The answer in a phrase, when the question asks for one and it is found."
    )
    explanation: str = Field(
        ...,
        description="The answer without the short answer it leads with (all of it when none).",
    )
    citations: list[CitationOut]
    related: list[CitationOut] = Field(
        default_factory=list,
        description="When the articles don't answer: the closest sentences they do hold.",
    )
    passages: list[PassageHitOut] = Field(
        ..., description="Passages given to the answerer, [n] = n-th."
    )
    mode: Literal["llm", "extractive"]
    grounded: bool = Field(..., description="False when the articles don't answer the question.")
    confidence: float | None = Field(
        None, description="How likely the passages answer the question (the reading step's call)."
    )
    figures: list[FigureOut] = Field(
        default_factory=list,
        description="When it asks for a number: figures the answer states that its passages' "
        "reports give differently, or that changed, each value cited.",
    )
    warnings: list[str]

    @classmethod
    def of(cls, answer: Answer) -> Self:
        short = answer.short_answer
        return cls(
            answer=answer.text,
            short_answer=ShortAnswerOut(**asdict(short)) if short else None,
            explanation=answer.explanation,
            citations=[CitationOut.of(c) for c in answer.citations],
            related=[CitationOut.of(c) for c in answer.related],
            passages=[PassageHitOut.of(p) for p in answer.passages],
            mode=answer.mode,
            grounded=answer.grounded,
            confidence=round(answer.confidence, 4) if answer.confidence is not None else None,
            figures=[FigureOut.of(figure) for figure in answer.figures],
            warnings=answer.warnings,
        )


def _location(passage: RetrievedPassage) -> dict[str, Any]:
    """Which article a passage is of, and where in it."""
    return {
        **asdict(passage.article),
        "passage_id": passage.passage_id,
        "start": passage.start,
        "end": passage.end,
    }


class BriefIn(DateRangeIn):
    topic: str | None = Field(
        None, max_length=500, description="Without a topic, everything in the window is briefed."
    )
    sources: list[str] | None = None
    max_articles: int = Field(
        50,
        ge=1,
        le=200,
        description="The most articles the bullets are drawn from, shared among the "
        "storylines; with a topic, also the most articles retrieval brings. Storylines are "
        "chosen from every article in the window.",
    )
    length: Literal["short", "medium", "long"] = Field(
        "medium",
        description="Bullets in all, and the most a storyline gets: short 3, 1 each; medium "
        "10, up to 2; long 16, up to 3. The widely reported storylines get more.",
    )
    stream: bool = Field(
        False,
        description="As Server-Sent Events: sources (the storylines), a delta per bullet, "
        "citations (the whole briefing), done.",
    )
    since: dt.date | None = Field(
        None,
        description="Only what was reported after this day; a storyline that began before "
        "says in one `background` bullet where it stood.",
    )

    @model_validator(mode="after")
    def _since_inside(self) -> Self:
        if self.since and self.date_to and self.since >= self.date_to:
            raise ValueError("since must be before date_to")
        return self

    def request(self) -> BriefRequest:
        return BriefRequest(
            window=ArticleFilter(
                sources=self.sources, date_from=self.date_from, date_to=self.date_to
            ),
            topic=self.topic,
            max_articles=self.max_articles,
            length=self.length,
            since=self.since,
        )


class BulletOut(BaseModel):
    text: str = Field(..., description="One point; [n] markers index its `citations`.")
    citations: list[CitationOut]
    storyline: int = Field(..., description="Its storyline: an index into `storylines`.")
    background: bool = Field(
        ..., description="Where its storyline stood before `since`, not news after it."
    )

    @classmethod
    def of(cls, bullet: Bullet) -> Self:
        return cls(
            text=bullet.text,
            citations=[CitationOut.of(c) for c in bullet.citations],
            storyline=bullet.storyline,
            background=bullet.background,
        )


class StorylineOut(BaseModel):
    label: str = Field(..., description="Title of the storyline's most central article.")
    article_ids: list[str] = Field(..., description="Most central first.")
    copies: dict[str, list[str]] = Field(
        ..., description="Article id -> syndicated copies merged into it."
    )
    first_date: dt.date | None = Field(..., description="Its earliest article's date.")
    last_date: dt.date | None = Field(..., description="Its latest article's date.")
    articles: int = Field(..., description="Articles reporting it, each set of copies once.")
    sources: list[str] = Field(..., description="The distinct sources reporting it.")
    single_source: bool = Field(..., description="Only one source reports it.")
    figures: list[FigureOut] = Field(default_factory=list, description=FIGURES_DESCRIPTION)

    @classmethod
    def of(cls, storyline: Storyline) -> Self:
        return cls(
            label=storyline.label,
            article_ids=[article.id for article in storyline.articles],
            copies=storyline.copies,
            first_date=storyline.first,
            last_date=storyline.last,
            articles=len(storyline.articles),
            sources=storyline.sources,
            single_source=len(storyline.sources) <= 1,
            figures=[FigureOut.of(figure) for figure in storyline.figures],
        )


class PeriodOut(BaseModel):
    date_from: dt.date | None
    date_to: dt.date | None


class BriefingOut(BaseModel):
    title: str
    period: PeriodOut
    bullets: list[BulletOut]
    storylines: list[StorylineOut] = Field(..., description="Most important first.")
    articles_used: int
    mode: Literal["llm", "extractive"]
    warnings: list[str]

    @classmethod
    def of(cls, briefing: Briefing) -> Self:
        return cls(
            title=briefing.title,
            period=PeriodOut(date_from=briefing.period[0], date_to=briefing.period[1]),
            bullets=[BulletOut.of(bullet) for bullet in briefing.bullets],
            storylines=[StorylineOut.of(s) for s in briefing.storylines],
            articles_used=briefing.articles_used,
            mode=briefing.mode,
            warnings=briefing.warnings,
        )


class TimelineIn(DateRangeIn):
    topic: str | None = Field(None, max_length=500, description="The story, in words...")
    article_id: str | None = Field(None, description="...or an article of it.")
    sources: list[str] | None = None

    @model_validator(mode="after")
    def _one_story(self) -> Self:
        if not (self.topic or "").strip() and not self.article_id:
            raise ValueError("give a topic or an article_id")
        if (self.topic or "").strip() and self.article_id:
            raise ValueError("give a topic or an article_id, not both")
        return self

    def request(self) -> TimelineRequest:
        return TimelineRequest(
            window=ArticleFilter(
                sources=self.sources, date_from=self.date_from, date_to=self.date_to
            ),
            topic=self.topic,
            article_id=self.article_id,
        )


class TimelineEntryOut(BaseModel):
    date: dt.date
    text: str = Field(..., description="The day's development; [n] markers index `citations`.")
    citations: list[CitationOut]
    article_ids: list[str] = Field(..., description="The day's reports, copies included.")


class TimelineOut(BaseModel):
    title: str
    entries: list[TimelineEntryOut] = Field(
        ..., description="One per day with news, earliest first."
    )
    figures: list[FigureOut] = Field(default_factory=list, description=FIGURES_DESCRIPTION)
    warnings: list[str]

    @classmethod
    def of(cls, timeline: Timeline) -> Self:
        return cls(
            title=timeline.title,
            entries=[
                TimelineEntryOut(
                    date=entry.date,
                    text=entry.text,
                    citations=[CitationOut.of(c) for c in entry.citations],
                    article_ids=entry.article_ids,
                )
                for entry in timeline.entries
            ],
            figures=[FigureOut.of(figure) for figure in timeline.figures],
            warnings=timeline.warnings,
        )


class WatchIn(RequestIn):
    model_config = ConfigDict(extra="forbid")

    topic: str = Field(..., min_length=1, max_length=500, description="What to watch for.")
    sources: list[str] | None = Field(None, description="Only articles from these sources.")
    webhook: HttpUrl | None = Field(
        None,
        description="Receives each check's new items as JSON (POST), signed, when given; a "
        "public address unless NEWSDESK_WEBHOOK_ALLOWED_HOSTS allows it.",
    )


class DeliveryOut(BaseModel):
    at: str
    outcome: Literal["delivered", "failed", "refused"] = Field(
        ..., description="refused: the webhook's address may not be reached (detail says why)."
    )
    detail: str


class WatchOut(BaseModel):
    id: str
    topic: str
    sources: list[str]
    webhook: str | None
    created_at: str
    signed: bool = Field(..., description="Deliveries carry X-Newsdesk-Signature.")
    last_delivery: DeliveryOut | None = Field(
        None, description="How the webhook's last delivery went."
    )

    @classmethod
    def of(cls, watch: Watch) -> Self:
        delivery = watch.last_delivery
        return cls(
            id=watch.id,
            topic=watch.topic,
            sources=list(watch.sources),
            webhook=watch.webhook,
            created_at=watch.created_at,
            signed=watch.sealed_secret is not None,
            last_delivery=DeliveryOut(**asdict(delivery)) if delivery else None,
        )


class WatchCreatedOut(WatchOut):
    secret: str | None = Field(
        None,
        description="The webhook's signing secret: shown this once (a new one: POST "
        "/watches/{id}/secret).",
    )

    @classmethod
    def of_new(cls, watch: Watch, secret: str | None) -> Self:
        return cls(**WatchOut.of(watch).model_dump(), secret=secret)


class WatchSecretOut(BaseModel):
    id: str
    secret: str = Field(..., description="The webhook's new signing secret, shown this once.")


class WatchItemOut(ArticleRefOut):
    text: str = Field(..., description="What the article says about the topic; [1] cites `quote`.")
    quote: str
    quote_start: int = Field(..., description="The quote's span in the article's text.")
    quote_end: int
    found_at: str

    @classmethod
    def of(cls, item: WatchItem) -> Self:
        return cls.model_validate(watch_item_fields(item))


class DifferenceOut(BaseModel):
    kind: Literal["number", "date", "name", "polarity", "roles", "doer"] = Field(
        ...,
        description="What differs: a number (of the same thing), a day or month, a name in "
        "the same place, not / so, doer and object swapped, or who did it.",
    )
    claim: str = Field(..., description='What the text says: "43", "Tuesday", "not win".')
    source: str = Field(..., description="What the cited article says instead.")
    citation: int = Field(..., description="The `n` of the citation that says it.")


class SentenceCheckOut(BaseModel):
    text: str
    start: int = Field(..., description="The sentence's span in the checked text.")
    end: int
    verdict: Literal["supported", "contradicted", "unsupported"]
    score: float = Field(..., description="0 to 1: how surely the cited passages state it.")
    citations: list[CitationOut] = Field(
        ..., description="Supported: the passages that state it; contradicted: those that differ."
    )
    differs: list[DifferenceOut]

    @classmethod
    def of(cls, check: SentenceCheck) -> Self:
        return cls(
            text=check.text,
            start=check.start,
            end=check.end,
            verdict=check.verdict,
            score=round(check.score, 4),
            citations=[CitationOut.of(c) for c in check.citations],
            differs=[DifferenceOut(**asdict(d)) for d in check.differs],
        )


class VerifyOut(BaseModel):
    sentences: list[SentenceCheckOut]
    supported: bool = Field(..., description="Every sentence is supported.")

    @classmethod
    def of(cls, check: TextCheck) -> Self:
        return cls(
            sentences=[SentenceCheckOut.of(s) for s in check.sentences],
            supported=check.supported,
        )


class ChatOut(AskOut):
    question: str = Field(..., description="The standalone question that was answered.")
