"""Answers are the same whichever fact store serves them: SQLite or a real PostgreSQL server.

The seed (data/sample/*.txt) and two real PDFs are ingested into a SQLite data directory and,
through the same code, into a fresh database of a PostgreSQL server started on loopback; every
question of tests/golden/qa_seed.yaml and the qa_pdf.yaml questions about those two PDFs are asked
of an engine over each store. Status, text and result must agree. This compares the two stores;
the golden tests themselves judge whether the answers are right.
"""

from __future__ import annotations

import pytest

from app.engine import Engine
from app.eval_answers import ask_case, load_answer_cases
from app.library import ingest_paths
from index.facts import DATABASE_URL_VARIABLE, FactStore
from tests.conftest import ROOT, corpus_file
from tests.postgres_server import binaries, running_postgres

PDFS = ["shanghai-putuo-wanli-subdistrict-2024-dept-budget.pdf", "shanghai-putuo-finance-bureau-2024-final.pdf"]
SEED_FILES = sorted((ROOT / "data" / "sample").glob("*.txt"))
GOLDEN = ROOT / "tests" / "golden"


def _cases():
    seed = load_answer_cases(GOLDEN / "qa_seed.yaml")
    pdf = [c for c in load_answer_cases(GOLDEN / "qa_pdf.yaml") if c.files and set(c.files) <= set(PDFS)]
    return seed + pdf


CASES = _cases()


def _reply(answer) -> tuple:
    reply = answer.to_dict()  # the JSON of `ask --json`
    return reply["status"], reply["answer"], reply["result"], reply["verified"], [f["label"] for f in reply["facts"]]


@pytest.fixture(scope="module")
def engines(tmp_path_factory):
    if binaries() is None:
        pytest.skip("PostgreSQL binaries (initdb, pg_ctl) are not installed: Debian's postgresql package")
    files = SEED_FILES + [corpus_file(name) for name in PDFS]
    with running_postgres() as server:
        url = server.fresh_database()
        stores = {"sqlite": FactStore(tmp_path_factory.mktemp("sqlite-home"), database_url=None),
                  "postgresql": FactStore(tmp_path_factory.mktemp("pg-home"), database_url=url)}
        for store in stores.values():
            report = ingest_paths(files, store, workers=1)
            assert not report.skipped, report.skipped
        yield {name: Engine(store) for name, store in stores.items()}


def test_both_stores_hold_the_same_documents(engines):
    held = {name: [(d.doc_id, d.title, d.tables, d.facts) for d in e.store.documents()] for name, e in engines.items()}
    assert held["sqlite"] == held["postgresql"] and len(held["sqlite"]) == len(SEED_FILES) + len(PDFS)
    assert engines["postgresql"].store.database_url and not engines["sqlite"].store.database_url


def test_the_environment_variable_chooses_the_server(engines, tmp_path, monkeypatch):
    monkeypatch.setenv(DATABASE_URL_VARIABLE, engines["postgresql"].store.database_url)
    store = FactStore(tmp_path)  # opened by the data directory alone, as every command does
    assert [d.doc_id for d in store.documents()] == [d.doc_id for d in engines["postgresql"].store.documents()]
    assert not (tmp_path / "facts.sqlite3").exists()


def test_golden_questions_get_the_same_reply_from_either_store(engines):
    assert len(CASES) > 133 + 20  # every seed question and the PDF questions about the two files
    differ, statuses = [], []
    for case in CASES:
        replies = {name: _reply(ask_case(engine, case)) for name, engine in engines.items()}
        statuses.append(replies["postgresql"][0])
        if replies["sqlite"] != replies["postgresql"]:
            differ.append((case.q, replies))
    assert not differ, differ[:5]
    # a comparison of real answers, not of two empty stores (seed questions naming no issuer are
    # rightly `clarify` with three documents ingested)
    print({s: statuses.count(s) for s in set(statuses)})
    assert statuses.count("answered") >= 30 and statuses.count("clarify") >= 10
