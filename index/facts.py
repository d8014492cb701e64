"""The SQLite fact store: documents, tables, rows, cells and narrative facts.

One file (`facts.sqlite3`) in the data directory. A document is stored in one transaction
or not at all, keyed by its content hash, so ingesting the same file twice changes nothing
and a failure half-way leaves what was stored before untouched. WAL mode lets the chat
read while an ingest writes.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from ingest.errors import NotFoundError, StoreError
from ingest.model import Disclosure, disclosure_from_dict

SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY, content_hash TEXT NOT NULL UNIQUE, source TEXT NOT NULL,
    format TEXT NOT NULL, title TEXT NOT NULL, issuer TEXT, region TEXT, year INTEGER,
    kind TEXT, scope TEXT, ingested_at TEXT NOT NULL, warnings TEXT NOT NULL,
    disclosure TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS tables (
    doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE, key TEXT NOT NULL,
    number TEXT, ordinal INTEGER, part TEXT, title TEXT NOT NULL, kind TEXT NOT NULL,
    unit TEXT NOT NULL, page_start INTEGER, page_end INTEGER, is_empty INTEGER NOT NULL,
    notes TEXT NOT NULL, PRIMARY KEY (doc_id, key)
);
CREATE TABLE IF NOT EXISTS rows (
    doc_id TEXT NOT NULL, table_key TEXT NOT NULL, idx INTEGER NOT NULL, code TEXT,
    name TEXT NOT NULL, parent INTEGER, is_total INTEGER NOT NULL, page INTEGER,
    PRIMARY KEY (doc_id, table_key, idx),
    FOREIGN KEY (doc_id, table_key) REFERENCES tables(doc_id, key) ON DELETE CASCADE
);
CREATE TABLE IF NOT EXISTS cells (
    doc_id TEXT NOT NULL, table_key TEXT NOT NULL, row_idx INTEGER NOT NULL,
    col INTEGER NOT NULL, column_label TEXT NOT NULL, text TEXT NOT NULL, value TEXT, unit TEXT NOT NULL,
    PRIMARY KEY (doc_id, table_key, row_idx, col),
    FOREIGN KEY (doc_id, table_key, row_idx) REFERENCES rows(doc_id, table_key, idx) ON DELETE CASCADE
);
CREATE TABLE IF NOT EXISTS facts (
    id INTEGER PRIMARY KEY, doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    origin TEXT NOT NULL, value TEXT NOT NULL, unit TEXT NOT NULL, label TEXT NOT NULL,
    table_key TEXT, row_idx INTEGER, column_label TEXT, page INTEGER, section TEXT,
    subject_code TEXT, year INTEGER, measure TEXT, text TEXT NOT NULL, source_unit TEXT NOT NULL,
    sentence TEXT
);
CREATE INDEX IF NOT EXISTS facts_doc ON facts(doc_id);
CREATE INDEX IF NOT EXISTS facts_code ON facts(subject_code);
"""


@dataclass
class DocumentSummary:
    doc_id: str
    title: str
    issuer: str | None
    region: str | None
    year: int | None
    kind: str | None
    scope: str | None
    source: str
    format: str
    tables: int
    facts: int
    warnings: list[str]
    ingested_at: str


class FactStore:
    def __init__(self, home: Path):
        self.path = Path(home) / "facts.sqlite3"
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with closing(self._connect()) as db, db:
                db.executescript(_SCHEMA)
                db.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"无法打开数据目录中的事实库（{self.path}）。", f"{self.path}: {exc}") from exc

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA foreign_keys=ON")
        return db

    def has(self, content_hash: str) -> str | None:
        with closing(self._connect()) as db:
            row = db.execute("SELECT doc_id FROM documents WHERE content_hash = ?", (content_hash,)).fetchone()
        return row[0] if row else None

    def hashes(self) -> set[str]:
        """Content hashes of every stored document."""
        with closing(self._connect()) as db:
            return {r[0] for r in db.execute("SELECT content_hash FROM documents")}

    def add(self, d: Disclosure) -> bool:
        """Store a document; False if a document with the same content is already stored."""
        facts = d.facts()
        try:
            with closing(self._connect()) as db, db:
                if db.execute("SELECT 1 FROM documents WHERE content_hash = ?", (d.content_hash,)).fetchone():
                    return False
                db.execute(
                    "INSERT INTO documents VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (d.doc_id, d.content_hash, d.source, d.format, d.title, d.issuer, d.region, d.year,
                     d.kind, d.scope, datetime.now(timezone.utc).isoformat(timespec="seconds"),
                     json.dumps(d.warnings, ensure_ascii=False), json.dumps(d.to_dict(), ensure_ascii=False)),
                )
                for t in d.tables:
                    db.execute(
                        "INSERT INTO tables VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                        (d.doc_id, t.key, t.number, t.ordinal, t.part, t.title, t.kind, t.unit,
                         t.page_start, t.page_end, int(t.is_empty), json.dumps(t.notes, ensure_ascii=False)),
                    )
                    for r in t.rows:
                        db.execute("INSERT INTO rows VALUES (?,?,?,?,?,?,?,?)",
                                   (d.doc_id, t.key, r.index, r.code, r.name, r.parent, int(r.is_total), r.page))
                        db.executemany(
                            "INSERT INTO cells VALUES (?,?,?,?,?,?,?,?)",
                            [(d.doc_id, t.key, r.index, c.column, (t.column(c.column).label if t.column(c.column) else ""),
                              c.text, None if c.value is None else str(c.value), c.unit) for c in r.cells],
                        )
                db.executemany(
                    "INSERT INTO facts (doc_id, origin, value, unit, label, table_key, row_idx, column_label,"
                    " page, section, subject_code, year, measure, text, source_unit, sentence)"
                    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    [(f.doc_id, f.origin, str(f.value), f.unit, json.dumps(list(f.label), ensure_ascii=False),
                      f.locator.table, f.locator.row, f.locator.column, f.locator.page, f.locator.section,
                      f.subject_code, f.year, f.measure, f.text, f.source_unit, f.sentence) for f in facts],
                )
        except sqlite3.Error as exc:
            raise StoreError(f"保存文件“{d.source}”时出错，已撤销，原有数据未改变。", f"store add {d.doc_id}: {exc}") from exc
        return True

    def remove(self, doc_id: str) -> bool:
        with closing(self._connect()) as db, db:
            return db.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,)).rowcount > 0

    def documents(self) -> list[DocumentSummary]:
        with closing(self._connect()) as db:
            rows = db.execute(
                "SELECT d.doc_id, d.title, d.issuer, d.region, d.year, d.kind, d.scope, d.source, d.format,"
                " (SELECT COUNT(*) FROM tables t WHERE t.doc_id = d.doc_id),"
                " (SELECT COUNT(*) FROM facts f WHERE f.doc_id = d.doc_id), d.warnings, d.ingested_at"
                " FROM documents d ORDER BY d.issuer, d.year, d.title"
            ).fetchall()
        return [DocumentSummary(*r[:11], warnings=json.loads(r[11]), ingested_at=r[12]) for r in rows]

    def get(self, doc_id: str) -> Disclosure:
        with closing(self._connect()) as db:
            row = db.execute("SELECT disclosure FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
        if not row:
            raise NotFoundError(f"没有找到文档“{doc_id}”。", f"no document {doc_id}")
        return disclosure_from_dict(json.loads(row[0]))

    def find(self, ref: str) -> list[DocumentSummary]:
        """Documents whose id starts with `ref`, or whose title, issuer or file name contains it."""
        docs = self.documents()
        by_id = [d for d in docs if d.doc_id.startswith(ref)]
        if by_id:
            return by_id
        return [d for d in docs if ref in d.title or ref in (d.issuer or "") or ref in d.source]
