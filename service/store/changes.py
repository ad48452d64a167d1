"""The store's revision and change log (`<prefix>_meta`): what followers of the store read."""

import json
import time
import uuid

from service.domain import (
    CHANGE_LOG_DAYS,
    Change,
)
from service.store.base import ChromaBase, reaching_store

_REVISION = "revision"


class ChangeLog(ChromaBase):
    @reaching_store
    def revision(self) -> str:
        """Changes whenever any article is written or deleted, by this process or another."""
        found = self._meta.get(ids=[_REVISION], include=["documents"])
        return found["documents"][0] if found["ids"] else ""

    @reaching_store
    def changes_since(self, at_us: int) -> list[Change]:
        """The change log's entries from `at_us` on."""
        return [
            Change(change_id, meta["at_us"], tuple(json.loads(meta["articles"])))
            for page in self._read(self._meta, ["metadatas"], where={"at_us": {"$gte": at_us}})
            for change_id, meta in zip(page["ids"], page["metadatas"], strict=True)
        ]

    def _logged_change(self, article_ids: list[str]) -> None:
        """Log the change, drop entries past keeping, and move the revision."""
        now_us = time.time_ns() // 1000
        self._meta.add(
            ids=[f"change-{uuid.uuid4().hex}"],
            embeddings=[[1.0]],
            metadatas=[{"at_us": now_us, "articles": json.dumps(article_ids)}],
        )
        self._meta.delete(where={"at_us": {"$lt": now_us - CHANGE_LOG_DAYS * 86_400_000_000}})
        # A random value, not a counter: replicas writing at once need no read-modify-write.
        self._meta.upsert(ids=[_REVISION], documents=[uuid.uuid4().hex], embeddings=[[1.0]])
