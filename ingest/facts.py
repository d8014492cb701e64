"""Table cells and form fields → `Fact`s, each labelled by its table, row and column path."""

from __future__ import annotations

import re

from ingest.model import FORM, Fact, Locator, Table

_YEAR = re.compile(r"(20\d{2})\s*年")


def table_title(table: Table) -> str:
    return f"{table.title}（{table.part}）" if table.part else table.title


def row_label(code: str | None, name: str) -> str:
    return f"{code} {name}".strip() if code else name


# a column for the year before the table's own, named without its number (上年预算数, 上年决算数)
_PRIOR = re.compile(r"上年|上一年|去年|前一年")
# a column for the table's own year, named without its number (本年预算数, 本年决算数)
_CURRENT = re.compile(r"本年|当年|今年")


def column_year(path: tuple[str, ...], title_year: int | None) -> int | None:
    """The year a column's figures are for: printed in its head (2024年预算数), or relative to the
    table's year (上年预算数 → the year before), or the table's year."""
    text = " ".join(path)
    printed = _year(text)
    if printed:
        return printed
    if title_year and _PRIOR.search(text) and not _CURRENT.search(text):  # 本年比上年增减 is this year's
        return title_year - 1
    return title_year


def table_facts(doc_id: str, table: Table, doc_year: int | None = None) -> list[Fact]:
    title = table_title(table)
    title_year = _year(title) or doc_year
    facts: list[Fact] = []
    project = next((f.text for f in table.fields if f.key in ("专项资金名称", "项目名称")), "")
    for f in table.fields:
        if f.value is None:
            continue
        facts.append(Fact(
            value=f.value, unit=f.unit, label=(title, project, f.key) if project else (title, f.key),
            locator=Locator(page=table.page_start, table=table.key, column=f.key, file=table.file), doc_id=doc_id,
            text=f.text, source_unit=table.unit if f.unit == "元" else "", origin="form", year=title_year,
        ))
    for row in table.rows:
        for cell in row.cells:
            if cell.value is None:
                continue
            column = table.column(cell.column)
            path = column.path if column else ()
            label = (title, project, row.name, *path) if table.kind == FORM and project else (
                title, row_label(row.code, row.name), *path)
            facts.append(Fact(
                value=cell.value, unit=cell.unit, label=tuple(p for p in label if p),
                locator=Locator(page=row.page or table.page_start, table=table.key, row=row.index,
                                column=column.label if column else None, file=table.file),
                doc_id=doc_id, text=cell.text, source_unit=table.unit if cell.unit == "元" else "",
                origin="table", subject_code=row.code,
                year=column_year(path, title_year),
            ))
    return facts


def _year(text: str) -> int | None:
    m = _YEAR.search(text)
    return int(m.group(1)) if m else None
