"""Chat models behind one small interface. Any OpenAI-compatible server (OpenAI, Ollama, vLLM,
a llama.cpp server) through LangChain's chat model, whose openai client retries transient
failures; a circuit breaker on top stops calling a server that keeps failing."""

import threading
import time
from collections.abc import Callable, Iterator
from typing import Protocol


class ChatError(RuntimeError):
    """The chat model gave no answer: timeout, HTTP error, refused connection, bad reply."""


class ChatModel(Protocol):
    def stream(self, *, system: str, user: str) -> Iterator[str]:
        """The reply in pieces as they arrive; raises ChatError on any failure."""
        ...


class OpenAICompatibleChat:
    def __init__(
        self,
        *,
        base_url: str,
        model: str,
        api_key: str | None,
        timeout_s: float,
        max_tokens: int,
        retries: int,
    ):
        from langchain_openai import ChatOpenAI

        self._chat = ChatOpenAI(
            model=model,
            base_url=base_url,
            # Local servers take any key; the client library insists on one.
            api_key=api_key or "none",
            timeout=timeout_s,
            # The openai SDK retries timeouts, refused connections, 408, 409, 429 and 5xx with
            # exponential backoff and honours Retry-After; a stream is retried only before it
            # starts, since text already streamed cannot be taken back.
            max_retries=retries,
            temperature=0,
            max_tokens=max_tokens,
            streaming=True,
        )

    def stream(self, *, system: str, user: str) -> Iterator[str]:
        import httpx
        import openai
        from langchain_core.messages import HumanMessage, SystemMessage

        try:
            for chunk in self._chat.stream([SystemMessage(system), HumanMessage(user)]):
                if chunk.text:
                    yield chunk.text
        except openai.APITimeoutError as error:
            raise ChatError("the LLM server timed out") from error
        except openai.APIStatusError as error:
            raise ChatError(f"the LLM server answered HTTP {error.status_code}") from error
        except openai.APIConnectionError as error:
            raise ChatError("the LLM server could not be reached") from error
        except openai.APIError as error:
            raise ChatError(f"the LLM server gave an unusable reply: {error}") from error
        except httpx.HTTPError as error:  # the SDK passes on a stream that breaks part-way
            raise ChatError(f"the LLM server's reply broke off: {error}") from error
        except ValueError as error:  # LangChain's word for a stream with no usable chunk
            raise ChatError(f"the LLM server gave an unusable reply: {error}") from error


class CircuitBreaker:
    """Stops calling a server that keeps failing: after `failures` failed calls in a row it is
    left alone for `cooldown_s`; then calls go through again, and one more failure re-opens it.
    """

    def __init__(
        self, *, failures: int, cooldown_s: float, clock: Callable[[], float] = time.monotonic
    ):
        self._threshold = failures
        self._cooldown_s = cooldown_s
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None
        self._lock = threading.Lock()

    def check(self) -> None:
        """Raises ChatError while the breaker is open."""
        with self._lock:
            if self._opened_at is None:
                return
            remaining = self._opened_at + self._cooldown_s - self._clock()
            if remaining > 0:
                raise ChatError(
                    f"the LLM server failed {self._failures} times in a row; "
                    f"not calling it for another {remaining:.0f} s"
                )

    def succeeded(self) -> None:
        with self._lock:
            self._failures = 0
            self._opened_at = None

    def failed(self) -> None:
        with self._lock:
            self._failures += 1
            if self._failures >= self._threshold:
                self._opened_at = self._clock()


class ResilientChat:
    """A chat model behind a circuit breaker, so a dead server costs each request nothing
    rather than its timeout and retries."""

    def __init__(self, chat: ChatModel, *, breaker: CircuitBreaker):
        self._chat = chat
        self._breaker = breaker

    def stream(self, *, system: str, user: str) -> Iterator[str]:
        self._breaker.check()
        try:
            yield from self._chat.stream(system=system, user=user)
        except ChatError:
            self._breaker.failed()
            raise
        self._breaker.succeeded()
