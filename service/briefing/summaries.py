"""Summarising one storyline into bullet drafts whose `[n]` markers number its passages."""

from collections.abc import Sequence
from typing import Protocol

import numpy as np

from service.answering import AnswerError
from service.briefing.storylines import Storyline
from service.domain import RetrievedPassage
from service.embedding import SentenceVectors
from service.llm import ChatError, ChatModel
from service.prompts import PromptLibrary
from service.text import candidate_sentences

MIN_BULLET_WORDS = 6


class StorylineSummarizer(Protocol):
    mode: str

    def draft(
        self,
        storyline: Storyline,
        passages: Sequence[RetrievedPassage],
        *,
        bullets: int,
        topic: str | None,
    ) -> list[str]:
        """At most `bullets` drafts, each citing `passages` by number from 1. Raises
        AnswerError when no usable draft can be produced."""
        ...


class ExtractiveSummarizer:
    """The most central sentences, non-redundant (maximal marginal relevance).

    A sentence's relevance is its cosine similarity to the storyline's centroid, averaged with
    its similarity to the topic when there is one, plus `lead_bonus / (1 + i)` for the i-th
    sentence of an article's opening passage: news puts its key facts first. Each next sentence
    maximises `mmr_lambda * relevance - (1 - mmr_lambda) * its highest similarity to those
    chosen`.
    """

    mode = "extractive"

    def __init__(
        self, vectors: SentenceVectors, *, mmr_lambda: float = 0.7, lead_bonus: float = 0.1
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
    ) -> list[str]:
        found, lead = [], []
        for number, passage in enumerate(passages, start=1):
            sentences = [text for _, text in candidate_sentences([passage])]
            for position, text in enumerate(sentences):
                if len(text.split()) >= MIN_BULLET_WORDS:
                    found.append((number, text))
                    lead.append(self._lead_bonus / (1 + position) if passage.ordinal == 0 else 0.0)
        if not found:
            return []
        vectors = self._vectors.of([text for _, text in found], passages=passages)
        chosen = self.select(vectors, storyline.centroid, bullets, topic, np.array(lead))
        return [f"{found[i][1]} [{found[i][0]}]" for i in chosen]

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
    ) -> list[str]:
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
