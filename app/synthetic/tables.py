"""The coded standard tables (function and economic classification) built from a year's figures.

Each builder returns a TruthTable whose body prints every figure and whose cells record them:
parents are the sums of their children, 合计 the sum of the 类 rows, and a zero prints blank
(real tables leave it empty; an empty cell is no figure, so it gets no TruthCell).
"""

from __future__ import annotations

from decimal import Decimal

from app.synthetic.figures import Figures, subject_name
from app.synthetic.layout import Style, year_label
from app.synthetic.model import LEFT, UP, TruthCell, TruthTable, fmt

Z = Decimal(0)


def tree(leaves: dict[str, list[Decimal]], names: dict[str, str]) -> list[tuple[str, str, list[Decimal]]]:
    """(code, name, values) for every 类, 款 and leaf in code order, parents summed column by column."""
    width = len(next(iter(leaves.values()))) if leaves else 0
    sums: dict[str, list[Decimal]] = {}
    for code, values in leaves.items():
        for cut in sorted({3, 5, len(code)}):
            if cut > len(code):
                continue
            acc = sums.setdefault(code[:cut], [Z] * width)
            for i, v in enumerate(values):
                acc[i] += v
    return [(code, subject_name(code, names), sums[code]) for code in sorted(sums)]


def _rows(style: Style, unit: str, total: list[Decimal], rows, paths, measures) -> tuple[list, list]:
    """Body rows and cells of a coded table: the 合计 row first, then the tree."""
    body, cells = [], []
    lead = [style.total] + [""] * (style.label_width() - 1)
    body.append(lead + [fmt(v, unit, blank_zero=True) for v in total])
    for path, measure, v in zip(paths, measures, total):
        if v:
            cells.append(TruthCell(style.total, None, path, v, measure))
    for code, name, values in rows:
        body.append(style.code_cells(code) + [name] + [fmt(v, unit, blank_zero=True) for v in values])
        for path, measure, v in zip(paths, measures, values):
            if v and measure != "rate":
                cells.append(TruthCell(name, code, path, v, measure))
    return body, cells


def general_table(style: Style, fig: Figures, prior: Figures | None, unit: str) -> TruthTable:
    """一般公共预算（财政拨款）支出表: function tree of general-budget spending; a 预算 prints last year too."""
    current = {c: [b + p, b, p] for c, (b, p) in fig.general.items()}
    if fig.kind == "预算" and prior is not None:
        prior_rows = {c: b + p for c, (b, p) in prior.general.items()}
        now = year_label(style, fig.year, fig.year, fig.kind)
        before = year_label(style, fig.year - 1, fig.year, fig.kind)
        leaves = {c: [prior_rows.get(c, Z)] + v for c, v in current.items()}
        head = style.code_header("功能分类科目")
        value_paths = [(before,), (now, style.subtotal), (now, "基本支出"), (now, "项目支出")]
        measures = ["prior", "total", "basic", "project"]
        head[0] += [before, now, LEFT, LEFT]
        head[1] += [UP, style.subtotal, "基本支出", "项目支出"]
        for extra in head[2:]:
            extra += [UP, UP, UP, UP]
    else:
        leaves = current
        head = style.code_header("功能分类科目")
        value_paths = [(style.total,), ("基本支出",), ("项目支出",)]
        measures = ["total", "basic", "project"]
        head[0] += [style.total, "基本支出", "项目支出"]
        for extra in head[1:]:
            extra += [UP, UP, UP]
    rows = tree(leaves, fig.names)
    total = [sum((v[i] for c, _, v in rows if len(c) == 3), Z) for i in range(len(measures))]
    if style.rate_column and measures[0] == "prior":
        rate_word = f"{'本年' if style.relative_years else fig.year}比上年增减%"
        head[0].append(rate_word)
        for extra in head[1:]:
            extra.append(UP)
        value_paths.append((rate_word,))
        measures.append("rate")
        rows = [(c, n, v + [_rate(v[1], v[0])]) for c, n, v in rows]
        total = total + [_rate(total[1], total[0])]
    body, cells = _rows(style, unit, total, rows, value_paths, measures)
    if "rate" in measures:  # a rate prints as a percentage, not an amount
        for line, (_, _, v) in zip(body, [(None, None, total)] + rows):
            line[-1] = f"{v[-1]:.2f}" if v[-1] is not None else ""
    return TruthTable("general", "", "", unit, head, body, cells)


def _rate(now: Decimal, before: Decimal) -> Decimal | None:
    return None if not before else ((now - before) / before * 100).quantize(Decimal("0.01"))


def expense_table(style: Style, fig: Figures, unit: str) -> TruthTable:
    """支出总表 / 支出决算表: every source's spending by function, 合计 = 基本 + 项目."""
    leaves = {c: [b + p, b, p] for c, (b, p) in fig.general.items()}
    for c, v in (fig.fund | fig.other).items():
        leaves[c] = [v, Z, v]
    first = style.total if fig.kind == "预算" else "本年支出合计"
    head = style.code_header("功能分类科目" if fig.kind == "预算" else "项目")
    head[0] += [first, "基本支出", "项目支出"]
    for extra in head[1:]:
        extra += [UP, UP, UP]
    rows = tree(leaves, fig.names)
    total = [sum((v[i] for c, _, v in rows if len(c) == 3), Z) for i in range(3)]
    body, cells = _rows(style, unit, total, rows, [(first,), ("基本支出",), ("项目支出",)],
                        ["total", "basic", "project"])
    return TruthTable("expense", "", "", unit, head, body, cells)


def income_table(style: Style, fig: Figures, unit: str) -> TruthTable:
    """收入总表 / 收入决算表: each function subject's income by source."""
    sources = [("一般公共预算拨款收入" if fig.kind == "预算" else "财政拨款收入", "general")]
    if fig.fund:
        sources.append(("政府性基金预算拨款收入", "fund"))
    if fig.other:
        sources.append(("事业收入", "other"))
    leaves: dict[str, list[Decimal]] = {}
    for c, (b, p) in fig.general.items():
        leaves[c] = [b + p] + [b + p if s == "general" else Z for _, s in sources]
    for c, v in fig.fund.items():
        leaves[c] = [v] + [v if s == "fund" else Z for _, s in sources]
    for c, v in fig.other.items():
        leaves[c] = [v] + [v if s == "other" else Z for _, s in sources]
    first = style.total if fig.kind == "预算" else "本年收入合计"
    head = style.code_header("功能分类科目" if fig.kind == "预算" else "项目")
    head[0] += [first] + [name for name, _ in sources]
    for extra in head[1:]:
        extra += [UP] * (1 + len(sources))
    rows = tree(leaves, fig.names)
    width = 1 + len(sources)
    total = [sum((v[i] for c, _, v in rows if len(c) == 3), Z) for i in range(width)]
    paths = [(first,)] + [(name,) for name, _ in sources]
    body, cells = _rows(style, unit, total, rows, paths, ["income"] + [f"income:{s}" for _, s in sources])
    return TruthTable("income", "", "", unit, head, body, cells)


def fund_table(style: Style, fig: Figures, unit: str) -> TruthTable:
    """政府性基金预算支出表: the fund's spending by function, or only its header when there is none."""
    head = style.code_header("功能分类科目")
    word = "本年政府性基金预算支出" if fig.kind == "预算" else "本年支出"
    head[0] += [word, LEFT, LEFT]
    head[1] += [style.subtotal, "基本支出", "项目支出"]
    for extra in head[2:]:
        extra += [UP, UP, UP]
    paths = [(word, style.subtotal), (word, "基本支出"), (word, "项目支出")]
    if not fig.fund:
        lead = [style.total] + [""] * (style.label_width() - 1)
        return TruthTable("fund", "", "", unit, head, [lead + ["", "", ""]], [])
    rows = tree({c: [v, Z, v] for c, v in fig.fund.items()}, fig.names)
    total = [sum((v[i] for c, _, v in rows if len(c) == 3), Z) for i in range(3)]
    body, cells = _rows(style, unit, total, rows, paths, ["total", "basic", "project"])
    return TruthTable("fund", "", "", unit, head, body, cells)


def capital_table(style: Style, unit: str) -> TruthTable:
    """国有资本经营预算支出表: no body in any generated document (none has such spending)."""
    head = style.code_header("功能分类科目")
    head[0] += [style.total, "基本支出", "项目支出"]
    for extra in head[1:]:
        extra += [UP, UP, UP]
    lead = [style.total] + [""] * (style.label_width() - 1)
    return TruthTable("capital", "", "", unit, head, [lead + ["", "", ""]], [])


def basic_table(style: Style, fig: Figures, unit: str) -> TruthTable:
    """一般公共预算基本支出表: economic classification; 人员经费 = 301 + 303, 公用经费 = 302."""
    leaves = {}
    for code, v in fig.econ.items():
        leaves[code] = [v, Z, v] if code.startswith("302") else [v, v, Z]
    head = style.code_header("部门预算支出经济分类科目" if style.codes != "split" else "经济分类科目")
    if style.codes == "split":  # economic codes have no 项 level
        head = [r[:2] + r[3:] for r in head]
        head[2][0:2] = ["类", "款"]
    word = f"{fig.year}年基本支出" if fig.kind == "预算" else "决算数"
    head[0] += [word, LEFT, LEFT]
    head[1] += [style.total, "人员经费", "公用经费"]
    for extra in head[2:]:
        extra += [UP, UP, UP]
    rows = tree(leaves, fig.names)
    total = [sum((v[i] for c, _, v in rows if len(c) == 3), Z) for i in range(3)]
    body, cells = [], []
    lead = [style.total] + [""] * (_econ_width(style) - 1)
    body.append(lead + [fmt(v, unit, blank_zero=True) for v in total])
    paths = [(word, style.total), (word, "人员经费"), (word, "公用经费")]
    measures = ["total", "personnel", "public"]
    for path, measure, v in zip(paths, measures, total):
        if v:
            cells.append(TruthCell(style.total, None, path, v, measure))
    for code, name, values in rows:
        codes = style.code_cells(code)[:2] if style.codes == "split" else style.code_cells(code)
        body.append(codes + [name] + [fmt(v, unit, blank_zero=True) for v in values])
        for path, measure, v in zip(paths, measures, values):
            if v:
                cells.append(TruthCell(name, code, path, v, measure))
    return TruthTable("basic", "", "", unit, head, body, cells)


def basic_pairs_table(style: Style, fig: Figures, unit: str) -> TruthTable:
    """The 决算 layout of the 基本支出 table: 人员经费 subjects (301, 303) on the left and 公用经费 (302) on
    the right, each as code | name | 决算数, with 人员经费合计 and 公用经费合计 on the last line."""
    rows = tree({c: [v] for c, v in fig.econ.items()}, fig.names)
    left = [r for r in rows if not r[0].startswith("302")]
    right = [r for r in rows if r[0].startswith("302")]
    pad = max(len(left), len(right))
    left += [None] * (pad - len(left))
    right += [None] * (pad - len(right))
    head = [["人员经费", LEFT, LEFT, "公用经费", LEFT, LEFT],
            ["科目编码", "科目名称", "决算数", "科目编码", "科目名称", "决算数"]]
    body, cells = [], []
    for pair in zip(left, right):
        line = []
        for side in pair:
            if side is None:
                line += ["", "", ""]
                continue
            code, name, (value,) = side
            line += [style.code_cells(code)[0] if style.codes != "split" else code, name, fmt(value, unit)]
            cells.append(TruthCell(name, code, ("决算数",), value, "total"))
        body.append(line)
    body.append(["人员经费合计", "", fmt(fig.personnel, unit), "公用经费合计", "", fmt(fig.public, unit)])
    cells += [TruthCell("人员经费合计", None, ("决算数",), fig.personnel, "personnel"),
              TruthCell("公用经费合计", None, ("决算数",), fig.public, "public")]
    return TruthTable("basic", "", "", unit, head, body, cells)


def _econ_width(style: Style) -> int:
    return 3 if style.codes == "split" else 2
