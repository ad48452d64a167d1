"""The keyword index: BM25's numbers, applied as changes, saved and caught up across processes."""

import json
import time
from pathlib import Path

import bm25s
import numpy as np
import pytest
import Stemmer

from service.components import Components, build_components
from service.domain import ArticleFilter
from service.retrieval import KeywordIndex, following, keyword
from service.retrieval.keyword import K1, B
from service.store import changes as store_changes
from service.text import terms, terms_of
from tests.conftest import ALASKA_ARTICLE, BLINKEN_ARTICLE
from tests.test_retrieval import ingest_records

EVERYTHING = ArticleFilter()
QUERIES = ["China exports", "Blinken Xi Beijing", "COVAX vaccine doses", "talks in Alaska"]
STEMMER = Stemmer.Stemmer("english")
AIRSHIP = {"id": "airship", "text": "A zeppelin landed at the harbour. China watched."}


class CountingStore:
    """The store, counting how often the whole of it is read."""

    def __init__(self, store):
        self._store = store
        self.read_everything = 0
        self.compared_everything = 0
        self.read_articles: list[str] = []

    def all_fingerprints(self):
        self.compared_everything += 1
        return self._store.all_fingerprints()

    def all_passages(self):
        self.read_everything += 1
        return self._store.all_passages()

    def passages_of(self, article_ids):
        self.read_articles += article_ids
        return self._store.passages_of(article_ids)

    def __getattr__(self, name):
        return getattr(self._store, name)


def test_terms_are_what_bm25s_tokenize_gives():
    """`terms` reimplements bm25s's tokenizer for speed; the keyword index must not notice."""
    fixtures = Path(__file__).parent / "fixtures/wikipedia_articles.jsonl"
    texts = [json.loads(line)["text"] for line in fixtures.read_text().splitlines()]
    texts += [
        ALASKA_ARTICLE,
        BLINKEN_ARTICLE,
        "",
        "A I",
        "Don't STOP the Zürich-bound 3,400 trains!",
    ]
    # Full-width digits, a ligature, a curly apostrophe: what Unicode-aware \w does with them.
    texts += ["na\u00efve caf\u00e9 \u2014 \ufb01nance \uff12\uff10\uff12\uff12 doesn\u2019t"]
    expected = bm25s.tokenize(
        texts, stopwords="en", stemmer=STEMMER, return_ids=False, show_progress=False
    )
    assert terms_of(texts) == expected
    assert [terms(text) for text in texts] == expected


def bm25s_scores(components: Components, query: str) -> dict[str, float]:
    """What bm25s, built afresh over the stored passages, scores the query."""
    passages = components.store.all_passages()
    index = bm25s.BM25(k1=K1, b=B, method="lucene")
    index.index(terms_of([p.passage.text for p in passages]), show_progress=False)
    scores = index.get_scores(terms(query))
    return {p.passage.id: float(s) for p, s in zip(passages, scores, strict=True) if s > 0}


def assert_same_as_bm25s(index: KeywordIndex, components: Components) -> None:
    for query in QUERIES:
        expected = bm25s_scores(components, query)
        found = dict(index.search(query, limit=1000, selection=EVERYTHING))
        assert found.keys() == expected.keys(), query
        assert np.allclose([found[k] for k in expected], list(expected.values()), rtol=1e-4)


def test_scores_are_bm25s_scores_before_and_after_changes(seeded: Components):
    index = KeywordIndex(seeded.store)
    assert_same_as_bm25s(index, seeded)
    ingest_records(seeded, AIRSHIP)
    seeded.ingestor.delete(ALASKA_ARTICLE)
    # Document frequencies and the mean length now count the live passages only.
    assert_same_as_bm25s(index, seeded)


def test_changes_are_applied_without_reading_every_passage_again(seeded: Components):
    store = CountingStore(seeded.store)
    index = KeywordIndex(store)
    index.refresh()
    assert store.read_everything == 1
    ingest_records(seeded, AIRSHIP)
    assert [pid for pid, _ in index.search("zeppelin", limit=5, selection=EVERYTHING)] == [
        "airship#00000"
    ]
    seeded.ingestor.delete(BLINKEN_ARTICLE)
    assert not any(
        pid.startswith(BLINKEN_ARTICLE)
        for pid, _ in index.search("Blinken", limit=50, selection=EVERYTHING)
    )
    assert store.read_everything == 1
    assert store.read_articles == ["airship"], "only the new article's passages were read"
    assert store.compared_everything == 1, "after the first look, only the change log is read"


def test_a_saved_index_loads_and_catches_up_with_another_writer(
    seeded: Components, settings, embedder, tmp_path: Path
):
    saved = tmp_path / "keyword"
    KeywordIndex(seeded.store, path=saved).refresh()
    assert (saved / "keyword.npz").exists()

    replica = build_components(settings, embedder=embedder)  # another process, same index
    ingest_records(replica, AIRSHIP)
    replica.ingestor.delete(ALASKA_ARTICLE)

    store = CountingStore(seeded.store)
    restarted = KeywordIndex(store, path=saved)
    assert restarted.search("zeppelin", limit=5, selection=EVERYTHING)[0][0] == "airship#00000"
    assert not restarted.search("COVAX", limit=5, selection=EVERYTHING)
    assert store.read_everything == 0 and store.read_articles == ["airship"]
    assert_same_as_bm25s(restarted, seeded)


@pytest.mark.parametrize("damage", [b"", b"not an npz file"])
def test_a_damaged_saved_index_is_built_afresh(seeded: Components, tmp_path: Path, damage):
    (tmp_path / "keyword.npz").write_bytes(damage)
    index = KeywordIndex(seeded.store, path=tmp_path)
    assert_same_as_bm25s(index, seeded)


def test_merging_drops_masked_passages_and_keeps_the_scores(
    seeded: Components, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(keyword, "SAVE_EVERY_S", 0.0)  # every change saved, so merged
    index = KeywordIndex(seeded.store, path=tmp_path)
    index.refresh()
    ingest_records(seeded, AIRSHIP)
    seeded.ingestor.delete(ALASKA_ARTICLE)
    assert_same_as_bm25s(index, seeded)
    ingest_records(seeded, AIRSHIP | {"text": "A zeppelin left the harbour for Alaska."})
    assert_same_as_bm25s(index, seeded)
    assert_same_as_bm25s(KeywordIndex(seeded.store, path=tmp_path), seeded)


def test_a_writer_whose_clock_is_behind_is_not_missed(
    seeded: Components, monkeypatch: pytest.MonkeyPatch
):
    index = KeywordIndex(seeded.store)
    index.refresh()
    real_time_ns = time.time_ns
    behind = real_time_ns() - (following.CLOCK_SKEW_S - 60) * 10**9
    monkeypatch.setattr(store_changes.time, "time_ns", lambda: behind)
    ingest_records(seeded, AIRSHIP)  # logged as if four minutes ago
    monkeypatch.setattr(store_changes.time, "time_ns", real_time_ns)
    assert index.search("zeppelin", limit=5, selection=EVERYTHING)[0][0] == "airship#00000"
