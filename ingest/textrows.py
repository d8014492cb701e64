"""Table rows rebuilt from a PDF text layer, where the cell boundaries are lost.

A text layer prints a table row as one line ("2010506统计管理 1,200 1,200"). Blank cells leave
no trace, so a row with fewer figures than value columns does not say where its figures go;
header cells come out glued ("财政拨款收入事业收入事业单位") or scattered over lines when a
cell spans several rows. This module puts both back:

* Header: glued text is cut by longest match against the glossary `columns.yaml`; a word
  wrapped over two lines is joined again; sub-columns go under their group (基本支出 ›
  人员经费); a heading alone on the top line spans the columns below it (支出预算 › 合计 …).
  Words on one line keep their order; words scattered over lines take the template order.
* Figures: every order-preserving placement of a row's figures in the value columns is a
  candidate. The tables' own arithmetic chooses: within a row 合计 = Σ its sibling columns;
  across rows a parent subject = Σ its children and a total row = Σ the top rows, in every
  column. Each parent with its children is one constraint group; the groups form a tree, so
  narrowing every group until nothing changes, then fixing one undecided row at a time (the
  leftmost placement, with a warning) always ends in a consistent table.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from itertools import combinations
from math import comb
from pathlib import Path

import yaml

from ingest.numbers import chinese_to_int, normalize, parse_number

_QUOTES = str.maketrans("", "", "“”‘’\"'「」『』")
_YEAR = re.compile(r"\d{4}年度?")
_PARTS = re.compile(r"^[类款项级\s]+$")  # the 类/款/项 line under the code heading
_CODE = re.compile(r"^(\d{3})(?:\s*(\d{2}))?(?:\s*(\d{2}))?\s*(?=[^\d\s.,，\-])")
_ORDINAL = re.compile(r"^(?:([一二三四五六七八九十]+)、|[（(]([一二三四五六七八九十]+)[)）]|(\d+)[、.．]|[（(](\d+)[)）])")
_BLANKS = {"-", "--", "—", "——", "－", "/"}  # printed "no value" marks: they still fill a cell
_ROW_TOTALS = ("合计", "总计")
_MAX_PLACEMENTS = 5000
_MAX_STATES = 50000


def _norm(text: str) -> str:
    """Matching form: half-width, no quotes, no spaces (“三公”经费 = 三公经费)."""
    return normalize(text).translate(_QUOTES).replace(" ", "")


@dataclass(frozen=True)
class _Glossary:
    code_labels: frozenset[str]
    name_labels: frozenset[str]
    rank: dict[str, int]  # template order of value columns
    captions: frozenset[str]
    groups: dict[str, dict[str, int]]  # group → its sub-columns in template order
    measured: tuple[str, ...]
    suffixes: tuple[str, ...]
    totals: frozenset[str]
    rate_words: tuple[str, ...]
    words: frozenset[str]
    longest: int


@lru_cache(maxsize=1)
def _glossary() -> _Glossary:
    data = yaml.safe_load(Path(__file__).with_name("columns.yaml").read_text(encoding="utf-8"))

    def n(key: str) -> list[str]:
        return [_norm(str(x)) for x in data.get(key) or []]

    groups = {_norm(k): {_norm(c): i for i, c in enumerate(v)} for k, v in (data.get("groups") or {}).items()}
    words = set(n("code_labels") + n("name_labels") + n("columns") + n("captions") + n("measured") + n("totals"))
    words |= set(groups) | {c for g in groups.values() for c in g}
    return _Glossary(
        code_labels=frozenset(n("code_labels")), name_labels=frozenset(n("name_labels")),
        rank={c: i for i, c in enumerate(n("columns"))}, captions=frozenset(n("captions")), groups=groups,
        measured=tuple(n("measured")), suffixes=tuple(sorted(n("suffixes"), key=len, reverse=True)),
        totals=frozenset(n("totals")), rate_words=tuple(n("rate_words")),
        words=frozenset(words), longest=max(len(w) for w in words),
    )


def _base(norm: str) -> str | None:
    """The glossary word a heading is ('2024年机关运行经费预算数' → 机关运行经费), or None."""
    g = _glossary()
    m = _YEAR.match(norm)
    core = norm[m.end():] if m else norm
    if core in g.words:
        return core
    return next((w for w in g.measured if core.startswith(w) and core[len(w):] in g.suffixes), None)


# ---------------------------------------------------------------- header


@dataclass(eq=False)
class _Head:
    """A header word; with children it heads a group of columns."""

    text: str
    norm: str
    line: int
    pos: int
    base: str | None
    children: list[_Head] = field(default_factory=list)


def _match_end(norm: str, i: int) -> int | None:
    """End of the longest glossary word at i (with a leading year and a trailing measure)."""
    g = _glossary()
    y = _YEAR.match(norm, i)
    k = y.end() if y else i
    for length in range(min(g.longest, len(norm) - k), 0, -1):
        word = norm[k:k + length]
        if word in g.words:
            end = k + length
            if word in g.measured:
                end += next((len(s) for s in g.suffixes if norm.startswith(s, end)), 0)
            return end
    return None


def _cut(chunk: str) -> list[tuple[str, str]]:
    """Glued header text → (printed, normalised) words; unknown runs stay whole."""
    chars = [(i, c) for i, ch in enumerate(chunk) for c in _norm(ch)]  # normalised char → printed index
    norm = "".join(c for _, c in chars)
    spans: list[tuple[int, int]] = []
    i, run = 0, None
    while i < len(norm):
        end = _match_end(norm, i)
        if end is None:
            run = i if run is None else run
            i += 1
            continue
        if run is not None:
            spans.append((run, i))
            run = None
        spans.append((i, end))
        i = end
    if run is not None:
        spans.append((run, len(norm)))
    out, lo = [], 0
    for k, (a, b) in enumerate(spans):
        hi = len(chunk) if k == len(spans) - 1 else chars[b - 1][0] + 1  # quotes go with the next word
        out.append((chunk[lo:hi], norm[a:b]))
        lo = hi
    return out


def _header_words(lines: list[str]) -> list[_Head]:
    words: list[_Head] = []
    for ln, line in enumerate(lines):
        if _PARTS.match(line):
            continue
        for chunk in line.split():
            if re.fullmatch(r"[类款项]+", chunk):  # code-part headings sharing a line with a wrapped word
                continue
            for printed, norm in _cut(chunk):
                words.append(_Head(printed, norm, ln, len(words), _base(norm)))
    return _join_wrapped(words)


def _join_wrapped(words: list[_Head]) -> list[_Head]:
    """Rejoin a heading the PDF wrapped inside its cell ('事业单位' … '经营收入', '机关运行经费预算' … '数')."""
    def last_on_line(w: _Head) -> bool:
        return all(o.line != w.line or o.pos <= w.pos for o in words)

    for w in list(words):
        if w not in words or w.base is not None:
            continue
        before = [p for p in words if 0 < w.line - p.line <= 3 and last_on_line(p)]
        p = next((p for p in reversed(before) if _base(p.norm + w.norm)), None)
        if p is not None:  # a tail: glue it to the end of an earlier line
            p.text, p.norm, p.base = p.text + w.text, p.norm + w.norm, _base(p.norm + w.norm)
            words.remove(w)
            continue
        after = [v for v in words if 0 < v.line - w.line <= 3]
        v = next((v for v in after if _base(w.norm + v.norm)), None)
        if v is None:
            continue
        w.text, w.norm, w.base = w.text + v.text, w.norm + v.norm, _base(w.norm + v.norm)
        words.remove(v)
        for rest in [o for o in words if o.line == v.line and o.pos > v.pos]:
            if not _base(w.norm + rest.norm):  # '费' + '预算数' were cut apart on their line
                break
            w.text, w.norm, w.base = w.text + rest.text, w.norm + rest.norm, _base(w.norm + rest.norm)
            words.remove(rest)
    return words


def _tree(words: list[_Head]) -> list[_Head]:
    """Sub-columns under the nearest earlier group that lists them; then captions; then order."""
    g = _glossary()
    top: list[_Head] = []
    for i, w in enumerate(words):
        parent = next((p for p in reversed(words[:i]) if p.base in g.groups and w.base in g.groups[p.base]), None)
        (parent.children if parent else top).append(w)
    top = _captions(top)
    _order(top, None)
    return top


def _captions(nodes: list[_Head]) -> list[_Head]:
    """A heading alone on a line above all its peers spans them (支出预算 over 合计/基本支出/项目支出)."""
    g = _glossary()
    if len(nodes) < 2:
        return nodes
    first = min(nodes, key=lambda n: (n.line, n.pos))
    others = [n for n in nodes if n is not first]
    if first.children or (first.base is not None and first.base not in g.captions):
        return nodes
    if first.line >= min(n.line for n in others):
        return nodes
    first.children = _captions(others)
    return [first]


def _order(nodes: list[_Head], group: str | None) -> None:
    # Words on one line are in reading order; a cell that spans rows is printed at its vertical
    # middle, so words spread over lines only get their order back from the template.
    g = _glossary()
    rank = g.groups.get(group or "", g.rank) if group else g.rank
    if len({n.line for n in nodes}) > 1 and all(n.base in rank for n in nodes):
        nodes.sort(key=lambda n: rank[n.base or ""])
    else:
        nodes.sort(key=lambda n: (n.line, n.pos))
    for n in nodes:
        _order(n.children, n.base)


def _leaf_paths(nodes: list[_Head], above: tuple[_Head, ...] = ()) -> list[tuple[_Head, ...]]:
    out: list[tuple[_Head, ...]] = []
    for n in nodes:
        out.extend(_leaf_paths(n.children, above + (n,)) if n.children else [above + (n,)])
    return out


def _sum_rules(nodes: list[_Head], paths: list[tuple[_Head, ...]]) -> list[tuple[int, list[int]]]:
    """Within-row sums: a 合计/小计 column = Σ its siblings (a group counts by its own 小计, else its leaves)."""
    g = _glossary()
    col = {id(p[-1]): i for i, p in enumerate(paths)}
    rules: list[tuple[int, list[int]]] = []

    def total_of(siblings: list[_Head]) -> _Head | None:
        return next((c for c in siblings if not c.children and c.base in g.totals), None)

    def value(n: _Head) -> list[int]:
        if not n.children:
            return [col[id(n)]]
        t = total_of(n.children)
        return [col[id(t)]] if t else [c for ch in n.children for c in value(ch)]

    def walk(siblings: list[_Head]) -> None:
        t = total_of(siblings)
        parts = [c for s in siblings if s is not t for c in value(s)]
        if t is not None and parts:
            rules.append((col[id(t)], parts))
        for s in siblings:
            walk(s.children)

    walk(nodes)
    return rules


# ---------------------------------------------------------------- data rows


@dataclass(eq=False)
class _Row:
    name: str
    code: str | None
    texts: list[str]  # figures as printed
    values: list[Decimal]
    total: bool = False
    level: int = 1
    parent: _Row | None = None
    options: list[tuple[int, ...]] = field(default_factory=list)  # placements still possible

    @property
    def label(self) -> str:
        return " ".join(x for x in (self.code, self.name) if x) or " ".join(self.texts)


def _is_figure(token: str) -> bool:
    return token in _BLANKS or parse_number(token) is not None


def _segments(line: str, side_by_side: bool) -> tuple[str | None, list[tuple[str, list[str]]]]:
    """'2010506统计管理 1,200 1,200' → ('2010506', [('统计管理', ['1,200', '1,200'])]); two segments side by side."""
    m = _CODE.match(line)
    code = "".join(x for x in m.groups() if x) if m else None
    segs: list[tuple[str, list[str]]] = []
    for tok in (line[m.end():] if m else line).split():
        if _is_figure(tok):
            segs = segs or [("", [])]
            segs[-1][1].append(tok)
        elif not segs or segs[-1][1] or (side_by_side and segs[-1][0] and _starts_label(tok)):
            segs.append((tok, []))
        else:
            segs[-1] = (segs[-1][0] + tok, segs[-1][1])
    if not side_by_side and len(segs) > 1:
        if not segs[0][0] and code is None:  # figures before the label: a garbled code ('7 11 02 事业单位医疗')
            code, segs = " ".join(segs[0][1]), segs[1:]
        segs = [("".join(s[0] for s in segs), [t for s in segs for t in s[1]])]
    return code, segs


def _starts_label(token: str) -> bool:
    return bool(_ORDINAL.match(token)) or any(w in token for w in _ROW_TOTALS)


def _make_row(code: str | None, name: str, texts: list[str]) -> _Row:
    values = [parse_number(t) or Decimal(0) for t in texts]
    row = _Row(name=name, code=code, texts=texts, values=values)
    row.total = not code and any(w in _norm(name) for w in _ROW_TOTALS)
    m = _ORDINAL.match(name)
    # 类/款/项 by code length; unnumbered rows by ordinal style: 一、 > （一） > 1、 > (1)
    valid = bool(code and re.fullmatch(r"\d{3}(?:\d{2}){0,2}", code))
    row.level = len(code) // 2 if code and valid else (1 + next(i for i, x in enumerate(m.groups()) if x) if m else 1)
    return row


def _unwrap_names(parsed: list[tuple[str | None, list[tuple[str, list[str]]]]]) -> list[tuple[str | None, list[tuple[str, list[str]]]]]:
    """A long subject name wraps around its code line ('其他…机构事' / '201 03 99 20,120,000.00' / '务支出'): rejoin it."""
    if not any(code for code, _ in parsed):
        return parsed
    out: list[tuple[str | None, list[tuple[str, list[str]]]]] = []
    head, open_row = "", False  # text above a code line; whether the last row may take a tail
    for code, segs in parsed:
        name, texts = segs[0] if segs else ("", [])
        if code is None and not name and texts and re.fullmatch(r"\d{3}", texts[0]):  # '208 05 05 4,412,547'
            k = 1 + sum(1 for _ in __import__("itertools").takewhile(lambda t: re.fullmatch(r"\d{2}", t), texts[1:3]))
            code, texts = "".join(texts[:k]), texts[k:]
        if code is None and not texts and name and not any(w in _norm(name) for w in _ROW_TOTALS):
            if open_row:
                c, [(n, t)] = out[-1]
                out[-1] = (c, [(n + name, t)])
            else:
                head += name
            continue
        if head and not (code and not name):
            out.append((None, [(head, [])]))  # it was a row of its own
            head = ""
        open_row = bool(code) and not name
        out.append((code, [(head + name, texts)]))
        head = ""
    return out + ([(None, [(head, [])])] if head else [])


def _ordinal(name: str) -> tuple[int, int] | None:
    m = _ORDINAL.match(name)
    if not m:
        return None
    style = next(i for i, x in enumerate(m.groups()) if x)
    return style, chinese_to_int(m.group(style + 1)) or 0


# ---------------------------------------------------------------- placing figures


def _unit(values: list[Decimal]) -> Decimal:
    """The last printed decimal place (0.01 for '8.53'): the size of a rounding step."""
    exps = [int(v.as_tuple().exponent) for v in values if v]
    return Decimal(1).scaleb(min(exps)) if exps else Decimal(1)


def _fits(row: _Row, placement: tuple[int, ...], rules: list[tuple[int, list[int]]], unit: Decimal) -> bool:
    at = dict(zip(placement, row.values))
    return all(abs(at.get(t, 0) - sum(at.get(c, 0) for c in parts)) <= unit * (len(parts) + 1) / 2
               for t, parts in rules)


def _set_options(row: _Row, m: int, rules: list[tuple[int, list[int]]], warnings: list[str]) -> None:
    n = len(row.texts)
    if comb(m, n) > _MAX_PLACEMENTS:
        row.options = [tuple(range(n))]
        warnings.append(f"row {row.label!r}: too many ways to place {n} figures in {m} columns; filled left to right")
        return
    every = list(combinations(range(m), n))  # lexicographic: the first one fills left to right
    for unit in (Decimal(0), _unit(row.values)):
        fitting = [p for p in every if _fits(row, p, rules, unit)]
        if fitting:
            row.options = fitting
            return
    row.options = every
    if n < m:
        warnings.append(f"row {row.label!r}: no placement of its figures makes each 合计 the sum of its parts")


class _TooHard(Exception):
    pass


def _solve(group: list[tuple[_Row, int]], cols: list[int], tol: Decimal) -> list[list[tuple[int, ...]]] | None:
    """Placements of each member that occur in some choice where Σ sign·row = 0 in every column.

    Forward: the reachable partial sums, pruned by what the remaining rows can still add.
    Backward: keep the states that reach zero; an option is feasible if it links two kept states.
    """
    vecs = [[tuple(sign * dict(zip(p, row.values)).get(c, Decimal(0)) for c in cols) for p in row.options]
            for row, sign in group]
    k, n = len(cols), len(vecs)
    lo = [[Decimal(0)] * k for _ in range(n + 1)]
    hi = [[Decimal(0)] * k for _ in range(n + 1)]
    for i in reversed(range(n)):
        for c in range(k):
            lo[i][c] = lo[i + 1][c] + min(v[c] for v in vecs[i])
            hi[i][c] = hi[i + 1][c] + max(v[c] for v in vecs[i])
    layers = [{(Decimal(0),) * k}]
    for i in range(n):
        nxt = {t for s in layers[-1] for v in vecs[i] for t in [tuple(a + b for a, b in zip(s, v))]
               if all(t[c] + lo[i + 1][c] <= tol and t[c] + hi[i + 1][c] >= -tol for c in range(k))}
        if len(nxt) > _MAX_STATES:
            raise _TooHard
        layers.append(nxt)
    good = {s for s in layers[n] if all(abs(x) <= tol for x in s)}
    if not good:
        return None
    feasible: list[list[tuple[int, ...]]] = [[] for _ in range(n)]
    for i in reversed(range(n)):
        keep = set()
        for j, v in enumerate(vecs[i]):
            hits = {s for s in layers[i] if tuple(a + b for a, b in zip(s, v)) in good}
            if hits:
                keep |= hits
                feasible[i].append(group[i][0].options[j])
        good = keep
    return feasible


def _place(rows: list[_Row], m: int, rules: list[tuple[int, list[int]]], cols: list[int],
           names: list[str], warnings: list[str]) -> None:
    """Choose one placement per row: row sums, then parent = Σ children and total = Σ top rows."""
    for row in rows:
        _set_options(row, m, rules, warnings)
    groups: list[list[tuple[_Row, int]]] = []
    children: dict[int, list[_Row]] = defaultdict(list)
    stack: list[_Row] = []
    previous_total, tops = None, []
    for row in rows:
        if row.total:
            groups.append([(row, -1)] + ([(previous_total, 1)] if previous_total else []) + [(t, 1) for t in tops])
            previous_total, tops, stack = row, [], []
            continue
        while stack and stack[-1].level >= row.level:
            stack.pop()
        parent = stack[-1] if stack else None
        if parent and row.code and not (parent.code and row.code.startswith(parent.code)):
            parent = None
        if parent:
            children[id(parent)].append(row)
            row.parent = parent
        else:
            tops.append(row)
        stack.append(row)
    groups += [[(r, -1)] + [(c, 1) for c in children[id(r)]] for r in rows if children[id(r)]]
    member_of: dict[int, list[int]] = defaultdict(list)
    for gi, group in enumerate(groups):
        for row, _ in group:
            member_of[id(row)].append(gi)
    tols: dict[int, Decimal | None] = {}

    def solve(gi: int) -> list[list[tuple[int, ...]]] | None:
        head = groups[gi][0][0].label
        trials = [tols[gi]] if gi in tols else [Decimal(0), _unit([v for r, _ in groups[gi] for v in r.values])]
        for tol in trials:
            if tol is None:
                return None
            try:
                found = _solve(groups[gi], cols, tol * len(groups[gi]) / 2)
            except _TooHard:
                warnings.append(f"rows summing to {head!r}: too many combinations to check")
                tols[gi] = None
                return None
            if found is not None:
                if tol and gi not in tols:
                    warnings.append(f"rows summing to {head!r} add up only within rounding")
                tols[gi] = tol
                return found
        tols[gi] = None
        warnings.append(f"rows summing to {head!r} do not add up to it in every column; placed row by row")
        return None

    def propagate(queue: set[int]) -> None:
        while queue:
            gi = queue.pop()
            found = solve(gi)
            for (row, _), fits in zip(groups[gi], found or []):
                if len(fits) < len(row.options):
                    row.options = fits
                    queue |= {g for g in member_of[id(row)] if g != gi}

    propagate(set(range(len(groups))))
    order = sorted(range(len(rows)), key=lambda i: (not rows[i].total, rows[i].level, i))
    for i in order:  # decide from the top of the tree down, so each choice narrows the rows below it
        row = rows[i]
        if len(row.options) > 1:
            chosen = ", ".join(names[c] for c in row.options[0])
            warnings.append(f"row {row.label!r}: {len(row.options)} placements of its figures fit the sums; "
                            f"arithmetic cannot decide, kept the leftmost ({chosen})")
            row.options = row.options[:1]
            propagate(set(member_of[id(row)]))


# ---------------------------------------------------------------- assembly


@dataclass
class _Side:
    labels: list[_Head]  # label columns (code, name)
    values: list[_Head]  # value-column header forest
    caption: _Head | None = None
    rows: list[_Row | None] = field(default_factory=list)  # one per output line


def _split_header(lines: list[str]) -> int:
    """Index of the first data line: a code or a figure, or a lone 合计 after the header (empty table)."""
    after = False
    for i, line in enumerate(lines):
        if _CODE.match(line) or any(_is_figure(t) and t not in _BLANKS for t in line.split()):
            return i
        if after and _norm(line) in _ROW_TOTALS:
            return i
        after = after or bool(_PARTS.match(line)) or any(w in _norm(line) for w in _ROW_TOTALS)
    return len(lines)


def _skip(line: str, header: set[str]) -> bool:
    """Repeated header after a page break, the 类款项 line, '无' and notes."""
    g = _glossary()
    n = _norm(line)
    if n in _ROW_TOTALS:
        return False
    if n in header or _PARTS.match(line) or n in ("无", "") or n.startswith("注"):
        return True
    has_figures = _CODE.match(line) or any(_is_figure(t) for t in line.split())
    return not has_figures and any(_norm(c) in g.code_labels | g.name_labels for c in line.split())


def rebuild_grid(lines: list[str]) -> list[list[str]]:
    """Lines of one table region (title, 编制单位/单位 lines and notes already removed; header lines
    and data lines in order, possibly with a repeated header after a page break) -> grid rows as a
    tab-separated export would have them: header rows first, then one row per data line with each
    figure in its column and '' where the column has no value. See rebuild_grid_with_warnings."""
    return rebuild_grid_with_warnings(lines)[0]


def rebuild_grid_with_warnings(lines: list[str]) -> tuple[list[list[str]], list[str]]:
    """rebuild_grid, plus English warnings for every figure placed without arithmetic proof."""
    g = _glossary()
    warnings: list[str] = []
    # 栏次 rows number the columns; a lone 无 marks an empty table: neither is header nor data.
    lines = [ln.strip() for ln in lines if ln.strip() and not re.match(r"^(栏次|行次|无$)", ln.strip())]
    cut = _split_header(lines)
    header = set(_norm(x) for x in lines[:cut])
    data = [ln for ln in lines[cut:] if not _skip(ln, header)]
    words = _header_words(lines[:cut])
    labels = [w for w in words if w.base in g.code_labels | g.name_labels]
    by_line: dict[int, list[_Head]] = defaultdict(list)
    for w in words:
        by_line[w.line].append(w)
    label_line = next((ln for ln, ws in sorted(by_line.items()) if sum(w.base in g.name_labels for w in ws) >= 2), None)
    parsed = [_segments(ln, True) for ln in data]
    # Side by side: two 项目 headings, or a line 'label figures label figures'.
    side_by_side = label_line is not None or any(
        not c and len(s) > 1 and s[0][0] and s[0][1] and s[1][0] for c, s in parsed)
    if not side_by_side:
        sides = [_Side(labels, _tree([w for w in words if w not in labels]))]
        parsed = _unwrap_names([_segments(ln, False) for ln in data])
    else:
        sides = _two_sides(words, by_line, label_line)
    for n_line, (code, segs) in enumerate(parsed):
        placed = _assign_sides(code, segs, sides) if side_by_side else [(0, segs[0] if segs else ("", []))]
        for side in sides:
            side.rows.append(None)
        for s, (name, texts) in placed:
            sides[s].rows[-1] = row = _make_row(code if s == 0 else None, name, texts)
            if row.code and row.level != len(row.code) // 2:
                warnings.append(f"row {row.label!r}: {row.code!r} is not a subject code; row kept outside the code tree")
    grid_header: list[list[tuple[_Head | None, str]]] = []  # one path per output column
    body: list[list[str]] = [[] for _ in parsed]
    for side in sides:
        rows = [r for r in side.rows if r is not None]
        has_codes = any(r.code for r in rows)
        paths = _leaf_paths(side.values)
        m = max([len(paths)] + [len(r.texts) for r in rows])
        if m > len(paths):
            warnings.append(f"header names {len(paths)} value columns but a row has {m} figures; added unnamed columns")
        names = [" › ".join(w.text for w in p) for p in paths] + [f"列{k + 1}" for k in range(len(paths), m)]
        rules = _sum_rules(side.values, paths)
        additive = [c for c in range(m) if not any(r in _norm(names[c]) for r in g.rate_words)]
        _place(rows, m, rules, additive, names, warnings)
        top = [(side.caption, side.caption.text)] if side.caption else []
        code_label = next((w.text for w in side.labels if w.base in g.code_labels), "科目编码")
        name_label = next((w.text for w in side.labels if w.base in g.name_labels and w.base != "项目"), None)
        name_label = name_label or next((w.text for w in side.labels if w.base in g.name_labels), None)
        label_cols = ([code_label, name_label or "科目名称"] if has_codes
                      else [name_label or "项目"] if name_label or any(r.name for r in rows) else [])
        grid_header += [top + [(None, t)] for t in label_cols]
        grid_header += [top + [(w, w.text) for w in p] for p in paths]
        grid_header += [top + [(None, names[k])] for k in range(len(paths), m)]
        for out, row in zip(body, side.rows):
            cells = [""] * m
            for c, text in zip(row.options[0] if row else (), row.texts if row else ()):
                cells[c] = text
            code_cell = [(row.code or "") if row else ""] if has_codes else []
            name_cell = [row.name if row else ""] if label_cols else []
            out += code_cell + name_cell + cells
    return _header_rows(grid_header) + body, warnings


def _two_sides(words: list[_Head], by_line: dict[int, list[_Head]], label_line: int | None) -> list[_Side]:
    """收支总表: words before the second 项目 of the label line are the left table's, the rest the right's."""
    g = _glossary()
    left, right = _Side([], []), _Side([], [])
    left_words, right_words = [], []
    for ln, ws in sorted(by_line.items()):
        if label_line is not None and ln < label_line and len(ws) == 2 and not any(w.base in g.name_labels for w in ws):
            left.caption, right.caption = ws  # 本年收入 | 本年支出 above the two halves
            continue
        second = [w for w in ws if w.base in g.name_labels][1:2] if ln == label_line else []
        for w in ws:
            on_left = bool(second) and w.pos < second[0].pos
            side, bucket = (left, left_words) if on_left else (right, right_words)
            (side.labels if w.base in g.code_labels | g.name_labels else bucket).append(w)
    left.values, right.values = _tree(left_words), _tree(right_words)
    return [left, right]


def _assign_sides(code: str | None, segs: list[tuple[str, list[str]]], sides: list[_Side]) -> list[tuple[int, tuple[str, list[str]]]]:
    """Which half a line's segments belong to; a lone label goes by its figures, numbering and wording."""
    if len(segs) >= 2:
        return [(0, segs[0]), (1, (segs[1][0] + "".join(s[0] for s in segs[2:]), [t for s in segs[1:] for t in s[1]]))]
    if not segs:
        return []
    name, texts = segs[0]
    left_width = max(1, len(_leaf_paths(sides[0].values)))
    if len(texts) > left_width:
        return [(1, segs[0])]
    ordinal = _ordinal(name)

    def continues(s: int) -> bool:  # the half whose last item of this numbering style is one less
        seen = [o for r in sides[s].rows if r for o in [_ordinal(r.name)] if o and ordinal and o[0] == ordinal[0]]
        return bool(seen) and ordinal is not None and seen[-1][1] == ordinal[1] - 1

    if continues(0) != continues(1):
        return [(0 if continues(0) else 1, segs[0])]
    return [(1 if "支出" in name and "收入" not in name else 0, segs[0])]


def _header_rows(columns: list[list[tuple[_Head | None, str]]]) -> list[list[str]]:
    """Column paths → header rows where a heading is printed once, over the first column it spans."""
    depth = max((len(p) for p in columns), default=0)
    rows = []
    for level in range(depth):
        row = []
        for c, path in enumerate(columns):
            prev = columns[c - 1] if c else []
            key = [id(h) if h else (i, t) for i, (h, t) in enumerate(path[:level + 1])]
            prev_key = [id(h) if h else (i, t) for i, (h, t) in enumerate(prev[:level + 1])]
            same = c and len(prev) > level and key == prev_key and path[level][0] is not None
            row.append(path[level][1] if len(path) > level and not same else "")
        rows.append(row)
    return rows
