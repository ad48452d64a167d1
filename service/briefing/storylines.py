"""Grouping articles into storylines by their vectors.

Syndicated copies (cosine similarity >= `duplicate_similarity`) merge into the first of them;
the rest are clustered by average-linkage agglomerative clustering on cosine distance, cut at
`max_distance`, in bounded batches for long periods (`_clusters`). Which storylines matter
most is `ranking.py`'s to say.
"""

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
from sklearn.cluster import AgglomerativeClustering

from service.domain import ContestedFigure, StoredArticle

# Articles clustered in one go: the clustering's memory and time grow with its square (2,000
# articles: 16 MB of distances, about a second).
MAX_CLUSTERED_AT_ONCE = 2_000


@dataclass
class Storyline:
    articles: list[StoredArticle]
    """Most central first; syndicated copies are not here but in `copies`."""
    centroid: np.ndarray
    copies: dict[str, list[str]] = field(default_factory=dict)
    """Article id -> ids of the copies merged into it."""
    sources: list[str] = field(default_factory=list)
    """The distinct sources reporting it, copies included, in order of first appearance."""
    dates: list[dt.date] = field(default_factory=list)
    """Its articles' dates, copies included, earliest first."""
    figures: list[ContestedFigure] = field(default_factory=list)
    """Its figures that reports give differently, or that changed: read when it is briefed."""

    @property
    def size(self) -> int:
        return len(self.articles) + sum(len(ids) for ids in self.copies.values())

    @property
    def first(self) -> dt.date | None:
        return self.dates[0] if self.dates else None

    @property
    def last(self) -> dt.date | None:
        return self.dates[-1] if self.dates else None

    @property
    def latest(self) -> dt.date:
        return self.last or dt.date.min

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
    """The articles' storylines, in no particular order."""
    kept: list[tuple[StoredArticle, np.ndarray]] = []
    copies: dict[str, list[StoredArticle]] = {}
    for start in range(0, len(articles), MAX_CLUSTERED_AT_ONCE):
        batch = articles[start : start + MAX_CLUSTERED_AT_ONCE]
        batch_kept, batch_copies = merge_copies(batch, duplicate_similarity)
        kept += batch_kept
        copies |= batch_copies
    if not kept:
        return []

    vectors = np.stack([vector for _, vector in kept]).astype(np.float32)
    storylines = []
    for members in _clusters(vectors, max_distance):
        centroid = vectors[members].mean(axis=0)
        centroid /= np.linalg.norm(centroid) or 1.0
        ordered = sorted(members, key=lambda i: float(vectors[i] @ centroid), reverse=True)
        chosen = [kept[i][0] for i in ordered]
        reporting = chosen + [copy for a in chosen for copy in copies.get(a.id, [])]
        storylines.append(
            Storyline(
                articles=chosen,
                centroid=centroid,
                copies={a.id: [c.id for c in copies[a.id]] for a in chosen if a.id in copies},
                sources=list(dict.fromkeys(a.source for a in reporting if a.source)),
                dates=sorted(a.date for a in reporting if a.date),
            )
        )
    return storylines


def merge_copies(
    articles: list[tuple[StoredArticle, np.ndarray]], duplicate_similarity: float
) -> tuple[list[tuple[StoredArticle, np.ndarray]], dict[str, list[StoredArticle]]]:
    """The articles that are no copy of an earlier one (cosine similarity of their vectors
    under `duplicate_similarity`), and each one's copies."""
    if not articles:
        return [], {}
    vectors = np.stack([vector for _, vector in articles]).astype(np.float32)
    similar = vectors @ vectors.T >= duplicate_similarity
    is_kept = np.zeros(len(articles), dtype=bool)
    copies: dict[str, list[StoredArticle]] = {}
    for i, (article, _) in enumerate(articles):
        originals = np.flatnonzero(is_kept[:i] & similar[:i, i])
        if originals.size:
            copies.setdefault(articles[originals[0]][0].id, []).append(article)
        else:
            is_kept[i] = True
    return [articles[i] for i in np.flatnonzero(is_kept)], copies


def _clusters(vectors: np.ndarray, max_distance: float) -> list[np.ndarray]:
    """Groups of row indices: average-linkage agglomerative clustering on cosine distance, cut
    at `max_distance`. Its memory and time grow with the square of the rows, so beyond
    MAX_CLUSTERED_AT_ONCE rows each batch is clustered alone, and the batches' clusters join
    across batches one by one (the biggest first), each to the group whose centroid is nearest
    if within `max_distance`, else as a group of its own: a story told across batches is one,
    at a cost that grows with the rows times the groups."""
    if len(vectors) == 1:
        return [np.array([0])]
    if len(vectors) <= MAX_CLUSTERED_AT_ONCE:
        labels = AgglomerativeClustering(
            n_clusters=None, metric="cosine", linkage="average", distance_threshold=max_distance
        ).fit_predict(vectors)
        return [np.flatnonzero(labels == label) for label in np.unique(labels)]
    batches = [
        start + members
        for start in range(0, len(vectors), MAX_CLUSTERED_AT_ONCE)
        for members in _clusters(vectors[start : start + MAX_CLUSTERED_AT_ONCE], max_distance)
    ]
    groups: list[list[np.ndarray]] = []
    sums: list[np.ndarray] = []  # each group's vector sum: its centroid, unnormalised
    for members in sorted(batches, key=len, reverse=True):
        total = vectors[members].sum(axis=0)
        if groups:
            centroids = np.stack(sums)
            centroids /= np.linalg.norm(centroids, axis=1, keepdims=True)
            similarity = centroids @ (total / (np.linalg.norm(total) or 1.0))
            nearest = int(np.argmax(similarity))
            if 1 - similarity[nearest] <= max_distance:
                groups[nearest].append(members)
                sums[nearest] = sums[nearest] + total
                continue
        groups.append([members])
        sums.append(total)
    return [np.concatenate(parts) for parts in groups]
