"""Audit rules that match narrative figures to table cells (B01 amounts, B03 changes against a
table printing both years).

A narrative figure is compared with a cell only when the cell's row (with its parent rows) or its
column path names the subject (character-bigram Dice ≥ 0.7; a 合计/总计 row may lean on its table's
title), the measure agrees (a 决算's 预算数 only with 预算数 columns), the year is the document's,
and the best-named cells hold one figure; a subject the narrative gives three or more different
amounts for (a list the parser could not name item by item) is left alone.
"""

from __future__ import annotations

import re
from decimal import Decimal

from app.audit.findings import Finding, cell_figure, squeeze, value, yuan
from app.audit.text import MONEY, PUNCT, fact_detail, dice_similarity, bigrams, fact_figure
from ingest.facts import table_title
from ingest.model import GRID, Cell, Disclosure, Fact, Table
from ingest.numbers import printed_tolerance, unit_factor


# --- B01 narrative amount = table figure -------------------------------------------------------------


def _cells(d: Disclosure):
    """(table, row, column, value, label bigrams, row-and-column bigrams, label) for every money
    cell of a grid table (a blank cell in a row with figures counts as 0)."""
    out = []
    for t in d.tables:
        if t.kind != GRID:
            continue
        by_index = {r.index: r for r in t.rows}
        for row in t.rows:
            chain, node = [], row
            while node is not None and len(chain) < 4:
                chain.append(node.name)
                node = by_index.get(node.parent) if node.parent is not None else None
            if not any(c.value is not None for c in row.cells):
                continue
            for col in t.columns:
                # a blank money cell in a row with figures is printed as nothing: 0
                cell = row.cell(col.index)
                if col.unit != MONEY or (cell is not None and cell.value is None and cell.text.strip()):
                    continue
                cell = cell if cell is not None and cell.value is not None else Cell(col.index, "", Decimal(0), MONEY)
                label = f"{table_title(t)} {' '.join(reversed(chain))} {col.label}"
                names = [bigrams(row.name), set().union(*(bigrams(n) for n in chain)),
                         set().union(*(bigrams(p) for p in col.path)), *(bigrams(p) for p in col.path)]
                own = set().union(*names)
                out.append((t, row, col, cell.value, own | bigrams(table_title(t)), names, label))
    return out


def _measure_fits(fact: Fact, d: Disclosure, column_label: str, title: str) -> bool:
    years = {int(y) for y in re.findall(r"(20\d\d)", column_label)}
    if years and d.year not in years:
        return False
    if d.kind == "决算":
        says_budget = "预算数" in column_label or "年初预算" in column_label
        return says_budget if fact.measure == "预算数" else not says_budget
    return fact.measure == "预算数"


def narrative_vs_tables(d: Disclosure) -> list[Finding]:
    cells = _cells(d)
    out = []
    seen: set[tuple[str, Decimal]] = set()
    # A subject the narrative gives several different amounts for (a list whose items the parser
    # could not name) is not one quantity: leave it alone.
    values: dict[tuple[str, str], set[Decimal]] = {}
    for f in d.narrative_facts:
        values.setdefault((f.label[1], f.measure or ""), set()).add(f.value)
    for f in d.narrative_facts:
        if f.unit != MONEY or f.measure not in ("预算数", "决算数") or (f.year and d.year and f.year != d.year):
            continue
        subject = bigrams(f.label[1])
        if len(subject) < 2 or (f.label[1], f.value) in seen or len(values[(f.label[1], f.measure)]) > 2:
            continue
        name = PUNCT.sub("", f.label[1])
        scored = []
        for t, row, col, v, lb, own, label in cells:
            if not _measure_fits(f, d, col.label, t.title):
                continue
            # the row and column must name the subject themselves, not only the table's title
            # ("资本性支出" in the 基本支出决算表 is not "基本支出"); a 总计/合计 row may lean on it
            row_name = PUNCT.sub("", row.name)
            named = max(dice_similarity(subject, n) for n in own) >= 0.7
            if not named and not (row.is_total and row_name and row_name in name):
                continue
            score = len(subject & lb) / len(subject)
            scored.append((score, len(subject & lb) / len(subject | lb), t, row, col, v))
        if not scored:
            continue
        best = max(s[0] for s in scored)
        if best < 0.8:
            continue
        tol = printed_tolerance(f)
        top = [s for s in scored if s[0] == best]
        tight = max(s[1] for s in top)
        # the figure may sit in any cell that names the subject about as closely as the best one
        near = [s[2:] for s in top if s[1] >= tight * 0.8]
        if any(abs(s[3] - f.value) <= tol + unit_factor(s[0].unit) * Decimal("0.005") for s in near):
            continue
        top = [s[2:] for s in top if s[1] == tight]  # the label that says least besides the subject
        # Only the row that names the subject best, in its total column, is the same quantity.
        top = [s for s in top if _is_total_column(s[0], s[2])] or top
        if len({s[3] for s in top}) != 1:
            continue  # the tables hold several different figures for this subject: not one quantity
        seen.add((f.label[1], f.value))
        t, row, col, stated = top[0]
        figs = [fact_figure(f)] + [cell_figure(x[0], x[1], x[2].index) for x in top[:3]]
        out.append(Finding("B01", f"说明中“{f.label[1]}”{f.measure} {f.text}（{yuan(f.value)} 元），表格"
                                  f"{t.key}“{t.title}”{row.name}【{col.label}】为 {yuan(stated)} 元，"
                                  f"相差 {yuan(f.value - stated)} 元。", figs))
    return out


def _is_total_column(table: Table, col) -> bool:
    money = [c for c in table.columns if c.unit == MONEY]
    last = squeeze(col.path[-1]) if col.path else ""
    return col is money[0] or last in ("合计", "小计", "总计", "预算数", "决算数")


_YEAR_IN = re.compile(r"(?:19|20)\d{2}\s*年?")


def _year_free(path: tuple[str, ...]) -> tuple[str, ...]:
    """A column path without its year and without a trailing 合计/小计: "2024年预算数 › 小计" → (预算数,)."""
    out = tuple(p for p in (_YEAR_IN.sub("", squeeze(x)) for x in path) if p)
    return out[:-1] if len(out) > 1 and out[-1] in ("合计", "小计", "总计") else out


def _year_pairs(d: Disclosure, year: int):
    """(table, row, current column, prior column, row-and-column bigrams) for every cell that has
    its prior-year twin in the same row: the same header path with `year` for the document's."""
    out = []
    for t in d.tables:
        if t.kind != GRID:
            continue
        money = [c for c in t.columns if c.unit == MONEY]
        current = [c for c in money if str(d.year) in c.label]
        prior = {(_year_free(c.path)): c for c in money if str(year) in c.label}
        for c in current:
            twin = prior.get(_year_free(c.path))
            if twin is None:
                continue
            by_index = {r.index: r for r in t.rows}
            for row in t.rows:
                if not any(x.value is not None for x in row.cells):
                    continue
                chain, node = [], row
                while node is not None and len(chain) < 4:
                    chain.append(node.name)
                    node = by_index.get(node.parent) if node.parent is not None else None
                names = [bigrams(row.name), set().union(*(bigrams(n) for n in chain)),
                         *(bigrams(p) for p in _year_free(c.path)),
                         set().union(*(bigrams(p) for p in _year_free(c.path)))]
                out.append((t, row, c, twin, names))
    return out


def changes_vs_tables(d: Disclosure) -> list[Finding]:
    """A change the narrative states against a prior year, recomputed from a table that prints both
    years (表五 2023年预算数 / 2024年预算数, the 三公 table's two years)."""
    out = []
    if d.kind != "预算" or not d.year:
        return out
    for f in d.narrative_facts:
        m = re.fullmatch(r"较(\d{4})年", fact_detail(f))
        if f.measure != "增减额" or f.unit != MONEY or not m or (f.year and f.year != d.year):
            continue
        subject = bigrams(f.label[1])
        if len(subject) < 2:
            continue
        scored = []
        for t, row, cur, prev, names in _year_pairs(d, int(m.group(1))):
            dice = max(dice_similarity(subject, n) for n in names)
            # the table's own total ("三公经费" is the 合计 column of the 三公 table) names it by its title
            whole = (squeeze(row.name) in ("合计", "总计", "") and _year_free(cur.path)[-1:] in (("合计",), ("预算数",))
                     and len(subject & bigrams(t.title)) / len(subject) >= 0.8)
            if dice < 0.7 and whole:
                dice = 0.69
            if dice >= 0.69:
                a, b = value(row, cur.index) or Decimal(0), value(row, prev.index) or Decimal(0)
                scored.append((dice, t, row, cur, prev, a - b))
        if not scored:
            continue
        best = max(x[0] for x in scored)
        top = [x for x in scored if x[0] == best]
        tol = printed_tolerance(f) + Decimal("0.02") * max(unit_factor(x[1].unit) for x in top)
        if any(abs(x[5] - f.value) <= tol for x in top) or len({x[5] for x in top}) != 1:
            continue
        _, t, row, cur, prev, delta = top[0]
        out.append(Finding("B03", f"说明中“{f.label[1]}”{fact_detail(f)}{'增加' if f.value >= 0 else '减少'}{f.text}，"
                                  f"{t.key}“{t.title}”{row.name or '（表内唯一行）'}的 {squeeze(cur.label)} 与 "
                                  f"{squeeze(prev.label)} 之差为 {yuan(delta)} 元。",
                           [fact_figure(f), cell_figure(t, row, cur.index), cell_figure(t, row, prev.index)]))
    return out


MATCH_RULES = (narrative_vs_tables, changes_vs_tables)
