"""The embedder as the service uses it: the real model, behind one encoding thread."""

from concurrent.futures import ThreadPoolExecutor

import numpy as np

from service.embedding import SerialEmbedder

TEXTS = [
    "Blinken met Xi Jinping in Beijing.",
    "China's exports fell as demand weakened.",
    "US and Chinese officials held talks in Alaska.",
    "The Quad leaders met for their first summit.",
]


def test_concurrent_requests_get_their_own_vectors(embedder: SerialEmbedder):
    alone = {text: embedder.embed([text])[0] for text in TEXTS}
    requests = [[TEXTS[i % 4], TEXTS[(i + 1) % 4]] for i in range(24)]
    with ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(pool.map(embedder.embed, requests))
    for texts, vectors in zip(requests, answers, strict=True):
        assert vectors.shape == (2, embedder.dimension)
        for text, vector in zip(texts, vectors, strict=True):
            assert np.allclose(vector, alone[text], atol=1e-5)
    assert embedder.embed([]).shape == (0, embedder.dimension)
