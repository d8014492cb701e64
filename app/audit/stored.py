"""Audit findings kept with the document: worked out once at ingest, read back when asked for.

The audit of a document takes 0.1–0.5 s; the first answer about a document and every
`budgetqa audit` used to pay it again. Ingest now runs it once (in the parse worker, beside
the parsing) and the fact store keeps the findings as JSON. They are stored under the
audit's version — a digest of the audit's own source files — so findings made by other rules
are not read back: they count as missing and are worked out again (and kept).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import asdict
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from app.audit import Figure, Finding, audit
from ingest.errors import BudgetQAError
from ingest.model import Disclosure, Locator

log = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def audit_version() -> str:
    """A digest of the audit's rules as they are in this checkout."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def findings_to_json(findings: list[Finding]) -> list[dict]:
    return [{"rule": f.rule, "message": f.message,
             "figures": [{"label": x.label, "value": None if x.value is None else str(x.value), "unit": x.unit,
                          "text": x.text, "locator": asdict(x.locator)} for x in f.figures]}
            for f in findings]


def findings_from_json(items: list[dict]) -> list[Finding]:
    return [Finding(item["rule"], item["message"],
                    [Figure(x["label"], None if x["value"] is None else Decimal(x["value"]), x["unit"], x["text"],
                            Locator(**x["locator"])) for x in item["figures"]])
            for item in items]


def audited(disclosure: Disclosure) -> list[dict]:
    """The document's findings, ready to store (what ingest keeps)."""
    return findings_to_json(audit(disclosure))


def keep_findings(store, doc_id: str, findings: list[dict]) -> None:
    """Store the findings; a store that refuses (read-only) only means they are worked out again later."""
    try:
        store.set_findings(doc_id, audit_version(), findings)
    except BudgetQAError as exc:
        log.warning("findings of %s not kept: %s", doc_id, exc.detail)


def stored_findings(store, doc_id: str) -> list[Finding] | None:
    """The findings kept for this document by this audit version, or None."""
    items = store.findings(doc_id, audit_version())
    return None if items is None else findings_from_json(items)


def findings_of(store, disclosure: Disclosure) -> list[Finding]:
    """Stored findings first; missing or stale ones are worked out now and kept."""
    found = stored_findings(store, disclosure.doc_id)
    if found is None:
        items = audited(disclosure)
        if not getattr(store, "read_only", False):
            keep_findings(store, disclosure.doc_id, items)
        found = findings_from_json(items)
    return found


def stored_report(store, disclosure: Disclosure | None = None) -> dict:
    """The `audit --json` object (DESIGN.md) for one document or every stored one, from the
    stored findings; a document is read from the store only when its findings are missing."""
    entries = []
    for doc_id, title, source in ([(disclosure.doc_id, disclosure.title, disclosure.source)] if disclosure else
                                  [(d.doc_id, d.title, d.source) for d in store.documents()]):
        found = stored_findings(store, doc_id)
        if found is None:
            found = findings_of(store, disclosure or store.get(doc_id))
        entries.append({"doc_id": doc_id, "title": title, "source": source,
                        "findings": [f.to_dict() for f in found]})
    return {"documents": entries}
