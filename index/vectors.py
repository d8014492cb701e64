"""Dense retrieval: chunks in Chroma through `langchain-chroma`, embedded store or a Chroma server.

By default the store is Chroma's embedded PersistentClient in `<home>/chroma`; with
`BUDGETQA_CHROMA_URL` (http://127.0.0.1:8000) it is a `chroma run` server instead. Chroma's
own default embedding function downloads a model, so it is never used: vectors always come
from our `BudgetEmbeddings`.

The collection records the embedding model and its dimension in its metadata. Opening it
with another model raises `EmbeddingMismatchError` naming `budgetqa reindex`: vectors of
two models side by side would rank garbage without any error (chroma issues #4368, #1905).

Each data directory names its own collection (`vectors.json`: "budgetqa-<random>"), so two
data directories pointed at one Chroma server never see each other's chunks, and a data
directory that is moved keeps its collection.

Callers hold the index lock (index/lock.py) around every call; `refresh(generation)` reopens
the embedded client when another process has written since it was opened, because a client
keeps answering from its in-memory index otherwise.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse

from index.chunks import Chunk
from index.embed import BudgetEmbeddings
from ingest.errors import EmbeddingMismatchError, StoreError

log = logging.getLogger(__name__)

COLLECTION_PREFIX = "budgetqa-"  # ASCII: Chroma allows [a-zA-Z0-9._-]
REINDEX_COMMAND = "budgetqa reindex"
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


_NAME = re.compile(r"^budgetqa-[0-9a-f]{12}$")


def collection_name(home: Path) -> str:
    """This data directory's collection, named once and recorded in `vectors.json` (call under the lock).

    A record that is unreadable or names no collection of ours (a corrupt file) is replaced by a
    new name: the old collection is then simply not found, and the documents are indexed again."""
    record = Path(home) / "vectors.json"
    try:
        name = json.loads(record.read_text())["collection"]
        if isinstance(name, str) and _NAME.match(name):
            return name
        log.warning("%s names no collection of ours (%r): choosing a new one", record, name)
    except FileNotFoundError:
        pass
    except (OSError, KeyError, TypeError, ValueError) as exc:
        log.warning("%s unreadable (%r): choosing a new collection", record, exc)
    name = f"{COLLECTION_PREFIX}{uuid.uuid4().hex[:12]}"
    tmp = record.with_suffix(f".tmp{os.getpid()}")
    try:
        tmp.write_text(json.dumps({"collection": name}))
        os.replace(tmp, record)
    except OSError as exc:  # a read-only data folder: the name lives for this process only
        log.warning("cannot record the collection name in %s: %s", record, exc)
    return name


def _client(home: Path, url: str | None):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    settings = ChromaSettings(anonymized_telemetry=False)
    if url:
        parsed = urlparse(url if "://" in url else f"http://{url}")
        return chromadb.HttpClient(host=parsed.hostname or "127.0.0.1",
                                   port=parsed.port or (443 if parsed.scheme == "https" else 8000),
                                   ssl=parsed.scheme == "https", settings=settings)
    path = Path(home) / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=settings)


class VectorIndex:
    """The chunk collection in Chroma, checked against the embedding model on open."""

    def __init__(self, home: Path, embeddings: BudgetEmbeddings | None, url: str | None = None):
        """Without embeddings the store can only list and delete (budgetqa remove under any model)."""
        self.home = Path(home)
        self.url = url
        self.embeddings = embeddings
        self._client = None
        self._store = None
        self._generation: int | None = None
        self.collection = collection_name(self.home)

    @property
    def where(self) -> str:
        return self.url or str(self.home / "chroma")

    def refresh(self, generation: int) -> None:
        """Open the store, or reopen it when the index changed since this process opened it."""
        if self._store is not None and (generation == self._generation or self.url):
            self._generation = generation
            return
        self.close()
        try:
            client = _client(self.home, self.url)
            collection = self._collection(client)
        except EmbeddingMismatchError:
            raise
        except Exception as exc:  # chromadb raises many kinds: connection, sqlite, validation
            if self.url:
                message = f"无法打开 Chroma 服务（{self.url}），请检查服务是否在运行。"
            else:
                message = (f"无法打开向量库（{self.home / 'chroma'}），它可能已损坏，或数据目录不可读写。"
                           "事实库不受影响：运行 budgetqa doctor --repair（或 budgetqa reindex）可从事实库重建向量库。")
            raise StoreError(message, f"chroma open {self.where}: {type(exc).__name__}: {exc}") from exc
        from langchain_chroma import Chroma

        self._client = client
        self._store = Chroma(client=client, collection_name=collection.name, embedding_function=self.embeddings)
        self._generation = generation

    def _collection(self, client):
        if self.embeddings is None:
            return client.get_or_create_collection(self.collection, embedding_function=None)
        want = {"embedding_model": self.embeddings.model_name, "embedding_dimension": self.embeddings.dimension}
        try:
            existing = client.get_collection(self.collection, embedding_function=None)
        except Exception:  # NotFoundError in 1.x, ValueError before: absent either way
            existing = None
        if existing is None:
            return client.create_collection(self.collection, metadata={**want, "hnsw:space": "cosine"},
                                            embedding_function=None)
        meta = existing.metadata or {}
        have = (meta.get("embedding_model"), meta.get("embedding_dimension"))
        if have == (None, None) and existing.count() == 0:  # made by someone else, empty: ours now
            client.delete_collection(self.collection)
            return self._collection(client)
        if have != (want["embedding_model"], want["embedding_dimension"]):
            raise EmbeddingMismatchError(
                f"向量索引是用嵌入模型“{have[0] or '未知'}”（{have[1] or '?'} 维）建立的，当前设置的是"
                f"“{want['embedding_model']}”（{want['embedding_dimension']} 维），两者的向量不能混用。"
                f"请运行 `{REINDEX_COMMAND}` 用当前模型重建索引，或把 BUDGETQA_EMBEDDING_MODEL 改回原来的模型。",
                f"collection {self.collection} at {self.where} holds {have}, configured {want}",
            )
        return existing

    def close(self) -> None:
        if self._client is not None and hasattr(self._client, "close"):
            try:
                self._client.close()
            except Exception as exc:  # closing is best effort; the next open reports real trouble
                log.debug("chroma close: %s", exc)
        self._client = self._store = None

    # --- operations (the caller holds the index lock and called refresh) ------------------------

    def replace(self, doc_id: str, chunks: list[Chunk]) -> None:
        self.remove(doc_id)
        if chunks:
            self._store.add_texts([c.text for c in chunks], metadatas=[c.metadata() for c in chunks],
                                  ids=[c.id for c in chunks])

    def remove(self, doc_id: str) -> int:
        ids = self._store.get(where={"doc_id": doc_id}, include=[])["ids"]
        if ids:
            self._store.delete(ids=ids)
        return len(ids)

    def clear(self) -> None:
        """Drop the collection (reindex with another model): the next refresh creates it anew."""
        try:
            self._client.delete_collection(self.collection)
        except Exception as exc:  # absent already
            log.debug("delete collection: %s", exc)
        self.close()

    def discard_store(self) -> Path | None:
        """The embedded store cannot be opened (a corrupt chroma.sqlite3): move it aside, so the
        next refresh creates an empty one to index into. Its contents are derived from the fact
        store; the moved folder is deleted too, best effort. None for a Chroma server."""
        self.close()
        if self.url:
            return None
        from chromadb.api.client import SharedSystemClient

        SharedSystemClient.clear_system_cache()  # a cached client would keep the old files open
        path = self.home / "chroma"
        if not path.exists():
            return None
        aside = self.home / f"chroma.broken-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}"
        os.replace(path, aside)
        shutil.rmtree(aside, ignore_errors=True)
        log.warning("vector store %s could not be opened: moved aside and deleted", path)
        return aside

    def search(self, vector: list[float], k: int, where: dict | None = None) -> list[tuple[Chunk, float]]:
        """Top k chunks by cosine similarity (1 − distance) to an embedded query, best first."""
        found = self._store.similarity_search_by_vector_with_relevance_scores(vector, k=k, filter=where or None)
        return [(Chunk.from_metadata(doc.id, doc.page_content, doc.metadata), 1.0 - float(distance))
                for doc, distance in found]

    def mark(self, generation: int) -> None:
        """This process wrote `generation` itself: its client is current."""
        self._generation = generation

    def documents(self) -> dict[str, int]:
        metas = self._store.get(include=["metadatas"])["metadatas"]
        counts: dict[str, int] = {}
        for meta in metas:
            counts[meta["doc_id"]] = counts.get(meta["doc_id"], 0) + 1
        return counts
