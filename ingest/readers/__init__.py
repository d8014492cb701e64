"""Readers by file format. `reader_for` picks one by suffix, then by sniffing the bytes."""

from __future__ import annotations

from pathlib import Path

from ingest.errors import UnsupportedFormatError
from ingest.readers.base import Block, RawDocument, RawGrid, RawLine, Reader
from ingest.readers.html import HtmlReader
from ingest.readers.pages_json import PagesJsonReader
from ingest.readers.pdf import PdfReader
from ingest.readers.text import TextReader
from ingest.readers.xlsx import XlsReader, XlsxReader

READERS: list[Reader] = [PdfReader(), XlsxReader(), XlsReader(), HtmlReader(), PagesJsonReader(), TextReader()]



def reader_for(path: Path, data: bytes) -> Reader:
    """The content decides first (an HTML page saved as .txt is HTML), then the suffix."""
    for reader in READERS:
        if reader.sniff(data):
            return reader
    suffix = path.suffix.lower()
    for reader in READERS:
        if suffix in reader.suffixes:
            return reader
    if suffix == "":
        return READERS[-1]
    raise UnsupportedFormatError(
        f"不支持的文件类型“{suffix}”（文件“{path.name}”）。"
        f"支持：{'、'.join(sorted({s.lstrip('.').upper() for r in READERS for s in r.suffixes}))}。",
        f"{path.name}: no reader for suffix {suffix!r}",
    )


__all__ = ["Block", "RawDocument", "RawGrid", "RawLine", "Reader", "READERS", "reader_for"]
