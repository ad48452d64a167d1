"""A bulk write between two searches: more passages arrive than one SQLite statement may name
(32,766), on a local index and through a Chroma server with a replica following the writer; and
store reads that fail once while an index catches up, retried rather than lost."""

import string
import time
from collections.abc import Callable, Iterator

import numpy as np
import pytest
from chromadb.errors import InternalError
from fastapi.testclient import TestClient

from service import watches as watches_module
from service.api.app import create_app
from service.components import Components, build_components
from service.domain import Article, ArticleFilter, IndexedArticle, Passage, Store
from service.embedding import Embedder
from service.store import base as store_base
from tests.test_briefing import STORY_BEFORE
from tests.test_retrieval import ingest_records

# 42,000 passages: past SQLite's 32,766 values in one statement, where the catch-up failed.
BULK_ARTICLES, PASSAGES_EACH = 6_000, 7


def word(number: int) -> str:
    """A word of letters only that no other text holds, whose stem is itself: the number in
    base 26 between 'qz' and 'q' (as 'qzaed', 2132, it stemmed to 'qza', 0)."""
    letters = ""
    while True:
        number, digit = divmod(number, 26)
        letters += string.ascii_lowercase[digit]
        if not number:
            return f"qz{letters}q"


def bulk_write(store: Store, count: int, embedder: Embedder, *, first: int = 0) -> list[str]:
    """Write `count` articles of PASSAGES_EACH one-sentence passages straight into the store,
    as an ingest would: article `n`'s first passage alone holds word(n), and has its real
    vector; the others have random ones (embedding 42,000 passages takes half an hour here).
    Returns the article ids."""
    rng = np.random.default_rng(first)
    ids, batch = [], []
    for number in range(first, first + count):
        sentences = [f"Report {word(number)} filed." if n == 0 else "More news." for n in range(7)]
        text = " ".join(sentences)
        article = Article(id=f"bulk-{number}", text=text, body_end=len(text))
        passages, start = [], 0
        for ordinal, sentence in enumerate(sentences):
            passages.append(Passage(article.id, ordinal, start, start + len(sentence), sentence))
            start += len(sentence) + 1
        vectors = rng.normal(size=(PASSAGES_EACH, embedder.dimension)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        batch.append(
            IndexedArticle(article, f"fp-{number}", passages, vectors, [v[None] for v in vectors])
        )
        ids.append(article.id)
        if len(batch) == 1000:
            _write_with_real_first_vectors(store, batch, embedder)
            batch = []
    _write_with_real_first_vectors(store, batch, embedder)
    return ids


def _write_with_real_first_vectors(store: Store, batch: list, embedder: Embedder) -> None:
    firsts = embedder.embed([item.passages[0].text for item in batch])
    for item, vector in zip(batch, firsts, strict=True):
        item.vectors[0] = item.sentence_vectors[0][0] = vector
    store.write(batch)


def assert_found_by_their_words(client: TestClient, components: Components, ids: list[str]):
    """Every article's passages are in the keyword index, a search for its word finds it, and
    the catalogue lists every article."""
    held = components.keyword.passage_ids()
    assert all(f"{article_id}#00000" in held for article_id in ids)
    for article_id in ids[:: len(ids) // 12]:
        number = int(article_id.removeprefix("bulk-"))
        response = client.post("/search", json={"query": word(number), "k": 3})
        assert response.status_code == 200, response.text
        assert response.json()["passages"][0]["article_id"] == article_id
    assert client.get("/articles", params={"limit": 5}).json()["total"] == len(ids)
    health = client.get("/health").json()
    assert health["status"] == "ok"
    assert all(f["revision"] == health["store_revision"] for f in health["followers"])


def test_every_store_read_goes_in_pieces(components: Components, monkeypatch):
    """With pieces of 3, each read asks Chroma for at most 3 records and still returns all."""
    monkeypatch.setattr(store_base, "READ_PIECE", 3)
    ids = bulk_write(components.store, 4, components.embedder)
    passage_ids = [f"{a}#{n:05d}" for a in ids for n in range(PASSAGES_EACH)]
    asked: list[int] = []
    for name in ("articles", "passages", "sentences", "meta"):
        collection = getattr(components.store, f"_{name}")
        monkeypatch.setattr(collection, "get", counted(collection.get, asked))

    assert len(components.store.passages_of(ids)) == 28
    assert [p.passage.id for p in components.store.passages(passage_ids)] == passage_ids
    assert len(components.store.passage_vectors(passage_ids)) == 28
    assert len(components.store.sentence_vectors(passage_ids)) == 28
    assert set(components.store.fingerprints(ids)) == set(ids)
    assert [a.id for a in components.store.articles(ids)] == ids
    assert len(components.store.all_passages()) == 28
    assert len(components.store.article_vectors(ArticleFilter(article_ids=ids))) == 4
    assert len(components.store.get(ids[0]).passages) == 7
    assert asked and max(asked) <= 3
    vector = components.store.passage_vectors([passage_ids[9]])[passage_ids[9]]
    nearest = components.store.nearest_passages(
        vector, limit=2, selection=ArticleFilter(article_ids=ids)
    )
    assert nearest[0][0] == passage_ids[9] and len(nearest) == 2


def counted(get: Callable, asked: list[int]) -> Callable:
    def counting_get(*args, **kwargs):
        found = get(*args, **kwargs)
        asked.append(len(found["ids"]))
        return found

    return counting_get


def test_a_search_after_a_bulk_write_finds_every_new_article(settings, components):
    with TestClient(create_app(settings, components=components)) as client:
        assert client.post("/search", json={"query": "news"}).json()["passages"] == []
        ids = bulk_write(components.store, BULK_ARTICLES, components.embedder)
        assert_found_by_their_words(client, components, ids)


@pytest.fixture
def writer_and_replica(server_settings, embedder) -> Iterator[tuple[Components, Components]]:
    yield (
        build_components(server_settings, embedder=embedder),
        build_components(server_settings, embedder=embedder),
    )


def test_a_replica_catches_up_with_a_bulk_write_through_a_chroma_server(
    server_settings, writer_and_replica
):
    writer, replica = writer_and_replica
    with TestClient(create_app(server_settings, components=replica)) as client:
        assert client.post("/search", json={"query": "news"}).status_code == 200
        ids = bulk_write(writer.store, BULK_ARTICLES, writer.embedder)
        assert_found_by_their_words(client, replica, ids)


def test_the_server_follows_the_store_in_the_background(settings, components):
    """A bulk write by another process (here straight into the store), and no search: the
    server's following thread brings the keyword index and the article list in step."""
    following = settings.replace(follow_interval_s=0.2)
    with TestClient(create_app(following, components=components)) as client:
        ids = bulk_write(components.store, 300, components.embedder)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            health = client.get("/health").json()
            if not any(f["behind"] or f["catching_up"] for f in health["followers"]):
                break
            time.sleep(0.2)
        revisions = {f["revision"] for f in health["followers"]}
        assert revisions == {health["store_revision"]}, health
        assert components.keyword.status().revision == health["store_revision"]
        assert_found_by_their_words(client, components, ids)


class FailingOnce:
    """Makes a store method raise once, as Chroma did on a bulk catch-up, then work again."""

    def __init__(self, monkeypatch, store: Store, method: str):
        self.calls = 0
        real = getattr(store, method)

        def failing(*args, **kwargs):
            self.calls += 1
            if self.calls == 1:
                raise InternalError("Error executing plan: too many SQL variables")
            return real(*args, **kwargs)

        monkeypatch.setattr(store, method, failing)


def test_a_keyword_catch_up_that_fails_is_tried_again(client, seeded, monkeypatch):
    assert client.post("/search", json={"query": "Blinken"}).status_code == 200
    fault = FailingOnce(monkeypatch, seeded.store, "passages_of")
    ingest_records(seeded, {"id": "rare", "text": "The zeppelinhangar reopened on Monday."})

    first = client.post("/search", json={"query": "zeppelinhangar Blinken"})
    assert first.status_code == 200, "the index answers with what it holds"
    assert fault.calls == 1
    health = client.get("/health").json()
    keyword = health["followers"][0]
    assert health["status"] == "degraded" and keyword["behind"]
    assert "too many SQL variables" in keyword["error"]

    passages = client.post("/search", json={"query": "zeppelinhangar"}).json()["passages"]
    assert passages[0]["article_id"] == "rare"
    assert seeded.keyword.search("zeppelinhangar", limit=3, selection=ArticleFilter())
    health = client.get("/health").json()
    assert health["status"] == "ok" and not health["followers"][0]["behind"]
    assert health["followers"][0]["error"] is None


def test_a_catalogue_catch_up_that_fails_is_tried_again(client, seeded, monkeypatch):
    assert client.get("/articles").json()["total"] == 3
    FailingOnce(monkeypatch, seeded.store, "articles")
    ingest_records(seeded, {"id": "later", "date": "2030-01-01", "text": "A later report."})

    assert client.get("/articles").json()["total"] == 3, "the listing it held"
    assert client.get("/health").json()["followers"][1]["error"].startswith("InternalError")
    listed = client.get("/articles").json()
    assert listed["total"] == 4 and listed["articles"][0]["id"] == "later"


def test_a_watch_check_that_fails_is_tried_again(client, seeded, monkeypatch):
    monkeypatch.setattr(watches_module, "CHECK_BACKOFF_S", 0.01)
    watch = client.post("/watches", json={"topic": "the Elsworth ferry strike"}).json()
    fault = FailingOnce(monkeypatch, seeded.store, "watches")
    client.post("/articles", json={"articles": [STORY_BEFORE]})
    seeded.watches.wait()
    assert fault.calls == 2
    items = client.get(f"/watches/{watch['id']}/items").json()
    assert [item["article_id"] for item in items] == ["ferry-1"]
    assert client.get("/health").json()["watch_checks"] == {
        "pending": 0,
        "error": None,
        "failed_at": None,
    }
