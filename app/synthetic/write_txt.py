"""The tab-separated TXT export (the layout the TXT reader reads, as in data/sample): the narrative,
the catalogue, then each table as its title, issuer and unit lines, header rows and body rows with
one tab between cells (a merged header cell leaves its covered cells empty)."""

from __future__ import annotations

from pathlib import Path

from app.synthetic.model import LEFT, UP, TruthDocument, TruthTable


def _cells(row: list[str]) -> str:
    return "\t".join("" if c in (LEFT, UP) else c for c in row)


def catalogue_title(doc: TruthDocument) -> str:
    return f"{doc.year}年{doc.short}{doc.scope}{doc.kind}公开表（目录）"


def table_lines(table: TruthTable) -> list[str]:
    lines = []
    if table.number and table.number_above:
        lines += [table.number, ""]
    title = f"{table.number}　{table.title}" if table.number and not table.number_above else table.title
    lines += [title, ""]
    unit_line = f"单位：{table.unit}"
    if table.unit_place == "with_meta":
        width = len(table.header[-1]) if table.header else 2
        lines += ["\t".join([table.meta] + [""] * max(1, width - 2) + [unit_line]), ""]
    elif table.unit_place == "before_meta":
        lines += [unit_line, "", table.meta, ""]
    else:
        lines += [table.meta, "", unit_line, ""]
    lines += [_cells(r) for r in table.header if r]
    lines += [_cells(r) for r in table.body]
    if table.note:
        lines += ["", table.note]
    return lines + [""]


def document_text(doc: TruthDocument) -> str:
    lines = ["", doc.issuer, "", doc.title.removeprefix(doc.issuer), ""]
    for section in doc.sections:
        lines += [section.heading, ""]
        for para in section.paragraphs:
            lines += [para, ""]
    if doc.catalogue:
        lines += [catalogue_title(doc), "", "编号\t工作表名\t"]
        lines += [f"{i}\t{number}\t{title}" for i, (number, title) in enumerate(doc.catalogue, 1)]
        lines.append("")
    for table in doc.tables:
        lines += table_lines(table)
    return "\n".join(lines) + "\n"


def write_txt(doc: TruthDocument, folder: Path) -> Path:
    path = Path(folder) / f"{doc.doc_key}.txt"
    path.write_text(document_text(doc), encoding="utf-8")
    return path
