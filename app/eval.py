"""Golden-set evaluation. This module holds the retrieval part: recall@k and MRR per method.

A golden file (tests/golden/retrieval.yaml explains the format) names documents by file
and, for each question, the places in its document that answer it: a heading, a table,
or wording. A question counts as found at rank r when the r-th retrieved chunk belongs to
that document and matches one of the places. Each method (keyword, dense, hybrid) runs the
same questions with the same filter; latency is measured warm (one query per method first).
"""

from __future__ import annotations

import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from app.latency import percentile
from index.chunks import Chunk
from index.facts import FactStore
from index.retrieve import DEFAULT_FUSION, METHODS, Fusion, Retriever
from index.store import ChunkIndex, SearchFilter
from ingest.errors import InputError

MRR_DEPTH = 10
CATEGORIES = ("figure", "reason", "definition", "duty", "table", "other")


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").replace(" ", "")


@dataclass(frozen=True)
class Place:
    section: str | None = None
    table: str | None = None
    contains: str | None = None

    def matches(self, chunk: Chunk) -> bool:
        if self.section and _norm(self.section) not in _norm(chunk.section or ""):
            return False
        if self.table and _norm(self.table) not in {_norm(chunk.table or "")}:
            return False
        if self.contains and _norm(self.contains) not in _norm(chunk.text):
            return False
        return bool(self.section or self.table or self.contains)


@dataclass
class GoldenQuestion:
    q: str
    doc: str  # alias in the golden file
    category: str
    expect: list[Place]
    corpus_wide: bool = False
    set: str = "tuning"  # tuning | holdout


@dataclass
class GoldenSet:
    path: Path
    documents: dict[str, Path]
    questions: list[GoldenQuestion]


def load_golden(path: Path) -> GoldenSet:
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise InputError(f"无法读取评测文件“{path}”。", f"{path}: {exc}") from exc
    documents = {alias: (path.parent / rel).resolve() for alias, rel in (data.get("documents") or {}).items()}
    questions = []
    for i, item in enumerate(data.get("retrieval") or [], start=1):
        try:
            places = [Place(**p) for p in item["expect"]]
            question = GoldenQuestion(q=item["q"], doc=item["doc"], category=item.get("category", "other"),
                                      expect=places, corpus_wide=item.get("filter") == "corpus",
                                      set=item.get("set", "tuning"))
        except (KeyError, TypeError) as exc:
            raise InputError(f"评测文件“{path.name}”第 {i} 个检索问题格式不对（需要 q、doc、expect）。",
                             f"{path}: retrieval item {i}: {exc}") from exc
        if question.doc not in documents:
            raise InputError(f"评测文件“{path.name}”第 {i} 个问题引用了未列出的文档“{question.doc}”。",
                             f"{path}: retrieval item {i}: unknown doc alias {question.doc!r}")
        questions.append(question)
    return GoldenSet(path, documents, questions)


@dataclass
class MethodScore:
    method: str
    questions: int = 0
    recall_at_1: float = 0.0
    recall_at_k: float = 0.0
    mrr: float = 0.0
    latency_p50_ms: float = 0.0
    latency_p95_ms: float = 0.0
    by_category: dict[str, float] = field(default_factory=dict)  # recall@k per category
    by_set: dict[str, float] = field(default_factory=dict)  # recall@k: tuning / holdout


@dataclass
class Miss:
    question: str
    doc: str
    set: str
    method: str
    top: list[str]  # anchors of the first retrieved chunks


@dataclass
class RetrievalReport:
    k: int
    questions: int
    evaluated: int
    missing_documents: dict[str, str]  # alias → file not found in the data directory
    methods: dict[str, MethodScore]
    misses: list[Miss]

    def to_dict(self) -> dict:
        return {
            "k": self.k, "questions": self.questions, "evaluated": self.evaluated,
            "missing_documents": self.missing_documents,
            "methods": {m: {"recall@1": round(s.recall_at_1, 4), f"recall@{self.k}": round(s.recall_at_k, 4),
                            "mrr": round(s.mrr, 4), "latency_p50_ms": round(s.latency_p50_ms, 2),
                            "latency_p95_ms": round(s.latency_p95_ms, 2),
                            "by_category": {c: round(v, 4) for c, v in s.by_category.items()},
                            "by_set": {c: round(v, 4) for c, v in s.by_set.items()}}
                        for m, s in self.methods.items()},
            "misses": [m.__dict__ for m in self.misses],
        }


def first_match(chunks: list[Chunk], doc_id: str, places: list[Place]) -> int | None:
    for rank, chunk in enumerate(chunks, start=1):
        if chunk.doc_id == doc_id and any(p.matches(chunk) for p in places):
            return rank
    return None


def evaluate_retrieval(golden: GoldenSet, index: ChunkIndex, facts: FactStore, *, k: int = 5,
                       methods: tuple[str, ...] = METHODS, fusion: Fusion = DEFAULT_FUSION) -> RetrievalReport:
    by_source = {d.source: d for d in facts.documents()}
    docs, missing = {}, {}
    for alias, file in golden.documents.items():
        if file.name in by_source:
            docs[alias] = by_source[file.name]
        else:
            missing[alias] = str(file)
    runnable = [q for q in golden.questions if q.doc in docs]
    retriever = Retriever(index, fusion)
    scores: dict[str, MethodScore] = {}
    misses: list[Miss] = []
    for method in methods:
        if runnable:  # warm: load models and indexes before timing
            retriever.search(runnable[0].q, k, None, method)
        ranks, latencies, per_category, per_set = [], [], {}, {}
        for question in runnable:
            doc = docs[question.doc]
            where = None if question.corpus_wide else (
                SearchFilter(issuer=doc.issuer, year=doc.year) if doc.issuer else SearchFilter(doc_id=doc.doc_id))
            started = time.perf_counter()
            hits = retriever.search(question.q, max(k, MRR_DEPTH), where, method)
            latencies.append((time.perf_counter() - started) * 1000)
            rank = first_match([h.chunk for h in hits], doc.doc_id, question.expect)
            ranks.append(rank)
            found = rank is not None and rank <= k
            per_category.setdefault(question.category, []).append(found)
            per_set.setdefault(question.set, []).append(found)
            if rank is None or rank > k:
                misses.append(Miss(question.q, question.doc, question.set, method, [h.chunk.anchor for h in hits[:3]]))
        n = len(ranks) or 1
        scores[method] = MethodScore(
            method=method, questions=len(ranks),
            recall_at_1=sum(1 for r in ranks if r == 1) / n,
            recall_at_k=sum(1 for r in ranks if r is not None and r <= k) / n,
            mrr=sum(1 / r for r in ranks if r is not None) / n,
            latency_p50_ms=percentile(latencies, 50), latency_p95_ms=percentile(latencies, 95),
            by_category={c: sum(v) / len(v) for c, v in sorted(per_category.items())},
            by_set={c: sum(v) / len(v) for c, v in sorted(per_set.items())},
        )
    return RetrievalReport(k=k, questions=len(golden.questions), evaluated=len(runnable),
                           missing_documents=missing, methods=scores, misses=misses)
