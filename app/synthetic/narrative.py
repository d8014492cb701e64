"""The 情况说明: sections whose sentences restate the tables' figures (and, where the generator
says so, contradict one of them), each stated figure recorded as a Statement."""

from __future__ import annotations

import random
from decimal import Decimal

from app.synthetic.figures import Figures, Profile
from app.synthetic.model import Section, Statement, as_stated, plain
from app.synthetic.names import person, phone
from app.synthetic.subjects import CLASSES, GOODS, GROUPS, PERSONNEL

Z = Decimal(0)
_REASONS = {"增加": ["新增重点工作任务", "人员变动及社保缴费基数调整", "落实上级政策增加相关经费"],
            "减少": ["按照过紧日子的要求压减一般性支出", "部分项目完成后不再安排", "人员退休减少"]}


def _pct(part: Decimal, whole: Decimal) -> str:
    return f"{(part / whole * 100).quantize(Decimal('0.01'))}" if whole else "0"


def _change(now: Decimal, before: Decimal, unit: str, rng: random.Random, with_rate: bool = True) -> str:
    if now == before:
        return "与上年持平"
    word, rate_word = ("增加", "增长") if now > before else ("减少", "下降")
    text = f"比上年{word}{plain(abs(now - before), unit)}{unit}"
    if with_rate and before:
        text += f"，{rate_word}{(abs(now - before) / before * 100).quantize(Decimal('0.01'))}%"
    if rng.random() < 0.6:
        text += f"，主要原因是{rng.choice(_REASONS[word])}"
    return text


class Narrator:
    """Writes sentences in the document's unit and records every figure they state."""

    def __init__(self, unit: str, rng: random.Random, contradict: str | None):
        self.unit, self.rng, self.contradict = unit, rng, contradict
        self.statements: list[Statement] = []

    def figure(self, item: str, value: Decimal, measure: str = "amount") -> str:
        """The figure as the sentence states it; the one item chosen to contradict is stated off."""
        stated, table = as_stated(value, self.unit), None
        if item == self.contradict and value:
            step = Decimal("100") if self.unit == "万元" else Decimal("1")
            stated = stated + step * self.rng.choice([-1, 1]) * self.rng.randint(3, 40)
            stated = stated if stated > 0 else as_stated(value, self.unit) + step * 7
            table = value
            self.contradict = None
        self.statements.append(Statement(item, stated, measure, table))
        return f"{plain(stated, self.unit)}{self.unit}"


def budget_sections(p: Profile, fig: Figures, prior: Figures, n: Narrator, subs: list[str]) -> list[Section]:
    u, y, rng, iss = n.unit, fig.year, n.rng, p.issuer.full
    scope = p.issuer.scope
    out = [_about(p, subs, rng)]
    income = [f"{y}年收入预算{n.figure('收入预算', fig.total)}，其中：一般公共预算拨款收入"
              f"{n.figure('一般公共预算拨款收入', fig.general_total)}，占{_pct(fig.general_total, fig.total)}%"]
    if fig.fund:
        income.append(f"政府性基金预算拨款收入{n.figure('政府性基金预算拨款收入', fig.fund_total)}")
    if fig.other:
        income.append(f"事业收入{n.figure('事业收入', fig.other_total)}")
    spend = (f"{y}年支出预算{n.figure('支出预算', fig.total)}，其中：基本支出{n.figure('基本支出', fig.basic)}，"
             f"占{_pct(fig.basic, fig.total)}%；项目支出{n.figure('项目支出', fig.project + fig.fund_total + fig.other_total)}，"
             f"占{_pct(fig.project + fig.fund_total + fig.other_total, fig.total)}%。")
    out.append(Section(f"二、{scope}预算收支总体情况", ["；".join(income) + "。", spend]))
    paras = [f"{y}年一般公共预算拨款支出{n.figure('一般公共预算拨款支出', fig.general_total)}，"
             f"{_change(fig.general_total, prior.general_total, u, rng)}。"]
    for code in sorted(fig.general):
        b, pr = fig.general[code]
        before = sum(prior.general.get(code, (Z, Z)))
        paras.append(f"{CLASSES[code[:3]]}（类）{GROUPS[code[:5]]}（款）{fig.names[code]}（项）{y}年预算数为"
                     f"{n.figure(fig.names[code], b + pr)}，{_change(b + pr, before, u, rng, with_rate=False)}。")
    out.append(Section("三、一般公共预算拨款支出预算情况", paras))
    out.append(Section("四、一般公共预算基本支出预算情况", [_basic(fig, n, "预算")]))
    out.append(Section("五、“三公”经费预算情况", [_sangong_budget(fig, prior, n)]))
    out.append(Section("六、政府性基金预算支出情况", [_fund(fig, n, iss)]))
    out.append(Section("七、其他重要事项的情况说明", _other(p, fig, n, "预算")))
    out += _tail(p, rng)
    return out


def final_sections(p: Profile, fig: Figures, prior: Figures, budget: Figures, n: Narrator,
                   subs: list[str]) -> list[Section]:
    u, y, rng, iss = n.unit, fig.year, n.rng, p.issuer.full
    out = [_about(p, subs, rng)]
    total = (f"{y}年度收入总计{n.figure('收入总计', fig.total)}，支出总计{n.figure('支出总计', fig.total)}。"
             f"与上年相比，收、支总计各{_change(fig.total, prior.total, u, rng).removeprefix('比上年')}。")
    out.append(Section("二、收入支出决算总体情况说明", [total]))
    paras = [f"{y}年度一般公共预算财政拨款支出{n.figure('一般公共预算财政拨款支出', fig.general_total)}，"
             f"占本年支出合计的{_pct(fig.general_total, fig.total)}%。"]
    for code in sorted(fig.general):
        actual, planned = sum(fig.general[code]), sum(budget.general.get(code, (Z, Z)))
        rate = f"完成年初预算的{_pct(actual, planned)}%" if planned else "年初未安排预算"
        paras.append(f"{fig.names[code]}（项）：年初预算为{plain(planned, u)}{u}，支出决算为"
                     f"{n.figure(fig.names[code], actual)}，{rate}。")
    out.append(Section("三、一般公共预算财政拨款支出决算情况说明", paras))
    out.append(Section("四、一般公共预算财政拨款基本支出决算情况说明", [_basic(fig, n, "决算")]))
    s_b, s_a = budget.sangong_total, fig.sangong_total
    sg = (f"{y}年度“三公”经费财政拨款支出预算为{plain(s_b, u)}{u}，支出决算为{n.figure('三公经费', s_a)}，"
          f"完成预算的{_pct(s_a, s_b)}%。其中：因公出国（境）费支出决算为"
          f"{n.figure('因公出国（境）费', fig.sangong['因公出国（境）费'])}；公务用车购置及运行费支出决算为"
          f"{n.figure('公务用车购置及运行费', fig.sangong['公务用车购置费'] + fig.sangong['公务用车运行费'])}；"
          f"公务接待费支出决算为{n.figure('公务接待费', fig.sangong['公务接待费'])}。")
    out.append(Section("五、财政拨款“三公”经费支出决算情况说明", [sg]))
    out.append(Section("六、政府性基金预算财政拨款收入支出决算情况说明", [_fund(fig, n, iss)]))
    out.append(Section("七、其他重要事项的情况说明", _other(p, fig, n, "决算")))
    out += _tail(p, rng)
    return out


def _about(p: Profile, subs: list[str], rng: random.Random) -> Section:
    iss = p.issuer
    word = "部门" if iss.scope == "部门" else "单位"
    structure = (f"{iss.full}内设{rng.randint(3, 9)}个科室" +
                 (f"，下属单位包括{'、'.join(subs)}。" if subs else "，无下属单位。"))
    return Section(f"一、{word}基本情况", [f"（一）职能职责", f"{iss.full}主要职能是：{iss.body.duty}。",
                                         "（二）机构设置", structure])


def _basic(fig: Figures, n: Narrator, kind: str) -> str:
    people = "、".join(PERSONNEL[c][0] for c in sorted(fig.econ) if c in PERSONNEL)
    goods = "、".join(GOODS[c][0] for c in sorted(fig.econ) if c in GOODS)
    word = "" if kind == "预算" else "财政拨款"
    return (f"{fig.year}年{'度' if kind == '决算' else ''}一般公共预算{word}基本支出{n.figure('基本支出', fig.basic)}，"
            f"其中：人员经费{n.figure('人员经费', fig.personnel)}，主要包括{people}；"
            f"公用经费{n.figure('公用经费', fig.public)}，主要包括{goods}。")


def _sangong_budget(fig: Figures, prior: Figures, n: Narrator) -> str:
    s, u = fig.sangong, n.unit
    car = s["公务用车购置费"] + s["公务用车运行费"]
    return (f"{fig.year}年“三公”经费预算{n.figure('三公经费', fig.sangong_total)}，"
            f"{_change(fig.sangong_total, prior.sangong_total, u, n.rng, with_rate=False)}。其中：因公出国（境）费"
            f"{n.figure('因公出国（境）费', s['因公出国（境）费'])}；公务用车购置及运行费{n.figure('公务用车购置及运行费', car)}，"
            f"其中公务用车购置费{n.figure('公务用车购置费', s['公务用车购置费'])}、公务用车运行费"
            f"{n.figure('公务用车运行费', s['公务用车运行费'])}；公务接待费{n.figure('公务接待费', s['公务接待费'])}。")


def _fund(fig: Figures, n: Narrator, issuer: str) -> str:
    if not fig.fund:
        return f"{issuer}{fig.year}年无使用政府性基金预算拨款安排的支出。"
    uses = "、".join(fig.names[c] for c in sorted(fig.fund))
    return f"{fig.year}年政府性基金预算拨款支出{n.figure('政府性基金预算拨款支出', fig.fund_total)}，主要用于{uses}。"


def _other(p: Profile, fig: Figures, n: Narrator, kind: str) -> list[str]:
    y = fig.year
    out = []
    if p.issuer.scope == "部门":
        out.append(f"（一）机关运行经费。{y}年机关运行经费{kind}{n.figure('机关运行经费', fig.public)}。")
    word = "预算" if kind == "预算" else "支出"  # a 决算 reports what procurement spent
    buy = (f"{y}年政府采购{word}总额{n.figure('政府采购', fig.procurement)}。" if fig.procurement
           else f"{y}年本{p.issuer.scope}无政府采购{word}。")
    out.append(f"（二）政府采购情况。{buy}")
    out.append(f"（三）国有资产占有使用情况。截至{y - 1 if kind == '预算' else y}年12月底，共有车辆"
               f"{fig.vehicles}辆。")
    return out


def _tail(p: Profile, rng: random.Random) -> list[Section]:
    return [Section("八、名词解释", ["（一）基本支出：指为保障机构正常运转、完成日常工作任务而发生的人员经费和公用经费。",
                                   "（二）项目支出：指在基本支出之外为完成特定行政任务和事业发展目标所发生的支出。",
                                   "（三）“三公”经费：指用财政拨款安排的因公出国（境）费、公务用车购置及运行费和公务接待费。"]),
            Section("九、联系方式", [f"联系人：{person(rng)}，联系电话：{phone(rng)}。"])]
