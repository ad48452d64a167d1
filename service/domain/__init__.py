"""The ground floor: records every stage shares, the article filter, and the store's interface.

Nothing here imports another part of the service.
"""

from service.domain.records import (
    Article,
    ArticleRef,
    Citation,
    ContestedFigure,
    Delivery,
    FigureValue,
    IndexedArticle,
    LoadError,
    Passage,
    RetrievedPassage,
    StoredArticle,
    StoredPassage,
    Watch,
    WatchItem,
    article_id_of,
    passage_id,
    watch_item_fields,
    watch_item_from_fields,
)
from service.domain.selection import ArticleFilter, Condition, check_date_range, date_number
from service.domain.store import CHANGE_LOG_DAYS, Change, Store, StoreError, StoreUnavailable

__all__ = [
    "CHANGE_LOG_DAYS",
    "Article",
    "ArticleFilter",
    "ArticleRef",
    "Change",
    "Citation",
    "Condition",
    "ContestedFigure",
    "Delivery",
    "FigureValue",
    "IndexedArticle",
    "LoadError",
    "Passage",
    "RetrievedPassage",
    "Store",
    "StoreError",
    "StoreUnavailable",
    "StoredArticle",
    "StoredPassage",
    "Watch",
    "WatchItem",
    "article_id_of",
    "check_date_range",
    "date_number",
    "passage_id",
    "watch_item_fields",
    "watch_item_from_fields",
]
