"""Finding the passages that bear on a question (dense + keyword, fused), and the indexes the
service keeps beside the store: the keyword index and the article catalogue."""

from service.retrieval.catalogue import ArticleCatalogue
from service.retrieval.hybrid import Retriever
from service.retrieval.keyword import KeywordIndex

__all__ = ["ArticleCatalogue", "KeywordIndex", "Retriever"]
