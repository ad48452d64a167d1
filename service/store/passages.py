"""Passages read: by id, by article, nearest to a vector, and their sentence vectors
(`<prefix>_passages`, `<prefix>_sentences`)."""

from collections.abc import Mapping, Sequence

import numpy as np

from service.domain import (
    ArticleFilter,
    StoredPassage,
)
from service.domain.parse import ParsedSentence, unpacked_parses
from service.store.base import ChromaBase, reaching_store
from service.store.convert import (
    stored_passages,
    unpacked,
    where,
)
from service.text import sentences


class PassageReads(ChromaBase):
    @reaching_store
    def all_passages(self) -> list[StoredPassage]:
        """Every passage with its article (no vectors), read page by page."""
        return [
            record
            for page in self._read(self._passages, ["documents", "metadatas"])
            for record in stored_passages(page)
        ]

    @reaching_store
    def nearest_passages(
        self, vector: np.ndarray, *, limit: int, selection: ArticleFilter
    ) -> list[tuple[str, float]]:
        """Ids of the passages nearest to the vector, with their cosine similarity."""
        nearest: list[tuple[str, float]] = []
        # The nearest of all are among the nearest of each piece of a long article list.
        for piece in selection.pieces(self._piece_size()):
            found = self._passages.query(
                query_embeddings=[vector],
                n_results=limit,
                where=where(piece),
                include=["distances"],
            )
            nearest += [
                (pid, 1.0 - distance)
                for pid, distance in zip(found["ids"][0], found["distances"][0], strict=True)
            ]
        return sorted(nearest, key=lambda found: -found[1])[:limit]

    @reaching_store
    def passages(self, passage_ids: Sequence[str]) -> list[StoredPassage]:
        """These passages with their vectors, in the order asked."""
        include = ["documents", "metadatas", "embeddings"]
        records = {
            record.passage.id: record
            for page in self._read(self._passages, include, ids=passage_ids)
            for record in stored_passages(page)
        }
        return [records[pid] for pid in passage_ids if pid in records]

    @reaching_store
    def passage_vectors(self, passage_ids: Sequence[str]) -> dict[str, np.ndarray]:
        """The vectors of these passages."""
        return {
            pid: np.asarray(vector)
            for page in self._read(self._passages, ["embeddings"], ids=passage_ids)
            for pid, vector in zip(page["ids"], page["embeddings"], strict=True)
        }

    @reaching_store
    def sentence_vectors(self, passage_ids: Sequence[str]) -> dict[str, np.ndarray]:
        """The stored sentence vectors of each of these passages that has them."""
        return {
            pid: unpacked(meta["vectors"], meta["rows"])
            for page in self._read(self._sentences, ["metadatas"], ids=passage_ids)
            for pid, meta in zip(page["ids"], page["metadatas"], strict=True)
        }

    @reaching_store
    def sentence_parses(self, texts: Mapping[str, str]) -> dict[str, list[ParsedSentence]]:
        """The stored parses of each of these passages (id: text) that has them."""
        return {
            pid: unpacked_parses(meta["parses"], sentences(texts[pid]))
            for page in self._read(self._sentences, ["metadatas"], ids=list(texts))
            for pid, meta in zip(page["ids"], page["metadatas"], strict=True)
            if "parses" in meta
        }

    @reaching_store
    def passages_of(self, article_ids: Sequence[str]) -> list[StoredPassage]:
        """Every passage of these articles with its vector, by article and ordinal."""
        include = ["documents", "metadatas", "embeddings"]
        records = [
            record
            for ids in self._pieces(article_ids)
            for page in self._read(self._passages, include, where={"article_id": {"$in": ids}})
            for record in stored_passages(page)
        ]
        return sorted(records, key=lambda r: (r.passage.article_id, r.passage.ordinal))
