"""Candidate facts for a Query: documents chosen by issuer and year, facts ranked by label.

Every fact carries its label (table title › row › column path, or section › subject ›
measure for narrative figures). A Query's items are matched against those labels: the
printed terms the glossary gives for an item (most specific first) compared with each label
part by equality, containment and character bigrams (Dice), plus the subject codes the
glossary names. A table whose *title* names the item (the 三公 table for 三公经费) offers its
grand-total cell. Small preferences break near-ties: total columns (合计/总计/小计) over
their parts, the 三公 table for the 三公 components, table cells over narrative figures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache

from app.answer.glossary import Glossary, abbreviates, issuer_core, issuer_short_names, norm
from app.answer.understand import Item, Query
from index.facts import DocumentSummary
from ingest.model import Disclosure, Fact, Row, Table

# Below this no fact is taken to be what the question names. A term inside a label part clears it
# unless the part is more than eight times longer (培训费 in 培训费支出 0.79; a two-character 支出
# inside a twenty-character row name 0.59 does not); a printed name inside the asked phrase clears it
# from three-eighths of its length (人员经费 in 临时聘用人员经费 0.65, for the identity check to judge;
# 支出 in 一般公共预算支出 0.55 does not); shared character pairs alone need a Dice of 0.75.
THRESHOLD = 0.6
# term_match: the asked term inside a label part scores CONTAINS_BASE plus LENGTH_SHARE times the
# share of the part it covers; the part inside the term starts lower (CONTAINED_BASE): a printed name
# inside the asked phrase is a wider thing (人员经费 for 临时聘用人员经费). Both stay below 1.0 (equal).
CONTAINS_BASE = 0.55
CONTAINED_BASE = 0.45
LENGTH_SHARE = 0.4
# Character pairs alone (no containment) are scaled down so that only near-identical names (Dice ≥
# 0.75) reach THRESHOLD: 城乡绿化养护费 / 城市绿化养护费 share 4 of 6 pairs and score 0.53.
DICE_WEIGHT = 0.8
# The glossary's printed terms for an item are tried in order, most specific first; each later term
# weighs TERM_RANK_DECAY less, so a tie goes to the more specific term, and an exact match by the
# last one looked at (the eighth, TERMS_SCORED) still clears THRESHOLD (0.79).
TERMS_SCORED = 8
TERM_RANK_DECAY = 0.03
# The grand total of a table whose title names the item (the 三公 table's 合计 for 三公经费): as good
# as a long name holding the item, below a row printed with the item's exact name (1.0).
TITLE_TOTAL = 0.9
TITLE_TIE = 0.01  # the title's grand total wins a tie with another cell at the same 0.9
# A subject code the item is known by (30113 for 住房公积金): near-certain, yet a row printing the
# item's exact name (1.0) still ranks above a row that only shares its code.
CODE_MATCH = 0.95
# Named by its row (办公费), the figure is the row's total column (合计 / 2025年预算数), not its
# 基本支出 or 项目支出 part: small, so it orders the cells of one row but cannot lift a name that merely
# holds the term (at most 0.95) over the exact name (1.0).
TOTAL_COLUMN_BONUS = 0.03
# Named by its column (基本支出), the figure is that column's total row (+TOTAL_ROW_BONUS), not a
# part row's cell in the column (−PART_ROW_PENALTY: 办公费's 基本支出 cell is not 基本支出).
TOTAL_ROW_BONUS = 0.03
PART_ROW_PENALTY = 0.1
# 基本支出 › 人员经费 is 人员经费: a sub-column under the item is a part of it and ranks below the
# item's own column (基本支出 › 小计), though an exact name under it still clears THRESHOLD (0.88).
SUB_COLUMN_PENALTY = 0.15
# The 三公 components (公务接待费) are printed most plainly in the 三公 table; the same name in the
# economic-subject table (30217 公务接待费) comes second. Larger than TOTAL_COLUMN_BONUS.
SANGONG_TABLE_BONUS = 0.08
# A figure the narrative states (…培训费预算60,000.00元) or a form field gives (绩效目标表 当年预算)
# restates a table cell: the table's cell comes first, a form's before the narrative's.
NARRATIVE_PENALTY = 0.08
FORM_PENALTY = 0.04
# 基本支出里的办公费: a fact whose label also names the qualifier beats the same row's total column
# (above TOTAL_COLUMN_BONUS).
WITHIN_BONUS = 0.06
# 预算数 or 决算数 asked (a 决算 prints both side by side): the asked measure's column gains, the other
# loses; more than TOTAL_COLUMN_BONUS and WITHIN_BONUS, so among one row's cells the measure decides.
MEASURE_COLUMN_FIT = 0.1
TOTAL_WORDS = ("合计", "总计", "小计")
_TOTAL_COLUMN = re.compile(r"^(?:本年)?(?:支出|收入)(?:合计|总计)$")  # 本年支出合计: the row's total column
_PROJECT_CODE = re.compile(r"^[0-9A-Za-z]{8,}[-—－]")  # 50011222T000000069064-翻译经费: an id, not a figure
_CODE = re.compile(r"^\d{3,}")
_MEASURE_COLUMN = re.compile(r"^(?:\d{4}年)?(?:本年|全年|年初|上年)?(?:支出|收入)?(?:预算数|决算数|预算|决算|执行数|金额|数)$")
_SECTION_NUMBER = re.compile(r"^(?:[一二三四五六七八九十]+、|\([一二三四五六七八九十]+\)|\d+\.)")


@dataclass
class FactRecord:
    """A fact with what its table says about it (row, column parts), for matching and planning."""

    fact: Fact
    doc: DocumentSummary
    table: Table | None
    row: Row | None

    @cached_property
    def column_parts(self) -> list[str]:
        column = self.fact.locator.column
        return [norm(p) for p in column.split(" › ")] if column else []

    @cached_property
    def row_parts(self) -> list[str]:
        """The label between the title and the column: the row name, without its subject code."""
        label = [norm(p) for p in self.fact.label]
        if self.fact.origin == "narrative":
            measure = norm(self.fact.measure or "")
            parts = [p for p in label if p and p != measure and not _SECTION_NUMBER.match(p)
                     and not p.startswith("较")]
            return parts[-1:] if parts else []
        body = label[1:len(label) - len(self.column_parts)] if self.column_parts else label[1:]
        return [_CODE.sub("", p) for p in body if p]

    @cached_property
    def title(self) -> str:
        return norm(self.fact.label[0]) if self.fact.label and self.fact.origin != "narrative" else ""

    @property
    def is_total_row(self) -> bool:
        if self.row is not None and self.row.is_total:
            return True
        return not self.row_parts or any(p in TOTAL_WORDS or p.endswith("合计") or p.endswith("总计")
                                         for p in self.row_parts)

    @property
    def is_total_column(self) -> bool:
        """合计/总计/小计, or a column that only says which year's figure it is (2024年预算数)."""
        last = self.column_parts[-1] if self.column_parts else ""
        return not last or last in TOTAL_WORDS or bool(_MEASURE_COLUMN.match(last))

    @property
    def is_grand_total_column(self) -> bool:
        parts = [p for p in self.column_parts if not _MEASURE_COLUMN.match(p)]
        return not parts or (len(parts) == 1 and (parts[0] in TOTAL_WORDS or bool(_TOTAL_COLUMN.match(parts[0]))))

    @property
    def key(self) -> tuple:
        """Where it sits: (doc, table, column) — facts in one column add up and divide sensibly."""
        return self.fact.doc_id, self.fact.locator.table, self.fact.locator.column

    def display_name(self) -> str:
        """The printed name of what the figure is: the row name, else the last column part."""
        label = [p for p in self.fact.label if p]
        if self.fact.origin == "narrative":
            return label[-1 - (1 if self.fact.measure and label[-1] == self.fact.measure else 0)] \
                if len(label) > 1 else label[0]
        column = self.fact.locator.column.split(" › ") if self.fact.locator.column else []
        body = label[1:len(label) - len(column)] if column else label[1:]
        if body:
            return _CODE.sub("", _PROJECT_CODE.sub("", body[-1])).strip()
        # a column's own name: 公务用车购置及运行费 for "… › 公务用车购置及运行费 › 小计"; the table's
        # title only for its grand total (2024年预算数 › 合计)
        named = [p for p in column if p not in TOTAL_WORDS and not _MEASURE_COLUMN.match(norm(p))]
        return named[-1] if named else (label[0] if label else "")


def records(disclosure: Disclosure, summary: DocumentSummary) -> list[FactRecord]:
    out = []
    for fact in disclosure.facts():
        table = disclosure.table(fact.locator.table) if fact.locator.table else None
        row = None
        if table is not None and fact.locator.row is not None:
            row = next((r for r in table.rows if r.index == fact.locator.row), None)
        out.append(FactRecord(fact, summary, table, row))
    return out


# --- matching -------------------------------------------------------------------------------


@lru_cache(maxsize=65536)
def bigrams(text: str) -> frozenset[str]:
    """The character pairs of a text (cached: labels and terms recur question after question)."""
    return frozenset(text[i:i + 2] for i in range(len(text) - 1))


@lru_cache(maxsize=262144)  # terms and label parts recur question after question
def term_match(term: str, part: str) -> float:
    """How well a printed term names a label part: 1 equal, containment by length, else bigram Dice."""
    if not term or not part:
        return 0.0
    if term == part:
        return 1.0
    if term in part:
        return CONTAINS_BASE + LENGTH_SHARE * len(term) / len(part)
    if part in term and len(part) >= 2:
        return CONTAINED_BASE + LENGTH_SHARE * len(part) / len(term)
    a, b = bigrams(term), bigrams(part)
    return DICE_WEIGHT * 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


def item_score(item: Item, record: FactRecord, sangong: set[str]) -> float:
    """How well a fact is what the item names. Named by its row, the figure should sit in a total
    column; named by its column (基本支出, 因公出国（境）费), in the total row."""
    by_row = by_column = by_title = 0.0
    columns = [p for p in record.column_parts if not re.match(r"^\d{4}年", p)]
    at_column = -1
    for rank, term in enumerate(item.official[:TERMS_SCORED]):
        weight = 1.0 - TERM_RANK_DECAY * rank
        for part in record.row_parts:
            by_row = max(by_row, weight * term_match(term, part))
        for k, part in enumerate(columns):
            score = weight * term_match(term, part)
            if score > by_column:
                by_column, at_column = score, k
        if record.title and term in record.title and record.is_total_row and record.is_grand_total_column:
            by_title = max(by_title, TITLE_TOTAL * weight)  # the table is about the item: its grand total
    if record.fact.subject_code and record.fact.subject_code in item.codes:
        by_row = max(by_row, CODE_MATCH)
    if by_column > by_row:
        best = by_column + (TOTAL_ROW_BONUS if record.is_total_row else -PART_ROW_PENALTY)
        if any(p not in TOTAL_WORDS and not _MEASURE_COLUMN.match(norm(p)) for p in columns[at_column + 1:]):
            best -= SUB_COLUMN_PENALTY  # 基本支出 › 人员经费 is 人员经费: a sub-column under the item is a part of it
    else:
        best = by_row + (TOTAL_COLUMN_BONUS if by_row and record.is_total_column else 0.0)
    best = max(best, by_title + TITLE_TIE if by_title else 0.0)
    if best <= 0:
        return 0.0
    if "三公" in record.title and any(norm(o) in sangong for o in item.official):
        best += SANGONG_TABLE_BONUS  # the 三公 components are printed most plainly in the 三公 table
    if record.fact.origin == "narrative":
        best -= NARRATIVE_PENALTY
    elif record.fact.origin == "form":
        best -= FORM_PENALTY
    return best


DERIVED = frozenset({"增减额", "增减率", "占比", "个数"})  # narrative figures that are not the item's amount


def rank(item: Item, pool: list[FactRecord], glossary: Glossary, *, year: int | None = None,
         unit: str | None = "元", measures: frozenset[str] | None = None,
         within: Item | None = None, measure: str | None = None) -> list[tuple[float, FactRecord]]:
    """Facts for an item, best first, filtered by year and unit (the order is deterministic).

    Narrative figures count only with one of `measures` (default: amounts, not changes or
    shares). When the question typed a printed term (机关运行经费), facts it names come
    before those of the glossary's other printed terms. `within` (基本支出里的办公费) prefers
    facts whose label also names the qualifier. `measure` (budget | final; by default what the
    document is) prefers 预算数 or 决算数 columns: a 决算 prints both side by side."""
    typed = item.official[0] == item.surface and len(item.official) > 1
    if typed:
        first = rank(replace(item, official=[item.surface], codes=[]), pool, glossary, year=year, unit=unit,
                     measures=measures, within=within, measure=measure)
        if first and first[0][0] >= THRESHOLD:
            return first
    sangong = glossary.sangong_words()
    scored = []
    for i, r in enumerate(pool):
        if unit is not None and r.fact.unit != unit:
            continue
        if year is not None and (r.fact.year if r.fact.year is not None else r.doc.year) != year:
            continue  # a figure without a year of its own is the document's year
        if r.fact.origin == "narrative":
            if measures is None and r.fact.measure in DERIVED:
                continue
            if measures is not None and r.fact.measure not in measures:
                continue
        s = item_score(item, r, sangong)
        if s > 0 and within is not None:
            words = [norm(p) for p in r.fact.label] + r.column_parts
            if any(term in w for term in within.official[:4] for w in words):
                s += WITHIN_BONUS
        if s > 0:
            fit = _measure_fit(r, measure or ("final" if r.doc.kind == "决算" else None))
            if fit < 0 and r.doc.kind == "决算" and measure != "budget":
                continue  # a 决算's empty 决算数 cell is no fact; its 预算数 beside it is not the answer
            scored.append((s + fit, i, r))
    scored.sort(key=lambda t: (-t[0], t[1]))
    return [(s, r) for s, _, r in scored]


def _measure_fit(r: FactRecord, measure: str | None) -> float:
    """Asked for (or, in a 决算, by default) the 决算数, prefer its columns; in a budget, only
    keep away from a 决算数 column (上年决算数) unless asked for it."""
    if r.fact.origin == "narrative":  # no preference among narrative figures, but a budget figure
        said = norm(r.fact.measure or "")  # a 决算's narrative quotes is still not its 决算数
        return -MEASURE_COLUMN_FIT if measure == "final" and "预算" in said and "决算" not in said else 0.0
    where = "".join(r.column_parts)
    final = "决算" in where or "执行数" in where or "实际" in where
    budget = "预算" in where and not final
    if measure == "final":
        return MEASURE_COLUMN_FIT if final else (-MEASURE_COLUMN_FIT if budget else 0.0)
    if measure == "budget":
        return MEASURE_COLUMN_FIT if budget else (-MEASURE_COLUMN_FIT if final else 0.0)
    return -MEASURE_COLUMN_FIT if final else 0.0


# --- documents ------------------------------------------------------------------------------


@dataclass
class DocumentChoice:
    documents: list[DocumentSummary]  # the documents the question may be about
    issuer_words: str = ""  # the part of the question that named the issuer
    year: int | None = None  # the year asked about
    problem: str | None = None  # no_answer | clarify
    message: str = ""
    note: str = ""  # said with the answer: which of several fitting documents answered, and why


def issuer_mention(question: str, docs: list[DocumentSummary], glossary: Glossary) -> tuple[str, list[DocumentSummary]]:
    """The longest issuer name the question contains and the documents of the issuers it names."""
    text = norm(question)
    best, named = "", []
    for d in docs:
        for name in issuer_short_names(d.issuer or "", glossary) if d.issuer else ():
            if name in text and len(name) > len(best):
                best = name
    if best:
        named = [d for d in docs if d.issuer and best in issuer_short_names(d.issuer, glossary)]
        return best, named
    for d in docs:  # contractions the rules do not spell out (城管执法局, 文广局)
        core = issuer_core(d.issuer or "", glossary)
        for size in range(min(len(core) - 1, len(text)), 2, -1):
            for i in range(len(text) - size + 1):
                if abbreviates(text[i:i + size], core) and size > len(best):
                    best = text[i:i + size]
    if best:
        named = [d for d in docs if d.issuer and abbreviates(best, issuer_core(d.issuer, glossary))]
        return best, named
    for d in docs:  # the end of the name (社会工作部 for 委社会工作部), four characters or more
        core = issuer_core(d.issuer or "", glossary)
        for size in range(len(core) - 1, 3, -1):
            if core[-size:] in text and size > len(best):
                best = core[-size:]
                break
    if best:
        named = [d for d in docs if d.issuer and issuer_core(d.issuer, glossary).endswith(best)]
    return best, named


def other_issuer(rest: str, named: list[DocumentSummary], docs: list[DocumentSummary],
                 glossary: Glossary) -> str:
    """A second issuer named in the question (省检察院和省法院谁的多): the words naming it, or "".
    Each answer is about one body; the figure of one is never the answer about two."""
    if not named:
        return ""
    words, others = issuer_mention(rest, docs, glossary)
    first = {d.issuer for d in named}
    return words if others and not {d.issuer for d in others} & first and len(words) >= 2 else ""


def describe(d: DocumentSummary) -> str:
    return f"{d.issuer or d.title} {d.year or ''}年{d.scope or ''}{d.kind or ''}".strip()


def coverage(docs: list[DocumentSummary]) -> str:
    if not docs:
        return "目前还没有导入任何文件。"
    return "已收录的文件：" + "；".join(describe(d) for d in docs) + "。"


def choose_documents(query: Query, docs: list[DocumentSummary], named: list[DocumentSummary],
                     every: list[DocumentSummary]) -> DocumentChoice:
    pool = named or docs
    if query.kind:
        kept = [d for d in pool if d.kind == query.kind]
        if not kept and query.kind == "决算":  # a final account cannot be read from a budget
            return DocumentChoice([], problem="no_answer",
                                  message=f"没有找到{query.kind}文件。{coverage(every)}")
        pool = kept or pool  # a final account prints the budget figures beside its own
    if query.scope:
        pool = [d for d in pool if d.scope == query.scope] or pool
    years = sorted({d.year for d in pool if d.year})
    year = query.years[0] if query.years else None
    if year is None and query.year_offsets and years:
        year = years[-1] + query.year_offsets[0]  # 今年/去年: relative to the latest document
    if year is not None:
        exact = [d for d in pool if d.year == year]
        # a budget prints the previous year's figures beside its own (2023年预算数 in a 2024 budget)
        later = [d for d in pool if d.year == year + 1 and d.kind == "预算"]
        pool = exact or later
        if not pool:
            return DocumentChoice([], year=year, problem="no_answer",
                                  message=f"没有收录{year}年的文件，无法回答。{coverage(every)}")
    note = ""
    if len(pool) > 1 and query.scope is None and _one_issuer_both_scopes(pool):
        # 部门 and 单位 documents of one issuer and year: the 部门 one consolidates the department
        # and its units, which is what a question about the issuer means unless it says 本级/单位.
        units = [d for d in pool if d.scope != "部门"]
        pool = [d for d in pool if d.scope == "部门"]
        note = (f"（取自{describe(pool[0])}，含所属单位；另有" + "、".join(describe(d) for d in units)
                + "，问“单位预算”或“本级”可查单位本身的数字。）")
    if len(pool) > 1:
        return DocumentChoice(pool, year=year, problem="clarify", message=clarify_message(pool))
    if not pool:
        return DocumentChoice([], problem="no_answer", message=coverage(every))
    return DocumentChoice(pool, year=year if year is not None else pool[0].year, note=note)


def option_names(docs: list[DocumentSummary]) -> list[str]:
    """How a clarify answer names the documents it offers; two that read alike (a file and its
    re-issue) also by their file names."""
    names = [describe(d) for d in docs]
    return [f"{n}（{d.source}）" if names.count(n) > 1 else n for n, d in zip(names, docs)]


def clarify_message(docs: list[DocumentSummary]) -> str:
    return "问题适用于多份文件，请说明是哪一份：" + "；".join(option_names(docs)) + "。"


def _one_issuer_both_scopes(pool: list[DocumentSummary]) -> bool:
    same = len({(d.issuer, d.year, d.kind) for d in pool}) == 1
    return same and {d.scope for d in pool} >= {"部门", "单位"} and sum(d.scope == "部门" for d in pool) == 1
