"""RawDocument → the parts of a Disclosure: sections, tables, catalogue, title.

Walks the reader's blocks in order with three modes: running text (headings and
paragraphs), the catalogue (目录), and a table region (from a table title to the next
heading or title: its unit and issuer lines, notes, and rows).
"""

from __future__ import annotations

import itertools
import re
from decimal import Decimal
from dataclasses import dataclass, field

from ingest.catalogue import (
    entry_from_cells, entry_from_line, looks_like_table_title, number_tables, strip_leaders, title_key,
)
from ingest.forms import build_form, is_form
from ingest.metadata import ISSUER_KEYS, is_title_line, pick_title, squash
from ingest.model import CatalogueEntry, Section, Table
from ingest.narrative import narrative_facts
from ingest.numbers import find_unit, normalize, unit_factor
from ingest.textrows import rebuild_grid_with_warnings
from ingest.readers.base import RawDocument, RawGrid, RawLine
from ingest.sections import Heading, SectionBuilder, parse_heading
from ingest.tables import GridSource, build_tables, is_data_row

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
    items = [b for b in _lift_title_rows(raw.blocks) if not (isinstance(b, RawLine) and not b.text.strip())]
    builder = SectionBuilder()
    tables: list[Table] = []
    catalogue: list[CatalogueEntry] = []
    meta_lines: list[str] = []
    warnings: list[str] = []
    seen_structure = False
    catalogue_headings: set[str] = set()
    mode = "text"
    region: _Region | None = None
    regions: list[_Region] = []  # built into tables at the end: a later page may continue one

    def close_region() -> None:
        nonlocal region
        region = None

    i = 0
    while i < len(items):
        item = items[i]
        i += 1
        if isinstance(item, RawGrid):
            if mode == "catalogue":
                catalogue.extend(e for e in (entry_from_cells(r) for r in item.rows) if e)
                continue
            if region is None:
                if regions and _continues(regions[-1], item):
                    region = regions[-1]  # the table goes on after a page break
                else:  # a grid with no title of its own is named after its section
                    region = _Region(title=builder.current.heading, page=item.page)
                    regions.append(region)
                builder.close_paragraph()
                mode = "table"
            _append_grid(region, item)
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
            flat = strip_leaders(flat)
            if parse_heading(flat) and len(flat) <= 40 and flat not in catalogue_headings:
                catalogue_headings.add(flat)  # a section entry; the body starts where one repeats
                continue
            if len(flat) <= 6 and not re.search(r"\d", flat) and not _catalogue_heading(text, catalogue_headings):
                continue  # the wrapped tail of the entry above ("…决算情况" / "说明")
            mode = "text"
        if is_table_title:
            close_region()
            builder.close_paragraph()
            title = text
            if i < len(items) and isinstance(items[i], RawLine) and _SUBTITLE.match(normalize(items[i].text).strip()):
                title += items[i].text.strip()
                i += 1
            region = _Region(title=squash(title), page=item.page)
            regions.append(region)
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
            if not raw.text_rows and not region.rows and region.meta and _WRAPPED_NAME.fullmatch(flat):
                _wrap_meta(region, flat)  # "部门名称：青岚省人大" … "常委会办公厅" under the unit
                continue
            heading = parse_heading(text)
            if raw.text_rows and not (heading and heading.level <= 2) and not _catalogue_heading(
                    text, catalogue_headings):
                region.text_lines.append(text)
                region.text_pages.append(item.page)
                continue
            close_region()
            mode = "text"
        if _META.match(flat):
            meta_lines.append(text)
        heading = parse_heading(text) or _catalogue_heading(text, catalogue_headings)
        if heading:
            seen_structure = True
            builder.heading(heading, item.page)
            continue
        if not seen_structure and not is_title_line(text):
            builder.close_paragraph()  # "更新时间：…" under a title is not part of the title's paragraph
        if re.match(r"^[(（]?\d{1,2}[)）.、]", flat):  # a numbered item starts its own paragraph
            builder.close_paragraph()
        builder.text(text, item.page)
    hints = _narrative_hints(builder.sections()) if any(r.text_lines for r in regions) else []
    # a cover's title (省级部门预算公开报表 over 部门：…) opens no table: nothing follows it
    regions = [r for r in regions if r.rows or r.text_lines or r.notes]
    for r in sorted(regions, key=lambda r: bool(r.text_lines)):  # grids first: their cells are evidence
        built = _region_tables(r, warnings, hints)
        tables.extend(built)
        if hints:
            hints.extend(_table_hints(built))
    tables.sort(key=lambda t: (t.page_start or 0))
    tables = _join_repeated(tables)
    warnings.extend(number_tables(tables, catalogue))
    lines = [b.text.strip() for b in items if isinstance(b, RawLine)]
    title = pick_title(lines) or (tables[0].title if tables else "")
    return Parsed(title=title, text="\n".join(_all_text(items)), sections=builder.sections(), tables=tables, catalogue=catalogue,
                  meta_lines=meta_lines, warnings=warnings)


def _join_repeated(tables: list[Table]) -> list[Table]:
    """A table continued on the next page under its title printed again (same title, same
    columns) is one table."""
    out: list[Table] = []
    for table in tables:
        last = out[-1] if out else None
        if (last is not None and last.rows and table.rows and last.kind == table.kind == "grid"
                and last.part == table.part and title_key(last.title) == title_key(table.title)
                and [c.path for c in last.columns] == [c.path for c in table.columns]
                and table.page_start is not None and last.page_end is not None
                and 0 < table.page_start - last.page_end <= 1):
            offset = len(last.rows)
            for row in table.rows:
                row.index += offset
                if row.parent is not None:
                    row.parent += offset
            last.rows.extend(table.rows)
            last.notes.extend(n for n in table.notes if n not in last.notes)
            last.page_end = table.page_end or table.page_start
            continue
        out.append(table)
    return out


def _all_text(items) -> list[str]:
    out = []
    for item in items:
        if isinstance(item, RawLine):
            out.append(item.text)
        else:
            out.extend(" ".join(row) for row in item.rows)
    return out


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


_BARE_NUMBER = re.compile(r"^(表[一二三四五六七八九十\d]+(?:[-—－]\d+)?|[(（]?公开\d+表[)）]?|附表\d*(?:[-—－]\d+)?)$")
# A title cell that runs on into its issuer and unit lines ("收支预算总表部门：…单位：万元").
_TITLE_THEN_META = re.compile(r"^(?P<title>.+?表(?:[（(][^()（）]{1,30}[)）])?)\s*(?P<meta>(?:" + "|".join(ISSUER_KEYS)
                              + r"|(?:金额)?单位)\s*[:：].*)$")
_META_NAME = re.compile(r"(?P<key>" + "|".join(ISSUER_KEYS) + r")\s*[:：]\s*(?P<name>.+?)(?=(?:金额)?单位\s*[:：]|$)")


def _is_meta(text: str) -> bool:
    flat = normalize(text).replace(" ", "")
    return bool(_META.match(flat) or find_unit(flat))


def _meta_line(text: str) -> str:
    """The issuer and unit a run-on cell names, as one line ("部门：X  单位：万元"); the rest
    of such a cell is the table's body flattened by the exporter, read again from the grid."""
    flat = normalize(text).replace(" ", "")
    parts = []
    name = _META_NAME.match(flat)
    if name:
        parts.append(f"{name.group('key')}：{name.group('name')}")
    unit = find_unit(flat)
    if unit:
        parts.append(f"单位：{unit}")
    return "  ".join(parts) or text


def _heading_lines(row: list[str], lifted: int) -> list[str] | None:
    """The lines a grid row holds when it is a table's title, issuer or unit line, else None."""
    filled = [c for c in row if c and c.strip()]
    if not filled:
        return None
    if len(filled) == 1:
        cell = filled[0]
        run_on = _TITLE_THEN_META.match(normalize(cell).strip())
        if run_on and looks_like_table_title(run_on.group("title")):
            return [run_on.group("title"), _meta_line(run_on.group("meta"))]
        if looks_like_table_title(cell) or (lifted and _SUBTITLE.match(normalize(cell).strip())):
            return [cell]
        return [_meta_line(cell) if len(cell) > 40 else cell] if _is_meta(cell) else None
    joined = "  ".join(c.strip() for c in filled)
    if len(filled) == 2 and all(looks_like_table_title(c) or _is_meta(c) for c in filled):
        return filled
    if _META.match(normalize(filled[0]).replace(" ", "")) and len(joined) <= 80:
        return [joined]  # "部门：" | "青岚县文物局" | "单位：万元" across cells
    return None


def _split_grid(block: RawGrid):
    """A grid's leading title rows become lines, and so does a table title ruled into the middle
    of a grid (the next table starting under the last rows of the one before)."""
    rows = block.rows
    pages = block.row_pages or [block.page] * len(rows)
    start = 0
    i = 0
    while i < len(rows):
        lines = _heading_lines(rows[i], 0)
        titled = lines is not None and any(looks_like_table_title(t) for t in lines)
        at_top = i == start
        if lines is None or (not at_top and not (titled and (
                len(lines) > 1 or (i + 1 < len(rows) and _heading_lines(rows[i + 1], 1))))):
            i += 1
            continue
        if i > start:
            yield RawGrid(rows=rows[start:i], page=pages[start], row_pages=pages[start:i])
        j = i
        while j < len(rows):
            lines = _heading_lines(rows[j], j - i)
            if lines is None:
                break
            for line in lines:
                yield RawLine(text=line, page=pages[j])
            j += 1
        start = i = j
    if start < len(rows):
        yield RawGrid(rows=rows[start:], page=pages[start], row_pages=pages[start:])


def _join_wrapped_titles(pieces):
    """A table title wrapped onto a second short line ("…支出预" / "算表") is one line."""
    pending = None
    for piece in pieces:
        if pending is not None:
            if (isinstance(piece, RawLine) and len(piece.text.strip()) <= 12
                    and re.search(r"表\s*([(（][^()（）]*[)）])?\s*$", piece.text)  # a title's tail ends in 表
                    and not looks_like_table_title(piece.text)
                    and looks_like_table_title(pending.text.strip() + piece.text.strip())):
                piece = RawLine(text=pending.text.strip() + piece.text.strip(), page=pending.page)
            else:
                yield pending
            pending = None
        if (isinstance(piece, RawLine) and not looks_like_table_title(piece.text) and len(piece.text.strip()) <= 60
                and not _BARE_NUMBER.match(normalize(piece.text).replace(" ", ""))):
            pending = piece
            continue
        yield piece
    if pending is not None:
        yield pending


def _lift_title_rows(blocks):
    """Some PDFs rule the title and the 编制单位/单位 line into the table: they are lines, not rows.
    A table number printed on its own line above the title ("公开01表", "表一") joins the title."""
    number: RawLine | None = None
    pieces = (p for block in blocks for p in (_split_grid(block) if isinstance(block, RawGrid) else [block]))
    for piece in _join_wrapped_titles(pieces):
        if isinstance(piece, RawLine) and _BARE_NUMBER.match(normalize(piece.text).replace(" ", "")):
            if number is not None:
                yield number
            number = piece
            continue
        if number is not None:
            if isinstance(piece, RawLine) and looks_like_table_title(piece.text):
                piece = RawLine(text=f"{normalize(number.text).replace(' ', '')} {piece.text.strip()}",
                                page=piece.page)
            else:
                yield number
            number = None
        yield piece
    if number is not None:
        yield number


def _header_rows(rows: list[list[str]]) -> list[list[str]]:
    return list(itertools.takewhile(lambda r: not is_data_row(r), rows))


def _continues(previous: _Region, grid: RawGrid) -> bool:
    """A grid without a title continues the last table when it has its width and no new header,
    or repeats that table's header."""
    if not previous.rows or not grid.rows:
        return False
    width = max(len(r) for r in previous.rows)
    last_page = next((p for p in reversed(previous.row_pages) if p is not None), previous.page)
    if (len(grid.rows[0]) < width and any(is_data_row(r) for r in grid.rows[:3]) and last_page is not None
            and grid.page == last_page + 1):
        return True  # the table runs on at the top of the next page, its label cells merged
    if len(grid.rows[0]) != width:
        return False
    header = _header_rows(previous.rows)
    return is_data_row(grid.rows[0]) or (bool(header) and grid.rows[: len(header)] == header)


def _append_grid(region: _Region, grid: RawGrid) -> None:
    rows = grid.rows
    header = _header_rows(region.rows)
    if region.rows and header and rows[: len(header)] == header:
        rows = rows[len(header):]  # the header repeated on a continuation page
    pages = (grid.row_pages or [grid.page] * len(grid.rows))[len(grid.rows) - len(rows):]
    width = max((len(r) for r in region.rows), default=0)
    # A narrower row on a later page merged its label cells (合计 over 类/款/项/名称):
    # its figures belong to the rightmost columns.
    rows = [[r[0], *[""] * (width - len(r)), *r[1:]] if 0 < len(r) < width else r for r in rows]
    region.rows.extend(rows)
    region.row_pages.extend(pages)


_WRAPPED_NAME = re.compile(r"[\u4e00-\u9fff（）()]{2,16}")


def _wrap_meta(region: _Region, tail: str) -> None:
    """The wrapped end of an issuer name printed under its key's line."""
    for key in ISSUER_KEYS:
        if region.meta.get(key):
            region.meta[key] += tail
            return


def _read_meta(region: _Region, text: str) -> None:
    unit = find_unit(text)
    if unit:
        region.unit = unit
    for m in re.finditer(r"(" + "|".join(ISSUER_KEYS) + r")\s*[:：]\s*(\S*)", normalize(text)):
        region.meta[m.group(1)] = m.group(2)


def _narrative_hints(sections: list[Section]) -> list[tuple[str, Decimal, Decimal, str | None]]:
    """Amounts the narrative states (公务接待费1.53万元), in 元 with their printing tolerance:
    evidence for placing a text-layer figure where the table's arithmetic cannot."""
    hints = []
    for fact in narrative_facts("", sections, None):
        if fact.unit == "元" and fact.measure in ("预算数", "决算数") and len(fact.label) > 1:
            printed = re.search(r"\.(\d+)", fact.text)
            step = Decimal(1).scaleb(-len(printed.group(1))) if printed else Decimal(1)
            hints.append((fact.label[1], fact.value, step / 2 * unit_factor(fact.source_unit or "元"), None))
    return hints


def _catalogue_heading(text: str, entries: set[str]) -> Heading | None:
    """An unnumbered page title that the catalogue lists as a section: "名词解释" for "三、名词解释",
    "…街道办事处（本级）主要职能" for "一、单位主要职能", "2026年单位预算编制说明" for "四、单位预算编制说明"."""
    flat = normalize(text).replace(" ", "")
    if len(flat) > 40 or re.search(r"[。，；：:,;]", flat):
        return None
    for entry in entries:
        h = parse_heading(entry)
        if not h or h.level != 1:
            continue
        core = re.sub(r"^(\d{4}年度?)?(单位|部门)?", "", h.title)
        if len(core) >= 4 and flat.endswith(core):
            # a page title: above the numbered headings printed on its pages (一、加强党的建设…)
            return Heading(level=0, number=h.number, title=text.strip(), rest="")
    return None


def _table_hints(tables: list[Table]) -> list[tuple[str, Decimal, Decimal, str | None]]:
    """Coded cells of tables already built: a subject's figure in one table places it in another."""
    return [(t.column(c.column).path[-1], c.value, Decimal(0), r.code)
            for t in tables for r in t.rows if r.code for c in r.cells
            if c.value is not None and c.unit == "元" and t.column(c.column)]


_HEADER_UNIT = re.compile(r"[（(](亿元|万元|千元|元)[)）]|单位\s*[:：]\s*(亿元|万元|千元|元)")


def _unit_in_header(rows: list[list[str]]) -> str | None:
    """The unit a header cell prints ("金额（万元）") when no unit line does: one unit for all."""
    units = {m.group(1) or m.group(2) for r in _header_rows(rows)[:4] for c in r if c
             for m in [_HEADER_UNIT.search(normalize(c))] if m}
    return units.pop() if len(units) == 1 else None


def _region_tables(region: _Region, warnings: list[str], hints) -> list[Table]:
    if region.unit is None and region.rows:
        region.unit = _unit_in_header(region.rows)
    rows, pages = region.rows, region.row_pages
    if region.text_lines:
        factor = unit_factor(region.unit or "元")
        local = [(subject, value / factor, tolerance / factor, code) for subject, value, tolerance, code in hints]
        grid, notes = rebuild_grid_with_warnings(region.text_lines, local)
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
        has_money = any(c.unit == "元" for r in table.rows for c in r.cells) or any(f.unit == "元" for f in table.fields)
        # a form may name its unit in a cell instead of a 单位 line ("项目资金（元）")
        unit_in_cells = any(re.search(r"[（(](元|万元)[)）]", c) for r in rows for c in r if c)
        if region.unit is None and has_money and not unit_in_cells:
            warnings.append(f"“{region.title}”未注明金额单位，按元处理。")
    return built
