"""A `Disclosure` cut into retrievable `Chunk`s: narrative by section, tables by row blocks.

Narrative: each section's own paragraphs are grouped into chunks of at most `MAX_CHARS`
characters, the heading path written first ("四、“三公”经费情况说明"), so a chunk that says
only "较2023年减少1,020,000元" still carries what it is about. Tables: blocks of rows, each
block repeating the table number, title, unit and column header, so a block from the
middle of 表五 still says which table and which column a figure is in. Notes under a
table (备注：本部门无政府性基金收支…) travel with it: an empty table answers questions too.

Chunk ids are deterministic: the document id plus a digest of where the chunk sits
(section path or table key, and its block number), so indexing the same disclosure twice
writes the same ids.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from typing import Any

from ingest.model import FORM, Disclosure, Row, Section, Table

MAX_CHARS = 400  # narrative chunk size: a paragraph or two; short chunks rank sharper
MAX_TABLE_CHARS = 600  # row block size; a wide table's row is long
NARRATIVE = "narrative"
PREAMBLE = "（前言）"  # the section name of text before the first heading (title, cover lines)
TABLE = "table"
_SENTENCE_END = re.compile(r"(?<=[。；;！？])")


@dataclass(frozen=True)
class Chunk:
    """One retrievable passage with where it came from."""

    id: str
    doc_id: str
    text: str  # what is embedded and keyword-indexed (heading path or table header included)
    origin: str  # narrative | table
    title: str  # the document's title
    issuer: str | None = None
    year: int | None = None
    kind: str | None = None  # 预算 / 决算
    scope: str | None = None  # 部门 / 单位
    section: str | None = None  # heading path, " › " between levels (narrative)
    table: str | None = None  # Table.key (table blocks)
    table_title: str | None = None
    page: int | None = None
    block: int = 0  # position within its section or table

    @property
    def anchor(self) -> str:
        """Where the chunk sits, for people: 表十 … or the heading path."""
        if self.origin == TABLE:
            return f"{self.table} {self.table_title or ''}".strip()
        return self.section or PREAMBLE

    def metadata(self) -> dict[str, Any]:
        """Flat metadata for the vector store (no None values: Chroma rejects them)."""
        meta = {
            "doc_id": self.doc_id, "origin": self.origin, "title": self.title, "issuer": self.issuer,
            "year": self.year, "kind": self.kind, "scope": self.scope, "section": self.section,
            "table": self.table, "table_title": self.table_title, "page": self.page, "block": self.block,
        }
        return {k: v for k, v in meta.items() if v is not None}

    @classmethod
    def from_metadata(cls, chunk_id: str, text: str, meta: dict[str, Any]) -> Chunk:
        return cls(
            id=chunk_id, doc_id=meta["doc_id"], text=text, origin=meta["origin"], title=meta.get("title", ""),
            issuer=meta.get("issuer"), year=meta.get("year"), kind=meta.get("kind"), scope=meta.get("scope"),
            section=meta.get("section"), table=meta.get("table"), table_title=meta.get("table_title"),
            page=meta.get("page"), block=meta.get("block", 0),
        )


def chunk_disclosure(d: Disclosure) -> list[Chunk]:
    """Every chunk of one document, narrative first, in reading order, ids unique."""
    chunks: list[Chunk] = []
    for top in d.sections:
        chunks.extend(_section_chunks(d, top, []))
    for table in d.tables:
        chunks.extend(_table_chunks(d, table))
    return _unique_ids(chunks)


def _unique_ids(chunks: list[Chunk]) -> list[Chunk]:
    """A heading printed twice (a PDF repeating a page) gives two chunks one place: number the repeat."""
    seen: dict[str, int] = {}
    out = []
    for chunk in chunks:
        n = seen.get(chunk.id, 0)
        seen[chunk.id] = n + 1
        out.append(chunk if n == 0 else replace(chunk, id=f"{chunk.id}-{n}"))
    return out


def chunk_id(doc_id: str, anchor: str, block: int) -> str:
    digest = hashlib.sha1(f"{anchor}\x1f{block}".encode("utf-8")).hexdigest()[:12]
    return f"{doc_id}-{digest}"


def _make(d: Disclosure, text: str, origin: str, anchor: str, block: int, **where: Any) -> Chunk:
    return Chunk(id=chunk_id(d.doc_id, anchor, block), doc_id=d.doc_id, text=text, origin=origin,
                 title=d.title, issuer=d.issuer, year=d.year, kind=d.kind, scope=d.scope, block=block, **where)


# --- narrative ---------------------------------------------------------------------------------

def _section_chunks(d: Disclosure, section: Section, stack: list[Section]) -> list[Chunk]:
    stack = stack + [section]
    path = " › ".join(f"{s.number}{s.heading}" for s in stack if s.heading or s.number)
    out: list[Chunk] = []
    pieces = [(piece, p.page) for p in section.paragraphs for piece in _split_long(p.text.strip()) if piece]
    for block, (body, page) in enumerate(_group(pieces, MAX_CHARS - len(path))):
        text = f"{path}\n{body}" if path else body
        out.append(_make(d, text, NARRATIVE, "s:" + path, block, section=path or PREAMBLE,
                         page=page if page is not None else section.page))
    for child in section.children:
        out.extend(_section_chunks(d, child, stack))
    return out


def _split_long(text: str, limit: int = MAX_CHARS) -> list[str]:
    """A paragraph longer than a chunk is cut at sentence ends (。；), or hard as a last resort."""
    if len(text) <= limit:
        return [text]
    out, current = [], ""
    for sentence in _SENTENCE_END.split(text):
        while len(sentence) > limit:  # one endless "sentence" (a table exported as text)
            if current:
                out.append(current)
                current = ""
            out.append(sentence[:limit])
            sentence = sentence[limit:]
        if current and len(current) + len(sentence) > limit:
            out.append(current)
            current = ""
        current += sentence
    if current:
        out.append(current)
    return out


def _group(pieces: list[tuple[str, int | None]], limit: int) -> list[tuple[str, int | None]]:
    """Consecutive pieces joined while they fit; each group keeps its first page."""
    limit = max(limit, 120)
    groups: list[tuple[str, int | None]] = []
    for text, page in pieces:
        if groups and len(groups[-1][0]) + 1 + len(text) <= limit:
            groups[-1] = (groups[-1][0] + "\n" + text, groups[-1][1] if groups[-1][1] is not None else page)
        else:
            groups.append((text, page))
    return groups


# --- tables ------------------------------------------------------------------------------------

def _table_header(t: Table) -> str:
    part = f"（{t.part}）" if t.part else ""
    lines = [f"{t.key} {t.title}{part}（单位：{t.unit}）"]
    if t.kind != FORM and t.columns:
        lines.append("栏目：" + " | ".join(c.label for c in t.columns))
    return "\n".join(lines)


def _label_columns(t: Table) -> dict[int, str]:
    """Columns that hold no cell in any row carry the row's code or name (科目编码 / 科目名称)."""
    filled = {c.column for r in t.rows for c in r.cells if c.text}
    out: dict[int, str] = {}
    for column in t.columns:
        if column.index in filled:
            continue
        if any(w in column.label for w in ("编码", "代码")):
            out[column.index] = "code"
        elif "name" not in out.values():
            out[column.index] = "name"
    return out


def _row_text(t: Table, row: Row, label_columns: dict[int, str]) -> str:
    cells = {c.column: c.text for c in row.cells}
    texts = []
    for column in t.columns:
        role = label_columns.get(column.index)
        texts.append(cells.get(column.index) or (row.code if role == "code" else row.name if role == "name" else "") or "")
    if row.name and "name" not in label_columns.values():
        texts.insert(0, row.name)
    if row.code and "code" not in label_columns.values():
        texts.insert(0, row.code)
    return " | ".join(texts).rstrip(" |")


def _table_chunks(d: Disclosure, t: Table) -> list[Chunk]:
    header = _table_header(t)
    lines: list[tuple[str, int | None]] = []
    for f in t.fields:
        if f.text:
            lines.append((f"{f.key}：{f.text}", t.page_start))
    if t.kind == FORM and t.columns and t.rows:
        lines.append(("指标：" + " | ".join(c.label for c in t.columns), t.page_start))
    label_columns = _label_columns(t)
    for row in t.rows:
        text = _row_text(t, row, label_columns)
        if text.strip(" |"):
            lines.append((text, row.page if row.page is not None else t.page_start))
    notes = "\n".join(n for n in t.notes if n)
    anchor = "t:" + t.key
    where = dict(table=t.key, table_title=t.title)
    if not lines:
        body = notes or "（本表无数据）"
        return [_make(d, f"{header}\n{body}", TABLE, anchor, 0, page=t.page_start, **where)]
    chunks = []
    budget = MAX_TABLE_CHARS - len(header)
    for block, (body, page) in enumerate(_group(lines, budget)):
        text = f"{header}\n{body}"
        chunks.append(_make(d, text, TABLE, anchor, block, page=page, **where))
    if notes:  # the note closes the last block, where a reader meets it
        last = chunks[-1]
        chunks[-1] = replace(last, text=f"{last.text}\n{notes}")
    return chunks
