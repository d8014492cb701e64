"""Audit findings are worked out once, at ingest, and kept with the document (app/audit/stored.py).

The engine and `budgetqa audit` read the stored findings first and audit a document only when
its findings are missing or were made by another version of the audit.
"""

from __future__ import annotations

import json

from app.audit import audit, audit_report
from app.audit.stored import audit_version, findings_to_json, stored_findings
from app.cli import main
from app.engine import Engine
from app.library import ingest_paths
from index.facts import FactStore
from tests.conftest import SAMPLE, corpus_file

INJECTED = "shanghai-putuo-finance-bureau-2024-final-ERRORS-INJECTED.pdf"


def _ingested(tmp_path, *paths, workers=None):
    store = FactStore(tmp_path)
    report = ingest_paths(list(paths), store, workers=workers)
    assert not report.skipped, report.skipped
    return store, [d.doc_id for d in report.documents]


def test_ingest_keeps_the_findings_the_audit_gives(tmp_path):
    store, (doc_id,) = _ingested(tmp_path, corpus_file(INJECTED))
    kept = store.findings(doc_id, audit_version())
    expected = findings_to_json(audit(store.get(doc_id)))
    assert kept == expected and len(kept) > 0  # the injected errors are found
    assert [f.to_dict() for f in stored_findings(store, doc_id)] == [f.to_dict() for f in audit(store.get(doc_id))]


def test_parse_workers_audit_beside_the_parsing(tmp_path):
    files = [SAMPLE, corpus_file(INJECTED), corpus_file("shanghai-putuo-justice-bureau-2026-unit-budget.pdf")]
    store, ids = _ingested(tmp_path, *files, workers=2)
    assert len(ids) == 3
    for doc_id in ids:
        assert store.findings(doc_id, audit_version()) == findings_to_json(audit(store.get(doc_id)))


def test_the_engine_reads_stored_findings_first(tmp_path):
    store, (doc_id,) = _ingested(tmp_path, SAMPLE)
    planted = [{"rule": "A05", "message": "虚构的发现：合计 10.00 元，下级合计 9.00 元。", "figures": []}]
    store.set_findings(doc_id, audit_version(), planted)
    assert [f.message for f in Engine(store).findings(doc_id)] == [planted[0]["message"]]


def test_findings_of_another_audit_version_are_worked_out_again_and_kept(tmp_path):
    store, (doc_id,) = _ingested(tmp_path, SAMPLE)
    store.set_findings(doc_id, "an-older-audit", [{"rule": "A05", "message": "旧的发现", "figures": []}])
    assert store.findings(doc_id, audit_version()) is None
    found = Engine(store).findings(doc_id)
    assert [f.to_dict() for f in found] == [f.to_dict() for f in audit(store.get(doc_id))]
    assert store.findings(doc_id, audit_version()) == findings_to_json(found)


def test_audit_command_prints_the_stored_findings(tmp_path, capsys):
    store, (doc_id,) = _ingested(tmp_path, corpus_file(INJECTED))
    capsys.readouterr()
    assert main(["audit", "--home", str(tmp_path), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == audit_report([store.get(doc_id)])


def test_removing_a_document_removes_its_findings(tmp_path):
    store, (doc_id,) = _ingested(tmp_path, SAMPLE)
    assert store.findings(doc_id, audit_version()) is not None
    store.remove(doc_id)
    assert store.findings(doc_id, audit_version()) is None
