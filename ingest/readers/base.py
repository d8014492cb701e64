"""What a reader gives the parser: the document's text lines and table grids in reading order.

Readers know a file format; they know nothing about budgets. The parser (ingest.parse)
turns a RawDocument into a Disclosure, whatever format it came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, Union


@dataclass
class RawLine:
    """A line of running text (a heading, a sentence fragment, a table title …)."""

    text: str
    page: int | None = None


@dataclass
class RawGrid:
    """Table rows whose cells the format itself delimits (tabs, <td>, PDF ruling lines)."""

    rows: list[list[str]]
    page: int | None = None
    row_pages: list[int | None] = field(default_factory=list)  # page of each row, when known


Block = Union[RawLine, RawGrid]


@dataclass
class RawDocument:
    source: str  # the file name
    format: str  # txt / html / pages-json / pdf / xlsx
    blocks: list[Block]
    text_rows: bool = False  # tables arrive as plain text lines, cells to be rebuilt


class Reader(Protocol):
    format: str
    suffixes: tuple[str, ...]

    def sniff(self, data: bytes) -> bool:
        """True if the bytes look like this reader's format (used when the suffix does not tell)."""

    def read(self, path: Path, data: bytes) -> RawDocument:
        """Parse the bytes; raise an InputError subclass for input it cannot read."""
