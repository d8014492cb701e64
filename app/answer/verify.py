"""The verifier: every figure an answer states must be traced to a fact or a computed value.

Figures are read from the answer text with their unit (元, 万元, %, counting units); years
(2024年), table numbers and anything inside quotes or 《》 (labels, titles) are not figures.
A figure is traced when it equals, as printed, a fact's value or a value the calculator
produced — in 元 to the cent, in 万元 to two decimals, a percentage to one decimal — or the
magnitude of one (a decrease stated as 减少1,020,000.00元). The program is also executed a
second time and must give the same result. An answer that fails is not shown as answered.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from app.answer.calc import Program, execute, fmt_money, fmt_percent, fmt_wan
from app.answer.compose import Answer, Check

_QUOTED = re.compile(r"《[^》]*》|“[^”]*”|「[^」]*」")
_YEAR = re.compile(r"(?:19|20)\d{2}\s*年度?")
_TABLE_REF = re.compile(r"表[\d一二三四五六七八九十]+(?:[-—－]\d+)*(?:[（(]\d+[)）])?")
# digits glued to a Latin letter are an identifier (rule B02, project T000069064), not a figure
_FIGURE = re.compile(r"(?<![A-Za-z\d.,])[−-]?\d[\d,]*(?:\.\d+)?\s*(万元|元|%|％|个|辆|人|次|项|台|套|家|名)?")


def figures(text: str) -> list[tuple[str, str]]:
    """(number as printed, unit) for every figure the text states."""
    text = _QUOTED.sub(" ", text)
    text = _YEAR.sub(" ", text)
    text = _TABLE_REF.sub(" ", text)
    out = []
    for m in _FIGURE.finditer(text):
        number = m.group(0)[: len(m.group(0)) - len(m.group(1) or "")].strip()
        out.append((number, m.group(1) or ""))
    return out


def _forms(values: list[tuple[Decimal, str]]) -> set[tuple[str, str]]:
    """Every way an allowed value may be printed: 元 to the cent, 万元, % to one decimal."""
    forms: set[tuple[str, str]] = set()
    for value, unit in values:
        for v in (value, abs(value)):
            if unit == "元":
                forms.add((fmt_money(v).replace("−", "-"), "元"))
                forms.add((fmt_wan(v).replace("−", "-"), "万元"))
            elif unit == "%":
                forms.add((fmt_percent(v).replace("−", "-"), "%"))
                forms.add((f"{v.normalize():f}", "%"))
            else:
                forms.add((f"{v.normalize():f}", unit))
    return forms


def untraced(answer: Answer) -> list[str]:
    allowed = [(r.fact.value, r.fact.unit) for r in answer.facts]
    units = {r.fact.unit for r in answer.facts} | ({answer.unit} if answer.unit else set())
    for value in answer.computed + answer.given:
        for unit in units | {"%"}:
            allowed.append((value, unit))
    forms = _forms(allowed)
    bad = []
    for number, unit in figures(answer.text):
        printed = number.replace("−", "-")
        unit = "%" if unit == "％" else unit
        if (printed, unit) not in forms:
            bad.append(f"{number}{unit}")
    return bad


# the checks an answer must pass to be verified: tracing and recomputing (here), identity and sanity
# (app/answer/identity.py); narrative and audit notes inform but do not decide
GATES = ("traced", "recomputed", "item", "year", "kind", "operation", "share_range", "same_source", "part_whole",
         "unit", "body", "direction", "scope", "contradicted")


def verify(answer: Answer, program: Program | None = None) -> Answer:
    """Fill in `checks` and `verified`; an answer with an untraceable figure is not verified."""
    checks = []
    bad = untraced(answer)
    checks.append(Check("traced", not bad, "答案中的数字均可追溯到表格数字或计算结果。" if not bad
                        else f"无法追溯的数字：{'、'.join(bad)}"))
    if program is not None:
        try:
            again = execute(program)
            same = again.computed == answer.computed
            checks.append(Check("recomputed", same, "重新计算结果一致。" if same else "重新计算结果不一致。"))
        except (ValueError, InvalidOperation) as exc:
            checks.append(Check("recomputed", False, f"重新计算失败：{exc}"))
    answer.checks.extend(checks)
    answer.verified = all(c.ok for c in answer.checks if c.name in GATES)
    return answer


# --- the narrative against the tables ----------------------------------------------------------

# A narrative figure must name the item this plainly to be compared with the table's: its exact name
# scores 0.95 (1.0 + TOTAL_COLUMN_BONUS − NARRATIVE_PENALTY), by the second printed term 0.92; a subject
# that only holds the item (培训费 in 培训费和差旅费, 0.67) is another figure, and comparing it would
# print a false disagreement in the answer.
NARRATIVE_MATCH = 0.85


def narrative_check(answer: Answer, plan, query, pool, glossary) -> Answer:
    """Where the document's narrative states the same figure (预算数, 增减额, 占比), compare it with
    the table's. Agreement is recorded as a check; a disagreement is also said in the answer, with
    the narrative's figure (a fact, so traced) — the tables are what the answer is computed from."""
    from app.answer.calc import fmt_money, fmt_percent
    from app.answer.candidates import rank

    measure = {"lookup": ("预算数", "决算数"), "change": ("增减额",), "stated_change": (), "share": ("占比",)}
    wanted = measure.get(plan.operation)
    if not wanted or not query.items or answer.value is None:
        return answer
    unit = "%" if plan.operation == "share" else "元"
    ranked = rank(query.items[0], pool, glossary, year=plan.years[0], unit=unit, measures=frozenset(wanted))
    ranked = [(s, r) for s, r in ranked if r.fact.origin == "narrative" and s >= NARRATIVE_MATCH
              and r.fact.doc_id == plan.doc.doc_id]
    if plan.operation == "change":
        ranked = [(s, r) for s, r in ranked if str(plan.years[1]) in r.fact.label_text]
    if not ranked:
        return answer
    stated = ranked[0][1]
    value = stated.fact.value
    if plan.operation == "lookup":
        table = plan.records[0].fact.value
        same, shown = value == table, f"{fmt_money(value)}元"
    elif plan.operation == "change":
        table = plan.records[0].fact.value - plan.records[1].fact.value
        same, shown = value == table, f"{fmt_money(value)}元"
    else:
        places = max(0, -value.as_tuple().exponent)
        table = answer.value
        same = table.quantize(Decimal(1).scaleb(-places)) == value
        shown = f"{fmt_percent(value, places)}%"
    where = stated.fact.label[0] if stated.fact.label else "说明部分"
    if plan.operation == "lookup" and table and value and (value == table * 10000 or table == value * 10000):
        # the narrative prints the same digits 万 times larger (or smaller): the table's unit line was
        # missed or misread, and neither figure can be shown as the table's
        answer.checks.append(Check("unit", False, f"说明部分写作{shown}，恰为表格数字的一万倍（或万分之一），"
                                                  "表格的计量单位读取有误。"))
        return answer
    if same:
        answer.checks.append(Check("narrative", True, f"说明部分（{where}）所列数字{shown}与表格一致。"))
    else:
        answer.checks.append(Check("narrative", False, f"说明部分（{where}）写作{shown}，与表格计算不一致。"))
        answer.text += f"说明部分写作{shown.replace('−', '-')}，与表格数字不一致，以上按表格计算。"
        answer.facts.append(stated)
    return answer
