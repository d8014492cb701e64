"""Hostile but fair inputs, made on the fly in a temporary folder (never stored in the repo).

Shared by tests/test_reliability.py (small sizes) and bench/reliability_battery.py (the sizes
of the reported cases). Each maker writes one file and returns (name, words the Chinese reason
must contain); None for words means the file may be ingested or refused, but never crash.
Names and figures are invented; the real PDF comes from ../shared/corpus/real.
"""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

from tests.conftest import CORPUS, SAMPLE

REAL_PDF = CORPUS / "shanghai-putuo-social-welfare-home-2024-unit-budget.pdf"
WEATHER = [("date", "city", "temp_c", "rain_mm"), ("2024-01-01", "Springfield", "8.5", "1"),
           ("2024-01-02", "Springfield", "9.5", "0"), ("2024-01-03", "Springfield", "7.0", "2")]


def xlsx_bomb(folder: Path, cells: int, name: str = "bomb.xlsx") -> tuple[str, str]:
    """A small workbook holding `cells` numeric cells (openpyxl write-only: streams, tiny file)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("预算")
    width = 100
    row = list(range(width))
    for _ in range(cells // width):
        sheet.append(row)
    book.save(folder / name)
    return name, "过大"


def xlsx_far_cell(folder: Path) -> tuple[str, str]:
    """A few hundred cells, one of them at column XFD: every row would widen to 16,384 cells."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for r in range(1, 101):
        sheet.cell(r, 1, f"支出项目{r}")
        sheet.cell(r, 2, r * 1000)
    sheet.cell(50, 16384, 1)
    book.save(folder / "far-cell.xlsx")
    return "far-cell.xlsx", "过大"


def xlsx_entities(folder: Path) -> tuple[str, str]:
    """A workbook whose sheet XML declares entities (the "billion laughs")."""
    from openpyxl import Workbook

    book = Workbook()
    book.active["A1"] = "预算"
    buffer = io.BytesIO()
    book.save(buffer)
    laughs = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
              + "".join(f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">' for i in range(1, 10))
              + "]>")
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(folder / "entities.xlsx", "w") as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = laughs.encode() + (data.split(b"?>", 1)[1] if data.startswith(b"<?xml") else data)
            out.writestr(info, data)
    return "entities.xlsx", "实体"


def xlsx_weather(folder: Path) -> tuple[str, str]:
    from openpyxl import Workbook

    book = Workbook()
    for row in WEATHER:
        book.active.append(row)
    book.save(folder / "weather.xlsx")
    return "weather.xlsx", "不是预算或决算"


def tsv_weather(folder: Path) -> tuple[str, str]:
    (folder / "weather.tsv").write_text("\n".join("\t".join(r) for r in WEATHER) + "\n", encoding="utf-8")
    return "weather.tsv", "不是预算或决算"


def pdf_truncated(folder: Path) -> tuple[str, str]:
    data = REAL_PDF.read_bytes()
    (folder / "truncated.pdf").write_bytes(data[: len(data) * 2 // 5])
    return "truncated.pdf", "truncated.pdf"


def pdf_overwritten(folder: Path) -> tuple[str, None]:
    """A real PDF with a few kilobytes overwritten: may be read in part, must never stop the batch."""
    data = bytearray(REAL_PDF.read_bytes())
    for fraction in (0.2, 0.45, 0.7, 0.9):
        at = int(len(data) * fraction)
        data[at:at + 1024] = b"\xff" * 1024
    (folder / "overwritten.pdf").write_bytes(bytes(data))
    return "overwritten.pdf", None


def pdf_pages(folder: Path, pages: int) -> tuple[str, str]:
    """A valid PDF of blank pages, more than a disclosure ever has."""
    import pypdfium2

    document = pypdfium2.PdfDocument.new()
    for _ in range(pages):
        document.new_page(100, 100)
    document.save(str(folder / "many-pages.pdf"))
    document.close()
    return "many-pages.pdf", "页"


def empty_pdf(folder: Path) -> tuple[str, str]:
    (folder / "empty.pdf").write_bytes(b"")
    return "empty.pdf", "空"


def sparse_text(folder: Path, size: int = 6 * 1024 ** 3) -> tuple[str, str]:
    """A file that claims gigabytes (sparse): refused from stat, never read."""
    with open(folder / "sparse.txt", "wb") as f:
        f.truncate(size)
    return "sparse.txt", "过大"


def mojibake_text(folder: Path) -> tuple[str, str]:
    """The sample, UTF-8 read as Latin-1 and saved again as UTF-8 (title “æ\\x8c\\x89…”)."""
    garbled = SAMPLE.read_bytes().decode("utf-8").encode("utf-8").decode("latin-1")
    (folder / "mojibake.txt").write_text(garbled, encoding="utf-8")
    return "mojibake.txt", "乱码"


def html_spans(folder: Path) -> tuple[str, str]:
    """A small page whose cells span 100 x 100 each: two million grid cells from 200 tags."""
    cells = "".join('<td rowspan="100" colspan="100">1</td>' for _ in range(200))
    (folder / "spans.html").write_text(f"<html><body><p>部门预算</p><table><tr>{cells}</tr>"
                                       f"{'<tr><td>2</td></tr>' * 50}</table></body></html>", encoding="utf-8")
    return "spans.html", "过大"


def big_sheet(folder: Path, unpacked: int = 1_500_000_000) -> tuple[str, str]:
    """A ~3 MB workbook whose one sheet unpacks to 1.5 GB (long repeated text cells)."""
    path = folder / "big-sheet.xlsx"
    head = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
            b'spreadsheetml/2006/main"><sheetData>')
    cell = b'<row r="1"><c r="A1" t="inlineStr"><is><t>' + b"A" * 1_000_000 + b"</t></is></c></row>"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/content-types"/>')
        z.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook/>')
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(head)
            for _ in range(unpacked // len(cell)):
                sheet.write(cell)
            sheet.write(b"</sheetData></worksheet>")
    return path.name, "过大"


def fifo(folder: Path) -> None:
    """A named pipe in the folder: reading it would hang; it is not a file to ingest."""
    if hasattr(os, "mkfifo"):
        os.mkfifo(folder / "pipe.txt")


def hostile_batch(folder: Path, *, bomb_cells: int = 210_000, pages: int = 2_001) -> dict[str, str | None]:
    """Every hostile file in one folder: name → words its reason must contain."""
    folder.mkdir(parents=True, exist_ok=True)
    made = [xlsx_bomb(folder, bomb_cells), xlsx_far_cell(folder), xlsx_entities(folder), xlsx_weather(folder),
            tsv_weather(folder), pdf_truncated(folder), pdf_overwritten(folder), pdf_pages(folder, pages),
            empty_pdf(folder), sparse_text(folder), mojibake_text(folder), html_spans(folder)]
    fifo(folder)
    return dict(made)
