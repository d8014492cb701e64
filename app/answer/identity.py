"""Identity and sanity checks: is what was answered what was asked, and can it be true?

Tracing (app/answer/verify.py) proves that every figure comes from a fact; it does not prove that
the fact is the one the question asked for. These checks compare the plan with the Query:

- item: each fact's own name (its row, the column that names it, or the title of a table about
  it) names the asked item — by the question's own words or a glossary synonym, not by a wider
  fallback term (临时聘用人员经费 answered by 人员经费), and by code when a code was asked;
- year and kind: the fact's year is the year asked; a 决算 question is answered from a 决算;
- body: an organisation named in the question and not recognised as an issuer appears in the
  answering document (a subordinate hotel, a city bureau);
- operation: the plan computes the family the question asked for (a rate when a rate was asked);
- sanity: a share lies in [0, 100] and its part and whole come from one table (or one sentence);
  a part never exceeds its whole; a column headed in 万元 is not read as 元; the direction
  stated agrees with the sign.

A failed check makes the answer unverified, and the engine replaces it by a no_answer that says
what the document does hold (`held`). How printed names name items is app/answer/names.py; the
sanity checks are app/answer/sanity.py; bodies, places and quoted passages app/answer/bodies.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.answer.candidates import FactRecord, describe, term_match
from app.answer.compose import Answer, Check
from app.answer.glossary import norm
from app.answer.names import NAMES_ITEM, codes_asked, fact_names, item_match
from app.answer.plan_common import Plan, fact_year, name_for
from app.answer.sanity import count_check, namesake, sanity
from app.answer.understand import Item, Query

PLAN_FAMILY = {
    "lookup": {"lookup", "across_sum"},  # 三年三公一共多少: one issuer's yearly documents summed
    "change": {"change", "stated_change"}, "share": {"share"},
    "sum": {"sum", "across_sum"}, "breakdown": {"breakdown", "across_classes", "sum"},
    "extreme": {"extreme", "across_extreme", "across_classes", "extreme_of"},
}


@dataclass
class Identity:
    checks: list[Check]
    held: str = ""  # what the document holds instead, said in a no_answer (Chinese)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)


_MONEY_ITEM = re.compile(r"(?:费|费用|经费|资金|支出|收入|预算|拨款|补贴|津贴|工资)$")


def _item_check(item: Item, record: FactRecord, codes: list[str], by_title: bool = False) -> tuple[Check, str]:
    name = name_for(record, None)
    if _MONEY_ITEM.search(norm(item.surface)) and record.fact.unit != "元":
        # 翻译经费安排了没有: an amount was asked; a count in the project's form (翻译出错次数) is no answer
        return (Check("item", False, f"问的是“{item.surface}”的金额，所用数字“{name}”是{record.fact.unit}数。"),
                f"文件中没有找到“{item.surface}”的金额。")
    if codes:
        code = record.fact.subject_code or ""
        ok = code in codes
        detail = f"问题中的科目编码{'、'.join(codes)}，所用数字的科目编码为{code or '（无）'}（“{name}”）。"
        held = "" if ok else f"文件中没有科目编码为{'、'.join(codes)}的数字。"
        return Check("item", ok, detail), held
    score = item_match(item, record, by_title)
    ok = score >= NAMES_ITEM
    detail = f"问的是“{item.surface}”，所用数字是“{name}”（名称相符度{score:.2f}，需≥{NAMES_ITEM}）。"
    held = ""
    if not ok:
        wider = item.broader and any(term_match(norm(b), n) >= NAMES_ITEM for b in item.broader
                                     for n in fact_names(record))
        held = (f"文件没有单列“{item.surface}”，只有其上级项目“{name}”。" if wider
                else f"文件中没有找到“{item.surface}”的数字（最接近的是“{name}”，不是同一项目）。")
    return Check("item", ok, detail), held


def identity(answer: Answer, plan: Plan, query: Query, pool: list[FactRecord] | None = None) -> Identity:
    checks: list[Check] = []
    held = ""
    records = plan.records
    codes = codes_asked(query.question or "")
    pairs: list[tuple[Item, FactRecord]] = []
    op = plan.operation
    if query.items:
        if op in ("lookup", "stated_change"):
            pairs = [(query.items[0], records[0])]
        elif op == "change":
            pairs = [(query.items[0], r) for r in records[:2]]
        elif op == "share":
            pairs = [(query.items[0], records[0])]
            if query.denominator is not None and len(records) > 1 and not records[1].is_total_row:
                pairs.append((query.denominator, records[1]))
        elif op in ("sum", "extreme_of"):
            pairs = list(zip(query.items, records))
        elif op == "yes_no" and records and records[0].fact.unit in ("元", "次", "人"):
            pairs = [(query.items[-1], records[0])]  # 项目支出里有没有办公费: 办公费, not 项目支出
        elif op in ("breakdown", "extreme"):
            pairs = [(query.items[-1], records[0])]
        elif op in ("across_sum", "across_extreme"):
            pairs = [(query.items[0], r) for r in records]
    if op == "sum" and len(query.items) >= 2 and query.text:
        # 文化和旅游市场管理: items joined by 和 that together are one printed name are one item
        first, last = query.items[0], query.items[-1]
        span = norm(query.text[first.position:last.position + len(last.surface)])
        if any(span in fact_names(r) for r in records):
            checks.append(Check("item", False, f"“{span}”是一个项目的名称，不是几项相加。"))
            held = f"“{span}”是一个项目的名称，不是几项之和。"
    for item, record in pairs:
        check, why = _item_check(item, record, codes if item is query.items[0] else [],
                                 by_title=op in ("breakdown", "extreme"))
        checks.append(check)
        held = held or why
    if op == "count" and len(records) == 1:
        checks += count_check(query, records[0])
    checks += _year_and_kind(plan, query)
    family = PLAN_FAMILY.get(query.operation)
    if family is not None:
        ok = op in family
        checks.append(Check("operation", ok, f"问题要求的运算是{query.operation}，计算的是{op}。"))
        if not ok:
            held = held or "答案所做的计算与问题所问的不一致。"
    if query.operation == "change" and query.wants_percent:
        ok = answer.unit == "%" or any("%" in c.detail for c in answer.checks if c.name == "rate")
        checks.append(Check("operation", ok or "%" in answer.text, "问的是增减率，答案给出了百分比。"
                            if ok or "%" in answer.text else "问的是增减率，答案没有给出百分比。"))
    checks += sanity(answer, plan)
    checks += _as_worded(query.question or "", plan)
    if pool and op in ("lookup", "change") and records and not codes:
        twin = namesake(records[0], pool)
        if twin:
            checks.append(Check("item", False, f"文件中有多项名为“{twin}”的科目（分属不同的款），问题没有说是哪一项。"))
            held = held or f"文件中有多项“{twin}”（分属不同的类、款），请说明是哪一项（例如写出科目编码）。"
    return Identity(checks, held)


_SCOPE_PARTS = re.compile(r"[(（](?:含|包括|包含)([^)）]+)[)）]")
_STATED_COUNT = re.compile(r"(?:这|那)?([两二三四五六七八九十]|\d{1,2})(?:个|项|类|笔)(?:项目|支出|经费|科目)?"
                           r"(?:加起来|一共|合计|总共|的)")
_CN_SMALL = {"两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
# 按功能分类 / 按政府经济分类 / 按部门经济分类: the subject codes the parts must carry
_CLASSIFICATION = (("政府(?:预算)?经济分类", "5"), ("部门(?:预算)?经济分类", "3"), ("经济分类", "35"),
                   ("功能(?:分类|科目)", "2"))


def _as_worded(question: str, plan: Plan) -> list[Check]:
    """What the question's own wording fixes: a scope note (含基本支出和项目支出) asks for a total
    that spans those parts; a stated number of items (这五个项目) must be the number added; a named
    classification (按政府经济分类) must be the classification of the parts."""
    text = norm(question)
    checks = []
    records = plan.records
    scope = _SCOPE_PARTS.search(text)
    if scope and plan.operation in ("lookup", "sum") and records:
        parts = [w for w in re.split(r"和|与|及|、|,|，", scope.group(1)) if len(w) >= 2]
        table = records[0].table
        heads = norm((table.title if table else "") + " ".join(c.label for c in (table.columns if table else [])))
        ok = bool(parts) and table is not None and all(w in heads for w in parts) and records[0].is_total_column
        checks.append(Check("scope", ok, f"问题要求含{'、'.join(parts)}的总数；" +
                            ("所用数字是涵盖它们的合计栏。" if ok else "所用数字不是涵盖它们的合计。")))
    stated = _STATED_COUNT.search(text)
    if stated and plan.operation in ("sum", "extreme_of", "lookup"):
        n = int(stated.group(1)) if stated.group(1).isdigit() else _CN_SMALL[stated.group(1)]
        ok = len(records) == n
        checks.append(Check("scope", ok, f"问题说的是{n}项，计算用了{len(records)}项。"))
    if plan.operation in ("breakdown", "extreme", "across_classes"):
        for pattern, prefixes in _CLASSIFICATION:
            if re.search(pattern, text):
                parts = records[1:] if plan.operation != "across_classes" else records
                ok = bool(parts) and all((r.fact.subject_code or " ")[0] in prefixes for r in parts)
                checks.append(Check("scope", ok, f"问题按“{re.search(pattern, text).group(0)}”问，各部分" +
                                    ("均属该分类。" if ok else "不都属于该分类的科目。")))
                break
    return checks


def _year_and_kind(plan: Plan, query: Query) -> list[Check]:
    checks = []
    asked = sorted(set(query.years + ([query.compared_year] if query.compared_year else [])))
    covered = {y for y in plan.years if y is not None}
    if len(asked) >= 2 and not set(asked) <= covered:
        checks.append(Check("year", False, f"问的是{'、'.join(map(str, asked))}年，答案只涉及{'、'.join(map(str, sorted(covered)))}年。"))
    wanted = [y for y in plan.years if y is not None]
    if plan.operation in ("lookup", "share", "sum", "breakdown", "extreme") and wanted and plan.records:
        got = fact_year(plan.records[0])
        ok = got is None or got == wanted[0]
        checks.append(Check("year", ok, f"问的是{wanted[0]}年，所用数字是{got}年的。"))
    if query.kind == "决算":
        ok = all(r.doc.kind == "决算" for r in plan.records)
        checks.append(Check("kind", ok, "问的是决算数，答案取自决算文件。" if ok else "问的是决算数，答案却取自预算文件。"))
    return checks


def held_message(identity_result: Identity, plan: Plan) -> str:
    """The no_answer text for an answer that failed its identity checks."""
    where = describe(plan.doc)
    said = identity_result.held or "答案所用的数字与问题所问的不是同一项。"
    return f"{said}（已查：{where}。）"
