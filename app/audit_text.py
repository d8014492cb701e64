"""Audit rules over the narrative (B01–B07) and the document as a whole (C01–C04).

Narrative figures come from ingest.narrative (label = section, subject, measure[, detail]).
A figure is compared with a table cell only when the cell's label (table title, row name with
its parent rows, column path) contains most of the subject's character bigrams and the measure
agrees (a 预算数 in a 决算 is compared with 预算数 columns only); shares and changes are
recomputed only from figures of the same sentence.
"""

from __future__ import annotations

import re
from decimal import Decimal

from app.audit import Figure, Finding, squeeze, yuan
from ingest.facts import table_title
from ingest.model import GRID, Cell, Disclosure, Fact, Locator, Table
from ingest.numbers import unit_factor

MONEY = "元"
_PUNCT = re.compile(r"[\s“”\"‘’'（）()《》〈〉、，,。：:；;·\-—－]|[(（][类款项][)）]")


def bigrams(text: str) -> set[str]:
    s = _PUNCT.sub("", text)
    return {s[i:i + 2] for i in range(len(s) - 1)}


def _dice(a: set[str], b: set[str]) -> float:
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


def _printed_tolerance(fact: Fact) -> Decimal:
    """Half a unit of the last printed place, in the fact's unit (元 or %)."""
    m = re.search(r"\d+(?:\.(\d+))?", fact.text.replace(",", ""))
    decimals = len(m.group(1) or "") if m else 0
    factor = unit_factor(fact.source_unit) if fact.unit == MONEY and fact.source_unit else Decimal(1)
    return factor * Decimal(1).scaleb(-decimals) / 2


def fact_figure(fact: Fact, label: str | None = None) -> Figure:
    return Figure(label or " › ".join(p for p in fact.label[1:] if p), fact.value, fact.unit, fact.text,
                  fact.locator)


def _sentence_facts(d: Disclosure) -> list[list[Fact]]:
    groups: list[list[Fact]] = []
    for f in d.narrative_facts:
        if groups and groups[-1][0].sentence == f.sentence and groups[-1][0].locator == f.locator:
            groups[-1].append(f)
        else:
            groups.append([f])
    return groups


def _detail(f: Fact) -> str:
    return f.label[3] if len(f.label) > 3 else ""


# --- B01 narrative amount = table figure -------------------------------------------------------------


def _cells(d: Disclosure):
    """(table, row, column, value, label bigrams, row-and-column bigrams, label) for every money
    cell of a grid table (a blank cell in a row with figures counts as 0)."""
    out = []
    for t in d.tables:
        if t.kind != GRID:
            continue
        by_index = {r.index: r for r in t.rows}
        for row in t.rows:
            chain, node = [], row
            while node is not None and len(chain) < 4:
                chain.append(node.name)
                node = by_index.get(node.parent) if node.parent is not None else None
            if not any(c.value is not None for c in row.cells):
                continue
            for col in t.columns:
                # a blank money cell in a row with figures is printed as nothing: 0
                cell = row.cell(col.index)
                if col.unit != MONEY or (cell is not None and cell.value is None and cell.text.strip()):
                    continue
                cell = cell if cell is not None and cell.value is not None else Cell(col.index, "", Decimal(0), MONEY)
                label = f"{table_title(t)} {' '.join(reversed(chain))} {col.label}"
                names = [bigrams(row.name), set().union(*(bigrams(n) for n in chain)),
                         set().union(*(bigrams(p) for p in col.path)), *(bigrams(p) for p in col.path)]
                own = set().union(*names)
                out.append((t, row, col, cell.value, own | bigrams(table_title(t)), names, label))
    return out


def _measure_fits(fact: Fact, d: Disclosure, column_label: str, title: str) -> bool:
    years = {int(y) for y in re.findall(r"(20\d\d)", column_label)}
    if years and d.year not in years:
        return False
    if d.kind == "决算":
        says_budget = "预算数" in column_label or "年初预算" in column_label
        return says_budget if fact.measure == "预算数" else not says_budget
    return fact.measure == "预算数"


def narrative_vs_tables(d: Disclosure) -> list[Finding]:
    cells = _cells(d)
    out = []
    seen: set[tuple[str, Decimal]] = set()
    # A subject the narrative gives several different amounts for (a list whose items the parser
    # could not name) is not one quantity: leave it alone.
    values: dict[tuple[str, str], set[Decimal]] = {}
    for f in d.narrative_facts:
        values.setdefault((f.label[1], f.measure or ""), set()).add(f.value)
    for f in d.narrative_facts:
        if f.unit != MONEY or f.measure not in ("预算数", "决算数") or (f.year and d.year and f.year != d.year):
            continue
        subject = bigrams(f.label[1])
        if len(subject) < 2 or (f.label[1], f.value) in seen or len(values[(f.label[1], f.measure)]) > 2:
            continue
        name = _PUNCT.sub("", f.label[1])
        scored = []
        for t, row, col, v, lb, own, label in cells:
            if not _measure_fits(f, d, col.label, t.title):
                continue
            # the row and column must name the subject themselves, not only the table's title
            # ("资本性支出" in the 基本支出决算表 is not "基本支出"); a 总计/合计 row may lean on it
            row_name = _PUNCT.sub("", row.name)
            named = max(_dice(subject, n) for n in own) >= 0.7
            if not named and not (row.is_total and row_name and row_name in name):
                continue
            score = len(subject & lb) / len(subject)
            scored.append((score, len(subject & lb) / len(subject | lb), t, row, col, v))
        if not scored:
            continue
        best = max(s[0] for s in scored)
        if best < 0.8:
            continue
        tol = _printed_tolerance(f)
        top = [s for s in scored if s[0] == best]
        tight = max(s[1] for s in top)
        # the figure may sit in any cell that names the subject about as closely as the best one
        near = [s[2:] for s in top if s[1] >= tight * 0.8]
        if any(abs(s[3] - f.value) <= tol + unit_factor(s[0].unit) * Decimal("0.005") for s in near):
            continue
        top = [s[2:] for s in top if s[1] == tight]  # the label that says least besides the subject
        # Only the row that names the subject best, in its total column, is the same quantity.
        top = [s for s in top if _is_total_column(s[0], s[2])] or top
        if len({s[3] for s in top}) != 1:
            continue  # the tables hold several different figures for this subject: not one quantity
        top = [(None, *s) for s in top]
        seen.add((f.label[1], f.value))
        t, row, col = top[0][1], top[0][2], top[0][3]
        from app.audit import cell_figure

        figs = [fact_figure(f)] + [cell_figure(s[1], s[2], s[3].index) for s in top[:3]]
        out.append(Finding("B01", f"说明中“{f.label[1]}”{f.measure} {f.text}（{yuan(f.value)} 元），表格"
                                  f"{t.key}“{t.title}”{row.name}【{col.label}】为 {yuan(top[0][4])} 元，"
                                  f"相差 {yuan(f.value - top[0][4])} 元。", figs))
    return out


def _is_total_column(table: Table, col) -> bool:
    money = [c for c in table.columns if c.unit == MONEY]
    last = squeeze(col.path[-1]) if col.path else ""
    return col is money[0] or last in ("合计", "小计", "总计", "预算数", "决算数")


# --- B02 shares, B03/B04 changes, B06 two bases ---------------------------------------------------------


def _share_tolerance(share: Fact, part: Fact, whole: Fact) -> Decimal:
    tol = _printed_tolerance(share)
    if part.value and whole.value:
        tol += abs(share.value) * (_printed_tolerance(part) / abs(part.value) + _printed_tolerance(whole) / abs(whole.value))
    return tol + Decimal("0.0001")


def shares(d: Disclosure) -> list[Finding]:
    out = []
    for group in _sentence_facts(d):
        money = [f for f in group if f.unit == MONEY and f.measure in ("预算数", "决算数", "执行数")]
        for i, f in enumerate(group):
            if f.measure != "占比" or f.unit != "%":
                continue
            before = [g for g in group[:i] if g in money]
            if not before:
                continue
            part = before[-1]
            detail = _detail(f)
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
    for group in _sentence_facts(d):
        for i, rate in enumerate(group):
            if rate.measure != "增减率" or rate.unit != "%":
                continue
            deltas = [g for g in group[:i] if g.measure == "增减额" and g.unit == MONEY
                      and g.label[1] == rate.label[1] and _detail(g) == _detail(rate)]
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
            tol = _printed_tolerance(rate) + abs(computed) * (
                _printed_tolerance(delta) / max(abs(delta.value), Decimal("0.01")) + _printed_tolerance(level) / base)
            if abs(computed - rate.value) <= tol + Decimal("0.0001"):
                continue
            out.append(Finding("B03", f"说明中“{rate.label[1]}”本年 {level.text}，增减额 {delta.text}，上年基数应为 "
                                      f"{yuan(base)} 元，增减率应为 {computed:.2f}%，说明写为 {rate.text}。",
                               [fact_figure(level), fact_figure(delta), fact_figure(rate)]))
    return out


def _rate_from_levels(d: Disclosure, before: list[Fact], rate: Fact) -> list[Finding]:
    """"2022年当年预算执行数为X万元，2023年预算安排Y万元，比2022年预算执行数增加Z%": Z = (Y − X) / X."""
    compared = re.search(r"(\d{4})", _detail(rate))
    if not compared:
        return []
    year = int(compared.group(1))
    kind = "执行数" if "执行" in _detail(rate) else "决算数" if "决算" in _detail(rate) else "预算数"
    bases = [g for g in before if g.unit == MONEY and g.year == year and g.measure == kind]
    levels = [g for g in before if g.unit == MONEY and g.year == d.year and g.measure in ("预算数", "决算数")]
    if len(bases) != 1 or not levels or not bases[0].value:
        return []
    base, level = bases[0], levels[-1]
    computed = (level.value - base.value) / base.value * 100
    tol = _printed_tolerance(rate) + abs(computed) * (_printed_tolerance(base) / base.value) + \
        (_printed_tolerance(level) + _printed_tolerance(base)) / base.value * 100
    if abs(computed - rate.value) <= tol + Decimal("0.0001"):
        return []
    # the sign the cue word gives (增加/减少) against the sign of the two figures: a direction word
    rule = "B04" if computed and rate.value and (computed > 0) != (rate.value > 0) else "B03"
    said = ("增加" if rate.value > 0 else "减少" if rate.value < 0 else "") + rate.text.lstrip("+-")
    return [Finding(rule, f"说明中{year}年{kind} {base.text}、{d.year}年 {level.text}，增减率应为 {computed:.2f}%，"
                          f"说明写为{said}（{rate.sentence[:60]}）。",
                    [fact_figure(base), fact_figure(level), fact_figure(rate)])]


_YEAR_IN = re.compile(r"(?:19|20)\d{2}\s*年?")


def _year_free(path: tuple[str, ...]) -> tuple[str, ...]:
    """A column path without its year and without a trailing 合计/小计: "2024年预算数 › 小计" → (预算数,)."""
    out = tuple(p for p in (_YEAR_IN.sub("", squeeze(x)) for x in path) if p)
    return out[:-1] if len(out) > 1 and out[-1] in ("合计", "小计", "总计") else out


def _year_pairs(d: Disclosure, year: int):
    """(table, row, current column, prior column, row-and-column bigrams) for every cell that has
    its prior-year twin in the same row: the same header path with `year` for the document's."""
    out = []
    for t in d.tables:
        if t.kind != GRID:
            continue
        money = [c for c in t.columns if c.unit == MONEY]
        current = [c for c in money if str(d.year) in c.label]
        prior = {(_year_free(c.path)): c for c in money if str(year) in c.label}
        for c in current:
            twin = prior.get(_year_free(c.path))
            if twin is None:
                continue
            by_index = {r.index: r for r in t.rows}
            for row in t.rows:
                if not any(x.value is not None for x in row.cells):
                    continue
                chain, node = [], row
                while node is not None and len(chain) < 4:
                    chain.append(node.name)
                    node = by_index.get(node.parent) if node.parent is not None else None
                names = [bigrams(row.name), set().union(*(bigrams(n) for n in chain)),
                         *(bigrams(p) for p in _year_free(c.path)),
                         set().union(*(bigrams(p) for p in _year_free(c.path)))]
                out.append((t, row, c, twin, names))
    return out


def changes_vs_tables(d: Disclosure) -> list[Finding]:
    """A change the narrative states against a prior year, recomputed from a table that prints both
    years (表五 2023年预算数 / 2024年预算数, the 三公 table's two years)."""
    from app.audit import cell_figure, value

    out = []
    if d.kind != "预算" or not d.year:
        return out
    for f in d.narrative_facts:
        m = re.fullmatch(r"较(\d{4})年", _detail(f))
        if f.measure != "增减额" or f.unit != MONEY or not m or (f.year and f.year != d.year):
            continue
        subject = bigrams(f.label[1])
        if len(subject) < 2:
            continue
        scored = []
        for t, row, cur, prev, names in _year_pairs(d, int(m.group(1))):
            dice = max(_dice(subject, n) for n in names)
            # the table's own total ("三公经费" is the 合计 column of the 三公 table) names it by its title
            whole = (squeeze(row.name) in ("合计", "总计", "") and _year_free(cur.path)[-1:] in (("合计",), ("预算数",))
                     and len(subject & bigrams(t.title)) / len(subject) >= 0.8)
            if dice < 0.7 and whole:
                dice = 0.69
            if dice >= 0.69:
                a, b = value(row, cur.index) or Decimal(0), value(row, prev.index) or Decimal(0)
                scored.append((dice, t, row, cur, prev, a - b))
        if not scored:
            continue
        best = max(x[0] for x in scored)
        top = [x for x in scored if x[0] == best]
        tol = _printed_tolerance(f) + Decimal("0.02") * max(unit_factor(x[1].unit) for x in top)
        if any(abs(x[5] - f.value) <= tol for x in top) or len({x[5] for x in top}) != 1:
            continue
        _, t, row, cur, prev, delta = top[0]
        out.append(Finding("B03", f"说明中“{f.label[1]}”{_detail(f)}{'增加' if f.value >= 0 else '减少'}{f.text}，"
                                  f"{t.key}“{t.title}”{row.name or '（表内唯一行）'}的 {squeeze(cur.label)} 与 "
                                  f"{squeeze(prev.label)} 之差为 {yuan(delta)} 元。",
                           [fact_figure(f), cell_figure(t, row, cur.index), cell_figure(t, row, prev.index)]))
    return out


def two_bases(d: Disclosure) -> list[Finding]:
    """Two changes of figures equal this year, against the same year, that imply different bases."""
    out = []
    pairs = []  # (level fact, change fact)
    for group in _sentence_facts(d):
        for i, ch in enumerate(group):
            if ch.measure != "增减额" or ch.unit != MONEY or not _detail(ch):
                continue
            levels = [g for g in group[:i] if g.measure in ("预算数", "决算数") and g.unit == MONEY
                      and g.label[1] == ch.label[1]]
            if levels and levels[-1].value:
                pairs.append((levels[-1], ch))
    by_key: dict[tuple, list] = {}
    for level, ch in pairs:
        year = re.search(r"\d{4}", _detail(ch))
        by_key.setdefault((level.value, year.group(0) if year else ""), []).append((level, ch))
    for (amount, year), items in by_key.items():
        values = {ch.value for _, ch in items}
        if len(values) < 2:
            continue
        spread = max(values) - min(values)
        if spread <= max(_printed_tolerance(ch) for _, ch in items) * 2:
            continue
        parts = "；".join(f"“{ch.label[1]}”{_detail(ch)}{'增加' if ch.value >= 0 else '减少'}{ch.text}"
                         f"（上年基数 {yuan(lv.value - ch.value)} 元）" for lv, ch in items)
        figs = [fact_figure(x) for lv, ch in items for x in (lv, ch)]
        out.append(Finding("B06", f"本年同为 {yuan(amount)} 元、与{year}年比较，说明给出不同的增减额：{parts}。", figs))
    return out


_VERSUS = re.compile(r"年初预算为\s*(?P<b>[\d,]+(?:\.\d+)?)\s*(?P<bu>万元|元)[^。]{0,12}?决算为\s*(?P<f>[\d,]+(?:\.\d+)?)"
                     r"\s*(?P<fu>万元|元)[。，,；;\s]*决算数\s*(?P<word>大于|小于|等于|高于|低于|与预算数基本持平|与预算数持平|基本持平|持平)")


def _paragraphs(d: Disclosure):
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
    for section, text, _, page in _paragraphs(d):
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
    from app.audit import cell_figure

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
    for group in _sentence_facts(d):
        money = [f for f in group if f.unit == MONEY and f.measure in ("预算数", "决算数")]
        totals = [f for f in money if "采购" in f.label[1] and not re.search(r"货物|工程|服务|中小|小微", f.label[1])]
        parts = {w: [f for f in money if w in f.label[1] and "采购" in f.label[1]] for w in ("货物", "工程", "服务")}
        if len(totals) != 1 or any(len(v) != 1 for v in parts.values()):
            continue
        total, items = totals[0], [v[0] for v in parts.values()]
        computed = sum((f.value for f in items), Decimal(0))
        tol = _printed_tolerance(total) + sum((_printed_tolerance(f) for f in items), Decimal(0))
        if abs(total.value - computed) <= tol:
            continue
        out.append(Finding("B07", f"说明中“{total.label[1]}”{total.text}，而货物、工程、服务之和为 {yuan(computed)} 元"
                                  f"（{' + '.join(f.text for f in items)}）。", [fact_figure(total)] + [fact_figure(f) for f in items]))
    return out


# --- C rules ---------------------------------------------------------------------------------------------


def catalogue(d: Disclosure) -> list[Finding]:
    out = []
    numbers = {t.number for t in d.tables if t.number}
    titles = {squeeze(t.title) for t in d.tables}
    for entry in d.catalogue:
        if (entry.number and entry.number in numbers) or squeeze(entry.title) in titles:
            continue
        out.append(Finding("C01", f"目录列出的{entry.number or ''}“{entry.title}”在正文中没有出现。",
                           [Figure(f"目录 › {entry.number or ''} {entry.title}", None, "", entry.title, Locator(section="目录"))]))
    return out


_TITLE_YEAR = re.compile(r"((?:19|20)\d{2})\s*年度?\s*(?:区级)?(?:部门|单位)?(?:预算|决算)")
_STOCK_DATE = re.compile(r"截[至止]\s*((?:19|20)\d{2})\s*年\s*12\s*月\s*(?:31\s*日|底|末)")


def years(d: Disclosure) -> list[Finding]:
    if not d.year:
        return []
    out = []
    for section, text, paragraph, page in _paragraphs(d):
        loc = Locator(page=page, section=f"{section.number}{section.heading}")
        if paragraph is None:  # a heading: "第三部分 …2023年度部门决算情况说明" in a 2024 决算
            for m in _TITLE_YEAR.finditer(text):
                if int(m.group(1)) != d.year:
                    out.append(Finding("C02", f"标题“{text}”写的是{m.group(1)}年，文件年度为{d.year}年。",
                                       [Figure("标题年度", Decimal(m.group(1)), "年", text, loc)]))
        elif d.kind == "决算":  # a 决算's stock figures are as of the end of its own year
            for m in _STOCK_DATE.finditer(text):
                if int(m.group(1)) != d.year:
                    out.append(Finding("C02", f"说明写“{m.group(0)}”，{d.year}年度决算的年末数应截至{d.year}年底。",
                                       [Figure("截止日期", Decimal(m.group(1)), "年", m.group(0), loc)]))
    for t in d.tables:
        for m in _TITLE_YEAR.finditer(t.title):
            if int(m.group(1)) != d.year:
                out.append(Finding("C02", f"{t.key}标题“{t.title}”写的是{m.group(1)}年，文件年度为{d.year}年。",
                                   [Figure("表题年度", Decimal(m.group(1)), "年", t.title, Locator(page=t.page_start, table=t.key))]))
    if d.kind == "预算":  # a budget compares with an earlier year
        for group in _sentence_facts(d):
            bad = [f for f in group if f.measure in ("增减额", "增减率")
                   and (m := re.search(r"较(\d{4})年", _detail(f))) and int(m.group(1)) >= d.year]
            if bad:
                compared = re.search(r"较(\d{4})年", _detail(bad[0])).group(1)
                out.append(Finding("C02", f"{d.year}年预算的说明与“{compared}年”比较（应为以前年度）：{bad[0].sentence}",
                                   [fact_figure(f) for f in bad]))
    return out


_PLACEHOLDER = re.compile(r"(?<![A-Za-z])(?:XX+|xx+|××+|x,xxx)(?![A-Za-z])")


def placeholders(d: Disclosure) -> list[Finding]:
    out = []
    texts = [(text, Locator(page=page, section=f"{s.number}{s.heading}")) for s, text, _, page in _paragraphs(d)]
    texts += [(t.title, Locator(page=t.page_start, table=t.key)) for t in d.tables]
    texts += [(v, Locator(page=t.page_start, table=t.key)) for t in d.tables for v in t.meta.values()]
    for text, loc in texts:
        m = _PLACEHOLDER.search(text)
        if m:
            out.append(Finding("C03", f"“{text[:60]}”中留有模板占位符“{m.group(0)}”。",
                               [Figure("占位符", None, "", text[:60], loc)]))
    return out


def project_targets(d: Disclosure) -> list[Finding]:
    tables = [t for t in d.tables if "项目" in t.title and "绩效目标" in t.title
              and any(f.key in ("专项资金名称", "项目名称") and f.text for f in t.fields)]
    if not tables:
        return []
    for group in _sentence_facts(d):
        counts = [f for f in group if f.measure == "个数" and "项目" in f.label[1]]
        if not counts or "绩效目标" not in (counts[0].sentence or ""):
            continue
        f = counts[0]
        if f.value != len(tables):
            pages = "、".join(sorted({t.key for t in tables}))
            return [Finding("C04", f"说明称实行绩效目标管理的项目 {f.text}，正文只有 {len(tables)} 张项目绩效目标表（{pages}）。",
                            [fact_figure(f)] + [Figure(f"{t.key} {t.title}", None, "", next(
                                (x.text for x in t.fields if x.key in ("专项资金名称", "项目名称")), ""),
                                Locator(page=t.page_start, table=t.key)) for t in tables])]
        return []
    return []


TEXT_RULES = (narrative_vs_tables, shares, changes, changes_vs_tables, two_bases, directions, empty_notes, procurement,
              catalogue, years, placeholders, project_targets)
