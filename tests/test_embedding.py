"""The embedder as the service uses it: the real model, behind one encoding thread."""

from concurrent.futures import ThreadPoolExecutor

import numpy as np

from service.answering.reading import Answerability, Reader
from service.components import Components
from service.domain import ArticleFilter
from service.embedding import SentenceVectors, SerialEmbedder
from service.parsing import SentenceParses, load_parser

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


def test_the_sentence_cache_is_bounded_and_drops_the_least_recently_used(embedder):
    class Counting:
        dimension = embedder.dimension

        def __init__(self):
            self.embedded: list[str] = []

        def embed(self, texts):
            self.embedded += texts
            return embedder.embed(texts)

    counting = Counting()
    vectors = SentenceVectors(counting, capacity=3)
    first = vectors.of(TEXTS[:3])
    vectors.of([TEXTS[0]])  # now the most recently used
    vectors.of([TEXTS[3]])  # over capacity: TEXTS[1], the least recently used, goes
    assert len(vectors) == 3
    counting.embedded.clear()
    again = vectors.of(TEXTS)
    assert counting.embedded == [TEXTS[1]], "only the dropped sentence is embedded again"
    assert np.allclose(again[:3], first, atol=1e-5)


def test_answering_reads_the_sentence_vectors_stored_at_ingest(seeded: Components):
    question = "Who did Blinken meet in Beijing?"
    passages = seeded.retriever.search(question, k=4, selection=ArticleFilter())
    stored = SentenceVectors(seeded.embedder, capacity=1000, stored=seeded.store.sentence_vectors)
    encoded_now = SentenceVectors(seeded.embedder, capacity=1000)
    answerability = Answerability.load()
    parses = SentenceParses(load_parser(None), capacity=1000)
    from_store = Reader(stored, parses, answerability).read(question, passages).sentences
    from_model = Reader(encoded_now, parses, answerability).read(question, passages).sentences
    assert stored.computed == 1, "only the question is encoded while it waits"
    assert encoded_now.computed == 1 + len({s.text for s in from_model})
    assert [s.text for s in from_store] == [s.text for s in from_model]
    assert np.allclose([s.score for s in from_store], [s.score for s in from_model], atol=1e-3)
