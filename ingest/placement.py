"""Which column each figure of a row belongs to, decided by the table's own arithmetic.

A row printed without its blank cells ("2080501行政单位离退休 2,301,360 2,301,360") has several
order-preserving placements of its figures. In a row, 合计 = Σ its sibling columns; across rows,
a parent subject = Σ its children and a total row = Σ the top rows, in every column. Each parent
with its children is a constraint group; the groups form a tree, so narrowing every group until
nothing changes settles most rows. What arithmetic leaves open is settled by figures the
document states elsewhere (hints: "公务接待费1.53万元" in the narrative), and otherwise left
unplaced: a figure is never put in a column the evidence does not support.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import combinations
from math import comb
from typing import Sequence

from ingest.numbers import normalize, parse_number

_QUOTES = str.maketrans("", "", "“”‘’\"'「」『』")
ORDINAL = re.compile(r"^(?:([一二三四五六七八九十]+)、|[（(]([一二三四五六七八九十]+)[)）]|(\d+)[、.．]|[（(](\d+)[)）])")
ROW_TOTALS = ("合计", "总计")
_MAX_PLACEMENTS, _MAX_STATES = 5000, 50000
_FUND_WORDS = re.compile(r"(预算|拨款|支出|收入|资金)+$")
UNPLACED = -1  # the column of a figure the evidence does not place


def norm(text: str) -> str:
    """Matching form: half-width, no quotes, no spaces (“三公”经费 = 三公经费)."""
    return normalize(text).translate(_QUOTES).replace(" ", "")


@dataclass(eq=False)
class FigureRow:
    name: str
    code: str | None
    texts: list[str]  # figures as printed
    values: list[Decimal] = field(default_factory=list)
    total: bool = False
    level: int = 1
    options: list[tuple[int, ...]] = field(default_factory=list)  # placements still possible

    def __post_init__(self) -> None:
        self.values = [parse_number(t) or Decimal(0) for t in self.texts]
        self.total = not self.code and any(w in norm(self.name) for w in ROW_TOTALS)
        # 类/款/项 by code length; other rows by ordinal style: 一、 > （一） > 1、 > (1)
        valid = bool(self.code and re.fullmatch(r"\d{3}(?:\d{2}){0,2}", self.code))
        style = next((i for i, x in enumerate(m.groups()) if x), 0) if (m := ORDINAL.match(self.name)) else 0
        self.level = len(self.code or "") // 2 if valid else 1 + style

    @property
    def label(self) -> str:
        return " ".join(x for x in (self.code, self.name) if x) or " ".join(self.texts)


def _unit(values: list[Decimal]) -> Decimal:
    """The last printed decimal place (0.01 for '8.53'): one rounding step."""
    exps = [int(v.as_tuple().exponent) for v in values if v]
    return Decimal(1).scaleb(min(exps)) if exps else Decimal(1)


def _set_options(row: FigureRow, m: int, rules: list[tuple[int, list[int]]], warnings: list[str]) -> None:
    n = len(row.texts)  # placements in lexicographic order: the first one fills left to right
    every = list(combinations(range(m), n)) if comb(m, n) <= _MAX_PLACEMENTS else [tuple(range(n))]
    for unit in (Decimal(0), _unit(row.values)):  # exact sums first, then sums within rounding
        row.options = [p for p in every if all(
            abs((at := dict(zip(p, row.values))).get(t, 0) - sum(at.get(c, 0) for c in parts))
            <= unit * (len(parts) + 1) / 2 for t, parts in rules)]
        if row.options:
            return
    row.options = every
    if n < m:
        warnings.append(f"row {row.label!r}: no placement of its figures makes each 合计 the sum of its parts")


def _solve(group: list[tuple[FigureRow, int]], cols: list[int], tol: Decimal) -> list[list[tuple[int, ...]]] | None:
    """Each member's placements that occur in some choice with Σ sign·row = 0 in every column, or None.

    Forward: the reachable partial sums, pruned by what the remaining rows can still add.
    Backward: keep the states that reach zero; an option is feasible if it links two kept states.
    """
    vecs = [[tuple(sign * dict(zip(p, row.values)).get(c, Decimal(0)) for c in cols) for p in row.options]
            for row, sign in group]
    zero = (Decimal(0),) * len(cols)
    lo, hi = [zero], [zero]  # what rows i.. can still add, per column
    for opts in reversed(vecs):
        lo.insert(0, tuple(a + min(v[c] for v in opts) for c, a in enumerate(lo[0])))
        hi.insert(0, tuple(a + max(v[c] for v in opts) for c, a in enumerate(hi[0])))
    layers = [{zero}]
    for i, opts in enumerate(vecs):
        nxt = {t for s in layers[-1] for v in opts for t in [tuple(a + b for a, b in zip(s, v))]
               if all(x + lo[i + 1][c] <= tol and x + hi[i + 1][c] >= -tol for c, x in enumerate(t))}
        if len(nxt) > _MAX_STATES:  # too many to check: narrow nothing
            return [row.options for row, _ in group]
        layers.append(nxt)
    good = {s for s in layers[-1] if all(abs(x) <= tol for x in s)}
    if not good:
        return None
    feasible: list[list[tuple[int, ...]]] = [[] for _ in vecs]
    for i in reversed(range(len(vecs))):
        keep: set[tuple[Decimal, ...]] = set()
        for j, v in enumerate(vecs[i]):
            if hits := {s for s in layers[i] if tuple(a + b for a, b in zip(s, v)) in good}:
                keep |= hits
                feasible[i].append(group[i][0].options[j])
        good = keep
    return feasible


def _groups(rows: list[FigureRow]) -> list[list[tuple[FigureRow, int]]]:
    """Constraint groups (row, sign): each parent with its children; each total with the top rows before it."""
    groups: list[list[tuple[FigureRow, int]]] = []
    children: dict[int, list[FigureRow]] = defaultdict(list)
    stack: list[FigureRow] = []
    previous_total, tops = None, []
    for row in rows:
        if row.total:  # a later total (总计) counts the earlier one (合计) and the rows between
            if members := ([previous_total] if previous_total else []) + tops:
                groups.append([(row, -1)] + [(t, 1) for t in members])
            previous_total, tops, stack = row, [], []
            continue
        while stack and stack[-1].level >= row.level:
            stack.pop()
        parent = stack[-1] if stack else None
        if parent and row.code and not (parent.code and row.code.startswith(parent.code)):
            parent = None
        (children[id(parent)] if parent else tops).append(row)
        stack.append(row)
    return groups + [[(r, -1)] + [(c, 1) for c in children[id(r)]] for r in rows if children[id(r)]]


# What the document states elsewhere: (what a figure is, its value in the table's unit, ± tolerance,
# the subject code of the row it belongs to, or None for any row).
Hint = tuple[str, Decimal, Decimal, "str | None"]


def place_figures(rows: list[FigureRow], m: int, rules: list[tuple[int, list[int]]], cols: list[int],
                  names: list[str], warnings: list[str], hints: Sequence[Hint] = ()) -> None:
    """Leave one placement per row: in-row sums, then parent = Σ children and total = Σ top rows,
    then the document's own statements (hints); figures still undecided stay unplaced."""
    for row in rows:
        _set_options(row, m, rules, warnings)
    groups = _groups(rows)
    member_of: dict[int, list[int]] = defaultdict(list)
    for gi, group in enumerate(groups):
        for row, _ in group:
            member_of[id(row)].append(gi)
    tols: dict[int, Decimal | None] = {}  # per group: exact (0), one rounding step, or None (ignored)

    def solve(gi: int) -> list[list[tuple[int, ...]]] | None:
        group = groups[gi]
        if gi not in tols:  # exact sums first, then sums within rounding; else the group says nothing
            steps = [Decimal(0), _unit([v for r, _ in group for v in r.values])]
            tols[gi] = next((t for t in steps if _solve(group, cols, t * len(group) / 2) is not None), None)
            if tols[gi] != 0:
                warnings.append(f"rows summing to {group[0][0].label!r} " + (
                    "add up only within rounding" if tols[gi] else "do not add up to it in every column"))
        return None if tols[gi] is None else _solve(group, cols, tols[gi] * len(group) / 2)

    def propagate(queue: set[int]) -> None:
        while queue:
            gi = queue.pop()
            for (row, _), fits in zip(groups[gi], solve(gi) or []):
                if len(fits) < len(row.options):
                    row.options = fits
                    queue |= set(member_of[id(row)]) - {gi}

    propagate(set(range(len(groups))))
    order = sorted(range(len(rows)), key=lambda i: (not rows[i].total, rows[i].level, i))
    for i in order:  # top of the tree first; each decision narrows the rows it sums with
        row = rows[i]
        if len(row.options) > 1 and (hinted := _hinted(row, names, hints)) and len(hinted) < len(row.options):
            row.options = hinted
            propagate(set(member_of[id(row)]))
    undecided: list[str] = []
    for i in order:
        row = rows[i]
        if len(row.options) > 1:
            opts = row.options
            agreed = tuple(opts[0][j] if all(o[j] == opts[0][j] for o in opts) else UNPLACED
                           for j in range(len(row.texts)))
            left_out = " ".join(t for t, c in zip(row.texts, agreed) if c == UNPLACED)
            undecided.append(f"{row.label!r} ({left_out})")
            row.options = [agreed]
    if undecided:
        warnings.append(f"{len(undecided)} rows have figures that fit more than one column and that nothing "
                        f"else in the document places; left unplaced: {', '.join(undecided)}")


def _hinted(row: FigureRow, names: list[str], hints: Sequence[Hint]) -> list[tuple[int, ...]]:
    """The placements that agree most with figures the document states elsewhere, if any do."""
    def score(option: tuple[int, ...]) -> int:
        return sum(1 for c, v in zip(option, row.values) for subject, value, tolerance, code in hints
                   if (code is None or code == row.code) and abs(value - v) <= tolerance
                   and _names_match(subject, names[c]))

    scores = [score(o) for o in row.options]
    best = max(scores, default=0)
    return [o for o, sc in zip(row.options, scores) if sc == best] if best else []


def _names_match(subject: str, column: str) -> bool:
    """The column's name is in what the statement is about (运行费 ~ 公务用车运行费), or both name the
    same fund once the words for its kind are dropped (政府性基金预算 ~ 政府性基金拨款支出)."""
    leaf, subject = norm(column.split(" › ")[-1]), norm(subject)
    if len(leaf) < 2:
        return False
    if leaf in subject or subject in leaf:
        return True
    return _FUND_WORDS.sub("", leaf) == _FUND_WORDS.sub("", subject) != ""
