"""Bad input: a clear Chinese reason per file, the rest of the batch still ingests, nothing stored changes."""

from __future__ import annotations

import json
import shutil
import sqlite3

import pytest

from app.cli import main
from app.library import ingest_paths
from index.facts import FactStore
from ingest.errors import BinaryFileError, EmptyFileError, EncodingError, NotADisclosureError, UnsupportedFormatError
from ingest.pipeline import parse_file
from tests.conftest import SAMPLE

NOVEL = (
    "第一回 山中夜雨\n\n那一年的秋天来得很早。老周挑着担子走过石桥，桥下的河水涨得很高，"
    "他想起年轻时在镇上当学徒的日子，师傅总说做人要踏实。\n\n雨一直下到半夜，客栈里只剩下一盏灯。"
    "掌柜的女儿端来一碗热汤，问他要去哪里。他说去山那边看看老朋友，顺便把欠下的一句话说清楚。\n"
) * 20
FILE_LIST = "# Collected files\n\n| file | what | year |\n|---|---|---|\n" + "".join(
    f"| city-{i}-dept-{2015 + i % 9}-budget.pdf | some office {2015 + i % 9} 部门预算 / 决算 (complete, {i} pages) | "
    f"{2015 + i % 9} |\n" for i in range(40))
WEATHER_CSV = "date,city,temp_c,rain_mm\n" + "".join(
    f"2024-01-{d:02d},重庆,{8 + d % 7}.5,{d % 3}\n" for d in range(1, 29)
)


def _write(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("name,data,error,words", [
    ("empty.txt", b"", EmptyFileError, "空"),
    ("blank.txt", b"  \n\n\t\n", EmptyFileError, "空"),
    ("binary.txt", bytes(range(256)) * 40, BinaryFileError, "二进制"),
    ("broken.txt", "部门预算".encode("utf-8") + b"\xff\xfe\xff\xff" + "收入".encode("utf-8"), EncodingError, "编码"),
    ("novel.txt", NOVEL.encode("utf-8"), NotADisclosureError, "不是预算或决算"),
    ("weather.csv", WEATHER_CSV.encode("utf-8"), NotADisclosureError, "不是预算或决算"),
    ("report.docx", b"PK\x03\x04" + b"\x00" * 100, UnsupportedFormatError, "不支持"),
    ("notes.md", "# 预算\n部门预算说明".encode("utf-8"), UnsupportedFormatError, "不支持"),
    ("files.txt", FILE_LIST.encode("utf-8"), NotADisclosureError, "不是预算或决算"),
])
def test_each_bad_file_gets_a_chinese_reason_naming_it(tmp_path, name, data, error, words):
    path = _write(tmp_path, name, data)
    with pytest.raises(error) as info:
        parse_file(path)
    assert name in info.value.message
    assert words in info.value.message
    assert info.value.detail and info.value.detail != info.value.message  # English detail for the log


def test_batch_skips_bad_files_and_keeps_the_rest(tmp_path):
    folder = tmp_path / "batch"
    folder.mkdir()
    shutil.copy(SAMPLE, folder / "good.txt")
    _write(folder, "empty.txt", b"")
    _write(folder, "novel.txt", NOVEL.encode("utf-8"))
    _write(folder, "binary.txt", bytes(range(256)) * 10)
    store = FactStore(tmp_path / "home")
    report = ingest_paths([folder, tmp_path / "missing.txt"], store)
    assert [d.path.endswith("good.txt") for d in report.documents] == [True]
    reasons = {s.path.rsplit("/", 1)[-1]: s.reason for s in report.skipped}
    assert set(reasons) == {"empty.txt", "novel.txt", "binary.txt", "missing.txt"}
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in r) for r in reasons.values())


def _snapshot(home):
    db = sqlite3.connect(home / "facts.sqlite3")
    try:
        return {t: db.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall()
                for t in ("documents", "tables", "rows", "cells")} | {
            "facts": db.execute("SELECT doc_id, value, label FROM facts ORDER BY doc_id, label, value").fetchall()}
    finally:
        db.close()


def test_bad_input_changes_nothing_already_stored(tmp_path, capsys):
    home = tmp_path / "home"
    assert main(["ingest", str(SAMPLE), "--home", str(home)]) == 0
    before = _snapshot(home)
    bad = _write(tmp_path, "novel.txt", NOVEL.encode("utf-8"))
    empty = _write(tmp_path, "empty.txt", b"")
    capsys.readouterr()
    assert main(["ingest", str(bad), str(empty), "--home", str(home), "--json"]) == 1  # nothing ingested
    report = json.loads(capsys.readouterr().out)
    assert report["documents"] == [] and len(report["skipped"]) == 2
    assert _snapshot(home) == before


def test_exit_zero_when_something_was_ingested(tmp_path, capsys):
    bad = _write(tmp_path, "weather.csv", WEATHER_CSV.encode("utf-8"))
    assert main(["ingest", str(SAMPLE), str(bad), "--home", str(tmp_path / "h"), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert len(report["documents"]) == 1
    assert report["skipped"][0]["path"].endswith("weather.csv")
    assert "weather.csv" in report["skipped"][0]["reason"]
