"""Is a generated document's truth consistent? The identities every standard table keeps: a parent
subject is the sum of its children, 合计 the sum of the 类 rows, 合计 = 基本支出 + 项目支出 and
= 人员经费 + 公用经费 row by row, 三公 合计 = 出国 + 公务用车 + 接待, income = spending; the narrative
states each figure as the table prints it, except where the truth records a contradiction."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from app.synthetic.model import TruthDocument, TruthTable, as_stated

Z = Decimal(0)
_PAIRS = {"general": ("total", ["basic", "project"]), "expense": ("total", ["basic", "project"]),
          "fund": ("total", ["basic", "project"]), "basic": ("total", ["personnel", "public"])}


def _grid(table: TruthTable) -> dict[tuple[str, ...], dict[str | None, Decimal]]:
    """column path → {code (None for the 合计 row): value}."""
    out: dict[tuple[str, ...], dict[str | None, Decimal]] = defaultdict(dict)
    for cell in table.cells:
        if cell.code is None and cell.row not in ("合计", "总计"):
            out[cell.column].setdefault("parts", Z)  # 人员经费合计 / 公用经费合计: added up as the whole
            out[cell.column]["parts"] += cell.value
            continue
        out[cell.column][cell.code] = cell.value
    return out


def _parent(code: str) -> str | None:
    return {5: code[:3], 7: code[:5]}.get(len(code))


def tree_problems(table: TruthTable) -> list[str]:
    problems = []
    codes = {c.code for c in table.cells if c.code}
    for path, values in _grid(table).items():
        if any(c.measure == "rate" for c in table.cells if c.column == path):
            continue
        children: dict[str, Decimal] = defaultdict(Decimal)
        for code in codes:
            if _parent(code):
                children[_parent(code)] += values.get(code, Z)
        for parent, total in children.items():
            if values.get(parent, Z) != total:
                problems.append(f"{table.title} {path}: {parent} = {values.get(parent, Z)} ≠ children {total}")
        classes = sum((v for c, v in values.items() if c and len(c) == 3), Z)
        if None not in values and "parts" in values:  # no 合计 row: 人员经费合计 + 公用经费合计 is the whole
            values[None] = values.pop("parts")
        values.pop("parts", None)
        if values.get(None, Z) != classes:
            problems.append(f"{table.title} {path}: 合计 {values.get(None, Z)} ≠ 类 {classes}")
    return problems


def row_problems(table: TruthTable) -> list[str]:
    if table.standard not in _PAIRS:
        return []
    whole, parts = _PAIRS[table.standard]
    rows: dict[str | None, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for cell in table.cells:
        rows[cell.code][cell.measure] += cell.value
    return [f"{table.title} {code}: {m[whole]} ≠ {' + '.join(parts)}" for code, m in rows.items()
            if whole in m and any(p in m for p in parts) and m[whole] != sum((m[p] for p in parts), Z)]


def _sangong(table: TruthTable) -> list[str]:
    blocks: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for cell in table.cells:
        names = [p for p in cell.column if p not in ("预算数", "决算数") and "年" not in p and "本年" not in p]
        leaf = cell.row.removeprefix("其中：") if cell.row else names[-1] if names else ""
        leaf = "公务用车购置及运行费" if leaf == "小计" else leaf
        blocks[cell.measure][leaf] += cell.value
    out = []
    for measure, v in blocks.items():
        if v["合计"] != v["因公出国（境）费"] + v["公务用车购置及运行费"] + v["公务接待费"]:
            out.append(f"{table.title} {measure}: 三公合计 {v['合计']} ≠ 三项之和")
        if v["公务用车购置及运行费"] != v["公务用车购置费"] + v["公务用车运行费"]:
            out.append(f"{table.title} {measure}: 公务用车小计 ≠ 购置 + 运行")
    return out


def _total(table: TruthTable | None, measure: str) -> Decimal | None:
    if table is None:
        return None
    return next((c.value for c in table.cells if c.code is None and c.measure == measure and not c.row.startswith(
        ("一", "二", "三", "四", "五"))), None)


def truth_problems(doc: TruthDocument) -> list[str]:
    problems = []
    for table in doc.tables:
        if table.standard in ("general", "expense", "income", "fund", "basic"):
            problems += tree_problems(table) + row_problems(table)
        if table.standard == "sangong":
            problems += _sangong(table)
    general, basic = doc.table("general"), doc.table("basic")
    basic_total = _total(basic, "total")
    if basic_total is None and basic is not None:  # two column groups: 人员经费合计 + 公用经费合计
        basic_total = (_total(basic, "personnel") or Z) + (_total(basic, "public") or Z)
    if _total(general, "basic") != basic_total:
        problems.append(f"基本支出: 一般公共预算支出表 {_total(general, 'basic')} ≠ 基本支出表 {_total(basic, 'total')}")
    summary = doc.table("income_expense")
    if summary:
        got = {c.row: c.value for c in summary.cells}
        if got.get("本年收入合计") != got.get("本年支出合计"):
            problems.append("收支总表: 本年收入合计 ≠ 本年支出合计")
        if doc.table("expense") and got.get("本年支出合计") != _total(doc.table("expense"), "total"):
            problems.append("收支总表 ≠ 支出总表 合计")
    printed = {"人员经费": _total(basic, "personnel"), "公用经费": _total(basic, "public"), "基本支出": basic_total}
    for s in doc.statements:
        if s.item in printed and printed[s.item] is not None:
            if s.contradicts is None and s.value != as_stated(printed[s.item], doc.narrative_unit or doc.unit):
                problems.append(f"说明 {s.item} {s.value} ≠ 表 {printed[s.item]} (no contradiction recorded)")
            if s.contradicts is not None and (s.value == s.contradicts or s.contradicts != printed[s.item]):
                problems.append(f"说明 {s.item}: recorded contradiction {s.contradicts} is not the table's {printed[s.item]}")
    return problems
