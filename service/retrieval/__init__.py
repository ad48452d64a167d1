"""Finding the passages that bear on a question: dense + keyword, fused."""

from service.retrieval.hybrid import Retriever
from service.retrieval.keyword import KeywordIndex

__all__ = ["KeywordIndex", "Retriever"]
