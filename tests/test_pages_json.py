"""The JSON page dump of a PDF's text layer: metadata, sections and table figures rebuilt from text."""

from __future__ import annotations

import pytest

from ingest.checks import sum_mismatches
from ingest.pipeline import parse_file
from tests.conftest import D, cell_value, corpus_file

NAME = "shanghai-putuo-shiquanlu-subdistrict-2026-unit-budget.pages.json"


@pytest.fixture(scope="module")
def doc():
    return parse_file(corpus_file(NAME))


def test_metadata_from_the_content(doc):
    assert doc.format == "pages-json"
    assert (doc.title, doc.year, doc.kind, doc.scope) == ("上海市普陀区2026年区级单位预算", 2026, "预算", "单位")
    assert doc.issuer == "上海市普陀区人民政府石泉路街道办事处(本级)"
    assert doc.region == "上海市普陀区"


def test_sections_follow_the_catalogue(doc):
    top = [f"{s.number}{s.heading}" for s in doc.sections if s.number]
    assert top[:4] == ["一、上海市普陀区人民政府石泉路街道办事处（本级）主要职能",
                       "二、上海市普陀区人民政府石泉路街道办事处（本级）机构设置", "三、名词解释",
                       "四、2026年单位预算编制说明"]
    assert "六、其他相关情况说明" in top
    glossary = next(s for s in doc.sections if s.heading == "名词解释")
    assert [c.heading for c in glossary.children][-1] == "机关运行经费"
    assert glossary.children[6].paragraphs[0].text.startswith("是与区级财政有经费领拨关系的部门")


def test_nine_tables_numbered_from_the_catalogue(doc):
    assert len(doc.catalogue) == 9
    assert sorted({t.ordinal for t in doc.tables}) == list(range(1, 10))
    assert not [w for w in doc.warnings if "目录列出" in w]
    assert doc.table("7").is_empty


def test_expenditure_table_figures_placed_by_arithmetic(doc):
    t = doc.table("3")
    assert cell_value(t, "2010506", "支出预算 › 合计") == D("1,200")
    assert cell_value(t, "2010506", "支出预算 › 基本支出") is None
    assert cell_value(t, "2010506", "支出预算 › 项目支出") == D("1,200")
    assert cell_value(t, "2080501", "支出预算 › 基本支出") == D("2,301,360")
    assert cell_value(t, "2080501", "支出预算 › 项目支出") is None
    assert cell_value(t, "合计", "支出预算 › 基本支出") == D("26,917,990")
    assert cell_value(t, "合计", "支出预算 › 项目支出") == D("49,388,144")
    assert t.page_start == 18 and t.page_end == 22


def test_figures_placed_by_what_the_document_states_elsewhere(doc):
    income = doc.table("2")  # every row: 合计 + one figure; the narrative names 财政拨款收入
    assert cell_value(income, "合计", "收入预算 › 财政拨款收入") == D("76,306,134")
    assert cell_value(income, "2120803", "收入预算 › 财政拨款收入") == D("3,380,000")
    fund = doc.table("6")  # 基本 or 项目: the 支出预算总表 places the same subjects
    assert cell_value(fund, "2120803", "政府性基金预算支出 › 项目支出") == D("3,380,000")
    assert cell_value(fund, "合计", "政府性基金预算支出 › 项目支出") == D("3,680,000")
    sangong = doc.table("9")  # 万元: the narrative says 公务接待费1.53万元
    assert sangong.unit == "万元"
    row = sangong.rows[0]
    values = {sangong.column(c.column).label: c.value for c in row.cells}
    assert values == {
        "“三公”经费预算数 › 合计": D("85300"), "“三公”经费预算数 › 公务接待费": D("15300"),
        "“三公”经费预算数 › 公务用车购置及运行费 › 小计": D("70000"),
        "“三公”经费预算数 › 公务用车购置及运行费 › 运行费": D("70000"), "机关运行经费预算数": D("3860200"),
    }
    assert not [w for w in doc.warnings if "unplaced" in w]


def test_sum_check_holds_on_every_rebuilt_table(doc):
    for table in doc.tables:
        assert sum_mismatches(table) == [], table.key


def test_narrative_figures(doc):
    sangong = [f for f in doc.narrative_facts if "三公" in f.label[1] and f.measure == "预算数"]
    assert sangong and sangong[0].value == D("85300") and sangong[0].year == 2026
