"""Ingestion into a real Chroma index with the real model: re-ingest, update, delete, bad input."""

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from service.components import Components, build_components
from service.domain import ArticleFilter, LoadError, StoreError
from service.loading import article_from_record, load_paths
from service.store import ChromaStore, client_factory, where
from tests.conftest import ALASKA_ARTICLE, BLINKEN_ARTICLE, EXPORT_ARTICLE


def ingest(components: Components, *paths: Path):
    max_bytes = components.settings.ingestion.max_article_bytes
    return components.ingestor.ingest(load_paths(paths, max_bytes=max_bytes))


def stored_passages(components: Components) -> dict[str, list]:
    by_article = {}
    _, articles = components.catalogue.page(ArticleFilter(), limit=1000, offset=0)
    for summary in articles:
        by_article[summary.id] = components.store.get(summary.id).passages
    return by_article


def test_seeds_ingested_with_exact_spans_in_the_stored_text(components, seeds_dir):
    report = ingest(components, seeds_dir)
    assert (report.new, report.failed) == (3, 0)
    articles, passages = components.store.counts()
    assert articles == 3 and passages == report.passages_written
    for article_id in (BLINKEN_ARTICLE, ALASKA_ARTICLE, EXPORT_ARTICLE):
        stored = components.store.get(article_id)
        assert stored.passage_count == len(stored.passages) > 0
        for passage in stored.passages:
            assert stored.text[passage.start : passage.end] == passage.text
    blinken = components.store.get(BLINKEN_ARTICLE)
    assert blinken.text.endswith("All rights reserved."), (
        "boilerplate is kept in the stored article"
    )


def test_passages_are_searchable_by_meaning_in_cosine_space(components, seeds_dir, embedder):
    ingest(components, seeds_dir)
    collection = components.store._passages
    assert collection.metadata["hnsw:space"] == "cosine"
    query = embedder.embed(["Antony Blinken meets Xi Jinping in Beijing"])
    hits = collection.query(query_embeddings=query, n_results=1, include=["metadatas", "distances"])
    assert hits["metadatas"][0][0]["article_id"] == BLINKEN_ARTICLE
    assert 0 <= hits["distances"][0][0] < 1


def test_unchanged_reingest_embeds_nothing(components, seeds_dir, monkeypatch):
    ingest(components, seeds_dir)
    before = stored_passages(components)

    def refuse(texts):
        raise AssertionError("unchanged articles must not be embedded again")

    monkeypatch.setattr(components.embedder, "embed", refuse)
    report = ingest(components, seeds_dir)
    assert (report.new, report.unchanged, report.updated, report.passages_written) == (0, 3, 0, 0)
    assert stored_passages(components) == before


def test_changed_article_replaces_its_passages(components, seeds_dir):
    ingest(components, seeds_dir)
    path = seeds_dir / f"{EXPORT_ARTICLE}.txt"
    path.write_text(" date 2023-10-13 (MENAFN) A much shorter corrected version of the story.")
    report = ingest(components, seeds_dir)
    assert (report.updated, report.unchanged) == (1, 2)
    stored = components.store.get(EXPORT_ARTICLE)
    assert stored.date == dt.date(2023, 10, 13)
    assert [p.text for p in stored.passages] == ["A much shorter corrected version of the story."]
    assert components.store.counts()[1] == sum(len(p) for p in stored_passages(components).values())


def test_delete_removes_the_article_and_all_its_passages(components, seeds_dir):
    ingest(components, seeds_dir)
    others = {k: v for k, v in stored_passages(components).items() if k != BLINKEN_ARTICLE}
    assert components.ingestor.delete(BLINKEN_ARTICLE) is True
    assert components.store.get(BLINKEN_ARTICLE) is None
    remaining = components.store._passages.get(where={"article_id": BLINKEN_ARTICLE})
    assert remaining["ids"] == []
    assert stored_passages(components) == others
    assert components.ingestor.delete(BLINKEN_ARTICLE) is False


def test_bad_records_fail_alone_and_stored_articles_are_untouched(components, seeds_dir, tmp_path):
    ingest(components, seeds_dir)
    before = stored_passages(components)
    bad = tmp_path / "incoming.jsonl"
    bad.write_text(
        '{"id": "fresh", "text": "A new article about port strikes.", "date": "2022-02-02"}\n'
        f'{{"id": "{ALASKA_ARTICLE}", "text": ""}}\n'
        "{broken\n"
    )
    report = ingest(components, bad)
    assert (report.new, report.failed) == (1, 2)
    assert [e.where for e in report.errors] == [f"{bad}:2", f"{bad}:3"]
    after = stored_passages(components)
    assert after.pop("fresh")
    assert after == before


def test_same_article_twice_in_one_run_keeps_the_later_version(components):
    first = {"id": "dup", "text": "First version."}
    second = {"id": "dup", "text": "Second version."}
    items = [article_from_record(r, max_bytes=1000) for r in (first, second)]
    report = components.ingestor.ingest(items)
    assert (report.new, report.updated) == (1, 1)
    assert components.store.get("dup").text == "Second version."


def test_changing_passage_size_reindexes(settings, embedder, seeds_dir):
    ingest(build_components(settings, embedder=embedder), seeds_dir)
    smaller = build_components(settings.replace(passage_tokens=64), embedder=embedder)
    report = ingest(smaller, seeds_dir)
    assert report.updated == 3
    assert all(len(p) > 3 for p in stored_passages(smaller).values())


def test_date_and_source_filters(components, seeds_dir):
    ingest(components, seeds_dir)
    total, found = components.catalogue.page(
        ArticleFilter(date_from=dt.date(2023, 1, 1), date_to=dt.date(2023, 12, 31)),
        limit=10,
        offset=0,
    )
    assert total == 2 and {a.id for a in found} == {BLINKEN_ARTICLE, EXPORT_ARTICLE}
    total, found = components.catalogue.page(ArticleFilter(sources=["MENAFN"]), limit=10, offset=0)
    assert [a.id for a in found] == [EXPORT_ARTICLE]
    hits = components.store._passages.get(
        where=where(ArticleFilter(date_to=dt.date(2022, 1, 1))), include=["metadatas"]
    )
    assert {m["article_id"] for m in hits["metadatas"]} == {ALASKA_ARTICLE}


def test_article_record_holds_the_mean_passage_direction(components, seeds_dir):
    ingest(components, seeds_dir)
    record = components.store._articles.get(ids=[BLINKEN_ARTICLE], include=["embeddings"])
    vector = record["embeddings"][0]
    assert abs(sum(x * x for x in vector) - 1) < 1e-4


def test_index_built_with_another_model_is_refused(settings, components, seeds_dir):
    ingest(components, seeds_dir)
    other = ChromaStore(
        client_factory(settings.store.index_path, None, timeout_s=settings.store.chroma_timeout_s),
        prefix="newsdesk",
        embedding_model="other/model",
        kind="x",
    )
    with pytest.raises(StoreError, match="built with embedding model"):
        other.counts()


def test_write_batches_stay_under_the_client_limit(components, monkeypatch):
    opened = components.store._collections()
    monkeypatch.setattr(components.store, "_connection", dataclasses.replace(opened, max_batch=2))
    calls = []
    original_upsert = components.store._passages.upsert

    def counting_upsert(**kwargs):
        calls.append(len(kwargs["ids"]))
        return original_upsert(**kwargs)

    monkeypatch.setattr(components.store._passages, "upsert", counting_upsert)
    items = [
        article_from_record({"id": f"n{i}", "text": f"Note {i}."}, max_bytes=100) for i in range(5)
    ]
    components.ingestor.ingest(items)
    assert calls == [2, 2, 1]
    assert components.store.counts() == (5, 5)


def test_load_errors_pass_through_as_failures(components):
    report = components.ingestor.ingest([LoadError("x.txt", "empty text")])
    assert report.failed == 1 and report.errors[0].where == "x.txt"


def test_a_write_cut_off_before_the_article_record_is_repaired_by_the_next_ingest(
    components, seeds_dir, monkeypatch
):
    """The passages are written, then the process dies before the article record (the
    completion marker): the article is absent, and ingesting again replaces its passages."""

    def dies(**kwargs):
        raise KeyboardInterrupt("killed")

    monkeypatch.setattr(components.store._articles, "upsert", dies)
    with pytest.raises(KeyboardInterrupt):
        ingest(components, seeds_dir)
    monkeypatch.undo()
    articles, orphans = components.store.counts()
    assert articles == 0 and orphans > 0
    assert components.store.get(BLINKEN_ARTICLE) is None

    assert ingest(components, seeds_dir).new == 3
    seeds = (ALASKA_ARTICLE, BLINKEN_ARTICLE, EXPORT_ARTICLE)
    assert components.store.counts() == (3, orphans)
    assert orphans == sum(components.store.get(a).passage_count for a in seeds)
