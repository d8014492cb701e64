"""Saved conversations and answer feedback, in SQLite in the data directory (`chat.sqlite3`).

A conversation is its questions in order: what the user saw (`shown`), what the engine was asked
(`asked`), the document a clarify choice named, and the answer as `ask --json` gives it. Reopening
a conversation asks its questions again, in order, with the context each one carried (answers are
deterministic over the same documents; the stored JSON is the record of what was shown then).

Feedback is one row per click: 👍 (+1) or 👎 (−1), an optional comment, and — so staff can review
what went wrong without the page — the question, the answer JSON and the documents it used.
`budgetqa feedback --json` prints them (`feedback_report`).

Every connection is opened per call: Streamlit runs each browser session in its own thread.
"""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from ingest.errors import StoreError

FILE = "chat.sqlite3"
TITLE_CHARS = 40
_SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    id TEXT PRIMARY KEY, title TEXT NOT NULL, created REAL NOT NULL, updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS turns (
    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL, shown TEXT NOT NULL, asked TEXT NOT NULL, option_label TEXT,
    option_doc_id TEXT, answer_json TEXT NOT NULL, created REAL NOT NULL,
    PRIMARY KEY (conversation_id, seq)
);
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT, conversation_id TEXT, seq INTEGER, rating INTEGER NOT NULL,
    comment TEXT NOT NULL DEFAULT '', question TEXT NOT NULL, answer_json TEXT NOT NULL,
    doc_ids TEXT NOT NULL, created REAL NOT NULL
);
"""


@dataclass(frozen=True)
class Conversation:
    id: str
    title: str
    updated: float
    turns: int


@dataclass(frozen=True)
class SavedTurn:
    shown: str
    asked: str
    option_label: str | None
    option_doc_id: str | None
    answer: dict


def doc_ids(answer: dict) -> list[str]:
    """The documents an answer (as `ask --json` gives it) uses, offers or cites, in order, once each."""
    ids = [f.get("doc_id") for f in answer.get("facts") or []] + \
          [s.get("doc_id") for s in answer.get("sources") or []]
    return [i for i in dict.fromkeys(ids) if i]


class ChatHistory:
    def __init__(self, home: Path):
        self.path = Path(home) / FILE
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with closing(self._connect()) as db, db:
                db.executescript(_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"无法打开数据目录中的对话记录（{self.path}）。", f"{self.path}: {exc}") from exc

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30)
        db.execute("PRAGMA foreign_keys=ON")
        return db

    # --- conversations -------------------------------------------------------------------------

    def start(self, first_question: str) -> str:
        conversation_id = uuid.uuid4().hex[:12]
        title = first_question.strip()
        title = title if len(title) <= TITLE_CHARS else title[:TITLE_CHARS - 1] + "…"
        now = time.time()
        with closing(self._connect()) as db, db:
            db.execute("INSERT INTO conversations VALUES (?, ?, ?, ?)", (conversation_id, title, now, now))
        return conversation_id

    def add_turn(self, conversation_id: str, shown: str, asked: str, answer: dict,
                 option_label: str | None = None, option_doc_id: str | None = None) -> int:
        """Appends a turn; returns its position (0 for the first question)."""
        now = time.time()
        with closing(self._connect()) as db, db:
            seq = db.execute("SELECT COUNT(*) FROM turns WHERE conversation_id = ?", (conversation_id,)).fetchone()[0]
            db.execute("INSERT INTO turns VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       (conversation_id, seq, shown, asked, option_label, option_doc_id,
                        json.dumps(answer, ensure_ascii=False), now))
            db.execute("UPDATE conversations SET updated = ? WHERE id = ?", (now, conversation_id))
        return seq

    def conversations(self, limit: int = 50) -> list[Conversation]:
        """Latest first."""
        with closing(self._connect()) as db:
            rows = db.execute(
                "SELECT c.id, c.title, c.updated, COUNT(t.seq) FROM conversations c "
                "LEFT JOIN turns t ON t.conversation_id = c.id GROUP BY c.id ORDER BY c.updated DESC LIMIT ?",
                (limit,)).fetchall()
        return [Conversation(*row) for row in rows]

    def exists(self, conversation_id: str) -> bool:
        with closing(self._connect()) as db:
            return db.execute("SELECT 1 FROM conversations WHERE id = ?", (conversation_id,)).fetchone() is not None

    def turns(self, conversation_id: str) -> list[SavedTurn]:
        with closing(self._connect()) as db:
            rows = db.execute("SELECT shown, asked, option_label, option_doc_id, answer_json FROM turns "
                              "WHERE conversation_id = ? ORDER BY seq", (conversation_id,)).fetchall()
        return [SavedTurn(s, a, label, doc, json.loads(answer)) for s, a, label, doc, answer in rows]

    def delete(self, conversation_id: str) -> bool:
        """Deletes the conversation and its turns (feedback given on it stays, for review)."""
        with closing(self._connect()) as db, db:
            db.execute("DELETE FROM turns WHERE conversation_id = ?", (conversation_id,))
            return db.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,)).rowcount > 0

    # --- feedback ------------------------------------------------------------------------------

    def add_feedback(self, rating: int, question: str, answer: dict, comment: str = "",
                     conversation_id: str | None = None, seq: int | None = None) -> int:
        if rating not in (1, -1):
            raise ValueError(f"rating must be 1 or -1, not {rating!r}")
        with closing(self._connect()) as db, db:
            cursor = db.execute(
                "INSERT INTO feedback (conversation_id, seq, rating, comment, question, answer_json, doc_ids, created)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (conversation_id, seq, rating, comment.strip(), question, json.dumps(answer, ensure_ascii=False),
                 json.dumps(doc_ids(answer)), time.time()))
            return cursor.lastrowid

    def set_comment(self, feedback_id: int, comment: str) -> None:
        with closing(self._connect()) as db, db:
            db.execute("UPDATE feedback SET comment = ? WHERE id = ?", (comment.strip(), feedback_id))

    def feedback(self) -> list[dict]:
        """Every click, oldest first, with the answer it refers to."""
        with closing(self._connect()) as db:
            rows = db.execute("SELECT id, conversation_id, seq, rating, comment, question, answer_json, doc_ids,"
                              " created FROM feedback ORDER BY id").fetchall()
        return [{"id": i, "conversation_id": c, "turn": s, "rating": "up" if r > 0 else "down", "comment": comment,
                 "question": q, "answer": json.loads(a), "doc_ids": json.loads(d),
                 "created": time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(t))}
                for i, c, s, r, comment, q, a, d, t in rows]


def feedback_report(home: Path) -> dict:
    """`budgetqa feedback --json`: {"feedback": [...], "up": n, "down": n}."""
    items = ChatHistory(home).feedback() if (Path(home) / FILE).exists() else []
    return {"feedback": items, "up": sum(f["rating"] == "up" for f in items),
            "down": sum(f["rating"] == "down" for f in items)}
