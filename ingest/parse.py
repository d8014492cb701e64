"""RawDocument → the parts of a Disclosure: sections, tables, catalogue, title.

Walks the reader's blocks in order with three modes: running text (headings and
paragraphs), the catalogue (目录), and a table region (from a table title to the next
heading or title: its unit and issuer lines, notes, and rows).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.catalogue import entry_from_cells, entry_from_line, looks_like_table_title, number_tables
from ingest.forms import build_form, is_form
from ingest.metadata import ISSUER_KEYS
from ingest.model import CatalogueEntry, Section, Table
from ingest.numbers import find_unit, normalize
from ingest.readers.base import RawDocument, RawGrid, RawLine
from ingest.sections import SectionBuilder, parse_heading
from ingest.tables import GridSource, build_tables

_CATALOGUE = re.compile(r"^(.{0,40})目\s*[录錄]\s*[)）]?$")
_NOTE = re.compile(r"^(备\s*注|注\s*\d*|说\s*明|本表|本部门|本单位|本级)\s*[:：]?")
_META = re.compile(r"^(" + "|".join(ISSUER_KEYS) + r"|(金额)?单位)\s*[:：]")
_SUBTITLE = re.compile(r"^[(（][^()（）]{2,30}[)）]$")


@dataclass
class _Region:
    title: str
    page: int | None
    rows: list[list[str]] = field(default_factory=list)
    row_pages: list[int | None] = field(default_factory=list)
    text_lines: list[str] = field(default_factory=list)
    text_pages: list[int | None] = field(default_factory=list)
    unit: str | None = None
    meta: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


@dataclass
class Parsed:
    title: str
    sections: list[Section]
    tables: list[Table]
    catalogue: list[CatalogueEntry]
    text: str  # every line and cell, for document-level checks
    meta_lines: list[str]  # every issuer/unit line, for metadata
    warnings: list[str]


def parse_document(raw: RawDocument) -> Parsed:
    items = [b for b in raw.blocks if not (isinstance(b, RawLine) and not b.text.strip())]
    builder = SectionBuilder()
    tables: list[Table] = []
    catalogue: list[CatalogueEntry] = []
    meta_lines: list[str] = []
    warnings: list[str] = []
    seen_structure = False
    catalogue_headings: set[str] = set()
    mode = "text"
    region: _Region | None = None

    def close_region() -> None:
        nonlocal region
        if region is not None:
            tables.extend(_region_tables(region, warnings))
        region = None

    i = 0
    while i < len(items):
        item = items[i]
        i += 1
        if isinstance(item, RawGrid):
            if mode == "catalogue":
                catalogue.extend(e for e in (entry_from_cells(r) for r in item.rows) if e)
                continue
            if region is None:  # a grid with no title before it
                region = _Region(title="", page=item.page)
                mode = "table"
            region.rows.extend(item.rows)
            region.row_pages.extend(item.row_pages or [item.page] * len(item.rows))
            continue

        text = item.text.strip()
        flat = normalize(text).replace(" ", "")
        if _CATALOGUE.match(flat):
            close_region()
            builder.close_paragraph()
            mode, seen_structure = "catalogue", True
            continue
        is_table_title = looks_like_table_title(text) and _table_follows(items, i)
        if mode == "catalogue" and not is_table_title:
            entry = entry_from_line(text)
            if entry:
                catalogue.append(entry)
                continue
            if parse_heading(text) and len(flat) <= 30 and flat not in catalogue_headings:
                catalogue_headings.add(flat)  # a section entry; the body starts where one repeats
                continue
            mode = "text"
        if is_table_title:
            close_region()
            builder.close_paragraph()
            title = text
            if i < len(items) and isinstance(items[i], RawLine) and _SUBTITLE.match(normalize(items[i].text).strip()):
                title += items[i].text.strip()
                i += 1
            region = _Region(title=_squash(title), page=item.page)
            mode, seen_structure = "table", True
            continue
        if mode == "table" and region is not None:
            if _META.match(flat) or find_unit(flat):
                meta_lines.append(text)
                _read_meta(region, text)
                continue
            if _NOTE.match(flat) and not parse_heading(text):
                region.notes.append(text)
                continue
            heading = parse_heading(text)
            if raw.text_rows and not (heading and heading.level <= 2):
                region.text_lines.append(text)
                region.text_pages.append(item.page)
                continue
            close_region()
            mode = "text"
        if _META.match(flat):
            meta_lines.append(text)
        heading = parse_heading(text)
        if heading:
            seen_structure = True
            builder.heading(heading, item.page)
            continue
        if not seen_structure and not _is_title_line(text):
            builder.close_paragraph()  # "更新时间：…" under a title is not part of the title's paragraph
        if re.match(r"^[(（]?\d{1,2}[)）.、]", flat):  # a numbered item starts its own paragraph
            builder.close_paragraph()
        builder.text(text, item.page)
    close_region()
    warnings.extend(number_tables(tables, catalogue))
    lines = [b.text.strip() for b in items if isinstance(b, RawLine)]
    title = pick_title(lines) or (tables[0].title if tables else "")
    return Parsed(title=title, text="\n".join(_all_text(items)), sections=builder.sections(), tables=tables, catalogue=catalogue,
                  meta_lines=meta_lines, warnings=warnings)


_TITLE_WORD = re.compile(r"(预算|决算|預算|決算)")
_YEAR_WORD = re.compile(r"20\d{2}\s*年")


def _is_title_line(text: str) -> bool:
    """A document title: short, names a year and 预算/决算, no navigation or key: value marks."""
    flat = normalize(text).replace(" ", "")
    return (len(flat) <= 60 and bool(_TITLE_WORD.search(flat)) and bool(_YEAR_WORD.search(flat))
            and not re.search(r"[>|:：]", flat) and not parse_heading(text) and not looks_like_table_title(text))


def pick_title(lines: list[str]) -> str:
    """The first title line near the top; a line above it completes it when it names no issuer."""
    head = [line for line in lines[:60] if line]
    for i, line in enumerate(head):
        if not _is_title_line(line):
            continue
        before_year = _YEAR_WORD.split(normalize(line).replace(" ", ""))[0]
        prev = head[i - 1] if i else ""
        if not before_year and prev and len(prev) <= 30 and not re.search(r"[>|:：。，]", prev) \
                and not _YEAR_WORD.search(prev) and not parse_heading(prev):
            line = prev + line
        return _squash(line)
    return ""


def _all_text(items) -> list[str]:
    out = []
    for item in items:
        if isinstance(item, RawLine):
            out.append(item.text)
        else:
            out.extend(" ".join(row) for row in item.rows)
    return out


def _squash(text: str) -> str:
    """Drop the spaces exports put between Chinese characters and digits ("2024 年" → "2024年")."""
    return re.sub(r"(?<=[\u4e00-\u9fff\d])\s+(?=[\u4e00-\u9fff\d])", "", text.strip())


def _table_follows(items, i: int) -> bool:
    """A title is a table's only if a grid, a unit line or an issuer line comes right after it."""
    for item in items[i:i + 4]:
        if isinstance(item, RawGrid):
            return True
        flat = normalize(item.text).replace(" ", "")
        if _META.match(flat) or find_unit(flat):
            return True
        if _SUBTITLE.match(flat):
            continue
        return False
    return False


def _read_meta(region: _Region, text: str) -> None:
    unit = find_unit(text)
    if unit:
        region.unit = unit
    for m in re.finditer(r"(" + "|".join(ISSUER_KEYS) + r")\s*[:：]\s*(\S*)", normalize(text)):
        region.meta[m.group(1)] = m.group(2)


def _region_tables(region: _Region, warnings: list[str]) -> list[Table]:
    rows, pages = region.rows, region.row_pages
    if region.text_lines:
        from ingest.textrows import rebuild_grid_with_warnings  # TODO(top-level once textrows lands)

        grid, notes = rebuild_grid_with_warnings(region.text_lines)
        rows = rows + grid
        pages = pages + [None] * len(grid)
        warnings.extend(f"{region.title}: {n}" for n in notes)
    source = GridSource(title=region.title, rows=rows, row_pages=pages, unit=region.unit or "元",
                        meta=region.meta, notes=region.notes)
    built = [build_form(source)] if is_form(region.title, rows) else build_tables(source)
    text_pages = [p for p in region.text_pages + [region.page] if p is not None]
    for table in built:
        if table.page_start is None and text_pages:
            table.page_start, table.page_end = min(text_pages), max(text_pages)
        if region.unit is None and not table.is_empty:
            warnings.append(f"“{region.title}”未注明金额单位，按元处理。")
    return built
