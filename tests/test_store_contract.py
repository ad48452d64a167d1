"""One contract, two stores: the real ChromaStore and the in-memory one tests may use instead.

The filter's rules are written once (`ArticleFilter.conditions`) and translated by each
backend: Chroma's `where`, the keyword index's masks, the in-memory predicate. Here all of them
must let the same articles through.
"""

import dataclasses
import datetime as dt
import time
from pathlib import Path

import numpy as np
import pytest

from service.components import Components
from service.domain import ArticleFilter, ArticleRef, Store, Watch, WatchItem, article_id_of
from service.ingestion import Ingestor
from service.loading import article_from_record, load_paths
from service.retrieval import ArticleCatalogue, KeywordIndex
from service.text import sentences
from tests.conftest import ALASKA_ARTICLE, BLINKEN_ARTICLE, EXPORT_ARTICLE
from tests.memory_store import InMemoryStore

# No date, no source: outside every date range and every source filter.
UNDATED = {"id": "undated", "text": "China and the US held talks in a city it does not name."}

FILTERS = [
    ArticleFilter(),
    ArticleFilter(date_from=dt.date(2022, 1, 1)),
    ArticleFilter(date_to=dt.date(2022, 1, 1)),
    ArticleFilter(date_from=dt.date(2021, 1, 1), date_to=dt.date(2021, 12, 31)),
    ArticleFilter(sources=["MENAFN"]),
    ArticleFilter(sources=["MENAFN", "The Financial Times"]),
    ArticleFilter(article_ids=[BLINKEN_ARTICLE, ALASKA_ARTICLE]),
    ArticleFilter(sources=["The Financial Times"], date_to=dt.date(2021, 12, 31)),
    ArticleFilter(date_from=dt.date(2030, 1, 1)),
]


@pytest.fixture(params=["chroma", "memory"])
def store(request, components: Components, seeds_dir: Path) -> Store:
    store = components.store if request.param == "chroma" else InMemoryStore()
    ingestor = Ingestor(
        store=store,
        embedder=components.embedder,
        parser=components.sentence_parses.parser,
        splitter=components.splitter,
        batch_articles=8,
    )
    assert ingestor.ingest(load_paths([seeds_dir], max_bytes=1_000_000)).new == 3
    assert ingestor.ingest([article_from_record(UNDATED, max_bytes=1_000)]).new == 1
    return store


def test_written_articles_read_back_with_exact_spans(store: Store):
    articles, passages = store.counts()
    assert articles == 4 and passages == len(store.all_passages())
    blinken = store.get(BLINKEN_ARTICLE)
    assert blinken.passage_count == len(blinken.passages) > 0
    assert all(blinken.text[p.start : p.end] == p.text for p in blinken.passages)
    assert [p.ordinal for p in blinken.passages] == list(range(len(blinken.passages)))
    assert set(store.fingerprints([BLINKEN_ARTICLE, "nope"])) == {BLINKEN_ARTICLE}
    assert store.get("nope") is None


def test_passages_come_in_the_order_asked_with_vectors(store: Store):
    ids = [p.passage.id for p in store.passages_of([EXPORT_ARTICLE, BLINKEN_ARTICLE])]
    asked = [ids[-1], "missing#00000", ids[0]]
    found = store.passages(asked)
    assert [p.passage.id for p in found] == [ids[-1], ids[0]]
    assert all(p.vector is not None and abs(float(p.vector @ p.vector) - 1) < 1e-4 for p in found)


def test_passage_vectors_are_the_passages_vectors_alone(store: Store):
    ids = [p.passage.id for p in store.passages_of([EXPORT_ARTICLE])]
    vectors = store.passage_vectors([ids[0], "missing#00000", ids[-1]])
    assert list(vectors) == [ids[0], ids[-1]]
    for record in store.passages([ids[0], ids[-1]]):
        assert np.allclose(vectors[record.passage.id], record.vector)


@pytest.mark.parametrize("selection", FILTERS, ids=str)
def test_every_backend_applies_a_filter_alike(store: Store, selection: ArticleFilter):
    _, listed = ArticleCatalogue(store).page(selection, limit=100, offset=0)
    expected = {article.id for article in listed}
    vectors = {article.id for article, _ in store.article_vectors(selection)}
    probe = store.passages_of([BLINKEN_ARTICLE])[0].vector
    nearest = store.nearest_passages(probe, limit=100, selection=selection)
    keyword = KeywordIndex(store).search("China", limit=100, selection=selection)

    def owners(hits):
        return {article_id_of(pid) for pid, _ in hits}

    assert vectors == expected
    assert owners(nearest) == expected
    assert owners(keyword) == expected  # every seed mentions China


def test_articles_are_listed_newest_first_undated_last(store: Store):
    catalogue = ArticleCatalogue(store)
    total, page = catalogue.page(ArticleFilter(), limit=2, offset=0)
    assert total == 4 and [a.id for a in page] == [EXPORT_ARTICLE, BLINKEN_ARTICLE]
    _, rest = catalogue.page(ArticleFilter(), limit=2, offset=2)
    assert [a.id for a in rest] == [ALASKA_ARTICLE, UNDATED["id"]]


def test_delete_removes_article_and_passages_and_moves_the_revision(store: Store):
    before = store.revision()
    assert store.delete(BLINKEN_ARTICLE) is True
    assert store.get(BLINKEN_ARTICLE) is None and store.revision() != before
    assert not store.passages_of([BLINKEN_ARTICLE])
    assert store.delete(BLINKEN_ARTICLE) is False


def test_each_passage_keeps_the_vectors_of_its_sentences(store: Store, components: Components):
    passages = store.passages_of([BLINKEN_ARTICLE])
    assert store.sentence_vectors([]) == {}
    kept = store.sentence_vectors([p.passage.id for p in passages] + ["missing#00000"])
    assert set(kept) == {p.passage.id for p in passages}
    for stored in passages:
        texts = sentences(stored.passage.text)
        fresh = components.embedder.embed(texts)
        rows = kept[stored.passage.id]
        assert rows.shape == fresh.shape
        assert np.allclose((rows * fresh).sum(axis=1), 1.0, atol=1e-3)  # float16 keeps cosine
    store.delete(BLINKEN_ARTICLE)
    assert store.sentence_vectors([p.passage.id for p in passages]) == {}


def test_writes_and_deletes_are_logged_and_the_log_is_kept_a_day(
    store: Store, monkeypatch: pytest.MonkeyPatch
):
    start_us = time.time_ns() // 1000 - 1
    store.delete(BLINKEN_ARTICLE)
    logged = store.changes_since(start_us)
    assert [c.article_ids for c in logged] == [(BLINKEN_ARTICLE,)]
    earlier = store.changes_since(0)
    assert {a for c in earlier for a in c.article_ids} >= {EXPORT_ARTICLE, UNDATED["id"]}

    two_days_on = time.time_ns() + 2 * 86_400 * 10**9
    monkeypatch.setattr(time, "time_ns", lambda: two_days_on)
    store.delete(EXPORT_ARTICLE)
    assert [c.article_ids for c in store.changes_since(0)] == [(EXPORT_ARTICLE,)]


def test_watches_and_their_items_are_kept_and_removed_together(store: Store):
    first = Watch(
        "w1", "harbour bridge", ("Coastal Times",), "http://127.0.0.1:9/hook", "2024-01-01"
    )
    second = Watch("w2", "ferry strike", (), None, "2024-01-02")
    store.save_watch(second)
    store.save_watch(first)
    assert store.watches() == [first, second]
    renamed = dataclasses.replace(first, topic="the harbour bridge")
    store.save_watch(renamed)
    assert store.watches() == [renamed, second]

    article = ArticleRef("bridge-1", "Bridge approved", "Coastal Times", dt.date(2024, 3, 4), None)
    older = WatchItem("w1", article, "Approved [1].", "Approved.", 0, 9, "2024-03-04T10:00:00")
    newer = dataclasses.replace(
        older, article=dataclasses.replace(article, article_id="bridge-2"), found_at="2024-03-05"
    )
    store.add_watch_items([older, newer])
    store.add_watch_items([dataclasses.replace(older, text="Approved again [1].")])
    items = store.watch_items("w1", limit=10)
    assert [i.article.article_id for i in items] == ["bridge-2", "bridge-1"]
    assert items[1].text == "Approved again [1]." and items[1].article == article
    assert store.watch_items("w1", limit=1) == items[:1]
    assert store.watch_items("w2", limit=10) == []

    assert store.delete_watch("w1") is True
    assert store.delete_watch("w1") is False
    assert store.watches() == [second] and store.watch_items("w1", limit=10) == []


def test_each_passage_keeps_the_parses_of_its_sentences(store: Store, components: Components):
    passages = store.passages_of([BLINKEN_ARTICLE])
    texts = {p.passage.id: p.passage.text for p in passages}
    kept = store.sentence_parses(texts | {"missing#00000": "Nothing here."})
    assert set(kept) == set(texts)
    parser = components.sentence_parses.parser
    for pid, text in texts.items():
        assert kept[pid] == parser.parse(sentences(text))
    store.delete(BLINKEN_ARTICLE)
    assert store.sentence_parses(texts) == {}
