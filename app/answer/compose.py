"""Plan + Result → Answer: the Chinese reply, the facts used, the calculation and the sources.

Money is written as the documents print it (元, two decimals, thousands separators) with the
万元 form beside it when the amount is large enough for that to help; percentages to one
decimal. Every figure in the text comes from a fact or from the calculator's result — the
verifier (app/answer/verify.py) checks that before an answer is shown. Labels and titles are quoted
(“…”, 《…》) so the verifier can tell them from figures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from app.answer.calc import Result, fmt_money, fmt_percent, fmt_wan, money
from app.answer.candidates import FactRecord
from app.answer.plan_common import Plan

ANSWERED, NO_ANSWER, CLARIFY = "answered", "no_answer", "clarify"
ERROR = "error"  # one question failed inside the engine (app/answer/stages.py); the batch goes on
WAN_FROM = Decimal(10000)  # amounts from 1万元 on are also given in 万元


@dataclass
class Check:
    name: str
    ok: bool
    detail: str

    def to_dict(self) -> dict:
        return {"name": self.name, "ok": self.ok, "detail": self.detail}


@dataclass
class Answer:
    question: str
    status: str  # answered | no_answer | clarify | error
    text: str
    value: Decimal | None = None
    unit: str | None = None
    facts: list[FactRecord] = field(default_factory=list)
    calculation: str = ""
    checks: list[Check] = field(default_factory=list)
    verified: bool = False
    options: list[str] = field(default_factory=list)  # clarify: the documents to choose from
    option_ids: list[str] = field(default_factory=list)  # clarify: their doc ids, in the same order
    computed: list[Decimal] = field(default_factory=list)  # every value the calculator produced
    given: list[Decimal] = field(default_factory=list)  # figures the question itself states
    passages: list[dict] = field(default_factory=list)  # text answers: the quoted sentences' sources
    notes: list[str] = field(default_factory=list)  # audit findings the figures used take part in
    # a follow-up: what it took from the previous question ({"issuer", "year", "items", "operation"})
    inherited: dict = field(default_factory=dict)
    related: list[dict] = field(default_factory=list)  # the hybrid index's top sections (app/answer/related.py)
    llm: dict = field(default_factory=dict)  # {"used", "model", "role"} when a language model took part (app/llm/)

    def to_dict(self) -> dict:
        """The `ask --json` object of DESIGN.md."""
        data = {
            "question": self.question,
            "status": self.status,
            "answer": self.text,
            "result": None if self.value is None else {"value": _plain(self.value, self.unit), "unit": self.unit},
            "facts": [fact_dict(r) for r in self.facts],
            "calculation": self.calculation,
            "checks": [c.to_dict() for c in self.checks],
            "verified": self.verified,
            # a clarify answer's sources are the documents it asks the user to choose from
            "sources": sources(self.facts) + self.passages + [
                {"doc_id": doc_id, "title": option, "locator": "", "snippet": ""}
                for doc_id, option in zip(self.option_ids, self.options)],
            "related": self.related,
        }
        if self.inherited:
            data["inherited"] = self.inherited
        if self.llm:
            data["llm"] = self.llm
        return data


def _plain(value: Decimal, unit: str | None) -> str:
    if unit == "元":
        return f"{money(value):f}"
    return f"{value:f}"


def fact_label(r: FactRecord) -> str:
    f = r.fact
    if f.origin == "narrative" or not f.locator.table:
        return f.label_text
    return " › ".join([f.locator.table] + [p for p in f.label[1:] if p])


def fact_dict(r: FactRecord) -> dict:
    f = r.fact
    return {"value": f"{f.value:f}", "unit": f.unit, "doc_id": f.doc_id, "label": fact_label(r),
            "locator": f.locator.describe()}


def sources(records: list[FactRecord]) -> list[dict]:
    out, seen = [], set()
    for r in records:
        f = r.fact
        key = (f.doc_id, f.locator.table or f.locator.section)
        if key in seen:
            continue
        seen.add(key)
        where = f"{table_ref(f.locator.table)}《{f.label[0]}》" if f.locator.table and f.label else f.locator.describe()
        snippet = f.sentence or f"{fact_label(r)}：{f.text}"
        out.append({"doc_id": f.doc_id, "title": r.doc.title, "locator": where, "snippet": snippet})
    return out


def amount(value: Decimal) -> str:
    """2750000 → "2,750,000.00元（275.00万元）"."""
    text = f"{fmt_money(value)}元"
    if abs(value) >= WAN_FROM:
        text += f"（{fmt_wan(value)}万元）"
    return text


def _figure(value: Decimal, unit: str) -> str:
    if unit == "元":
        return amount(value)
    if unit == "%":
        return f"{fmt_percent(value)}%"
    return f"{value.normalize():f}{unit}"


def table_ref(key: str | None) -> str:
    """表十 as printed; a bare number (8, 1-1, 五) as 表8 so that it never reads as a figure."""
    if not key:
        return ""
    return key if key.startswith("表") else f"表{key}"


def _where(r: FactRecord) -> str:
    f = r.fact
    if f.origin == "narrative":
        return "说明部分"
    ref = table_ref(f.locator.table)
    return f"{ref}《{f.label[0]}》“{f.locator.column}”栏" if f.locator.column else ref


def _measure_word(r: FactRecord, doc_kind: str | None) -> str:
    """决算数 / 预算数 as the figure's column says (a 决算 prints both), else by the document."""
    where = (r.fact.locator.column or "") + (r.fact.measure or "")
    if "决算" in where or "执行" in where:
        return "决算数"
    if "预算" in where:
        return "预算数"
    return "决算数" if doc_kind == "决算" else "预算数"


def compose(question: str, plan: Plan, result: Result, query_direction: str | None,
            wants_percent: bool) -> Answer:
    recs, names, years = plan.records, plan.names, plan.years
    who = plan.doc.issuer or ""
    kind = _measure_word(recs[0], plan.doc.kind)
    if names and re.search(r"(预算|决算)数?$", names[0]):
        kind = ""  # the name already says it (机关运行经费预算数)
    value, unit = result.value, result.unit
    if plan.operation == "lookup":
        f = recs[0].fact
        text = f"{who}{years[0]}年{names[0]}{kind}为{_figure(f.value, f.unit)}。数据来自{_where(recs[0])}。"
    elif plan.operation == "change":
        new, old = recs[0].fact, recs[1].fact
        diff = new.value - old.value
        pct = result.steps[1].value
        if diff == 0:
            text = (f"{who}{years[0]}年{names[0]}{kind}{_figure(new.value, new.unit)}，"
                    f"与{years[1]}年持平。")
        else:
            word, rate_word = ("减少", "下降") if diff < 0 else ("增加", "增长")
            text = (f"{who}{years[0]}年{names[0]}{kind}{_figure(new.value, new.unit)}，比{years[1]}年的"
                    f"{_figure(old.value, old.unit)}{word}{_figure(abs(diff), new.unit)}，{rate_word}{fmt_percent(abs(pct))}%。")
        text += f"数据来自{_where(recs[0])}"
        text += "。" if recs[1].key[:2] == recs[0].key[:2] else f"和{_where(recs[1])}。"
        asked = {"decrease": -1, "increase": 1}.get(query_direction or "")
        if wants_percent:
            value, unit = pct, "%"
        else:
            sign = 1 if diff >= 0 else -1
            value, unit = (abs(diff) if asked == sign else diff), new.unit
    elif plan.operation == "stated_change":
        new, change = recs[0].fact, recs[1].fact
        word = "减少" if change.value < 0 else "增加"
        text = (f"{who}{years[0]}年{names[0]}{kind}{_figure(new.value, new.unit)}，说明部分写明比{years[1]}年"
                f"{word}{_figure(abs(change.value), change.unit)}（表格中没有{years[1]}年的数字可供复核）。")
        asked = {"decrease": -1, "increase": 1}.get(query_direction or "")
        sign = -1 if change.value < 0 else 1
        value, unit = (abs(change.value) if asked == sign else change.value), change.unit
    elif plan.operation == "share":
        part, whole = recs[0].fact, recs[1].fact
        text = (f"{who}{years[0]}年{names[0]}{_figure(part.value, part.unit)}，占{names[1]}"
                f"{_figure(whole.value, whole.unit)}的{fmt_percent(value)}%。数据来自{_where(recs[0])}。")
    elif plan.operation == "sum":
        parts = "、".join(f"{n}{_figure(r.fact.value, r.fact.unit)}" for n, r in zip(names, recs))
        text = f"{who}{years[0]}年{parts}，合计{_figure(value, unit)}。数据来自{_where(recs[0])}。"
    elif plan.operation == "breakdown":
        whole = recs[0].fact
        parts = "、".join(f"{n}{_figure(r.fact.value, r.fact.unit)}" for n, r in zip(names[1:], recs[1:]))
        text = (f"{who}{years[0]}年{names[0]}{kind}{_figure(whole.value, whole.unit)}，包括{parts}。"
                f"数据来自{_where(recs[0])}。")
        if value != whole.value:
            text += f"各项相加为{_figure(value, unit)}，与合计数不一致。"
        value, unit = whole.value, whole.unit
    elif plan.operation == "extreme":
        pick = recs[1 + result.choice]
        word = "最多" if plan.program.steps[-1].op == "max" else "最少"
        text = (f"{who}{years[0]}年{names[0]}中{word}的是{names[1 + result.choice]}，"
                f"{kind}{_figure(pick.fact.value, pick.fact.unit)}。数据来自{_where(pick)}。")
    elif plan.operation == "extreme_of":
        pick = recs[result.choice]
        word = "多" if plan.program.steps[-1].op == "max" else "少"
        parts = "、".join(f"{n}{_figure(r.fact.value, r.fact.unit)}" for n, r in zip(names, recs))
        text = (f"{who}{years[0]}年{parts}，{names[result.choice]}{word}。"
                f"数据来自{_where(pick)}。")
        value, unit = pick.fact.value, pick.fact.unit
    elif plan.operation == "across_sum":
        parts = "、".join(f"{y}年{_figure(r.fact.value, r.fact.unit)}" for y, r in zip(years, recs))
        text = f"{who}{names[0]}{kind}：{parts}，合计{_figure(value, unit)}。数据来自各年度文件的{_where(recs[0])}等。"
    elif plan.operation == "across_extreme":
        pick = recs[result.choice]
        word = "最多" if plan.program.steps[-1].op == "max" else "最少"
        parts = "、".join(f"{y}年{_figure(r.fact.value, r.fact.unit)}" for y, r in zip(years, recs))
        text = f"{who}{names[0]}{kind}{word}的是{years[result.choice]}年，为{_figure(pick.fact.value, pick.fact.unit)}（{parts}）。"
    elif plan.operation == "execution":
        final, budget = recs[0].fact, recs[1].fact
        text = (f"{who}{years[0]}年{names[0]}决算数{_figure(final.value, final.unit)}，为预算数"
                f"{_figure(budget.value, budget.unit)}的{fmt_percent(value)}%。数据来自{_where(recs[0])}。")
    elif plan.operation == "across_classes":
        step = plan.program.steps[-1].op
        names = [f"“{re.sub(r'^[0-9A-Z]{8,}-', '', n)}”" for n in names]  # project codes are ids, not figures
        parts = "、".join(f"{n}{_figure(r.fact.value, r.fact.unit)}" for n, r in zip(names, recs))
        if step == "sum":
            text = f"{who}{years[0]}年{'各项目' if recs[0].fact.origin == 'form' else '按功能分类'}：{parts}，合计{_figure(value, unit)}。数据来自{_where(recs[0])}。"
        else:
            pick = recs[result.choice]
            word = "最多" if step == "max" else "最少"
            text = (f"{who}{years[0]}年{'各项目中' if recs[0].fact.origin == 'form' else '按功能分类'}，"
                    f"{word}的是{names[result.choice]}，{kind}"
                    f"{_figure(pick.fact.value, pick.fact.unit)}（{parts}）。数据来自{_where(pick)}。")
    elif plan.operation == "count":
        f = recs[0].fact
        text = f"{who}{names[0]}为{_figure(f.value, f.unit)}（{years[0]}年）。数据来自{_where(recs[0])}。"
    elif plan.operation == "yes_no":
        f = recs[0].fact
        stated = f"{names[0]}{kind if f.unit == '元' else ''}为{_figure(f.value, f.unit)}"
        if plan.given:
            n = plan.given[0]
            verdict = "是" if f.value == n else ("超过了" if f.value > n else "没有")
            text = f"{verdict}。{who}{years[0]}年{stated}，问题中的数字是{_figure(n, f.unit)}。"
        else:
            text = f"{'没有' if f.value == 0 else '有'}。{who}{years[0]}年{stated}。"
        text += f"数据来自{_where(recs[0])}。"
    else:
        raise ValueError(f"no composer for {plan.operation}")
    text += "".join(plan.notes)
    if unit == "元":
        value = money(value)
    return Answer(question=question, status=ANSWERED, text=text, value=value, unit=unit, facts=list(recs),
                  calculation=result.calculation, computed=result.computed, given=list(plan.given))
