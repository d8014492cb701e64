"""Standard tables, per-table units, split documents and issuers, on invented documents.

Every name, figure and layout here is made up (青岚县文物局 …); the layouts are the kinds the
real corpus shows (a title cell running on into 部门：…单位：…, a number printed above the title,
a title ruled into the middle of a grid), not copies of any file.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from ingest.metadata import is_organisation_name, issuer_key, pick_issuer
from ingest.model import Column, Disclosure, Paragraph, Section, Table
from ingest.parse import parse_document
from ingest.parts import join, join_parts, joinable, role, without
from ingest.readers.base import RawDocument, RawGrid, RawLine
from ingest.standard import classify, classify_tables, column_measures, coverage
from ingest.tables import GridSource, build_tables, narrative_unit_warnings

ISSUER = "青岚县文物局"


def _grid_table(title: str, rows: list[list[str]], unit: str = "万元") -> Table:
    tables = build_tables(GridSource(title=title, rows=rows, unit=unit))
    return tables[0]


SANGONG_ROWS = [["合计", "因公出国（境）费", "公务用车购置及运行维护费", "公务接待费"],
                ["12.50", "2.00", "8.00", "2.50"]]
FUNCTION_ROWS = [["科目编码", "科目名称", "合计", "基本支出", "项目支出"],
                 ["", "合计", "30.00", "20.00", "10.00"],
                 ["207", "文化体育与传媒支出", "30.00", "20.00", "10.00"]]


# --- classification ----------------------------------------------------------------------


@pytest.mark.parametrize("title, standard", [
    ("公开03表 支出预算总表", "budget_expenditure_summary"),
    ("表1-1 2021年青岚县文物局部门一般公共预算支出表", "budget_general_public_expenditure"),
    ("附表5 政府性基金预算支出表", "budget_government_fund_expenditure"),
    ("表十 部门“三公”经费支出预算表", "budget_sangong"),
])
def test_titles_in_any_numbering_name_their_standard(title, standard):
    rows = SANGONG_ROWS if "三公" in title else FUNCTION_ROWS
    assert classify(_grid_table(title, rows), "预算")[0] == standard


def test_a_final_accounts_title_wins_over_the_document_kind():
    table = _grid_table("一般公共预算财政拨款支出决算表", FUNCTION_ROWS)
    assert classify(table, "预算")[0] == "final_general_public_expenditure"


def test_the_header_names_an_untitled_table_and_vetoes_a_contradicting_title():
    untitled = _grid_table("（三）其他说明", SANGONG_ROWS)
    assert classify(untitled, "预算")[0] == "budget_sangong"
    wrong_title = _grid_table("政府采购预算表", SANGONG_ROWS)
    standard, warning = classify(wrong_title, "预算")
    assert standard is None and "三公" in warning


def test_a_table_no_standard_describes_stays_unclassified():
    table = _grid_table("单位人员情况表", [["编制人数", "实有人数"], ["12", "10"]])
    assert classify(table, "预算") == (None, None)


def test_column_measures():
    assert column_measures(("2021年预算数", "基本支出"), 2021) == ("基本支出", "预算数", "本年")
    assert column_measures(("2020年执行数",), 2021) == ("决算数", "上年")
    assert column_measures(("合计",), None) == ("合计",)


def test_classify_tables_sets_measures_and_coverage_lists_found_missing_unclassified():
    tables = [_grid_table("支出预算总表", FUNCTION_ROWS), _grid_table("单位人员情况表", [["人数"], ["3"]])]
    tables[0].key, tables[1].key = "表三", "表九"
    classify_tables(tables, "预算", 2021)
    assert [c.measures for c in tables[0].columns if c.unit] == [("合计",), ("基本支出",), ("项目支出",)]
    report = coverage(tables, "预算")
    assert report["found"] == [{"standard": "budget_expenditure_summary", "title": "支出预算总表"}]
    assert "budget_sangong" in report["missing"]
    assert report["unclassified"] == [{"key": "表九", "title": "单位人员情况表"}]


# --- layouts of the page ------------------------------------------------------------------


def test_run_on_title_cell_number_line_and_a_title_inside_a_grid():
    blocks = [
        RawLine("公开02表", page=1),
        RawGrid(rows=[[f"收入预算总表部门：{ISSUER}单位：万元", "", ""],
                      ["项目名称", "金额", ""], ["收入总计", "1,250.00", ""], ["一般公共预算资金", "1,250.00", ""],
                      ["支出预算总表", "", ""],
                      ["部门：", ISSUER, "单位：万元"],
                      ["合计", "基本支出", "项目支出"], ["1,250.00", "1,000.00", "250.00"]], page=1),
    ]
    parsed = parse_document(RawDocument(source="invented.pdf", format="pdf", blocks=blocks))
    titles = [(t.number, t.title, t.unit) for t in parsed.tables]
    assert titles == [("公开02表", "收入预算总表", "万元"), (None, "支出预算总表", "万元")]
    income = parsed.tables[0]
    total = next(r for r in income.rows if r.name == "收入总计")
    assert [c.value for c in total.cells if c.value] == [Decimal("12500000")]
    assert any(ISSUER in line for line in parsed.meta_lines)


def test_unit_printed_in_a_header_cell():
    blocks = [RawLine("部门“三公”经费支出预算表", page=2),
              RawGrid(rows=[["合计（万元）", "因公出国（境）费（万元）", "公务接待费（万元）"], ["3.00", "1.00", "2.00"]],
                      page=2)]
    table = parse_document(RawDocument(source="invented.pdf", format="pdf", blocks=blocks)).tables[0]
    assert table.unit == "万元"
    assert table.rows[0].cells[0].value == Decimal("30000")


def test_a_unit_the_narrative_contradicts_is_a_warning():
    table = _grid_table("支出预算总表", FUNCTION_ROWS, unit="元")  # printed 万元, read as 元
    table.key = "表三"

    class Stated:  # the narrative's figures as ingest states them: 30万元 → 300000 元
        def __init__(self, value):
            self.value, self.unit, self.measure = Decimal(value), "元", "预算数"

    assert narrative_unit_warnings([table], [Stated("300000"), Stated("200000")])
    assert not narrative_unit_warnings([table], [Stated("30"), Stated("20")])


# --- split documents ------------------------------------------------------------------------


def _narrative(source="青岚文物-说明.pdf", issuer="中国共产党青岚县委员会办公室", digest="a" * 64):
    doc = Disclosure(doc_id=digest[:12], content_hash=digest, source=source, format="pdf",
                     title="青岚县委办公室2021年部门预算", issuer=issuer, region="青岚县", year=2021, kind="预算",
                     scope="部门", files=[source])
    doc.sections = [Section(heading="部门预算情况说明", number="一、", level=1,
                            paragraphs=[Paragraph("收入总计30万元。" * 100, page=3)])]
    return doc


def _tables_part(source="青岚文物-公开表.pdf", issuer="中共青岚县委办公室", digest="b" * 64, title="支出预算总表"):
    doc = Disclosure(doc_id=digest[:12], content_hash=digest, source=source, format="pdf", title=title,
                     issuer=issuer, region="青岚县", year=2021, kind="预算", scope=None, files=[source])
    table = _grid_table(title, FUNCTION_ROWS)
    table.key = "T1"
    classify_tables([table], "预算", 2021)
    doc.tables = [table]
    return doc


def test_a_narrative_and_a_tables_part_of_one_issuer_join_in_either_order():
    a, b = _narrative(), _tables_part()
    assert (role(a), role(b)) == ("narrative", "tables") and joinable(a, b)
    one = join([_narrative(), _tables_part()])
    other = join([_tables_part(), _narrative()])
    assert one.doc_id == other.doc_id and one.files == other.files == ["青岚文物-说明.pdf", "青岚文物-公开表.pdf"]
    assert one.tables[0].file == "青岚文物-公开表.pdf"
    assert one.sections[0].paragraphs[0].file == "青岚文物-说明.pdf"
    assert one.scope == "部门" and one.title == "青岚县委办公室2021年部门预算"
    facts = [f for f in one.facts() if f.origin == "table"]
    assert facts and all(f.locator.file == "青岚文物-公开表.pdf" and f.doc_id == one.doc_id for f in facts)


def test_parts_of_different_issuers_years_or_two_complete_documents_stay_apart():
    assert not joinable(_narrative(), _tables_part(issuer="青岚县财政局"))
    later = _tables_part()
    later.year = 2022
    assert not joinable(_narrative(), later)
    assert not joinable(_tables_part(), _tables_part(source="另一份.pdf", digest="c" * 64))  # same standard twice
    assert len(join_parts([_narrative(), _tables_part(issuer="青岚县财政局")])) == 2


def test_removing_one_part_leaves_the_other_as_it_was_read():
    joined = join([_narrative(), _tables_part()])
    rest = without(joined, "青岚文物-公开表.pdf")
    assert rest.doc_id == "a" * 12 and rest.content_hash == "a" * 64 and rest.files == ["青岚文物-说明.pdf"]
    assert rest.tables == [] and rest.sections and rest.sections[0].paragraphs[0].file is None
    assert without(rest, "青岚文物-说明.pdf") is None


# --- issuers --------------------------------------------------------------------------------


def test_one_issuer_however_it_is_written():
    forms = ["青岚县委办公室", "中共青岚县委办公室", "中国共产党青岚县委员会办公室"]
    assert len({issuer_key(f) for f in forms}) == 1
    assert issuer_key("中国人民政治协商会议青岚县委员会办公室") == issuer_key("青岚县政协办公室")
    assert issuer_key("青岚县人民代表大会常务委员会办公室") == issuer_key("青岚县人大常委会办公室")
    assert issuer_key("青岚县商务委员会") == "青岚县商务委员会"  # a 委员会 not right after a region stays


def test_fragments_and_placeholders_are_not_issuers():
    assert not is_organisation_name("2.从预算单位构成看,纳入本")
    assert not is_organisation_name("青岚县")
    assert not is_organisation_name("青岚县XX局")
    assert is_organisation_name("青岚县人民政府办公室")
    assert pick_issuer(["(三)单位构成从预算单位构成看,本", "青岚县文物局"]) == ("青岚县文物局", False)
    assert pick_issuer(["青岚县XX局"]) == (None, True)
    assert pick_issuer(["青岚县文物执法局（青岚县文物管理所）"]) == ("青岚县文物执法局", False)
