"""The keyword index: BM25 (bm25s) over Chinese character bigrams plus jieba words.

Chinese has no spaces, and the public's words are not the documents' words (出国经费 vs
因公出国（境）费, 几辆车 vs 车辆1辆), so a text is indexed three ways over: every character
and every character bigram of each Han run (robust to any segmentation and to word order:
出国, 国经, 经费; 车, 辆), and jieba's search-mode words marked "w:" (whole terms such as
公务接待费 score above their fragments). Digit runs are kept whole without thousands
separators (2024, 2750000). A narrative chunk's own heading is counted once more than its
body (a light BM25F): "什么是基本支出" should find the section headed 基本支出 before the
tables that repeat the phrase. Measured on tests/golden/retrieval.yaml (keyword recall@5):
bigrams + jieba 0.917, + unigrams 0.983, + heading weight 1.000; a stop-word list for
question words (多少, 什么, 几 …) made it worse (几 matters: 几辆).

Storage in the data directory, updated per document under the index lock:
- `keywords/chunks.sqlite3`: every chunk's text, metadata and tokens (the corpus);
- `keywords/bm25-<generation>/`: the bm25s index over that corpus, saved with bm25s;
- `keywords/CURRENT`: which saved index is live (replaced atomically).
A document's write replaces its rows in one transaction, then rebuilds BM25 over the whole
corpus (IDF is global; a few thousand chunks index in well under a second) and swaps CURRENT.

The corpus table is the truth; the saved BM25 index is derived from it. A saved index is only
named in CURRENT once it is complete on disk (files fsynced, `ids.json` written last), and each
rebuild writes to a fresh folder, so a kill or a full disk mid-rebuild leaves the previous index
live. When CURRENT is missing, names a folder that is gone, or lists other chunks than the
corpus holds (a crash between the corpus commit and the swap), the index is rebuilt from the
corpus on the next read — in memory when the folder cannot be written (a read-only data folder).
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import sqlite3
import unicodedata
import uuid
from contextlib import closing
from pathlib import Path

import numpy as np

from index.chunks import Chunk
from ingest.errors import StoreError

log = logging.getLogger(__name__)

_RUN = re.compile(r"[\u3400-\u9fff]+|[a-z]+|\d+(?:[.,]\d+)*")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS chunks (
    id TEXT PRIMARY KEY, doc_id TEXT NOT NULL, seq INTEGER NOT NULL, text TEXT NOT NULL,
    meta TEXT NOT NULL, tokens TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
"""
_jieba = None


def _segmenter():
    global _jieba
    if _jieba is None:
        import jieba

        jieba.setLogLevel(logging.WARNING)
        jieba.initialize()
        _jieba = jieba
    return _jieba


def normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def tokenize(text: str) -> list[str]:
    """Characters and bigrams of Han runs, digit runs, latin words, jieba words."""
    s = normalize(text)
    tokens: list[str] = []
    for m in _RUN.finditer(s):
        run = m.group()
        if run[0].isdigit():
            tokens.append(run.replace(",", ""))
        elif run.isascii():
            tokens.append(run)
        else:
            tokens.extend(run)
            tokens.extend(run[i:i + 2] for i in range(len(run) - 1))
    for word in _segmenter().cut_for_search(s):
        if len(word) >= 2 and "\u3400" <= word[0] <= "\u9fff":
            tokens.append("w:" + word)
    return tokens


def chunk_tokens(chunk: Chunk) -> list[str]:
    """The chunk's tokens, its own heading (the last part of the path) counted once more."""
    tokens = tokenize(chunk.text)
    if chunk.section:
        tokens += tokenize(chunk.section.split(" › ")[-1])
    return tokens


class KeywordIndex:
    """BM25 over the chunk corpus of one data directory. Call writes while holding the index lock."""

    def __init__(self, home: Path):
        self.dir = Path(home) / "keywords"
        self.db_path = self.dir / "chunks.sqlite3"
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            with closing(self._connect()) as db, db:
                db.executescript(_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"无法打开关键词索引（{self.dir}）。", f"{self.db_path}: {exc}") from exc
        self._loaded: str | None = None  # name of the saved index in memory
        self._bm25 = None
        # a batch of writes (ingest of many files) saves BM25 once at its end, not after every
        # document: rebuilding over the whole corpus per document makes a batch quadratic
        self.deferring = False
        self.pending: int | None = None  # the generation to save at the batch's end
        self._ids: list[str] = []
        self._chunks: dict[str, Chunk] = {}

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.db_path, timeout=30)
        db.execute("PRAGMA journal_mode=WAL")
        return db

    # --- writes (under the index lock) ---------------------------------------------------------

    def replace(self, doc_id: str, chunks: list[Chunk], generation: int) -> None:
        rows = [(c.id, c.doc_id, i, c.text, json.dumps(c.metadata(), ensure_ascii=False),
                 json.dumps(chunk_tokens(c), ensure_ascii=False)) for i, c in enumerate(chunks)]
        with closing(self._connect()) as db, db:
            db.execute("DELETE FROM chunks WHERE doc_id = ?", (doc_id,))
            db.executemany("INSERT OR REPLACE INTO chunks VALUES (?,?,?,?,?,?)", rows)
        if not self._saved_later(generation):
            self._rebuild(generation)

    def remove(self, doc_id: str, generation: int) -> int:
        with closing(self._connect()) as db, db:
            removed = db.execute("DELETE FROM chunks WHERE doc_id = ?", (doc_id,)).rowcount
        if removed and not self._saved_later(generation):
            self._rebuild(generation)
        return removed

    def clear(self, generation: int) -> None:
        with closing(self._connect()) as db, db:
            db.execute("DELETE FROM chunks")
        self._rebuild(generation)

    def _saved_later(self, generation: int) -> bool:
        if self.deferring:
            self.pending = generation  # CURRENT stays the previous index until flush (live() says stale)
        return self.deferring

    def flush(self) -> None:
        """The end of a batch (index lock held): save BM25 once over the corpus as it now is."""
        generation, self.pending = self.pending, None
        if generation is not None:
            self._rebuild(generation)

    def _rebuild(self, generation: int) -> None:
        """Save a BM25 index over the corpus in a fresh folder, then name it in CURRENT.

        A failure (a full disk) removes the half-written folder and leaves CURRENT as it was."""
        with closing(self._connect()) as db:
            rows = db.execute("SELECT id, tokens FROM chunks ORDER BY doc_id, seq").fetchall()
        name = f"bm25-{generation}-{uuid.uuid4().hex[:6]}"  # never an existing folder, whatever the counter says
        target = self.dir / name
        try:
            target.mkdir()
            if rows:
                _bm25_of(rows).save(str(target), show_progress=False)
            _write_synced(target / "ids.json", json.dumps([r[0] for r in rows]))
            for saved in target.iterdir():
                _fsync(saved)
            _write_synced(self.dir / f"CURRENT.tmp{os.getpid()}", name)
            os.replace(self.dir / f"CURRENT.tmp{os.getpid()}", self.dir / "CURRENT")
            _fsync(self.dir)
        except BaseException:
            shutil.rmtree(target, ignore_errors=True)
            (self.dir / f"CURRENT.tmp{os.getpid()}").unlink(missing_ok=True)
            raise
        for old in self.dir.glob("bm25-*"):
            if old.name != name:
                shutil.rmtree(old, ignore_errors=True)
        self._loaded = None  # reload on next search
        log.info("keyword index rebuilt: %d chunks (%s)", len(rows), name)

    def live(self) -> bool:
        """True when CURRENT names a complete saved index over exactly the corpus's chunks."""
        try:
            saved = self.dir / (self.dir / "CURRENT").read_text().strip()
            ids = json.loads((saved / "ids.json").read_text())
        except (OSError, ValueError):
            return False
        with closing(self._connect()) as db:
            corpus = [r[0] for r in db.execute("SELECT id FROM chunks ORDER BY doc_id, seq")]
        return ids == corpus and (not ids or (saved / "params.index.json").exists())

    def repair(self, generation: int) -> bool:
        """Rebuild the saved index if it is not live; True if it had to be."""
        if self.live():
            return False
        log.warning("keyword index %s not live (CURRENT missing or stale): rebuilding from the corpus", self.dir)
        self._rebuild(generation)
        return True

    # --- reads (under the index lock) ----------------------------------------------------------

    def _ensure_loaded(self, repaired: bool = False) -> None:
        import bm25s

        try:
            current = (self.dir / "CURRENT").read_text().strip()
        except OSError:
            current = ""
        if current and current == self._loaded:
            return
        self._bm25, self._ids, self._chunks = None, [], {}
        with closing(self._connect()) as db:
            rows = db.execute("SELECT id, text, meta, tokens FROM chunks ORDER BY doc_id, seq").fetchall()
        self._chunks = {i: Chunk.from_metadata(i, text, json.loads(meta)) for i, text, meta, _ in rows}
        corpus = [r[0] for r in rows]
        try:
            saved = self.dir / current if current else None
            ids = json.loads((saved / "ids.json").read_text()) if saved else None
            if ids is not None and ids == corpus:
                self._ids = ids
                self._bm25 = bm25s.BM25.load(str(saved), show_progress=False) if ids else None
                self._loaded = current
                return
        except (OSError, ValueError) as exc:
            log.warning("keyword index %s unreadable: %r", current, exc)
        # CURRENT missing, gone or stale: rebuilt from the corpus (callers hold the index lock,
        # so saving it here is safe); kept in memory only when the folder cannot be written.
        log.warning("keyword index: CURRENT %r does not match the corpus; rebuilding it", current)
        try:
            if not repaired:
                self._rebuild(0)
                self._ensure_loaded(repaired=True)
                return
        except (OSError, sqlite3.Error) as exc:
            log.warning("keyword index not saved (%r): searching an index built in memory", exc)
        self._ids = corpus
        self._bm25 = _bm25_of([(r[0], r[3]) for r in rows]) if rows else None
        self._loaded = None  # look at CURRENT again next time

    def search(self, query: str, k: int, allowed=None) -> list[tuple[Chunk, float]]:
        """Top k chunks by BM25 score (> 0), optionally only those `allowed(chunk)` accepts."""
        self._ensure_loaded()
        tokens = tokenize(query)
        if self._bm25 is None or not tokens:
            return []
        scores = self._bm25.get_scores(tokens)
        chunks = [self._chunks.get(i) for i in self._ids]
        mask = np.array([c is not None and (allowed is None or allowed(c)) for c in chunks], dtype=bool)
        scores = np.where(mask, scores, 0.0)
        order = np.argsort(-scores, kind="stable")[:k]
        return [(chunks[i], float(scores[i])) for i in order if scores[i] > 0]

    def documents(self) -> dict[str, int]:
        """Chunk count per document id."""
        with closing(self._connect()) as db:
            return dict(db.execute("SELECT doc_id, COUNT(*) FROM chunks GROUP BY doc_id").fetchall())

    def chunks(self, doc_id: str | None = None) -> list[Chunk]:
        with closing(self._connect()) as db:
            sql = "SELECT id, text, meta FROM chunks" + (" WHERE doc_id = ?" if doc_id else "") + " ORDER BY doc_id, seq"
            rows = db.execute(sql, (doc_id,) if doc_id else ()).fetchall()
        return [Chunk.from_metadata(i, text, json.loads(meta)) for i, text, meta in rows]


def _bm25_of(rows: list[tuple[str, str]]):
    import bm25s

    retriever = bm25s.BM25()
    retriever.index([json.loads(t) or [""] for _, t in rows], show_progress=False)
    return retriever


def _write_synced(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
