"""The answer engine on the seed: lookups in everyday words, changes, shares, sums, no_answer,
clarify, follow-ups, and the tracing check (no answered reply states an untraceable number)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.engine import Engine
from app.eval_answers import PASS_MARK, ask_case, is_correct, load_answer_cases
from app.answer.verify import figures, untraced
from index.facts import FactStore
from tests.conftest import ROOT, SAMPLE, check_accuracy, check_reply

GOLDEN = ROOT / "tests" / "golden"


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    from app.library import ingest_file

    store = FactStore(tmp_path_factory.mktemp("seed"))
    ingest_file(SAMPLE, store)
    return Engine(store)


def _answered(engine, question):
    answer = engine.ask(question)
    assert answer.status == "answered", (question, answer.text)
    assert answer.verified and not untraced(answer)
    return answer


@pytest.mark.parametrize("question", ["外事办今年出国经费多少？", "出国花多少钱？", "今年因公出国的钱是多少"])
def test_lookup_in_everyday_words(engine, question):
    answer = _answered(engine, question)
    assert (answer.value, answer.unit) == (Decimal("1000000.00"), "元")
    data = answer.to_dict()
    assert data["result"] == {"value": "1000000.00", "unit": "元"}
    assert data["facts"][0]["label"] == "表十 › 2024年预算数 › 因公出国（境）费"
    assert "1,000,000.00元" in answer.text and "100.00万元" in answer.text
    assert data["sources"][0]["locator"].startswith("表十《")


def test_lookup_last_year_column(engine):
    answer = _answered(engine, "去年出国经费是多少")
    assert answer.value == Decimal("2000000.00")
    assert answer.to_dict()["facts"][0]["label"] == "表十 › 2023年预算数 › 因公出国（境）费"


def test_year_on_year_change_amount_and_percent(engine):
    answer = _answered(engine, "三公经费比上年减少多少？")
    assert (answer.value, answer.unit) == (Decimal("1020000.00"), "元")
    assert answer.calculation.startswith("2,065,000.00 − 1,045,000.00 = 1,020,000.00")
    assert "减少1,020,000.00元" in answer.text and "下降49.4%" in answer.text
    assert [f["value"] for f in answer.to_dict()["facts"]] == ["1045000.00", "2065000.00"]
    rate = _answered(engine, "三公经费同比下降了百分之多少？")
    assert rate.unit == "%" and rate.value.quantize(Decimal("0.0001")) == Decimal("-49.3947")


def test_share_uses_the_right_denominator(engine):
    answer = _answered(engine, "一般公共服务支出占总支出的比例是多少？")
    assert answer.unit == "%" and answer.value.quantize(Decimal("0.0001")) == Decimal("89.8507")
    assert [f["value"] for f in answer.to_dict()["facts"]] == ["2134018.90", "2375070.89"]
    within = _answered(engine, "基本支出里养人的钱占多少")  # the whole is 基本支出, not 总支出
    assert within.value.quantize(Decimal("0.0001")) == Decimal("73.9253")


def test_sum_of_named_items(engine):
    answer = _answered(engine, "养老保险和职业年金一共多少？")
    assert answer.value == Decimal("116667.12")
    assert answer.calculation == "77,778.08 + 38,889.04 = 116,667.12"


@pytest.mark.parametrize("question", ["外事办主任是谁？", "2022年出国经费是多少？", "外事办2023年实际花了多少钱（决算）？",
                                      "外事办今年给每个员工发了多少奖金？"])
def test_no_answer_states_no_number(engine, question):
    answer = engine.ask(question)
    assert answer.status == "no_answer" and answer.value is None
    assert answer.to_dict()["result"] is None
    assert "已收录的文件" in answer.text or "文件" in answer.text


@pytest.mark.parametrize("question", ["外事办今年给每个员工发了多少奖金？"])
def test_unsupported_types_say_so_in_chinese(engine, question):
    answer = engine.ask(question)
    assert answer.status == "no_answer" and "暂时还不能" in answer.text and answer.value is None


def test_follow_up_keeps_the_subject(engine):
    first, context = engine.converse("外事办今年出国经费多少？")
    follow, _ = engine.converse("那2023年呢？", context)
    assert follow.status == "answered" and follow.value == Decimal("2000000.00")
    _, context = engine.converse("2024年三公经费预算是多少？")
    other, _ = engine.converse("招待费呢？", context)
    assert other.value == Decimal("5000.00")


def test_clarify_when_two_documents_fit(tmp_path):
    from app.library import ingest_file

    later = tmp_path / "later.txt"  # the same issuer's budget for the next year
    later.write_text(SAMPLE.read_text(encoding="utf-8").replace("2024", "2025"), encoding="utf-8")
    store = FactStore(tmp_path / "home")
    ingest_file(SAMPLE, store)
    ingest_file(later, store)
    engine = Engine(store)
    answer = engine.ask("三公经费是多少？")
    assert answer.status == "clarify" and answer.value is None
    assert any("2024" in o for o in answer.options) and any("2025" in o for o in answer.options)
    chosen = engine.ask("2024年三公经费预算是多少？")
    assert chosen.status == "answered" and chosen.value == Decimal("1045000.00")
    both = engine.ask("2024到2025年三公经费加起来一共多少？")  # one figure from each year's document
    assert both.status == "answered" and both.value == Decimal("2090000.00")
    assert both.calculation == "1,045,000.00 + 1,045,000.00 = 2,090,000.00"


def test_verifier_catches_an_untraceable_number(engine):
    answer = _answered(engine, "出国经费多少")
    answer.text += "另有12,345.00元。"
    assert untraced(answer) == ["12,345.00元"]
    assert figures("2024年《表十》“2023年预算数”共5.00万元，下降3.1%") == [("5.00", "万元"), ("3.1", "%")]


SEED_GOLDEN = GOLDEN / "qa_seed.yaml"
SEED = load_answer_cases(SEED_GOLDEN) if SEED_GOLDEN.exists() else []
# Held at what was measured (2026-11-30: 139/140; count_yesno 15/16): raise, never lower.
FLOORS = {"lookup": 1.0, "change": 1.0, "share": 1.0, "multi_doc": 1.0, "no_answer": 1.0, "extreme": 1.0,
          "text": 1.0, "sum_breakdown": 1.0, "count_yesno": 0.9}
_RESULTS: dict[str, list[bool]] = {}


@pytest.mark.parametrize("case", SEED, ids=[c.q for c in SEED])
def test_golden_seed(engine, case):
    answer = ask_case(engine, case)
    check_reply(answer)  # every type: no answered reply states an untraceable number
    _RESULTS.setdefault(case.type, []).append(is_correct(case, answer))


def test_golden_seed_accuracy(engine):
    """Issue 5's bar: at least 95% of the golden questions right, and no type below its floor."""
    if not _RESULTS:
        pytest.skip("run together with test_golden_seed")
    check_accuracy(_RESULTS, FLOORS, "golden seed")


def test_eval_cli_reports_answer_accuracy_by_type(tmp_path, capsys):
    import json

    from app.cli import main
    from app.library import ingest_file

    home = tmp_path / "home"
    ingest_file(SAMPLE, FactStore(home))
    assert main(["eval", str(SEED_GOLDEN), "--json", "--home", str(home)]) == 0
    data = json.loads(capsys.readouterr().out)["answers"]
    assert data["evaluated"] == data["questions"] == len(SEED) and data["passed"] is True
    assert {"lookup", "change", "share", "sum_breakdown", "count_yesno", "extreme", "text", "multi_doc",
            "no_answer"} <= set(data["by_type"])
    assert data["accuracy"] >= PASS_MARK and data["untraced"] == [] and data["latency_p50_ms"] > 0
    # a golden file the engine fails: exit status 1, the miss listed with what was expected
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text("questions:\n  - {q: 出国经费多少, type: lookup, status: answered, value: '1234.56'}\n"
                     "  - {q: 三公经费是多少, type: lookup, status: answered, value: '1',\n"
                     "     source: {file: a-file-not-ingested.pdf}}\n", encoding="utf-8")
    assert main(["eval", str(wrong), "--home", str(home)]) == 1
    out = capsys.readouterr().out
    assert "答错" in out and "1234.56" in out and "未导入" in out and "a-file-not-ingested.pdf" in out


def test_narrative_agreement_is_checked(engine):
    answer = _answered(engine, "三公经费比上年减少多少？")
    check = next(c for c in answer.checks if c.name == "narrative")
    assert check.ok and "1,020,000.00" in check.detail


def test_breakdown_lists_the_parts_and_checks_their_sum(engine):
    answer = _answered(engine, "三公经费由哪几部分构成？")
    assert answer.value == Decimal("1045000.00")
    assert "因公出国（境）费1,000,000.00元" in answer.text and "公务接待费5,000.00元" in answer.text
    assert answer.calculation == "1,000,000.00 + 40,000.00 + 5,000.00 = 1,045,000.00"


def test_counts_and_yes_no(engine):
    cars = _answered(engine, "外事办有几辆车？")
    assert (cars.value, cars.unit) == (Decimal("1"), "辆")
    assert _answered(engine, "有几个项目？").value == Decimal("7")
    none = _answered(engine, "有没有政府采购预算？")
    assert none.value == Decimal("0") and none.text.startswith("没有")
    exact = _answered(engine, "出国经费有一百万吗？")  # 一百万 read from the question, traced as given
    assert exact.text.startswith("是") and exact.value == Decimal("1000000.00")
    empty = _answered(engine, "有没有政府性基金预算支出？")  # an empty table that says why
    assert empty.text.startswith("没有") and "本部门无政府性基金收支" in empty.text
    wrong_unit = engine.ask("外事办请了几个编外人员")  # 1次 (a performance target) is not a count of people
    assert wrong_unit.status == "no_answer"


@pytest.mark.parametrize("question,words", [
    ("出国经费为什么减少？", ["过紧日子"]),
    ("什么是三公经费？", ["因公出国（境）费", "公务接待费"]),
    ("预算公开的联系电话是多少？", ["023-67803985"]),
])
def test_text_answers_quote_the_document(engine, question, words):
    answer = engine.ask(question)
    assert answer.status == "answered" and answer.value is None and answer.to_dict()["result"] is None
    assert all(w in answer.text for w in words), answer.text
    assert answer.to_dict()["sources"] and answer.verified


def test_ask_cli_json_and_batch(tmp_path, capsys):
    import json

    from app.cli import main
    from app.library import ingest_file

    home = tmp_path / "home"
    ingest_file(SAMPLE, FactStore(home))
    assert main(["ask", "三公经费比上年减少多少？", "--json", "--home", str(home)]) == 0
    data = json.loads(capsys.readouterr().out)
    required = {"question", "status", "answer", "result", "facts", "calculation", "checks", "verified", "sources"}
    assert required <= set(data) and set(data) - required <= {"inherited", "related", "llm"}  # DESIGN.md's optional fields
    assert data["result"] == {"value": "1020000.00", "unit": "元"} and data["verified"] is True
    assert data["calculation"].startswith("2,065,000.00 − 1,045,000.00 = 1,020,000.00")
    assert {"value", "unit", "doc_id", "label", "locator"} <= set(data["facts"][0])
    assert {"doc_id", "title", "locator", "snippet"} <= set(data["sources"][0])
    batch = tmp_path / "questions.txt"
    batch.write_text("出国经费多少\n\n外事办主任是谁？\n2025年三公经费预算多少？\n", encoding="utf-8")
    assert main(["ask", "--batch", str(batch), "--json", "--home", str(home)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    # one output line per input line: the blank one is an error with its reason (issue 13)
    assert [json.loads(line)["status"] for line in lines] == ["answered", "error", "no_answer", "no_answer"]
    assert all(json.loads(line)["result"] is None for line in lines[1:])
    assert main(["ask", "出国经费多少", "--home", str(home)]) == 0
    assert "1,000,000.00元" in capsys.readouterr().out
