"""Does a parsed document hold the generated table figures? Compares an ingest Disclosure with the
TruthDocument it was written from, figure by figure (table title, row code or name, column path).

Used by the tests (writers and parser together) and by the benchmark; a mismatch names the table,
row and column, what the truth says and what the parser found.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from app.synthetic.model import TruthCell, TruthDocument, TruthTable


@dataclass
class Mismatch:
    table: str
    row: str
    column: str
    expected: Decimal
    found: str  # the parsed value, or why none was found

    def __str__(self) -> str:
        return f"{self.table} · {self.row} · {self.column}: expected {self.expected}, found {self.found}"


def squeeze(text: str | None) -> str:
    return "".join((text or "").split()).replace("(", "（").replace(")", "）")


def _tables(parsed, truth: TruthTable) -> list:
    want = squeeze(truth.title)
    return [t for t in parsed.tables if squeeze(t.title).endswith(want) or want.endswith(squeeze(t.title)) and
            len(squeeze(t.title)) > 6]


def _column_ok(label_path: tuple[str, ...], wanted: tuple[str, ...]) -> bool:
    got = [squeeze(p) for p in label_path]
    want = [squeeze(p) for p in wanted]
    return got[-len(want):] == want if len(got) >= len(want) else False


def _row_ok(row, cell: TruthCell) -> bool:
    if cell.code:
        return row.code == cell.code
    if not cell.row:
        return True  # the one data row of a wide table
    return squeeze(row.name).removeprefix("其中：").removeprefix("其中") == squeeze(cell.row).removeprefix("其中：")


def compare(parsed, truth: TruthDocument) -> list[Mismatch]:
    """Every truth figure the parsed document does not hold, at its place, with its value."""
    out: list[Mismatch] = []
    for table in truth.tables:
        found = _tables(parsed, table)
        for cell in table.cells:
            col = " › ".join(cell.column)
            if not found:
                out.append(Mismatch(table.title, cell.row, col, cell.value, "table not found"))
                continue
            values = []
            for t in found:
                columns = [c for c in t.columns if _column_ok(c.path, cell.column)]
                for row in t.rows:
                    if not _row_ok(row, cell):
                        continue
                    for c in columns:
                        got = row.cell(c.index)
                        values.append(got.value if got is not None else None)
            if cell.value in values:
                continue
            seen = sorted({str(v) for v in values}) if values else ["no such row/column: " + _shape(found)]
            out.append(Mismatch(table.title, cell.code or cell.row, col, cell.value, ", ".join(seen)[:300]))
    return out


def _shape(tables) -> str:
    t = tables[0]
    return f"columns {[c.label for c in t.columns]} rows {[(r.code, r.name) for r in t.rows][:6]}"


def number_problems(parsed, truth: TruthDocument) -> list[str]:
    """Printed table numbers (表1 / 表一 / 公开01表) the parser did not read as printed."""
    out = []
    for table in truth.tables:
        if not table.number:
            continue
        numbers = {t.number for t in _tables(parsed, table)}
        if numbers and table.number not in numbers:
            out.append(f"“{table.number}　{table.title}”: parsed number {sorted(map(str, numbers))}")
    return out
