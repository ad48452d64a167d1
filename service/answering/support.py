"""How well a passage sentence supports a claim: shared by the extractive answerer and the
citation check, so both judge support the same way."""

import re
import threading
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np

from service.embedding import Embedder
from service.retrieval.keyword import terms

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def term_overlap(claim_terms: set[str], source: str) -> float:
    """Share of a claim's keyword terms (`terms(claim)`: stemmed, no stopwords) that occur in
    the source. The caller computes them once for all the sources it compares."""
    if not claim_terms:
        return 0.0
    return len(claim_terms & set(terms(source))) / len(claim_terms)


def numbers_agree(claim: str, source: str) -> bool:
    """Every number in the claim occurs in the source: a cheap guard against altered figures."""
    source_numbers = {n.replace(",", "") for n in _NUMBER.findall(source)}
    return all(n.replace(",", "") in source_numbers for n in _NUMBER.findall(claim))


class SentenceVectors:
    """The embedder behind a bounded cache: a request embeds the same passage sentences for
    choosing and for checking, and popular passages recur across requests."""

    def __init__(self, embedder: Embedder, *, capacity: int = 20_000):
        self._embedder = embedder
        self._capacity = capacity
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def of(self, texts: Sequence[str]) -> np.ndarray:
        """One unit vector per text, in order."""
        if not texts:
            return np.zeros((0, self._embedder.dimension), dtype=np.float32)
        with self._lock:
            known = {text: self._cache[text] for text in texts if text in self._cache}
            for text in known:
                self._cache.move_to_end(text)
        missing = [text for text in dict.fromkeys(texts) if text not in known]
        if missing:
            computed = dict(zip(missing, self._embedder.embed(missing), strict=True))
            known |= computed
            with self._lock:
                self._cache.update(computed)
                while len(self._cache) > self._capacity:
                    self._cache.popitem(last=False)
        return np.stack([known[text] for text in texts])
