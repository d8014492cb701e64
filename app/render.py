"""Plain-text layout of a parsed table, as the document prints it, for checking a parse by eye."""

from __future__ import annotations

import unicodedata

from ingest.facts import table_title
from ingest.model import FORM, Table


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, right: bool) -> str:
    gap = " " * (width - display_width(text))
    return gap + text if right else text + gap


def header_rows(table: Table) -> list[list[str]]:
    """Column paths back to header rows: a label is printed once, over the first column it spans."""
    depth = max((len(c.path) for c in table.columns), default=0)
    rows = []
    for level in range(depth):
        row = []
        for i, column in enumerate(table.columns):
            prev = table.columns[i - 1].path if i else ()
            here = column.path[: level + 1]
            row.append(column.path[level] if level < len(column.path) and prev[: level + 1] != here else "")
        rows.append(row)
    return rows


def body_rows(table: Table) -> list[list[str]]:
    label_cols = [c.index for c in table.columns if not c.unit] if table.kind != FORM else []
    rows = []
    for row in table.rows:
        cells = [""] * len(table.columns)
        if table.kind == FORM:
            name_col = next((c.index for c in table.columns if c.path[-1] in ("指标名称", "三级指标")), 1)
            if name_col < len(cells):
                cells[name_col] = row.name
        elif len(label_cols) >= 2 and row.code:
            cells[label_cols[0]], cells[label_cols[1]] = row.code, row.name
        elif label_cols:
            cells[label_cols[0]] = f"{row.code} {row.name}".strip() if row.code else row.name
        for cell in row.cells:
            if cell.column < len(cells):
                cells[cell.column] = cell.text
        rows.append(cells)
    return rows


def render_table(table: Table) -> str:
    lines = [f"{table.key}  {table_title(table)}"]
    for key, value in table.meta.items():
        lines.append(f"{key}：{value}")
    lines.append(f"单位：{table.unit}" + (f"    页码：{table.page_start}–{table.page_end}" if table.page_start else "")
                 + (f"    文件：{table.file}" if table.file else ""))
    for f in table.fields:
        lines.append(f"{f.key}：{f.text}")
    grid = header_rows(table) + body_rows(table)
    if grid and table.columns:
        n_header = len(grid) - len(table.rows)
        widths = [max(display_width(r[c]) for r in grid) for c in range(len(table.columns))]
        numeric = [bool(c.unit) and table.kind != FORM for c in table.columns]
        for i, row in enumerate(grid):
            lines.append(" │ ".join(_pad(row[c], widths[c], numeric[c] and i >= n_header) for c in range(len(row))))
            if i == n_header - 1:
                lines.append("─┼─".join("─" * w for w in widths))
    if table.is_empty:
        lines.append("（本表无数据）")
    lines.extend(table.notes)
    return "\n".join(lines)
