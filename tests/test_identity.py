"""Identity and sanity checks (app/answer/identity.py): an answer is the figure that was asked for,
or no answer. An invented 部门预算 (TXT export, ingested through the real pipeline) prints a
basic-expenditure table by economic subject and a narrative; the questions ask for things it
prints, for narrower things it does not print, for absent codes and for invented projects.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.answer.bodies import text_identity
from app.answer.names import NAMES_ITEM, codes_asked, names_as
from app.answer.sanity import unit_conflict
from app.answer.glossary import load_glossary
from app.answer.understand import understand
from app.audit.findings import Figure, Finding
from app.engine import Engine
from index.facts import FactStore
from ingest.model import Fact, Locator

ISSUER = "青石县城市管理局"
DOC = "\n".join([
    "", ISSUER, "", "2025 年部门预算情况说明", "",
    "一、单位基本情况", "", "（一）职能职责", "", f"{ISSUER}主要负责本县市容环境卫生管理工作。", "",
    "二、部门预算情况说明", "", "（一）基本支出预算情况说明", "",
    "2025年基本支出预算数为700,000.00元，主要用于保障机构正常运转。", "",
    "三、名词解释", "", "（一）基本支出：指为保障机构正常运转、完成日常工作任务而发生的人员支出和公用支出。", "",
    "2025年青石县部门一般公共预算财政拨款基本支出预算表", "",
    "(部门预算支出经济分类科目)", "", f"部门全称：{ISSUER}", "", "单位：元", "",
    "经济分类科目\t\t2025年基本支出\t\t",
    "科目编码\t科目名称\t总计\t人员经费\t日常公用经费",
    "合计\t\t700,000.00\t520,000.00\t180,000.00",
    "301\t工资福利支出\t520,000.00\t520,000.00\t",
    "30101\t基本工资\t300,000.00\t300,000.00\t",
    "30113\t住房公积金\t220,000.00\t220,000.00\t",
    "302\t商品和服务支出\t180,000.00\t\t180,000.00",
    "30201\t办公费\t120,000.00\t\t120,000.00",
    "30216\t培训费\t60,000.00\t\t60,000.00", ""])


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    from app.library import ingest_file

    folder = tmp_path_factory.mktemp("identity")
    path = folder / "city-management-2025.txt"
    path.write_text(DOC, encoding="utf-8")
    store = FactStore(folder / "home")
    ingest_file(path, store)
    return Engine(store)


def test_a_printed_item_is_answered_and_its_identity_check_says_so(engine):
    answer = engine.ask("城市管理局2025年培训费预算是多少？")
    assert answer.status == "answered" and answer.verified and answer.value == Decimal("60000.00")
    item = [c for c in answer.checks if c.name == "item"]
    assert item and all(c.ok for c in item) and "培训费" in item[0].detail


def test_a_narrower_unprinted_item_is_not_answered_by_its_parent(engine):
    answer = engine.ask("城市管理局2025年临时聘用人员经费是多少？")
    assert answer.status == "no_answer" and answer.value is None
    assert "临时聘用人员经费" in answer.text and "520,000" not in answer.text


def test_an_invented_project_is_not_answered_by_a_total(engine):
    answer = engine.ask("城市管理局2025年星河点亮工程专项经费是多少？")
    assert answer.status == "no_answer"


def test_a_code_the_document_does_not_print_is_not_answered(engine):
    answer = engine.ask("城市管理局2025年机关事业单位基本养老保险缴费（30108）是多少？")
    assert answer.status == "no_answer"


def test_a_printed_code_is_answered(engine):
    answer = engine.ask("城市管理局2025年住房公积金（30113）预算多少？")
    assert answer.status == "answered" and answer.value == Decimal("220000.00")


def test_a_definition_whose_term_the_document_does_not_explain_gets_no_answer(engine):
    answer = engine.ask("什么是“以前年度盈余调剂”？")
    assert answer.status == "no_answer"
    explained = engine.ask("基本支出是什么意思？")
    assert explained.status == "answered" and "人员支出和公用支出" in explained.text


@pytest.mark.parametrize("term, name, at_least", [
    ("因公出国（境）费", "因公出国（境）费用", True),  # a spelling variant
    ("机关运行经费", "参公事业单位财政拨款的机关运行经费", True),  # the head noun last: the same thing
    ("三公经费", "青石县三公经费财政拨款支出", True),  # a generic tail after the name
    ("临时聘用人员经费", "人员经费", False),  # the asked thing is narrower than the name
    ("收入总计", "总计", False),
    ("公务用车运行维护费", "公务用车购置费", False),
])
def test_names_as_reads_chinese_head_final_names(term, name, at_least):
    assert (names_as(term, name) >= NAMES_ITEM) is at_least


def test_codes_written_in_a_question_are_read_and_years_are_not():
    assert codes_asked("2024年行政运行（2010101）是多少") == ["2010101"]
    assert codes_asked("30113住房公积金和2025年的数字") == ["30113"]
    assert codes_asked("2023年三公经费") == []


def test_a_cell_the_text_states_ten_thousand_times_larger_is_a_misread_unit():
    cell = Fact(Decimal("222.50"), "元", ("表九", "合计", "因公出国（境）费"), Locator(table="表九", row=3, column="因公出国（境）费"),
                "d1", "222.50")
    figures = [Figure("表九 因公出国（境）费", Decimal("222.50"), "元", "222.50", cell.locator),
               Figure("说明 因公出国（境）费", Decimal("2225000"), "元", "222.5万元", Locator(page=2, section="三公"))]
    conflict = unit_conflict([Finding("B01", "说明与表格不一致", figures)], cell)
    assert conflict is not None and not conflict.ok
    same = [Figure("说明 因公出国（境）费", Decimal("230.00"), "元", "230", Locator(page=2, section="三公"))]
    assert unit_conflict([Finding("B01", "不一致", figures[:1] + same)], cell) is None


def test_text_identity_needs_the_asked_term_in_the_passage():
    glossary = load_glossary()
    query = understand("什么是“以前年度盈余调剂”？", glossary)
    assert not text_identity(query, "事业收入：指事业单位开展专业业务活动取得的收入。", "名词解释").ok
    assert text_identity(query, "以前年度盈余调剂：指使用以前年度盈余弥补当年收支差额。", "名词解释").ok


def test_two_bodies_in_one_question_get_no_single_body_figure(tmp_path):
    from app.library import ingest_file

    other = DOC.replace(ISSUER, "青石县市场监督管理局").replace("60,000.00", "61,000.00")
    for name, text in (("a.txt", DOC), ("b.txt", other)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    store = FactStore(tmp_path / "home")
    for name in ("a.txt", "b.txt"):
        ingest_file(tmp_path / name, store)
    answer = Engine(store).ask("城市管理局和市场监督管理局2025年谁的培训费多？")
    assert answer.status == "no_answer" and "两个单位" in answer.text


def test_a_body_or_region_the_document_is_not_about_is_named():
    from types import SimpleNamespace

    from app.answer.bodies import foreign_body

    doc = SimpleNamespace(issuer="青石县城市管理局", title="青石县城市管理局2025年部门预算")
    labels = ["基本支出预算表 302 商品和服务支出 办公费", "城乡社区支出"]
    assert foreign_body("下属的环卫监测站2025年公务接待费是多少", doc, labels) == "下属的环卫监测站"
    assert foreign_body("白沙市红岭区2025年三公经费", doc, labels) == "白沙市"
    assert foreign_body("2025年城乡社区支出占多少", doc, labels) == ""
    assert foreign_body("青石县2025年办公费", doc, labels) == ""
    assert foreign_body("基本支出具体哪个科目钱最多", doc, labels) == ""


@pytest.mark.parametrize("path, year", [
    (("上年预算数",), 2024), (("本年预算数",), 2025), (("本年比上年增减",), 2025), (("2023年决算数", "小计"), 2023),
    (("合计",), 2025),
])
def test_a_column_named_without_its_year_is_dated_from_the_table(path, year):
    from ingest.facts import column_year

    assert column_year(path, 2025) == year


def test_a_part_of_the_body_asked_about_must_be_the_subject_of_the_quoted_duties():
    from types import SimpleNamespace

    from app.answer.bodies import body_named

    doc = SimpleNamespace(issuer="青石县城市管理局", title="青石县城市管理局2025年部门预算")
    assert body_named("的环卫监察大队负责什么", doc) == "环卫监察大队"
    assert body_named("主要负责什么工作", doc) == ""


def test_every_computed_family_has_the_plans_that_may_answer_it():
    from app.answer.identity import PLAN_FAMILY

    assert {"lookup", "change", "share", "sum", "breakdown", "extreme"} <= set(PLAN_FAMILY)
    assert "stated_change" in PLAN_FAMILY["change"] and "share" not in PLAN_FAMILY["change"]


def test_a_text_figure_the_audit_found_to_differ_from_its_table_is_never_verified():
    from app.answer.sanity import contradicted_by_table

    said = Fact(Decimal("129689.18"), "元", ("三公", "公务接待费", "决算数"), Locator(page=3, section="三公"), "d1",
                "129,689.18", origin="narrative")
    table = Figure("表3 公务接待费", Decimal("129681.18"), "元", "129,681.18", Locator(table="表3", row=2, column="决算数"))
    text = Figure("说明 公务接待费", Decimal("129689.18"), "元", "129,689.18", Locator(page=3, section="三公"))
    assert not contradicted_by_table([Finding("B01", "说明与表格不一致", [text, table])], said).ok
    assert contradicted_by_table([Finding("B02", "占比不一致", [text, table])], said) is None


def test_items_joined_by_and_that_are_one_printed_name_are_not_summed(engine):
    answer = engine.ask("城市管理局2025年基本工资和住房公积金一共多少？")
    assert answer.status == "answered" and answer.value == Decimal("520000.00")


def test_a_reason_for_a_share_must_speak_of_the_share():
    glossary = load_glossary()
    query = understand("为什么培训费占了近九成？", glossary)
    change = "培训费预算数为60,000.00元，较上年减少2,000.00元，主要原因是压减培训次数。"
    share = "培训费占比较高，主要原因是本年集中开展业务轮训。"
    assert not text_identity(query, change, "培训费").ok
    assert text_identity(query, share, "培训费").ok


def test_a_budget_asked_about_with_no_item_is_the_spending_total():
    query = understand("今年预算为什么减少了？", load_glossary())
    assert query.operation == "reason" and [i.surface for i in query.items] == ["支出"]
