"""Audit: does a disclosure add up, across its tables and against its own text?

`audit(disclosure)` runs every rule of `RULES` and returns `Finding`s: rule id, severity, a
Chinese message naming the figures, and the figures themselves with their locators. Rules
compare only what is the same quantity: a narrative figure is matched to a table cell by its
subject (character bigrams of the subject against the cell's table title, row name and column
path) and by its measure (预算数 / 决算数); a check never fires on a coincidence of values.

Tolerances follow the printed rounding: a figure printed with d decimals in a unit of factor
f may be off by f × 10^-d / 2 (0.01 元 printed in 元, 50 元 for 万元 to two decimals, 0.05
percentage points for a rate to one decimal).

Rule ids are stable; the rule modules are listed in app/audit/__init__.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from ingest.facts import row_label, table_title
from ingest.model import Disclosure, Locator, Row, Table
from ingest.numbers import format_yuan, unit_factor

ERROR, WARNING, INFO = "error", "warning", "info"


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    description: str  # Chinese


RULES: dict[str, Rule] = {r.id: r for r in (
    Rule("A01", ERROR, "收支总表的收入总计应等于支出总计"),
    Rule("A02", ERROR, "合计列应等于各分项列之和（如 合计 = 基本支出 + 项目支出）"),
    Rule("A03", ERROR, "基本支出应等于人员经费与公用经费之和"),
    Rule("A04", ERROR, "“三公”经费合计应等于因公出国（境）费、公务接待费与公务用车购置及运行费之和，公务用车购置及运行费应等于购置费与运行费之和"),
    Rule("A05", ERROR, "上级科目和合计行应等于下级科目之和"),
    Rule("A06", ERROR, "不同表格中的同一数字应一致（如 收支总表与财政拨款收支总表、支出表与基本支出表）"),
    Rule("A07", ERROR, "表中的增减率（增幅%）列应与两个年度的数字重新计算的结果一致"),
    Rule("B01", ERROR, "说明中的金额应与表格中同一项目的数字一致"),
    Rule("B02", ERROR, "说明中的占比应与金额和分母重新计算的结果一致"),
    Rule("B03", ERROR, "说明中的增减额、增减率和上年基数应相互一致"),
    Rule("B04", ERROR, "说明中的增减方向用语（增加、减少、持平、大于、小于）应与数字一致"),
    Rule("B05", ERROR, "“本表为空表”“无数据”的说明应与表格没有数字相符"),
    Rule("B06", WARNING, "同一本年数与同一年度比较，说明给出的增减额应一致（上年基数应相同）"),
    Rule("B07", ERROR, "政府采购预算（金额）应等于货物、工程、服务之和"),
    Rule("C01", ERROR, "目录列出的表格应在正文中出现"),
    Rule("C02", ERROR, "标题和说明中的年度应与文件年度一致"),
    Rule("C03", ERROR, "文件中不应留有“XX”等模板占位符"),
    Rule("C04", ERROR, "说明中实行绩效目标管理的项目个数应与项目绩效目标表的张数一致"),
    Rule("C05", WARNING, "公开文件应包含必备的说明部分（部门职能、“三公”经费、机关运行经费、政府采购、国有资产、绩效、名词解释）"),
)}


@dataclass
class Figure:
    """One number taking part in a finding, with where it is printed."""

    label: str
    value: Decimal | None
    unit: str
    text: str
    locator: Locator

    def to_dict(self) -> dict:
        return {"label": self.label, "value": None if self.value is None else str(self.value),
                "unit": self.unit, "text": self.text, "locator": self.locator.describe(),
                "page": self.locator.page, "table": self.locator.table}


@dataclass
class Finding:
    rule: str
    message: str  # Chinese, naming the figures
    figures: list[Figure] = field(default_factory=list)

    def __post_init__(self):
        # rules list the figures they compare with cell_figure, which gives None for a cell that is
        # not printed; a finding holds only figures that exist (notes_for and to_dict read each one)
        self.figures = [f for f in self.figures if f is not None]

    @property
    def severity(self) -> str:
        return RULES[self.rule].severity

    def to_dict(self) -> dict:
        return {"rule": self.rule, "severity": self.severity, "message": self.message,
                "figures": [f.to_dict() for f in self.figures]}


# --- helpers shared with app.audit.text --------------------------------------------------------

def squeeze(text: str | None) -> str:
    return "".join((text or "").split())


def yuan(value: Decimal) -> str:
    return format_yuan(value)


def cell_figure(table: Table, row: Row, column: int) -> Figure | None:
    cell = row.cell(column)
    col = table.column(column)
    if cell is None:
        return None
    label = " › ".join(p for p in (table_title(table), row_label(row.code, row.name) or "（表内唯一行）",
                                   col.label if col else "") if p)
    return Figure(label, cell.value, cell.unit or "元", cell.text,
                  Locator(page=row.page or table.page_start, table=table.key, row=row.index,
                          column=col.label if col else None))


def value(row: Row, column: int) -> Decimal | None:
    cell = row.cell(column)
    return cell.value if cell else None


def step(table: Table) -> Decimal:
    """Half a unit of the last printed place, in 元 (tables print two decimals or whole 元)."""
    return unit_factor(table.unit) * Decimal("0.01")
