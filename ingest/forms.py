"""Key–value form tables: 绩效目标表 (project or whole-department performance targets).

A form has field rows (专项资金名称 | value | 业务主管部门 | value …) and, below a header row
(绩效指标 | 指标名称 | 指标权重 | 计量单位 | 指标性质 | 指标值 | 是否核心指标), indicator rows.
"""

from __future__ import annotations

import re

from ingest.model import FORM, Cell, Column, FormField, Row, Table
from ingest.numbers import MONEY_UNITS, normalize, parse_number, to_yuan, unit_factor
from ingest.tables import GridSource

# Field names that standard 绩效目标表 forms use. A cell naming one is a key even when
# its value is blank, so a blank form does not pair one key with the next.
FORM_KEYS = (
    "专项资金名称", "项目名称", "业务主管部门", "主管部门", "实施单位", "项目单位", "当年预算", "预算金额",
    "资金总额", "年度资金总额", "区级支出", "市级支出", "补助镇街", "项目概况", "立项依据", "当年绩效目标",
    "年度绩效目标", "年度目标", "总体目标", "部门(单位)名称", "部门名称", "单位名称", "部门支出预算数",
    "当年整体绩效目标", "整体绩效目标", "项目期", "项目属性", "资金来源", "财政拨款", "其他资金",
    "项目性质", "项目类别", "计划开始日期", "计划完成日期", "项目资金", "项目资金总额", "年度资金申请总额",
    "其中:财政资金", "其中:当年财政拨款", "上年结转资金", "项目总目标", "年度总体目标", "项目绩效目标",
)
# The indicator grid's header names its indicator column one of these ways.
_INDICATOR_HEADERS = ("指标名称", "三级指标")
_VALUE_HEADERS = ("指标值", "年度(/项目)指标值", "年度指标值")
_OPERATORS = {"≥", "≤", "=", ">", "<", "定性", "定量", "≧", "≦", "＝"}
_AMOUNT_KEY = re.compile(r"预算|支出|金额|资金|拨款")


def is_form(title: str, rows: list[list[str]]) -> bool:
    if "绩效目标" in title:
        return True
    if re.search(r"(收入|支出|收支).*表", normalize(title)):
        return False  # 收入预算总表 heads its grid 项目名称 | 金额: a grid, not a form
    first = next((c for r in rows for c in r if c), "")
    return _key_name(first) in {_key_name(k) for k in FORM_KEYS}


def _key_name(text: str) -> str:
    s = normalize(text).replace(" ", "")
    return re.sub(r"\((元|万元)\)$", "", s)


def _is_key(text: str) -> bool:
    return _key_name(text) in _KEYS


_KEYS = {_key_name(k) for k in FORM_KEYS}


def build_form(source: GridSource) -> Table:
    rows = [[(c or "").strip() for c in r] for r in source.rows]
    header_at = next((i for i, r in enumerate(rows) if any(h in r for h in _INDICATOR_HEADERS)), None)
    field_rows = rows if header_at is None else rows[:header_at]
    factor = unit_factor(source.unit)
    table = Table(key="", title=source.title, kind=FORM, unit=source.unit,
                  notes=list(source.notes), meta=dict(source.meta))
    for row in field_rows:
        table.fields.extend(_fields(row, factor))
    if header_at is not None:
        _indicators(table, rows[header_at], rows[header_at + 1:])
    pages = [p for p in source.row_pages if p is not None]
    if pages:
        table.page_start, table.page_end = min(pages), max(pages)
    return table


def _fields(row: list[str], factor) -> list[FormField]:
    """Pair keys with the value cells that follow them; a key with nothing after it has no value."""
    out: list[FormField] = []
    pending: str | None = None
    for text in (c for c in row if c):
        if _is_key(text) or pending is None:
            if pending is not None:
                out.append(FormField(key=pending, text=""))
            pending = text
            continue
        out.append(_field(pending, text, factor))
        pending = None
    if pending is not None:
        out.append(FormField(key=pending, text=""))
    return out


def _field(key: str, text: str, factor) -> FormField:
    value = parse_number(text)
    if value is None or not _AMOUNT_KEY.search(key):
        return FormField(key=key, text=text)
    m = re.search(r"[（(](元|万元|亿元)[)）]", key)  # a unit in the key overrides the table's
    return FormField(key=key, text=text, value=to_yuan(value, m.group(1)) if m else value * factor, unit="元")


def _indicators(table: Table, header: list[str], rows: list[list[str]]) -> None:
    width = len(header)
    table.columns = [Column(index=c, path=(header[c] or f"第{c + 1}列",), unit="") for c in range(width)]
    names = {h: c for c, h in enumerate(header) if h}
    op_col = names.get("指标性质")
    for raw in rows:
        if not any(raw):
            continue
        cells = (raw + [""] * width)[:width] if len(raw) <= width else raw[:width]
        cells = _realign(cells, op_col)
        table.rows.append(_indicator_row(len(table.rows), cells, names))


def _realign(cells: list[str], op_col: int | None) -> list[str]:
    """Some exports shift a row one cell left or right; the operator column (≥ ≤ = 定性) anchors it."""
    if op_col is None:
        return cells
    found = next((c for c, v in enumerate(cells) if normalize(v) in {normalize(o) for o in _OPERATORS}), None)
    if found is None or found == op_col:
        return cells
    shift = op_col - found
    if shift > 0:
        return ([""] * shift + cells)[: len(cells)]
    return cells[-shift:] + [""] * (-shift)


def _indicator_row(index: int, cells: list[str], names: dict[str, int]) -> Row:
    name_col = next((names[h] for h in _INDICATOR_HEADERS if h in names), 1)
    unit_col = names.get("计量单位")
    unit = cells[unit_col] if unit_col is not None else ""
    row = Row(index=index, name=cells[name_col] if name_col < len(cells) else "")
    for c, text in enumerate(cells):
        if c == name_col or not text:
            continue
        value = parse_number(text)
        header = next((h for h, i in names.items() if i == c), "")
        if value is None:
            row.cells.append(Cell(column=c, text=text))
        elif header in _VALUE_HEADERS and unit in MONEY_UNITS:
            row.cells.append(Cell(column=c, text=text, value=to_yuan(value, unit), unit="元"))
        elif header in _VALUE_HEADERS:
            row.cells.append(Cell(column=c, text=text, value=value, unit=unit))
        else:  # 指标权重 and other plain numbers
            row.cells.append(Cell(column=c, text=text, value=value, unit=""))
    return row
