"""Plain-text exports: lines of narrative, tables as tab-separated rows."""

from __future__ import annotations

from pathlib import Path

from ingest.readers.base import Block, RawDocument, RawGrid, RawLine
from ingest.readers.decode import clean_text, decode_text


class TextReader:
    format = "txt"
    suffixes = (".txt", ".text", ".tsv", ".csv")

    def sniff(self, data: bytes) -> bool:
        return False  # the fallback reader: chosen by suffix or when nothing else claims the file

    def read(self, path: Path, data: bytes) -> RawDocument:
        text = clean_text(decode_text(data, path.name))
        return RawDocument(source=path.name, format=self.format, blocks=text_blocks(text))


def text_blocks(text: str, page: int | None = None) -> list[Block]:
    """Consecutive tab-separated lines become one grid; other lines stay lines."""
    blocks: list[Block] = []
    grid: list[list[str]] = []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if "\t" in line:
            grid.append([cell.strip() for cell in line.split("\t")])
            continue
        if grid:
            blocks.append(RawGrid(rows=grid, page=page))
            grid = []
        blocks.append(RawLine(text=line.strip(), page=page))
    if grid:
        blocks.append(RawGrid(rows=grid, page=page))
    return blocks
