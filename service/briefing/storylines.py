"""Grouping articles into storylines by their vectors.

Syndicated copies (cosine similarity >= `duplicate_similarity`) merge into the first of them;
the rest are clustered by average-linkage agglomerative clustering on cosine distance, cut at
`max_distance`. Storylines are ordered by importance: articles (copies included), then the
newest date in them.
"""

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
from sklearn.cluster import AgglomerativeClustering

from service.domain import StoredArticle


@dataclass
class Storyline:
    articles: list[StoredArticle]
    """Most central first; syndicated copies are not here but in `copies`."""
    centroid: np.ndarray
    copies: dict[str, list[str]] = field(default_factory=dict)
    """Article id -> ids of the copies merged into it."""

    @property
    def size(self) -> int:
        return len(self.articles) + sum(len(ids) for ids in self.copies.values())

    @property
    def latest(self) -> dt.date:
        return max((article.date or dt.date.min for article in self.articles), default=dt.date.min)

    @property
    def label(self) -> str:
        lead = self.articles[0]
        return lead.title or lead.id


def group_storylines(
    articles: list[tuple[StoredArticle, np.ndarray]],
    *,
    duplicate_similarity: float,
    max_distance: float,
) -> list[Storyline]:
    """Storylines, most important first."""
    kept: list[tuple[StoredArticle, np.ndarray]] = []
    copies: dict[str, list[str]] = {}
    for article, vector in articles:
        original = next((a for a, v in kept if float(v @ vector) >= duplicate_similarity), None)
        if original is None:
            kept.append((article, vector))
        else:
            copies.setdefault(original.id, []).append(article.id)
    if not kept:
        return []

    vectors = np.stack([vector for _, vector in kept])
    labels = np.zeros(len(kept), dtype=int)
    if len(kept) > 1:
        labels = AgglomerativeClustering(
            n_clusters=None, metric="cosine", linkage="average", distance_threshold=max_distance
        ).fit_predict(vectors)

    storylines = []
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        centroid = vectors[members].mean(axis=0)
        centroid /= np.linalg.norm(centroid) or 1.0
        ordered = sorted(members, key=lambda i: float(vectors[i] @ centroid), reverse=True)
        chosen = [kept[i][0] for i in ordered]
        storylines.append(
            Storyline(
                articles=chosen,
                centroid=centroid,
                copies={a.id: copies[a.id] for a in chosen if a.id in copies},
            )
        )
    return sorted(storylines, key=lambda s: (s.size, s.latest), reverse=True)
