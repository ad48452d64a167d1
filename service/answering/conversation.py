"""Turning a follow-up in a conversation into a question that stands on its own.

Without an LLM the rule is: a follow-up that refers back (a pronoun such as he, she, it, they,
this, that; or an opening such as "and", "what about", "what else") is asked with the names
from the previous question in brackets: after "Who did Blinken meet in Beijing?", "What did he
say next?" becomes "What did he say next? (Blinken, Beijing)". The follow-up stays what is
asked; the names give retrieval its subject. A previous question with no names (capitalised
words after its first) is added whole. Anything else is asked as it is.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from service.llm import ChatError, ChatModel
from service.prompts import PromptLibrary

_REFERS_BACK = re.compile(
    r"^\s*(and|but|also|so|then|what about|how about|what else|why|how come)\b"
    r"|\b(he|him|his|she|her|hers|it|its|they|them|their|this|that|these|those|there|then)\b",
    re.IGNORECASE,
)


_NAME = re.compile(r"\b[A-Z][\w'-]*(?:\s+[A-Z][\w'-]*)*")


@dataclass(frozen=True)
class Message:
    role: Literal["user", "assistant"]
    content: str


class QuestionRewriter(Protocol):
    def standalone(self, messages: Sequence[Message]) -> str:
        """The last user message as a question that needs no earlier turn."""
        ...


class RuleRewriter:
    def standalone(self, messages: Sequence[Message]) -> str:
        questions = [m.content.strip() for m in messages if m.role == "user" and m.content.strip()]
        if not questions:
            raise ValueError("the conversation has no user message")
        last = questions[-1]
        if len(questions) < 2 or not _REFERS_BACK.search(last):
            return last
        previous = questions[-2]
        names = list(dict.fromkeys(_NAME.findall(previous.split(maxsplit=1)[-1])))
        return f"{last} ({', '.join(names) if names else previous})"


class LLMRewriter:
    """The LLM on `prompts/rewrite_*.j2`; the rule when it fails."""

    def __init__(self, chat: ChatModel, prompts: PromptLibrary, fallback: RuleRewriter):
        self._chat = chat
        self._prompts = prompts
        self._fallback = fallback

    def standalone(self, messages: Sequence[Message]) -> str:
        ruled = self._fallback.standalone(messages)
        if sum(m.role == "user" for m in messages) < 2:
            return ruled
        system = self._prompts.render("rewrite_system.j2")
        user = self._prompts.render("rewrite_user.j2", messages=messages)
        try:
            rewritten = "".join(self._chat.stream(system=system, user=user)).strip()
        except ChatError:
            return ruled
        return rewritten.splitlines()[0].strip() if rewritten else ruled
