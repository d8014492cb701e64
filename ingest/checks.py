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


def sum_mismatches(table: Table) -> list[Mismatch]:
    if table.kind != GRID or not any(r.code for r in table.rows):
        return []
    money = [c for c in table.columns if c.unit == "元"]
    step = unit_factor(table.unit) * Decimal("0.01")
    children: dict[int, list[Row]] = {}
    for row in table.rows:
        if row.parent is not None:
            children.setdefault(row.parent, []).append(row)
    top_len = min(len(r.code) for r in table.rows if r.code)
    top = [r for r in table.rows if r.code and len(r.code) == top_len]
    groups = [(r, children[r.index]) for r in table.rows if r.index in children]
    groups += [(r, top) for r in table.rows if r.is_total and not r.code]
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
