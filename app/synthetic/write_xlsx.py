"""The XLSX export: a first sheet with the narrative (one paragraph per row), then one sheet per
table: its number, title, issuer and unit lines in cells merged across the top, the header with
merged cells, the body with amounts as numbers shown with two decimals, and the note under it."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

from app.synthetic.model import LEFT, UP, TruthDocument, TruthTable

_AMOUNT = re.compile(r"^-?[\d,]+\.\d{2}$")


def merges(header: list[list[str]]) -> list[tuple[int, int, int, int]]:
    """(row0, col0, row1, col1) inclusive ranges of the header's merged cells."""
    out = []
    for r, row in enumerate(header):
        for c, text in enumerate(row):
            if text in (LEFT, UP):
                continue
            c1 = c
            while c1 + 1 < len(row) and row[c1 + 1] == LEFT:
                c1 += 1
            r1 = r
            while r1 + 1 < len(header) and c < len(header[r1 + 1]) and header[r1 + 1][c] == UP:
                r1 += 1
            if (r1, c1) != (r, c):
                out.append((r, c, r1, c1))
    return out


def _sheet_name(table: TruthTable, i: int) -> str:
    name = table.number or f"表{i}"
    return re.sub(r"[\[\]:*?/\\]", "", name)[:31]


def _table_sheet(ws, table: TruthTable) -> None:
    from openpyxl.styles import Alignment, Border, Font, Side

    width = max(len(r) for r in table.header + table.body)
    line = Side(style="thin")
    box = Border(left=line, right=line, top=line, bottom=line)
    r = 1

    def banner(text: str, bold: bool = False) -> None:
        nonlocal r
        ws.cell(row=r, column=1, value=text).font = Font(bold=bold)
        if width > 1:
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=width)
        r += 1

    if table.number and table.number_above:
        banner(table.number)
    banner(f"{table.number}　{table.title}" if table.number and not table.number_above else table.title, bold=True)
    unit = f"单位：{table.unit}"
    if table.unit_place == "with_meta":
        ws.cell(row=r, column=1, value=table.meta)
        ws.cell(row=r, column=width, value=unit)
        r += 1
    elif table.unit_place == "before_meta":
        banner(unit)
        banner(table.meta)
    else:
        banner(table.meta)
        banner(unit)
    top = r
    for row in table.header:
        for c, text in enumerate(row, 1):
            cell = ws.cell(row=r, column=c, value=None if text in (LEFT, UP) else text)
            cell.border, cell.alignment = box, Alignment(horizontal="center", vertical="center", wrap_text=True)
        r += 1
    for r0, c0, r1, c1 in merges(table.header):
        ws.merge_cells(start_row=top + r0, start_column=c0 + 1, end_row=top + r1, end_column=c1 + 1)
    for row in table.body:
        for c, text in enumerate(row, 1):
            if _AMOUNT.match(text):
                cell = ws.cell(row=r, column=c, value=Decimal(text.replace(",", "")))
                cell.number_format = "#,##0.00"
            else:
                cell = ws.cell(row=r, column=c, value=text or None)
            cell.border = box
        r += 1
    if table.note:
        r += 1
        ws.cell(row=r, column=1, value=table.note)
    ws.column_dimensions["B"].width = 36


def write_xlsx(doc: TruthDocument, folder: Path) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "情况说明"
    lines = [doc.issuer, doc.title.removeprefix(doc.issuer)]
    for section in doc.sections:
        lines.append(section.heading)
        lines += section.paragraphs
    for i, text in enumerate(lines, 1):
        ws.cell(row=i, column=1, value=text)
    ws.column_dimensions["A"].width = 120
    if doc.catalogue:
        from app.synthetic.write_txt import catalogue_title

        ws = wb.create_sheet("目录")
        ws.append([catalogue_title(doc)])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=3)
        ws.append(["编号", "表号", "表名"])
        for i, (number, title) in enumerate(doc.catalogue, 1):
            ws.append([i, number, title])
    for i, table in enumerate(doc.tables, 1):
        _table_sheet(wb.create_sheet(_sheet_name(table, i) + ("" if table.number else "")), table)
    path = Path(folder) / f"{doc.doc_key}.xlsx"
    wb.save(path)
    return path
