"""Audit rules over the narrative against itself (B02 shares, B03 changes, B04 direction words,
B05 empty-table notes, B06 two prior-year bases, B07 政府采购 parts), and the helpers the other
narrative rules share.

Narrative figures come from ingest.narrative (label = section, subject, measure[, detail]).
Shares and changes are recomputed only from figures of the same sentence; tolerances follow the
printed rounding of every figure taking part.
"""

from __future__ import annotations

import re
from decimal import Decimal

from app.audit.findings import Figure, Finding, cell_figure, yuan
from ingest.model import Disclosure, Fact, Locator
from ingest.numbers import printed_tolerance, unit_factor

MONEY = "元"
PUNCT = re.compile(r"[\s“”\"‘’'（）()《》〈〉、，,。：:；;·\-—－]|[(（][类款项][)）]")


def bigrams(text: str) -> set[str]:
    s = PUNCT.sub("", text)
    return {s[i:i + 2] for i in range(len(s) - 1)}


def dice_similarity(a: set[str], b: set[str]) -> float:
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


def fact_figure(fact: Fact, label: str | None = None) -> Figure:
    return Figure(label or " › ".join(p for p in fact.label[1:] if p), fact.value, fact.unit, fact.text,
                  fact.locator)


def sentence_facts(d: Disclosure) -> list[list[Fact]]:
    groups: list[list[Fact]] = []
    for f in d.narrative_facts:
        if groups and groups[-1][0].sentence == f.sentence and groups[-1][0].locator == f.locator:
            groups[-1].append(f)
        else:
            groups.append([f])
    return groups


def fact_detail(f: Fact) -> str:
    return f.label[3] if len(f.label) > 3 else ""


# --- B02 shares, B03/B04 changes, B06 two bases ---------------------------------------------------------


def _share_tolerance(share: Fact, part: Fact, whole: Fact) -> Decimal:
    tol = printed_tolerance(share)
    if part.value and whole.value:
        tol += abs(share.value) * (printed_tolerance(part) / abs(part.value) + printed_tolerance(whole) / abs(whole.value))
    return tol + Decimal("0.0001")


def shares(d: Disclosure) -> list[Finding]:
    out = []
    for group in sentence_facts(d):
        money = [f for f in group if f.unit == MONEY and f.measure in ("预算数", "决算数", "执行数")]
        for i, f in enumerate(group):
            if f.measure != "占比" or f.unit != "%":
                continue
            before = [g for g in group[:i] if g in money]
            if not before:
                continue
            part = before[-1]
            detail = fact_detail(f)
            whole = None
            if detail.startswith("完成"):
                budget = [g for g in before if g.measure == "预算数" and g.label[1] == part.label[1]]
                if part.measure == "预算数" or not budget:
                    continue
                whole = budget[-1]
            elif detail.startswith("占") and len(detail) > 1:
                named = bigrams(detail[1:])
                cands = [g for g in money if g is not part and named and
                         len(named & bigrams(g.label[1])) / len(named) >= 0.8]
                whole = cands[0] if len(cands) == 1 else None
                if whole is None:
                    prior = [g for g in d.narrative_facts if g.unit == MONEY and g.measure == part.measure
                             and named and len(named & bigrams(g.label[1])) / len(named) >= 0.8
                             and len(bigrams(g.label[1])) <= len(named) + 1]
                    whole = prior[0] if len({g.value for g in prior}) == 1 else None
            elif (money and money[0] is not part and part.label[1] != money[0].label[1]
                  and money[0].value >= part.value and re.search(r"其中|主要用于|包括", part.sentence or "")):
                whole = money[0]
            if whole is None or not whole.value:
                continue
            computed = part.value / whole.value * 100
            if abs(computed - f.value) <= _share_tolerance(f, part, whole):
                continue
            out.append(Finding("B02", f"说明中“{part.label[1]}”{part.text}占{'' if not detail else detail.lstrip('占完成') + '的'}"
                                      f"比例写为 {f.text}，按 {part.text} ÷ {whole.text}（{whole.label[1]}）计算为 "
                                      f"{computed:.2f}%。", [fact_figure(f), fact_figure(part), fact_figure(whole)]))
    return out


def changes(d: Disclosure) -> list[Finding]:
    out = []
    for group in sentence_facts(d):
        for i, rate in enumerate(group):
            if rate.measure != "增减率" or rate.unit != "%":
                continue
            deltas = [g for g in group[:i] if g.measure == "增减额" and g.unit == MONEY
                      and g.label[1] == rate.label[1] and fact_detail(g) == fact_detail(rate)]
            if not deltas:
                out.extend(_rate_from_levels(d, group[:i], rate))
                continue
            delta = deltas[-1]
            if delta.value and rate.value and (delta.value > 0) != (rate.value > 0):
                out.append(Finding("B04", f"说明中“{rate.label[1]}”增减额 {delta.text} 与增减率 {rate.text} 的方向相反。",
                                   [fact_figure(delta), fact_figure(rate)]))
                continue
            levels = [g for g in group if g.measure in ("预算数", "决算数") and g.unit == MONEY
                      and g.label[1] == rate.label[1] and (g.year == d.year or g.year is None)]
            if not levels:
                # "与2023年度相比，…减少56.95万元，下降1.87%": the level is the sentence before
                levels = [g for g in d.narrative_facts if g.measure in ("预算数", "决算数") and g.unit == MONEY
                          and g.label[1] == rate.label[1] and g.locator == rate.locator
                          and d.narrative_facts.index(g) < d.narrative_facts.index(rate)][-1:]
            if not levels:
                continue
            level = levels[0]
            base = level.value - delta.value
            if base <= 0:
                continue
            computed = delta.value / base * 100
            tol = printed_tolerance(rate) + abs(computed) * (
                printed_tolerance(delta) / max(abs(delta.value), Decimal("0.01")) + printed_tolerance(level) / base)
            if abs(computed - rate.value) <= tol + Decimal("0.0001"):
                continue
            out.append(Finding("B03", f"说明中“{rate.label[1]}”本年 {level.text}，增减额 {delta.text}，上年基数应为 "
                                      f"{yuan(base)} 元，增减率应为 {computed:.2f}%，说明写为 {rate.text}。",
                               [fact_figure(level), fact_figure(delta), fact_figure(rate)]))
    return out


def _rate_from_levels(d: Disclosure, before: list[Fact], rate: Fact) -> list[Finding]:
    """"2022年当年预算执行数为X万元，2023年预算安排Y万元，比2022年预算执行数增加Z%": Z = (Y − X) / X."""
    compared = re.search(r"(\d{4})", fact_detail(rate))
    if not compared:
        return []
    year = int(compared.group(1))
    kind = "执行数" if "执行" in fact_detail(rate) else "决算数" if "决算" in fact_detail(rate) else "预算数"
    bases = [g for g in before if g.unit == MONEY and g.year == year and g.measure == kind]
    levels = [g for g in before if g.unit == MONEY and g.year == d.year and g.measure in ("预算数", "决算数")]
    if len(bases) != 1 or not levels or not bases[0].value:
        return []
    base, level = bases[0], levels[-1]
    computed = (level.value - base.value) / base.value * 100
    tol = printed_tolerance(rate) + abs(computed) * (printed_tolerance(base) / base.value) + \
        (printed_tolerance(level) + printed_tolerance(base)) / base.value * 100
    if abs(computed - rate.value) <= tol + Decimal("0.0001"):
        return []
    # the sign the cue word gives (增加/减少) against the sign of the two figures: a direction word
    rule = "B04" if computed and rate.value and (computed > 0) != (rate.value > 0) else "B03"
    said = ("增加" if rate.value > 0 else "减少" if rate.value < 0 else "") + rate.text.lstrip("+-")
    return [Finding(rule, f"说明中{year}年{kind} {base.text}、{d.year}年 {level.text}，增减率应为 {computed:.2f}%，"
                          f"说明写为{said}（{rate.sentence[:60]}）。",
                    [fact_figure(base), fact_figure(level), fact_figure(rate)])]


def two_bases(d: Disclosure) -> list[Finding]:
    """Two changes of figures equal this year, against the same year, that imply different bases."""
    out = []
    pairs = []  # (level fact, change fact)
    for group in sentence_facts(d):
        for i, ch in enumerate(group):
            if ch.measure != "增减额" or ch.unit != MONEY or not fact_detail(ch):
                continue
            levels = [g for g in group[:i] if g.measure in ("预算数", "决算数") and g.unit == MONEY
                      and g.label[1] == ch.label[1]]
            if levels and levels[-1].value:
                pairs.append((levels[-1], ch))
    by_key: dict[tuple, list] = {}
    for level, ch in pairs:
        year = re.search(r"\d{4}", fact_detail(ch))
        by_key.setdefault((level.value, year.group(0) if year else ""), []).append((level, ch))
    for (amount, year), items in by_key.items():
        values = {ch.value for _, ch in items}
        if len(values) < 2:
            continue
        spread = max(values) - min(values)
        if spread <= max(printed_tolerance(ch) for _, ch in items) * 2:
            continue
        parts = "；".join(f"“{ch.label[1]}”{fact_detail(ch)}{'增加' if ch.value >= 0 else '减少'}{ch.text}"
                         f"（上年基数 {yuan(lv.value - ch.value)} 元）" for lv, ch in items)
        figs = [fact_figure(x) for lv, ch in items for x in (lv, ch)]
        out.append(Finding("B06", f"本年同为 {yuan(amount)} 元、与{year}年比较，说明给出不同的增减额：{parts}。", figs))
    return out


_VERSUS = re.compile(r"年初预算为\s*(?P<b>[\d,]+(?:\.\d+)?)\s*(?P<bu>万元|元)[^。]{0,12}?决算为\s*(?P<f>[\d,]+(?:\.\d+)?)"
                     r"\s*(?P<fu>万元|元)[。，,；;\s]*决算数\s*(?P<word>大于|小于|等于|高于|低于|与预算数基本持平|与预算数持平|基本持平|持平)")


def paragraphs(d: Disclosure):
    for top in d.sections:
        for s in top.walk():
            yield s, f"{s.number}{s.heading}", None, s.page
            for p in s.paragraphs:
                yield s, re.sub(r"\s*\n\s*", "", p.text), p, p.page or s.page


def _running_text(d: Disclosure) -> tuple[str, list[tuple[int, int | None, str]]]:
    """The whole narrative as one string (headings and paragraphs in reading order), with the
    offset where each section's text starts: a numbered item the section builder took for a
    heading ("7、…年初预算为 80.81 万元，支出决算为") runs on into its paragraph."""
    parts, marks, pos = [], [], 0
    for section, text, _, page in paragraphs(d):
        marks.append((pos, page, f"{section.number}{section.heading}"))
        parts.append(text)
        pos += len(text)
    return "".join(parts), marks


def _where(marks, offset: int) -> Locator:
    page, section = None, None
    for start, p, s in marks:
        if start > offset:
            break
        page, section = p, s
    return Locator(page=page, section=section)


def directions(d: Disclosure) -> list[Finding]:
    """"年初预算为X万元，支出决算为Y万元。决算数小于预算数" — the comparison word against X and Y."""
    out = []
    text, marks = _running_text(d)
    for m in _VERSUS.finditer(text):
        b = Decimal(m.group("b").replace(",", "")) * unit_factor(m.group("bu"))
        f = Decimal(m.group("f").replace(",", "")) * unit_factor(m.group("fu"))
        word = m.group("word")
        if word in ("大于", "高于"):
            ok = f > b
        elif word in ("小于", "低于"):
            ok = f < b
        elif word in ("等于", "持平", "与预算数持平"):
            ok = f == b
        else:  # 基本持平: within 1% of the budget
            ok = abs(f - b) <= abs(b) / 100
        if ok:
            continue
        loc = _where(marks, m.start("f"))
        out.append(Finding("B04", f"说明写“决算数{word}预算数”，但年初预算为 {m.group('b')}{m.group('bu')}、"
                                  f"支出决算为 {m.group('f')}{m.group('fu')}"
                                  f"（{'大于' if f > b else '小于' if f < b else '等于'}预算数）。",
                           [Figure("年初预算", b, MONEY, m.group("b") + m.group("bu"), _where(marks, m.start("b"))),
                            Figure("支出决算", f, MONEY, m.group("f") + m.group("fu"), loc)]))
    return out


_EMPTY_NOTE = re.compile(r"空表|无数据|没有数据|无.{0,20}(?:收支|支出|收入|安排)|没有.{0,20}(?:收支|支出|收入)")


def empty_notes(d: Disclosure) -> list[Finding]:
    out = []
    for t in d.tables:
        notes = [n for n in t.notes if _EMPTY_NOTE.search(n)]
        if not notes or t.is_empty:
            continue
        filled = [(r, c) for r in t.rows for c in r.cells if c.value]
        if not filled:
            continue  # zeros only: nothing contradicts "无…支出"
        figs = [cell_figure(t, r, c.column) for r, c in filled[:4]]
        out.append(Finding("B05", f"{t.key}“{t.title}”注明“{notes[0]}”，但表中有 {len(filled)} 个非零数字，"
                                  f"如 {figs[0].label} {figs[0].text}。", [f for f in figs if f]))
    return out


def procurement(d: Disclosure) -> list[Finding]:
    out = []
    for group in sentence_facts(d):
        money = [f for f in group if f.unit == MONEY and f.measure in ("预算数", "决算数")]
        totals = [f for f in money if "采购" in f.label[1] and not re.search(r"货物|工程|服务|中小|小微", f.label[1])]
        parts = {w: [f for f in money if w in f.label[1] and "采购" in f.label[1]] for w in ("货物", "工程", "服务")}
        if len(totals) != 1 or any(len(v) != 1 for v in parts.values()):
            continue
        total, items = totals[0], [v[0] for v in parts.values()]
        computed = sum((f.value for f in items), Decimal(0))
        tol = printed_tolerance(total) + sum((printed_tolerance(f) for f in items), Decimal(0))
        if abs(total.value - computed) <= tol:
            continue
        out.append(Finding("B07", f"说明中“{total.label[1]}”{total.text}，而货物、工程、服务之和为 {yuan(computed)} 元"
                                  f"（{' + '.join(f.text for f in items)}）。", [fact_figure(total)] + [fact_figure(f) for f in items]))
    return out


TEXT_RULES = (shares, changes, two_bases, directions, empty_notes, procurement)
