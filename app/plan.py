"""Query → Program: the rule-based, deterministic planner.

The planner picks the facts an operation needs from the candidates (app/candidates.py) and
writes the calculator's steps. It never produces a number itself. Choices that generalise:
  - change: the earlier figure is the same row's column for the earlier year in the same
    table (2023年预算数 beside 2024年预算数); failing that, the best match for the item in the
    earlier year in the same document, then in the same issuer's document of that year;
  - share: the denominator the question names, looked for first in the numerator's own
    table column; unnamed, the table's total (the total row of the column, or the total
    column of the row when the item is a column such as 基本支出);
  - sum: all items from one table column when one column holds them all.
When a needed fact clears no threshold the plan says what is missing (status no_answer).
"""

from __future__ import annotations

import re
from contextvars import ContextVar
from dataclasses import dataclass, field

from app.calc import Program, Step
from app.candidates import THRESHOLD, FactRecord, describe, rank, term_match
from app.glossary import Glossary, norm
from app.parts import (column_parts_of, function_classes, header_wholes, leaf_rows, part_name, parts_of,
                       narrative_parts, project_amounts, titled_cells)
from app.understand import Item, Query
from index.facts import DocumentSummary


@dataclass
class Plan:
    operation: str
    program: Program
    records: list[FactRecord]  # aligned with program.facts
    names: list[str]  # what each fact is, as printed
    years: list[int]  # the year of each fact (change: new, old)
    doc: DocumentSummary
    notes: list[str] = field(default_factory=list)
    given: list = field(default_factory=list)  # figures stated in the question (有一百万吗), in 元


@dataclass
class NoPlan:
    status: str  # no_answer
    message: str  # Chinese


def name_for(record: FactRecord, item: Item | None) -> str:
    name = record.display_name()
    if name in ("合计", "总计") and record.is_total_row:  # the total row under a column that is the item
        columns = [p for p in (record.fact.locator.column or "").split(" › ") if p not in ("合计", "总计", "小计")]
        name = columns[-1] if columns and not re.match(r"^(\d{4}年)?(支出|收入)?(预算|决算)数?$", columns[-1]) \
            else (item.official[0] if item is not None else name)
    if item is not None and record.fact.label and name == record.fact.label[0]:
        return item.official[0]  # the grand total of a table about the item (三公经费)
    return name


_MEASURE: ContextVar[str | None] = ContextVar("measure", default=None)  # the Query's measure, for _best


def make_plan(query: Query, doc: DocumentSummary, year: int, pools: dict[str, list[FactRecord]],
              docs: list[DocumentSummary], glossary: Glossary) -> Plan | NoPlan:
    token = _MEASURE.set(query.measure)
    try:
        return _make_plan(query, doc, year, pools, docs, glossary)
    finally:
        _MEASURE.reset(token)


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
    if op in ("breakdown", "extreme"):
        return _parts(query, doc, year, pool, glossary)
    if op == "count":
        return _count(query, doc, year, pool, glossary)
    if op == "execution":
        return _execution(query, doc, year, pool, glossary)
    if op == "yes_no":
        return _yes_no(query, doc, year, pool, glossary)
    return NoPlan("no_answer", "暂不支持这类问题。")


def _best(item: Item, pool: list[FactRecord], glossary: Glossary, year: int | None,
          within: Item | None = None) -> FactRecord | None:
    ranked = rank(item, pool, glossary, year=year, within=within, measure=_MEASURE.get())
    return ranked[0][1] if ranked and ranked[0][0] >= THRESHOLD else None


def _missing(item: Item, doc: DocumentSummary, year: int | None) -> NoPlan:
    when = f"{year}年" if year else ""
    return NoPlan("no_answer", f"在{describe(doc)}中没有找到“{item.surface}”{when}的数字，无法回答。")


def _lookup(query, doc, year, pool, glossary) -> Plan | NoPlan:
    item = query.items[0]
    best = _best(item, pool, glossary, year, query.within)
    if best is None:
        return _missing(item, doc, year)
    return Plan("lookup", Program([best.fact], [Step("lookup", ("f0",))]), [best], [name_for(best, item)],
                [year], doc)


def _counterpart(new: FactRecord, old_year: int, pool: list[FactRecord]) -> FactRecord | None:
    """The same row's figure in the column for the earlier year (2024年预算数 → 2023年预算数)."""
    column = new.fact.locator.column or ""
    if str(new.fact.year) not in column:
        return None
    wanted = column.replace(str(new.fact.year), str(old_year))
    for r in pool:
        f = r.fact
        if (f.locator.table == new.fact.locator.table and f.locator.row == new.fact.locator.row
                and f.locator.column == wanted and f.unit == new.fact.unit):
            return r
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
    new = _best(item, pool, glossary, year)
    if new is None:
        return _missing(item, doc, year)
    old = _counterpart(new, old_year, pool) or _best(item, pool, glossary, old_year)
    notes = []
    if old is None:
        same_issuer = [d for d in docs if d.issuer == doc.issuer and d.year == old_year and d.kind == doc.kind
                       and d.doc_id in pools]
        for other in same_issuer:
            old = _best(item, pools[other.doc_id], glossary, old_year)
            if old is not None:
                notes.append(f"{old_year}年的数字取自{describe(other)}。")
                break
    if old is None:
        stated = _stated_change(item, new, pool, glossary, year, old_year)
        if stated is not None:
            return stated
        return _missing(item, doc, old_year)
    first, second = ("f1", "f0") if new.fact.value < old.fact.value else ("f0", "f1")
    program = Program([new.fact, old.fact], [Step("subtract", (first, second)), Step("percent_change", ("f1", "f0"))])
    return Plan("change", program, [new, old], [name_for(new, item), name_for(old, item)], [year, old_year], doc, notes)


STATED_CHANGE_MATCH = 0.1  # the names may differ (支出 / 一般公共预算财政拨款支出): the same figure is the evidence


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
    part = _best(item, pool, glossary, year, query.within)
    if part is None:
        return _missing(item, doc, year)
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
        whole = _best(den, pool, glossary, year)
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
                     and _year(r) == _year(part) and r.fact.value >= part.fact.value]
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
                                 measure=_MEASURE.get())[:12] if s >= THRESHOLD]
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


_RATE_WORDS = re.compile(r"执行率|完成率|完成预算|预算数|决算数|^预算$|^决算$")


def _execution(query, doc, year, pool, glossary) -> Plan | NoPlan:
    """预算完成率: the 决算数 as a share of the 预算数 printed beside it — in one table row, else in
    one narrative sentence (年初预算为2993.92万元，支出决算为2940.05万元). A question naming no
    subject (预算执行率多少) asks about the spending total, or failing that the general budget."""
    if doc.kind != "决算":
        return NoPlan("no_answer", "预算完成情况只能从决算文件中计算。")
    items = [i for i in query.items if not any(_RATE_WORDS.search(o) for o in i.official[:3])]
    if not items:
        defaults = glossary.operations.get("execution", {}).get("default_items", [])
        items = [Item(w, glossary.terms[glossary.phrases[w][0]].official if w in glossary.phrases else [w])
                 for w in defaults]
    for item in items:
        found = _execution_pair(item, pool, glossary, year)
        if found is not None:
            final, budget = found
            program = Program([final.fact, budget.fact], [Step("share", ("f0", "f1"))])
            return Plan("execution", program, [final, budget], [name_for(final, item), name_for(budget, item)],
                        [year, year], doc)
    surface = items[0].surface if items else "支出"
    return NoPlan("no_answer", f"在{describe(doc)}中没有找到“{surface}”并列的决算数和预算数。")


def _execution_pair(item, pool, glossary, year) -> tuple[FactRecord, FactRecord] | None:
    finals = [r for s, r in rank(item, pool, glossary, year=year, measure="final") if s >= THRESHOLD]
    budgets = [r for s, r in rank(item, pool, glossary, year=year, measure="budget") if s >= THRESHOLD]
    for final in finals[:20]:
        if final.fact.origin != "table" or "决算" not in "".join(final.column_parts):
            continue
        for budget in budgets[:40]:
            f, b = final.fact, budget.fact
            if (b.locator.table == f.locator.table and b.locator.row == f.locator.row
                    and "预算" in "".join(budget.column_parts) and "决算" not in "".join(budget.column_parts)
                    and b.value != 0):
                return final, budget
    # one sentence stating both; the sentence that names the item comes before those that inherit it
    terms = [o for o in item.official[:4]]
    stated = [r for r in pool if r.fact.origin == "narrative" and r.fact.measure == "预算数" and r.fact.value != 0]
    pairs = [(final, budget) for final in finals if final.fact.origin == "narrative" and final.fact.measure == "决算数"
             for budget in stated if budget.fact.sentence == final.fact.sentence
             and tuple(budget.fact.label[:-1]) == tuple(final.fact.label[:-1])]
    pairs.sort(key=lambda fb: not any(t in (fb[0].fact.sentence or "") for t in terms))
    return pairs[0] if pairs else None


_UNIT_THING = {"辆": "车辆"}  # a unit that can only count one kind of thing

COUNT_UNITS = ("个", "辆", "台", "套", "台(套)", "项", "人", "名", "次", "家", "册")


# 几个 may count people or projects, never times (次); 几辆 counts vehicles only
_COMPATIBLE = {"个": ("个", "人", "名", "项", "家"), "人": ("人", "名", "个"), "名": ("人", "名", "个"),
               "辆": ("辆",), "台": ("台", "套", "台(套)"), "套": ("台", "套", "台(套)"), "项": ("项", "个"),
               "次": ("次",), "家": ("家", "个"), "册": ("册",)}


def _count(query, doc, year, pool, glossary) -> Plan | NoPlan:
    """几辆车 / 几个项目: a figure the document states in a counting unit (车辆1辆, 项目7个);
    the document's year first, else the year the count is stated for (车辆 at the end of last year)."""
    # the question's own words (纳入重点绩效评价的项目) as well as its glossary items (项目); a
    # counting unit names what it counts (辆 → 车辆, whatever the question calls the cars)
    items = ([Item(query.rest, [query.rest])] if len(query.rest) >= 2 else []) + query.items
    counted_thing = _UNIT_THING.get(query.count_unit or "")
    if counted_thing and counted_thing in glossary.phrases:
        items.append(Item(counted_thing, [counted_thing] + [o for i in glossary.phrases[counted_thing]
                                                           for o in glossary.terms[i].official]))
    if not items:
        return NoPlan("no_answer", "问题没有说明要数的是什么。")
    units = _COMPATIBLE.get(query.count_unit or "", COUNT_UNITS)
    counted = [r for r in pool if r.fact.unit in units]
    worded = _counted_by_wording(query.rest, counted, year)
    if worded is not None:
        return Plan("count", Program([worded.fact], [Step("lookup", ("f0",))]), [worded],
                    [worded.display_name()], [_year(worded)], doc)
    for when in (year, None):
        ranked = sorted(((s, i, r) for i, item in enumerate(items)
                         for s, r in rank(item, counted, glossary, year=when, unit=None,
                                          measures=frozenset({"个数"}))[:1] if s >= THRESHOLD),
                        key=lambda t: (-t[0], t[1]))
        if ranked:
            _, i, best = ranked[0]
            return Plan("count", Program([best.fact], [Step("lookup", ("f0",))]), [best],
                        [name_for(best, items[i])], [_year(best)], doc)
    return _missing(items[-1], doc, year)


COUNT_WORDING = 0.8  # share of the question's bigrams a counted thing's printed name must hold


def _bigrams(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1)}


def _counted_by_wording(words: str, counted: list[FactRecord], year: int | None) -> FactRecord | None:
    """重点评价的项目有多少个 → “纳入重点绩效评价的项目 0 个”: a count named in the question's own
    words, which the glossary does not know. The printed name must hold nearly all the question's
    character pairs; of several that do, the one with fewest other words, the document's year first."""
    wanted = _bigrams(norm(words))
    if len(wanted) < 2:
        return None
    scored = []
    for r in counted:
        name = norm(r.display_name())
        have = _bigrams(name)
        cover = len(wanted & have) / len(wanted)
        if cover >= COUNT_WORDING:
            scored.append((-cover, _year(r) != year, len(have - wanted), r))
    return min(scored, key=lambda t: t[:3])[3] if scored else None


YES_NO_MATCH = 0.95


def _yes_no(query, doc, year, pool, glossary) -> Plan | NoPlan:
    """有没有政府采购预算 (a figure of 0 → 没有) / 有一百万吗 (the figure against the question's)."""
    if not query.items:
        return NoPlan("no_answer", "问题没有说明问的是哪一项。")
    item = query.items[0]
    ranked = rank(item, pool, glossary, year=year)  # no column preference: it must not lift a near miss
    # an empty cell is no fact, so a near miss (公务用车购置及运行费 for 购置车辆) must not answer “有”
    best = ranked[0][1] if ranked and ranked[0][0] >= YES_NO_MATCH else None
    if best is None:
        counted = [r for r in pool if r.fact.unit in COUNT_UNITS]
        ranked = [(s, r) for s, r in rank(item, counted, glossary, year=year, unit=None,
                                          measures=frozenset({"个数"})) if s >= THRESHOLD]
        best = ranked[0][1] if ranked else None
    if best is None:
        return _missing(item, doc, year)
    return Plan("yes_no", Program([best.fact], [Step("lookup", ("f0",))]), [best], [name_for(best, item)],
                [year], doc, given=list(query.numbers[:1]))


def plan_across_years(query: Query, docs: list[DocumentSummary], pools: dict[str, list[FactRecord]],
                      glossary: Glossary) -> Plan | NoPlan:
    """One figure from each year's document of one issuer, then their sum or the extreme year
    (万里街道2023到2025年三公经费加起来 / 万里街道哪一年的支出预算最多)."""
    if not query.items:
        return NoPlan("no_answer", "问题没有说明是哪一项。")
    item = query.items[0]
    chosen = []
    for doc in sorted(docs, key=lambda d: d.year or 0):
        best = _best(item, pools[doc.doc_id], glossary, doc.year)
        if best is None:
            return _missing(item, doc, doc.year)
        chosen.append(best)
    op = query.extreme if query.operation == "extreme" else "sum"
    program = Program([r.fact for r in chosen], [Step(op, tuple(f"f{i}" for i in range(len(chosen))))])
    names = [name_for(r, item) for r in chosen]
    return Plan("across_" + ("extreme" if op != "sum" else "sum"), program, chosen, names,
                [d.year for d in sorted(docs, key=lambda d: d.year or 0)], docs[0])


def _year(r: FactRecord) -> int | None:
    return r.fact.year if r.fact.year is not None else r.doc.year


def _sum(query, doc, year, pool, glossary) -> Plan | NoPlan:
    ranked = [[(s, r) for s, r in rank(item, pool, glossary, year=year)[:60] if s >= THRESHOLD]
              for item in query.items]
    for item, found in zip(query.items, ranked):
        if not found:
            return _missing(item, doc, year)
    best_key, best_total = None, -1.0
    for _, r in ranked[0]:
        picks = [next(((s, x) for s, x in found if x.key == r.key), None) for found in ranked]
        if all(picks) and len({id(p[1]) for p in picks}) == len(picks):
            total = sum(p[0] for p in picks)
            if total > best_total + 1e-9:
                best_key, best_total = r.key, total
    if best_key is not None:
        chosen = [next(x for s, x in found if x.key == best_key) for found in ranked]
    else:
        chosen = [found[0][1] for found in ranked]
    if len({id(r) for r in chosen}) < len(chosen):
        return NoPlan("no_answer", "问题中的几项对应到了同一个数字，无法分别相加。")
    program = Program([r.fact for r in chosen], [Step("sum", tuple(f"f{i}" for i in range(len(chosen))))])
    return Plan("sum", program, chosen, [name_for(r, i) for r, i in zip(chosen, query.items)],
                [year] * len(chosen), doc)
