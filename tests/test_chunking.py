"""Passages: exact spans, token budget of the real tokenizer, sentence boundaries, overlap."""

import itertools
from pathlib import Path

import pytest

from service.chunking import PassageSplitter
from service.domain import Article
from service.loading import article_from_record, load_paths
from tests.conftest import SEEDS


@pytest.fixture(scope="module")
def splitter(embedder) -> PassageSplitter:
    return PassageSplitter(count_tokens=embedder.count_tokens, max_tokens=60, overlap_tokens=20)


def article(text: str) -> Article:
    return article_from_record({"id": "t", "text": text}, max_bytes=1_000_000)


def seed_articles() -> list[Article]:
    return [a for a in load_paths([SEEDS], max_bytes=1_000_000) if isinstance(a, Article)]


def test_every_passage_is_its_exact_span_of_the_article(splitter, embedder):
    repetitive = article(" ".join(["The same sentence appears again."] * 40))
    for item in [*seed_articles(), repetitive]:
        passages = splitter.split(item)
        assert passages, item.id
        for ordinal, passage in enumerate(passages):
            assert item.text[passage.start : passage.end] == passage.text
            assert passage.ordinal == ordinal
            assert embedder.count_tokens(passage.text) <= splitter.max_tokens
        starts = [p.start for p in passages]
        assert starts == sorted(set(starts)), "passages must advance through the text"


def test_default_size_fits_the_model(embedder):
    default = PassageSplitter(
        count_tokens=embedder.count_tokens, max_tokens=embedder.max_tokens, overlap_tokens=32
    )
    assert embedder.max_tokens == 254  # all-MiniLM-L6-v2 reads 256 tokens including [CLS] and [SEP]
    for item in seed_articles():
        for passage in default.split(item):
            assert item.text[passage.start : passage.end] == passage.text
            assert embedder.count_tokens(passage.text) <= 254


def test_passages_are_whole_sentences_with_overlap(splitter):
    sentences = [f"Sentence number {i} says something short." for i in range(30)]
    passages = splitter.split(article(" ".join(sentences)))
    assert len(passages) > 3
    for passage in passages:
        assert passage.text.startswith("Sentence number") and passage.text.endswith("short.")
    for previous, current in itertools.pairwise(passages):
        assert current.start < previous.end, "consecutive passages share trailing sentences"


def test_boilerplate_is_not_in_any_passage(splitter):
    blinken = next(a for a in seed_articles() if a.source == "The Financial Times")
    passages = splitter.split(blinken)
    assert all(p.end <= blinken.body_end for p in passages)
    assert not any("Copyright" in p.text or "Additional reporting" in p.text for p in passages)


def test_a_sentence_longer_than_a_passage_is_cut_by_words(splitter, embedder):
    run_on = " ".join(f"word{i}" for i in range(300))
    passages = splitter.split(article(run_on))
    assert len(passages) > 1
    for passage in passages:
        assert embedder.count_tokens(passage.text) <= splitter.max_tokens
        assert run_on[passage.start : passage.end] == passage.text


def test_overlap_must_be_smaller_than_size(embedder):
    with pytest.raises(ValueError, match="overlap"):
        PassageSplitter(count_tokens=embedder.count_tokens, max_tokens=10, overlap_tokens=10)


def test_loaded_from_files_too(tmp_path: Path, splitter):
    (tmp_path / "x.txt").write_text("First. " * 50)
    (loaded,) = load_paths([tmp_path / "x.txt"], max_bytes=10_000)
    assert all(loaded.text[p.start : p.end] == p.text for p in splitter.split(loaded))


def test_token_counts_do_not_change_after_the_model_encodes(embedder):
    # encode() sets truncation and padding on the model's tokenizer; counting must not see it.
    long_text, short_text = "word " * 400, "Hello there."
    before = embedder.count_tokens(long_text), embedder.count_tokens(short_text)
    embedder.embed([long_text, short_text])
    assert (
        (embedder.count_tokens(long_text), embedder.count_tokens(short_text)) == before == (400, 3)
    )
