"""Audit: does a disclosure add up, across its tables and against its own text?

`audit(disclosure)` runs every rule of `RULES` (app/audit/findings.py) and returns `Finding`s.
The rules live in one module per family:
- A01–A07 totals and links inside and between tables (app/audit/tables.py);
- B01–B07 the narrative against the tables (app/audit/match.py) and against itself (app/audit/text.py);
- C01–C05 completeness and consistency of the document (app/audit/document.py).
`audit/precision.py` counts findings against hand verdicts.
"""

from __future__ import annotations

from decimal import Decimal

from app.audit.document import DOCUMENT_RULES
from app.audit.findings import RULES, Figure, Finding, Rule
from app.audit.match import MATCH_RULES
from app.audit.tables import TABLE_RULES
from app.audit.text import TEXT_RULES
from ingest.model import Disclosure, Locator

__all__ = ["RULES", "Figure", "Finding", "Rule", "audit", "audit_report", "notes_for"]




def audit(d: Disclosure) -> list[Finding]:
    findings: list[Finding] = []
    for rule in (*TABLE_RULES, *MATCH_RULES, *TEXT_RULES, *DOCUMENT_RULES):
        findings.extend(rule(d))
    order = list(RULES)
    findings.sort(key=lambda f: order.index(f.rule))
    return findings


def notes_for(findings: list[Finding], locator: Locator, value: Decimal | None = None) -> list[str]:
    """Short notes for a figure an answer shows, when it takes part in a finding: the same table
    cell, or the same narrative figure (the same section and page, and — when the caller gives the
    figure's value — the same value, so a section's other figures are not implicated). A finding
    whose figure list holds a gap (a cell the rule could not place) is matched on the others."""
    def same(figure: Figure) -> bool:
        a = figure.locator
        if a.table or locator.table:
            return (a.table, a.row, a.column) == (locator.table, locator.row, locator.column)
        return ((a.page, a.section) == (locator.page, locator.section) and a.section is not None
                and (value is None or figure.value is None or figure.value == value))

    # the message is quoted (「」): its figures are the document's, as the audit read them
    return [f"审核提示 {f.rule}（{RULES[f.rule].description}）：「{f.message}」"
            for f in findings if any(x is not None and same(x) for x in f.figures)]


def audit_report(docs: list[Disclosure]) -> dict:
    """The `audit --json` object (DESIGN.md)."""
    return {"documents": [{"doc_id": d.doc_id, "title": d.title, "source": d.source,
                           "findings": [f.to_dict() for f in audit(d)]} for d in docs]}
