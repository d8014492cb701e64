"""Table rows rebuilt from a PDF text layer, where the cell boundaries are lost.

A text layer prints a row as one line ("2010506统计管理 1,200 1,200"). Blank cells leave no
trace, so a row with fewer figures than value columns does not say where they go; header cells
come out glued ("财政拨款收入事业收入事业单位") or scattered over lines. This module puts both back.

* Header: glued text is cut by longest match against the glossary `columns.yaml`; a word wrapped
  inside its cell is joined again; sub-columns go under their group (基本支出 › 人员经费); a
  heading alone above its peers spans them (支出预算 › 合计 …). Words on one line keep their
  order; words scattered over lines (cells spanning rows print at their middle) take template order.
* Figures: every order-preserving placement of a row's figures is a candidate, and the tables'
  own arithmetic chooses: in a row 合计 = Σ its sibling columns; a parent subject = Σ its
  children and a total row = Σ the top rows, in every column. Each parent with its children is a
  constraint group (ingest.placement solves them).
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
from typing import Any, Sequence

import yaml

from ingest.numbers import normalize, parse_number
from ingest.placement import ORDINAL, ROW_TOTALS, UNPLACED, FigureRow, Hint, place_figures
from ingest.placement import norm as _norm

_YEAR = re.compile(r"\d{4}年度?")
_PARTS = re.compile(r"^[类款项级\s]+$")  # the 类/款/项 line under the code heading
_CODE = re.compile(r"^(\d{3})(?:\s*(\d{2}))?(?:\s*(\d{2}))?\s*(?=[^\d\s.,，\-])")
_AMOUNT = r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d+)"  # a figure that cannot be part of a name
_GLUED = (re.compile(rf"^({_AMOUNT})([^\d,.%].*)$"), re.compile(rf"^(.*[^\d\s,.+\-(（])({_AMOUNT})$"))
_BLANKS = {"-", "--", "—", "——", "－", "/"}  # printed "no value" marks still fill a cell
Segs = list[tuple[str, list[str]]]  # (label, figures) per half of a line


@lru_cache(maxsize=1)
def _glossary() -> dict[str, Any]:
    data = yaml.safe_load(Path(__file__).with_name("columns.yaml").read_text(encoding="utf-8"))
    n = {k: [_norm(str(x)) for x in v] for k, v in data.items() if isinstance(v, list)}
    groups = {_norm(k): {_norm(c): i for i, c in enumerate(v)} for k, v in data["groups"].items()}
    words = {w for k in ("code_labels", "name_labels", "columns", "captions", "measured", "totals") for w in n[k]}
    words |= set(groups) | {c for g in groups.values() for c in g}
    return {**n, "labels": set(n["code_labels"] + n["name_labels"]), "groups": groups, "words": words,
            "rank": {c: i for i, c in enumerate(n["columns"])}, "longest": max(map(len, words)),
            "suffixes": sorted(n["suffixes"], key=len, reverse=True)}


@lru_cache(maxsize=4096)
def _base(norm: str) -> str | None:
    """The glossary word a heading is ('2024年机关运行经费预算数' → 机关运行经费), or None."""
    g = _glossary()
    core = _YEAR.sub("", norm, count=1) if _YEAR.match(norm) else norm
    if core in g["words"]:
        return core
    return next((w for w in g["measured"] if core.startswith(w) and core[len(w):] in g["suffixes"]), None)


@dataclass(eq=False)
class _Head:
    """A header word; with children it heads a group of columns."""

    text: str
    norm: str
    line: int
    pos: int
    children: list[_Head] = field(default_factory=list)

    @property
    def base(self) -> str | None:
        return _base(self.norm)

    def absorb(self, other: _Head) -> None:
        self.text, self.norm = self.text + other.text, self.norm + other.norm


def _match_end(norm: str, i: int) -> int | None:
    """End of the longest glossary word at i, with a leading year and a trailing measure (预算数)."""
    g = _glossary()
    k = m.end() if (m := _YEAR.match(norm, i)) else i
    for end in range(min(k + g["longest"], len(norm)), k, -1):
        if norm[k:end] in g["words"]:
            extra = norm[k:end] in g["measured"]
            return end + next((len(s) for s in g["suffixes"] if extra and norm.startswith(s, end)), 0)
    return None


def _cut(chunk: str) -> list[tuple[str, str]]:
    """Glued header text → (printed, normalised) words; a run matching nothing stays one word."""
    chars = [(i, c) for i, ch in enumerate(chunk) for c in _norm(ch)]  # normalised char → printed index
    norm = "".join(c for _, c in chars)
    spans: list[list[Any]] = []  # [start, end, known]
    i = 0
    while i < len(norm):
        end = _match_end(norm, i)
        if end is None and spans and not spans[-1][2]:
            spans[-1][1] = i = i + 1
        else:
            spans.append([i, end or i + 1, end is not None])
            i = end or i + 1
    out, lo = [], 0
    for k, (a, b, _) in enumerate(spans):
        hi = len(chunk) if k == len(spans) - 1 else chars[b - 1][0] + 1  # quotes go with the next word
        out.append((chunk[lo:hi], norm[a:b]))
        lo = hi
    return out


def _header_words(lines: list[str]) -> list[_Head]:
    words = [_Head(printed, norm, ln, 0) for ln, line in enumerate(lines) if not _PARTS.match(line)
             for chunk in line.split() if not re.fullmatch(r"[类款项]+", chunk) for printed, norm in _cut(chunk)]
    for pos, w in enumerate(words):
        w.pos = pos
    # Rejoin a heading the PDF wrapped inside its cell: a tail onto the end of an earlier line
    # ('机关运行经费预算' … '数'), or a head with a later piece ('事业单位' … '经营收入').
    for w in list(words):
        if w not in words or w.base is not None:
            continue
        ends = [p for p in words if 0 < w.line - p.line <= 3 and not any(o.line == p.line and o.pos > p.pos for o in words)]
        if p := next((p for p in reversed(ends) if _base(p.norm + w.norm)), None):
            p.absorb(w)
            words.remove(w)
        elif v := next((v for v in words if 0 < v.line - w.line <= 3 and _base(w.norm + v.norm)), None):
            w.absorb(v)
            words.remove(v)
            for rest in [o for o in words if o.line == v.line and o.pos > v.pos]:
                if not _base(w.norm + rest.norm):  # '费' + '预算数' were cut apart on their line
                    break
                w.absorb(rest)
                words.remove(rest)
    return words


def _tree(words: list[_Head]) -> list[_Head]:
    """Sub-columns go under the nearest earlier group listing them; then captions; then order."""
    groups, top = _glossary()["groups"], []
    for i, w in enumerate(words):
        parent = next((p for p in reversed(words[:i]) if p.base in groups and w.base in groups[p.base]), None)
        (parent.children if parent else top).append(w)
    top = _captions(top)
    _order(top, None)
    return top


def _captions(nodes: list[_Head]) -> list[_Head]:
    """A caption word alone on a line above all its peers spans them (支出预算 over 合计 …)."""
    if len(nodes) < 2:
        return nodes
    first = min(nodes, key=lambda n: (n.line, n.pos))
    others = [n for n in nodes if n is not first]
    if first.children or first.base not in (None, *_glossary()["captions"]):
        return nodes
    if first.line >= min(n.line for n in others):
        return nodes
    first.children = _captions(others)
    return [first]


def _order(nodes: list[_Head], group: str | None) -> None:
    """Words on one line are in reading order; a cell spanning rows prints at its vertical middle,
    so words spread over lines take the template order of the glossary (within their group)."""
    g = _glossary()
    rank = g["groups"].get(group or "", g["rank"])
    if len({n.line for n in nodes}) > 1 and all(n.base in rank for n in nodes):
        nodes.sort(key=lambda n: rank[n.base])
    else:
        nodes.sort(key=lambda n: (n.line, n.pos))
    for n in nodes:
        _order(n.children, n.base)


def _leaf_paths(nodes: list[_Head], above: tuple[_Head, ...] = ()) -> list[tuple[_Head, ...]]:
    return [p for n in nodes for p in (_leaf_paths(n.children, above + (n,)) if n.children else [above + (n,)])]


def _sum_rules(nodes: list[_Head], paths: list[tuple[_Head, ...]]) -> list[tuple[int, list[int]]]:
    """In-row sums: a 合计/小计 column = Σ its siblings (a group counts by its own 小计, else its leaves)."""
    col = {id(p[-1]): i for i, p in enumerate(paths)}
    rules: list[tuple[int, list[int]]] = []

    def total_of(siblings: list[_Head]) -> _Head | None:
        return next((c for c in siblings if not c.children and c.base in _glossary()["totals"]), None)

    def value(n: _Head) -> list[int]:
        t = total_of(n.children)
        return [col[id(t or n)]] if t or not n.children else [c for ch in n.children for c in value(ch)]

    def walk(siblings: list[_Head]) -> None:
        t = total_of(siblings)
        if t and (parts := [c for s in siblings if s is not t for c in value(s)]):
            rules.append((col[id(t)], parts))
        for s in siblings:
            walk(s.children)

    walk(nodes)
    return rules


def _is_figure(token: str) -> bool:
    return token in _BLANKS or parse_number(token) is not None


def _segments(line: str, side_by_side: bool) -> tuple[str | None, Segs]:
    """'2010506统计管理 1,200 1,200' → ('2010506', [('统计管理', ['1,200', '1,200'])]); two halves side by side."""
    m = _CODE.match(line)
    code = "".join(x for x in m.groups() if x) if m else None
    segs: Segs = []
    for tok in (line[m.end():] if m else line).split():
        while glued := _GLUED[0].match(tok) or _GLUED[1].match(tok):  # '91,016,775.35一、一般公共服务支出'
            segs = _add(segs, glued.group(1), side_by_side)
            tok = glued.group(2)
        segs = _add(segs, tok, side_by_side)
    if not side_by_side and len(segs) > 1:
        if not segs[0][0] and code is None:  # figures before the label: a garbled code ('7 11 02 事业单位医疗')
            code, segs = " ".join(segs[0][1]), segs[1:]
        segs = [("".join(s[0] for s in segs), [t for s in segs for t in s[1]])]
    return code, segs


def _add(segs: Segs, tok: str, side_by_side: bool) -> Segs:
    if _is_figure(tok):
        return segs[:-1] + [(segs[-1][0], segs[-1][1] + [tok])] if segs else [("", [tok])]
    new = side_by_side and bool(segs) and (ORDINAL.match(tok) or any(w in tok for w in ROW_TOTALS))
    if not segs or segs[-1][1] or new:
        return segs + [(tok, [])]
    return segs[:-1] + [(segs[-1][0] + tok, [])]


def _unwrap_names(parsed: list[tuple[str | None, Segs]]) -> list[tuple[str | None, Segs]]:
    """A long subject name wraps around its code line ('其他…机构事' / '201 03 99 20,120,000.00' / '务支出')."""
    out: list[tuple[str | None, Segs]] = []
    head, open_row = "", False  # name text above a code line; whether the last row may take a tail
    for code, segs in parsed:
        name, texts = segs[0] if segs else ("", [])
        if code is None and not name and texts and re.fullmatch(r"\d{3}", texts[0]):  # '208 05 05 4,412,547'
            k = next((i for i in (3, 2) if all(re.fullmatch(r"\d{2}", t) for t in texts[1:i])), 1)
            code, texts = "".join(texts[:k]), texts[k:]
        if code is None and not texts and name and not any(w in _norm(name) for w in ROW_TOTALS):
            if open_row:
                out[-1] = (out[-1][0], [(out[-1][1][0][0] + name, out[-1][1][0][1])])
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


@dataclass
class _Side:
    """One table of the grid (the left or right half of a 收支总表, or the whole table)."""

    labels: list[_Head]  # label-column headings (科目编码, 科目名称, 项目)
    values: list[_Head]  # value-column header forest
    caption: _Head | None = None  # 本年收入 / 本年支出 over a half
    rows: list[FigureRow | None] = field(default_factory=list)  # one per data line


def rebuild_grid(lines: list[str], hints: Sequence[Hint] = ()) -> list[list[str]]:
    """Lines of one table region (title, 编制单位/单位 lines and notes already removed; header lines
    and data lines in order, possibly with a repeated header after a page break) -> grid rows as a
    tab-separated export would have them: header rows first, then one row per data line with each
    figure in its column and '' where the column has no value. See rebuild_grid_with_warnings."""
    return rebuild_grid_with_warnings(lines, hints)[0]


def rebuild_grid_with_warnings(lines: list[str], hints: Sequence[Hint] = ()) -> tuple[list[list[str]], list[str]]:
    """rebuild_grid, plus English warnings for every placement arithmetic did not prove."""
    g, warnings = _glossary(), []
    # 栏次 rows number the columns; a lone 无 marks an empty table: neither is header nor data.
    lines = [ln.strip() for ln in lines if ln.strip() and not re.match(r"^(栏次|行次|无$)", ln.strip())]
    cut = _header_end(lines)
    header = {_norm(x) for x in lines[:cut]}
    data = [ln for ln in lines[cut:] if not _repeated_header(ln, header)]
    words = _header_words(lines[:cut])
    label_line = next((w.line for w in words if sum(o.line == w.line and o.base in g["name_labels"] for o in words) > 1), None)
    parsed = [_segments(ln, True) for ln in data]
    # Side by side: two 项目 headings on a line, or a data line 'label figures label figures'.
    if label_line is not None or any(not c and len(s) > 1 and s[0][0] and s[0][1] and s[1][0] for c, s in parsed):
        sides = _two_sides(words, label_line)
    else:
        sides = [_Side([w for w in words if w.base in g["labels"]], _tree([w for w in words if w.base not in g["labels"]]))]
        parsed = _unwrap_names([_segments(ln, False) for ln in data]) if any(c for c, _ in parsed) else parsed
    for code, segs in parsed:
        for side in sides:
            side.rows.append(None)
        for s, (name, texts) in _assign_sides(segs, sides) if len(sides) > 1 else [(0, segs[0] if segs else ("", []))]:
            sides[s].rows[-1] = row = FigureRow(name, code if s == 0 else None, texts)
            if row.code and row.level != len(row.code) // 2:
                warnings.append(f"row {row.label!r}: {row.code!r} is not a subject code; row kept outside the code tree")
    columns: list[list[tuple[_Head | None, str]]] = []  # the heading path of every output column
    body: list[list[str]] = [[] for _ in parsed]
    for side in sides:
        rows = [r for r in side.rows if r is not None]
        paths = _leaf_paths(side.values)
        if (m := max([len(paths)] + [len(r.texts) for r in rows])) > len(paths):
            warnings.append(f"header names {len(paths)} value columns but a row has {m} figures; added unnamed columns")
        names = [" › ".join(w.text for w in p) for p in paths] + [f"列{k + 1}" for k in range(len(paths), m)]
        additive = [c for c in range(m) if not any(r in _norm(names[c]) for r in g["rate_words"])]
        place_figures(rows, m, _sum_rules(side.values, paths), additive, names, warnings, hints)
        top = [(side.caption, side.caption.text)] if side.caption else []
        found = {w.base: w.text for w in reversed(side.labels)}
        code_label = next((found[b] for b in found if b in g["code_labels"]), "科目编码")
        name_label = next((found[b] for b in sorted(found, key=lambda b: b == "项目") if b in g["name_labels"]), None)
        has_codes = any(r.code for r in rows)
        label_cols = ([code_label, name_label or "科目名称"] if has_codes
                      else [name_label or "项目"] if name_label or any(r.name for r in rows) else [])
        columns += [top + [(None, t)] for t in label_cols] + [top + [(w, w.text) for w in p] for p in paths]
        columns += [top + [(None, names[k])] for k in range(len(paths), m)]
        for out, row in zip(body, side.rows):
            cells = [""] * m
            for c, text in zip(row.options[0], row.texts) if row else ():
                if c != UNPLACED:
                    cells[c] = text
            out += ([(row.code or "") if row else ""] if has_codes else []) + ([row.name if row else ""] if label_cols else []) + cells
    return _header_rows(columns) + body, warnings


def _header_end(lines: list[str]) -> int:
    """Index of the first data line: a code or a figure, or a lone 合计 after the header (an empty table)."""
    after = False
    for i, line in enumerate(lines):
        if _CODE.match(line) or any(_is_figure(t) and t not in _BLANKS for t in line.split()):
            return i
        if after and _norm(line) in ROW_TOTALS:
            return i
        after = after or bool(_PARTS.match(line)) or any(w in _norm(line) for w in ROW_TOTALS)
    return len(lines)


def _repeated_header(line: str, header: set[str]) -> bool:
    """A header repeated after a page break (also laid out differently), the 类款项 line, notes."""
    n = _norm(line)
    if n in ROW_TOTALS:
        return False
    if n in header or _PARTS.match(line) or n.startswith("注"):
        return True
    figures = _CODE.match(line) or any(_is_figure(t) for t in line.split())
    return not figures and any(_norm(c) in _glossary()["labels"] for c in line.split())


def _two_sides(words: list[_Head], label_line: int | None) -> list[_Side]:
    """收支总表: words before the label line's second 项目 head the left table, the rest the right."""
    g = _glossary()
    left, right = _Side([], []), _Side([], [])
    left_words, right_words = [], []
    for ln in sorted({w.line for w in words}):
        on_line = [w for w in words if w.line == ln]
        if label_line is not None and ln < label_line and len(on_line) == 2 and not any(w.base in g["labels"] for w in on_line):
            left.caption, right.caption = on_line  # 本年收入 | 本年支出 above the two halves
            continue
        second = [w for w in on_line if w.base in g["name_labels"]][1:2] if ln == label_line else []
        for w in on_line:
            side, bucket = (left, left_words) if second and w.pos < second[0].pos else (right, right_words)
            (side.labels if w.base in g["labels"] else bucket).append(w)
    left.values, right.values = _tree(left_words), _tree(right_words)
    return [left, right]


def _assign_sides(segs: Segs, sides: list[_Side]) -> list[tuple[int, tuple[str, list[str]]]]:
    """The half of each segment; a lone label goes by its figure count, then its wording."""
    if not segs:
        return []
    if len(segs) > 1:
        rest = segs[1:]
        return [(0, segs[0]), (1, ("".join(s[0] for s in rest), [t for s in rest for t in s[1]]))]
    name, texts = segs[0]  # a left label has one figure (预算数); an expenditure label is on the right
    right = len(texts) > max(1, len(_leaf_paths(sides[0].values))) or ("支出" in name and "收入" not in name)
    return [(int(right), segs[0])]


def _header_rows(columns: list[list[tuple[_Head | None, str]]]) -> list[list[str]]:
    """Column heading paths → header rows; a heading is printed once, over the first column it spans."""
    def key(path: list[tuple[_Head | None, str]], level: int) -> list[Any]:
        return [id(h) if h else (i, t) for i, (h, t) in enumerate(path[:level + 1])]

    return [[path[level][1] if len(path) > level and not (
        c and path[level][0] is not None and key(path, level) == key(columns[c - 1], level)) else ""
        for c, path in enumerate(columns)] for level in range(max((len(p) for p in columns), default=0))]
