"""Load and clean articles: files, directories, and JSON records."""

from service.loading.files import load_paths
from service.loading.records import ArticleRecord, RecordError, article_from_record

__all__ = ["ArticleRecord", "RecordError", "article_from_record", "load_paths"]
