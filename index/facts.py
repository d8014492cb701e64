"""The SQLite fact store: documents, tables, rows, cells and narrative facts.

One file (`facts.sqlite3`) in the data directory. A document is stored in one transaction
or not at all, keyed by its content hash, so ingesting the same file twice changes nothing
and a failure half-way leaves what was stored before untouched. WAL mode lets the chat
read while an ingest writes.

A store whose file changed since it was last checked gets `PRAGMA quick_check` on open; a
corrupt one refuses all work with a Chinese message naming the recovery (`budgetqa doctor
--repair` re-ingests the documents from their source files). A data folder that cannot be
written is opened read-only: questions work, writes are refused.

With `BUDGETQA_DATABASE_URL` (postgresql://user@host:port/db) the same store lives on a
PostgreSQL server instead (index/facts_pg.py), so several chat servers, each with its own data
directory for the keyword index and chat history, share one set of documents. The SQL is written
once for both engines; `documents()` sorts in Python so both list documents in the same order.
The URL is read when the store is opened, like the data directory it goes with, so every place
that opens a store serves PostgreSQL without being told.

`generation()` counts the documents added and removed; a process that keeps something derived
from the stored documents (a keyword index in its own data directory) rebuilds it when the count
moved (index/follow.py).
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from ingest.errors import NotFoundError, StoreError
from ingest.model import Disclosure, disclosure_from_dict

log = logging.getLogger(__name__)

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
CREATE TABLE IF NOT EXISTS parts (
    content_hash TEXT PRIMARY KEY, doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    file TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS findings (
    doc_id TEXT PRIMARY KEY REFERENCES documents(doc_id) ON DELETE CASCADE,
    version TEXT NOT NULL, findings TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS facts_doc ON facts(doc_id);
CREATE INDEX IF NOT EXISTS facts_code ON facts(subject_code);
CREATE INDEX IF NOT EXISTS tables_doc ON tables(doc_id);
CREATE INDEX IF NOT EXISTS parts_file ON parts(file);
CREATE INDEX IF NOT EXISTS parts_doc ON parts(doc_id);
"""
DATABASE_URL_VARIABLE = "BUDGETQA_DATABASE_URL"
_BUMP = "UPDATE meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = 'generation'"


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


def open_read_only(path: Path) -> sqlite3.Connection:
    """A read-only connection that never creates or changes a file. A WAL database in a folder
    that cannot be written may refuse `mode=ro` (no -shm can be made): then it is read as
    immutable, which is what a read-only folder is."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    try:
        db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        return db
    except sqlite3.OperationalError:
        db.close()
        return sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True, timeout=30)


def integrity_problems(path: Path) -> list[str]:
    """`PRAGMA quick_check` of a fact store file: [] when sound (read-only, never creates the file)."""
    try:
        with closing(open_read_only(path)) as db:
            rows = [r[0] for r in db.execute("PRAGMA quick_check").fetchall()]
    except sqlite3.Error as exc:
        return [f"{type(exc).__name__}: {exc}"]
    return [] if rows == ["ok"] else rows[:5]


def corrupt_store_error(path: Path, problems: list[str]) -> StoreError:
    return StoreError(
        f"事实库文件已损坏（{path}），为免丢失更多数据，已停止读写。恢复方法：运行 budgetqa doctor --repair，"
        "它会把损坏的文件移到一旁，并从记录的原始文件重新导入各文档（原始文件须仍在原处）；"
        "也可以换一个空的数据目录，用 budgetqa ingest 重新导入原始文件。",
        f"{path}: quick_check failed: {'; '.join(problems)}",
    )


def _stamp(path: Path) -> str:
    """Size and modification time of the database and its WAL: changes with every write."""
    parts = []
    for p in (path, path.with_name(path.name + "-wal")):
        try:
            info = p.stat()
            parts.append(f"{info.st_size}:{info.st_mtime_ns}")
        except OSError:
            parts.append("-")
    return " ".join(parts)


class FactStore:
    def __init__(self, home: Path, database_url: str | None = None):
        self.path = Path(home) / "facts.sqlite3"  # its folder is the data directory, whichever engine
        home = Path(home)
        self.database_url = database_url or os.environ.get(DATABASE_URL_VARIABLE) or None
        self._errors: tuple[type[BaseException], ...] = (sqlite3.Error,)
        if self.database_url:
            self._open_server()
            return
        # a folder that exists but cannot be written (read-only mount, permissions): read-only store
        self.read_only = home.is_dir() and not os.access(home, os.W_OK)
        try:
            if self.read_only:
                if not self.path.exists():
                    raise StoreError(f"数据目录（{home}）只读，其中没有事实库。", f"{home}: read-only, no {self.path.name}")
                self._verify()
                return
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fresh = not self.path.exists()
            if not fresh:
                self._verify()
            with closing(self._connect()) as db, db:
                db.executescript(_SCHEMA)
                self._seed_meta(db)
        except (OSError, sqlite3.Error) as exc:
            full = getattr(exc, "errno", None) == 28 or "full" in str(exc) or "disk I/O" in str(exc)
            raise StoreError(f"无法打开数据目录中的事实库（{self.path}）" + ("：磁盘空间可能已满，释放空间后即可恢复，已存数据未受影响。"
                             if full else "。"), f"{self.path}: {exc}") from exc

    def _open_server(self) -> None:
        from index.facts_pg import PgConnection, database_errors, describe, pg_schema

        self.read_only = False  # the server decides who may write
        self._errors = (sqlite3.Error, *database_errors())
        try:
            with closing(PgConnection(self.database_url)) as db:
                db.create_schema(pg_schema(_SCHEMA))
                with db:
                    self._seed_meta(db)
        except self._errors as exc:
            raise StoreError(f"无法连接事实库服务器（{describe(self.database_url)}），请检查 {DATABASE_URL_VARIABLE} "
                             "和数据库服务是否在运行。", f"{describe(self.database_url)}: {exc}") from exc
        from index.follow import share_collection  # local: follow builds on this module

        try:
            share_collection(self.path.parent, self)  # every data directory of this store, one collection
        except OSError as exc:  # a read-only data directory: its own collection name stays
            log.warning("%s: cannot record the shared collection: %s", self.path.parent, exc)

    def claim(self, key: str, value: str) -> str:
        """A setting shared by everyone on this store: the first value offered for `key` stays."""
        self._writable()
        with closing(self._connect()) as db, db:
            db.execute("INSERT INTO meta VALUES (?, ?) ON CONFLICT DO NOTHING", (key, value))
            return db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()[0]

    @property
    def location(self) -> str:
        """Where the facts are kept: the SQLite file, or the server (without its password)."""
        if self.database_url:
            from index.facts_pg import describe

            return describe(self.database_url)
        return str(self.path)

    @staticmethod
    def _seed_meta(db) -> None:
        db.execute("INSERT INTO meta VALUES ('schema_version', ?) ON CONFLICT DO NOTHING", (str(SCHEMA_VERSION),))
        db.execute("INSERT INTO meta VALUES ('generation', '0') ON CONFLICT DO NOTHING")

    def generation(self) -> int:
        """How many times documents were added or removed (0 for a store from before the count)."""
        try:
            with closing(self._connect()) as db:
                row = db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        except self._errors:
            return 0
        return int(row[0]) if row else 0

    def _verify(self) -> None:
        """quick_check when the file changed since the last check that passed."""
        mark = self.path.with_name(self.path.name + ".checked")
        stamp = _stamp(self.path)
        try:
            if mark.read_text() == stamp:
                return
        except OSError:
            pass
        problems = integrity_problems(self.path)
        if problems:
            raise corrupt_store_error(self.path, problems)
        if not self.read_only:
            try:
                mark.write_text(stamp)
            except OSError:  # the check is repeated next time
                pass

    def _connect(self) -> sqlite3.Connection:
        if self.database_url:
            from index.facts_pg import PgConnection

            try:
                return PgConnection(self.database_url)
            except self._errors as exc:
                raise StoreError("无法连接事实库服务器，请稍后再试。", f"fact store connect: {exc}") from exc
        if self.read_only:
            return open_read_only(self.path)
        db = sqlite3.connect(self.path, timeout=30)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA foreign_keys=ON")
        return db

    def _writable(self) -> None:
        if self.read_only:
            raise StoreError(f"数据目录（{self.path.parent}）只读，不能导入或删除文档；提问、查看不受影响。",
                             f"{self.path.parent}: read-only data folder, write refused")

    def has(self, content_hash: str) -> str | None:
        with closing(self._connect()) as db:
            row = db.execute("SELECT doc_id FROM documents WHERE content_hash = ?", (content_hash,)).fetchone()
            # a file that is one part of a split document is held by the joined document
            row = row or db.execute("SELECT doc_id FROM parts WHERE content_hash = ?", (content_hash,)).fetchone()
        return row[0] if row else None

    def part_holder(self, file: str) -> str | None:
        """The split document that holds this file as one of its parts."""
        with closing(self._connect()) as db:
            row = db.execute("SELECT doc_id FROM parts WHERE file = ?", (file,)).fetchone()
        return row[0] if row else None

    def hashes(self) -> set[str]:
        """Content hashes of every stored document."""
        with closing(self._connect()) as db:
            return ({r[0] for r in db.execute("SELECT content_hash FROM documents")}
                    | {r[0] for r in db.execute("SELECT content_hash FROM parts")})

    def add(self, d: Disclosure) -> bool:
        """Store a document; False if a document with the same content is already stored."""
        self._writable()
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
                db.executemany("INSERT INTO parts VALUES (?,?,?)",
                               [(p["content_hash"], d.doc_id, p["file"]) for p in d.parts])
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
                db.execute(_BUMP)
        except self._errors as exc:
            if self.database_url and self._stored_meanwhile(d.content_hash):
                return False
            raise StoreError(f"保存文件“{d.source}”时出错，已撤销，原有数据未改变。", f"store add {d.doc_id}: {exc}") from exc
        return True

    def _stored_meanwhile(self, content_hash: str) -> bool:
        """After a failed add on a server: did another server store the same document at the same time?"""
        try:
            return self.has(content_hash) is not None
        except (StoreError, *self._errors):
            return False

    def remove(self, doc_id: str) -> bool:
        self._writable()
        with closing(self._connect()) as db, db:
            removed = db.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,)).rowcount > 0
            if removed:
                db.execute(_BUMP)
            return removed

    def set_findings(self, doc_id: str, version: str, findings: list[dict]) -> None:
        """Keep a document's audit findings (JSON, as the audit writes them) with the version of
        the audit that found them; a later version finds them stale (see `findings`)."""
        self._writable()
        try:
            with closing(self._connect()) as db, db:
                if db.execute("SELECT 1 FROM documents WHERE doc_id = ?", (doc_id,)).fetchone():
                    db.execute("INSERT INTO findings VALUES (?,?,?) ON CONFLICT (doc_id) DO UPDATE"
                               " SET version = excluded.version, findings = excluded.findings",
                               (doc_id, version, json.dumps(findings, ensure_ascii=False)))
        except self._errors as exc:
            raise StoreError(f"保存文档“{doc_id}”的审核结果时出错。", f"store findings {doc_id}: {exc}") from exc

    def findings(self, doc_id: str, version: str) -> list[dict] | None:
        """The stored findings of this audit version; None when there are none (or older ones)."""
        try:
            with closing(self._connect()) as db:
                row = db.execute("SELECT findings FROM findings WHERE doc_id = ? AND version = ?",
                                 (doc_id, version)).fetchone()
        except sqlite3.OperationalError:  # a read-only store made before findings were kept
            return None
        return json.loads(row[0]) if row else None

    def documents(self) -> list[DocumentSummary]:
        with closing(self._connect()) as db:
            rows = db.execute(
                "SELECT d.doc_id, d.title, d.issuer, d.region, d.year, d.kind, d.scope, d.source, d.format,"
                " (SELECT COUNT(*) FROM tables t WHERE t.doc_id = d.doc_id),"
                " (SELECT COUNT(*) FROM facts f WHERE f.doc_id = d.doc_id), d.warnings, d.ingested_at"
                " FROM documents d ORDER BY d.doc_id"
            ).fetchall()
        # issuer, year, title with missing ones first, in code-point order (SQLite's BINARY order;
        # a server's collation may differ), ties by id: the same list from either engine
        rows.sort(key=lambda r: (r[2] is not None, r[2] or "", r[4] is not None, r[4] or 0, r[1]))
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
