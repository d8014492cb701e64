"""The parts a figure is made of, read from its table's structure (for breakdowns and extremes).

A figure's parts are found four ways, in this order:
  1. its row has child rows (subject codes 301 → 30101, 30102 …): the children, same column;
  2. it is the total row under a column that names the item (人员经费, 日常公用经费): the
     column's top-level rows with a figure; while only one of them has a figure, its children;
  3. it is the grand total of a table about the item (the 三公 table): the sibling columns
     under the same header (因公出国（境）费, 公务用车购置及运行费 › 小计, 公务接待费).
  4. it is a narrative figure whose sentence lists its parts after “其中”.
Zero and empty cells are left out: a part with nothing in it is not part of the figure.
"""

from __future__ import annotations

import re

from app.answer.candidates import TOTAL_WORDS, FactRecord
from app.answer.glossary import norm


def _cell(pool: list[FactRecord], like: FactRecord, row: int | None, column: str | None) -> FactRecord | None:
    for r in pool:
        f = r.fact
        if (f.doc_id == like.fact.doc_id and f.locator.table == like.fact.locator.table and f.locator.row == row
                and f.locator.column == column and f.origin == like.fact.origin and f.unit == like.fact.unit):
            return r
    return None


def _children(pool: list[FactRecord], record: FactRecord, parent: int | None, column: str | None) -> list[FactRecord]:
    if record.table is None:
        return []
    rows = [row for row in record.table.rows if row.parent == parent and not row.is_total
            and (parent is not None or (row.code and row.level == 1))]
    found = [_cell(pool, record, row.index, column) for row in rows]
    return [r for r in found if r is not None and r.fact.value != 0]


def parts_of(record: FactRecord, pool: list[FactRecord]) -> list[FactRecord]:
    column = record.fact.locator.column
    if record.table is None or record.fact.origin != "table":
        return []
    if record.row is not None and not record.is_total_row:
        return _children(pool, record, record.row.index, column)
    if not record.is_grand_total_column:
        top = _children(pool, record, None, column)
        while len(top) == 1 and top[0].row is not None:
            below = _children(pool, top[0], top[0].row.index, column)
            if not below:
                break
            top = below
        return top
    return _sibling_columns(record, pool)


def column_parts_of(record: FactRecord, pool: list[FactRecord]) -> list[FactRecord]:
    """Parts as sub-columns only: 2024年基本支出 › 总计 → › 人员经费, › 日常公用经费."""
    if record.table is None or record.fact.origin != "table" or not record.is_total_row:
        return []
    return _sibling_columns(record, pool)


def _sibling_columns(record: FactRecord, pool: list[FactRecord]) -> list[FactRecord]:
    """合计 of 2024年预算数 → 2024年预算数 › 因公出国（境）费, › 公务用车购置及运行费 › 小计, › 公务接待费."""
    path = (record.fact.locator.column or "").split(" › ")
    if len(path) < 2 or path[-1] not in TOTAL_WORDS:
        return []
    prefix = path[:-1]
    groups: dict[str, list[str]] = {}
    for column in record.table.columns:
        if column.path[:len(prefix)] == tuple(prefix) and len(column.path) > len(prefix):
            head = column.path[len(prefix)]
            if head not in TOTAL_WORDS:
                groups.setdefault(head, []).append(column.label)
    out = []
    for head, labels in groups.items():
        exact = [label for label in labels if label.split(" › ")[-1] == head]
        subtotal = [label for label in labels if label.split(" › ")[-1] in TOTAL_WORDS]
        label = (exact or subtotal or [None])[0]
        cell = _cell(pool, record, record.fact.locator.row, label) if label else None
        if cell is not None and cell.fact.value != 0:
            out.append(cell)
    return out


def part_name(r: FactRecord) -> str:
    """The printed name of a part: its row name, or for a column part the column's own name."""
    path = (r.fact.locator.column or "").split(" › ")
    if r.is_total_row and path:
        named = [p for p in path if p not in TOTAL_WORDS]
        return named[-1] if named else path[-1]
    return r.display_name()


def header_wholes(term: str, pool: list[FactRecord]) -> list[FactRecord]:
    """Total-row cells under a header that names the item with a qualifier (2024年基本支出 › 总计
    for 基本支出): the item split into its own sub-columns (人员经费, 日常公用经费)."""
    out = []
    for r in pool:
        if r.fact.origin != "table" or not r.is_total_row or len(r.column_parts) < 2:
            continue
        if r.column_parts[-1] in TOTAL_WORDS and any(p != term and p.endswith(term) for p in r.column_parts[:-1]):
            out.append(r)
    return out


def leaf_rows(whole: FactRecord, pool: list[FactRecord]) -> list[FactRecord]:
    """明细/科目: the most detailed coded rows of the whole's table in its column (款 under 类)."""
    if whole.table is None:
        return []
    coded = [row for row in whole.table.rows if row.code and not row.is_total]
    if not coded:
        return []
    deepest = max(len(row.code) for row in coded)
    found = [_cell(pool, whole, row.index, whole.fact.locator.column) for row in coded if len(row.code) == deepest]
    return [r for r in found if r is not None and r.fact.value != 0]


def narrative_parts(whole: FactRecord, pool: list[FactRecord]) -> list[FactRecord]:
    """The parts a narrative sentence lists after its whole (政府采购预算4821.20万元，其中：货物
    57.43万元、工程3780.72万元、服务983.05万元): figures of the same sentence, unit and measure,
    printed after its “其中”."""
    f = whole.fact
    sentence = f.sentence or ""
    start = sentence.find(f.text) if f.text else -1
    split = sentence.find("其中", start + 1) if start >= 0 else -1
    if f.origin != "narrative" or split < 0:
        return []
    return [r for r in pool if r is not whole and r.fact.origin == "narrative" and r.fact.sentence == sentence
            and r.fact.unit == f.unit and r.fact.measure == f.measure and r.fact.value != 0
            and r.fact.text and sentence.find(r.fact.text, split) > split]


def titled_cells(terms: list[str], pool: list[FactRecord], year: int | None) -> list[FactRecord]:
    """One amount cell of each table whose title names the item (一般公共预算财政拨款基本支出决算表
    for 基本支出) and whose rows are coded subjects, the table with most coded rows first."""
    by_table: dict[tuple, list[FactRecord]] = {}
    for r in pool:
        f = r.fact
        title = norm(f.label[0]) if f.label else ""
        if (f.origin == "table" and r.table is not None and f.subject_code and r.is_grand_total_column
                and f.unit == "元" and _year(r) in (year, None) and any(norm(t) in title for t in terms)):
            by_table.setdefault(r.key, []).append(r)
    return [cells[0] for cells in sorted(by_table.values(), key=len, reverse=True)]


def _year(r: FactRecord) -> int | None:
    return r.fact.year if r.fact.year is not None else r.doc.year


def function_classes(pool: list[FactRecord], year: int | None) -> list[FactRecord]:
    """Each 类 of the functional classification (201 一般公共服务支出 …) in the total column of the
    first table that lists them (the 支出总表)."""
    by_table: dict[tuple, list[FactRecord]] = {}
    for r in pool:
        code = r.fact.subject_code or ""
        if (r.fact.origin == "table" and len(code) == 3 and code.startswith("2") and r.is_grand_total_column
                and r.fact.unit == "元" and _year(r) == year and r.fact.value != 0):
            by_table.setdefault(r.key, []).append(r)
    if not by_table:
        return []
    return max(by_table.values(), key=len)


def project_amounts(pool: list[FactRecord], year: int | None) -> list[FactRecord]:
    """One amount per project form (绩效目标表 of 项目): its 当年预算 / 支出 / 金额 field."""
    by_form: dict[str, FactRecord] = {}
    for r in pool:
        f = r.fact
        if f.origin != "form" or f.unit != "元" or _year(r) != year or f.value == 0:
            continue
        if "项目" not in (f.label[0] if f.label else ""):
            continue  # a department's 整体绩效目标表 is not a project
        key = f.locator.table or ""
        field = f.label[-1] if f.label else ""
        if key not in by_form and re.search(r"预算|支出|金额|资金", field) and "上年" not in field:
            by_form[key] = r
    return list(by_form.values())
