"""The ground truth of a generated disclosure: its tables as printed, each figure with its
value in 元, the narrative's sentences and the figures they state (and contradict).

Header grids use two markers for merged cells: `<` is covered by the cell to its left, `^` by
the cell above. Writers turn them into empty TXT cells, merged XLSX ranges and PDF spans.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

LEFT, UP = "<", "^"


@dataclass
class TruthCell:
    """One printed figure: where it sits and what it is worth."""

    row: str  # the row's 科目名称 or label as printed
    code: str | None  # subject code (digits only) when the row has one
    column: tuple[str, ...]  # the header path of its column, as printed
    value: Decimal  # in 元 (or % for rates)
    measure: str  # total | basic | project | prior | rate | budget | actual | personnel | public | income …


@dataclass
class TruthTable:
    standard: str  # which standard table: see tables.STANDARD
    number: str  # as printed: 表一 / 公开01表 / 表1-1 ("" when the document numbers only in its catalogue)
    title: str
    unit: str  # 元 | 万元
    header: list[list[str]]
    body: list[list[str]]  # data rows as printed
    cells: list[TruthCell] = field(default_factory=list)
    number_above: bool = False  # the number stands on its own line above the title (公开01表)
    meta: str = ""  # 部门全称：… line
    unit_place: str = "own_line"  # own_line | with_meta | before_meta
    note: str = ""  # 备注 under the table (an empty table's reason)

    @property
    def empty(self) -> bool:
        return not self.cells


@dataclass
class Statement:
    """A narrative figure: the sentence, what it states, and the table's figure when they differ."""

    item: str
    value: Decimal
    measure: str
    contradicts: Decimal | None = None  # the table's figure this sentence contradicts


@dataclass
class Section:
    heading: str  # with its number: 一、部门基本情况
    paragraphs: list[str]


@dataclass
class TruthDocument:
    doc_key: str  # the file stem: syn-0001-…
    issuer: str
    region: str
    short: str
    district_name: str
    year: int
    kind: str  # 预算 | 决算
    scope: str  # 部门 | 单位
    unit: str
    title: str
    sections: list[Section]
    tables: list[TruthTable]  # in printed order
    catalogue: list[tuple[str, str]]  # (number, title) as the 目录 lists them
    statements: list[Statement]
    subordinates: list[str]  # units the document names (it prints no separate figures for them)
    absent_subordinate: str  # a unit it never names
    missing: list[str]  # standard tables left out
    empty: list[str]  # standard tables published empty
    narrative_unit: str = ""  # the unit the 情况说明 states figures in (万元 beside 元 tables: rounded)

    def table(self, standard: str) -> TruthTable | None:
        return next((t for t in self.tables if t.standard == standard), None)

    def contradictions(self) -> list[Statement]:
        return [s for s in self.statements if s.contradicts is not None]

    def to_dict(self) -> dict[str, Any]:
        return _plain(asdict(self))


def _plain(obj: Any) -> Any:
    if isinstance(obj, Decimal):
        return str(obj)
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    return obj


def fmt(value: Decimal | None, unit: str, blank_zero: bool = False) -> str:
    """A figure as a table prints it in `unit` (元 or 万元): thousands separators, 2 decimals."""
    if value is None or (blank_zero and value == 0):
        return ""
    shown = value / 10000 if unit == "万元" else value
    return f"{shown.quantize(Decimal('0.01')):,.2f}"


def as_stated(value: Decimal, unit: str) -> Decimal:
    """The 元 value of a figure stated in `unit` with two decimals (万元 rounds to hundreds of 元)."""
    if unit != "万元":
        return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return (value / 10000).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) * 10000


def plain(value: Decimal, unit: str) -> str:
    """A figure as a sentence states it: 万元 with up to 2 decimals, 元 with its cents if any."""
    shown = value / 10000 if unit == "万元" else value
    text = f"{shown.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,.2f}"
    return text[:-3] if text.endswith(".00") else text
