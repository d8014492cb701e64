"""Charts where people would rather look than read (Altair, which ships with Streamlit).

- A breakdown or an extreme (包括哪些 / 哪一项最多): the parts as bars, largest first, each
  with its share of the whole when the parts add up to the whole the answer names.
- A change or one figure per year (比上年 / 2023到2025年): one bar per year.

The figures come from the answer's facts only. Bar lengths are floats (pixels need no
cents); every number a reader sees — axis labels aside — is formatted from the Decimal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

import altair as alt
import pandas as pd

from app.answer.calc import fmt_money, fmt_percent, fmt_value, fmt_wan

STRUCTURE_OPERATIONS = ("breakdown", "extreme")
YEAR_OPERATIONS = ("change", "lookup", "sum")
MAX_BARS = 20
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_WAN = Decimal(10000)
_CODE = re.compile(r"^\d{3,}\s*")


@dataclass
class ChartData:
    kind: str  # structure | years
    title: str
    frame: pd.DataFrame  # 名称, 数值 (float, for drawing), 金额 (to the cent), 占比 (structure), 标注 (bar text)
    unit: str


def chart_data(answer, operation: str | None) -> ChartData | None:
    facts = [r for r in answer.facts]
    if answer.status != "answered" or len(facts) < 2:
        return None
    if operation in STRUCTURE_OPERATIONS and len(facts) >= 3:
        return _structure(facts)
    if operation in YEAR_OPERATIONS:
        return _years(facts)
    return None


def _structure(records) -> ChartData | None:
    whole, parts = records[0], records[1:MAX_BARS + 1]
    units = {r.fact.unit for r in parts}
    if len(units) != 1:
        return None
    unit = units.pop()
    adds_up = sum(r.fact.value for r in parts) == whole.fact.value and whole.fact.value != 0
    rows = []
    for r, name in sorted(zip(parts, part_names(parts)), key=lambda rn: rn[0].fact.value, reverse=True):
        share = f"{fmt_percent(r.fact.value / whole.fact.value * 100)}%" if adds_up else ""
        rows.append({"名称": name, "数值": _length(r.fact.value, unit), "金额": _shown(r.fact.value, unit),
                     "占比": share, "标注": _label(r.fact.value, unit, share)})
    title = "构成" + ("（万元）" if unit == "元" else f"（{unit}）" if unit else "")
    return ChartData("structure", title, pd.DataFrame(rows), unit)


def _years(records) -> ChartData | None:
    units = {r.fact.unit for r in records}
    if len(units) != 1 or units == {"%"}:
        return None
    by_year: dict[int, object] = {}
    for r in records:
        year = fact_year(r)
        if year is None or year in by_year:
            return None  # two figures of one year, or a year unknown: no honest year axis
        by_year[year] = r
    if len(by_year) < 2:
        return None
    unit = units.pop()
    rows = [{"名称": f"{year}年", "数值": _length(r.fact.value, unit), "金额": _shown(r.fact.value, unit), "占比": "",
             "标注": _label(r.fact.value, unit, "")} for year, r in sorted(by_year.items())]
    name = records[0].display_name()
    title = f"{name}逐年对比" + ("（万元）" if unit == "元" else f"（{unit}）" if unit else "")
    return ChartData("years", title, pd.DataFrame(rows), unit)


def part_names(records) -> list[str]:
    """What tells the parts apart: the label parts they do not share (a row name, or the column
    under a shared row such as 合计 › 基本支出), subject codes dropped; else the printed name."""
    labels = [[p for p in r.fact.label if p] for r in records]
    common = set.intersection(*(set(label) for label in labels)) if labels else set()
    names = []
    for r, label in zip(records, labels):
        own = [_CODE.sub("", p).strip() for p in label if p not in common]
        names.append(" › ".join(p for p in own if p) or r.display_name())
    return names


def fact_year(record) -> int | None:
    """The year a figure is for: the fact's own, else its column or label, else its document's."""
    f = record.fact
    if f.year:
        return f.year
    for text in (f.locator.column or "", " ".join(f.label)):
        m = _YEAR.search(text)
        if m:
            return int(m.group(1))
    return record.doc.year


def _length(value: Decimal, unit: str) -> float:
    return float(value / _WAN) if unit == "元" else float(value)


def _shown(value: Decimal, unit: str) -> str:
    return f"{fmt_money(value)}元" if unit == "元" else fmt_value(value, unit) + ("" if unit == "%" else unit)


def _label(value: Decimal, unit: str, share: str) -> str:
    """The text beside a bar: 万元 for money (the axis unit), the share when there is one."""
    shown = f"{fmt_wan(value)}万元" if unit == "元" else _shown(value, unit)
    return f"{shown}（{share}）" if share else shown


def altair_chart(data: ChartData) -> alt.Chart:
    tooltip = [alt.Tooltip("名称:N"), alt.Tooltip("金额:N")]
    if data.kind == "structure":
        if data.frame["占比"].any():
            tooltip.append(alt.Tooltip("占比:N"))
        base = alt.Chart(data.frame)
        bars = base.mark_bar(color="#4c78a8").encode(
            x=alt.X("数值:Q", title=None), tooltip=tooltip,
            y=alt.Y("名称:N", sort="-x", title=None, axis=alt.Axis(labelLimit=0)))  # names in full
        labels = base.mark_text(align="left", dx=4).encode(x="数值:Q", y=alt.Y("名称:N", sort="-x"), text="标注:N")
        return (bars + labels).properties(title=data.title, height=90 + 36 * len(data.frame))  # title and axis need ~90 px
    base = alt.Chart(data.frame)
    bars = base.mark_bar(color="#4c78a8", size=48).encode(
        x=alt.X("名称:N", title=None, sort=None, axis=alt.Axis(labelAngle=0, labelLimit=0)), y=alt.Y("数值:Q", title=None),
        tooltip=tooltip)
    labels = base.mark_text(dy=-8).encode(x=alt.X("名称:N", sort=None), y="数值:Q", text="标注:N")
    return (bars + labels).properties(title=data.title, height=260)
