"""`budgetqa eval`: wrong-but-verified (an answered reply marked verified that is wrong) is its own
figure in the report, the JSON and the console output, and the exit status is 1 when it is above 0.
The engine is the real one over the ingested sample; the golden files are tiny ones written here,
with expected values set for the test (one deliberately wrong)."""

from __future__ import annotations

import json

import pytest

from app.cli import main
from app.engine import Engine
from app.eval_answers import evaluate_answers, load_answer_cases
from index.facts import FactStore
from tests.conftest import SAMPLE

RIGHT = ("  - {q: 外事办2024年三公经费是多少？, type: lookup, status: answered, value: '1045000'}\n"
         "  - {q: 外事办2024年公务接待费预算是多少？, type: lookup, status: answered, value: '5000'}\n")
# the engine answers this one, verified, with 1,000,000.00: the expected value is deliberately wrong
WRONG_VALUE = "  - {q: 外事办2024年出国经费是多少？, type: lookup, status: answered, value: '999999'}\n"
# a miss that is not marked verified (no 2025 document is ingested: no_answer): wrong, not wrong-verified
WRONG_STATUS = "  - {q: 外事办2025年三公经费预算多少？, type: lookup, status: answered, value: '12'}\n"


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    from app.library import ingest_file

    home = tmp_path_factory.mktemp("eval")
    ingest_file(SAMPLE, FactStore(home))
    return home


def _golden(tmp_path, body: str):
    path = tmp_path / "golden.yaml"
    path.write_text("questions:\n" + body, encoding="utf-8")
    return path


def test_report_counts_wrong_but_verified(home, tmp_path):
    engine = Engine(FactStore(home))
    cases = load_answer_cases(_golden(tmp_path, RIGHT + WRONG_VALUE + WRONG_STATUS))
    report = evaluate_answers(cases, engine, {SAMPLE.name})
    assert report.right == 2 and report.evaluated == 4
    assert len(report.wrong_verified) == 1 and report.wrong_verified[0].startswith("外事办2024年出国经费是多少？ → ")
    assert len(report.misses) == 2  # the wrong status is a miss, not a wrong-verified reply
    data = report.to_dict()
    assert data["wrong_verified_count"] == 1 and data["wrong_verified"] == report.wrong_verified


def test_eval_exits_non_zero_on_wrong_but_verified(home, tmp_path, capsys):
    """Three right and one wrong-verified among many right would still pass the 95% mark by
    accuracy alone (here 20 right answers): the wrong-verified reply alone fails the run."""
    golden = _golden(tmp_path, RIGHT * 10 + WRONG_VALUE)
    assert main(["eval", str(golden), "--json", "--home", str(home)]) == 1
    data = json.loads(capsys.readouterr().out)["answers"]
    assert data["accuracy"] >= 0.95 and data["untraced"] == []
    assert data["wrong_verified_count"] == 1 and data["passed"] is False
    assert main(["eval", str(golden), "--home", str(home)]) == 1
    out = capsys.readouterr().out
    assert "答错却标为已核验：1 个" in out and "外事办2024年出国经费是多少？" in out and "未通过" in out


def test_eval_passes_when_nothing_is_wrong_and_verified(home, tmp_path, capsys):
    golden = _golden(tmp_path, RIGHT)
    assert main(["eval", str(golden), "--json", "--home", str(home)]) == 0
    data = json.loads(capsys.readouterr().out)["answers"]
    assert data["wrong_verified_count"] == 0 and data["wrong_verified"] == [] and data["passed"] is True
    assert main(["eval", str(golden), "--home", str(home)]) == 0
    assert "答错却标为已核验：0 个" in capsys.readouterr().out


def test_an_answer_where_none_was_expected_is_wrong_and_verified(home, tmp_path):
    """A question the golden file says has no answer, answered with a verified figure: the worst
    kind of wrong (a figure shown as checked for a question the documents do not answer)."""
    body = "  - {q: 外事办2024年三公经费是多少？, type: no_answer, status: no_answer}\n"
    report = evaluate_answers(load_answer_cases(_golden(tmp_path, body)), Engine(FactStore(home)), {SAMPLE.name})
    assert len(report.wrong_verified) == 1 and report.right == 0
