"""Crash safety: `newsdesk ingest` killed with SIGKILL part-way, then run again, leaves every
article stored once with exactly its passages, and indexes that agree with the store."""

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from service.components import Components, build_components
from service.domain import ArticleFilter
from service.retrieval import ArticleCatalogue, KeywordIndex
from service.settings import load_settings
from service.text import sentences
from tests.processes import newsdesk_environment

# 96 articles of three Wikipedia paragraphs each (tests/fixtures/README.md), about as long as
# news articles: two to three passages each.
ARTICLES_FILE = Path(__file__).parent / "fixtures/wikipedia_articles.jsonl"
ARTICLES = 96
BATCH = 8


@pytest.fixture
def articles() -> Path:
    lines = ARTICLES_FILE.read_text().splitlines()
    assert len(lines) == ARTICLES
    return ARTICLES_FILE


def start_ingest(articles: Path, index: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "service.cli", "ingest", str(articles)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=newsdesk_environment(
            NEWSDESK_INDEX_PATH=str(index), NEWSDESK_INGEST_BATCH_ARTICLES=str(BATCH)
        ),
    )


def kill_after_progress(process: subprocess.Popen, articles: int, delay_s: float) -> int:
    """SIGKILL once the progress bar shows `articles` done, `delay_s` into the next batch;
    returns the count the bar showed last."""
    shown = [0]

    def follow() -> None:
        output = ""
        # os.read returns whatever has arrived, so the count is never behind the process.
        while chunk := os.read(process.stderr.fileno(), 4096):
            output = output[-200:] + chunk.decode(errors="replace")
            counts = re.findall(r"ingesting: (\d+) articles", output)
            if counts:
                shown[0] = int(counts[-1])

    threading.Thread(target=follow, daemon=True).start()
    deadline = time.monotonic() + 300
    while shown[0] < articles:
        assert process.poll() is None, "ingest ended before it could be killed"
        assert time.monotonic() < deadline, "ingest made no progress"
        time.sleep(0.02)
    time.sleep(delay_s)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    return shown[0]


def stored_articles(index: Path) -> int:
    """Articles in the index, as another `newsdesk` process reads it."""
    listed = subprocess.run(
        [sys.executable, "-m", "service.cli", "articles", "--limit", "1"],
        capture_output=True,
        text=True,
        env=newsdesk_environment(NEWSDESK_INDEX_PATH=str(index)),
        timeout=120,
    )
    assert listed.returncode == 0, listed.stderr
    return int(re.search(r"of (\d+) articles", listed.stderr).group(1))


def assert_consistent(components: Components, expected_ids: set[str]) -> None:
    store = components.store
    total, articles = ArticleCatalogue(store).page(ArticleFilter(), limit=10_000, offset=0)
    assert {a.id for a in articles} == expected_ids and total == len(expected_ids)

    passages = store.all_passages()
    owners = Counter(p.passage.article_id for p in passages)
    assert set(owners) == expected_ids, "no passage without its article"
    for article in articles:
        assert owners[article.id] == article.passage_count, article.id
    places = Counter((p.passage.article_id, p.passage.ordinal) for p in passages)
    assert max(places.values()) == 1, "no passage stored twice"
    # Each passage has the vectors of exactly its sentences.
    kept = store.sentence_vectors([p.passage.id for p in passages])
    assert {pid: len(rows) for pid, rows in kept.items()} == {
        p.passage.id: len(sentences(p.passage.text)) for p in passages
    }

    # The keyword index holds exactly the stored passages ...
    assert KeywordIndex(store).passage_ids() == {p.passage.id for p in passages}
    # ... and the vector index finds passages by their own vectors.
    for record in store.passages([p.passage.id for p in passages[:: len(passages) // 10]]):
        nearest = store.nearest_passages(record.vector, limit=1, selection=ArticleFilter())
        assert nearest[0][0] == record.passage.id


@pytest.mark.parametrize("delay_s", [0.0, 0.6])
def test_ingest_killed_part_way_then_run_again(articles, tmp_path, embedder, delay_s):
    index = tmp_path / "index"
    expected = {json.loads(line)["id"] for line in articles.read_text().splitlines()}

    shown = kill_after_progress(start_ingest(articles, index), 3 * BATCH, delay_s)
    stored = stored_articles(index)
    assert shown <= stored < ARTICLES, "killed part-way, with finished batches kept"

    rerun = start_ingest(articles, index)
    out, err = rerun.communicate(timeout=600)
    assert rerun.returncode == 0, err
    assert f"{ARTICLES - stored} new, {stored} unchanged, 0 updated, 0 failed" in out

    components = build_components(load_settings(index_path=index), embedder=embedder)
    assert_consistent(components, expected)
