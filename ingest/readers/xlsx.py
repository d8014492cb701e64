"""Spreadsheets: .xlsx through openpyxl, .xls (BIFF8) through xlrd. One table per sheet.

Each visible sheet gives, in workbook order: the lines above its table (title, 编制单位,
单位：元 — sheets put them in cells merged across the top rows), one RawGrid of the table
rows, then the lines under it (notes). A merged range keeps its value in its top-left cell
and leaves the rest '' — what a text export prints — so a merged header spans right in the
header paths exactly as it does for text and PDF tables. Numbers are printed as the sheet
shows them (the number format's decimals and thousands separators), never with float noise.
A grid's page is the sheet's position among the visible sheets, so locators name the sheet.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from ingest import limits
from ingest.errors import InputError
from ingest.readers.base import Block, RawDocument, RawGrid, RawLine
from ingest.readers.pdf import join_wrapped

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass
class Sheet:
    """A sheet as both libraries can describe it; 0-based rows and columns."""

    cells: dict[tuple[int, int], str]  # filled cells, text as displayed
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # rows [r0, r1), cols [c0, c1)
    ruled: set[tuple[int, int]] = field(default_factory=set)  # cells with a vertical border line
    hidden_rows: set[int] = field(default_factory=set)
    hidden_cols: set[int] = field(default_factory=set)


class XlsxReader:
    format = "xlsx"
    suffixes = (".xlsx", ".xlsm")

    def sniff(self, data: bytes) -> bool:
        # A .docx is a zip too: only a workbook part makes it a spreadsheet.
        if not data.startswith(b"PK\x03\x04"):
            return False
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                return "xl/workbook.xml" in archive.namelist()
        except (zipfile.BadZipFile, OSError, ValueError):
            return False

    def read(self, path: Path, data: bytes) -> RawDocument:
        from openpyxl import load_workbook  # heavy import, only when a workbook arrives
        from openpyxl.cell.cell import MergedCell

        if data.startswith(OLE_MAGIC):  # Office saves a password-protected .xlsx inside an OLE2 file
            encrypted = "EncryptedPackage" in (ole_stream_names(data) or set())
            raise _unreadable(path, "已加密（设有打开密码），请去除密码后再导入" if encrypted else "不是有效的 XLSX 文件",
                              "encrypted OOXML package" if encrypted else "OLE2 file, not an OOXML zip")
        check_workbook(path, data)  # sizes and cells from the zip, before openpyxl builds anything
        try:
            # Not read_only: a read-only worksheet does not parse merged ranges, and the
            # merges and borders are what tell the table from the lines above it.
            book = load_workbook(io.BytesIO(data), data_only=True)
        except Exception as exc:  # zipfile, KeyError, lxml and openpyxl's own types on broken packages
            raise _unreadable(path, "已损坏或不是有效的 XLSX 文件", repr(exc)) from exc
        sheets = []
        for ws in book.worksheets:
            if ws.sheet_state != "visible":
                continue
            sheet = Sheet(cells={}, merges=[(m.min_row - 1, m.max_row, m.min_col - 1, m.max_col)
                                            for m in ws.merged_cells.ranges])
            for cell in _stored_cells(ws):
                r, c = cell.row - 1, cell.column - 1
                if cell.border.left.style or cell.border.right.style:
                    sheet.ruled.add((r, c))
                if not isinstance(cell, MergedCell) and cell.value is not None:
                    sheet.cells[(r, c)] = _xlsx_text(cell.value, cell.number_format)
            sheet.hidden_rows = {r - 1 for r, d in ws.row_dimensions.items() if d.hidden}
            sheet.hidden_cols = {c - 1 for d in ws.column_dimensions.values() if d.hidden
                                 for c in range(d.min or 1, (d.max or d.min or 1) + 1)}
            sheets.append(sheet)
        return _document(path, self.format, sheets)


def _stored_cells(ws):
    """The cells the sheet stores. iter_rows() would make a Cell for every position of the used
    rectangle: one value at column XFD turns 100 rows into 1.6 million cells (28 s, 900 MB).
    openpyxl keeps the stored ones in `_cells`; if a version stops doing so, iter_rows it is
    (the grid limit in sheet_blocks then still refuses the rectangle)."""
    stored = getattr(ws, "_cells", None)
    if isinstance(stored, dict):
        return [stored[k] for k in sorted(stored)]
    return [cell for row in ws.iter_rows() for cell in row]


class XlsReader:
    format = "xls"
    suffixes = (".xls",)

    def sniff(self, data: bytes) -> bool:
        # .doc and .ppt share the OLE2 magic: a workbook has a Workbook (BIFF8) or Book (BIFF5) stream.
        names = ole_stream_names(data) if data.startswith(OLE_MAGIC) else None
        return bool(names and {"workbook", "book"} & {n.lower() for n in names})

    def read(self, path: Path, data: bytes) -> RawDocument:
        import xlrd

        if data.startswith(b"PK\x03\x04"):
            raise _unreadable(path, "实际是 XLSX 格式，请将扩展名改为 .xlsx", "OOXML zip with an .xls name")
        if not self.sniff(data):
            names = ole_stream_names(data) if data.startswith(OLE_MAGIC) else None
            hint = "是 Word 文档，不是 Excel 工作簿" if names and "WordDocument" in names else "已损坏或不是有效的 XLS 文件"
            raise _unreadable(path, hint, f"no Workbook stream (OLE streams: {sorted(names or [])})")
        if len(data) > limits.MAX_XLS_BYTES:
            raise _unreadable(path, f"XLS 文件超过 {limits.size_text(limits.MAX_XLS_BYTES)}，"
                              "请另存为 XLSX 或拆分后再导入", f"{len(data)} bytes > MAX_XLS_BYTES")
        try:
            book = xlrd.open_workbook(file_contents=data, formatting_info=True, logfile=io.StringIO())
        except Exception as exc:  # XLRDError, CompDocError, struct errors on truncated records
            encrypted = "encrypted" in str(exc).lower()
            raise _unreadable(path, "已加密（设有打开密码），请去除密码后再导入" if encrypted else "已损坏，无法读取",
                              repr(exc)) from exc
        if book.nsheets > limits.MAX_SHEETS:
            raise _too_large(path, f"有 {book.nsheets} 个工作表（上限 {limits.MAX_SHEETS} 个）", f"{book.nsheets} sheets")
        sheets = []
        total = 0
        for ws in book.sheets():
            if ws.visibility:  # 1 hidden, 2 very hidden
                continue
            total += ws.nrows * ws.ncols
            if ws.nrows * ws.ncols > limits.MAX_SHEET_CELLS or total > limits.MAX_WORKBOOK_CELLS:
                raise _too_large(path, f"工作表“{ws.name}”有 {ws.nrows} 行 × {ws.ncols} 列",
                                 f"sheet {ws.name!r}: {ws.nrows}x{ws.ncols}, workbook so far {total} cells")
            sheet = Sheet(cells={}, merges=list(ws.merged_cells))
            for r in range(ws.nrows):
                for c in range(ws.row_len(r)):
                    cell = ws.cell(r, c)
                    xf = book.xf_list[cell.xf_index]
                    if xf.border.left_line_style or xf.border.right_line_style:
                        sheet.ruled.add((r, c))
                    text = _xls_text(book, cell, book.format_map[xf.format_key].format_str)
                    if text:
                        sheet.cells[(r, c)] = text
            sheet.hidden_rows = {r for r, info in ws.rowinfo_map.items() if info.hidden}
            sheet.hidden_cols = {c for c, info in ws.colinfo_map.items() if info.hidden}
            sheets.append(sheet)
        return _document(path, self.format, sheets)


def ole_stream_names(data: bytes) -> set[str] | None:
    """Stream names in an OLE2 compound file, or None when it is not a readable one."""
    from xlrd.compdoc import CompDoc

    try:
        return {d.name for d in CompDoc(data, logfile=io.StringIO()).dirlist if d.name}
    except Exception:  # any corruption means "not a compound file we can use"
        return None


def _unreadable(path: Path, reason: str, detail: str) -> InputError:
    return InputError(f"无法读取表格文件“{path.name}”：{reason}。", f"{path.name}: {detail}")


def _too_large(path: Path, what: str, detail: str) -> InputError:
    return InputError(
        f"表格文件“{path.name}”过大：{what}，超出导入上限（每个工作表 {limits.MAX_SHEET_CELLS:,} 个单元格，"
        f"整个文件 {limits.MAX_WORKBOOK_CELLS:,} 个），不像预算公开文件，已跳过。",
        f"{path.name}: over the workbook limits: {detail}")


_SHEET_PART = re.compile(r"xl/worksheets/[^/]+\.xml$")
_CELL_TAG = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}c"


def check_workbook(path: Path, data: bytes) -> None:
    """Refuse a workbook whose parts unpack too large or whose sheets hold too many cells.

    The zip directory gives each part's unpacked size (zipfile, which openpyxl uses too, reads
    no more than that); the cells are counted by streaming each sheet's XML with constant
    memory, stopping at the limit. OOXML never uses a DTD, so a part declaring one (entity
    expansion, the "billion laughs") is refused unread.
    """
    from lxml import etree

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # not a zip: load_workbook says "已损坏" in its own words
    with archive:
        infos = archive.infolist()
        unpacked = sum(i.file_size for i in infos)
        if unpacked > limits.MAX_XLSX_UNPACKED_BYTES:
            raise _too_large(path, f"解压后有 {limits.size_text(unpacked)}（上限 "
                             f"{limits.size_text(limits.MAX_XLSX_UNPACKED_BYTES)}）", f"unpacks to {unpacked} bytes")
        sheets = [i for i in infos if _SHEET_PART.match(i.filename)]
        if len(sheets) > limits.MAX_SHEETS:
            raise _too_large(path, f"有 {len(sheets)} 个工作表（上限 {limits.MAX_SHEETS} 个）", f"{len(sheets)} sheets")
        for info in infos:
            if info.filename.endswith((".xml", ".rels")):
                with archive.open(info) as part:
                    head = part.read(2048)
                if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                    raise _unreadable(path, "文件中含有 XML 实体声明（可能是恶意构造的文件）",
                                      f"DTD in {info.filename}")
        total = 0
        for info in sheets:
            cells = 0
            try:
                with archive.open(info) as part:
                    for _, element in etree.iterparse(part, events=("end",), tag=_CELL_TAG,
                                                      resolve_entities=False, no_network=True):
                        cells += 1
                        element.clear()
                        if cells > limits.MAX_SHEET_CELLS or total + cells > limits.MAX_WORKBOOK_CELLS:
                            raise _too_large(path, f"工作表 {info.filename.rsplit('/', 1)[-1]} 有超过 "
                                             f"{cells:,} 个单元格", f"{info.filename}: over {cells} cells "
                                             f"(workbook {total + cells})")
            except InputError:
                raise
            except Exception as exc:  # broken XML, bad zip member: openpyxl reports it in its own words
                raise _unreadable(path, "已损坏或不是有效的 XLSX 文件", f"{info.filename}: {exc!r}") from exc
            total += cells


def _document(path: Path, fmt: str, sheets: list[Sheet]) -> RawDocument:
    blocks: list[Block] = []
    for number, sheet in enumerate(sheets, start=1):
        try:
            blocks.extend(sheet_blocks(sheet, number))
        except _GridTooWide as exc:
            raise _too_large(path, f"第 {number} 个工作表的表格有 {exc.rows:,} 行 × {exc.columns:,} 列",
                             f"sheet {number}: grid {exc.rows}x{exc.columns}") from exc
    if not blocks:
        raise InputError(f"表格文件“{path.name}”没有内容。", f"{path.name}: every visible sheet is empty")
    return RawDocument(source=path.name, format=fmt, blocks=blocks)


class _GridTooWide(ValueError):
    def __init__(self, rows: int, columns: int):
        super().__init__(f"grid {rows}x{columns}")
        self.rows, self.columns = rows, columns


def sheet_blocks(sheet: Sheet, page: int) -> list[Block]:
    """Lines above the table, the table as one grid, lines below it."""
    covered = {(r, c) for r0, r1, c0, c1 in sheet.merges for r in range(r0, r1) for c in range(c0, c1)
               if (r, c) != (r0, c0)}  # a merged range shows only its top-left value
    cells = {k: v for k, v in sheet.cells.items() if v.strip() and k not in covered
             and k[0] not in sheet.hidden_rows and k[1] not in sheet.hidden_cols}
    if not cells:
        return []
    filled: dict[int, list[int]] = defaultdict(list)
    for r, c in sorted(cells):
        filled[r].append(c)
    rows = sorted(filled)
    span_end = {(r0, c0): c1 for r0, _, c0, c1 in sheet.merges}
    ruled_sheet = bool(sheet.ruled)
    first_col = min(c for _, c in cells)
    last_col = max(max(span_end.get(k, k[1] + 1) for k in cells) - 1, max(c for _, c in cells))

    def ruled(r: int, c: int) -> bool:
        return (r, c) in sheet.ruled or (r, span_end.get((r, c), c + 1) - 1) in sheet.ruled

    def is_line(r: int, trailing: bool) -> bool:
        cols = filled[r]
        if ruled_sheet:  # the table is the ruled part; titles and notes sit outside the rules
            return len(cols) <= 2 and not any(ruled(r, c) for c in cols)
        if len(cols) != 1:  # no rules at all: the parser lifts 编制单位|单位 rows from the grid
            return False
        # Under a table, only a note merged across the whole table is a line, not a lone 合计 cell.
        return not trailing or (cols[0] == first_col and span_end.get((r, cols[0]), 0) > last_col)

    start = 0
    while start < len(rows) and is_line(rows[start], trailing=False):
        start += 1
    end = len(rows)
    while end > start and is_line(rows[end - 1], trailing=True):
        end -= 1
    body = rows[start:end]
    # A framed paragraph (职能, 编制说明 in one bordered cell) is text, not a one-column table.
    if len({c for r in body for c in filled[r]}) < 2:
        start, end, body = len(rows), len(rows), []
    blocks: list[Block] = [line for r in rows[:start] for line in _lines(cells, r, filled[r], page)]
    if body:
        left = min(c for r in body for c in filled[r])
        right = max(c for r in body for c in filled[r])
        columns = [c for c in range(left, right + 1) if c not in sheet.hidden_cols]
        if len(body) * len(columns) > limits.MAX_GRID_CELLS:  # one cell at column XFD widens every row
            raise _GridTooWide(len(body), len(columns))
        grid = [[join_wrapped(cells.get((r, c), "")) for c in columns] for r in body]
        blocks.append(RawGrid(rows=grid, page=page, row_pages=[page] * len(grid)))
    blocks.extend(line for r in rows[end:] for line in _lines(cells, r, filled[r], page))
    return blocks


def _lines(cells: dict[tuple[int, int], str], r: int, cols: list[int], page: int) -> list[RawLine]:
    # A text box cell holds whole paragraphs: one RawLine per printed line, as a PDF gives them.
    return [RawLine(text=part.strip(), page=page) for c in cols
            for part in cells[(r, c)].splitlines() if part.strip()]


def _xlsx_text(value: object, number_format: str) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return format_number(value, number_format)
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _xls_text(book: Any, cell: Any, number_format: str) -> str:  # xlrd.Book, xlrd.sheet.Cell
    import xlrd

    if cell.ctype == xlrd.XL_CELL_NUMBER:
        return format_number(cell.value, number_format)
    if cell.ctype == xlrd.XL_CELL_DATE:
        try:
            return xlrd.xldate_as_datetime(cell.value, book.datemode).date().isoformat()
        except (ValueError, OverflowError, xlrd.XLDateError):
            return format_number(cell.value, "General")
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return "TRUE" if cell.value else "FALSE"
    if cell.ctype == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(cell.value, "")
    return str(cell.value) if cell.ctype == xlrd.XL_CELL_TEXT else ""


_FORMAT_NOISE = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]|_.|\*.')


def format_number(value: int | float, number_format: str) -> str:
    """A number as a cell with this format shows it: 1234.5 with #,##0.00 → '1,234.50'.

    Floats pass through 15 significant digits first (what Excel stores and shows), so binary
    noise such as 0.30000000000000004 never reaches an amount.
    """
    number = Decimal(value) if isinstance(value, int) else Decimal(format(value, ".15g"))
    section = _FORMAT_NOISE.sub("", number_format or "").split(";")[0]
    if not re.search(r"[0#?]", section) or re.search(r"[eE][+-]", section):
        return _plain(number)  # General, text (@) and scientific formats: the value itself
    percent = "%" in section
    if percent:
        number *= 100
    decimals = re.search(r"\.([0#?]+)", section)
    places = len(decimals.group(1)) if decimals else 0
    rounded = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)  # no "-0.00"
    grouped = bool(re.search(r"[0#?],[0#?]", section))
    text = f"{rounded:,.{places}f}" if grouped else f"{rounded:.{places}f}"
    return text + ("%" if percent else "")


def _plain(number: Decimal) -> str:
    text = format(number, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
