"""Chunking, tokenizing, offline model loading and the index lock: the parts that need no Chroma."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from index.chunks import NARRATIVE, TABLE, chunk_disclosure
from index.keywords import tokenize
from ingest.errors import StoreBusyError, StoreError
from tests.conftest import ROOT


def test_chunks_are_deterministic_and_carry_metadata(seed):
    first, second = chunk_disclosure(seed), chunk_disclosure(seed)
    assert [c.id for c in first] == [c.id for c in second]
    assert len({c.id for c in first}) == len(first), "chunk ids must be unique within a document"
    assert all(c.id.startswith(seed.doc_id) for c in first)
    for c in first:
        meta = c.metadata()
        assert (meta["doc_id"], meta["issuer"], meta["year"], meta["kind"]) == (
            seed.doc_id, "重庆市渝北区人民政府外事办公室", 2024, "预算")
        assert None not in meta.values()
        assert (c.section if c.origin == NARRATIVE else c.table), c.id
    # every section with text and every table is somewhere in the chunks
    sections = {c.section for c in first if c.origin == NARRATIVE}
    assert "四、“三公”经费情况说明" in sections
    assert {c.table for c in first if c.origin == TABLE} == {t.key for t in seed.tables}


def test_narrative_chunks_lead_with_their_heading_path(seed):
    chunk = next(c for c in chunk_disclosure(seed) if c.section and c.section.endswith("按支出功能科目说明"))
    assert chunk.text.startswith("三、部门预算情况说明 › (一)一般公共预算 › 2.按支出功能科目说明\n")
    assert all(len(c.text) <= 600 for c in chunk_disclosure(seed) if c.origin == NARRATIVE)


def test_table_blocks_repeat_title_unit_and_header(seed):
    blocks = [c for c in chunk_disclosure(seed) if c.table == "表五"]
    assert len(blocks) > 1, "表五 has 15 rows and should span several blocks"
    for block in blocks:
        first, header = block.text.splitlines()[:2]
        assert first.startswith("表五 ") and "一般公共预算财政拨款支出预算表" in first and "单位：元" in first
        assert header.startswith("栏目：") and "2024年预算数 › 项目支出" in header
    rows = "\n".join(b.text for b in blocks)
    assert "2080505 | 机关事业单位基本养老保险缴费支出 | 78,578.88 | 77,778.08" in rows
    empty = next(c for c in chunk_disclosure(seed) if c.table == "表十一")
    assert "本部门无政府性基金收支" in empty.text  # an empty table still answers "有没有"


def test_tokens_mix_characters_bigrams_digits_and_words():
    tokens = tokenize("2024年“三公”经费预算1,045,000元，公务接待费5,000元")
    assert {"三", "公", "三公", "经费", "接待"} <= set(tokens)
    assert {"2024", "1045000"} <= set(tokens)
    assert "w:公务" in tokens or "w:公务接待费" in tokens
    assert tokenize("ＡＢＣ１２") == ["abc", "12"]  # full-width letters and digits fold


def test_unknown_sentence_transformer_fails_offline_with_a_chinese_message(tmp_path):
    from index.embed import SentenceTransformerEmbeddings

    started = time.monotonic()
    with pytest.raises(StoreError) as caught:
        SentenceTransformerEmbeddings("no-such-org/no-such-model-" + tmp_path.name)
    assert "BUDGETQA_EMBEDDING_MODEL" in caught.value.message and "离线" in caught.value.message
    assert time.monotonic() - started < 30, "an offline failure must not wait on the network"


def test_lock_held_by_another_process_times_out_instead_of_hanging(tmp_path):
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; from index.lock import IndexLock\n"
         "with IndexLock(sys.argv[1]).hold(5, 'write'):\n"
         "    print('held', flush=True); time.sleep(30)", str(tmp_path)],
        cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        from index.store import ChunkIndex

        index = ChunkIndex(tmp_path, read_timeout=0.5)
        started = time.monotonic()
        with pytest.raises(StoreBusyError) as caught:
            index.keyword_search("三公经费", 5)
        assert 0.4 < time.monotonic() - started < 5
        assert "稍后再试" in caught.value.message
    finally:
        holder.kill()
        holder.wait(timeout=10)
    # the OS drops the lock with its process: nothing stale is left behind
    assert ChunkIndex(tmp_path, read_timeout=2).keyword_search("三公经费", 5) == []


def test_lock_is_reentrant_within_a_process(tmp_path):
    from index.lock import IndexLock

    lock = IndexLock(Path(tmp_path))
    with lock.hold(1, "write"):
        with lock.hold(1, "read"):
            assert lock.bump() == 1
    assert lock.generation() == 1


def test_questions_lose_the_issuers_name_within_its_documents():
    from index.retrieve import without_issuer

    assert without_issuer("司法局2026年三公经费多少？", "上海市普陀区司法局") == "2026年三公经费多少？"
    assert without_issuer("石泉路街道有几辆车？", "上海市普陀区人民政府石泉路街道办事处(本级)") == "有几辆车？"
    # two shared characters are a word of the question, not the issuer's name
    assert without_issuer("外事宣传经费项目要达到什么目标？", "重庆市渝北区人民政府外事办公室") == "外事宣传经费项目要达到什么目标？"
    assert without_issuer("三公经费", None) == "三公经费"
    assert without_issuer("司法局", "上海市普陀区司法局") == "司法局"  # nothing left to ask: keep it


def test_a_batch_ingest_saves_the_keyword_index_once_and_it_is_live_after(tmp_path, monkeypatch):
    """Rebuilding BM25 over the whole corpus after each document makes a batch quadratic; a batch
    saves it once, at its end, and the saved index then covers every document's chunks."""
    from app.library import ingest_paths
    from index.facts import FactStore
    from index.keywords import KeywordIndex
    from index.store import ChunkIndex
    from tests.conftest import ROOT

    folder = tmp_path / "docs"
    folder.mkdir()
    sample = (ROOT / "data" / "sample" / "yubei-foreign-affairs-office-2024-budget.txt").read_text(encoding="utf-8")
    for name, issuer in (("a.txt", "青石县城市管理局"), ("b.txt", "青石县审计局"), ("c.txt", "青石县水利局")):
        (folder / name).write_text(sample.replace("重庆市渝北区人民政府外事办公室", issuer), encoding="utf-8")
    index = ChunkIndex(tmp_path / "home")
    index.repair_keywords()  # a fresh home's empty index, saved before the batch
    saves = []
    original = KeywordIndex._rebuild
    monkeypatch.setattr(KeywordIndex, "_rebuild", lambda self, generation: saves.append(generation) or original(self, generation))
    try:
        report = ingest_paths([folder], FactStore(tmp_path / "home"), index=index, workers=1)
        assert len(report.documents) == 3 and not report.skipped
        assert len(saves) == 1 and index.keywords.live()
        assert index.keywords.search("三公经费", 5)  # the saved index answers
    finally:
        index.close()
