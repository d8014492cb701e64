"""Grids of cells → `Table`s: header paths, subject codes, parent links, totals, units.

A grid is what a reader (or ingest.textrows) delivers: header rows first, then data rows,
one cell per column. Multi-level headers are flattened into column paths: a header cell
spans right until the next filled cell of its row, never past its parent's span. A grid
that carries two tables side by side (收支总表: 收入 | 支出) is split into two tables.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.model import GRID, Cell, Column, Row, Table
from ingest.numbers import COUNT_UNITS, is_percent, normalize, parse_number, unit_factor

_CODE = re.compile(r"^(\d{3})(?:\s*(\d{2}))?(?:\s*(\d{2}))?$")
_CODE_GLUED = re.compile(r"^(\d{3}(?:\d{2}){0,2})\s*([^\d\s,.].*)$")
_TOTAL_WORDS = ("合计", "总计")
_ORDINAL_ROW = re.compile(r"^([一二三四五六七八九十]+、|[(][一二三四五六七八九十]+[)]|\d{1,2}[、.](?!\d))")
_RATE_WORDS = ("增幅", "增长率", "增减率", "比例", "比重", "占比", "%", "％", "完成率", "执行率")
_COUNT_IN_HEADER = re.compile(r"[（(](" + "|".join(re.escape(u) for u in COUNT_UNITS) + r")[)）]")
# Header words of label columns; a second label column after value columns marks a
# side-by-side table.
_LABEL_HEADERS = ("项目", "科目名称", "科目编码", "支出功能分类科目", "科目", "名称", "收入", "支出", "类", "款", "项", "序号")


@dataclass
class GridSource:
    """One table region as the document assembler collected it."""

    title: str
    rows: list[list[str]]
    row_pages: list[int | None] = field(default_factory=list)
    unit: str = "元"
    meta: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def subject_code(text: str) -> str | None:
    """'2010301' / '201 03 01' / '208 05 05' → digits; anything else → None."""
    m = _CODE.match(normalize(text).strip())
    return "".join(g for g in m.groups() if g) if m else None


def split_glued_code(text: str) -> tuple[str | None, str]:
    """'2010506统计管理' → ('2010506', '统计管理')."""
    s = normalize(text).strip()
    m = _CODE_GLUED.match(s)
    if m and len(m.group(1)) in (3, 5, 7):
        return m.group(1), m.group(2).strip()
    return None, text.strip()


def is_total_label(text: str) -> bool:
    s = normalize(text).replace(" ", "")
    return any(w in s for w in _TOTAL_WORDS)


def _pad(rows: list[list[str]]) -> list[list[str]]:
    width = max((len(r) for r in rows), default=0)
    rows = [[(c or "").strip() for c in r] + [""] * (width - len(r)) for r in rows]
    # Drop columns empty in every row (trailing tabs of the export).
    keep = [c for c in range(width) if any(r[c] for r in rows)]
    return [[r[c] for c in keep] for r in rows]


def is_data_row(row: list[str]) -> bool:
    filled = [c for c in row if c]
    if any(parse_number(c) is not None for c in filled):
        return True
    first = filled[0] if filled else ""
    if subject_code(first) or split_glued_code(first)[0] or _ORDINAL_ROW.match(normalize(first)):
        return True  # 一、财政拨款收入 / 1、一般公共预算: numbered items are rows even when blank
    # An empty 合计 row is data; a header row may start with 合计 too, but names other columns.
    return bool(filled) and all(is_total_label(c) for c in filled)


def header_paths(header: list[list[str]], width: int) -> list[tuple[str, ...]]:
    """Flatten header rows: each filled cell spans right to the next filled cell within its parent."""
    spans = [(0, width)]  # the parent span of every column, refined row by row
    parent_of = [0] * width
    paths: list[list[str]] = [[] for _ in range(width)]
    for row in header:
        new_spans: list[tuple[int, int]] = []
        new_parent = [0] * width
        for start, end in spans:
            filled = [c for c in range(start, end) if row[c]]
            if not filled:
                new_spans.append((start, end))
                for c in range(start, end):
                    new_parent[c] = len(new_spans) - 1
                continue
            if filled[0] > start:  # columns before the first filled cell keep the parent span
                new_spans.append((start, filled[0]))
                for c in range(start, filled[0]):
                    new_parent[c] = len(new_spans) - 1
            for i, c in enumerate(filled):
                stop = filled[i + 1] if i + 1 < len(filled) else end
                new_spans.append((c, stop))
                for k in range(c, stop):
                    new_parent[k] = len(new_spans) - 1
                    paths[k].append(_clean_header(row[c]))
        spans, parent_of = new_spans, new_parent
    return [tuple(p) for p in paths]


def _clean_header(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _column_unit(path: tuple[str, ...], label: bool) -> str:
    if label:
        return ""
    joined = "".join(path)
    m = _COUNT_IN_HEADER.search(joined)
    if m:
        return m.group(1)
    if any(w in joined for w in _RATE_WORDS):
        return "%"
    return "元"


_CODE_HEADERS = ("编码", "代码", "科目")
_CODE_PARTS = ("类", "款", "项")  # the split code columns' own headers


def _label_columns(data: list[list[str]], width: int, paths: list[tuple[str, ...]]) -> list[bool]:
    """A column is a label column when its header names codes or most of its filled cells are not numbers."""
    out = []
    for c in range(width):
        leaf = paths[c][-1] if paths[c] else ""
        if leaf.endswith(_CODE_HEADERS) or leaf in _LABEL_HEADERS or leaf in _CODE_PARTS:
            out.append(True)
            continue
        filled = [r[c] for r in data if r[c]]
        text = [v for v in filled if parse_number(v) is None]
        out.append(bool(filled) and (len(text) * 2 >= len(filled) or _code_column(filled)))
    return out


def _code_column(filled: list[str]) -> bool:
    """A column of subject codes under no header of its own (201 / 20103 / 2010301): most cells
    are 3-, 5- or 7-digit codes and some longer code extends a shorter one printed above it."""
    codes = [v.strip() for v in filled if re.fullmatch(r"\d{3}(?:\d{2}){0,2}", v.strip())]
    if len(codes) * 2 < len(filled) or len(codes) < 3:
        return False
    return any(b.startswith(a) and len(b) == len(a) + 2 for a, b in zip(codes, codes[1:]))


def _side_by_side_split(paths: list[tuple[str, ...]], labels: list[bool]) -> int | None:
    """Index where a second table starts: a label column after value columns, headed like the first."""
    first_label = next((c for c, is_label in enumerate(labels) if is_label), None)
    if first_label is None:
        return None
    seen_value = False
    for c in range(first_label + 1, len(labels)):
        if not labels[c]:
            seen_value = True
            continue
        if not seen_value:
            continue
        leaf, first_leaf = (paths[c][-1] if paths[c] else ""), (paths[first_label][-1] if paths[first_label] else "")
        top, first_top = (paths[c][0] if paths[c] else ""), (paths[first_label][0] if paths[first_label] else "")
        if (leaf and leaf == first_leaf) or ("收入" in first_top and "支出" in top):
            return c
    return None


def build_tables(source: GridSource) -> list[Table]:
    """One table, or two when the grid holds two tables side by side."""
    kept = [(r, p) for r, p in zip(source.rows, source.row_pages or [None] * len(source.rows))
            if any((c or "").strip() for c in r)]
    rows, row_pages = _unmerge_total_row(_pad([r for r, _ in kept]), [p for _, p in kept])
    if not rows:
        return [_table(source, [], [], [], part=None)]
    width = len(rows[0])
    first_data = next((i for i, r in enumerate(rows) if is_data_row(r)), len(rows))
    header, data = rows[:first_data], rows[first_data:]
    data_pages = row_pages[first_data:]
    paths = header_paths(header, width)
    labels = _label_columns(data, width, paths) if data else [bool(p) and not _value_header(p) for p in paths]
    split = _side_by_side_split(paths, labels)
    if split is not None and paths[:split] == paths[split:]:
        # One long table folded into two column blocks (基本支出决算表: 301… | 302…): unfold it.
        data = [r[:split] for r in data] + [r[split:] for r in data]
        data_pages = data_pages + data_pages
        header, paths, labels = [h[:split] for h in header], paths[:split], labels[:split]
        split = None
    if split is None:
        return [_table(source, header, data, data_pages, part=None, paths=paths, labels=labels)]
    left_paths = paths[:split]
    right_paths = paths[split:]
    parts = (_part_name(left_paths, "左"), _part_name(right_paths, "右"))
    return [
        _table(source, [h[:split] for h in header], [r[:split] for r in data], data_pages,
               part=parts[0], paths=left_paths, labels=labels[:split]),
        _table(source, [h[split:] for h in header], [r[split:] for r in data], data_pages,
               part=parts[1], paths=right_paths, labels=labels[split:]),
    ]


def _value_header(path: tuple[str, ...]) -> bool:
    return not any(w in "".join(path) for w in _LABEL_HEADERS)


def _unmerge_total_row(rows: list[list[str]], pages: list) -> tuple[list[list[str]], list]:
    """Split a ruled row that holds both the last header cells and the 合计 row.

    Some PDF templates rule 类 | 款 | 项 into the 合计 row ("类 款 项 合计 2,946.25 …"), or the
    sub-headers of a column group ("合计 | | 合计 | 基本支出 | 项目支出"). The words before and after
    the row's 合计 label are header cells; the figures stay in the row. Only where the header above
    names label columns (项目 / 科目编码), so a 三公 header that starts with 合计 is left alone.
    """
    for i, row in enumerate(rows):
        if any(subject_code(c) for c in row) or i == 0:
            if i:
                break
            continue
        if not any(_is_label_word(r[0]) for r in rows[:i]):
            continue
        t = next((k for k, c in enumerate(row) if c), None)
        while t is not None and row[t] in _CODE_PARTS:
            t = next((k for k in range(t + 1, len(row)) if row[k]), None)
        labels = [any(_is_label_word(r[k]) for r in rows[:i]) for k in range(len(row))]
        if t is None or not is_total_label(row[t]) or not labels[t]:
            continue
        fragments = [c if (k < t or (k > t and c and not labels[k] and parse_number(c) is None)) else ""
                     for k, c in enumerate(row)]
        if not any(fragments):
            continue
        data = ["" if fragments[k] else c for k, c in enumerate(row)]
        return rows[:i] + [fragments, data] + rows[i + 1:], pages[:i] + [pages[i], pages[i]] + pages[i + 1:]
    return rows, pages


def _is_label_word(text: str) -> bool:
    return any(w in text for w in ("项目", "科目", "编码", "名称"))


def _part_name(paths: list[tuple[str, ...]], fallback: str) -> str:
    tops = [p[0] for p in paths if p]
    return tops[0] if tops else fallback


def _table(source: GridSource, header, data, data_pages, part, paths=None, labels=None) -> Table:
    width = len(header[0]) if header else (len(data[0]) if data else 0)
    paths = paths if paths is not None else [()] * width
    labels = labels if labels is not None else [False] * width
    # Drop the side name from the column paths of a split table ("收入 › 项目" → "项目").
    if part and all(p and p[0] == part for p in paths) and any(len(p) > 1 for p in paths):
        paths = [p[1:] if len(p) > 1 else p for p in paths]
    columns = [Column(index=c, path=paths[c] or (f"第{c + 1}列",), unit=_column_unit(paths[c], labels[c]))
               for c in range(width)]
    factor = unit_factor(source.unit)
    rows = [_row(i, r, columns, labels, factor, data_pages[i] if i < len(data_pages) else None)
            for i, r in enumerate(data)]
    # A split table's shorter side leaves blank rows behind.
    rows = [r for r in rows if r.name or r.code or r.cells]
    warnings = _repair_misprinted_codes(rows)
    _link_parents(rows)
    pages = [p for p in data_pages if p is not None]
    return Table(key="", title=source.title, part=part, kind=GRID, unit=source.unit, columns=columns,
                 rows=rows, notes=list(source.notes), meta=dict(source.meta), warnings=warnings,
                 page_start=min(pages) if pages else None, page_end=max(pages) if pages else None)


_MISPRINTED_CODE = re.compile(r"^(\d{1,3}) (\d{2})(?: (\d{2}))? (\D.*)$")


def _repair_misprinted_codes(rows: list[Row]) -> list[str]:
    """A 类 code misprinted in a split-code row ("7 | 11 | 02 | 事业单位医疗" under 2101101) is read
    from the row above when its 款 agrees; the repair is reported, never silent."""
    warnings = []
    previous: Row | None = None
    for row in rows:
        m = None if row.code else _MISPRINTED_CODE.match(row.name)
        if m and previous and previous.code and len(previous.code) >= 5 and previous.code[3:5] == m.group(2):
            printed = " ".join(g for g in m.groups()[:3] if g)
            row.code = previous.code[:3] + m.group(2) + (m.group(3) or "")
            row.name = m.group(4)
            warnings.append(f"科目编码印为“{printed}”，按上一行的类款读作 {row.code}（{row.name}）。")
        if row.code:
            previous = row
    return warnings


def _row(index: int, cells: list[str], columns: list[Column], labels: list[bool], factor, page) -> Row:
    label_cells = [cells[c] for c in range(len(cells)) if labels[c] and cells[c]]
    code, name_parts = _code_and_name(cells, labels)
    name = " ".join(name_parts) if name_parts else ""
    row = Row(index=index, name=name, code=code, page=page,
              is_total=not code and is_total_label(name or (label_cells[0] if label_cells else "")))
    for column in columns:
        if labels[column.index]:
            continue
        text = cells[column.index]
        if not text:
            continue
        value = parse_number(text)
        if value is not None and column.unit == "元" and not is_percent(text):
            row.cells.append(Cell(column=column.index, text=text, value=value * factor, unit="元"))
        elif value is not None:
            unit = "%" if is_percent(text) else column.unit
            row.cells.append(Cell(column=column.index, text=text, value=value, unit=unit))
        else:
            row.cells.append(Cell(column=column.index, text=text))
    return row


def _code_and_name(cells: list[str], labels: list[bool]) -> tuple[str | None, list[str]]:
    """Subject code from one cell ('2010301', '201 03 01'), split cells (208|05|05) or glued to the name."""
    code_parts: list[str] = []
    names: list[str] = []
    for c, text in enumerate(cells):
        if not labels[c] or not text:
            continue
        digits = normalize(text).strip()
        if not names and code_parts and re.fullmatch(r"\d{1,2}", digits):
            code_parts.append(digits.zfill(2))  # 款/项 column; some exports drop the leading zero
            continue
        if not names and re.fullmatch(r"\d{3,7}", digits) and (code_parts or len(digits) in (3, 5, 7)):
            code_parts.append(digits)
            continue
        if not names and not code_parts:
            glued, rest = split_glued_code(text)
            if glued:
                code_parts.append(glued)
                names.append(rest)
                continue
            spaced = subject_code(text)
            if spaced:
                code_parts.append(spaced)
                continue
        names.append(text.strip())
    code = "".join(code_parts) or None
    if code and len(code) not in (3, 5, 7):
        code = None
    return code, names


def _link_parents(rows: list[Row]) -> None:
    """Parent = the nearest earlier row whose code is this code minus its last two digits."""
    last_by_length: dict[int, Row] = {}
    for row in rows:
        if not row.code:
            continue
        parent = last_by_length.get(len(row.code) - 2)
        if parent and parent.code and row.code.startswith(parent.code):
            row.parent = parent.index
        last_by_length[len(row.code)] = row
        for longer in [k for k in last_by_length if k > len(row.code)]:
            del last_by_length[longer]


def narrative_unit_warnings(tables: list[Table], facts) -> list[str]:
    """A table whose figures the narrative states only 10,000 times larger or smaller (the table
    read in 元 where it printed 万元, or the other way round): its unit line is probably wrong."""
    stated = [f.value for f in facts if f.unit == "元" and f.measure in ("预算数", "决算数") and f.value]
    if not stated:
        return []
    warnings = []
    for table in tables:
        values = {c.value for r in table.rows for c in r.cells if c.unit == "元" and c.value}
        if not values:
            continue
        direct = sum(1 for v in stated if v in values)
        scaled = sum(1 for v in stated if v not in values and (v * 10000 in values or v / 10000 in values))
        if scaled >= 2 and direct == 0:
            warnings.append(f"{table.key}“{table.title}”按“{table.unit}”读出的数字与说明中的数字差一万倍"
                            f"（{scaled} 处），表格的金额单位可能印错或读错。")
    return warnings
