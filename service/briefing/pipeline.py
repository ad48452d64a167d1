"""Briefing: select articles, group storylines, rank them, summarise each (map), compose by
importance.

Every bullet passes the same citation check as an answer. A storyline's figures that its
reports give differently, or that changed, are read from the passages its bullets are drawn
from, and a bullet stating one says what the other reports give. With an LLM, each storyline's
passages go into the prompt most central first while they fit the context budget, counted in
tokens; what does not fit is said in `warnings`. LLM faults fall back to the extractive
summary of that storyline.
"""

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from service.answering import Citation, CitationChecker, Drafters
from service.answering.citations import without_markers
from service.briefing.bullets import bullet_problem
from service.briefing.ranking import StorylineRanker, allot_bullets
from service.briefing.storylines import Storyline, group_storylines
from service.briefing.summaries import StorylineSummarizer
from service.domain import ArticleFilter, RetrievedPassage, Store, StoredArticle
from service.figures import FigureReader, note
from service.retrieval import Retriever
from service.settings import BriefingSettings

Length = Literal["short", "medium", "long"]
# Bullets of a briefing, and the most a storyline gets (`ranking.allot_bullets`). A long
# briefing's 16 held more of the quiz weeks' answers per word than 24 (bench/eval_briefing.py
# --quiz, development half).
LENGTHS: dict[str, tuple[int, int]] = {"short": (3, 1), "medium": (10, 2), "long": (16, 3)}
# Tokens of a prompt besides its passages (rules, topic, per-passage fence), kept free.
PROMPT_OVERHEAD_TOKENS = 400
PASSAGE_FENCE_TOKENS = 30


@dataclass(frozen=True)
class BriefRequest:
    window: ArticleFilter
    """The period and sources briefed."""
    topic: str | None = None
    max_articles: int = 50
    """The most articles the summaries read (shared among the storylines), and with a topic,
    the most articles retrieval brings."""
    length: Length = "medium"
    since: dt.date | None = None
    """Only what was reported after this day; a storyline that began before it says in one
    line where it stood."""

    def __post_init__(self) -> None:
        # A blank topic is no topic, whichever door the request came through.
        object.__setattr__(self, "topic", (self.topic or "").strip() or None)
        if self.since and self.window.date_to and self.since >= self.window.date_to:
            raise ValueError("since must be before date_to")

    @property
    def briefed(self) -> ArticleFilter:
        """The articles briefed: the window, from the day after `since` when there is one."""
        if self.since is None:
            return self.window
        start = self.since + dt.timedelta(days=1)
        date_from = max(start, self.window.date_from or start)
        return dataclasses.replace(self.window, date_from=date_from)

    @property
    def before(self) -> ArticleFilter | None:
        """The part of the window up to `since`, where storylines may have begun."""
        if self.since is None or (self.window.date_from and self.since < self.window.date_from):
            return None
        return dataclasses.replace(self.window, date_to=self.since)


@dataclass
class Bullet:
    text: str
    citations: list[Citation]
    storyline: int = 0
    """The index of its storyline in the briefing's `storylines`."""
    background: bool = False
    """Where its storyline stood before the briefing's `since`, not news after it."""


@dataclass
class Briefing:
    title: str
    period: tuple[dt.date | None, dt.date | None]
    bullets: list[Bullet]
    storylines: list[Storyline]
    articles_used: int
    mode: str
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class StorylinesFound:
    storylines: list[Storyline]


@dataclass(frozen=True)
class BulletWritten:
    bullet: Bullet


@dataclass(frozen=True)
class BriefingDone:
    briefing: Briefing


BriefEvent = StorylinesFound | BulletWritten | BriefingDone


class BriefingPipeline:
    def __init__(
        self,
        *,
        store: Store,
        retriever: Retriever,
        ranker: StorylineRanker,
        figures: FigureReader,
        summarizers: Drafters[StorylineSummarizer],
        checker: CitationChecker,
        count_tokens: Callable[[str], int],
        settings: BriefingSettings,
        duplicate_similarity: float,
    ):
        self._store = store
        self._retriever = retriever
        self._ranker = ranker
        self._figures = figures
        self._summarizers = summarizers
        self._checker = checker
        self._count_tokens = count_tokens
        self._settings = settings
        self._duplicate_similarity = duplicate_similarity

    def brief(self, request: BriefRequest) -> Briefing:
        *_, done = self.stream(request)
        assert isinstance(done, BriefingDone)
        return done.briefing

    def stream(self, request: BriefRequest) -> Iterator[BriefEvent]:
        warnings: list[str] = []
        articles = self._select(request)
        most_bullets, most_each = LENGTHS[request.length]
        storylines = self._ranker.rank(
            group_storylines(
                articles,
                duplicate_similarity=self._duplicate_similarity,
                max_distance=self._settings.storyline_max_distance,
            ),
            holding=most_bullets,
        )
        shares = allot_bullets(storylines, bullets=most_bullets, most=most_each)
        if len(storylines) > len(shares):
            warnings.append(
                f"{len(storylines) - len(shares)} lesser storyline(s) left out at length "
                f"'{request.length}'"
            )
            storylines = storylines[: len(shares)]
        yield StorylinesFound(storylines)

        # The summaries read at most max_articles articles, shared among the storylines, the
        # most central of each first.
        quota = -(-request.max_articles // max(1, len(storylines)))
        passages_by_article: dict[str, list] = {}
        # A copy's passages are read for its figures only: an update of a syndicated report
        # may give a new toll in the same words.
        ids = [
            article_id
            for storyline in storylines
            for article in storyline.articles[:quota]
            for article_id in [article.id, *storyline.copies.get(article.id, [])]
        ]
        for record in self._store.passages_of(ids):
            passages_by_article.setdefault(record.passage.article_id, []).append(record)

        earlier = self._store.article_vectors(request.before) if request.before else []
        bullets: list[Bullet] = []
        modes = set()
        for number, storyline in enumerate(storylines):
            stood = self._where_it_stood(storyline, earlier, request, warnings)
            if stood:
                stood.storyline = number
                bullets.append(stood)
                yield BulletWritten(stood)
            records = [
                r for a in storyline.articles[:quota] for r in passages_by_article.get(a.id, [])
            ]
            passages = sorted(
                (
                    RetrievedPassage.of(r, score=0.0, query_vector=storyline.centroid)
                    for r in records
                ),
                key=lambda passage: passage.similarity,
                reverse=True,
            )
            copied = [
                RetrievedPassage.of(r, score=0.0, query_vector=storyline.centroid)
                for a in storyline.articles[:quota]
                for copy in storyline.copies.get(a.id, [])
                for r in passages_by_article.get(copy, [])
            ]
            # The copies' passages numbered after the storyline's: a bullet's numbers hold.
            storyline.figures = self._figures.contested(passages + copied)
            said = [without_markers(bullet.text) for bullet in bullets]
            mode, drafts, passages = self._summarize(
                storyline, passages, shares[number], request, warnings, said
            )
            modes.add(mode)
            for draft in drafts:
                checked = self._checker.check(draft, passages, mode=mode)
                warnings += checked.warnings
                if not checked.grounded:
                    continue
                # The extractive summarizer offers only sentences that pass; an LLM's bullets
                # are held to the same rules here.
                text = without_markers(checked.text)
                problem = bullet_problem(text, said=said)
                if problem:
                    warnings.append(f"storyline '{storyline.label}': bullet left out ({problem})")
                    continue
                # The summarizer's passages are the ones the figures were read from (an LLM's
                # fewer, first among them): their numbers agree.
                added, cited = note(storyline.figures, checked.citations)
                bullet = Bullet(
                    f"{checked.text} {added}".strip(), checked.citations + cited, storyline=number
                )
                said.append(text)
                bullets.append(bullet)
                yield BulletWritten(bullet)

        if not articles:
            warnings.append("no articles matched the topic, dates and sources")
        dates = sorted(a.date for a, _ in articles if a.date)
        window = request.briefed
        yield BriefingDone(
            Briefing(
                title=f"Briefing: {request.topic}" if request.topic else "Briefing",
                period=(
                    window.date_from or (dates[0] if dates else None),
                    window.date_to or (dates[-1] if dates else None),
                ),
                bullets=bullets,
                storylines=storylines,
                articles_used=sum(storyline.size for storyline in storylines),
                mode="llm" if modes == {"llm"} else "extractive",
                warnings=warnings,
            )
        )

    def _where_it_stood(
        self,
        storyline: Storyline,
        earlier: list[tuple[StoredArticle, np.ndarray]],
        request: BriefRequest,
        warnings: list[str],
    ) -> Bullet | None:
        """One cited line from the latest report of the storyline up to `since`, or None when
        it began after; written as a bullet is (the LLM, else extractively). A report is of
        the storyline when its vector is within the storyline distance of its centroid."""
        near = 1 - self._settings.storyline_max_distance
        reports = [a for a, v in earlier if a.date and float(v @ storyline.centroid) >= near]
        if not reports:
            return None
        latest = max(reports, key=lambda article: (article.date, article.id))
        passages = [
            RetrievedPassage.of(record, score=0.0, query_vector=storyline.centroid)
            for record in self._store.passages_of([latest.id])
        ]
        mode, drafts, passages = self._summarize(storyline, passages, 1, request, warnings, [])
        if not drafts:
            return None
        checked = self._checker.check(drafts[0], passages, mode=mode)
        if not checked.grounded or bullet_problem(without_markers(checked.text)):
            return None
        text = f"Before {request.since}: {checked.text}"
        return Bullet(text, checked.citations, background=True)

    def _select(self, request: BriefRequest) -> list[tuple[StoredArticle, np.ndarray]]:
        """Articles to brief: every one in the window (storylines are chosen across the whole
        period), or those retrieval finds for the topic."""
        window = request.briefed
        if not request.topic:
            # Newest first: a copy merges into the newest report of its story.
            return sorted(
                self._store.article_vectors(window),
                key=lambda item: (item[0].date or dt.date.min, item[0].id),
                reverse=True,
            )
        found = self._retriever.search(request.topic, k=request.max_articles * 2, selection=window)
        relevant = [p for p in found if p.similarity >= self._settings.brief_topic_min_similarity]
        ids = list(dict.fromkeys(p.article.article_id for p in relevant))[: request.max_articles]
        if not ids:
            return []
        by_id = {
            a.id: (a, v) for a, v in self._store.article_vectors(ArticleFilter(article_ids=ids))
        }
        return [by_id[i] for i in ids if i in by_id]

    def _summarize(
        self,
        storyline: Storyline,
        passages: list[RetrievedPassage],
        bullets: int,
        request: BriefRequest,
        warnings: list[str],
        said: list[str],
    ) -> tuple[str, list[str], list[RetrievedPassage]]:
        """The mode, the bullet drafts, and the passages they number."""

        def attempt(summarizer: StorylineSummarizer) -> tuple[str, list[str], list]:
            given = passages
            if summarizer is self._summarizers.llm:
                given = self._fit_budget(passages)
                if len(given) < len(passages):
                    warnings.append(
                        f"storyline '{storyline.label}': {len(given)} of {len(passages)} "
                        "passages fit the LLM context budget of "
                        f"{self._settings.llm_context_tokens} tokens"
                    )
            drafts = summarizer.draft(
                storyline, given, bullets=bullets, topic=request.topic, said=said
            )
            return summarizer.mode, drafts, given

        return self._summarizers.run(
            attempt,
            warnings,
            failure=lambda error: (
                f"storyline '{storyline.label}': LLM unavailable ({error}); "
                "extractive summary given"
            ),
        )

    def _fit_budget(self, passages: list[RetrievedPassage]) -> list[RetrievedPassage]:
        """The most central passages whose tokens, with the prompt's own, fit the budget."""
        budget = self._settings.llm_context_tokens - PROMPT_OVERHEAD_TOKENS
        fitting = []
        for passage in passages:
            cost = self._count_tokens(passage.text) + PASSAGE_FENCE_TOKENS
            if cost > budget:
                break
            budget -= cost
            fitting.append(passage)
        return fitting
