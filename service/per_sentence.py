"""What the reading step knows of each sentence of the passages it reads (its vector, its
parse): kept with the passage at ingest and read from the store, else computed while the
question waits, and remembered in a cache of the last few thousand sentences."""

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from service.domain import RetrievedPassage
from service.text import sentences

T = TypeVar("T")


class PerSentence(Generic[T]):
    """One `T` per sentence text. A cache keeps at most `capacity`, least recently used
    dropped first: a request reads the same passage sentences for choosing and for checking,
    and popular passages recur across requests. `stored` reads what was kept with passages
    (given {passage id: text}, one item per sentence of each passage's text, in order);
    passages stored before it was kept have their sentences computed now by `compute`."""

    def __init__(
        self,
        compute: Callable[[list[str]], Sequence[T]],
        *,
        capacity: int,
        stored: Callable[[dict[str, str]], dict[str, Sequence[T]]] | None = None,
    ):
        self._compute = compute
        self._capacity = capacity
        self._stored = stored
        self._cache: OrderedDict[str, T] = OrderedDict()
        self._lock = threading.Lock()
        self.computed = 0
        """How many sentences were computed rather than found: for tests and benchmarks."""

    def __len__(self) -> int:
        return len(self._cache)

    def items(self, texts: Sequence[str], passages: Sequence[RetrievedPassage] = ()) -> list[T]:
        """One item per text, in order; sentences of `passages` are looked up first among
        those stored with them."""
        known = self._cached(texts)
        missing = [text for text in dict.fromkeys(texts) if text not in known]
        if missing and passages and self._stored:
            known |= self._remember(self._stored_for(passages, set(missing)))
            missing = [text for text in missing if text not in known]
        if missing:
            computed = self._compute(missing)
            self.computed += len(missing)
            known |= self._remember(dict(zip(missing, computed, strict=True)))
        return [known[text] for text in texts]

    def _cached(self, texts: Sequence[str]) -> dict[str, T]:
        with self._lock:
            known = {text: self._cache[text] for text in texts if text in self._cache}
            for text in known:
                self._cache.move_to_end(text)
        return known

    def _stored_for(self, passages: Sequence[RetrievedPassage], wanted: set[str]) -> dict[str, T]:
        split = {p.passage_id: sentences(p.text) for p in passages}
        needed = {
            p.passage_id: p.text for p in passages if wanted.intersection(split[p.passage_id])
        }
        found: dict[str, T] = {}
        for pid, kept in self._stored(needed).items():
            # A passage split differently than when it was stored is computed instead.
            if len(kept) == len(split[pid]):
                found |= zip(split[pid], kept, strict=True)
        return found

    def _remember(self, items: dict[str, T]) -> dict[str, T]:
        with self._lock:
            self._cache.update(items)
            while len(self._cache) > self._capacity:
                self._cache.popitem(last=False)
        return items
