"""An answer's figure as the document prints it: its unit and precision, its direction, its name.

A document that prints 万元 with two decimals (0.47万元) is quoted in 万元 with two decimals, the
元 amount in brackets without invented cents (合 8,300 元); a document that prints 元 is quoted in
元 to the cent, with 万元 beside large amounts. A change says which way it went (↓ / ↑) with its
percentage; the figure is named by the item it is (the row, or the largest part for an extreme).
All arithmetic is Decimal: the figures are the answer's own, only their form changes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from app.answer.calc import fmt_money, fmt_percent

WAN = Decimal(10000)
MINUS = "−"
_DECIMALS = re.compile(r"\d[\d,]*\.(\d+)")
_PERCENT = re.compile(r"(下降|减少|增长|增加|上升)\s*(\d+(?:\.\d+)?)%")
_TOTALS = ("合计", "总计", "小计", "数据行", "本年支出合计", "本年收入合计")  # a total names no item
_DOWN = ("减少", "下降", "降低", "少")
_UP = ("增加", "增长", "上升", "多")
OPERATION_NAMES = {
    "lookup": "数额", "change": "增减", "share": "占比", "sum": "合计", "breakdown": "合计",
    "extreme": "最多的一项", "count": "个数", "yes_no": "数额", "execution": "预算执行率",
}


@dataclass(frozen=True)
class Headline:
    label: str  # the item's name (and what the figure is of it)
    value: str  # in the document's unit and precision, with ↓/↑ for a change
    other: str = ""  # the other unit, for the caption in brackets
    delta: str = ""  # a change's percentage (−49.4%)


def printed_unit(records) -> tuple[str, int]:
    """(unit, decimals) the facts were printed in: 万元 when every money fact was, else 元 (2)."""
    money = [r.fact for r in records if r.fact.unit == "元"]
    if money and all(f.source_unit == "万元" for f in money):
        places = max((len(m.group(1)) for f in money for m in [_DECIMALS.search(f.text or "")] if m), default=0)
        return "万元", min(places, 4)
    return "元", 2


def fmt_amount(value: Decimal, unit: str, places: int) -> str:
    """A 元 amount written in `unit` (元 or 万元) to `places` decimals, thousands separated."""
    shown = value / WAN if unit == "万元" else value
    q = shown.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{abs(q):,.{places}f}"
    return f"{MINUS}{text}" if q < 0 else text


def _yuan(value: Decimal) -> str:
    """元 without invented cents: 8300 → 8,300; 8300.5 → 8,300.50."""
    return f"{abs(value):,.0f}" if value == value.to_integral() else fmt_money(abs(value))


def money_pair(value: Decimal, records) -> tuple[str, str]:
    """(main, other): 0.47万元 and 合 4,700 元; or 1,234,500.00元 and 合 123.45 万元."""
    unit, places = printed_unit(records)
    if unit == "万元":
        return f"{fmt_amount(value, '万元', places)}万元", f"合 {_yuan(value)} 元"
    other = f"合 {fmt_amount(value, '万元', 2)} 万元" if abs(value) >= WAN else ""
    return f"{fmt_money(value)}元", other


def direction(answer) -> str:
    """↓ or ↑ from the answer's own words (减少/下降 … 增加/增长), else ""."""
    text = answer.text or ""
    down = min((text.find(w) for w in _DOWN if w in text), default=-1)
    up = min((text.find(w) for w in _UP if w in text), default=-1)
    if down < 0 and up < 0:
        return ""
    if up < 0 or (0 <= down < up):
        return "↓"
    return "↑"


def item_name(answer, operation: str | None, asked: tuple[str, ...] = ()) -> str:
    """The name of what the figure is: the extreme's own row; else the first fact's name — or the
    item asked about, when the fact is a table's grand total (its name is the table's title)."""
    records = list(answer.facts)
    if not records:
        return asked[0] if asked else ""
    if operation == "extreme" and answer.value is not None:
        same = [r for r in records if r.fact.value == answer.value]
        if same:
            return same[-1].display_name()
    name = records[0].display_name()
    title = records[0].fact.label[0] if records[0].fact.label else ""
    if asked and (name == title or len(name) > 24 or name in _TOTALS):
        return asked[0]
    return name


def headline(answer, operation: str | None, asked: tuple[str, ...] = ()) -> Headline | None:
    """The figure shown large above the answer's sentence (None: a text answer)."""
    if answer.value is None:
        return None
    name = item_name(answer, operation, asked)
    what = OPERATION_NAMES.get(operation or "", "结果")
    label = f"{name} · {what}" if name and what not in ("数额", "最多的一项") else (name or what)
    value, unit = answer.value, answer.unit
    if unit == "元":
        main, other = money_pair(value, answer.facts)
        if operation == "change":
            arrow = direction(answer)
            m = _PERCENT.search(answer.text or "")
            delta = ""
            if m:
                sign = MINUS if m.group(1) in ("下降", "减少") else "+"
                delta = f"{sign}{m.group(2)}%"
            main = f"{arrow}{main.lstrip(MINUS)}" if arrow else main
            return Headline(label, main, other, delta)
        return Headline(label, main, other)
    if unit == "%":
        return Headline(label, f"{fmt_percent(value)}%")
    return Headline(label, f"{value.normalize():f} {unit or ''}".strip())


def cell_as_printed(fact) -> str:
    """A source cell as the document prints it (96282213.44 → 96,282,213.44; 0.83 stays 0.83)."""
    text = (fact.text or "").strip()
    if re.fullmatch(r"-?\d{4,}(?:\.\d+)?", text):
        whole, _, cents = text.partition(".")
        sign = MINUS if whole.startswith("-") else ""
        return f"{sign}{int(whole.lstrip('-')):,}" + (f".{cents}" if cents else "")
    return text
