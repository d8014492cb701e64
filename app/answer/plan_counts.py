"""Planners for counts, yes/no and budget execution (决算数 ÷ 预算数)."""

from __future__ import annotations

import re

from app.answer.calc import Program, Step
from app.answer.candidates import THRESHOLD, FactRecord, bigrams, describe, rank
from app.answer.glossary import norm
from app.answer.plan_common import NoPlan, Plan, exact_figure, fact_year, missing, name_for
from app.answer.understand import Item, counted_words


_RATE_WORDS = re.compile(r"执行率|完成率|完成预算|预算数|决算数|^预算$|^决算$")


def execution(query, doc, year, pool, glossary) -> Plan | NoPlan:
    """预算完成率: the 决算数 as a share of the 预算数 printed beside it — in one table row, else in
    one narrative sentence (年初预算为2993.92万元，支出决算为2940.05万元). A question naming no
    subject (预算执行率多少) asks about the spending total, or failing that the general budget."""
    if doc.kind != "决算":
        return NoPlan("no_answer", "预算完成情况只能从决算文件中计算。")
    items = [i for i in query.items if not any(_RATE_WORDS.search(o) for o in i.official[:3])]
    if not items:
        defaults = glossary.operations.get("completion", {}).get("default_items", [])
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


def count(query, doc, year, pool, glossary) -> Plan | NoPlan:
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
    # the question's words for the thing counted, when they say more than the residue of its cue words
    asked = counted_words(query)
    worded = _counted_by_wording(asked if len(asked) > len(query.rest) else query.rest, counted, year)
    if worded is not None:
        return Plan("count", Program([worded.fact], [Step("lookup", ("f0",))]), [worded],
                    [worded.display_name()], [fact_year(worded)], doc)
    for when in (year, None):
        ranked = sorted(((s, i, r) for i, item in enumerate(items)
                         for s, r in rank(item, counted, glossary, year=when, unit=None,
                                          measures=frozenset({"个数"}))[:1] if s >= THRESHOLD),
                        key=lambda t: (-t[0], t[1]))
        if ranked:
            _, i, best = ranked[0]
            return Plan("count", Program([best.fact], [Step("lookup", ("f0",))]), [best],
                        [name_for(best, items[i])], [fact_year(best)], doc)
    return missing(items[-1], doc, year)


# Share of the question's character pairs a counted thing's printed name must hold: nearly all, with one
# pair to spare for a particle (重点评价的项目 holds 5 of its 6 pairs in 纳入重点绩效评价的项目, 0.83;
# 纳入一般绩效目标评价的项目 holds 4, 0.67, and is another count).
COUNT_WORDING = 0.8


def _counted_by_wording(words: str, counted: list[FactRecord], year: int | None) -> FactRecord | None:
    """重点评价的项目有多少个 → “纳入重点绩效评价的项目 0 个”: a count named in the question's own
    words, which the glossary does not know. The printed name must hold nearly all the question's
    character pairs; of several that do, the one with fewest other words, the document's year first."""
    wanted = bigrams(norm(words))
    if len(wanted) < 2:
        return None
    scored = []
    for r in counted:
        name = norm(r.display_name())
        have = bigrams(name)
        cover = len(wanted & have) / len(wanted)
        if cover >= COUNT_WORDING:
            scored.append((-cover, fact_year(r) != year, len(have - wanted), r))
    return min(scored, key=lambda t: t[:3])[3] if scored else None


# 有没有X answers 有 or 没有 from X's own figure only: an exact name (1.0, a narrative restating it
# 0.95) or its subject code (0.95). An empty cell is no fact, so a name merely holding the asked term
# (办公费 in 办公费及印刷费 0.72) must not answer 有 for it; it falls through to counts and no_answer.
YES_NO_MATCH = 0.95


def yes_no(query, doc, year, pool, glossary) -> Plan | NoPlan:
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
        return missing(item, doc, year)
    best = exact_figure(best, ranked)  # 22.11万元 stated, 221,093.20 printed in the table
    return Plan("yes_no", Program([best.fact], [Step("lookup", ("f0",))]), [best], [name_for(best, item)],
                [year], doc, given=list(query.numbers[:1]))
