"""The standard disclosure tables: which prescribed table a parsed table is, and what its columns measure.

The Ministry of Finance prescribes the tables of a 部门预算 / 部门决算 (收支总表, 收入总表 …
“三公”经费支出表) and their column heads; localities title and number them their own way.
`classify_tables` gives each table its `standard` key from ingest/standard_tables.yaml — by its
header signature first (column heads and row labels: it can name an untitled table and veto a
title it contradicts), its title second — or leaves it unclassified; it never forces one.
`column_measures` names what a value column holds (合计 / 基本支出 / 项目支出 / 上年 / 本年 /
预算数 / 决算数 …) so that an item can be looked up by meaning rather than by printed label.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from ingest.catalogue import looks_like_table_title
from ingest.model import Table
from ingest.numbers import normalize

DATA = Path(__file__).with_name("standard_tables.yaml")


@dataclass(frozen=True)
class Standard:
    key: str
    kind: str
    name: str
    title: tuple[re.Pattern, ...]
    not_title: tuple[str, ...]
    header: tuple[tuple[str, ...], ...]

    def title_matches(self, title: str) -> bool:
        return any(p.search(title) for p in self.title) and not any(w in title for w in self.not_title)

    def header_matches(self, header: str) -> bool:
        return bool(self.header) and all(any(w in header for w in group) for group in self.header)


@dataclass(frozen=True)
class Catalogue:
    standards: tuple[Standard, ...]
    numbering: re.Pattern
    measures: tuple[tuple[str, tuple[str, ...]], ...]

    def get(self, key: str) -> Standard | None:
        return next((s for s in self.standards if s.key == key), None)

    def of_kind(self, kind: str | None) -> list[Standard]:
        return [s for s in self.standards if kind is None or s.kind == kind]


@lru_cache(maxsize=1)
def standards() -> Catalogue:
    data = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    items = tuple(
        Standard(key=s["key"], kind=s["kind"], name=s["name"],
                 title=tuple(re.compile(p) for p in s.get("title", [])),
                 not_title=tuple(s.get("not_title", [])),
                 header=tuple(tuple(str(w) for w in g) for g in s.get("header", [])))
        for s in data["standards"])
    measures = tuple((name, tuple(words)) for name, words in data["measures"].items())
    return Catalogue(standards=items, numbering=re.compile(data["numbering"]), measures=measures)


def bare_title(title: str) -> str:
    """The title as matched: no spaces, quotes or printed number."""
    flat = re.sub(r"[\s“”\"'‘’《》]", "", normalize(title or ""))
    return standards().numbering.sub("", flat)


def table_kind(title: str, document_kind: str | None) -> str | None:
    """决算 when the title says so; otherwise the document's kind (预算 when only the title says)."""
    if "决算" in title or "決算" in title:
        return "决算"
    if document_kind:
        return document_kind
    return "预算" if ("预算" in title or "預算" in title) else None


def header_text(table: Table) -> str:
    """Column heads, row labels and form keys as one string for the signature."""
    parts = [p for c in table.columns for p in c.path]
    parts += [r.name for r in table.rows if r.name]
    parts += [r.code for r in table.rows if r.code]
    parts += [f.key for f in table.fields]
    return re.sub(r"\s+", "", normalize("|".join(parts)))


def title_standard(title: str, document_kind: str | None) -> str | None:
    """The standard a title alone names (a catalogue entry's, say), or None."""
    bare = bare_title(title)
    pool = standards().of_kind(table_kind(bare, document_kind))
    return next((s.key for s in pool if s.title_matches(bare)), None)


def classify(table: Table, document_kind: str | None) -> tuple[str | None, str | None]:
    """→ (standard key or None, a warning when the header and the title disagree)."""
    title = bare_title(table.title)
    kind = table_kind(title, document_kind)
    pool = standards().of_kind(kind)
    header = header_text(table)
    by_header = [s for s in pool if s.header_matches(header)]
    titled = looks_like_table_title(table.title)
    by_title = next((s for s in pool if s.title_matches(title)), None) if titled else None
    if by_title is not None:
        if not by_header or by_title in by_header:
            return by_title.key, None
        others = "、".join(s.name for s in by_header[:3])
        return None, (f"表“{table.title}”的标题像{by_title.name}，但表头与行名像{others}，未归入标准表。")
    strong = [s for s in by_header if _strong_header(s)]
    if len(strong) == 1:
        return strong[0].key, None
    return None, None


def _strong_header(standard: Standard) -> bool:
    """A header alone names a table only when its signature has two or more groups (三公: 出国 and
    接待), never a lone generic word such as 合计."""
    return len(standard.header) >= 2


_YEAR = re.compile(r"(20\d{2})\s*年")


def column_measures(path: tuple[str, ...], year: int | None) -> tuple[str, ...]:
    """The canonical measures a column's header path names, in catalogue order."""
    text = re.sub(r"\s+", "", normalize("|".join(path)))
    found = [name for name, words in standards().measures if any(w in text for w in words)]
    years = [int(y) for y in _YEAR.findall(text)]
    if year and years:
        if year in years and "本年" not in found:
            found.append("本年")
        if year - 1 in years and year not in years and "上年" not in found:
            found.append("上年")
    if "决算数" in found and "预算数" in found and re.search(r"决算数", text) and not re.search(r"预算数", text):
        found.remove("预算数")  # "一般公共预算财政拨款 › 决算数" is a 决算 figure
    return tuple(found)


def classify_tables(tables: list[Table], document_kind: str | None, year: int | None) -> list[str]:
    """Set `standard` on every table and `measures` on its columns; → warnings."""
    warnings = []
    for table in tables:
        table.standard, warning = classify(table, document_kind)
        if warning:
            warnings.append(warning)
        for column in table.columns:
            column.measures = column_measures(column.path, year) if column.unit else ()
    return warnings


def coverage(tables: list[Table], document_kind: str | None) -> dict:
    """Which standard tables were found (with the printed titles), which are missing, which
    tables stayed unclassified. "Missing" counts only the core tables every disclosure of the kind
    publishes."""
    found, seen = [], set()
    for table in tables:
        if table.standard:
            entry = {"standard": table.standard, "title": table.title}
            if entry not in found:  # the 收入 and 支出 parts of one two-sided table
                found.append(entry)
            seen.add(table.standard)
    core = CORE.get(document_kind or "", ())
    kind_found = {s.kind for s in standards().standards if s.key in seen}
    if document_kind is None and len(kind_found) == 1:
        core = CORE[kind_found.pop()]
    missing = [key for key in core if key not in seen] if seen else []
    unclassified = [{"key": t.key, "title": t.title} for t in tables if not t.standard]
    return {"found": found, "missing": missing, "unclassified": unclassified}


# The tables every 部门预算 / 部门决算 of the current rules publishes (the optional ones — 项目支出,
# 政府采购, 绩效目标, the pre-2019 财政拨款支出表 — are reported when found, never as missing).
CORE = {
    "预算": ("budget_income_expenditure_summary", "budget_income_summary", "budget_expenditure_summary",
            "budget_fiscal_grant_summary", "budget_general_public_expenditure",
            "budget_general_public_basic_expenditure", "budget_sangong", "budget_government_fund_expenditure"),
    "决算": ("final_income_expenditure_summary", "final_income", "final_expenditure", "final_fiscal_grant_summary",
            "final_general_public_expenditure", "final_general_public_basic_expenditure", "final_sangong",
            "final_government_fund_expenditure", "final_state_capital_expenditure"),
}
