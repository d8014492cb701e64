"""Sanity checks: what must hold of any true answer, whatever the question.

A share lies in [0, 100] over one unit basis; a part never exceeds its whole; a change pairs the same
figure of two years; a column headed in 万元 is not read as 元; a cell the text states 10,000 times
larger is a misread unit; a text figure the audit found to contradict its table is not shown; a count
counts what was asked; a row name printed under several codes is ambiguous.
"""

from __future__ import annotations

import re

from app.answer.candidates import FactRecord
from app.answer.compose import Answer, Check
from app.answer.glossary import norm
from app.answer.names import clean_name
from app.answer.plan_common import Plan, name_for
from app.answer.understand import Query, counted_words

SHARE_MAX = 100  # percent: a part's share of its whole
_WAN_HEADER = re.compile(r"万元")


# a count of things acquired or disposed of in the year is not a count of things held
_COUNT_EVENT = re.compile(r"购置|新增|报废|处置|更新|采购|出售")


# words any count's name may hold without saying which things are counted
_COUNT_GENERIC = re.compile(r"项目|个数|数量|车辆|人数|人员|次数|情况|合计|总数|的|有|为|共")
# Share of the count name's own character pairs (generic count words such as 项目/数量/的 removed) the
# question must hold — or of the question's own pairs the name holds: 重点评价的项目 holds 2 of its 3
# own pairs (重点, 评价) in 纳入重点绩效评价的项目, 0.67, but 1 in 纳入一般绩效目标评价的项目, 0.33.
COUNT_NAMED = 0.6


def count_check(query: Query, record: FactRecord) -> list[Check]:
    """A count answers only when it counts what was asked: its name's own words are in the question
    (纳入重点绩效评价的项目 does not count 纳入一般绩效目标评价的项目; 翻译出错次数 is not 翻译工作
    次数), and a count of things bought or disposed of is not a count of things held, nor the reverse."""
    from app.answer.candidates import bigrams

    name = name_for(record, None)
    asked = norm(query.question or "")
    said = norm(name) + norm((record.fact.sentence or "")[:40])  # 2024年安排购置车辆0辆，其中应急保障用车0辆
    events = [w for w in _COUNT_EVENT.findall(said) if w not in asked]
    wants_event = re.search(r"买|购置|购买|新增|报废|处置", asked) and not _COUNT_EVENT.search(said)
    def own(text: str) -> frozenset[str]:
        return frozenset(b for b in bigrams(_COUNT_GENERIC.sub("|", norm(text))) if "|" not in b)

    # either the name's own words are in the question, or the question's thing is in the name
    # (重点评价的项目 for 纳入重点绩效评价的项目)
    named, thing = own(name), own(counted_words(query, "|") if query.text else asked)
    covered = max(len(named & bigrams(asked)) / len(named) if named else 1.0,
                  len(thing & bigrams(norm(name))) / len(thing) if thing else 0.0)
    ok = not events and not wants_event and covered >= COUNT_NAMED
    why = ("。" if ok else f"，问题并没有问{events[0]}的数量。" if events else "，问题问的是购置或处置的数量。"
           if wants_event else "，与问题所问的不是同一类。")
    return [Check("item", ok, f"所用数字是“{name}”" + why)]


def sanity(answer: Answer, plan: Plan) -> list[Check]:
    """What must hold of any true answer, whatever the question."""
    checks = []
    records = plan.records
    if plan.operation == "share" and len(records) == 2 and answer.value is not None:
        part, whole = records
        # one document; two table cells from one table or from tables printed in the same unit (人员经费
        # in the 基本支出 table over 基本支出 in the 支出总表). A narrative figure carries its unit in its
        # own words. A 万元 table read beside a 元 one is what gives a share of 206,483.6%.
        tables = [r.table for r in records if r.fact.origin != "narrative"]
        same_unit = len(tables) < 2 or all(t is not None for t in tables) and len({t.unit or "元" for t in tables}) == 1
        same_source = part.fact.doc_id == whole.fact.doc_id and same_unit
        in_range = 0 <= answer.value <= SHARE_MAX and abs(part.fact.value) <= abs(whole.fact.value)
        checks.append(Check("share_range", in_range, f"占比{answer.value:.2f}%应在0到100%之间，部分不超过整体。"))
        checks.append(Check("same_source", same_source, "部分与整体取自同一文件，计量单位一致。" if same_source
                            else "部分与整体取自不同文件或计量单位不同的表格，口径不一。"))
    if plan.operation == "change" and len(records) == 2:
        new, old = records
        same_place = (new.fact.doc_id, new.fact.locator.table, new.fact.locator.row) == \
            (old.fact.doc_id, old.fact.locator.table, old.fact.locator.row)
        a, b = clean_name(name_for(new, None)), clean_name(name_for(old, None))
        # two table cells are the same figure of two years when they sit alike: both totals or both
        # parts, by row and by column (a 财政拨款 column of the project table is not last year's total)
        tables = new.fact.origin == old.fact.origin == "table"
        alike = not tables or (new.is_total_row == old.is_total_row
                               and new.is_grand_total_column == old.is_grand_total_column)
        ok = same_place or alike
        checks.append(Check("same_source", ok, f"两年的数字是同一项目（“{a}”与“{b}”）。" if ok
                            else f"两年的数字所处位置不同（“{a}”与“{b}”），不是同一口径，不能相减。"))
    if plan.operation in ("breakdown",) and len(records) > 2:
        whole = records[0].fact.value
        parts = [r.fact.value for r in records[1:]]
        ok = all(abs(p) <= abs(whole) for p in parts)
        checks.append(Check("part_whole", ok, "各部分均不超过整体。" if ok else "有部分超过了整体。"))
    for r in records:
        if r.fact.origin == "table" and re.search(r"(?:^| › )第\d+列$", r.fact.locator.column or ""):
            # the parser could not read this column's head: which measure (预算数, 决算数, 上年) it
            # holds is unknown, so the figure cannot be the one asked for
            checks.append(Check("unit", False, f"“{name_for(r, None)}”所在栏目没有读到栏名（{r.fact.locator.column}）。"))
            break
    for r in records:
        header = " ".join(r.fact.label)
        if r.fact.unit == "元" and r.fact.origin == "table" and _WAN_HEADER.search(header) and r.table is not None \
                and (r.table.unit or "元") == "元":
            checks.append(Check("unit", False, f"“{name_for(r, None)}”所在栏目标明万元，表格却按元读取。"))
            break
    return checks


def unit_conflict(findings: list, fact) -> Check | None:
    """An audit finding that sets this table cell beside a figure exactly 万 times larger (or smaller)
    means the table's unit was misread (222.50 read as 元 where the text says 222.5万元): the figure
    cannot be shown as verified in either unit."""
    if fact.origin != "table" or not fact.value:
        return None
    for finding in findings:
        figures = [f for f in finding.figures if f is not None]
        here = [f for f in figures if (f.locator.table, f.locator.row, f.locator.column)
                == (fact.locator.table, fact.locator.row, fact.locator.column) and fact.locator.table]
        if here and any(f.value is not None and (f.value == fact.value * 10000 or f.value * 10000 == fact.value)
                        for f in figures):
            return Check("unit", False, "文件其他部分所列同一数字恰为此数的一万倍（或万分之一），表格的计量单位读取有误。")
    return None


TABLE_VS_TEXT = "B01"  # the audit rule: a figure the narrative states differs from the table's


def contradicted_by_table(findings: list, fact) -> Check | None:
    """A figure stated in the text that the audit found to differ from the table's figure of the same
    item: the text misstates it, and the table's figure is the one to show — never the text's."""
    if fact.origin != "narrative":
        return None
    for finding in findings:
        if finding.rule != TABLE_VS_TEXT:
            continue
        if any(f.locator.table is None and f.value == fact.value and f.locator.section == fact.locator.section
               for f in finding.figures if f is not None):
            return Check("contradicted", False, "说明部分的这个数字与表格不一致，不能作为答案。")
    return None


def namesake(record: FactRecord, pool: list[FactRecord]) -> str:
    """The row's name when another row of the same column carries it under another subject code
    (行政运行 under 人大事务 and under 政府办公厅): which one was asked is unknown. "" otherwise."""
    if record.fact.origin != "table" or not record.fact.subject_code or not record.row_parts:
        return ""
    name = record.row_parts[-1]
    for r in pool:
        if (r is not record and r.fact.locator.table == record.fact.locator.table
                and r.fact.locator.column == record.fact.locator.column and r.row_parts
                and r.row_parts[-1] == name and r.fact.subject_code
                and r.fact.subject_code != record.fact.subject_code and r.fact.value != record.fact.value):
            return name
    return ""
