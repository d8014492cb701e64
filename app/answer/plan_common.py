"""What every planner shares: the Plan and NoPlan types, naming a fact as printed, and the
best fact for an item (under the question's measure, set by app.answer.plan.make_plan)."""

from __future__ import annotations

import re
from contextvars import ContextVar
from dataclasses import dataclass, field

from app.answer.calc import Program
from app.answer.candidates import THRESHOLD, FactRecord, describe, rank
from app.answer.glossary import Glossary
from app.answer.understand import Item
from ingest.numbers import printed_tolerance
from index.facts import DocumentSummary


@dataclass
class Plan:
    operation: str
    program: Program
    records: list[FactRecord]  # aligned with program.facts
    names: list[str]  # what each fact is, as printed
    years: list[int]  # the year of each fact (change: new, old)
    doc: DocumentSummary
    notes: list[str] = field(default_factory=list)
    given: list = field(default_factory=list)  # figures stated in the question (有一百万吗), in 元


@dataclass
class NoPlan:
    status: str  # no_answer
    message: str  # Chinese


def name_for(record: FactRecord, item: Item | None) -> str:
    name = record.display_name()
    if name in ("合计", "总计") and record.is_total_row:  # the total row under a column that is the item
        columns = [p for p in (record.fact.locator.column or "").split(" › ") if p not in ("合计", "总计", "小计")]
        name = columns[-1] if columns and not re.match(r"^(\d{4}年)?(支出|收入)?(预算|决算)数?$", columns[-1]) \
            else (item.official[0] if item is not None else name)
    if item is not None and record.fact.label and name == record.fact.label[0]:
        return item.official[0]  # the grand total of a table about the item (三公经费)
    return name


MEASURE: ContextVar[str | None] = ContextVar("measure", default=None)  # the Query's measure, for best_fact


def best_fact(item: Item, pool: list[FactRecord], glossary: Glossary, year: int | None,
               within: Item | None = None) -> FactRecord | None:
    ranked = rank(item, pool, glossary, year=year, within=within, measure=MEASURE.get())
    if not ranked or ranked[0][0] < THRESHOLD:
        return None
    return exact_figure(ranked[0][1], ranked)


def exact_figure(chosen: FactRecord, ranked: list[tuple[float, FactRecord]]) -> FactRecord:
    """The text rounds (20.69万元); the table cell it restates (206,944.00) is the exact figure."""
    if chosen.fact.origin != "narrative":
        return chosen
    exact = [r for s, r in ranked if s >= THRESHOLD and r.fact.origin == "table"
             and abs(r.fact.value - chosen.fact.value) <= printed_tolerance(chosen.fact)]
    return exact[0] if exact else chosen




def missing(item: Item, doc: DocumentSummary, year: int | None) -> NoPlan:
    when = f"{year}年" if year else ""
    return NoPlan("no_answer", f"在{describe(doc)}中没有找到“{item.surface}”{when}的数字，无法回答。")


def fact_year(r: FactRecord) -> int | None:
    return r.fact.year if r.fact.year is not None else r.doc.year
