"""One generated disclosure: an issuer's profile, a year and a kind → a TruthDocument.

The tables are the standard set for the kind, in a shuffled order, some optional ones left out,
the government-fund table published empty (with its note) or left out when there is no such
spending; the narrative restates figures and, in some documents, contradicts one.
"""

from __future__ import annotations

import random

from app.synthetic import tables as coded
from app.synthetic import tables_summary as summary
from app.synthetic.figures import Figures, Profile, figures
from app.synthetic.layout import OPTIONAL, make_style, number_label, title_for
from app.synthetic.model import TruthDocument, TruthTable
from app.synthetic.names import SUBORDINATES
from app.synthetic.narrative import Narrator, budget_sections, final_sections

_CONTRADICTABLE = ["公务接待费", "因公出国（境）费", "人员经费", "公用经费", "基本支出"]
_EMPTY_WHAT = {"fund": "政府性基金预算", "capital": "国有资本经营预算"}


def make_document(profile: Profile, year: int, kind: str, doc_key: str) -> TruthDocument:
    rng = random.Random(f"{profile.seed}:doc:{year}:{kind}")
    style = make_style(rng)
    iss = profile.issuer
    fig = figures(profile, year, kind)
    prior = figures(profile, year - 1, kind)
    budget = figures(profile, year, "预算") if kind == "决算" else fig
    unit = profile.unit

    built: dict[str, TruthTable] = {
        "income_expense": summary.income_expense_table(style, fig, unit),
        "income": coded.income_table(style, fig, unit),
        "expense": coded.expense_table(style, fig, unit),
        "fiscal": summary.fiscal_table(style, fig, unit),
        "general": coded.general_table(style, fig, prior if kind == "预算" else None, unit),
        "basic": (coded.basic_pairs_table(style, fig, unit) if kind == "决算" and style.basic_pairs
                  else coded.basic_table(style, fig, unit)),
        "sangong": summary.sangong_table(style, fig, prior if kind == "预算" else None, budget, unit),
        "fund": coded.fund_table(style, fig, unit),
        "capital": coded.capital_table(style, unit),
    }
    missing = [s for s in OPTIONAL if rng.random() < 0.25]
    if not fig.fund and rng.random() < 0.3:
        missing.append("fund")
    order = [s for s in built if s not in missing]
    if rng.random() < 0.6:  # the standard order, or a shuffled one
        head, rest = order[:1], order[1:]
        rng.shuffle(rest)
        order = head + rest
    tables, catalogue, empty = [], [], []
    listed = order + [s for s in missing if rng.random() < 0.5]  # a catalogue may list a table left out
    for position, standard in enumerate(listed, 1):
        title = title_for(style, standard, kind, iss.scope, iss.full, iss.region.split("市")[-1], year, rng)
        number = number_label(style, position)
        catalogue.append((number, title))
        if standard not in order:
            continue
        table = built[standard]
        table.title, table.number = title, number if style.numbering != "catalogue" else ""
        table.number_above = style.numbering == "above"
        table.meta = f"{style.meta_key}：{iss.full}"
        table.unit_place = style.unit_place
        if table.empty:
            empty.append(standard)
            table.note = style.empty_note.format(x=_EMPTY_WHAT.get(standard, "该项"), issuer=iss.full, year=year)
        tables.append(table)
    subs = rng.sample(SUBORDINATES, k=3)
    named, absent = ([] if rng.random() < 0.2 else [iss.short + s for s in subs[:2]]), iss.short + subs[2]
    contradict = rng.choice(_CONTRADICTABLE) if rng.random() < 0.3 else None
    # tables in 元 often come with a 说明 in 万元 (rounded to two decimals); tables in 万元, a 说明 in 万元
    narrative_unit = "万元" if unit == "万元" or rng.random() < 0.5 else "元"
    narrator = Narrator(narrative_unit, rng, contradict)
    if kind == "预算":
        sections = budget_sections(profile, fig, prior, narrator, named)
        title = f"{iss.full}{year}年{iss.scope}预算情况说明"
    else:
        sections = final_sections(profile, fig, prior, budget, narrator, named)
        title = f"{iss.full}{year}年度{iss.scope}决算公开说明"
    return TruthDocument(doc_key=doc_key, issuer=iss.full, region=iss.region, short=iss.short,
                         district_name=iss.district_name, year=year, kind=kind, scope=iss.scope, unit=unit,
                         title=title, sections=sections, tables=tables,
                         catalogue=catalogue if style.numbering == "catalogue" or rng.random() < 0.5 else [],
                         statements=narrator.statements, subordinates=named, absent_subordinate=absent,
                         missing=[m for m in missing], empty=empty, narrative_unit=narrative_unit)


def document_figures(profile: Profile, doc: TruthDocument) -> tuple[Figures, Figures, Figures]:
    """(this year's, last year's, this year's 预算) figures behind a document."""
    fig = figures(profile, doc.year, doc.kind)
    return fig, figures(profile, doc.year - 1, doc.kind), figures(profile, doc.year, "预算")
