"""A disclosure published as two files, ingested into a real fact store.

The parts are the real Jiangsu narrative and tables PDFs of one office's 2017 budget; every run
uses a fresh data directory. Ingesting the parts in one batch, in two commands in either order,
or a part again, gives the same stored disclosure; removing one part leaves the other as read.
"""

from __future__ import annotations

import pytest

from app.library import ingest_paths, remove_part
from index.facts import FactStore
from tests.conftest import corpus_file

TEXT = "jiangsu-cppcc-office-2017-dept-budget-text.pdf"
TABLES = "jiangsu-cppcc-office-2017-dept-budget-tables.pdf"


def _ingest(store, *names):
    return ingest_paths([corpus_file(n) for n in names], store, workers=1)


def _snapshot(store):
    docs = store.documents()
    assert len(docs) == 1, [(d.doc_id, d.source) for d in docs]
    held = store.get(docs[0].doc_id)
    return held.doc_id, held.files, len(held.tables), len(held.facts())


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    store = FactStore(tmp_path_factory.mktemp("batch"))
    report = _ingest(store, TEXT, TABLES)
    return store, report


def test_one_batch_reports_one_disclosure_with_its_files_and_coverage(batch):
    store, report = batch
    assert len(report.documents) == 1 and not report.skipped
    entry = report.to_dict()["documents"][0]
    assert entry["files"] == [TEXT, TABLES]
    assert len({f["standard"] for f in entry["coverage"]["found"]}) == 12
    assert entry["coverage"]["missing"] == [] and entry["coverage"]["unclassified"] == []
    assert not any("在正文中未找到" in w for w in entry["warnings"])  # the narrative's 目录 is printed in the tables part


@pytest.mark.parametrize("order", [(TEXT, TABLES), (TABLES, TEXT)])
def test_separate_commands_in_either_order_give_the_same_disclosure(batch, tmp_path, order):
    store = FactStore(tmp_path)
    _ingest(store, order[0])
    second = _ingest(store, order[1])
    assert [d.files for d in second.documents] == [[TEXT, TABLES]]
    assert _snapshot(store) == _snapshot(batch[0])
    again = _ingest(store, order[0])  # a part ingested again changes nothing
    assert [d.status for d in again.documents] == ["unchanged"]
    assert _snapshot(store) == _snapshot(batch[0])


def test_removing_one_part_removes_that_part_only(tmp_path):
    store = FactStore(tmp_path)
    _ingest(store, TEXT, TABLES)
    joined = store.documents()[0].doc_id
    assert store.part_holder(TABLES) == joined
    remove_part(joined, TABLES, store, None)
    docs = store.documents()
    assert len(docs) == 1 and docs[0].source == TEXT and docs[0].tables == 0
    rest = store.get(docs[0].doc_id)
    assert rest.files == [TEXT] and rest.narrative_facts
    assert store.part_holder(TABLES) is None
    report = _ingest(store, TABLES)  # and it can be joined again
    assert [d.files for d in report.documents] == [[TEXT, TABLES]]
