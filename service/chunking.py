"""Splitting an article's body into passages sized in tokens of the embedding model."""

from collections.abc import Callable

from langchain_text_splitters import RecursiveCharacterTextSplitter

from service.domain import Article, Passage
from service.text import SENTENCE_BREAK

# Sentences (and paragraph breaks, which end headlines that have no full stop) come first,
# so passages are packed from whole sentences and overlap by whole trailing sentences; a
# sentence longer than a passage falls back to clauses, then words.
_SEPARATORS = [
    SENTENCE_BREAK,
    r"\n",
    r"(?<=[;:])\s+",
    r"(?<=,)\s+",
    r"\s+",
    "",
]


class PassageSplitter:
    def __init__(self, *, count_tokens: Callable[[str], int], max_tokens: int, overlap_tokens: int):
        if overlap_tokens >= max_tokens:
            raise ValueError("passage overlap must be smaller than the passage size")
        self.max_tokens = max_tokens
        self.overlap_tokens = overlap_tokens
        self._splitter = RecursiveCharacterTextSplitter(
            separators=_SEPARATORS,
            is_separator_regex=True,
            keep_separator="end",
            chunk_size=max_tokens,
            chunk_overlap=overlap_tokens,
            length_function=count_tokens,
        )

    def split(self, article: Article) -> list[Passage]:
        """Passages of the article's body, each with its exact character span in `article.text`."""
        body = article.text[: article.body_end]
        passages = []
        search_from = 0
        for chunk in self._splitter.split_text(body):
            # Chunks are stripped substrings in order; overlap means the next one may start
            # inside this one, but never at or before its start.
            start = body.find(chunk, search_from)
            if start < 0:
                raise AssertionError(f"passage not found in article {article.id!r}")
            passages.append(Passage(article.id, len(passages), start, start + len(chunk), chunk))
            search_from = start + 1
        return passages
