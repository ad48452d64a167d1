"""The baseline the benchmarks compare with: what a first RAG tutorial builds.

LangChain's RecursiveCharacterTextSplitter(1000, 200) chunks, the same embedder as Newsdesk,
a Chroma collection (cosine), dense top-k and nothing else.
"""

from pathlib import Path

import chromadb
from chromadb.config import Settings as ChromaSettings
from langchain_text_splitters import RecursiveCharacterTextSplitter


class NaiveRAG:
    def __init__(self, embedder, path: Path, records: list[dict]):
        """Chunks of the records' texts, embedded into a collection at `path`; a collection
        already there with chunks in it is used as it is (the archive's takes 30 minutes)."""
        self._embedder = embedder
        client = chromadb.PersistentClient(
            str(path), settings=ChromaSettings(anonymized_telemetry=False)
        )
        self._collection = client.get_or_create_collection(
            "naive", metadata={"hnsw:space": "cosine"}, embedding_function=None
        )
        if self._collection.count() == 0:
            splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
            ids, texts, metadatas = [], [], []
            for record in records:
                for number, chunk in enumerate(splitter.split_text(record["text"])):
                    ids.append(f"{record['id']}:{number}")
                    texts.append(chunk)
                    metadatas.append({"article_id": record["id"]})
            for start in range(0, len(ids), 2000):
                end = start + 2000
                self._collection.add(
                    ids=ids[start:end],
                    documents=texts[start:end],
                    embeddings=embedder.embed(texts[start:end]),
                    metadatas=metadatas[start:end],
                )
        self.chunks = self._collection.count()

    def ranked(self, question: str, k: int) -> tuple[list[str], float]:
        """The articles of the best chunks, best first (at most k), and the best chunk's
        cosine similarity to the question."""
        vector = self._embedder.embed([question])[0]
        found = self._collection.query(
            query_embeddings=[vector], n_results=k * 3, include=["metadatas", "distances"]
        )
        articles = list(dict.fromkeys(m["article_id"] for m in found["metadatas"][0]))[:k]
        return articles, 1 - found["distances"][0][0]
