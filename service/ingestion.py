"""Ingestion: loaded articles -> passages -> vectors -> store, skipping what is unchanged."""

import hashlib
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from service.chunking import PassageSplitter
from service.domain import Article, IndexedArticle, LoadError, Store
from service.embedding import Embedder
from service.parsing import Parser
from service.text import sentences


@dataclass
class IngestReport:
    new: int = 0
    unchanged: int = 0
    updated: int = 0
    failed: int = 0
    passages_written: int = 0
    errors: list[LoadError] = field(default_factory=list)
    stored_ids: list[str] = field(default_factory=list)
    """The articles written: new or updated."""

    @property
    def succeeded(self) -> int:
        return self.new + self.unchanged + self.updated

    def summary(self) -> str:
        return (
            f"articles: {self.new} new, {self.unchanged} unchanged, {self.updated} updated, "
            f"{self.failed} failed; passages written: {self.passages_written}"
        )


class Ingestor:
    def __init__(
        self,
        *,
        store: Store,
        embedder: Embedder,
        parser: Parser,
        splitter: PassageSplitter,
        batch_articles: int,
    ):
        self._store = store
        self._embedder = embedder
        self._parser = parser
        self._parsing = ThreadPoolExecutor(1, thread_name_prefix="parser")
        self._splitter = splitter
        self._batch_articles = batch_articles
        # Part of every article's fingerprint: changing the model, the parser or passage sizes
        # re-indexes, and so does ingesting again into an index made before sentence vectors
        # or parses were stored.
        self._pipeline = (
            f"{embedder.name}|{splitter.max_tokens}|{splitter.overlap_tokens}|sentences"
            f"|{parser.name}"
        )
        # One writer at a time in this process, so two requests carrying the same article
        # cannot interleave their deletes and writes.
        self._write_lock = threading.Lock()
        self.listeners: list[Callable[[list[str]], None]] = []
        """Told the ids of the articles each ingest wrote (watched topics check them)."""

    def ingest(
        self, items: Iterable[Article | LoadError], *, progress: Callable[[int], None] | None = None
    ) -> IngestReport:
        """Store every article; record every load error. Records already stored stay as they are
        unless a newer version of the same article arrives."""
        report = IngestReport()
        for batch in self._batches(items, report):
            with self._write_lock:
                self._write_batch(batch, report)
            if progress:
                progress(len(batch))
        for listener in self.listeners:
            listener(report.stored_ids)
        return report

    def already_stored(self, article_ids: list[str]) -> set[str]:
        """Which of these articles are stored: a feed's entries among them need no fetching."""
        return {article.id for article in self._store.articles(article_ids)}

    def delete(self, article_id: str) -> bool:
        with self._write_lock:
            return self._store.delete(article_id)

    def _batches(
        self, items: Iterable[Article | LoadError], report: IngestReport
    ) -> Iterator[list[Article]]:
        batch: dict[str, Article] = {}
        for item in items:
            if isinstance(item, LoadError):
                report.failed += 1
                report.errors.append(item)
                continue
            # A second version of an article in the same batch is written after the first.
            if item.id in batch or len(batch) >= self._batch_articles:
                yield list(batch.values())
                batch = {}
            batch[item.id] = item
        if batch:
            yield list(batch.values())

    def _write_batch(self, articles: list[Article], report: IngestReport) -> None:
        stored = self._store.fingerprints([article.id for article in articles])
        changed = []
        for article in articles:
            fingerprint = self._fingerprint(article)
            if stored.get(article.id) == fingerprint:
                report.unchanged += 1
            else:
                changed.append((article, fingerprint))
        if not changed:
            return
        passages = [self._splitter.split(article) for article, _ in changed]
        passage_texts = [p.text for article_passages in passages for p in article_passages]
        passage_sentences = {text: sentences(text) for text in passage_texts}
        # Overlapping passages share sentences: each distinct one is encoded once, in the same
        # call as the passages so the model's batches stay full.
        sentence_rows = {
            text: row
            for row, text in enumerate(
                dict.fromkeys(s for split in passage_sentences.values() for s in split),
                start=len(passage_texts),
            )
        }
        # The parser runs on a thread of its own while the model encodes: 907 BBC passages took
        # 84 s so and 95 s one after the other, 70 s before parses were kept (bench/ingest.py).
        parsing = self._parsing.submit(self._parser.parse, list(sentence_rows))
        vectors = self._embedder.embed([*passage_texts, *sentence_rows])
        parses = dict(zip(sentence_rows, parsing.result(), strict=True))
        items, offset = [], 0
        for (article, fingerprint), article_passages in zip(changed, passages, strict=True):
            count = len(article_passages)
            items.append(
                IndexedArticle(
                    article,
                    fingerprint,
                    article_passages,
                    vectors[offset : offset + count],
                    [
                        vectors[[sentence_rows[s] for s in passage_sentences[p.text]]]
                        for p in article_passages
                    ],
                    [[parses[s] for s in passage_sentences[p.text]] for p in article_passages],
                )
            )
            offset += count
        self._store.write(items)
        for article, _ in changed:
            if article.id in stored:
                report.updated += 1
            else:
                report.new += 1
            report.stored_ids.append(article.id)
        report.passages_written += offset

    def _fingerprint(self, article: Article) -> str:
        return hashlib.sha256(f"{article.content_hash()}|{self._pipeline}".encode()).hexdigest()
