"""Chat models behind one small interface. Any OpenAI-compatible server (OpenAI, Ollama, vLLM,
a llama.cpp server) through LangChain's chat model."""

from collections.abc import Iterator
from typing import Protocol


class ChatError(RuntimeError):
    """The chat model gave no answer: timeout, HTTP error, refused connection."""


class ChatModel(Protocol):
    def stream(self, *, system: str, user: str) -> Iterator[str]:
        """The reply in pieces as they arrive; raises ChatError on any failure."""
        ...


class OpenAICompatibleChat:
    def __init__(
        self, *, base_url: str, model: str, api_key: str | None, timeout_s: float, max_tokens: int
    ):
        from langchain_openai import ChatOpenAI

        self._chat = ChatOpenAI(
            model=model,
            base_url=base_url,
            # Local servers take any key; the client library insists on one.
            api_key=api_key or "none",
            timeout=timeout_s,
            max_retries=0,
            temperature=0,
            max_tokens=max_tokens,
            streaming=True,
        )

    def stream(self, *, system: str, user: str) -> Iterator[str]:
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
        except ValueError as error:  # LangChain's word for a stream with no usable chunk
            raise ChatError(f"the LLM server gave an unusable reply: {error}") from error
