"""Reliability battery, fast part: hostile files, damaged stores, odd inputs — nothing lost, nothing
hangs, no traceback reaches a user, the stores agree afterwards.

The slow cases (the full-size bombs with their RSS, kill -9 of an ingest and its workers, Ctrl+C,
a full disk, 20 parallel questions) are in bench/reliability_battery.py.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys

import pytest

from app.chat.launch import streamlit_command
from app.chat.uploads import UPLOAD_LIMIT, check_upload, ingest_upload
from app.cli import main
from index.facts import FactStore
from index.store import ChunkIndex
from ingest.errors import InputError
from tests.conftest import ROOT, SAMPLE, corpus_file
from tests.hostile_files import hostile_batch, xlsx_bomb

HTML = "chongqing-transport-commission-2018-budget.html"
ESCAPED_NAME = "zz-\x1b[31mred\x1b[0m.html"  # a good document whose name tries to colour the terminal


def stores_agree(home) -> bool:
    """Fact store, keyword index and Chroma hold the same documents with the same chunk counts."""
    docs = {d.doc_id for d in FactStore(home).documents()}
    index = ChunkIndex(home)
    try:
        state = index.state()
    finally:
        index.close()
    return (state.vectors_error is None and state.keywords_live and set(state.keywords) == docs
            == set(state.vectors) and all(state.keywords[d] == state.vectors[d] > 0 for d in docs))


def no_traceback(*texts: str) -> bool:
    return not any("Traceback" in t or 'File "' in t for t in texts)


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """One real `budgetqa ingest` process over the sample, every hostile file and a good page last."""
    root = tmp_path_factory.mktemp("hostile")
    folder = root / "in"
    expected = hostile_batch(folder)
    shutil.copy(SAMPLE, folder / "00-good.txt")
    shutil.copy(corpus_file(HTML), folder / ESCAPED_NAME)
    home = root / "home"
    run = subprocess.run([sys.executable, "-m", "app.cli", "ingest", str(folder), "--home", str(home), "--json"],
                         capture_output=True, text=True, timeout=600, cwd=ROOT)
    return folder, home, expected, run


def test_hostile_batch_skips_each_bad_file_with_its_reason_and_ingests_the_rest(batch):
    folder, home, expected, run = batch
    assert run.returncode == 0, run.stderr
    assert no_traceback(run.stdout, run.stderr)
    report = json.loads(run.stdout)
    ingested = {os.path.basename(d["path"]) for d in report["documents"]}
    assert {"00-good.txt", ESCAPED_NAME} <= ingested  # the files before and after the hostile ones
    skipped = {os.path.basename(s["path"]): s["reason"] for s in report["skipped"]}
    for name, words in expected.items():
        if words is None:
            assert name in ingested or name in skipped
            continue
        assert name in skipped, f"{name} was not refused"
        assert name in skipped[name] and words in skipped[name], skipped[name]
    assert "pipe.txt" not in ingested | set(skipped)  # a named pipe is not read (it would hang)
    log = (home / "budgetqa.log").read_text(encoding="utf-8")
    for name in skipped:  # English detail in the log, naming the file
        line = next(ln for ln in log.splitlines() if " skipped " in ln and name in ln)
        detail = line.rsplit(name, 1)[-1]
        assert detail.isascii() and any(ch.isalpha() for ch in detail), line


def test_hostile_batch_leaves_the_stores_agreeing(batch):
    _, home, _, run = batch
    report = json.loads(run.stdout)
    stored = {d.doc_id: d.facts for d in FactStore(home).documents()}
    assert stored == {d["doc_id"]: d["facts"] for d in report["documents"]}
    assert max(stored.values()) < 10_000  # no bomb's cells were stored as facts
    assert stores_agree(home)


def test_docs_escapes_control_characters_in_names(batch, capsys):
    _, home, _, _ = batch
    assert main(["docs", "--home", str(home)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\\x1b" in out


@pytest.fixture
def home(batch, tmp_path):
    """A copy of the batch's data directory, to damage."""
    copy = tmp_path / "home"
    shutil.copytree(batch[1], copy)
    return copy


def _ingest_json(capsys, *args) -> tuple[int, dict, str]:
    code = main(["ingest", *map(str, args), "--json"])
    captured = capsys.readouterr()
    return code, json.loads(captured.out), captured.err


def test_ingest_reindexes_documents_missing_from_a_deleted_vector_store(home, capsys):
    shutil.rmtree(home / "chroma")
    code, report, err = _ingest_json(capsys, SAMPLE, "--home", home)
    assert code == 0 and [d["status"] for d in report["documents"]] == ["reindexed"]
    code, report, err = _ingest_json(capsys, SAMPLE, "--home", home)
    assert [d["status"] for d in report["documents"]] == ["unchanged"]
    assert not stores_agree(home)  # the other document is still missing from Chroma …
    assert main(["doctor", "--home", str(home), "--repair"]) == 0  # … until the doctor repairs it
    assert stores_agree(home)


def test_missing_keyword_current_is_rebuilt(home, capsys):
    (home / "keywords" / "CURRENT").unlink()
    assert main(["doctor", "--home", str(home)]) == 1
    assert "不一致" in capsys.readouterr().out
    index = ChunkIndex(home)
    try:
        hits = index.keyword_search("因公出国（境）费", 5)  # a read rebuilds the saved index
    finally:
        index.close()
    assert hits and (home / "keywords" / "CURRENT").exists()
    assert stores_agree(home)


def test_corrupt_vector_store_is_rebuilt_from_the_fact_store(home, capsys):
    (home / "vectors.json").write_text("[1, 2")
    with open(home / "chroma" / "chroma.sqlite3", "r+b") as f:
        f.seek(4096 * 2)
        f.write(b"\xde\xad" * 4096)
    assert main(["doctor", "--home", str(home)]) == 1
    out = capsys.readouterr().out
    assert "doctor --repair" in out
    assert main(["reindex", "--home", str(home)]) == 0
    assert stores_agree(home)


def test_corrupt_fact_store_refuses_work_in_chinese_and_is_recovered_from_the_sources(home, capsys):
    before = {d.doc_id for d in FactStore(home).documents()}
    with open(home / "facts.sqlite3", "r+b") as f:
        f.seek(4096 * 4)
        f.write(b"\x07" * 4096)
    assert main(["ask", "外事办2024年出国经费多少？", "--json", "--home", str(home)]) == 2
    captured = capsys.readouterr()
    answer = json.loads(captured.out)
    assert answer["status"] == "error" and "已损坏" in answer["answer"] and "doctor --repair" in answer["answer"]
    assert main(["ingest", str(SAMPLE), "--home", str(home)]) == 2  # no writing into a corrupt store
    captured = capsys.readouterr()
    assert "已损坏" in captured.err and no_traceback(captured.out, captured.err)
    assert main(["doctor", "--home", str(home), "--repair"]) == 0
    assert "重新导入" in capsys.readouterr().out
    assert {d.doc_id for d in FactStore(home).documents()} == before
    assert stores_agree(home)


def test_ask_batch_detects_encoding_and_answers_every_line(batch, tmp_path, capsys):
    _, home, _, _ = batch
    lines = ["外事办2024年出国经费多少？", "", "外事办2024年公务接待费多少？"]
    for encoding, bom in (("utf-8", b"\xef\xbb\xbf"), ("gbk", b""), ("utf-16", b"")):
        path = tmp_path / f"questions-{encoding}.txt"
        path.write_bytes(bom + ("\r\n".join(lines) + "\r\n").encode(encoding))
        assert main(["ask", "--batch", str(path), "--json", "--home", str(home)]) == 0
        out = capsys.readouterr().out.splitlines()
        answers = [json.loads(line) for line in out]
        assert [a["question"] for a in answers] == lines, encoding
        assert [a["status"] for a in answers][1] == "error" and "空" in answers[1]["answer"]
        assert answers[0]["status"] == "answered" and answers[2]["status"] != "error"


def test_ask_empty_question_prints_a_json_object(batch, capsys):
    assert main(["ask", "", "--json", "--home", str(batch[1])]) == 2
    answer = json.loads(capsys.readouterr().out)
    assert answer["status"] == "error" and answer["question"] == "" and answer["answer"]


def test_home_that_is_a_file_and_an_empty_folder_get_chinese_reasons(tmp_path, capsys):
    not_a_folder = tmp_path / "home.txt"
    not_a_folder.write_text("x")
    assert main(["docs", "--home", str(not_a_folder)]) == 2
    assert "不是文件夹" in capsys.readouterr().err
    empty = tmp_path / "empty"
    empty.mkdir()
    code, report, _ = _ingest_json(capsys, empty, "--home", tmp_path / "h")
    assert code == 1 and "没有可导入的文件" in report["skipped"][0]["reason"]


def test_upload_limit_agrees_with_the_server_and_bombs_are_refused(tmp_path):
    command = streamlit_command(8501)
    server_mb = int(command[command.index("--server.maxUploadSize") + 1])
    assert server_mb * 1024 * 1024 >= UPLOAD_LIMIT  # every file the browser sends reaches our check
    with pytest.raises(InputError) as info:
        check_upload("大.pdf", UPLOAD_LIMIT + 1)
    assert "超过" in info.value.message
    name, words = xlsx_bomb(tmp_path, 210_000)
    data = (tmp_path / name).read_bytes()
    assert len(data) < UPLOAD_LIMIT
    folder = tmp_path / "uploads"
    with pytest.raises(InputError) as info:
        ingest_upload(name, data, folder, FactStore(tmp_path / "h"), lambda: pytest.fail("index opened"))
    assert words in info.value.message and not list(folder.iterdir())  # refused, not kept


def _read_only_copy(home, tmp_path):
    """A read-only bind mount of the data directory (needs root; skipped elsewhere)."""
    target = tmp_path / "ro"
    target.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "--bind", str(home), str(target)],
                                           capture_output=True).returncode != 0:
        pytest.skip("a read-only mount needs root")
    if subprocess.run(["mount", "-o", "remount,bind,ro", str(target)], capture_output=True).returncode != 0:
        subprocess.run(["umount", str(target)])
        pytest.skip("cannot remount read-only")
    return target


def test_read_only_data_folder_answers_questions_and_refuses_writes(home, tmp_path):
    target = _read_only_copy(home, tmp_path)
    env = dict(os.environ, XDG_STATE_HOME=str(tmp_path / "state"))
    try:
        def run(*args):
            return subprocess.run([sys.executable, "-m", "app.cli", *args, "--home", str(target)],
                                  capture_output=True, text=True, timeout=300, cwd=ROOT, env=env)
        docs = run("docs", "--json")
        assert docs.returncode == 0 and len(json.loads(docs.stdout)) >= 2
        ask = run("ask", "外事办2024年出国经费多少？", "--json")
        assert ask.returncode == 0 and json.loads(ask.stdout)["status"] == "answered", ask.stderr
        ingest = run("ingest", str(SAMPLE))
        assert ingest.returncode == 2 and "只读" in ingest.stderr
        assert no_traceback(docs.stderr, ask.stderr, ingest.stdout, ingest.stderr)
        assert (tmp_path / "state" / "budgetqa" / "budgetqa.log").exists()  # the log went to the user's folder
    finally:
        subprocess.run(["umount", str(target)])


def test_fact_store_write_failure_leaves_it_as_it_was(home):
    """A write that fails inside its transaction (a trigger aborts it here, as a full disk would
    at any insert) is rolled back whole, and the message says so."""
    store = FactStore(home)
    before = [(d.doc_id, d.facts) for d in store.documents()]
    with sqlite3.connect(home / "facts.sqlite3") as db:
        db.execute("CREATE TRIGGER refuse BEFORE INSERT ON facts BEGIN SELECT RAISE(ABORT, 'disk full'); END")
    from ingest.pipeline import parse_bytes

    novel = SAMPLE.read_bytes().replace("外事办公室".encode(), "档案馆".encode())
    with pytest.raises(Exception) as info:
        store.add(parse_bytes(novel, SAMPLE.with_name("archive.txt")))
    assert "原有数据未改变" in getattr(info.value, "message", "")
    assert [(d.doc_id, d.facts) for d in store.documents()] == before
