"""The document library: ingest files and folders into the stores, one report for the batch.

A bad file never aborts the batch: it is skipped with a Chinese reason, logged in English,
and nothing stored for other documents changes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from index.facts import FactStore
from ingest.errors import BudgetQAError, InputError
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
    status: str  # added | unchanged


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
                                             "facts", "warnings", "status", "path")}
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


def ingest_paths(paths: Iterable[Path], store: FactStore,
                 on_file: Callable[[Path], None] | None = None) -> IngestReport:
    files, missing = expand_paths(paths)
    report = IngestReport(skipped=missing)
    for path in files:
        if on_file:
            on_file(path)
        try:
            report.documents.append(ingest_file(path, store))
        except BudgetQAError as exc:
            log.warning("skipped %s: %s", path, exc.detail)
            report.skipped.append(Skipped(str(path), exc.message))
    return report


def ingest_file(path: Path, store: FactStore) -> IngestedDocument:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"无法读取文件“{path.name}”。", f"{path}: {exc}") from exc
    existing = store.has(content_hash(data))
    if existing:
        summary = next(d for d in store.documents() if d.doc_id == existing)
        return IngestedDocument(summary.doc_id, summary.title, summary.issuer, summary.year, summary.kind,
                                summary.scope, summary.tables, summary.facts, summary.warnings, str(path),
                                "unchanged")
    disclosure = parse_bytes(data, path)
    store.add(disclosure)
    log.info("ingested %s as %s", path, disclosure.doc_id)
    return IngestedDocument(disclosure.doc_id, disclosure.title, disclosure.issuer, disclosure.year,
                            disclosure.kind, disclosure.scope, len(disclosure.tables), len(disclosure.facts()),
                            disclosure.warnings, str(path), "added")
