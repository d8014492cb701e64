"""Arithmetic the tables must satisfy: every parent code and every 合计 row = Σ its children.

Tolerance follows the printed rounding: each printed figure may be off by half a unit of
its last place, so n children and their parent may differ by up to n × 0.01 (in the
table's unit) without the document being wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ingest.facts import row_label
from ingest.model import GRID, Row, Table
from ingest.numbers import format_yuan, unit_factor


@dataclass
class Mismatch:
    table: str  # Table.key
    row: str  # the parent or total row
    column: str
    stated: Decimal
    computed: Decimal

    def message(self) -> str:
        return (f"{self.table} {self.row}【{self.column}】为 {format_yuan(self.stated)} 元，"
                f"下级合计为 {format_yuan(self.computed)} 元，相差 {format_yuan(self.stated - self.computed)} 元。")


def _value(row: Row, column: int) -> Decimal | None:
    cell = row.cell(column)
    return cell.value if cell else None


def total_groups(rows: list[Row]) -> list[tuple[Row, list[Row]]]:
    """Each 合计 row with the top-level coded rows it totals.

    A total printed below its rows totals the block since the previous total (an unfolded
    基本支出决算表 has 人员经费合计 after 301/303 and 公用经费合计 after 302/310); a total
    printed on top (合计 first, as most budget tables do) totals the block that follows.
    """
    coded = [r for r in rows if r.code]
    if not coded:
        return []
    top_len = min(len(r.code) for r in coded)
    blocks: list[list[Row]] = [[]]
    totals: list[tuple[Row, int]] = []  # (total row, index of the block before it)
    for row in rows:
        if row.is_total and not row.code:
            totals.append((row, len(blocks) - 1))
            blocks.append([])
        elif row.code and len(row.code) == top_len:
            blocks[-1].append(row)
    out = []
    for row, before in totals:
        block = blocks[before] or blocks[before + 1]
        if block:
            out.append((row, block))
    return out


def sum_mismatches(table: Table) -> list[Mismatch]:
    if table.kind != GRID or not any(r.code for r in table.rows):
        return []
    money = [c for c in table.columns if c.unit == "元"]
    step = unit_factor(table.unit) * Decimal("0.01")
    children: dict[int, list[Row]] = {}
    for row in table.rows:
        if row.parent is not None:
            children.setdefault(row.parent, []).append(row)
    groups = [(r, children[r.index]) for r in table.rows if r.index in children]
    groups += total_groups(table.rows)
    out: list[Mismatch] = []
    for parent, kids in groups:
        for column in money:
            stated = _value(parent, column.index)
            parts = [_value(k, column.index) for k in kids]
            if stated is None and all(p is None for p in parts):
                continue
            stated = stated or Decimal(0)
            computed = sum((p for p in parts if p is not None), Decimal(0))
            if abs(stated - computed) > step * len(kids):
                out.append(Mismatch(table.key, row_label(parent.code, parent.name) or "合计",
                                    column.label, stated, computed))
    return out
