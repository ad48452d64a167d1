"""Finding the passages that bear on a question: dense + keyword, fused."""

from service.retrieval.hybrid import ArticleRef, RetrievalConfig, RetrievedPassage, Retriever
from service.retrieval.keyword import KeywordIndex

__all__ = ["ArticleRef", "KeywordIndex", "RetrievalConfig", "RetrievedPassage", "Retriever"]
