"""The command line: ingest (idempotent, JSON contract), show (a table laid out as printed), docs."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from app.cli import main
from tests.conftest import ROOT, SAMPLE, corpus_file


def _ingest_json(capsys, *args) -> tuple[int, dict]:
    code = main(["ingest", *map(str, args), "--json"])
    return code, json.loads(capsys.readouterr().out)


def test_ingest_json_contract(tmp_path, capsys):
    code, report = _ingest_json(capsys, SAMPLE, "--home", tmp_path)
    assert code == 0
    assert set(report) == {"documents", "skipped"}
    (doc,) = report["documents"]
    assert {"doc_id", "title", "issuer", "year", "kind", "scope", "tables", "facts", "warnings"} <= set(doc)
    assert doc["issuer"] == "重庆市渝北区人民政府外事办公室"
    assert (doc["year"], doc["kind"], doc["scope"], doc["tables"]) == (2024, "预算", "部门", 21)
    assert doc["facts"] > 300
    assert any("表二" in w for w in doc["warnings"]) and any("表十三" in w for w in doc["warnings"])
    assert report["skipped"] == []


def test_ingest_is_idempotent_by_content(tmp_path, capsys):
    home = tmp_path / "home"
    _, first = _ingest_json(capsys, SAMPLE, "--home", home)
    copy = tmp_path / "renamed.txt"
    copy.write_bytes(SAMPLE.read_bytes())
    _, second = _ingest_json(capsys, SAMPLE, copy, "--home", home)
    assert [d["status"] for d in second["documents"]] == ["unchanged", "unchanged"]
    assert {d["doc_id"] for d in second["documents"]} == {first["documents"][0]["doc_id"]}
    main(["docs", "--home", str(home), "--json"])
    docs = json.loads(capsys.readouterr().out)
    assert len(docs) == 1 and docs[0]["facts"] == first["documents"][0]["facts"]


def test_ingest_folder_reports_each_file(tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_bytes(SAMPLE.read_bytes())
    html = corpus_file("chongqing-transport-commission-2018-budget.html")
    (folder / "b.html").write_bytes(html.read_bytes())
    (folder / ".hidden.txt").write_text("ignored")
    code, report = _ingest_json(capsys, folder, "--home", tmp_path / "home")
    assert code == 0
    assert sorted(d["issuer"] for d in report["documents"]) == ["重庆市交通委员会", "重庆市渝北区人民政府外事办公室"]


def test_show_lays_out_a_table_as_printed(tmp_path, capsys):
    home = str(tmp_path)
    main(["ingest", str(SAMPLE), "--home", home])
    capsys.readouterr()
    assert main(["show", "外事办公室", "--table", "表五", "--home", home]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].startswith("表五") and "一般公共预算财政拨款支出预算表" in lines[0]
    assert "单位：元" in out
    header = next(line for line in lines if "科目编码" in line)
    assert "小计" in header and "基本支出" in header and "项目支出" in header
    row = next(line for line in lines if "2080505" in line)
    assert "机关事业单位基本养老保险缴费支出" in row and "78,578.88" in row and "77,778.08" in row
    # columns line up: every row has as many separators as the header
    assert row.count("│") == header.count("│")


def test_show_lists_tables_and_rejects_unknown(tmp_path, capsys):
    home = str(tmp_path)
    main(["ingest", str(SAMPLE), "--home", home])
    capsys.readouterr()
    assert main(["show", "外事", "--home", home]) == 0
    listing = capsys.readouterr().out
    assert "表一·收入" in listing and "表十七(5)" in listing and "（空表）" in listing
    assert main(["show", "外事", "--table", "表九十", "--home", home]) == 2
    assert "没有表" in capsys.readouterr().err
    assert main(["show", "不存在的单位", "--home", home]) == 2
    assert "没有找到" in capsys.readouterr().err


@pytest.mark.slow
def test_console_script_runs_offline(tmp_path):
    exe = ROOT / ".venv" / "bin" / "budgetqa"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "app.cli"]
    env = dict(os.environ, BUDGETQA_HOME=str(tmp_path / "home"))
    done = subprocess.run([*cmd, "ingest", str(SAMPLE), "--json"], capture_output=True, text=True, env=env,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["documents"][0]["tables"] == 21
    assert (tmp_path / "home" / "facts.sqlite3").exists()
    assert "ingested" in (tmp_path / "home" / "budgetqa.log").read_text(encoding="utf-8")
