"""An answer's sources as data for the page: table excerpts with the used cells, quoted paragraphs.

Table figures: the table the fact comes from, laid out as the document prints it (columns by
their header path, rows with subject code and name), every used cell marked. A long table is
cut to the rows that matter (the used rows, their parent subject rows and the total rows), a
wide one to the header groups of the used cells, so the marked cells are on screen; the whole
table stays one click away. Narrative figures and text answers: the paragraph the
sentence stands in, split into before / sentence / after so the page can highlight it.

Document text is escaped before it becomes Markdown (`md`): every ASCII punctuation mark is
backslash-escaped, so no *, [, <, $ or : printed in a document can turn into formatting,
a link, HTML or a formula.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

import pandas as pd

from app.render import body_rows
from ingest.facts import table_title
from ingest.model import Disclosure, Section, Table

EXCERPT_FROM = 16  # rows; longer tables are shown as an excerpt first
WIDE_FROM = 6  # columns; wider tables show the used cells' header groups first
HIGHLIGHT = "background-color: #ffe08a; color: #1f1f1f; font-weight: 600"
_PUNCT = re.compile(r"([!-/:-@\[-`{-~])")
_SPACE = re.compile(r"\s+")


def md(text: str) -> str:
    """Document text as Markdown that shows exactly that text."""
    return _PUNCT.sub(r"\\\1", text or "").replace("\n", "  \n")


def md_highlight(before: str, hit: str, after: str) -> str:
    """The paragraph with the quoted sentence on a coloured background."""
    hit = _SPACE.sub(" ", hit).strip()
    return f"{md(before)}:orange-background[{md(hit)}]{md(after)}" if hit else md(before + after)


@dataclass
class TableSource:
    doc_id: str
    doc_title: str
    table_key: str
    title: str  # the table's printed title (with its part: 收入 / 支出)
    unit: str  # the unit the table prints its amounts in
    pages: str  # 第3页 / 第3–4页 / ""
    frame: pd.DataFrame  # the rows shown, strings as printed
    marked: set[tuple[int, int]]  # (row position, column position) of the used cells in `frame`
    total_rows: int
    full: pd.DataFrame | None = None  # the whole table, when `frame` is an excerpt
    full_marked: set[tuple[int, int]] = field(default_factory=set)

    @property
    def excerpt(self) -> bool:
        return self.full is not None


@dataclass
class TextSource:
    doc_id: str
    doc_title: str
    where: str  # the section heading path, or the passage's place
    page: int | None
    before: str
    sentence: str
    after: str

    @property
    def markdown(self) -> str:
        return md_highlight(self.before, self.sentence, self.after)


def answer_sources(answer, disclosure: Callable[[str], Disclosure]) -> list[TableSource | TextSource]:
    """The sources of an answer in the order its facts and passages name them."""
    out: list[TableSource | TextSource] = []
    tables: dict[tuple[str, str], list] = {}
    seen_text: set[tuple[str, str]] = set()
    for record in answer.facts:
        fact = record.fact
        if fact.origin != "narrative" and fact.locator.table:
            key = (fact.doc_id, fact.locator.table)
            if key not in tables:
                tables[key] = []
                out.append(key)  # placeholder, replaced below in order
            tables[key].append(fact)
        elif fact.sentence and (fact.doc_id, fact.sentence) not in seen_text:
            seen_text.add((fact.doc_id, fact.sentence))
            doc = disclosure(fact.doc_id)
            out.append(_text_source(doc, fact.sentence, fact.locator.section or "说明部分", fact.locator.page))
    for passage in getattr(answer, "passages", []) or []:
        key = (passage["doc_id"], passage["snippet"])
        if key not in seen_text:
            seen_text.add(key)
            doc = disclosure(passage["doc_id"])
            table = doc.table((passage.get("locator") or "").split("《", 1)[0])  # 表九《…》 names a table
            if table is not None and not _in_sections(doc, passage["snippet"]):
                out.append(_note_source(doc, table, passage))  # an empty table's note
            else:
                out.append(_text_source(doc, passage["snippet"], passage.get("locator") or "", None))
    result = []
    for item in out:
        if isinstance(item, tuple):
            doc = disclosure(item[0])
            table = doc.table(item[1])
            if table is not None:
                result.append(table_source(doc, table, tables[item]))
        else:
            result.append(item)
    return result


# --- tables --------------------------------------------------------------------------------


def table_source(doc: Disclosure, table: Table, facts) -> TableSource:
    columns = _column_names(table)
    grid = body_rows(table)
    by_label = {c.label: i for i, c in enumerate(table.columns)}
    row_pos = {r.index: i for i, r in enumerate(table.rows)}
    field_keys = [f.key for f in table.fields]
    marked: set[tuple[int, int]] = set()
    marked_fields: set[int] = set()
    for fact in facts:
        loc = fact.locator
        if loc.row is not None and loc.row in row_pos and loc.column in by_label:
            marked.add((row_pos[loc.row], by_label[loc.column]))
        elif loc.row is None and loc.column in field_keys:
            marked_fields.add(field_keys.index(loc.column))
    pages = _pages(table, [r for r in table.rows if row_pos.get(r.index) in {m[0] for m in marked}])
    common = dict(doc_id=doc.doc_id, doc_title=doc.title, table_key=table.key, title=table_title(table),
                  unit=table.unit, pages=pages)
    if marked_fields and not marked:  # a form's key–value fields (绩效目标表)
        frame = pd.DataFrame([[f.key, f.text] for f in table.fields], columns=["项目", "内容"])
        return TableSource(frame=frame, marked={(i, 1) for i in marked_fields}, total_rows=len(table.fields),
                           **common)
    amounts = {c.index for c in table.columns if c.unit}  # never a subject code (2010301)
    grid = [[as_printed(cell) if i in amounts else cell for i, cell in enumerate(row)] for row in grid]
    full = pd.DataFrame(grid, columns=columns) if grid else pd.DataFrame(columns=columns)
    keep_rows = _excerpt_rows(table, {r for r, _ in marked}) if len(table.rows) > EXCERPT_FROM else \
        list(range(len(table.rows)))
    keep_cols = _excerpt_columns(table, full.iloc[keep_rows], {c for _, c in marked})
    if len(keep_rows) == len(table.rows) and len(keep_cols) == len(columns):
        return TableSource(frame=full, marked=marked, total_rows=len(table.rows), **common)
    rows = {old: new for new, old in enumerate(keep_rows)}
    cols = {old: new for new, old in enumerate(keep_cols)}
    frame = full.iloc[keep_rows, keep_cols].reset_index(drop=True)
    return TableSource(frame=frame, marked={(rows[r], cols[c]) for r, c in marked if r in rows and c in cols},
                       total_rows=len(table.rows), full=full, full_marked=marked, **common)


def _excerpt_columns(table: Table, shown: pd.DataFrame, used: set[int]) -> list[int]:
    """Column positions to show. A wide table keeps its name columns and the header groups of the
    used cells (2023年预算数 › … beside 2024年预算数 › …: only the year asked about). Name columns
    left empty by the rows shown (类/款/项 codes beside a 合计 row) only take room."""
    named = [i for i in range(len(table.columns)) if i in used or (shown.iloc[:, i] != "").any()]
    if len(table.columns) <= WIDE_FROM or not used:
        return named
    groups = {table.columns[i].path[0] for i in used if table.columns[i].path}
    return [i for i in named if i in used or not table.columns[i].unit or
            (table.columns[i].path and table.columns[i].path[0] in groups)]


def _column_names(table: Table) -> pd.MultiIndex:
    """The header as the document prints it: one level per header row (2024年预算数 above 合计 above
    …), never a joined path; made unique (a table shows each column once)."""
    paths = [[p for p in c.path if p] or [f"第{c.index + 1}栏"] for c in table.columns]
    depth = max((len(p) for p in paths), default=1)
    names, seen = [], {}
    for path in paths:
        name = tuple(path) + ("",) * (depth - len(path))
        seen[name] = seen.get(name, 0) + 1
        if seen[name] > 1:
            name = name[:len(path) - 1] + (f"{path[-1]}（{seen[name]}）",) + name[len(path):]
        names.append(name)
    return pd.MultiIndex.from_tuples(names) if names else pd.MultiIndex.from_tuples([("",)])


def column_name(table: Table, label: str | None) -> str:
    """A column as a reader names it: its own name, the group above it in brackets (因公出国（境）费
    （2024年预算数）); never a joined path."""
    column = next((c for c in table.columns if c.label == label), None)
    parts = [p for p in (column.path if column else (label or "").split(" › ")) if p]
    if not parts:
        return ""
    return parts[-1] if len(parts) == 1 else f"{parts[-1]}（{'·'.join(parts[:-1])}）"


_PLAIN_NUMBER = re.compile(r"-?\d{4,}(?:\.\d+)?")


def as_printed(text: str) -> str:
    """A cell's figure with thousands separators (96282213.44 → 96,282,213.44), as tables print them."""
    if not _PLAIN_NUMBER.fullmatch(text or ""):
        return text
    whole, _, cents = text.partition(".")
    sign = "-" if whole.startswith("-") else ""
    return f"{sign}{int(whole.lstrip('-')):,}" + (f".{cents}" if cents else "")


def _excerpt_rows(table: Table, used: set[int]) -> list[int]:
    """Row positions to show: the used rows, their parent subject rows, the total rows."""
    pos = {r.index: i for i, r in enumerate(table.rows)}
    keep = set(used)
    for i in used:
        parent = table.rows[i].parent
        while parent is not None and parent in pos and pos[parent] not in keep:
            keep.add(pos[parent])
            parent = table.rows[pos[parent]].parent
    keep.update(i for i, r in enumerate(table.rows) if r.is_total)
    if not used:
        keep.update(range(min(EXCERPT_FROM, len(table.rows))))
    return sorted(keep)


def _pages(table: Table, rows) -> str:
    pages = sorted({r.page for r in rows if r.page}) or [p for p in (table.page_start, table.page_end) if p]
    if not pages:
        return ""
    first, last = pages[0], pages[-1]
    return f"第{first}页" if first == last else f"第{first}–{last}页"


def styled(frame: pd.DataFrame, marked: set[tuple[int, int]]):
    """The frame with the used cells highlighted (a pandas Styler: st.dataframe draws its colours)."""
    def colours(data: pd.DataFrame) -> pd.DataFrame:
        css = pd.DataFrame("", index=data.index, columns=data.columns)
        for r, c in marked:
            if r < len(css.index) and c < len(css.columns):
                css.iat[r, c] = HIGHLIGHT
        return css

    return frame.style.apply(colours, axis=None)


# --- text ----------------------------------------------------------------------------------


def _paragraphs(doc: Disclosure):
    def walk(section: Section, path: tuple[str, ...]):
        here = path + ((f"{section.number}{section.heading}".strip(),) if section.heading else ())
        for p in section.paragraphs:
            yield " › ".join(here), p
        for child in section.children:
            yield from walk(child, here)

    for section in doc.sections:
        yield from walk(section, ())


def _span(text: str, needle: str) -> tuple[int, int] | None:
    """Where `needle` stands in `text`, whitespace ignored on both sides (PDF text is letter-spaced)."""
    keep = [i for i, ch in enumerate(text) if not ch.isspace()]
    squeezed = "".join(text[i] for i in keep)
    target = _SPACE.sub("", needle)
    at = squeezed.find(target) if target else -1
    if at < 0:
        return None
    return keep[at], keep[at + len(target) - 1] + 1


def _in_sections(doc: Disclosure, snippet: str) -> bool:
    return any(_span(p.text, snippet) for _, p in _paragraphs(doc))


def _text_source(doc: Disclosure, sentence: str, where: str, page: int | None) -> TextSource:
    for path, paragraph in _paragraphs(doc):
        span = _span(paragraph.text, sentence)
        if span:
            start, end = span
            return TextSource(doc.doc_id, doc.title, where or path, page or paragraph.page,
                              paragraph.text[:start], paragraph.text[start:end], paragraph.text[end:])
    # a passage of several paragraphs, or a sentence the parser joined: shown as quoted
    return TextSource(doc.doc_id, doc.title, where, page, "", sentence, "")


def _note_source(doc: Disclosure, table: Table, passage: dict) -> TextSource:
    return TextSource(doc.doc_id, doc.title, f"{table.key}《{table_title(table)}》", table.page_start, "",
                      passage["snippet"], "")
