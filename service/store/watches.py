"""Watched topics and their items (`<prefix>_watches`)."""

import json
from collections.abc import Sequence

from service.domain import (
    Watch,
    WatchItem,
    watch_item_fields,
    watch_item_from_fields,
)
from service.store.base import ChromaBase, reaching_store
from service.store.convert import (
    watch_of,
    watch_record,
)


class WatchRecords(ChromaBase):
    @reaching_store
    def save_watch(self, watch: Watch) -> None:
        self._collections().watches.upsert(
            ids=[f"watch:{watch.id}"],
            documents=[json.dumps(watch_record(watch))],
            metadatas=[{"kind": "watch"}],
            embeddings=[[1.0]],
        )

    @reaching_store
    def watches(self) -> list[Watch]:
        pages = self._read(self._collections().watches, ["documents"], where={"kind": "watch"})
        watches = [
            watch_of(json.loads(document)) for page in pages for document in page["documents"]
        ]
        return sorted(watches, key=lambda watch: (watch.created_at, watch.id))

    @reaching_store
    def delete_watch(self, watch_id: str) -> bool:
        collection = self._collections().watches
        if not collection.get(ids=[f"watch:{watch_id}"], include=[])["ids"]:
            return False
        collection.delete(where={"watch_id": watch_id})
        collection.delete(ids=[f"watch:{watch_id}"])
        return True

    @reaching_store
    def add_watch_items(self, items: Sequence[WatchItem]) -> None:
        if not items:
            return
        self._collections().watches.upsert(
            ids=[f"item:{item.watch_id}:{item.article.article_id}" for item in items],
            documents=[json.dumps(watch_item_fields(item)) for item in items],
            metadatas=[{"kind": "item", "watch_id": item.watch_id} for item in items],
            embeddings=[[1.0]] * len(items),
        )

    @reaching_store
    def watch_items(self, watch_id: str, *, limit: int) -> list[WatchItem]:
        pages = self._read(self._collections().watches, ["documents"], where={"watch_id": watch_id})
        items = [
            watch_item_from_fields(json.loads(document))
            for page in pages
            for document in page["documents"]
        ]
        return sorted(items, key=lambda item: item.found_at, reverse=True)[:limit]
