"""Numbers, units and headings as disclosures print them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ingest.numbers import chinese_to_int, find_unit, format_yuan, parse_amount, parse_number
from ingest.sections import parse_heading
from ingest.tables import split_glued_code, subject_code


@pytest.mark.parametrize("text,value", [
    ("1,045,000.00", Decimal("1045000.00")), ("１，０４５，０００．００", Decimal("1045000.00")),
    ("-30%", Decimal("-30")), ("−1,020,000", Decimal("-1020000")), ("（1,000）", Decimal("-1000")),
    ("869,018.9", Decimal("869018.9")), (" 0.00 ", Decimal("0.00")), ("2024", Decimal("2024")),
])
def test_numbers(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize("text", ["", "-", "——", "—", "/", "一", "三公", "1,04", "1.2.3", "30万元"])
def test_no_value(text):
    assert parse_number(text) is None


@pytest.mark.parametrize("text,value,unit", [
    ("30万元", Decimal("300000"), "元"), ("1.5亿元", Decimal("150000000.0"), "元"),
    ("4.2%", Decimal("4.2"), "%"), ("1,045,000元", Decimal("1045000"), "元"), ("89.9％", Decimal("89.9"), "%"),
])
def test_amounts_in_yuan(text, value, unit):
    assert parse_amount(text) == (value, unit)


@pytest.mark.parametrize("line,unit", [
    ("单位：元", "元"), ("单位:万元", "万元"), ("编制部门：某局 单位：元", "元"), ("金额单位：万元", "万元"),
    ("单位（元）", None), ("单位名称：某局", None),
])
def test_unit_lines(line, unit):
    assert find_unit(line) == unit


@pytest.mark.parametrize("text,value", [("十七", 17), ("二十", 20), ("一百万", 1000000), ("十", 10), ("17", 17),
                                        ("三千零五", 3005), ("两万", 20000), ("公开", None)])
def test_chinese_numerals(text, value):
    assert chinese_to_int(text) == value


def test_format_yuan():
    assert format_yuan(Decimal("1020000")) == "1,020,000.00"


@pytest.mark.parametrize("line,level,number,title,rest", [
    ("一、单位基本情况", 1, "一、", "单位基本情况", ""),
    ("（一）职能职责", 2, "(一)", "职能职责", ""),
    ("(三) 绩效目标设置情况。2024 年项目支出均实行了绩效目标管理", 2, "(三)", "绩效目标设置情况", "2024 年项目支出均实行了绩效目标管理"),
    ("1.按支出属性说明", 3, "1.", "按支出属性说明", ""),
    ("１、负责推进综合交通运输体系建设", 3, "1、", "负责推进综合交通运输体系建设", ""),
    ("（1）基本支出", 4, "(1)", "基本支出", ""),
    ("第二部分 2025年度部门预算报表", 0, "第二部分", "2025年度部门预算报表", ""),
    ("十 一 、其他", 1, "十一、", "其他", ""),
])
def test_headings(line, level, number, title, rest):
    h = parse_heading(line)
    assert (h.level, h.number, h.title, h.rest) == (level, number, title, rest)


@pytest.mark.parametrize("line", [
    "（1）基本支出1,110,070.89元，占46.7%，较2023年减少",  # a numbered sentence, not a heading
    "2024年一般公共预算财政拨款收入2,375,070.89元",
    "1.5万元用于培训",
    "5、一般公共服务支出（类）财政事务（款）财政委托业务",  # a wrapped item opening a subject path
    "1.公共安全支出（204类）司法（06款）行政运行（01项）",
])
def test_not_headings(line):
    assert parse_heading(line) is None


def test_subject_codes():
    assert subject_code("2010301") == "2010301"
    assert subject_code("208 05 05") == "2080505"
    assert subject_code("20805") == "20805"
    assert subject_code("2024年") is None
    assert split_glued_code("2010506统计管理") == ("2010506", "统计管理")
    assert split_glued_code("统计管理") == (None, "统计管理")
