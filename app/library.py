"""The document library: ingest files and folders into the stores, one report for the batch.

A bad file never aborts the batch: it is skipped with a Chinese reason, logged in English,
and nothing stored for other documents changes. A document goes into the fact store first,
then into the chunk index (keyword + vectors); if indexing fails, the fact-store entry is
taken back, so the stores never disagree about which documents exist. A document already
in the fact store but missing from the chunk index (an index rebuilt, a crash between the
two) is indexed when its file is ingested again.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from index.facts import FactStore
from index.store import ChunkIndex
from ingest.errors import BudgetQAError, InputError, NotFoundError
from ingest.pipeline import content_hash, parse_bytes

log = logging.getLogger(__name__)


@dataclass
class IngestedDocument:
    doc_id: str
    title: str
    issuer: str | None
    year: int | None
    kind: str | None
    scope: str | None
    tables: int
    facts: int
    warnings: list[str]
    path: str
    status: str  # added | unchanged | reindexed
    chunks: int | None = None  # chunks in the retrieval index (None: no index given)


@dataclass
class Skipped:
    path: str
    reason: str  # Chinese, for users


@dataclass
class IngestReport:
    documents: list[IngestedDocument] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "documents": [
                {k: getattr(d, k) for k in ("doc_id", "title", "issuer", "year", "kind", "scope", "tables",
                                             "facts", "warnings", "status", "path", "chunks")}
                for d in self.documents
            ],
            "skipped": [{"path": s.path, "reason": s.reason} for s in self.skipped],
        }


def expand_paths(paths: Iterable[Path]) -> tuple[list[Path], list[Skipped]]:
    """Files as given; folders walked recursively in name order, hidden files left out."""
    files: list[Path] = []
    missing: list[Skipped] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.is_file()
                                and not any(part.startswith(".") for part in p.relative_to(path).parts)))
        elif path.is_file():
            files.append(path)
        else:
            missing.append(Skipped(str(path), f"找不到文件或文件夹“{path}”。"))
    return files, missing


PARALLEL_FROM = 3  # files to parse; below this the workers' start-up costs more than it saves


def ingest_paths(paths: Iterable[Path], store: FactStore,
                 on_file: Callable[[Path], None] | None = None, index: ChunkIndex | None = None,
                 workers: int | None = None) -> IngestReport:
    """Ingest every file; parsing runs in worker processes (one per core) while this process
    writes the stores in file order, so a batch's report and store contents never depend on timing."""
    files, missing = expand_paths(paths)
    report = IngestReport(skipped=missing)
    for path, outcome in _parsed_in_order(files, store, workers):
        if on_file:
            on_file(path)
        try:
            report.documents.append(ingest_file(path, store, index, parsed=outcome))
        except BudgetQAError as exc:
            log.warning("skipped %s: %s", path, exc.detail)
            report.skipped.append(Skipped(str(path), exc.message))
    return report


def _read_and_parse(path: Path):
    """In a worker: the file's bytes and its Disclosure, or the error as (message, detail)."""
    try:
        data = _read(path)
        if _KNOWN_HASHES and content_hash(data) in _KNOWN_HASHES:
            return data, None
        return data, parse_bytes(data, path)
    except BudgetQAError as exc:
        return None, (type(exc).__name__, exc.message, exc.detail)


_KNOWN_HASHES: frozenset[str] = frozenset()  # set in each worker: content already stored, not parsed again


def _init_worker(known: frozenset[str]) -> None:
    global _KNOWN_HASHES
    _KNOWN_HASHES = known


def _parsed_in_order(files: list[Path], store: FactStore, workers: int | None):
    if len(files) < PARALLEL_FROM or (workers or os.cpu_count() or 1) < 2:
        for path in files:
            yield path, None
        return
    known = frozenset(store.hashes())
    # spawn, not fork: this process may hold BLAS and model threads that a fork would copy mid-flight
    with ProcessPoolExecutor(max_workers=min(workers or os.cpu_count() or 1, len(files)),
                             mp_context=multiprocessing.get_context("spawn"),
                             initializer=_init_worker, initargs=(known,)) as pool:
        yield from zip(files, pool.map(_read_and_parse, files))


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"无法读取文件“{path.name}”。", f"{path}: {exc}") from exc


def ingest_file(path: Path, store: FactStore, index: ChunkIndex | None = None, parsed=None) -> IngestedDocument:
    """Store one file's document (parsed here, or by a worker: `parsed` = (bytes, Disclosure | error))."""
    if parsed is not None and parsed[0] is None:
        kind, message, detail = parsed[1]
        raise BudgetQAError(message, f"{kind}: {detail}")
    data = parsed[0] if parsed is not None else _read(path)
    existing = store.has(content_hash(data))
    if existing:
        summary = next(d for d in store.documents() if d.doc_id == existing)
        status, chunks = "unchanged", None
        if index is not None:
            chunks = index.documents().get(existing)
            if not chunks:
                chunks, status = index.add(store.get(existing)), "reindexed"
        return IngestedDocument(summary.doc_id, summary.title, summary.issuer, summary.year, summary.kind,
                                summary.scope, summary.tables, summary.facts, summary.warnings, str(path),
                                status, chunks)
    disclosure = parsed[1] if parsed is not None and parsed[1] is not None else parse_bytes(data, path)
    store.add(disclosure)
    chunks = None
    if index is not None:
        try:
            chunks = index.add(disclosure)
        except BudgetQAError:
            store.remove(disclosure.doc_id)  # the stores agree: neither holds it
            raise
    log.info("ingested %s as %s", path, disclosure.doc_id)
    return IngestedDocument(disclosure.doc_id, disclosure.title, disclosure.issuer, disclosure.year,
                            disclosure.kind, disclosure.scope, len(disclosure.tables), len(disclosure.facts()),
                            disclosure.warnings, str(path), "added", chunks)


@dataclass
class Removed:
    doc_id: str
    title: str
    chunks: int


def remove_document(doc_id: str, store: FactStore, index: ChunkIndex) -> Removed:
    """Delete a document from every store: chunk index first, so a failure leaves it findable to retry."""
    title = next((d.title for d in store.documents() if d.doc_id == doc_id), None)
    chunks = index.remove(doc_id)
    if not store.remove(doc_id) and title is None and not chunks:
        raise NotFoundError(f"没有找到文档“{doc_id}”。", f"remove: no document {doc_id}")
    log.info("removed %s (%d chunks)", doc_id, chunks)
    return Removed(doc_id, title or "", chunks)


def reindex_all(store: FactStore, index: ChunkIndex, on_document: Callable | None = None) -> int:
    """Rebuild the chunk index from the fact store (after changing the embedding model)."""
    docs = store.documents()
    return index.rebuild((store.get(d.doc_id) for d in docs), on_document)
