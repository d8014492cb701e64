"""The operation a question asks for, read from what it is made of (app/answer/operations.py).

Wordings are written for this test (items and bodies invented or generic), never copied from a
golden file: each family is recognised by its structure, whatever the item.
"""

from __future__ import annotations

import pytest

from app.answer.glossary import load_glossary
from app.answer.operations import read_operation, scope_note
from app.answer.understand import understand

GLOSSARY = load_glossary()


def op(question: str) -> str:
    return understand(question, GLOSSARY).operation


@pytest.mark.parametrize("question, family", [
    # a comparison with a rate word asks for the change rate, never a share
    ("培训费比去年降了百分之几", "change"),
    ("印刷费较上年增长了百分之多少？", "change"),
    ("水电费同比下降了几个百分点", "change"),
    ("物业管理费跟2021年比呢", "change"),
    ("维修费比前一年多了多少钱", "change"),
    ("差旅费增减变化情况", "change"),
    ("租赁费减少了吗", "change"),
    # a share needs a share word, or a rate word with no comparison
    ("培训费占基本支出的比重", "share"),
    ("邮电费是商品和服务支出的百分之几", "share"),
    ("工会经费占了几成", "share"),
    # completion: a completion word with a rate
    ("预算花掉了几成", "execution"),
    ("年初预算用掉了百分之多少", "execution"),
    ("预算执行率是多少", "execution"),
    # yes/no forms without a wh-word; with a wh-word the figure is asked
    ("培训费花钱了吗", "yes_no"),
    ("培训费花了钱没有", "yes_no"),
    ("有没有政府性基金预算支出", "yes_no"),
    ("今年是否安排了公务接待费", "yes_no"),
    ("能告诉我培训费是多少吗", "lookup"),
    # counts: 几/多少 + a counting unit; 百分点 is a rate, 哪几 a breakdown
    ("一共有几个项目", "count"),
    ("有多少辆公务用车", "count"),
    ("培训费具体有哪几项", "breakdown"),
    # 主要 with 包括 is a breakdown; 主要 + where-spent is the largest part
    ("商品和服务支出主要包括哪些", "breakdown"),
    ("钱主要花在哪一类", "extreme"),
    ("项目支出都花在哪", "breakdown"),
    ("哪一项支出最多", "extreme"),
    ("培训费和会议费加起来是多少", "sum"),
    ("为什么会议费比上年少", "reason"),
    ("什么是机关运行经费", "definition"),
    ("物业管理费是多少", "lookup"),
])
def test_operation_family(question, family):
    assert op(question) == family


def test_a_rate_with_a_comparison_asks_for_the_percent_and_an_amount_does_not():
    assert understand("培训费比去年降了百分之几", GLOSSARY).wants_percent
    assert not understand("培训费比去年降了多少钱", GLOSSARY).wants_percent


def test_a_bracketed_scope_note_names_no_parts_to_add():
    assert scope_note("会议费一共多少（含基本支出和项目支出）").strip() == "会议费一共多少"
    query = understand("会议费一共多少（含基本支出和项目支出）", GLOSSARY)
    assert [i.surface for i in query.items] == ["会议费"]
    assert query.operation == "lookup"  # the total of one item is its figure


def test_the_money_of_a_known_item_is_that_item_and_of_an_unknown_thing_its_fund():
    assert [i.surface for i in understand("会议费的钱比去年少了多少", GLOSSARY).items] == ["会议费"]
    assert [i.surface for i in understand("蓝天行动的钱有多少", GLOSSARY).items] == ["蓝天行动经费"]


def test_count_unit_comes_with_the_count():
    reading = read_operation("有几辆车", GLOSSARY)
    assert (reading.operation, reading.count_unit) == ("count", "辆")


def test_a_whole_the_glossary_does_not_know_is_still_the_item_of_a_breakdown():
    query = understand("2019年绿化养护（款）下面哪一项支出最少？", GLOSSARY)
    assert query.operation == "extreme" and query.items[-1].surface == "绿化养护"
    assert [i.surface for i in understand("基本支出中哪一项最多？", GLOSSARY).items] == ["基本支出"]


def test_unknown_words_after_an_item_name_a_narrower_thing_and_fillers_do_not():
    query = understand("2025年城乡社区环境卫生保洁预算数是多少？", GLOSSARY)
    assert [i.surface for i in understand("2025年培训费情况", GLOSSARY).items] == ["培训费"]
    narrower = understand("2023年培训费讲课酬金是多少？", GLOSSARY).items[0]
    assert narrower.surface == "培训费讲课酬金" and narrower.broader  # 培训费 only as the wider fallback
    assert query.items  # whatever the glossary knows of it, a figure is asked


def test_two_years_joined_by_and_are_both_asked_not_one_compared():
    query = understand("23年和24年两年的培训费加起来是多少？", GLOSSARY)
    assert sorted(query.years) == [2023, 2024] and query.compared_year is None
    change = understand("培训费2024年与2023年相比增加了多少？", GLOSSARY)
    assert change.operation == "change" and change.compared_year == 2023
