"""Query → Program: the rule-based, deterministic planner.

The planner picks the facts an operation needs from the candidates (app/answer/candidates.py) and
writes the calculator's steps. It never produces a number itself. Choices that generalise:
  - change: the earlier figure is the same row's column for the earlier year in the same
    table (2023年预算数 beside 2024年预算数); failing that, the best match for the item in the
    earlier year in the same document, then in the same issuer's document of that year;
  - share: the denominator the question names, looked for first in the numerator's own
    table column; unnamed, the table's total (the total row of the column, or the total
    column of the row when the item is a column such as 基本支出);
  - sum: all items from one table column when one column holds them all.
When a needed fact clears no threshold the plan says what is missing (status no_answer).
Counts, yes/no and budget execution are planned in app/answer/plan_counts.py; the types and helpers
every planner shares are in app/answer/plan_common.py.
"""

from __future__ import annotations

import re

from app.answer.calc import Program, Step
from app.answer.candidates import THRESHOLD, FactRecord, describe, rank, term_match
from app.answer.glossary import Glossary
from app.answer.parts import (column_parts_of, function_classes, header_wholes, leaf_rows, part_name, parts_of,
                       narrative_parts, project_amounts, titled_cells)
from app.answer.plan_common import MEASURE, NoPlan, Plan, best_fact, exact_figure, fact_year, missing, name_for
from app.answer.plan_counts import count, execution, yes_no
from app.answer.understand import Query
from index.facts import DocumentSummary

__all__ = ["NoPlan", "Plan", "make_plan", "plan_across_years"]


def make_plan(query: Query, doc: DocumentSummary, year: int, pools: dict[str, list[FactRecord]],
              docs: list[DocumentSummary], glossary: Glossary) -> Plan | NoPlan:
    token = MEASURE.set(query.measure)
    try:
        return _make_plan(query, doc, year, pools, docs, glossary)
    finally:
        MEASURE.reset(token)


def _make_plan(query, doc, year, pools, docs, glossary) -> Plan | NoPlan:
    pool = pools[doc.doc_id]
    op = query.operation
    if op == "lookup":
        return _lookup(query, doc, year, pool, glossary)
    if op == "change":
        return _change(query, doc, year, pools, docs, glossary)
    if op == "share":
        return _share(query, doc, year, pool, glossary)
    if op == "sum":
        return _sum(query, doc, year, pool, glossary)
    if op == "extreme" and query.among and len(query.items) >= 2:
        return _among(query, doc, year, pool, glossary)  # 基本支出和项目支出哪个大
    if op in ("breakdown", "extreme"):
        return _parts(query, doc, year, pool, glossary)
    if op == "count":
        return count(query, doc, year, pool, glossary)
    if op == "execution":
        return execution(query, doc, year, pool, glossary)
    if op == "yes_no":
        return yes_no(query, doc, year, pool, glossary)
    return NoPlan("no_answer", "暂不支持这类问题。")


def _lookup(query, doc, year, pool, glossary) -> Plan | NoPlan:
    item = query.items[0]
    best = best_fact(item, pool, glossary, year, query.within)
    if best is None:
        return missing(item, doc, year)
    return Plan("lookup", Program([best.fact], [Step("lookup", ("f0",))]), [best], [name_for(best, item)],
                [year], doc)


def _counterpart(new: FactRecord, old_year: int, pool: list[FactRecord]) -> FactRecord | None:
    """The same row's figure in the column for the other year (2024年预算数 → 2023年预算数); where
    that year's column is split (2024年预算数 › 小计 / 基本支出 …), its total part."""
    column = new.fact.locator.column or ""
    if str(new.fact.year) not in column:
        return None
    wanted = column.replace(str(new.fact.year), str(old_year))
    row = [r for r in pool if r.fact.locator.table == new.fact.locator.table
           and r.fact.locator.row == new.fact.locator.row and r.fact.unit == new.fact.unit]
    exact = [r for r in row if r.fact.locator.column == wanted]
    if exact:
        return exact[0]
    if " › " not in wanted:
        split = [r for r in row if (r.fact.locator.column or "").startswith(wanted + " › ") and r.is_total_column]
        if len(split) == 1:
            return split[0]
    return None


def _change(query, doc, year, pools, docs, glossary) -> Plan | NoPlan:
    item = query.items[0]
    pool = pools[doc.doc_id]
    if query.compared_year is not None:
        old_year = query.compared_year
        if not query.years and not query.year_offsets:
            year = max(doc.year or old_year + 1, old_year + 1)
    else:
        old_year = year + (query.compared_offset if query.compared_offset is not None else -1)
    new = best_fact(item, pool, glossary, year)
    if new is None:
        return missing(item, doc, year)
    beside = _counterpart(new, old_year, pool)
    old = beside or best_fact(item, pool, glossary, old_year)
    if old is not None and beside is None:
        # the earlier figure was found elsewhere: the later one is the cell beside it in its row (the
        # text's 财政拨款 may be the projects' funds; 表六's 30108 is not 表五's 2080505 row)
        new = _counterpart(old, year, pool) or new
    notes = []
    if old is None:
        same_issuer = [d for d in docs if d.issuer == doc.issuer and d.year == old_year and d.kind == doc.kind
                       and d.doc_id in pools]
        for other in same_issuer:
            old = best_fact(item, pools[other.doc_id], glossary, old_year)
            if old is not None:
                notes.append(f"{old_year}年的数字取自{describe(other)}。")
                break
    if old is None:
        stated = _stated_change(item, new, pool, glossary, year, old_year)
        if stated is not None:
            return stated
        return missing(item, doc, old_year)
    first, second = ("f1", "f0") if new.fact.value < old.fact.value else ("f0", "f1")
    program = Program([new.fact, old.fact], [Step("subtract", (first, second)), Step("percent_change", ("f1", "f0"))])
    return Plan("change", program, [new, old], [name_for(new, item), name_for(old, item)], [year, old_year], doc, notes)


# A change stated in the narrative names its subject in its own words (支出 / 一般公共预算财政拨款支出,
# term_match 0.52 or 0.62): the evidence is that its section states the same new figure, so any real match
# will do; only a name sharing one character pair among many (Dice × 0.8 below 0.1) is kept out.
STATED_CHANGE_MATCH = 0.1


def _stated_change(item, new, pool, glossary, year, old_year) -> Plan | None:
    """No earlier figure, but the narrative states the change itself (比2023年减少33,091.06元)."""
    # the change must be stated of the same figure: its section states the new value of the same subject (a
    # 收入支出总计 decrease is not the decrease of 本年支出合计, though both are “支出”)
    same_figure = {(r.fact.locator.section, r.fact.label[1]) for r in pool
                   if r.fact.origin == "narrative" and r.fact.value == new.fact.value and len(r.fact.label) > 1}
    ranked = rank(item, pool, glossary, year=year, measures=frozenset({"增减额"}))
    ranked = [(s, r) for s, r in ranked if r.fact.doc_id == new.fact.doc_id and str(old_year) in r.fact.label_text
              and (r.fact.locator.section, r.fact.label[1]) in same_figure and s >= STATED_CHANGE_MATCH]
    if not ranked:
        return None
    change = ranked[0][1]
    program = Program([new.fact, change.fact], [Step("lookup", ("f1",))])
    return Plan("stated_change", program, [new, change], [name_for(new, item), name_for(change, item)],
                [year, old_year], new.doc)


_TOTAL_TERM = re.compile(r"合计|总计|总支出|总收入|^支出$|^收入$")


def _share(query, doc, year, pool, glossary) -> Plan | NoPlan:
    item = query.items[0]
    part = best_fact(item, pool, glossary, year, query.within)
    if part is None:
        return missing(item, doc, year)
    same_column = [r for r in pool if r.key == part.key and r is not part]
    whole = None
    den = query.denominator
    if den is not None:  # in the part's own column only the row can name the whole
        ranked = [(s, r) for s, r in rank(den, same_column, glossary, year=year) if s >= THRESHOLD
                  and max((term_match(o, p) for o in den.official[:6] for p in r.row_parts), default=0) >= THRESHOLD]
        whole = ranked[0][1] if ranked else None
    generic = den is None or any(_TOTAL_TERM.search(o) for o in den.official[:3])
    if whole is None and generic:
        whole = _table_total(part, pool)
    if whole is None and den is not None:
        whole = best_fact(den, pool, glossary, year)
    if whole is None or whole.fact.value == 0:
        return NoPlan("no_answer", f"没有找到计算“{item.surface}”所占比例的分母（{den.surface if den else '合计'}），无法回答。")
    names = [name_for(part, item), name_for(whole, den) if den else "合计"]
    if whole.is_total_row and not whole.row_parts:
        names[1] = "合计"
    program = Program([part.fact, whole.fact], [Step("share", ("f0", "f1"))])
    return Plan("share", program, [part, whole], names, [year, year], doc)


def _table_total(part: FactRecord, pool: list[FactRecord]) -> FactRecord | None:
    """The whole a part belongs to in its own table: the column's total row, or — when the part is
    itself the total row of a sub-column (基本支出) — the row's total column (总计/合计)."""
    if not part.is_total_row:
        totals = [r for r in pool if r.key == part.key and r.is_total_row and r is not part
                  and r.fact.value >= part.fact.value]
        if totals:
            return totals[0]
    if part.row is not None or part.fact.locator.row is not None:
        row_total = [r for r in pool if r.fact.doc_id == part.fact.doc_id and r.fact.locator.table == part.fact.locator.table
                     and r.fact.locator.row == part.fact.locator.row and r.is_grand_total_column and r is not part
                     and fact_year(r) == fact_year(part) and r.fact.value >= part.fact.value]
        if row_total:
            return row_total[0]
    return None


_CLASS = re.compile(r"哪一?类|哪几类|功能分类|哪个方面|哪方面")


_PROJECT = re.compile(r"哪一?个项目|哪项项目|哪些项目")


_DETAIL = re.compile(r"明细|科目|哪一款|具体")  # the most detailed rows, not the first split


def _parts(query, doc, year, pool, glossary) -> Plan | NoPlan:
    """Breakdown (the parts with their figures, and their sum checked against the whole) or
    extreme (the largest / smallest part), from the table structure around the item's figure."""
    if not query.items:
        return NoPlan("no_answer", "问题没有说明是哪一项的构成。")
    item = query.items[-1]
    ranked = [r for s, r in rank(item, pool, glossary, year=year, within=query.within,
                                 measure=MEASURE.get())[:12] if s >= THRESHOLD]
    # a heading over sub-columns (基本支出 › 人员经费 / 日常公用经费) is the item's own split; rows
    # under it (by function or subject) come second
    found, whole = [], None
    question = query.question or ""
    if _CLASS.search(question) or _PROJECT.search(question):
        # 哪类支出: the 类 of the functional classification; 哪个项目: the projects' forms
        found = function_classes(pool, year) if _CLASS.search(question) else project_amounts(pool, year)
        if len(found) >= 2:
            names = [part_name(p) for p in found]
            op = "sum" if query.operation == "breakdown" else query.extreme
            program = Program([p.fact for p in found], [Step(op, tuple(f"f{i}" for i in range(len(found))))])
            return Plan("across_classes", program, found, names, [year] * len(found), doc)
    for term in item.official[:3]:  # 基本支出 printed as the header 2024年基本支出 over its sub-columns
        headed = header_wholes(term, pool)
        if headed:
            detail = _DETAIL.search(query.question or "")
            found = leaf_rows(headed[0], pool) if detail else column_parts_of(headed[0], pool)
            if len(found) >= 2:
                whole = headed[0]
                break
            found = []
    titled = False
    if whole is None and query.operation == "extreme":
        # a table of its own for the item (基本支出决算表, by economic subject): its most detailed rows
        for cell in titled_cells(item.official[:3], pool, year):
            found = leaf_rows(cell, pool)
            if len(found) >= 2:
                whole, titled = cell, True
                break
            found = []
    for finder in (column_parts_of, parts_of, narrative_parts) if whole is None else ():
        # a sentence lists the parts of its own subject only: the best match, not a runner-up
        candidates = ranked[:1] if finder is narrative_parts else ranked
        whole = next((r for r in candidates if len(finder(r, pool)) >= 2), None)
        if whole is not None:
            found = finder(whole, pool)
            break
    if whole is None:
        return NoPlan("no_answer", f"在{describe(doc)}中没有找到“{item.surface}”的明细。")
    facts = [whole.fact] + [p.fact for p in found]
    refs = tuple(f"f{i}" for i in range(1, len(facts)))
    op = "sum" if query.operation == "breakdown" else query.extreme
    program = Program(facts, [Step(op, refs)])
    names = [item.official[0] if whole.is_total_row or titled else name_for(whole, item)] + [part_name(p) for p in found]
    return Plan(query.operation, program, [whole] + found, names, [year] * len(facts), doc)


def plan_across_years(query: Query, docs: list[DocumentSummary], pools: dict[str, list[FactRecord]],
                      glossary: Glossary) -> Plan | NoPlan:
    """One figure from each year's document of one issuer, then their sum or the extreme year
    (云岭街道2023到2025年三公经费加起来 / 云岭街道哪一年的支出预算最多)."""
    if not query.items:
        return NoPlan("no_answer", "问题没有说明是哪一项。")
    item = query.items[0]
    chosen = []
    for doc in sorted(docs, key=lambda d: d.year or 0):
        best = best_fact(item, pools[doc.doc_id], glossary, doc.year)
        if best is None:
            return missing(item, doc, doc.year)
        chosen.append(best)
    op = query.extreme if query.operation == "extreme" else "sum"
    program = Program([r.fact for r in chosen], [Step(op, tuple(f"f{i}" for i in range(len(chosen))))])
    names = [name_for(r, item) for r in chosen]
    return Plan("across_" + ("extreme" if op != "sum" else "sum"), program, chosen, names,
                [d.year for d in sorted(docs, key=lambda d: d.year or 0)], docs[0])


def _among(query, doc, year, pool, glossary) -> Plan | NoPlan:
    """The largest (smallest) of the items the question names, each found as for a sum."""
    plan = _sum(query, doc, year, pool, glossary)
    if isinstance(plan, NoPlan):
        return plan
    refs = tuple(f"f{i}" for i in range(len(plan.records)))
    program = Program(plan.program.facts, [Step(query.extreme, refs)])
    return Plan("extreme_of", program, plan.records, plan.names, plan.years, doc)


def _sum(query, doc, year, pool, glossary) -> Plan | NoPlan:
    ranked = [[(s, r) for s, r in rank(item, pool, glossary, year=year, within=query.within)[:60] if s >= THRESHOLD]
              for item in query.items]
    for item, found in zip(query.items, ranked):
        if not found:
            return missing(item, doc, year)
    best_key, best_total = None, -1.0
    for _, r in ranked[0]:
        if r.fact.locator.table is None:
            continue  # figures stated in the text share no column: each is taken on its own merits
        picks = [next(((s, x) for s, x in found if x.key == r.key), None) for found in ranked]
        if all(picks) and len({id(p[1]) for p in picks}) == len(picks):
            total = sum(p[0] for p in picks)
            if total > best_total + 1e-9:
                best_key, best_total = r.key, total
    if best_key is not None:
        chosen = [next(x for s, x in found if x.key == best_key) for found in ranked]
    else:
        chosen = [found[0][1] for found in ranked]
    chosen = [exact_figure(r, found) for r, found in zip(chosen, ranked)]
    if len({id(r) for r in chosen}) < len(chosen):
        return NoPlan("no_answer", "问题中的几项对应到了同一个数字，无法分别相加。")
    program = Program([r.fact for r in chosen], [Step("sum", tuple(f"f{i}" for i in range(len(chosen))))])
    return Plan("sum", program, chosen, [name_for(r, i) for r, i in zip(chosen, query.items)],
                [year] * len(chosen), doc)
