"""Summarising one storyline into bullet drafts whose `[n]` markers number its passages."""

import calendar
import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from service.answering import AnswerError
from service.briefing.bullets import bullet_problem, trimmed
from service.briefing.storylines import Storyline
from service.domain import RetrievedPassage
from service.domain.parse import ParsedSentence
from service.embedding import SentenceVectors
from service.figures import Figure, figures_in
from service.llm import ChatError, ChatModel
from service.parsing import SentenceParses
from service.prompts import PromptLibrary
from service.text import passage_sentence_spans

# What an article's first sentence gains (the i-th, LEAD_BONUS / (1 + i)): news puts its key
# facts first. 0.1 was best on the BBC summaries (bench/eval_summary.py).
LEAD_BONUS = 0.1
# What a sentence gains for dating what it says to the days of its report (the news of those
# days, not background). 0.1 was best on the quiz weeks' development half
# (bench/eval_briefing.py --quiz): 2 to 3 more quiz answers held in 19 weeks, none fewer.
NEWS_BONUS = 0.1
# A calendar date this many days before its report, or the day after, is the report's news.
NEWS_DAYS_BEFORE = 7
# What a sentence gains for each thing it tells that a story's earlier reports did not (a name,
# a figure), up to NEWS_ADDED_MOST of them: a timeline's line is what its day added. On the
# development half of the annotated timelines (bench/eval_timeline.py), 0.03 held the day's
# event on 17 of 27 days, none 16, 0.1 and more fewer.
ADDED_BONUS = 0.03
NEWS_ADDED_MOST = 3
_RELATIVE_DAY = re.compile(
    r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday|today|tonight|yesterday"
    r"|this week)\b",
    re.IGNORECASE,
)
_MONTHS = [abbreviation.lower() for abbreviation in calendar.month_abbr[1:]]
_MONTH_DAY = re.compile(
    r"\b(jan|feb|mar|apr|may|jun|jul|aug|sept?|oct|nov|dec)[a-z]*\.? (\d{1,2})\b", re.IGNORECASE
)


@dataclass
class KnownNews:
    """What a story's earlier reports told: the names they named and the figures they gave."""

    names: set[str] = field(default_factory=set)
    figures: list[Figure] = field(default_factory=list)

    def added(self, parse: ParsedSentence) -> int:
        """How many things the sentence tells that the earlier reports did not."""
        names = {name.lower() for name in parse.named} - self.names
        figures = [
            f
            for f in figures_in(parse)
            if not any(f.same_thing(known) and f.allows(known) for known in self.figures)
        ]
        return len(names) + len(figures)

    def learn(self, parses: Sequence[ParsedSentence]) -> None:
        for parse in parses:
            self.names |= {name.lower() for name in parse.named}
            self.figures += figures_in(parse)


class StorylineSummarizer(Protocol):
    mode: str

    def draft(
        self,
        storyline: Storyline,
        passages: Sequence[RetrievedPassage],
        *,
        bullets: int,
        topic: str | None,
        said: Sequence[str] = (),
        known: KnownNews | None = None,
    ) -> list[str]:
        """At most `bullets` drafts, each citing `passages` by number from 1, not repeating
        what is `said` in the bullets before, telling what is not `known` when that is given.
        Raises AnswerError when no usable draft can be produced."""
        ...


class ExtractiveSummarizer:
    """The most central sentences that can stand as bullets, non-redundant (maximal marginal
    relevance), told in the order they were reported.

    Candidates are the passages' sentences that `bullet_problem` finds nothing wrong with (no
    questions, fragments, talk, headlines or sentences leaning on the one before) and that do
    not repeat a bullet already said. A sentence's relevance is its cosine similarity to the
    storyline's centroid, averaged with its similarity to the topic when there is one, plus
    `lead_bonus / (1 + i)` for the i-th sentence of an article's opening passage (news puts its
    key facts first), plus `news_bonus` when the parse finds it dating what it says to the days
    of its report (`dates_its_news`): the centroid is what every report repeats, often the
    background; and given what earlier reports told (`known`, a timeline's earlier days),
    `added_bonus` for each name or figure it adds to them, up to NEWS_ADDED_MOST. Each next
    sentence maximises `mmr_lambda * relevance - (1 - mmr_lambda) * its
    highest similarity to those chosen`. The chosen are then ordered by their article's date
    and their place in it.
    """

    mode = "extractive"

    def __init__(
        self,
        vectors: SentenceVectors,
        parses: SentenceParses,
        *,
        mmr_lambda: float = 0.7,
        lead_bonus: float = LEAD_BONUS,
        news_bonus: float = NEWS_BONUS,
        added_bonus: float = ADDED_BONUS,
    ):
        self._vectors = vectors
        self._parses = parses
        self._mmr_lambda = mmr_lambda
        self._lead_bonus = lead_bonus
        self._news_bonus = news_bonus
        self._added_bonus = added_bonus

    def draft(
        self,
        storyline: Storyline,
        passages: Sequence[RetrievedPassage],
        *,
        bullets: int,
        topic: str | None,
        said: Sequence[str] = (),
        known: KnownNews | None = None,
    ) -> list[str]:
        # (passage number, the sentence as stored, when it was reported)
        found: list[tuple[int, str, tuple]] = []
        prior = []  # what each gains for where it stands
        for number, passage in enumerate(passages, start=1):
            headline = passage.article.title
            for position, (start, end) in enumerate(passage_sentence_spans(passage.text)):
                sentence = passage.text[start:end]
                if bullet_problem(sentence, headline=headline, said=said):
                    continue
                reported = (passage.article.date or dt.date.max, passage.start + start)
                found.append((number, sentence, reported))
                prior.append(self._lead_bonus / (1 + position) if passage.ordinal == 0 else 0.0)
        if not found:
            return []
        # Vectors and parses of the sentences as stored at ingest; the bullet drops a leading
        # dash.
        texts = [sentence for _, sentence, _ in found]
        vectors = self._vectors.of(texts, passages=passages)
        if self._news_bonus or known:
            reported = [passages[number - 1].article.date for number, _, _ in found]
            parses = self._parses.of(texts, passages=passages)
            prior = [
                bonus
                + self._news_bonus * dates_its_news(parse, day)
                + (self._added_bonus * min(known.added(parse), NEWS_ADDED_MOST) if known else 0)
                for bonus, parse, day in zip(prior, parses, reported, strict=True)
            ]
        bulleted = [trimmed(text) for text in texts]

        def follows(candidate: int, chosen: list[int]) -> bool:
            # Two reports' wordings of one fact are one bullet.
            earlier = [*said, *(bulleted[i] for i in chosen)]
            return not bullet_problem(bulleted[candidate], said=earlier)

        chosen = self.select(
            vectors, storyline.centroid, bullets, topic, np.array(prior), follows=follows
        )
        chosen.sort(key=lambda i: found[i][2])
        return [f"{trimmed(found[i][1])} [{found[i][0]}]" for i in chosen]

    def select(
        self,
        vectors: np.ndarray,
        centroid: np.ndarray,
        count: int,
        topic: str | None,
        prior: np.ndarray,
        *,
        follows: Callable[[int, list[int]], bool] = lambda candidate, chosen: True,
    ) -> list[int]:
        """Indices of the chosen sentences (rows of `vectors`), in the order chosen; `prior` is
        what each gains besides its similarity; a sentence is passed over when it cannot
        `follow` those chosen before it."""
        relevance = vectors @ centroid
        if topic:
            relevance = (relevance + vectors @ self._vectors.of([topic])[0]) / 2
        relevance = relevance + prior
        chosen: list[int] = []
        passed_over: list[int] = []
        while len(chosen) < count and len(chosen) + len(passed_over) < len(vectors):
            redundancy = (
                (vectors @ vectors[chosen].T).max(axis=1) if chosen else np.zeros(len(vectors))
            )
            gain = self._mmr_lambda * relevance - (1 - self._mmr_lambda) * redundancy
            gain[chosen + passed_over] = -np.inf
            best = int(np.argmax(gain))
            (chosen if follows(best, chosen) else passed_over).append(best)
        return chosen


def dates_its_news(parse: ParsedSentence, reported: dt.date | None) -> bool:
    """The sentence dates what it says to the days of its report: a weekday, today,
    yesterday, or a calendar date from a week before the report to the day after ("on
    Tuesday the dam failed", not "the dam was built in 1931"). A report without a date has no
    days to date it to (on the undated BBC articles, counting its weekdays cost ROUGE).
    """
    if reported is None:
        return False
    for entity in parse.entities:
        if entity.label not in {"DATE", "TIME"}:
            continue
        text = parse.span_text(entity)
        if _RELATIVE_DAY.search(text):
            return True
        month_day = _MONTH_DAY.search(text)
        if month_day:
            month = _MONTHS.index(month_day.group(1).lower()[:3]) + 1
            # "Dec 30" in a report of Jan 2 is of the year before.
            year = reported.year - (month > reported.month + 1)
            try:
                day = dt.date(year, month, int(month_day.group(2)))
            except ValueError:  # "Feb 30"
                continue
            if -dt.timedelta(days=1) <= reported - day <= dt.timedelta(days=NEWS_DAYS_BEFORE):
                return True
    return False


class GenerativeSummarizer:
    """The LLM, on the prompt files `brief_system.j2` and `brief_user.j2`."""

    mode = "llm"

    def __init__(self, chat: ChatModel, prompts: PromptLibrary):
        self._chat = chat
        self._prompts = prompts

    def messages(
        self,
        storyline: Storyline,
        passages: Sequence[RetrievedPassage],
        bullets: int,
        topic: str | None,
    ) -> tuple[str, str]:
        system = self._prompts.render("brief_system.j2", bullets=bullets)
        user = self._prompts.render(
            "brief_user.j2", topic=topic, storyline=storyline.label, passages=passages
        )
        return system, user

    def draft(
        self,
        storyline: Storyline,
        passages: Sequence[RetrievedPassage],
        *,
        bullets: int,
        topic: str | None,
        said: Sequence[str] = (),
        known: KnownNews | None = None,
    ) -> list[str]:
        # What was said is not in the prompt: the pipeline drops a repeated bullet. What is
        # known is not either: the LLM is given only the day's passages.
        system, user = self.messages(storyline, passages, bullets, topic)
        try:
            reply = "".join(self._chat.stream(system=system, user=user))
        except ChatError as error:
            raise AnswerError(str(error)) from error
        drafts = [
            line.strip().lstrip("-*•").strip()
            for line in reply.splitlines()
            if line.strip().startswith(("-", "*", "•"))
        ]
        if not drafts:
            raise AnswerError("the LLM returned no bullet points")
        return drafts[:bullets]
