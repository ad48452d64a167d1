"""Summarising one storyline into bullet drafts whose `[n]` markers number its passages."""

import datetime as dt
from collections.abc import Sequence
from typing import Protocol

import numpy as np

from service.answering import AnswerError
from service.briefing.bullets import bullet_problem, trimmed
from service.briefing.storylines import Storyline
from service.domain import RetrievedPassage
from service.embedding import SentenceVectors
from service.llm import ChatError, ChatModel
from service.prompts import PromptLibrary
from service.text import passage_sentence_spans

# What an article's first sentence gains (the i-th, LEAD_BONUS / (1 + i)): news puts its key
# facts first. 0.1 was best on the BBC summaries (bench/eval_summary.py).
LEAD_BONUS = 0.1


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
    ) -> list[str]:
        """At most `bullets` drafts, each citing `passages` by number from 1, not repeating
        what is `said` in the bullets before. Raises AnswerError when no usable draft can be
        produced."""
        ...


class ExtractiveSummarizer:
    """The most central sentences that can stand as bullets, non-redundant (maximal marginal
    relevance), told in the order they were reported.

    Candidates are the passages' sentences that `bullet_problem` finds nothing wrong with (no
    questions, fragments, talk, headlines or sentences leaning on the one before) and that do
    not repeat a bullet already said. A sentence's relevance is its cosine similarity to the
    storyline's centroid, averaged with its similarity to the topic when there is one, plus
    `lead_bonus / (1 + i)` for the i-th sentence of an article's opening passage: news puts its
    key facts first. Each next sentence maximises `mmr_lambda * relevance - (1 - mmr_lambda) *
    its highest similarity to those chosen`. The chosen are then ordered by their article's
    date and their place in it.
    """

    mode = "extractive"

    def __init__(
        self,
        vectors: SentenceVectors,
        *,
        mmr_lambda: float = 0.7,
        lead_bonus: float = LEAD_BONUS,
    ):
        self._vectors = vectors
        self._mmr_lambda = mmr_lambda
        self._lead_bonus = lead_bonus

    def draft(
        self,
        storyline: Storyline,
        passages: Sequence[RetrievedPassage],
        *,
        bullets: int,
        topic: str | None,
        said: Sequence[str] = (),
    ) -> list[str]:
        # (passage number, the sentence as stored, when it was reported)
        found: list[tuple[int, str, tuple]] = []
        lead = []
        for number, passage in enumerate(passages, start=1):
            headline = passage.article.title
            for position, (start, end) in enumerate(passage_sentence_spans(passage.text)):
                sentence = passage.text[start:end]
                if bullet_problem(sentence, headline=headline, said=said):
                    continue
                reported = (passage.article.date or dt.date.max, passage.start + start)
                found.append((number, sentence, reported))
                lead.append(self._lead_bonus / (1 + position) if passage.ordinal == 0 else 0.0)
        if not found:
            return []
        # Vectors of the sentences as stored at ingest; the bullet drops a leading dash.
        vectors = self._vectors.of([sentence for _, sentence, _ in found], passages=passages)
        chosen = self.select(vectors, storyline.centroid, bullets, topic, np.array(lead))
        chosen.sort(key=lambda i: found[i][2])
        return [f"{trimmed(found[i][1])} [{found[i][0]}]" for i in chosen]

    def select(
        self,
        vectors: np.ndarray,
        centroid: np.ndarray,
        count: int,
        topic: str | None,
        lead: np.ndarray,
    ) -> list[int]:
        """Indices of the chosen sentences (rows of `vectors`), in the order chosen."""
        relevance = vectors @ centroid
        if topic:
            relevance = (relevance + vectors @ self._vectors.of([topic])[0]) / 2
        relevance = relevance + lead
        chosen: list[int] = []
        while len(chosen) < min(count, len(vectors)):
            redundancy = (
                (vectors @ vectors[chosen].T).max(axis=1) if chosen else np.zeros(len(vectors))
            )
            gain = self._mmr_lambda * relevance - (1 - self._mmr_lambda) * redundancy
            gain[chosen] = -np.inf
            chosen.append(int(np.argmax(gain)))
        return chosen


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
    ) -> list[str]:
        # What was said is not in the prompt: the pipeline drops a repeated bullet.
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
