"""The LLM answerer: the prompt files filled with the question and numbered passages."""

from collections.abc import Iterator, Sequence

from service.answering.models import ABSTENTION, AnswerError
from service.answering.reading import Reading
from service.domain import RetrievedPassage
from service.llm import ChatError, ChatModel
from service.prompts import PromptLibrary


class GenerativeAnswerer:
    mode = "llm"

    def __init__(self, chat: ChatModel, prompts: PromptLibrary, *, max_sentences: int = 5):
        self._chat = chat
        self._prompts = prompts
        self._max_sentences = max_sentences

    def messages(
        self, question: str, passages: Sequence[RetrievedPassage], *, kind: str | None = None
    ) -> tuple[str, str]:
        """The system and user messages sent to the model; `kind` is what the question asks
        for (a number, a person...), when the reading step could tell."""
        system = self._prompts.render(
            "answer_system.j2", abstention=ABSTENTION, max_sentences=self._max_sentences
        )
        user = self._prompts.render(
            "answer_user.j2", question=question, passages=passages, kind=kind
        )
        return system, user

    def draft(
        self, question: str, passages: Sequence[RetrievedPassage], reading: Reading
    ) -> Iterator[str]:
        system, user = self.messages(question, passages, kind=reading.asked.kind)
        produced = False
        try:
            for piece in self._chat.stream(system=system, user=user):
                produced = produced or bool(piece.strip())
                yield piece
        except ChatError as error:
            raise AnswerError(str(error)) from error
        if not produced:
            raise AnswerError("the LLM returned an empty answer")
