"""Timelines: the dated developments of one story, one cited line per day that has news,
earliest first.

The story is what a topic finds (retrieval, keeping the articles about as close to the topic
as the closest), or what an article is about (the window's articles whose vectors are within
the storyline distance of it).
Syndicated copies merge into one report. For each day, the line is written as a briefing's
bullet is, from that day's reports: by the LLM when there is one, else the sentence most
similar to the story (its centroid, with the topic when there is one), an article's opening
sentences and what the day adds to the story's earlier days (names, figures: `KnownNews`)
favoured; it must stand as a bullet, not repeat an earlier line, and pass the same citation
check as an answer. The story's figures that reports give differently or that changed are
read from the passages the lines are written from (each day's most central, its copies'
too); a line stating one says what other reports that day gave, or what earlier days did."""

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from service.answering import Citation, CitationChecker, Drafters
from service.answering.citations import without_markers
from service.briefing.bullets import bullet_problem
from service.briefing.storylines import Storyline, merge_copies
from service.briefing.summaries import KnownNews, StorylineSummarizer
from service.domain import ArticleFilter, ContestedFigure, RetrievedPassage, Store, StoredArticle
from service.embedding import SentenceVectors
from service.figures import FigureReader, note
from service.parsing import SentenceParses
from service.retrieval import Retriever
from service.settings import BriefingSettings
from service.text import sentences

ArticleVector = tuple[StoredArticle, np.ndarray]
# A day's passages given to the summarizer (the LLM's prompt), the most central first.
DAY_PASSAGES = 12
# A topic's story is the articles about as close to the topic as the closest: within this
# much cosine similarity of it (and above the briefing's topic floor). Looser takes in other
# stories that share a name with it (a town's cheese festival on a timeline of its bridge).
TOPIC_BAND = 0.2
# Articles a topic's retrieval brings, at most.
MAX_TIMELINE_ARTICLES = 200
# What an article's first sentence gains for a day's line (a briefing's bullet: LEAD_BONUS):
# a day's news is what its reports open with. 0.2 to 0.5 were best on the development half of
# the annotated stories (bench/eval_timeline.py), 0.1 held the day's event on 1 day fewer.
LINE_LEAD_BONUS = 0.2


class UnknownArticle(LookupError):
    """The timeline's article is not in the store."""


@dataclass(frozen=True)
class TimelineRequest:
    window: ArticleFilter
    topic: str | None = None
    article_id: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "topic", (self.topic or "").strip() or None)
        if (self.topic is None) == (self.article_id is None):
            raise ValueError("give a topic or an article_id, not both")


@dataclass
class TimelineEntry:
    date: dt.date
    text: str
    citations: list[Citation]
    article_ids: list[str]
    """The day's reports of the story, copies included."""


@dataclass
class Timeline:
    title: str
    entries: list[TimelineEntry]
    warnings: list[str] = field(default_factory=list)
    figures: list[ContestedFigure] = field(default_factory=list)
    """The story's figures that reports give differently, or that changed."""


class TimelinePipeline:
    def __init__(
        self,
        *,
        store: Store,
        retriever: Retriever,
        vectors: SentenceVectors,
        parses: SentenceParses,
        figures: FigureReader,
        summarizers: Drafters[StorylineSummarizer],
        checker: CitationChecker,
        settings: BriefingSettings,
        duplicate_similarity: float,
    ):
        self._store = store
        self._retriever = retriever
        self._vectors = vectors
        self._parses = parses
        self._figures = figures
        self._summarizers = summarizers
        self._checker = checker
        self._settings = settings
        self._duplicate_similarity = duplicate_similarity

    def timeline(self, request: TimelineRequest) -> Timeline:
        title, articles = self._story(request)
        dated = [(article, vector) for article, vector in articles if article.date]
        warnings = []
        if len(dated) < len(articles):
            warnings.append(f"{len(articles) - len(dated)} undated article(s) left out")
        if not dated:
            warnings.append("no dated articles of this story in the window")
            return Timeline(title, [], warnings)
        kept, copies = merge_copies(
            sorted(dated, key=lambda item: (item[0].date, item[0].id)), self._duplicate_similarity
        )
        centroid = np.mean([vector for _, vector in kept], axis=0)
        if request.topic:
            centroid = centroid / np.linalg.norm(centroid) + self._vectors.of([request.topic])[0]
        centroid /= np.linalg.norm(centroid) or 1.0

        by_day: dict[dt.date, list[StoredArticle]] = {}
        for article, _ in kept:
            by_day.setdefault(article.date, []).append(article)
        reports = [
            article_id
            for article, _ in kept
            for article_id in [article.id, *(copy.id for copy in copies.get(article.id, []))]
        ]
        records = self._store.passages_of(reports)
        passages_by_article: dict[str, list[RetrievedPassage]] = {}
        for record in records:
            passage = RetrievedPassage.of(record, score=0.0, query_vector=centroid)
            passages_by_article.setdefault(record.passage.article_id, []).append(passage)

        central = {
            day: _most_central([p for a in day_articles for p in passages_by_article.get(a.id, [])])
            for day, day_articles in by_day.items()
        }
        # Figures are read from the passages the lines are: each day's most central, a copy's
        # too (an update of a syndicated report may give a new toll in the same words).
        copied = [
            passage
            for day_articles in by_day.values()
            for passage in _most_central(
                [
                    p
                    for a in day_articles
                    for copy in copies.get(a.id, [])
                    for p in passages_by_article.get(copy.id, [])
                ]
            )
        ]
        figures = self._figures.contested(
            [p for day in sorted(central) for p in central[day]] + copied
        )
        known = KnownNews()
        entries: list[TimelineEntry] = []
        for day in sorted(by_day):
            said = [without_markers(entry.text) for entry in entries]
            entry = self._line(day, by_day[day], central[day], centroid, said, warnings, known)
            texts = [text for passage in central[day] for text in sentences(passage.text)]
            known.learn(self._parses.of(texts, passages=central[day]))
            if entry is None:
                continue
            added, cited = note(figures, entry.citations, renumber=True, later=False)
            entry.text = f"{entry.text} {added}".strip()
            entry.citations += cited
            entry.article_ids = [
                article_id
                for a in by_day[day]
                for article_id in [a.id, *(copy.id for copy in copies.get(a.id, []))]
            ]
            entries.append(entry)
        return Timeline(title, entries, warnings, figures)

    def _story(self, request: TimelineRequest) -> tuple[str, list[ArticleVector]]:
        """The timeline's title, and the articles of its story in the window with vectors."""
        window = request.window
        if request.topic:
            found = self._retriever.search(request.topic, k=MAX_TIMELINE_ARTICLES, selection=window)
            best = max((p.similarity for p in found), default=0.0)
            floor = max(self._settings.brief_topic_min_similarity, best - TOPIC_BAND)
            ids = list(
                dict.fromkeys(
                    article.article_id
                    for p in found
                    if p.similarity >= floor
                    for article in (p.article, *p.also_reported_by)
                )
            )
            selection = ArticleFilter(article_ids=ids) if ids else None
            articles = self._store.article_vectors(selection) if selection else []
            return f"Timeline: {request.topic}", articles
        found = self._store.article_vectors(ArticleFilter(article_ids=[request.article_id]))
        if not found:
            raise UnknownArticle(request.article_id)
        ((anchor, anchor_vector),) = found
        near = 1 - self._settings.storyline_max_distance
        story = [
            (article, vector)
            for article, vector in self._store.article_vectors(window)
            if float(vector @ anchor_vector) >= near
        ]
        return f"Timeline: {anchor.title or anchor.id}", story

    def _line(
        self,
        day: dt.date,
        articles: list[StoredArticle],
        central: list[RetrievedPassage],
        centroid: np.ndarray,
        said: list[str],
        warnings: list[str],
        known: KnownNews,
    ) -> TimelineEntry | None:
        """The day's development in one cited line, written as a briefing's bullet is: by the
        LLM when there is one (`prompts/brief_*.j2`), else the day's sentence most central to
        the story, an article's opening sentences and what is not `known` from earlier days
        favoured; None when neither can stand. `central`: the day's passages it reads."""
        storyline = Storyline(articles=articles, centroid=centroid)

        def attempt(summarizer: StorylineSummarizer) -> tuple[str, list[str]]:
            drafts = summarizer.draft(
                storyline, central, bullets=1, topic=None, said=said, known=known
            )
            return summarizer.mode, drafts

        mode, drafts = self._summarizers.run(
            attempt,
            warnings,
            failure=lambda error: f"{day}: LLM unavailable ({error}); extractive line given",
        )
        entry = self._checked(day, drafts, central, mode, said)
        if entry is None and mode != self._summarizers.extractive.mode:
            # The LLM's line did not stand: the day keeps the archive's own words.
            warnings.append(f"{day}: the LLM's line was not supported; extractive line given")
            _, drafts = attempt(self._summarizers.extractive)
            entry = self._checked(day, drafts, central, self._summarizers.extractive.mode, said)
        return entry

    def _checked(
        self,
        day: dt.date,
        drafts: list[str],
        passages: list[RetrievedPassage],
        mode: str,
        said: list[str],
    ) -> TimelineEntry | None:
        for draft in drafts:
            checked = self._checker.check(draft, passages, mode=mode)
            if checked.grounded and not bullet_problem(without_markers(checked.text), said=said):
                return TimelineEntry(day, checked.text, checked.citations, [])
        return None


def _most_central(passages: list[RetrievedPassage]) -> list[RetrievedPassage]:
    """A day's passages given to the summarizer and read for figures: the most central."""
    return sorted(passages, key=lambda p: p.similarity, reverse=True)[:DAY_PASSAGES]
