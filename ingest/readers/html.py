"""HTML pages: block text as lines (<br>, <p>, <div>, headings), <table> as grids.

rowspan/colspan are expanded so that every grid row has one cell per column: the text
stays in the first cell of a span and the others are empty, as a text export prints them.
"""

from __future__ import annotations

import re
from pathlib import Path

from bs4 import BeautifulSoup, NavigableString, Tag

from ingest import limits
from ingest.errors import InputError
from ingest.readers.base import Block, RawDocument, RawGrid, RawLine
from ingest.readers.decode import clean_text, decode_text

_BLOCK_TAGS = {"p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "section", "article", "title"}
_SKIP_TAGS = {"script", "style", "noscript", "head"}
_SPACE = re.compile(r"[ \t\u00a0\u3000\u200b\u200d]+")


class HtmlReader:
    format = "html"
    suffixes = (".html", ".htm", ".shtml", ".xhtml")

    def sniff(self, data: bytes) -> bool:
        head = data[:2000].lower()
        return b"<html" in head or b"<body" in head or (b"<p" in head and b"</" in head)

    def read(self, path: Path, data: bytes) -> RawDocument:
        text = clean_text(decode_text(data, path.name))
        try:
            soup = BeautifulSoup(text, "lxml")
        except Exception as exc:  # lxml raises several types on broken input
            raise InputError(f"无法解析网页文件“{path.name}”。", f"{path.name}: HTML parse failed: {exc}") from exc
        blocks: list[Block] = []
        buffer: list[str] = []
        root = soup.body or soup
        try:
            _walk(root, blocks, buffer)
        except _TableTooLarge as exc:
            raise InputError(f"网页文件“{path.name}”中的表格过大（{exc.args[0]}），超出导入上限，已跳过。",
                             f"{path.name}: HTML table over MAX_GRID_CELLS ({exc.args[1]} rows x {exc.args[2]} columns)") from exc
        _flush(blocks, buffer)
        return RawDocument(source=path.name, format=self.format, blocks=blocks)


def _flush(blocks: list[Block], buffer: list[str]) -> None:
    text = _SPACE.sub(" ", "".join(buffer)).strip()
    buffer.clear()
    if text:
        blocks.append(RawLine(text=text))


def _walk(node: Tag, blocks: list[Block], buffer: list[str]) -> None:
    for child in node.children:
        if isinstance(child, NavigableString):
            if child.__class__.__name__ in ("Comment", "Doctype", "CData", "ProcessingInstruction"):
                continue
            buffer.append(str(child))
            continue
        if not isinstance(child, Tag) or child.name in _SKIP_TAGS:
            continue
        if child.name == "table":
            _flush(blocks, buffer)
            grid = _table_grid(child)
            if grid:
                blocks.append(RawGrid(rows=grid))
            continue
        if child.name == "br":
            _flush(blocks, buffer)
            continue
        block = child.name in _BLOCK_TAGS
        if block:
            _flush(blocks, buffer)
        _walk(child, blocks, buffer)
        if block:
            _flush(blocks, buffer)


def _cell_text(cell: Tag) -> str:
    return _SPACE.sub(" ", cell.get_text(" ")).strip()


class _TableTooLarge(ValueError):
    pass


def _table_grid(table: Tag) -> list[list[str]]:
    grid: dict[tuple[int, int], str] = {}
    width = 0
    rows = [tr for tr in table.find_all("tr") if tr.find_parent("table") is table]
    for r, tr in enumerate(rows):
        c = 0
        for cell in tr.find_all(["td", "th"], recursive=False):
            while (r, c) in grid:
                c += 1
            rowspan = _span(cell.get("rowspan"))
            colspan = _span(cell.get("colspan"))
            for dr in range(rowspan):
                for dc in range(colspan):
                    grid[(r + dr, c + dc)] = _cell_text(cell) if dr == dc == 0 else ""
            c += colspan
            width = max(width, c)
            if len(grid) > limits.MAX_GRID_CELLS or len(rows) * width > limits.MAX_GRID_CELLS:  # spans multiply cells
                raise _TableTooLarge(f"{len(rows):,} 行 × {width:,} 列", len(rows), width)
    return [[grid.get((r, c), "") for c in range(width)] for r in range(len(rows))]


def _span(value) -> int:
    try:
        return max(1, min(int(value), 100))
    except (TypeError, ValueError):
        return 1
