"""`budgetqa doctor [--repair]`: the state of every store of a data directory, and its repair.

Three stores hold each document: the fact store (the truth: everything else is derived from
it), the keyword index and Chroma (chunk counts per document). The doctor checks the fact
store's file (`PRAGMA quick_check`), whether the saved keyword index covers its corpus,
whether Chroma opens, and per document whether both chunk stores hold exactly the chunks the
document makes; chunks of documents the fact store does not hold are orphans.

Repair, in order: a corrupt fact store is moved aside and its documents ingested again from
the source files recorded at ingest (`sources.jsonl`; files that moved or changed are named);
a Chroma store that cannot be opened is moved aside and rebuilt; a stale keyword index is
saved again; each document the stores disagree about is indexed again; orphans are removed.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from app.library import ingest_paths, recorded_sources
from index.chunks import chunk_disclosure
from index.facts import FactStore, integrity_problems
from index.store import ChunkIndex
from index.vectors import VectorIndex
from ingest.errors import BudgetQAError, StoreError

log = logging.getLogger(__name__)


@dataclass
class DocumentCheck:
    doc_id: str
    title: str
    facts: int
    expected_chunks: int
    keyword_chunks: int
    vector_chunks: int | None

    @property
    def ok(self) -> bool:
        return self.expected_chunks == self.keyword_chunks == self.vector_chunks


@dataclass
class Diagnosis:
    home: str
    writable: bool
    facts_problems: list[str] = field(default_factory=list)  # quick_check, or why it cannot be opened
    keywords_live: bool = True
    vectors_error: str | None = None
    documents: list[DocumentCheck] = field(default_factory=list)
    orphans: dict[str, int] = field(default_factory=dict)  # doc id → chunks, in an index but not in the fact store
    repaired: list[str] = field(default_factory=list)  # Chinese lines: what --repair did
    unrecovered: list[str] = field(default_factory=list)  # Chinese lines: what it could not do

    @property
    def ok(self) -> bool:
        return (not self.facts_problems and self.keywords_live and self.vectors_error is None
                and all(d.ok for d in self.documents) and not self.orphans and not self.unrecovered)

    def to_dict(self) -> dict:
        out = asdict(self)
        out["ok"] = self.ok
        for d, check in zip(out["documents"], self.documents):
            d["ok"] = check.ok
        return out


def diagnose(settings) -> Diagnosis:
    home = Path(settings.home)
    diagnosis = Diagnosis(home=str(home), writable=os.access(home, os.W_OK))
    facts_path = home / "facts.sqlite3"
    if facts_path.exists():
        diagnosis.facts_problems = integrity_problems(facts_path)
    if diagnosis.facts_problems:
        return diagnosis  # nothing else can be compared against a store that cannot be read
    store = FactStore(home)
    index = ChunkIndex.from_settings(settings)
    try:
        state = index.state()
    finally:
        index.close()
    diagnosis.keywords_live, diagnosis.vectors_error = state.keywords_live, state.vectors_error
    stored = set()
    for summary in store.documents():
        stored.add(summary.doc_id)
        expected = len(chunk_disclosure(store.get(summary.doc_id)))
        diagnosis.documents.append(DocumentCheck(
            summary.doc_id, summary.title, summary.facts, expected, state.keywords.get(summary.doc_id, 0),
            None if state.vectors_error else state.vectors.get(summary.doc_id, 0)))
    for counts in (state.keywords, state.vectors):
        for doc_id, chunks in counts.items():
            if doc_id not in stored:
                diagnosis.orphans[doc_id] = max(chunks, diagnosis.orphans.get(doc_id, 0))
    return diagnosis


def repair(settings, diagnosis: Diagnosis) -> Diagnosis:
    """Repair what `diagnosis` found; returns a fresh diagnosis with what was done."""
    home = Path(settings.home)
    if not diagnosis.writable:
        raise StoreError(f"数据目录（{home}）只读，无法修复。", f"{home}: read-only, repair refused")
    done: list[str] = []
    unrecovered: list[str] = []
    if diagnosis.facts_problems:
        done.append(_move_facts_aside(home))
        unrecovered += _reingest_sources(settings, home, done)
    index = ChunkIndex.from_settings(settings)
    try:
        state = index.state()
        if state.vectors_error:
            if settings.chroma_url:
                unrecovered.append(f"Chroma 服务（{settings.chroma_url}）无法打开，请先检查服务。")
            else:
                VectorIndex(home, None).discard_store()
                done.append("向量库无法打开，已移走并重建。")
                state = index.state()
        if not state.keywords_live and index.repair_keywords():
            done.append("关键词索引与其语料不一致（CURRENT 缺失或过期），已重建。")
        store = FactStore(home)
        stored = {d.doc_id: d.title for d in store.documents()}
        for doc_id, title in stored.items():
            disclosure = store.get(doc_id)
            expected = len(chunk_disclosure(disclosure))
            if not state.vectors_error and state.keywords.get(doc_id, 0) == state.vectors.get(doc_id, 0) == expected:
                continue
            chunks = index.add(disclosure)
            done.append(f"重建索引：{doc_id} {title}（{chunks} 个片段）。")
        for doc_id in sorted((set(state.keywords) | set(state.vectors)) - set(stored)):
            index.remove(doc_id)
            done.append(f"删除孤立片段：{doc_id}（事实库中没有这个文档）。")
    finally:
        index.close()
    after = diagnose(settings)
    after.repaired, after.unrecovered = done, unrecovered
    return after


def _move_facts_aside(home: Path) -> str:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for suffix in ("", "-wal", "-shm", ".checked"):
        path = home / f"facts.sqlite3{suffix}"
        if path.exists():
            os.replace(path, home / f"facts.sqlite3{suffix}.corrupt-{stamp}")
    log.warning("corrupt fact store in %s moved aside (%s)", home, stamp)
    return f"损坏的事实库已移到 facts.sqlite3.corrupt-{stamp}。"


def _reingest_sources(settings, home: Path, done: list[str]) -> list[str]:
    """Ingest again every recorded source file that is still there with the same content."""
    from ingest.pipeline import content_hash, read_file

    store = FactStore(home)
    index = ChunkIndex.from_settings(settings)
    missing, present = [], []
    for doc_id, (digest, path) in sorted(recorded_sources(home).items()):
        try:
            same = content_hash(read_file(path)) == digest
        except BudgetQAError:
            same = False
        (present if same else missing).append((doc_id, path))
    try:
        report = ingest_paths([p for _, p in present], store, index=index, workers=1)
    finally:
        index.close()
    done.extend(f"从原始文件重新导入：{d.doc_id} {d.title}（{d.path}）。" for d in report.documents)
    lost = [f"无法重新导入 {doc_id}：原始文件“{path}”已不在原处或内容已改变。" for doc_id, path in missing]
    lost += [f"无法重新导入“{s.path}”：{s.reason}" for s in report.skipped]
    return lost


def print_diagnosis(d: Diagnosis, say) -> None:
    """The diagnosis in Chinese, one line per store, then the documents that need attention."""
    say(f"数据目录：{d.home}（{'可写' if d.writable else '只读'}）")
    say("事实库：" + ("完好" if not d.facts_problems else "已损坏（" + "；".join(d.facts_problems) + "）")
        + ("" if d.facts_problems else f"，{len(d.documents)} 个文档"))
    if not d.facts_problems:
        say("关键词索引：" + ("完好" if d.keywords_live else "与语料不一致（CURRENT 缺失或过期）"))
        say("向量库：" + ("完好" if d.vectors_error is None else d.vectors_error))
    for doc in d.documents:
        if not doc.ok:
            say(f"  不一致：{doc.doc_id} {doc.title}：应有 {doc.expected_chunks} 个片段，关键词索引 "
                f"{doc.keyword_chunks} 个，向量库 {'?' if doc.vector_chunks is None else doc.vector_chunks} 个")
    for doc_id, chunks in d.orphans.items():
        say(f"  孤立片段：{doc_id}（{chunks} 个，事实库中没有这个文档）")
    for line in d.repaired:
        say(f"已修复：{line}")
    for line in d.unrecovered:
        say(f"未能修复：{line}")
    say("结论：各存储完好且一致。" if d.ok else "结论：发现问题。可运行 budgetqa doctor --repair 修复。")
