"""The sample disclosure's every table, parsed exactly: titles, numbers, column paths, rows, values."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ingest.checks import sum_mismatches
from ingest.model import FORM
from tests.conftest import D, cell_value

# Each expected table: column labels of the value columns, then one line per row:
# "code | name | values…" with values in those columns ('' = no value), as the document prints them.
TABLE_3 = (
    ["总计", "基本支出", "项目支出"],
    """
    | 合计 | 2,375,070.89 | 1,110,070.89 | 1,265,000.00
    201 | 一般公共服务支出 | 2,134,018.90 | 869,018.90 | 1,265,000.00
    20103 | 政府办公厅（室）及相关机构事务 | 2,134,018.90 | 869,018.90 | 1,265,000.00
    2010301 | 行政运行 | 869,018.90 | 869,018.90 |
    2010302 | 一般行政管理事务 | 1,265,000.00 | | 1,265,000.00
    208 | 社会保障和就业支出 | 116,667.12 | 116,667.12 |
    20805 | 行政事业单位养老支出 | 116,667.12 | 116,667.12 |
    2080505 | 机关事业单位基本养老保险缴费支出 | 77,778.08 | 77,778.08 |
    2080506 | 机关事业单位职业年金缴费支出 | 38,889.04 | 38,889.04 |
    210 | 卫生健康支出 | 55,011.31 | 55,011.31 |
    21011 | 行政事业单位医疗 | 55,011.31 | 55,011.31 |
    2101101 | 行政单位医疗 | 55,011.31 | 55,011.31 |
    221 | 住房保障支出 | 69,373.56 | 69,373.56 |
    22102 | 住房改革支出 | 69,373.56 | 69,373.56 |
    2210201 | 住房公积金 | 69,373.56 | 69,373.56 |
    """,
)
TABLE_5 = (
    ["2023年预算数", "2024年预算数 › 小计", "2024年预算数 › 基本支出", "2024年预算数 › 项目支出",
     "2024年预算比2023年预算增幅%"],
    """
    | 合计 | 3,415,484.25 | 2,375,070.89 | 1,110,070.89 | 1,265,000.00 | -30
    201 | 一般公共服务支出 | 3,172,129.97 | 2,134,018.90 | 869,018.90 | 1,265,000.00 | -33
    20103 | 政府办公厅（室）及相关机构事务 | 3,172,129.97 | 2,134,018.90 | 869,018.90 | 1,265,000.00 | -33
    2010301 | 行政运行 | 907,129.97 | 869,018.90 | 869,018.90 | | -4
    2010302 | 一般行政管理事务 | 2,265,000.00 | 1,265,000.00 | | 1,265,000.00 | -44
    208 | 社会保障和就业支出 | 117,868.32 | 116,667.12 | 116,667.12 | | -1
    20805 | 行政事业单位养老支出 | 117,868.32 | 116,667.12 | 116,667.12 | | -1
    2080505 | 机关事业单位基本养老保险缴费支出 | 78,578.88 | 77,778.08 | 77,778.08 | | -1
    2080506 | 机关事业单位职业年金缴费支出 | 39,289.44 | 38,889.04 | 38,889.04 | | -1
    210 | 卫生健康支出 | 55,511.80 | 55,011.31 | 55,011.31 | | -1
    21011 | 行政事业单位医疗 | 55,511.80 | 55,011.31 | 55,011.31 | | -1
    2101101 | 行政单位医疗 | 55,511.80 | 55,011.31 | 55,011.31 | | -1
    221 | 住房保障支出 | 69,974.16 | 69,373.56 | 69,373.56 | | -1
    22102 | 住房改革支出 | 69,974.16 | 69,373.56 | 69,373.56 | | -1
    2210201 | 住房公积金 | 69,974.16 | 69,373.56 | 69,373.56 | | -1
    """,
)
TABLE_6 = (
    ["2024年基本支出 › 总计", "2024年基本支出 › 人员经费", "2024年基本支出 › 日常公用经费"],
    """
    | 合计 | 1,110,070.89 | 820,623.33 | 289,447.56
    301 | 工资福利支出 | 820,623.33 | 820,623.33 |
    30101 | 基本工资 | 165,084.00 | 165,084.00 |
    30102 | 津贴补贴 | 133,272.00 | 133,272.00 |
    30103 | 奖金 | 279,757.00 | 279,757.00 |
    30108 | 机关事业单位基本养老保险缴费 | 77,778.08 | 77,778.08 |
    30109 | 职业年金缴费 | 38,889.04 | 38,889.04 |
    30110 | 职工基本医疗保险缴费 | 41,319.61 | 41,319.61 |
    30112 | 其他社会保障缴费 | 8,750.04 | 8,750.04 |
    30113 | 住房公积金 | 69,373.56 | 69,373.56 |
    30114 | 医疗费 | 6,400.00 | 6,400.00 |
    302 | 商品和服务支出 | 289,447.56 | | 289,447.56
    30201 | 办公费 | 106,800.00 | | 106,800.00
    30202 | 印刷费 | 20,000.00 | | 20,000.00
    30207 | 邮电费 | 15,480.00 | | 15,480.00
    30211 | 差旅费 | 5,000.00 | | 5,000.00
    30215 | 会议费 | 5,000.00 | | 5,000.00
    30216 | 培训费 | 2,476.26 | | 2,476.26
    30217 | 公务接待费 | 5,000.00 | | 5,000.00
    30228 | 工会经费 | 5,833.36 | | 5,833.36
    30229 | 福利费 | 5,777.94 | | 5,777.94
    30231 | 公务用车运行维护费 | 40,000.00 | | 40,000.00
    30239 | 其他交通费用 | 28,080.00 | | 28,080.00
    30299 | 其他商品和服务支出 | 50,000.00 | | 50,000.00
    """,
)
TABLE_7 = (
    ["基本支出"],
    """
    | 合计 | 1,110,070.89
    501 | 机关工资福利支出 | 820,623.33
    50101 | 工资奖金津补贴 | 578,113.00
    50102 | 社会保障缴费 | 166,736.77
    50103 | 住房公积金 | 69,373.56
    50199 | 其他工资福利支出 | 6,400.00
    502 | 机关商品和服务支出 | 289,447.56
    50201 | 办公经费 | 186,971.30
    50202 | 会议费 | 5,000.00
    50203 | 培训费 | 2,476.26
    50206 | 公务接待费 | 5,000.00
    50208 | 公务用车运行维护费 | 40,000.00
    50299 | 其他商品和服务支出 | 50,000.00
    """,
)
TABLE_8 = (["项目支出"], """
    | 合计 | 1,265,000.00
    302 | 商品和服务支出 | 1,265,000.00
    30201 | 办公费 | 265,000.00
    30212 | 因公出国(境)费用 | 1,000,000.00
    """)
TABLE_9 = (["项目支出"], """
    | 合计 | 1,265,000.00
    502 | 机关商品和服务支出 | 1,265,000.00
    50201 | 办公经费 | 265,000.00
    50207 | 因公出国(境)费用 | 1,000,000.00
    """)
TABLE_1_INCOME = (["预算数"], """
    | 合计 | 2,375,070.89
    | 一、本年收入合计 | 2,375,070.89
    | 一般公共预算财政拨款资金 | 2,375,070.89
    | 政府性基金预算财政拨款资金 |
    | 国有资本经营预算财政拨款资金 |
    | 财政专户管理资金 |
    | 事业收入资金 |
    | 上级补助收入资金 |
    | 附属单位上缴收入资金 |
    | 事业单位经营收入资金 |
    | 其他收入资金 |
    | 二、上年结转 |
    | 三、用事业基金弥补收支差额 |
    """)
TABLE_1_SPENDING = (["预算数"], """
    | 合计 | 2,375,070.89
    | 一、本年支出合计 | 2,375,070.89
    | 一般公共服务支出 | 2,134,018.90
    | 社会保障和就业支出 | 116,667.12
    | 卫生健康支出 | 55,011.31
    | 住房保障支出 | 69,373.56
    | 二、结转下年 |
    """)
TABLE_4_INCOME = (["预算数"], """
    | 一、本年收入 | 2,375,070.89
    | 一般公共预算财政拨款 | 2,375,070.89
    | 政府性基金预算财政拨款 |
    | 国有资本经营预算财政拨款 |
    | 二、上年结转 |
    | 一般公共预算财政拨款 |
    | 政府性基金预算财政拨款 |
    | 国有资本经营预算财政拨款 |
    | 收入合计 | 2,375,070.89
    """)
TABLE_4_SPENDING = (["合计", "一般公共预算", "政府性基金预算", "国有资本经营预算"], """
    | 一、本年支出 | 2,375,070.89 | 2,375,070.89 | |
    | 一般公共服务支出 | 2,134,018.90 | 2,134,018.90 | |
    | 社会保障和就业支出 | 116,667.12 | 116,667.12 | |
    | 卫生健康支出 | 55,011.31 | 55,011.31 | |
    | 住房保障支出 | 69,373.56 | 69,373.56 | |
    | 二、结转下年 | | | |
    | 支出合计 | 2,375,070.89 | 2,375,070.89 | |
    """)

EXPECTED = {
    "表一·收入": TABLE_1_INCOME, "表一·支出": TABLE_1_SPENDING, "表三": TABLE_3,
    "表四·收入": TABLE_4_INCOME, "表四·支出": TABLE_4_SPENDING, "表五": TABLE_5, "表六": TABLE_6,
    "表七": TABLE_7, "表八": TABLE_8, "表九": TABLE_9,
}


def _expected_rows(text: str):
    for line in text.strip().splitlines():
        code, name, *values = [part.strip() for part in line.split("|")]
        yield code or None, name, [D(v) if v else None for v in values]


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_grid_tables_exactly(seed, key):
    table = seed.table(key)
    assert table is not None, f"no table {key}: {[t.key for t in seed.tables]}"
    labels, text = EXPECTED[key]
    value_columns = [c for c in table.columns if c.unit]
    assert [c.label for c in value_columns] == labels
    expected = list(_expected_rows(text))
    actual = [(r.code, r.name, [(r.cell(c.index).value if r.cell(c.index) else None) for c in value_columns])
              for r in table.rows]
    assert actual == expected


def test_catalogue_and_table_numbers(seed):
    assert len(seed.catalogue) == 17
    assert [e.ordinal for e in seed.catalogue] == list(range(1, 18))
    distinct_titles = {t.title for t in seed.tables}
    assert len(distinct_titles) == 15
    numbers = sorted({t.ordinal for t in seed.tables})
    assert numbers == [1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 15, 16, 17]
    missing = [w for w in seed.warnings if "目录列出" in w]
    assert len(missing) == 2
    assert "表二" in missing[0] and "收入预算总表" in missing[0]
    assert "表十三" in missing[1] and "项目支出明细表" in missing[1]


def test_table_titles_keep_subtitles(seed):
    assert seed.table("表六").title.endswith("（部门预算支出经济分类科目）") or \
        seed.table("表六").title.endswith("(部门预算支出经济分类科目)")
    assert "政府预算支出经济分类科目" in seed.table("表七").title


def test_sangong_table_header_paths(seed):
    table = seed.table("表十")
    assert table.unit == "元"
    assert cell_value(table, "", "2024年预算数 › 合计") == D("1,045,000.00")
    assert cell_value(table, "", "2024年预算数 › 因公出国（境）费") == D("1,000,000.00")
    assert cell_value(table, "", "2023年预算数 › 因公出国（境）费") == D("2,000,000.00")
    assert cell_value(table, "", "2024年预算数 › 公务用车购置及运行费 › 小计") == D("40,000.00")
    assert cell_value(table, "", "2024年预算数 › 公务用车购置及运行费 › 公务用车购置费") is None
    assert cell_value(table, "", "2024年预算数 › 公务用车购置及运行费 › 公务用车运行费") == D("40,000.00")
    assert cell_value(table, "", "2024年预算数 › 公务接待费") == D("5,000.00")
    assert cell_value(table, "", "2023年预算数 › 合计") == D("2,065,000.00")
    assert cell_value(table, "", "2023年预算数 › 公务用车购置及运行费 › 公务用车运行费") == D("45,000.00")
    assert cell_value(table, "", "2023年预算数 › 公务接待费") == D("20,000.00")
    assert len(table.columns) == 12 and len(table.rows) == 1


def test_housing_fund_row(seed):
    assert cell_value(seed.table("表六"), "30113", "2024年基本支出 › 总计") == D("69,373.56")
    assert seed.table("表六").rows[9].name == "住房公积金"


@pytest.mark.parametrize("key,note", [
    ("表十一", "本部门无政府性基金收支"), ("表十二", "本部门无该项收支"), ("表十四", "本部门无政府采购预算"),
])
def test_empty_tables_keep_their_notes(seed, key, note):
    table = seed.table(key)
    assert table.is_empty
    assert any(note in n for n in table.notes)


def test_procurement_table_columns(seed):
    labels = [c.label for c in seed.table("表十四").columns]
    assert labels == ["部门代码", "部门名称", "单位代码", "单位名称", "采购项目名称", "合计", "货物类", "工程类", "服务类"]


def test_five_general_project_forms(seed):
    forms = [t for t in seed.tables if t.number == "表十七"]
    assert len(forms) == 5 and all(t.kind == FORM for t in forms)
    budgets = [next(f.value for f in t.fields if f.key == "当年预算") for t in forms]
    assert budgets == [D("30000"), D("75000"), D("30000"), D("20000"), D("100000")]
    names = [next(f.text for f in t.fields if f.key == "专项资金名称") for t in forms]
    assert names[1].endswith("翻译经费") and names[4].endswith("编外聘用人员")
    district = [next(f.value for f in t.fields if f.key.startswith("区级支出")) for t in forms]
    assert district == budgets
    assert all(next(f for f in t.fields if f.key.startswith("补助镇街")).value is None for t in forms)
    assert all(len(t.rows) == 5 for t in forms)


def test_form_indicator_rows_align_even_when_shifted(seed):
    last = seed.tables_numbered("表十七")[-1]
    row = last.rows[-1]  # printed one cell to the left in the export
    assert row.name == "对编外聘用人员工作满意度"
    by_header = {last.column(c.column).label: c for c in row.cells}
    assert by_header["指标权重"].value == Decimal(10)
    assert by_header["指标性质"].text == "≥"
    assert by_header["指标值"].value == Decimal(95) and by_header["指标值"].unit == "%"
    whole = seed.table("表十五")
    assert next(f.value for f in whole.fields if f.key == "部门支出预算数") == D("2,375,070.89")
    money = [r for r in whole.rows if r.name == "开展外事宣传活动使用的经费"][0]
    value = [c for c in money.cells if whole.column(c.column).label == "指标值"][0]
    assert value.value == Decimal(70000) and value.unit == "元"  # 7 万元


def test_key_project_form_is_blank_with_notes(seed):
    table = seed.table("表十六")
    assert table.is_empty
    assert any("本部门无重点" in n for n in table.notes)


def test_sum_check_finds_no_mismatch_in_the_seed(seed):
    coded = [t for t in seed.tables if any(r.code for r in t.rows)]
    assert {t.key for t in coded} >= {"表三", "表五", "表六", "表七", "表八", "表九"}
    for table in coded:
        assert sum_mismatches(table) == [], table.key


def test_parent_links_follow_subject_codes(seed):
    table = seed.table("表五")
    by_code = {r.code: r for r in table.rows if r.code}
    assert by_code["2080505"].parent == by_code["20805"].index
    assert by_code["20805"].parent == by_code["208"].index
    assert by_code["208"].parent is None
    assert [r.level for r in (by_code["208"], by_code["20805"], by_code["2080505"])] == [1, 2, 3]
    assert table.rows[0].is_total
