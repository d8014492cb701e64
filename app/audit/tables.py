"""Audit rules over the tables (A01–A07): totals, parts and the same figure in two tables.

Each rule takes a Disclosure and returns Findings (app.audit). Tolerance is the printed rounding:
n parts of a total may each be off by half a unit of the last printed place.
"""

from __future__ import annotations

import re
from decimal import Decimal

from app.audit.findings import Finding, cell_figure, squeeze, step, value, yuan
from ingest.checks import sum_mismatches
from ingest.facts import row_label
from ingest.model import GRID, Disclosure, Row, Table

_TOTAL_WORDS = ("合计", "小计", "总计")


# --- A01 收入总计 = 支出总计 ---------------------------------------------------------------------


def _grand_total(table: Table) -> Row | None:
    """The 总计 row of one side of a 收支总表 (else its 合计 row when it has no 总计)."""
    names = {squeeze(r.name): r for r in table.rows}
    for name in ("总计", "收入总计", "支出总计", "收入合计", "支出合计", "合计"):
        if name in names:
            return names[name]
    return None


def _first_money(table: Table) -> int | None:
    money = [c for c in table.columns if c.unit == "元"]
    return money[0].index if money else None


def balance(d: Disclosure) -> list[Finding]:
    out = []
    by_number: dict[str, list[Table]] = {}
    for t in d.tables:
        if t.part and t.number:
            by_number.setdefault(t.number, []).append(t)
    for number, parts in by_number.items():
        income = [t for t in parts if "收" in (t.part or "")]
        spend = [t for t in parts if "支" in (t.part or "")]
        if len(income) != 1 or len(spend) != 1:
            continue
        rows = [_grand_total(income[0]), _grand_total(spend[0])]
        cols = [_first_money(income[0]), _first_money(spend[0])]
        if None in rows or None in cols:
            continue
        a, b = value(rows[0], cols[0]), value(rows[1], cols[1])
        if a is None or b is None or abs(a - b) <= step(income[0]):
            continue
        figs = [cell_figure(income[0], rows[0], cols[0]), cell_figure(spend[0], rows[1], cols[1])]
        out.append(Finding("A01", f"{income[0].title}：收入方{rows[0].name} {yuan(a)} 元，支出方{rows[1].name} "
                                  f"{yuan(b)} 元，相差 {yuan(a - b)} 元。", figs))
    return out


# --- A02/A03 合计列 = Σ 分项列 ---------------------------------------------------------------------

_NOT_A_PART = ("机关运行经费", "增幅", "增长", "比上年", "增减", "%")


def _column_groups(table: Table) -> list[tuple[int, list[int]]]:
    """(total column, its part columns) from the header tree: under a common header, the 合计 /
    小计 / 总计 column totals its sibling columns; a sibling header without its own total counts
    with its leaves. Columns that are not parts (rates, 机关运行经费) are left out."""
    money = [c for c in table.columns if c.unit == "元"]
    paths = {c.index: tuple(squeeze(p) for p in c.path) for c in money}
    out = []
    for c in money:
        path = paths[c.index]
        if not path or not (path[-1] in _TOTAL_WORDS or path[-1].endswith(_TOTAL_WORDS) and len(path[-1]) <= 8):
            continue
        prefix = path[:-1]
        parts = []
        for i, p in paths.items():
            if i == c.index or p[:len(prefix)] != prefix or len(p) <= len(prefix):
                continue
            if any(w in "".join(p[len(prefix):]) for w in _NOT_A_PART):
                continue
            head = p[:len(prefix) + 1]
            sub_total = [j for j, q in paths.items() if q[:len(head)] == head and len(q) == len(head) + 1
                         and q[-1] in _TOTAL_WORDS]
            if len(p) == len(prefix) + 1 or (not sub_total and p[-1] not in _TOTAL_WORDS):
                parts.append(i)
            elif sub_total and i == sub_total[0]:
                parts.append(i)
        if len(parts) >= 2:
            out.append((c.index, parts))
    return out


def column_totals(d: Disclosure) -> list[Finding]:
    out = []
    for table in d.tables:
        if table.kind != GRID or "三公" in table.title:
            continue
        for total, parts in _column_groups(table):
            names = [squeeze(table.column(i).path[-1]) for i in parts]
            rule = "A03" if all("人员经费" in n or "公用经费" in n for n in names) else "A02"
            for row in table.rows:
                finding = _row_sum(rule, table, row, total, parts,
                                   f"{table.key}“{table.title}”{row_label(row.code, row.name)}：")
                if finding:
                    out.append(finding)
    return out


def _row_sum(rule: str, table: Table, row: Row, total: int, parts: list[int], where: str) -> Finding | None:
    """A finding when the row's total column differs from the sum of its part columns beyond rounding."""
    stated, got = value(row, total), [value(row, i) for i in parts]
    if stated is None and all(g is None for g in got):
        return None
    computed = sum((g for g in got if g is not None), Decimal(0))
    stated = stated or Decimal(0)
    if abs(stated - computed) <= step(table) * len(parts):
        return None
    figs = [f for f in [cell_figure(table, row, total)] + [cell_figure(table, row, i) for i in parts] if f]
    what = " + ".join(squeeze(table.column(i).label) for i in parts)
    return Finding(rule, f"{where}{squeeze(table.column(total).label)} {yuan(stated)} 元，而 {what} = "
                         f"{yuan(computed)} 元，相差 {yuan(stated - computed)} 元。", figs)


# --- A04 三公 --------------------------------------------------------------------------------------

_SANGONG_PARTS = {
    "total": lambda n: n.startswith("合计"),
    "abroad": lambda n: "出国" in n,
    "reception": lambda n: "接待" in n,
    "cars": lambda n: "公务用车" in n and ("小计" in n or ("购置及运行" in n and "购置费" not in n.split("›")[-1]
                                                          and "运行费" not in n.split("›")[-1])),
    "buy": lambda n: "购置费" in n.split("›")[-1] or n.startswith("公务用车购置费"),
    "run": lambda n: "运行" in n.split("›")[-1] and ("运行费" in n.split("›")[-1] or "运行维护费" in n.split("›")[-1])
    and "小计" not in n,
}


def sangong(d: Disclosure) -> list[Finding]:
    out = []
    for table in d.tables:
        if table.kind != GRID or "三公" not in table.title:
            continue
        money = [c for c in table.columns if c.unit == "元" and "机关运行" not in c.label]
        # one group per measure (预算数 / 决算数 / a year), read from the header words
        groups: dict[str, dict[str, int]] = {}
        for c in money:
            label = "›".join(squeeze(p) for p in c.path)
            measure = next((w for w in ("预算数", "决算数") if w in label), "")
            year = re.search(r"20\d\d", label)
            key = (year.group(0) if year else "") + measure
            bare = re.sub(r"20\d\d年?(预算数|决算数)?›?|›?(预算数|决算数)", "", label)
            for part, test in _SANGONG_PARTS.items():
                if test(bare) and part not in groups.setdefault(key, {}):
                    groups[key][part] = c.index
                    break
        for key, cols in groups.items():
            checks = []
            if {"total", "abroad", "reception", "cars"} <= set(cols):
                checks.append((cols["total"], [cols["abroad"], cols["reception"], cols["cars"]]))
            if {"cars", "buy", "run"} <= set(cols):
                checks.append((cols["cars"], [cols["buy"], cols["run"]]))
            for row in table.rows:
                for total, parts in checks:
                    finding = _row_sum("A04", table, row, total, parts, f"{table.key}“{table.title}”：")
                    if finding:
                        out.append(finding)
    return out


# --- A05 Σ children (ingest.checks) ----------------------------------------------------------------


def children_sums(d: Disclosure) -> list[Finding]:
    out = []
    for table in d.tables:
        for m in sum_mismatches(table):
            row = next((r for r in table.rows if row_label(r.code, r.name) == m.row or
                        (m.row == "合计" and r.is_total and not r.code)), None)
            col = next((c for c in table.columns if c.label == m.column), None)
            figs = [f for f in [cell_figure(table, row, col.index)] if f] if row and col else []
            out.append(Finding("A05", f"{table.key}“{table.title}”{m.row}【{m.column}】为 {yuan(m.stated)} 元，"
                                      f"下级科目之和为 {yuan(m.computed)} 元，相差 {yuan(m.stated - m.computed)} 元。",
                               figs))
    return out


# --- A06 the same figure in two tables ---------------------------------------------------------------


def _total_row(table: Table) -> Row | None:
    totals = [r for r in table.rows if r.is_total and not r.code and squeeze(r.name) in ("合计", "总计")]
    return totals[0] if len(totals) == 1 else None


def _column_named(table: Table, word: str) -> int | None:
    found = [c.index for c in table.columns if c.unit == "元" and squeeze(c.path[-1]) == word
             and not re.search(r"20\d\d", c.label)]
    return found[0] if len(found) == 1 else None


def cross_tables(d: Disclosure) -> list[Finding]:
    """基本支出 of the 一般公共预算 expenditure table against the total of the 基本支出 table, and the
    一般公共预算 expenditure table's 合计 against the 财政拨款收支总表's 一般公共预算 column."""
    out = []
    general = [t for t in d.tables if t.kind == GRID and "一般公共预算" in t.title and "基本支出" not in t.title
               and "三公" not in t.title and not t.part and _column_named(t, "基本支出") is not None]
    basic = [t for t in d.tables if t.kind == GRID and "基本支出" in t.title and "项目支出" not in t.title]
    if len(general) == 1 and len(basic) == 1:
        g, b = general[0], basic[0]
        g_row, b_row = _total_row(g), _total_row(b)
        g_col = _column_named(g, "基本支出")
        b_cols = [c.index for c in b.columns if c.unit == "元" and squeeze(c.path[-1]) in ("合计", "总计", "决算数",
                                                                                          "基本支出")]
        persons = [r for r in b.rows if squeeze(r.name) in ("人员经费合计", "公用经费合计")]
        if g_row and g_col is not None:
            a = value(g_row, g_col)
            if b_row and len(b_cols) >= 1:
                other = value(b_row, b_cols[0])
                other_fig = cell_figure(b, b_row, b_cols[0])
            elif len(persons) == 2 and len(b_cols) == 1:
                parts = [value(r, b_cols[0]) for r in persons]
                other = sum((p for p in parts if p is not None), Decimal(0)) if any(parts) else None
                other_fig = cell_figure(b, persons[0], b_cols[0])
            else:
                other, other_fig = None, None
            if a is not None and other is not None and abs(a - other) > step(g) * 2:
                out.append(Finding("A06", f"{g.key}“{g.title}”合计行的基本支出 {yuan(a)} 元，与{b.key}“{b.title}”"
                                          f"的基本支出合计 {yuan(other)} 元不一致，相差 {yuan(a - other)} 元。",
                                   [f for f in (cell_figure(g, g_row, g_col), other_fig) if f]))
    return out


_NUMBER_PREFIX = re.compile(r"^[一二三四五六七八九十]+、|^\d+[、.]")
_APPROPRIATION = ("财政拨款", "一般公共预算", "政府性基金", "国有资本经营", "合计", "总计")


def summaries(d: Disclosure) -> list[Finding]:
    """The 收支总表 against the 财政拨款收支总表 when every income is an appropriation (the two
    tables then cover the same money): each expenditure line and the 总计 must agree."""
    def sides(pick):
        tables = [t for t in d.tables if t.kind == GRID and t.part and pick(squeeze(t.title))]
        income = [t for t in tables if "收" in t.part]
        spend = [t for t in tables if "支" in t.part]
        return (income[0], spend[0]) if len(income) == 1 and len(spend) == 1 else (None, None)

    all_in, all_out = sides(lambda t: "收支" in t and "总表" in t and "财政拨款" not in t or "收入支出决算总表" == t)
    fin_in, fin_out = sides(lambda t: "财政拨款收支" in t or "财政拨款收入支出" in t)
    if not all_in or not fin_out:
        return []
    col = _first_money(all_in)
    for row in all_in.rows:
        name = squeeze(row.name)
        if not row.is_total and not any(w in name for w in _APPROPRIATION) and value(row, col or 0):
            return []  # other income (事业收入, 其他收入, 结转…): not the same scope
    out = []
    a_col, f_col = _first_money(all_out), _first_money(fin_out)
    if a_col is None or f_col is None:
        return []
    theirs = {_NUMBER_PREFIX.sub("", squeeze(r.name)): r for r in fin_out.rows}
    for row in all_out.rows:
        name = _NUMBER_PREFIX.sub("", squeeze(row.name))
        other = theirs.get(name)
        if other is None or not name.endswith("支出") and name not in ("总计", "支出总计"):
            continue
        a, b = value(row, a_col), value(other, f_col)
        if a is None and b is None:
            continue
        a, b = a or Decimal(0), b or Decimal(0)
        if abs(a - b) <= step(all_out):
            continue
        out.append(Finding("A06", f"收入全部为财政拨款，{all_out.key}“{all_out.title}”{row.name} {yuan(a)} 元，与"
                                  f"{fin_out.key}“{fin_out.title}”{other.name} {yuan(b)} 元不一致，相差 {yuan(a - b)} 元。",
                           [f for f in (cell_figure(all_out, row, a_col), cell_figure(fin_out, other, f_col)) if f]))
    return out


def rate_columns(d: Disclosure) -> list[Finding]:
    """A "2024年预算比2023年预算增幅%" column against the two years' total columns of the same table."""
    out = []
    for table in d.tables:
        if table.kind != GRID:
            continue
        money = [c for c in table.columns if c.unit == "元"]
        for rate in (c for c in table.columns if c.unit == "%" and re.search(r"增幅|增长|增减", c.label)):
            years = [int(y) for y in re.findall(r"(20\d\d)", rate.label)]
            if len(years) != 2:
                continue

            def total_of(year: int) -> int | None:
                cols = [c for c in money if str(year) in c.label and
                        (len(c.path) == 1 or squeeze(c.path[-1]) in _TOTAL_WORDS)]
                return cols[0].index if len(cols) == 1 else None

            cur, prev = total_of(max(years)), total_of(min(years))
            if cur is None or prev is None:
                continue
            for row in table.rows:
                cell, a, b = row.cell(rate.index), value(row, cur), value(row, prev)
                if cell is None or cell.value is None or not b or a is None:
                    continue
                decimals = len(cell.text.split(".")[1]) if "." in cell.text else 0
                computed = (a - b) / b * 100
                if abs(computed - cell.value) <= Decimal(1).scaleb(-decimals) / 2 + Decimal("0.0001"):
                    continue
                figs = [f for f in (cell_figure(table, row, rate.index), cell_figure(table, row, cur),
                                    cell_figure(table, row, prev)) if f]
                out.append(Finding("A07", f"{table.key}“{table.title}”{row_label(row.code, row.name)}：{squeeze(rate.label)} "
                                          f"为 {cell.text}，按两年数字计算为 {computed:.2f}%。", figs))
    return out


TABLE_RULES = (balance, column_totals, sangong, children_sums, cross_tables, summaries, rate_columns)
