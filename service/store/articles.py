"""Articles and their passages written and deleted; articles read (`<prefix>_articles`)."""

import datetime as dt
from collections.abc import Sequence

import numpy as np

from service.domain import (
    ArticleFilter,
    IndexedArticle,
    StoredArticle,
)
from service.domain.parse import packed_parses
from service.store.base import reaching_store
from service.store.changes import ChangeLog
from service.store.convert import (
    article_metadata,
    fingerprints_of,
    mean_direction,
    packed,
    stored_article,
    stored_passages,
    where,
)


class ArticleRecords(ChangeLog):
    @reaching_store
    def counts(self) -> tuple[int, int]:
        return self._articles.count(), self._passages.count()

    @reaching_store
    def fingerprints(self, article_ids: Sequence[str]) -> dict[str, str]:
        """The stored content fingerprint of each of these articles that is stored."""
        found: dict[str, str] = {}
        for page in self._read(self._articles, ["metadatas"], ids=article_ids):
            found |= fingerprints_of(page)
        return found

    @reaching_store
    def all_fingerprints(self) -> dict[str, str]:
        """The content fingerprint of every stored article, read page by page."""
        found: dict[str, str] = {}
        for page in self._read(self._articles, ["metadatas"]):
            found |= fingerprints_of(page)
        return found

    @reaching_store
    def write(self, items: Sequence[IndexedArticle]) -> None:
        """Replace these articles and all their passages."""
        if not items:
            return
        ingested_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        for ids in self._pieces([item.article.id for item in items]):
            self._passages.delete(where={"article_id": {"$in": ids}})
            self._sentences.delete(where={"article_id": {"$in": ids}})
        sentences = [
            (item.article.id, passage.id, vectors, parses)
            for item in items
            for passage, vectors, parses in zip(
                item.passages,
                item.sentence_vectors,
                item.sentence_parses or [None] * len(item.passages),
                strict=True,
            )
        ]
        # Upserts: ingest workers given overlapping input may write one article at once, and
        # Chroma's add would silently keep whichever passage record came first.
        for batch in self._pieces(sentences):
            self._sentences.upsert(
                ids=[pid for _, pid, _, _ in batch],
                embeddings=[[1.0]] * len(batch),
                metadatas=[
                    {"article_id": article_id, "rows": len(vectors), "vectors": packed(vectors)}
                    | ({"parses": packed_parses(parses)} if parses is not None else {})
                    for article_id, _, vectors, parses in batch
                ],
            )
        passages = [
            (item, p, v) for item in items for p, v in zip(item.passages, item.vectors, strict=True)
        ]
        for batch in self._pieces(passages):
            self._passages.upsert(
                ids=[passage.id for _, passage, _ in batch],
                documents=[passage.text for _, passage, _ in batch],
                embeddings=np.stack([vector for _, _, vector in batch]),
                metadatas=[
                    article_metadata(item.article)
                    | {"ordinal": p.ordinal, "start": p.start, "end": p.end}
                    for item, p, _ in batch
                ],
            )
        for batch in self._pieces(items):
            self._articles.upsert(
                ids=[item.article.id for item in batch],
                documents=[item.article.text for item in batch],
                embeddings=np.stack([mean_direction(item.vectors) for item in batch]),
                metadatas=[
                    article_metadata(item.article)
                    | {
                        "fingerprint": item.fingerprint,
                        "body_end": item.article.body_end,
                        "passage_count": len(item.passages),
                        "ingested_at": ingested_at,
                    }
                    for item in batch
                ],
            )

        self._logged_change([item.article.id for item in items])

    @reaching_store
    def delete(self, article_id: str) -> bool:
        """Remove the article and its passages; False when there was no such article."""
        existed = bool(self._articles.get(ids=[article_id], include=[])["ids"])
        self._articles.delete(ids=[article_id])
        self._passages.delete(where={"article_id": article_id})
        self._sentences.delete(where={"article_id": article_id})
        self._logged_change([article_id])
        return existed

    @reaching_store
    def get(self, article_id: str) -> StoredArticle | None:
        """The article with its full text and its passages in order."""
        records = self._articles.get(ids=[article_id], include=["documents", "metadatas"])
        if not records["ids"]:
            return None
        pages = self._read(
            self._passages, ["documents", "metadatas"], where={"article_id": article_id}
        )
        passages = sorted(
            (stored.passage for page in pages for stored in stored_passages(page)),
            key=lambda p: p.ordinal,
        )
        return stored_article(
            article_id, records["metadatas"][0], text=records["documents"][0], passages=passages
        )

    @reaching_store
    def articles(self, article_ids: Sequence[str]) -> list[StoredArticle]:
        """These articles' metadata (no text), in the order asked; unknown ids left out."""
        found = {
            article_id: stored_article(article_id, metadata)
            for page in self._read(self._articles, ["metadatas"], ids=article_ids)
            for article_id, metadata in zip(page["ids"], page["metadatas"], strict=True)
        }
        return [found[article_id] for article_id in article_ids if article_id in found]

    @reaching_store
    def article_vectors(self, selection: ArticleFilter) -> list[tuple[StoredArticle, np.ndarray]]:
        """Matching articles (no text) with their mean passage direction."""
        return [
            (stored_article(article_id, metadata), np.asarray(vector))
            for piece in selection.pieces(self._piece_size())
            for page in self._read(self._articles, ["metadatas", "embeddings"], where=where(piece))
            for article_id, metadata, vector in zip(
                page["ids"], page["metadatas"], page["embeddings"], strict=True
            )
        ]
