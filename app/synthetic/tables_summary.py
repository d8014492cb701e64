"""The summary tables: 收支总表 and 财政拨款收支总表 (income and spending side by side) and the
“三公”经费 table (one wide row, or one row per item)."""

from __future__ import annotations

from decimal import Decimal

from app.synthetic.figures import Figures
from app.synthetic.layout import Style, chinese_numeral, year_label
from app.synthetic.model import LEFT, UP, TruthCell, TruthTable, fmt
from app.synthetic.subjects import CLASSES

Z = Decimal(0)


def _classes(leaves: dict[str, Decimal]) -> list[tuple[str, Decimal]]:
    sums: dict[str, Decimal] = {}
    for code, v in leaves.items():
        sums[code[:3]] = sums.get(code[:3], Z) + v
    return sorted(sums.items())


def income_expense_table(style: Style, fig: Figures, unit: str) -> TruthTable:
    """收支总表: income sources on the left, spending by 类 on the right."""
    word = "预算数" if fig.kind == "预算" else "决算数"
    fiscal_word = "拨款收入" if fig.kind == "预算" else "财政拨款收入"
    income = [(f"一般公共预算{fiscal_word}", fig.general_total), (f"政府性基金预算{fiscal_word}", fig.fund_total),
              (f"国有资本经营预算{fiscal_word}", Z), ("事业收入", fig.other_total), ("其他收入", Z)]
    income = [(f"{chinese_numeral(i)}、{name}", v) for i, (name, v) in enumerate(income, 1)]
    spend = {c: b + p for c, (b, p) in fig.general.items()} | fig.fund | fig.other
    spending = [(f"{chinese_numeral(i)}、{CLASSES[c]}", v) for i, (c, v) in enumerate(_classes(spend), 1)]
    left = income + [("本年收入合计", fig.total), ("上年结转", Z), ("收入总计", fig.total)]
    right = spending + [("本年支出合计", fig.total), ("结转下年", Z), ("支出总计", fig.total)]
    # the totals line up on both sides, as the standard table prints them
    pad = max(len(income), len(spending))
    left = income + [("", None)] * (pad - len(income)) + left[len(income):]
    right = spending + [("", None)] * (pad - len(spending)) + right[len(spending):]
    head = [["收入", LEFT, "支出", LEFT], ["项目", word, "项目", word]]
    body, cells = [], []
    for (ln, lv), (rn, rv) in zip(left, right):
        body.append([ln, fmt(lv, unit, blank_zero=True), rn, fmt(rv, unit, blank_zero=True)])
        for name, v, side in ((ln, lv, "收入"), (rn, rv, "支出")):
            if v:
                cells.append(TruthCell(name, None, (word,), v, f"{side}"))
    return TruthTable("income_expense", "", "", unit, head, body, cells)


def fiscal_table(style: Style, fig: Figures, unit: str) -> TruthTable:
    """财政拨款收支总表: 财政拨款 income by budget on the left, spending by 类 and budget on the right."""
    word = "预算数" if fig.kind == "预算" else "决算数"
    general = {c: b + p for c, (b, p) in fig.general.items()}
    income = [("一、一般公共预算拨款", fig.general_total), ("二、政府性基金预算拨款", fig.fund_total),
              ("三、国有资本经营预算拨款", Z)]
    g_classes, f_classes = dict(_classes(general)), dict(_classes(fig.fund))
    spending = []
    for i, code in enumerate(sorted(set(g_classes) | set(f_classes)), 1):
        g, f = g_classes.get(code, Z), f_classes.get(code, Z)
        spending.append((f"{chinese_numeral(i)}、{CLASSES[code]}", [g + f, g, f]))
    fiscal_total = fig.general_total + fig.fund_total
    pad = max(len(income), len(spending))
    left = income + [("", None)] * (pad - len(income)) + [("本年收入合计", fiscal_total)]
    right = spending + [("", None)] * (pad - len(spending)) + [
        ("本年支出合计", [fiscal_total, fig.general_total, fig.fund_total])]
    head = [["收入", LEFT, "支出", LEFT, LEFT, LEFT],
            ["项目", word, "项目", style.total, "一般公共预算", "政府性基金预算"]]
    body, cells = [], []
    paths = [(style.total,), ("一般公共预算",), ("政府性基金预算",)]
    for (ln, lv), (rn, rv) in zip(left, right):
        rv = rv or [None, None, None]
        body.append([ln, fmt(lv, unit, blank_zero=True), rn] + [fmt(v, unit, blank_zero=True) for v in rv])
        if lv:
            cells.append(TruthCell(ln, None, (word,), lv, "收入"))
        for path, v in zip(paths, rv):
            if v:
                cells.append(TruthCell(rn, None, path, v, "支出"))
    return TruthTable("fiscal", "", "", unit, head, body, cells)


_SG = ("因公出国（境）费", "公务用车购置费", "公务用车运行费", "公务接待费")


def _sangong_values(s: dict[str, Decimal]) -> list[Decimal]:
    """合计, 出国, 车小计, 购置, 运行, 接待 — the standard order."""
    car = s["公务用车购置费"] + s["公务用车运行费"]
    return [sum(s.values(), Z), s["因公出国（境）费"], car, s["公务用车购置费"], s["公务用车运行费"], s["公务接待费"]]


_WIDE_TOP = ["合计", "因公出国（境）费", "公务用车购置及运行费", LEFT, LEFT, "公务接待费"]
_WIDE_MID = [UP, UP, "小计", "公务用车购置费", "公务用车运行费", UP]
_NAMES = ["合计", "因公出国（境）费", "公务用车购置及运行费", "公务用车购置费", "公务用车运行费", "公务接待费"]
_LEAF = [("合计",), ("因公出国（境）费",), ("公务用车购置及运行费", "小计"), ("公务用车购置及运行费", "公务用车购置费"),
         ("公务用车购置及运行费", "公务用车运行费"), ("公务接待费",)]


def sangong_table(style: Style, fig: Figures, prior: Figures | None, budget: Figures | None, unit: str) -> TruthTable:
    """“三公”经费表. A 预算 prints this year and last; a 决算 prints the year's 预算数 and 决算数."""
    if fig.kind == "预算":
        blocks = [(year_label(style, fig.year, fig.year, "预算"), _sangong_values(fig.sangong), "total")]
        if prior is not None:
            blocks.append((year_label(style, fig.year - 1, fig.year, "预算"), _sangong_values(prior.sangong), "prior"))
    else:
        blocks = [("预算数", _sangong_values(budget.sangong), "budget"), ("决算数", _sangong_values(fig.sangong), "total")]
    cells = []
    if style.sangong_rows:  # 项目 | block1 | block2
        head = [["项目"] + [b[0] for b in blocks]]
        body = []
        for i, name in enumerate(_NAMES):
            label = ("其中：" + name) if i in (3, 4) else name
            body.append([label] + [fmt(b[1][i], unit, blank_zero=True) for b in blocks])
            for word, values, measure in blocks:
                if values[i]:
                    cells.append(TruthCell(label, None, (word,), values[i], measure))
        return TruthTable("sangong", "", "", unit, head, body, cells)
    if fig.kind == "预算":
        head = [[], list(_WIDE_TOP) * len(blocks), list(_WIDE_MID) * len(blocks)]
        for word, _, _ in blocks:
            head[0] += [word] + [LEFT] * 5
        row, paths = [], []
        for word, values, measure in blocks:
            row += [fmt(v, unit, blank_zero=True) for v in values]
            for leaf, v in zip(_LEAF, values):
                if v:
                    cells.append(TruthCell("", None, (word,) + leaf, v, measure))
        return TruthTable("sangong", "", "", unit, head, [row], cells)
    # 决算: each item over its 预算数 and 决算数
    top = ["合计", LEFT, "因公出国（境）费", LEFT, "公务用车购置及运行费"] + [LEFT] * 5 + ["公务接待费", LEFT]
    mid = [UP, UP, UP, UP, "小计", LEFT, "公务用车购置费", LEFT, "公务用车运行费", LEFT, UP, UP]
    low = ["预算数", "决算数"] * 6
    row = []
    for i, leaf in enumerate(_LEAF):
        for word, values, measure in blocks:
            row.append(fmt(values[i], unit, blank_zero=True))
            if values[i]:
                cells.append(TruthCell("", None, leaf + (word,), values[i], measure))
    return TruthTable("sangong", "", "", unit, [top, mid, low], [row], cells)
