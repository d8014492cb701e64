"""Questions over a generated disclosure, each with its expected answer computed from the truth.

Every operation family is asked (lookup, change amount and rate, share, sum, breakdown, extreme,
yes/no), in official and everyday words, plus what the documents do not hold (an item never
printed, a subordinate unit or an issuer not in the corpus, a year or kind not covered: no_answer)
and elliptical follow-ups (“那公务接待费呢？”, “那上一年呢？”). Expected values are Decimal: money in 元,
changes signed (later − earlier), rates and shares in percent to 4 decimals (the scorer compares
them at 2), in the format of app.eval_answers.AnswerCase.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from app.synthetic import phrasing as ph
from app.synthetic.figures import Figures, Profile, subject_name
from app.synthetic.model import TruthDocument
from app.synthetic.subjects import GOODS, NEVER_PRINTED, PERSONNEL

Z = Decimal(0)
ANSWERED, NO_ANSWER = "answered", "no_answer"


@dataclass
class Question:
    q: str
    type: str  # the AnswerCase type: lookup, change, share, sum_breakdown, extreme, count_yesno, followup, no_answer
    status: str
    cls: str  # the generator's finer class, for grouping failures (lookup:sangong, absent:body …)
    value: Decimal | None = None
    percent: Decimal | None = None
    unit: str = "元"
    previous: str | None = None
    file: str | None = None
    answer_label: str | None = None
    note: str = ""

    def to_item(self) -> dict:
        item = {"q": self.q, "type": self.type, "status": self.status, "class": self.cls}
        for key in ("value", "percent"):
            if getattr(self, key) is not None:
                item[key] = str(getattr(self, key))
        if self.value is not None or self.percent is not None:
            item["unit"] = self.unit
        for key in ("previous", "answer_label", "note"):
            if getattr(self, key):
                item[key] = getattr(self, key)
        if self.file:
            item["source"] = {"file": self.file}
        return item

    def case(self):
        from app.eval_answers import AnswerCase
        return AnswerCase(q=self.q, type=self.type, status=self.status, value=self.value, percent=self.percent,
                          previous=self.previous, files=[self.file] if self.file else [])


@dataclass
class CorpusView:
    """What a question generator needs to know about the rest of the corpus."""

    issuers: set[str]
    covered: dict[tuple[str, str], set[int]]  # (issuer, 预算/决算) → years some document prints figures for
    unique_district: set[str]  # district-level names no two issuers share
    outsiders: list[str] = field(default_factory=list)  # invented issuers that are in no document
    documents: dict[str, int] = field(default_factory=dict)  # issuer → how many documents it has


def percent(part: Decimal, whole: Decimal) -> Decimal:
    return (part / whole * 100).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


class Asker:
    def __init__(self, profile: Profile, doc: TruthDocument, figs: tuple[Figures, Figures, Figures], file: str,
                 view: CorpusView, rng: random.Random):
        self.p, self.doc, self.file, self.view, self.rng = profile, doc, file, view, rng
        self.fig, self.prior, self.budget = figs
        self.out: list[Question] = []

    # -- helpers ---------------------------------------------------------------------------
    def name(self) -> str:
        d = self.doc
        return ph.issuer_name(self.rng, d.issuer, d.district_name, d.district_name in self.view.unique_district)

    def add(self, q: str, type_: str, cls: str, **kw) -> Question:
        status = kw.pop("status", ANSWERED)
        question = Question(q=q, type=type_, status=status, cls=cls, file=self.file if status == ANSWERED else None,
                            **kw)
        self.out.append(question)
        return question

    def lookup(self, item: str, value: Decimal, cls: str, everyday: str | None = None) -> Question:
        budget = self.doc.kind == "预算"
        templates = (ph.PARAPHRASE_BUDGET if budget else ph.PARAPHRASE_FINAL) if everyday else (
            ph.LOOKUP_BUDGET if budget else ph.LOOKUP_FINAL)
        q = ph.pick(self.rng, templates, n=self.name(), y=self.doc.year, item=everyday or item, scope=self.doc.scope)
        return self.add(q, "lookup", ("paraphrase:" if everyday else "lookup:") + cls, value=value,
                        note=f"{item}" + (f"（问法：{everyday}）" if everyday else ""))

    # -- figures the document prints ----------------------------------------------------------
    def function_items(self) -> list[tuple[str, str, Decimal]]:
        """Function subjects whose total reads the same in every table that prints them."""
        fig = self.fig
        general = {c: b + p for c, (b, p) in fig.general.items()}
        out = [(c, fig.names[c], v) for c, v in general.items()]
        others = fig.fund | fig.other
        for cut in (3, 5):
            parents = {c[:cut] for c in general}
            for code in sorted(parents):
                if any(o.startswith(code) for o in others):
                    continue  # 支出总表 and 一般公共预算支出表 differ there
                out.append((code, subject_name(code, fig.names), sum(v for c, v in general.items() if c.startswith(code))))
        names = [n for _, n, _ in out]
        return [t for t in out if names.count(t[1]) == 1]

    def sangong_items(self, fig: Figures) -> dict[str, Decimal]:
        s = fig.sangong
        return {"“三公”经费": fig.sangong_total, "因公出国（境）费": s["因公出国（境）费"],
                "公务用车购置及运行费": s["公务用车购置费"] + s["公务用车运行费"],
                "公务用车购置费": s["公务用车购置费"], "公务用车运行费": s["公务用车运行费"],
                "公务接待费": s["公务接待费"]}

    def econ_items(self) -> list[tuple[str, str, Decimal]]:
        return [(c, subject_name(c, {}), v) for c, v in sorted(self.fig.econ.items())]

    # -- the families --------------------------------------------------------------------------
    def lookups(self) -> None:
        rng, fig = self.rng, self.fig
        for code, name, value in rng.sample(self.function_items(), k=min(3, len(self.function_items()))):
            self.lookup(name, value, "function")
        econ = [e for e in self.econ_items() if len(e[0]) == 5]
        for code, name, value in rng.sample(econ, k=2):
            q = self.lookup(name, value, "econ")
            q.q = q.q.replace(name, "基本支出中" + name, 1) if rng.random() < 0.5 else q.q
        sangong = {k: v for k, v in self.sangong_items(fig).items() if v}
        for item in rng.sample(sorted(sangong), k=min(2, len(sangong))):
            self.lookup(item, sangong[item], "sangong")
        totals = {"基本支出": fig.basic, "人员经费": fig.personnel, "公用经费": fig.public}
        if not (fig.fund or fig.other):
            totals["项目支出"] = fig.project
            totals["一般公共预算拨款支出" if self.doc.kind == "预算" else "一般公共预算财政拨款支出"] = fig.general_total
        for item in rng.sample(sorted(totals), k=2):
            self.lookup(item, totals[item], "total")
        if self.doc.kind == "决算":  # the 三公 table prints the year's 预算数 beside the 决算数
            item = rng.choice([k for k, v in self.sangong_items(self.budget).items() if v])
            self.add(f"{self.name()}{self.doc.year}年{item}的年初预算数是多少？", "lookup", "lookup:sangong_budget",
                     value=self.sangong_items(self.budget)[item])

    def paraphrases(self) -> None:
        values = self.sangong_items(self.fig) | {"人员经费": self.fig.personnel}
        options = [(o, e) for o, words in ph.EVERYDAY.items() for e in words if values.get(o)]
        for official, everyday in self.rng.sample(options, k=min(3, len(options))):
            self.lookup(official, values[official], "everyday", everyday=everyday)

    def previous_year(self) -> None:
        if self.doc.kind != "预算":
            return
        rng, n, y = self.rng, self.name(), self.doc.year
        code, name, _ = rng.choice([t for t in self.function_items() if len(t[0]) == 7])
        before = sum(self.prior.general[code])
        self.add(f"{n}{y - 1}年{name}预算数是多少？", "lookup", "lookup:prior_year", value=before)
        for item, value, now in self.changeable():
            if not value or now == value:
                continue
            grow = now > value
            q = ph.pick(rng, ph.CHANGE_AMOUNT, n=self.name(), y=y, py=y - 1, item=item, dir="增加" if grow else "减少")
            self.add(q, "change", "change:amount", value=now - value, percent=percent(now - value, value))
            q = ph.pick(rng, ph.CHANGE_RATE, n=self.name(), y=y, py=y - 1, item=item, dir="增长" if grow else "下降")
            self.add(q, "change", "change:rate", value=now - value, percent=percent(now - value, value))

    def changeable(self) -> list[tuple[str, Decimal, Decimal]]:
        """(item, last year, this year) for two figures the 预算 prints with last year's beside them."""
        rng = self.rng
        general_now, general_before = self.fig.general_total, self.prior.general_total
        leaves = [c for c in self.fig.general if sum(self.prior.general[c])]
        code = rng.choice(leaves)
        items = [("一般公共预算拨款支出", general_before, general_now),
                 (self.fig.names[code], sum(self.prior.general[code]), sum(self.fig.general[code]))]
        now_s, before_s = self.sangong_items(self.fig), self.sangong_items(self.prior)
        sg = [k for k in now_s if now_s[k] and before_s[k] and k != "公务用车购置费"]
        if sg:
            k = rng.choice(sg)
            items.append((k, before_s[k], now_s[k]))
        return rng.sample(items, k=2)

    def shares(self) -> None:
        fig, rng, kind = self.fig, self.rng, self.doc.kind
        pairs = [("人员经费", fig.personnel, "基本支出", fig.basic), ("公用经费", fig.public, "基本支出", fig.basic)]
        s = self.sangong_items(fig)
        if fig.sangong_total:
            part = rng.choice([k for k in ("因公出国（境）费", "公务接待费", "公务用车购置及运行费") if s[k]] or ["公务接待费"])
            pairs.append((part, s[part], "“三公”经费", fig.sangong_total))
        if not (fig.fund or fig.other):
            whole = "一般公共预算拨款支出" if kind == "预算" else "一般公共预算财政拨款支出"
            pairs.append(("基本支出", fig.basic, whole, fig.general_total))
        for part, pv, whole, wv in rng.sample(pairs, k=2):
            if not pv or not wv:
                continue
            q = ph.pick(rng, ph.SHARE, n=self.name(), y=self.doc.year, part=part, whole=whole, kind=kind)
            self.add(q, "share", "share", value=percent(pv, wv), unit="%")

    def sums(self) -> None:
        rng, kind = self.rng, self.doc.kind
        econ = [e for e in self.econ_items() if len(e[0]) == 5]
        chosen = rng.sample(econ, k=rng.choice([2, 3]))
        items = "、".join(n for _, n, _ in chosen[:-1]) + "和" + chosen[-1][1]
        q = ph.pick(rng, ph.SUM, n=self.name(), y=self.doc.year, items=items, kind=kind)
        self.add(q, "sum_breakdown", "sum", value=sum((v for _, _, v in chosen), Z))
        s = self.sangong_items(self.fig)
        if s["因公出国（境）费"] and s["公务接待费"]:
            q = ph.pick(rng, ph.SUM, n=self.name(), y=self.doc.year, items="因公出国（境）费和公务接待费", kind=kind)
            self.add(q, "sum_breakdown", "sum:sangong", value=s["因公出国（境）费"] + s["公务接待费"])

    def breakdowns(self) -> None:
        fig, rng, kind = self.fig, self.rng, self.doc.kind
        options = [("“三公”经费", fig.sangong_total), ("人员经费", fig.personnel), ("公用经费", fig.public)]
        for item, value in rng.sample(options, k=2):
            if value:
                q = ph.pick(rng, ph.BREAKDOWN, n=self.name(), y=self.doc.year, item=item, kind=kind)
                self.add(q, "sum_breakdown", "breakdown", value=value)

    def extremes(self) -> None:
        fig, rng, kind = self.fig, self.rng, self.doc.kind
        goods = {GOODS[c][0]: v for c, v in fig.econ.items() if c in GOODS}
        people = {PERSONNEL[c][0]: v for c, v in fig.econ.items() if c in PERSONNEL}
        s = self.sangong_items(fig)
        three = {k: s[k] for k in ("因公出国（境）费", "公务用车购置及运行费", "公务接待费")}
        for whole, parts in rng.sample([("商品和服务支出", goods), ("工资福利支出", people), ("“三公”经费", three)], k=2):
            top = max(parts.values())
            if list(parts.values()).count(top) != 1 or not top:
                continue
            label = next(k for k, v in parts.items() if v == top)
            q = ph.pick(rng, ph.EXTREME, n=self.name(), y=self.doc.year, whole=whole, kind=kind)
            self.add(q, "extreme", "extreme", value=top, answer_label=label)

    def yes_no(self) -> None:
        fig, rng, kind = self.fig, self.rng, self.doc.kind
        q = ph.pick(rng, ph.YESNO_FUND, n=self.name(), y=self.doc.year, kind=kind)
        label = "有" if fig.fund_total else "没有"
        how = "empty" if "fund" in self.doc.empty else ("missing" if "fund" in self.doc.missing else "printed")
        self.add(q, "count_yesno", f"yesno:fund_{how}", value=fig.fund_total, answer_label=label)
        buy = fig.sangong["公务用车购置费"]
        q = ph.pick(rng, ph.YESNO_CAR, n=self.name(), y=self.doc.year, kind=kind)
        self.add(q, "count_yesno", "yesno:car_purchase", value=buy, answer_label="有" if buy else "没有")

    def narrative(self) -> None:
        """Figures only the 情况说明 states (机关运行经费, 政府采购, 车辆), and the table figures it contradicts."""
        fig, doc, kind, n = self.fig, self.doc, self.doc.kind, self.name()
        stated = {s.item: s.value for s in doc.statements}  # as the 说明 states them (万元 rounds)
        if doc.scope == "部门":
            self.add(f"{n}{doc.year}年机关运行经费{kind}是多少？", "lookup", "narrative:running_cost",
                     value=stated["机关运行经费"])
        if fig.procurement:
            word = "预算" if kind == "预算" else "支出"
            self.add(f"{n}{doc.year}年政府采购{word}总额是多少？", "lookup", "narrative:procurement",
                     value=stated["政府采购"])
        else:
            self.add(f"{n}{doc.year}年{kind}有没有政府采购？", "count_yesno", "narrative:procurement_none",
                     value=Z, answer_label="没有")
        self.add(f"{n}{doc.year}年{kind}公开的车辆共有几辆？", "count_yesno", "narrative:vehicles",
                 value=Decimal(fig.vehicles), unit="辆", answer_label=None if fig.vehicles else "没有")
        for s in doc.contradictions():  # the sentence states another figure: the table's is the answer
            question = self.lookup(s.item, s.contradicts, "contradicted")
            question.note = f"{s.item}：表格{s.contradicts}，说明写作{s.value}（以表格为准）"

    def stated_amounts(self) -> None:
        """“…有X万元吗？”: a yes/no over a figure the question states (right or wrong); the figure is the answer."""
        rng, doc, kind = self.rng, self.doc, self.doc.kind
        options = [(k, v) for k, v in self.sangong_items(self.fig).items() if v] or [("基本支出", self.fig.basic)]
        item, value = rng.choice(options)
        stated = value if rng.random() < 0.5 else value + max(Decimal(100), (value / 1000).quantize(Decimal(1)) * 100)
        words = f"{stated / 10000:f}".rstrip("0").rstrip(".") + "万元" if stated % 100 == 0 else f"{stated:f}元"
        self.add(f"{self.name()}{doc.year}年{item}{kind}有{words}吗？", "count_yesno", "yesno:stated_amount",
                 value=value, answer_label="是" if stated == value else "不是")

    def across_documents(self) -> None:
        """Questions that need the issuer's year: two years summed, or no year when it has one document."""
        rng, doc, fig, kind, n = self.rng, self.doc, self.fig, self.doc.kind, self.name()
        if kind == "预算" and doc.year - 1 in self.view.covered.get((doc.issuer, "预算"), set()) and fig.sangong_total:
            both = self.prior.sangong_total + fig.sangong_total
            self.add(f"{n}{doc.year - 1}年和{doc.year}年“三公”经费预算一共多少？", "sum_breakdown", "sum:years",
                     value=both, note="两年之和（上年数取自表中上年栏或上年的文件，两者相同）")
        if self.view.documents.get(doc.issuer) == 1:
            item, value = rng.choice([("“三公”经费", fig.sangong_total), ("基本支出", fig.basic),
                                      ("人员经费", fig.personnel)])
            if value:
                self.add(f"{n}{item}{kind}是多少？", "lookup", "lookup:no_year", value=value,
                         note="问题没有说年份；这个单位只有一份文件")

    def absent(self) -> None:
        rng, doc, kind, n = self.rng, self.doc, self.doc.kind, self.name()
        absent_econ = [name for code, (name, _) in (PERSONNEL | GOODS).items()
                       if code not in self.fig.econ and code not in ("30217", "30231")]
        item = rng.choice(NEVER_PRINTED + absent_econ[:3])
        q = ph.pick(rng, ph.ABSENT_ITEM, n=n, y=doc.year, item=item, kind=kind)
        self.add(q, "no_answer", "absent:item", status=NO_ANSWER, note=f"{item}：文件没有这一项")
        unit = rng.choice(doc.subordinates + [doc.absent_subordinate])
        self.add(f"{n}下属的{unit}{doc.year}年公务接待费{kind}是多少？", "no_answer", "absent:subordinate",
                 status=NO_ANSWER, note="文件只公布本部门合并的数字，没有这个下属单位的")
        if self.view.outsiders:
            other = rng.choice(self.view.outsiders)
            self.add(f"{other}{doc.year}年“三公”经费{kind}是多少？", "no_answer", "absent:issuer", status=NO_ANSWER,
                     note="语料中没有这个单位的文件")
        covered = self.view.covered.get((doc.issuer, kind), set())
        year = max(covered) + 2 if rng.random() < 0.5 or min(covered) - 2 < 2010 else min(covered) - 2
        self.add(f"{n}{year}年“三公”经费{kind}是多少？", "no_answer", "absent:year", status=NO_ANSWER,
                 note=f"语料中{doc.issuer}的{kind}只覆盖{sorted(covered)}年")
        if kind == "预算" and not self.view.covered.get((doc.issuer, "决算")):
            code, name, _ = rng.choice(self.function_items())
            self.add(f"{n}{doc.year}年{name}决算数是多少？", "no_answer", "absent:kind", status=NO_ANSWER,
                     note="这个单位只有预算，没有决算")

    def follow_ups(self) -> None:
        rng, doc, fig = self.rng, self.doc, self.fig
        s = {k: v for k, v in self.sangong_items(fig).items() if v}
        if len(s) >= 2:
            first, second = rng.sample(sorted(s), k=2)
            previous = self.lookup(first, s[first], "sangong")
            everyday = rng.choice(ph.EVERYDAY.get(second, [second])) if rng.random() < 0.3 else second
            self.add(ph.pick(rng, ph.FOLLOW_ITEM, item=everyday), "followup", "followup:item", value=s[second],
                     previous=previous.q, note=f"沿用上一问的单位和年度，问{second}")
        econ = [e for e in self.econ_items() if len(e[0]) == 5]
        (_, a, av), (_, b, bv) = rng.sample(econ, k=2)
        previous = self.lookup(a, av, "econ")
        self.add(ph.pick(rng, ph.FOLLOW_ITEM, item=b), "followup", "followup:item", value=bv, previous=previous.q)
        if doc.kind == "预算":
            code, name, value = rng.choice([t for t in self.function_items() if len(t[0]) == 7])
            previous = self.lookup(name, value, "function")
            self.add(ph.pick(rng, ph.FOLLOW_YEAR, py=doc.year - 1), "followup", "followup:year",
                     value=sum(self.prior.general[code]), previous=previous.q, note="上一年的预算数（表中上年栏）")


def questions_for(profile: Profile, doc: TruthDocument, figs, file: str, view: CorpusView,
                  seed: str) -> list[Question]:
    """The questions over one document (about 25), the same for the same seed."""
    asker = Asker(profile, doc, figs, file, view, random.Random(f"{seed}:questions:{doc.doc_key}"))
    for family in (asker.lookups, asker.paraphrases, asker.previous_year, asker.shares, asker.sums, asker.breakdowns,
                   asker.extremes, asker.yes_no, asker.stated_amounts, asker.across_documents, asker.narrative,
                   asker.absent, asker.follow_ups):
        family()
    return asker.out
