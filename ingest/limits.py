"""Limits on what one input may cost, checked before the work they bound.

A hostile file is cheap to make and expensive to read: a 62 KB XLSX can hold two million
cells, a 3 MB one a 1.5 GB sheet, a sparse file claims 6 GB. Each limit below is checked as
early as the format allows (the file size from `stat` before a byte is read; a workbook's
uncompressed size from its zip directory and its cells while streaming its sheets, before
the spreadsheet library builds anything), and each refusal says in Chinese which limit it
was. The values are far above what real disclosures need (the real corpus: PDFs up to 35
pages, workbooks under 1 MB, documents under 20,000 facts) and far below what makes a
process grow past a few hundred MB.
"""

from __future__ import annotations

MB = 1024 * 1024

# Any file: the largest real disclosure is a 4 MB PDF; scanned annexes reach tens of MB.
# Checked from stat before reading, so a sparse 6 GB file costs nothing.
MAX_FILE_BYTES = 200 * MB

# Text formats (TXT, HTML, JSON page dumps) are decoded and split into lines whole: 20 MB of
# text is ten thousand pages, and decoding plus line objects cost about 10x the bytes.
MAX_TEXT_BYTES = 20 * MB

# XLSX: what the zip directory says the parts unpack to (the libraries read no more than
# that). openpyxl's full mode, needed for merged ranges and borders, costs ~1 KB per cell.
MAX_XLSX_UNPACKED_BYTES = 64 * MB
# Cells (<c> elements, filled or styled) per sheet: a disclosure table is at most a few
# thousand rows by 30 columns; 200k cells load in ~1 s and ~200 MB.
MAX_SHEET_CELLS = 200_000
# Cells in the whole workbook, so 100 sheets of 200k cells do not add up to 20 million.
MAX_WORKBOOK_CELLS = 400_000
# Sheets per workbook: the disclosure templates have 9 to 25 tables, one per sheet.
MAX_SHEETS = 100
# XLS (BIFF) stores cells uncompressed and xlrd loads every sheet at once: 30 MB is well over a
# million cells, and a real disclosure workbook is under 2 MB.
MAX_XLS_BYTES = 30 * MB

# Table grids as the readers hand them to the parser, all tables of a document together
# (rows x columns, empty cells included): a far-right cell or a colspan=1000 must not widen
# every row into millions of empty cells.
MAX_GRID_CELLS = 1_000_000
# Lines of running text from one document (every format): ~50 lines a page, 20,000 pages.
MAX_LINES = 1_000_000

# PDF pages: the real disclosures have up to 35; a 2,000-page file is a book, not a disclosure,
# and page by page table finding costs ~0.3 s a page.
MAX_PDF_PAGES = 2_000

# Facts in one document: the largest real ones hold ~20,000. Millions of "facts" would make
# every question and audit scan them (the XLSX bomb: 2,000,000 facts, ask > 120 s).
MAX_FACTS = 200_000

# Uploads in the chat, in decimal megabytes: the browser's uploader counts 1 MB as 1,000,000
# bytes (Linux, macOS), so this is the size it lets through; the server's maxUploadSize (MiB)
# is no smaller, so every file the browser sends reaches our check and gets a Chinese reason.
UPLOAD_LIMIT_MB = 50
UPLOAD_LIMIT_BYTES = UPLOAD_LIMIT_MB * 1000 * 1000


def size_text(n: int) -> str:
    """A byte count for a Chinese message: 1.5 GB, 62 MB, 12 KB."""
    for unit, scale in (("GB", 1024 ** 3), ("MB", MB), ("KB", 1024)):
        if n >= scale:
            value = n / scale
            return f"{value:.1f} {unit}" if value < 10 else f"{value:.0f} {unit}"
    return f"{n} 字节"
