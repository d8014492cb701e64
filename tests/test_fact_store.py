"""The fact store's public methods, on SQLite and on a real PostgreSQL server (`store_url`).

Every test runs twice: once on the SQLite file in a fresh data directory, once on a fresh
database of a PostgreSQL server this module starts on a loopback port (tests/postgres_server.py).
The documents are the seed disclosure and real corpus PDFs, with invented issuers where a test
needs documents to differ.
"""

from __future__ import annotations

import dataclasses

import pytest

from app.library import ingest_paths, remove_part
from index.facts import DATABASE_URL_VARIABLE, FactStore
from ingest.errors import NotFoundError, StoreError
from ingest.pipeline import parse_file
from tests.conftest import SAMPLE, corpus_file
from tests.postgres_server import binaries, running_postgres

TEXT = "jiangsu-cppcc-office-2017-dept-budget-text.pdf"
TABLES = "jiangsu-cppcc-office-2017-dept-budget-tables.pdf"


@pytest.fixture(scope="module")
def postgres():
    if binaries() is None:
        pytest.skip("PostgreSQL binaries (initdb, pg_ctl) are not installed: Debian's postgresql package")
    with running_postgres() as server:
        yield server


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, monkeypatch):
    """None for SQLite, or the URL of a fresh PostgreSQL database (also set in the environment,
    so code that opens a store by its data directory alone opens the same one)."""
    monkeypatch.delenv(DATABASE_URL_VARIABLE, raising=False)
    if request.param == "sqlite":
        return None
    url = request.getfixturevalue("postgres").fresh_database()
    monkeypatch.setenv(DATABASE_URL_VARIABLE, url)
    return url


@pytest.fixture(scope="module")
def seed():
    return parse_file(SAMPLE)


def _variant(d, n: int, **changes):
    """The seed under another id and content hash (an invented second document)."""
    doc_id = f"{n:012x}"
    narrative = [dataclasses.replace(f, doc_id=doc_id) for f in d.narrative_facts]
    return dataclasses.replace(d, doc_id=doc_id, content_hash=f"{n:064x}", narrative_facts=narrative, **changes)


def test_add_get_and_list_a_document(tmp_path, store_url, seed):
    store = FactStore(tmp_path, store_url)
    assert store.documents() == [] and store.generation() == 0
    assert store.add(seed) is True
    assert store.add(seed) is False  # the same content again changes nothing
    assert store.generation() == 1
    (summary,) = store.documents()
    assert (summary.doc_id, summary.title, summary.issuer, summary.year) == (seed.doc_id, seed.title, seed.issuer, seed.year)
    assert summary.tables == len(seed.tables) and summary.facts == len(seed.facts()) > 0
    assert summary.warnings == seed.warnings and summary.source == seed.source
    held = store.get(seed.doc_id)
    assert held.to_dict() == seed.to_dict()
    assert [f.value for f in held.facts()] == [f.value for f in seed.facts()]
    assert store.has(seed.content_hash) == seed.doc_id and store.has("0" * 64) is None
    assert store.hashes() == {seed.content_hash}
    assert [d.doc_id for d in store.find(seed.doc_id[:6])] == [seed.doc_id]
    assert [d.doc_id for d in store.find(seed.issuer)] == [seed.doc_id]
    with pytest.raises(NotFoundError):
        store.get("no-such-document")


def test_a_second_store_object_sees_what_the_first_wrote(tmp_path, store_url, seed):
    FactStore(tmp_path, store_url).add(seed)
    other = FactStore(tmp_path, store_url)
    assert [d.doc_id for d in other.documents()] == [seed.doc_id] and other.generation() == 1


def test_documents_are_listed_by_issuer_year_and_title_missing_ones_first(tmp_path, store_url, seed):
    store = FactStore(tmp_path, store_url)
    invented = [
        _variant(seed, 1, issuer="乙县水务局", year=2024, title="乙"),
        _variant(seed, 2, issuer="甲县农业局", year=2025, title="甲二"),
        _variant(seed, 3, issuer="甲县农业局", year=2023, title="甲一"),
        _variant(seed, 4, issuer=None, year=2024, title="无名"),
        _variant(seed, 5, issuer="甲县农业局", year=None, title="无年"),
        _variant(seed, 6, issuer="Zeta", year=2024, title="z"),
        _variant(seed, 7, issuer="alpha", year=2024, title="a"),
    ]
    for d in reversed(invented):
        assert store.add(d)
    order = [d.doc_id for d in store.documents()]
    # code-point order (SQLite's BINARY collation): upper-case Latin, lower-case Latin, Han (乙 U+4E59 < 甲 U+7532)
    expected = sorted(invented, key=lambda d: (d.issuer is not None, d.issuer or "", d.year is not None, d.year or 0, d.title))
    assert order == [d.doc_id for d in expected]
    assert order[0] == invented[3].doc_id and order[1:3] == [invented[5].doc_id, invented[6].doc_id]


def test_remove_takes_the_document_and_everything_under_it(tmp_path, store_url, seed):
    store = FactStore(tmp_path, store_url)
    other = _variant(seed, 9, issuer="丙县教育局")
    store.add(seed), store.add(other)
    assert store.remove(seed.doc_id) is True and store.remove(seed.doc_id) is False
    assert [d.doc_id for d in store.documents()] == [other.doc_id]
    assert store.has(seed.content_hash) is None and store.generation() == 3
    assert store.add(seed) is True  # nothing of it was left behind to collide with
    assert store.documents()[0].facts == len(seed.facts())


def test_findings_are_kept_per_audit_version_and_replaced(tmp_path, store_url, seed):
    store = FactStore(tmp_path, store_url)
    store.add(seed)
    assert store.findings(seed.doc_id, "v1") is None
    store.set_findings(seed.doc_id, "v1", [{"rule": "A01", "message": "虚构的发现一"}])
    store.set_findings(seed.doc_id, "v2", [{"rule": "A02", "message": "虚构的发现二"}])
    assert store.findings(seed.doc_id, "v1") is None  # replaced by the later version
    assert store.findings(seed.doc_id, "v2") == [{"rule": "A02", "message": "虚构的发现二"}]
    store.set_findings("no-such-document", "v2", [{"rule": "A03"}])  # not kept: no document
    assert store.findings("no-such-document", "v2") is None
    generation = store.generation()
    store.remove(seed.doc_id)
    assert store.findings(seed.doc_id, "v2") is None and store.generation() == generation + 1


def test_a_failed_add_leaves_the_store_as_it_was(tmp_path, store_url, seed):
    store = FactStore(tmp_path, store_url)
    store.add(seed)
    broken = _variant(seed, 11, tables=[seed.tables[0], seed.tables[0]])  # two tables under one key
    with pytest.raises(StoreError):
        store.add(broken)
    assert [d.doc_id for d in store.documents()] == [seed.doc_id]
    assert store.has(broken.content_hash) is None and store.generation() == 1


def test_split_parts_are_grouped_and_removed_one_at_a_time(tmp_path, store_url):
    store = FactStore(tmp_path, store_url)
    report = ingest_paths([corpus_file(TEXT), corpus_file(TABLES)], store, workers=1)
    assert [d.files for d in report.documents] == [[TEXT, TABLES]]
    joined = store.documents()[0].doc_id
    assert store.part_holder(TABLES) == joined and store.part_holder("no-such-file.pdf") is None
    tables_hash = parse_file(corpus_file(TABLES)).content_hash
    assert store.has(tables_hash) == joined and tables_hash in store.hashes()
    again = ingest_paths([corpus_file(TABLES)], store, workers=1)
    assert [d.status for d in again.documents] == ["unchanged"]
    remove_part(joined, TABLES, store, None)
    (rest,) = store.documents()
    assert rest.source == TEXT and rest.tables == 0 and store.part_holder(TABLES) is None


def test_an_unreachable_server_is_a_store_error_in_chinese(tmp_path, monkeypatch):
    with pytest.raises(StoreError) as caught:
        FactStore(tmp_path, "postgresql://nobody@127.0.0.1:1/none")
    assert "事实库服务器" in caught.value.message and "127.0.0.1:1" in caught.value.detail
    assert not (tmp_path / "facts.sqlite3").exists()
