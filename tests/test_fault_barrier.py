"""The fault barrier: a failure inside any stage of one question is that question's answer
(status error, a Chinese message, the detail and traceback in the log), never a traceback, and a
batch goes on with the other questions. Failures are injected by replacing a stage's function in
app.engine with one that raises; everything else is the real engine on the ingested sample."""

from __future__ import annotations

import json
import logging
from decimal import Decimal

import pytest

import app.engine as engine_module
from app.audit import Finding, notes_for
from app.audit.findings import cell_figure
from app.cli import main
from app.engine import Engine
from index.facts import FactStore
from tests.conftest import SAMPLE

FIGURE_QUESTION = "外事办今年出国经费多少？"  # goes through understand, plan, calc, compose, audit notes, verify
TEXT_QUESTION = "什么是“三公”经费？"  # goes through the text passages


class Injected(RuntimeError):
    pass


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    from app.library import ingest_file

    home = tmp_path_factory.mktemp("barrier")
    store = FactStore(home)
    ingest_file(SAMPLE, store)
    return store


def _raise(*args, **kwargs):
    raise Injected("injected failure for the test")


@pytest.mark.parametrize("stage, name, question", [
    ("understand", "understand", FIGURE_QUESTION),
    ("understand", "issuer_mention", FIGURE_QUESTION),
    ("plan", "make_plan", FIGURE_QUESTION),
    ("plan", "choose_documents", FIGURE_QUESTION),
    ("calc", "execute", FIGURE_QUESTION),
    ("compose", "compose", FIGURE_QUESTION),
    ("audit notes", "notes_for", FIGURE_QUESTION),
    ("verify", "verify", FIGURE_QUESTION),
    ("verify", "narrative_check", FIGURE_QUESTION),
    ("text passages", "find_passage", TEXT_QUESTION),
    ("verify", "verify", TEXT_QUESTION),
])
def test_a_failing_stage_becomes_an_error_answer(store, monkeypatch, caplog, stage, name, question):
    engine = Engine(store)
    first, context = engine.converse("外事办2024年三公经费是多少？")
    assert first.status == "answered"
    monkeypatch.setattr(engine_module, name, _raise)
    with caplog.at_level(logging.ERROR, logger="app.engine"):
        answer, kept = engine.converse(question, context)
    assert answer.status == "error" and answer.value is None and not answer.verified
    assert "出错" in answer.text and "budgetqa.log" in answer.text
    assert not any(ch.isascii() and ch.isalpha() for ch in answer.text.replace("budgetqa.log", ""))  # Chinese only
    assert kept is context  # the conversation goes on from where it was
    data = answer.to_dict()
    assert data["status"] == "error" and data["result"] is None
    assert f"failed in stage {stage}" in caplog.text and "Injected" in caplog.text
    assert "Traceback" in caplog.text and "injected failure for the test" in caplog.text
    monkeypatch.undo()
    again = engine.ask(question)  # the same engine answers once the stage works again
    assert again.status == "answered"


def test_a_calculation_the_figures_do_not_allow_is_still_a_no_answer(store, monkeypatch):
    """CalcError is an expected outcome (no_answer with its own message), not an engine failure."""
    from app.answer.calc import CalcError

    def refuse(program):
        raise CalcError("这两个数字不能相除。", "division by zero (test)")

    engine = Engine(store)
    monkeypatch.setattr(engine_module, "execute", refuse)
    answer = engine.ask(FIGURE_QUESTION)
    assert answer.status == "no_answer" and answer.text == "这两个数字不能相除。"


def test_batch_answers_every_other_line(store, tmp_path, monkeypatch, capsys):
    real_compose = engine_module.compose

    def compose_failing_on_travel(question, *args, **kwargs):
        if "出国" in question:
            raise Injected("compose broke on this one question")
        return real_compose(question, *args, **kwargs)

    monkeypatch.setattr(engine_module, "compose", compose_failing_on_travel)
    batch = tmp_path / "questions.txt"
    questions = ["外事办2024年三公经费是多少？", FIGURE_QUESTION, "2024年公务接待费预算是多少？", "你好"]
    batch.write_text("\n".join(questions) + "\n", encoding="utf-8")
    home = store.path.parent
    code = main(["ask", "--batch", str(batch), "--json", "--home", str(home)])
    assert code == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]
    assert [line["question"] for line in lines] == questions
    assert [line["status"] for line in lines] == ["answered", "error", "answered", "no_answer"]
    assert lines[0]["result"] == {"value": "1045000.00", "unit": "元"}
    assert lines[2]["result"] == {"value": "5000.00", "unit": "元"}
    log = (home / "budgetqa.log").read_text(encoding="utf-8")
    assert "failed in stage compose" in log and "compose broke on this one question" in log and "Traceback" in log


def test_audit_notes_tolerate_a_finding_with_an_unplaced_figure(seed):
    """cell_figure gives None for a cell that is not printed; a finding listing one must neither
    crash the notes ('NoneType' object has no attribute 'locator') nor lose its other figures."""
    table = next(t for t in seed.tables if t.rows and t.columns)
    row = table.rows[0]
    column = next(c.index for c in table.columns if row.cell(c.index) is not None)
    printed = cell_figure(table, row, column)
    unprinted = cell_figure(table, row, max(c.index for c in table.columns) + 50)
    assert printed is not None and unprinted is None
    finding = Finding("A01", "测试用的发现", [unprinted, printed])
    assert finding.figures == [printed]
    assert finding.to_dict()["figures"][0]["value"] == str(printed.value)
    finding.figures.insert(0, None)  # a rule that appends after construction
    notes = notes_for([finding], printed.locator, printed.value)
    assert len(notes) == 1 and "A01" in notes[0] and "测试用的发现" in notes[0]
    assert notes_for([finding], printed.locator.__class__(table="表九十九", row=1, column="x"), Decimal(1)) == []
