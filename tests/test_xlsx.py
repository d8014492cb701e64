"""Spreadsheets: the real blank 16-sheet XLS template, a filled XLSX the test writes, broken files."""

from __future__ import annotations

import datetime
import struct
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from openpyxl.styles import Border, Side

from ingest.checks import sum_mismatches
from ingest.errors import InputError, UnsupportedFormatError
from ingest.pipeline import parse_bytes, parse_file
from ingest.readers import RawGrid, RawLine, reader_for
from ingest.readers.xlsx import Sheet, XlsReader, XlsxReader, format_number, ole_stream_names, sheet_blocks
from tests.conftest import cell_value, corpus_file

TEMPLATE = "template-shanghai-putuo-2026-unit-budget-BLANK.xls"
DEPT = "江南市青石区文物保护中心"


# ---------------------------------------------------------------- the real blank template

@pytest.fixture(scope="module")
def template():
    return parse_file(corpus_file(TEMPLATE))


def _table(doc, title_part: str):
    found = [t for t in doc.tables if title_part in t.title]
    assert len(found) == 1, [t.title for t in doc.tables]
    return found[0]


def test_template_is_read_as_an_xls_workbook_one_block_run_per_sheet():
    path = corpus_file(TEMPLATE)
    data = path.read_bytes()
    assert isinstance(reader_for(path, data), XlsReader)
    raw = XlsReader().read(path, data)
    grids = [b for b in raw.blocks if isinstance(b, RawGrid)]
    # Sheets 7–15 hold the nine tables; the other seven are text.
    assert [g.page for g in grids] == list(range(7, 16))
    lines = [(b.page, b.text) for b in raw.blocks if isinstance(b, RawLine)]
    assert (1, "上海市普陀区2026年区级单位预算") in lines
    # The title, 编制单位 and 单位 cells above a table are lines, in that order, on the table's sheet.
    i = lines.index((11, "2026年预算单位一般公共预算支出功能分类预算表"))
    assert lines[i + 1:i + 3] == [(11, "编制单位："), (11, "单位：元")]
    # Merged header cells keep their text in the top-left cell; a numeric 类 code prints as 205.
    assert grids[4].rows[:4] == [
        ["项目", "", "", "", "一般公共预算支出", "", ""],
        ["功能分类科目编码", "", "", "功能分类科目名称", "合计", "基本支出", "项目支出"],
        ["类", "款", "项", "", "", "", ""],
        ["205", "", "", "教育支出", "", "", ""],
    ]
    # A paragraph in one framed cell is split into its printed lines.
    assert (16, "二、机关运行经费预算") in lines


def test_template_parses_into_its_table_structures(template):
    assert template.format == "xls"
    assert template.title == "上海市普陀区2026年区级单位预算"
    assert template.year == 2026 and template.kind == "预算" and template.scope == "单位"
    # 9 tables; the two side-by-side 收支总表 (1 and 4) each split into income and spending
    assert len(template.tables) == 11
    assert sorted({t.number for t in template.tables}, key=int) == [str(n) for n in range(1, 10)]
    assert sorted({t.page_start for t in template.tables}) == list(range(7, 16))
    assert template.tables[0].title == "2026年预算单位财务收支预算总表"
    assert [t.part for t in template.tables[:2]] == ["本年收入", "本年支出"]
    assert template.tables[-1].title == "2026年单位“三公”经费和机关运行经费预算表"
    assert [t.unit for t in template.tables] == ["元"] * 10 + ["万元"]
    assert all(t.is_empty for t in template.tables)

    spending = _table(template, "一般公共预算支出功能分类预算表")
    assert [c.path for c in spending.columns] == [
        ("项目", "功能分类科目编码", "类"), ("项目", "功能分类科目编码", "款"), ("项目", "功能分类科目编码", "项"),
        ("项目", "功能分类科目名称"), ("一般公共预算支出", "合计"), ("一般公共预算支出", "基本支出"),
        ("一般公共预算支出", "项目支出"),
    ]
    rows = {r.code: r for r in spending.rows if r.code}
    assert set(rows) == {"205", "20502", "2050205"}
    assert rows["2050205"].name == "高等教育"
    assert spending.rows[rows["2050205"].parent].code == "20502"
    assert spending.rows[rows["20502"].parent].code == "205"
    assert spending.rows[-1].is_total

    income = _table(template, "收入预算总表")
    assert [c.label for c in income.columns][4:] == [
        "收入预算 › 合计", "收入预算 › 财政拨款收入", "收入预算 › 事业收入",
        "收入预算 › 事业单位经营收入", "收入预算 › 其他收入"]  # "事业单位\n经营收入" rejoined

    basic = _table(template, "基本支出部门预算经济分类预算表")
    assert [c.path[-1] for c in basic.columns] == ["类", "款", "部门经济分类科目名称", "合计", "人员经费", "公用经费"]
    assert {r.code for r in basic.rows if r.code} == {"301", "30101", "303", "30304"}

    sangong = _table(template, "三公")
    assert [c.path for c in sangong.columns] == [
        ("“三公”经费预算数", "合计"), ("“三公”经费预算数", "因公出国(境)费"), ("“三公”经费预算数", "公务接待费"),
        ("“三公”经费预算数", "公务用车购置及运行费", "小计"), ("“三公”经费预算数", "公务用车购置及运行费", "购置费"),
        ("“三公”经费预算数", "公务用车购置及运行费", "运行费"), ("机关运行经费预算数",),
    ]
    assert all(c.unit == "元" for c in sangong.columns)  # money columns, printed in 万元


def test_template_blank_side_by_side_summary_splits_into_income_and_spending(template):
    parts = [t for t in template.tables if t.title == "2026年预算单位财务收支预算总表"]
    assert [t.part for t in parts] == ["本年收入", "本年支出"]
    assert [r.name for r in parts[0].rows][:2] == ["一、财政拨款收入", "1、一般公共预算"]


# ---------------------------------------------------------------- a filled XLSX fixture

THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
AMOUNT = "#,##0.00"

# (类, 款, 项 or a compact code in 类, name, 基本支出, 项目支出) in 万元; parents carry the sums.
SPENDING = [
    (207, "", "", "文化旅游体育与传媒支出", 412.36, 286.40 + 95.18 + 18.75),
    (207, "02", "", "文物", 412.36, 400.33),
    (207, "02", "04", "文物保护", 0, 286.40),
    (207, "02", "05", "博物馆", 412.36, 95.18),
    (207, "02", "99", "其他文物支出", None, 18.75),
    ("208", "", "", "社会保障和就业支出", 63.52 + 31.76, None),
    ("20805", "", "", "行政事业单位养老支出", 95.28, None),
    ("2080505", "", "", "机关事业单位基本养老保险缴费支出", 63.52, None),
    ("2080506", "", "", "机关事业单位职业年金缴费支出", 31.76, None),
    (210, "", "", "卫生健康支出", 27.43, None),
    (210, "11", "", "行政事业单位医疗", 27.43, None),
    (210, "11", "02", "事业单位医疗", 27.43, None),
    ("221", "", "", "住房保障支出", 40.19, None),
    ("22102", "", "", "住房改革支出", 40.19, None),
    ("2210201", "", "", "住房公积金", 40.19, None),
]


def _box(ws, cells: str) -> None:
    for row in ws[cells]:
        for cell in row:
            cell.border = BOX


def _spending_sheet(ws) -> None:
    ws["A1"] = f"表3 {DEPT}2025年部门支出预算表"
    ws.merge_cells("A1:G1")
    ws["A2"] = f"编制单位：{DEPT}"
    ws.merge_cells("A2:E2")
    ws["G2"] = "单位：万元"
    ws["A3"], ws["D3"], ws["E3"] = "科目编码", "科目名称", "2025年预算数"
    ws.merge_cells("A3:C3")
    ws.merge_cells("D3:D4")
    ws.merge_cells("E3:G3")
    for col, text in zip("ABCEFG", ["类", "款", "项", "合计", "基本支出", "项目支出"]):
        ws[f"{col}4"] = text
    ws["A5"] = "合计"
    ws.merge_cells("A5:D5")
    ws["E5"], ws["F5"], ws["G5"] = 975.59, 412.36 + 95.28 + 27.43 + 40.19, 400.33
    for r, (kind, item, sub, name, basic, project) in enumerate(SPENDING, start=6):
        ws[f"A{r}"], ws[f"B{r}"], ws[f"C{r}"], ws[f"D{r}"] = kind, item, sub, name
        # float sums such as 63.52 + 31.76 = 95.28000000000002 must not leak into amounts
        ws[f"E{r}"] = (basic or 0) + (project or 0)
        ws[f"F{r}"], ws[f"G{r}"] = basic, project
    last = 5 + len(SPENDING)
    for row in ws[f"E5:G{last}"]:
        for cell in row:
            cell.number_format = AMOUNT
    _box(ws, f"A3:G{last}")
    ws[f"A{last + 1}"] = "注：本表据区财政局批复数填列。"
    ws.merge_cells(f"A{last + 1}:G{last + 1}")
    ws[f"A{last + 2}"], ws[f"G{last + 2}"] = "填报日期：", datetime.date(2025, 1, 15)
    ws[f"G{last + 2}"].number_format = "yyyy-mm-dd"


def _summary_sheet(ws) -> None:
    ws["A1"] = f"表1 {DEPT}2025年部门收支预算总表"
    ws.merge_cells("A1:D1")
    ws["A2"], ws["D2"] = f"编制单位：{DEPT}", "单位：万元"
    ws["A3"], ws["C3"] = "收入", "支出"
    ws.merge_cells("A3:B3")
    ws.merge_cells("C3:D3")
    rows = [
        ("项目", "预算数", "项目", "预算数"),
        ("一、一般公共预算拨款收入", 915.40, "一、文化旅游体育与传媒支出", 812.69),
        ("二、政府性基金预算拨款收入", 0, "二、社会保障和就业支出", 95.28),
        ("三、事业收入", 60.19, "三、卫生健康支出", 27.43),
        (None, None, "四、住房保障支出", 40.19),
        ("收入总计", 915.40 + 60.19, "支出总计", 975.59),
    ]
    for r, values in enumerate(rows, start=4):
        for col, value in zip("ABCD", values):
            ws[f"{col}{r}"] = value
            if isinstance(value, float | int):
                ws[f"{col}{r}"].number_format = AMOUNT
    _box(ws, "A3:D9")


# 基本支出 by economic class, without any border (a plain export); 301's 合计 and 人员经费 are wrong
# on purpose: its children add up to 370.62, not 380.00.
BASIC = [
    ("合计", "", "", 428.30, 380.00, 48.30),
    ("301", "", "工资福利支出", 380.00, 380.00, None),
    ("301", "01", "基本工资", 152.40, 152.40, None),
    ("301", "02", "津贴补贴", 96.85, 96.85, None),
    ("301", "07", "绩效工资", 121.37, 121.37, None),
    ("302", "", "商品和服务支出", 48.30, None, 48.30),
    ("302", "01", "办公费", 12.60, None, 12.60),
    ("302", "11", "差旅费", 8.90, None, 8.90),
    ("302", "28", "工会经费", 26.80, None, 26.80),
]


def _basic_sheet(ws) -> None:
    ws["A1"] = f"表5 {DEPT}2025年部门基本支出预算表"
    ws.merge_cells("A1:F1")
    ws["A2"], ws["F2"] = f"编制单位：{DEPT}", "单位：万元"
    ws["A3"], ws["C3"], ws["D3"] = "经济分类科目编码", "经济分类科目名称", "2025年基本支出"
    ws.merge_cells("A3:B3")
    ws.merge_cells("D3:F3")
    for col, text in zip("ABDEF", ["类", "款", "合计", "人员经费", "公用经费"]):
        ws[f"{col}4"] = text
    for r, values in enumerate(BASIC, start=5):
        for col, value in zip("ABCDEF", values):
            ws[f"{col}{r}"] = value if value != "" else None
            if isinstance(value, float):
                ws[f"{col}{r}"].number_format = AMOUNT
    ws.merge_cells("A5:C5")


@pytest.fixture(scope="module")
def filled_xlsx(tmp_path_factory) -> Path:
    book = openpyxl.Workbook()
    _spending_sheet(book.active)
    book.active.title = "支出预算表"
    hidden = book.create_sheet("隐藏底稿")
    hidden["A1"], hidden["B1"], hidden["C1"] = "隐藏的测算底稿", 1, 2
    hidden.sheet_state = "hidden"
    _summary_sheet(book.create_sheet("收支总表"))
    book.create_sheet("空白页")
    _basic_sheet(book.create_sheet("基本支出表"))
    path = tmp_path_factory.mktemp("xlsx") / "qingshi-heritage-2025-budget.xlsx"
    book.save(path)
    return path


@pytest.fixture(scope="module")
def filled(filled_xlsx):
    return parse_file(filled_xlsx)


def test_filled_xlsx_reader_output(filled_xlsx):
    data = filled_xlsx.read_bytes()
    assert isinstance(reader_for(filled_xlsx, data), XlsxReader)
    raw = XlsxReader().read(filled_xlsx, data)
    assert raw.format == "xlsx"
    lines = [(b.page, b.text) for b in raw.blocks if isinstance(b, RawLine)]
    assert lines[:3] == [(1, f"表3 {DEPT}2025年部门支出预算表"), (1, f"编制单位：{DEPT}"), (1, "单位：万元")]
    assert (1, "注：本表据区财政局批复数填列。") in lines and (1, "2025-01-15") in lines
    grids = [b for b in raw.blocks if isinstance(b, RawGrid)]
    assert [g.page for g in grids] == [1, 2, 4]  # the hidden sheet is skipped; the empty one yields nothing
    spending = grids[0].rows
    assert spending[0] == ["科目编码", "", "", "科目名称", "2025年预算数", "", ""]
    assert spending[2] == ["合计", "", "", "", "975.59", "575.26", "400.33"]
    assert spending[5] == ["207", "02", "04", "文物保护", "286.40", "0.00", "286.40"]
    assert spending[8] == ["208", "", "", "社会保障和就业支出", "95.28", "95.28", ""]  # no float noise
    assert not any("隐藏" in b.text for b in raw.blocks if isinstance(b, RawLine))


def test_filled_xlsx_spending_table(filled):
    assert filled.format == "xlsx" and filled.year == 2025 and filled.issuer == DEPT
    assert len(filled.tables) == 4  # 支出, 收支总表 as 收入 + 支出, 基本支出
    spending = _table(filled, "部门支出预算表")
    assert spending.number == "表3" and spending.unit == "万元" and spending.page_start == 1
    assert spending.meta == {"编制单位": DEPT}
    assert spending.notes == ["注：本表据区财政局批复数填列。"]
    assert [c.path for c in spending.columns] == [
        ("科目编码", "类"), ("科目编码", "款"), ("科目编码", "项"), ("科目名称",),
        ("2025年预算数", "合计"), ("2025年预算数", "基本支出"), ("2025年预算数", "项目支出")]
    assert [c.unit for c in spending.columns] == ["", "", "", "", "元", "元", "元"]
    assert [r.code for r in spending.rows] == [None, "207", "20702", "2070204", "2070205", "2070299",
                                               "208", "20805", "2080505", "2080506",
                                               "210", "21011", "2101102", "221", "22102", "2210201"]
    by_code = {r.code: r for r in spending.rows if r.code}
    for child, parent in [("20702", "207"), ("2070299", "20702"), ("2080506", "20805"), ("20805", "208"),
                          ("2101102", "21011"), ("2210201", "22102")]:
        assert spending.rows[by_code[child].parent].code == parent
    assert by_code["207"].parent is None and spending.rows[0].is_total
    # 万元 × 10000 → 元, exactly
    assert cell_value(spending, "合计", "2025年预算数 › 合计") == Decimal("9755900")
    assert cell_value(spending, "合计", "2025年预算数 › 基本支出") == Decimal("5752600")
    assert cell_value(spending, "2070204", "2025年预算数 › 项目支出") == Decimal("2864000")
    assert cell_value(spending, "2070204", "2025年预算数 › 基本支出") == Decimal("0")
    assert cell_value(spending, "2070205", "2025年预算数 › 合计") == Decimal("5075400")
    assert cell_value(spending, "2070299", "2025年预算数 › 基本支出") is None
    assert cell_value(spending, "2080505", "2025年预算数 › 基本支出") == Decimal("635200")
    assert cell_value(spending, "208", "2025年预算数 › 合计") == Decimal("952800")
    assert cell_value(spending, "2210201", "2025年预算数 › 合计") == Decimal("401900")
    assert by_code["2080505"].cell(4).text == "63.52"
    assert sum_mismatches(spending) == []


def test_filled_xlsx_side_by_side_summary(filled):
    income, spending = [t for t in filled.tables if "收支预算总表" in t.title]
    assert (income.part, spending.part) == ("收入", "支出")
    assert income.page_start == spending.page_start == 2
    assert [c.label for c in income.columns] == ["项目", "预算数"]
    assert cell_value(income, "一、一般公共预算拨款收入", "预算数") == Decimal("9154000")
    assert cell_value(income, "二、政府性基金预算拨款收入", "预算数") == Decimal("0")
    assert cell_value(income, "收入总计", "预算数") == cell_value(spending, "支出总计", "预算数") == Decimal("9755900")
    assert [r.name for r in spending.rows] == ["一、文化旅游体育与传媒支出", "二、社会保障和就业支出",
                                               "三、卫生健康支出", "四、住房保障支出", "支出总计"]
    items = [r for r in spending.rows if not r.is_total]
    assert sum(r.cell(1).value for r in items) == Decimal("9755900")


def test_filled_xlsx_wrong_parent_figure_is_reported(filled):
    basic = _table(filled, "基本支出预算表")
    assert basic.page_start == 4 and basic.unit == "万元"  # page = the sheet's tab among visible sheets
    assert basic.meta == {"编制单位": DEPT}  # an unruled sheet: the parser lifts the 编制单位|单位 row
    assert [c.path for c in basic.columns] == [
        ("经济分类科目编码", "类"), ("经济分类科目编码", "款"), ("经济分类科目名称",),
        ("2025年基本支出", "合计"), ("2025年基本支出", "人员经费"), ("2025年基本支出", "公用经费")]
    assert [r.code for r in basic.rows] == [None, "301", "30101", "30102", "30107", "302", "30201", "30211", "30228"]
    assert cell_value(basic, "30107", "2025年基本支出 › 合计") == Decimal("1213700")
    found = {(m.row, m.column, m.stated, m.computed) for m in sum_mismatches(basic)}
    assert found == {
        ("301 工资福利支出", "2025年基本支出 › 合计", Decimal("3800000"), Decimal("3706200")),
        ("301 工资福利支出", "2025年基本支出 › 人员经费", Decimal("3800000"), Decimal("3706200")),
    }


@pytest.mark.parametrize("value,number_format,shown", [
    (1234.5, "#,##0.00", "1,234.50"),
    (1234567.891, "#,##0_ ", "1,234,568"),
    (205.0, "General", "205"),
    (0.1 + 0.2, "General", "0.3"),
    (63.52 + 31.76, "0.00", "95.28"),
    (2.675, "0.00", "2.68"),  # as Excel rounds the stored 15 digits, not the binary value
    (-1234.5, "#,##0.00;[Red]-#,##0.00", "-1,234.50"),
    (0.1234, "0.00%", "12.34%"),
    (-0.001, "0.00", "0.00"),
    (12, "General", "12"),
    (1e20, "General", "100000000000000000000"),
    (1500.0, '_ * #,##0.00_ ;_ * -#,##0.00_ ;_ * "-"??_ ;_ @_ ', "1,500.00"),
    (42.0, "@", "42"),
])
def test_numbers_print_as_the_sheet_shows_them(value, number_format, shown):
    assert format_number(value, number_format) == shown


def test_sheet_blocks_blank_merged_cells_and_drop_hidden_rows_and_columns():
    # Some writers leave a stale value under a merge; hidden rows and columns are not shown either.
    sheet = Sheet(cells={(0, 0): "某局2025年部门预算表", (1, 0): "项目", (1, 1): "stale", (1, 2): "预算数",
                         (1, 3): "测算列", (2, 0): "201", (2, 2): "1,000.00", (2, 3): "9", (3, 0): "内部行",
                         (3, 2): "5"},
                  merges=[(1, 2, 0, 2)], hidden_rows={3}, hidden_cols={3})
    assert sheet_blocks(sheet, 3) == [
        RawLine(text="某局2025年部门预算表", page=3),
        RawGrid(rows=[["项目", "", "预算数"], ["201", "", "1,000.00"]], page=3, row_pages=[3, 3]),
    ]


def test_sheet_blocks_one_column_of_text_is_lines():
    sheet = Sheet(cells={(0, 0): "名词解释", (2, 0): "（一）财政拨款收入：……\n（二）事业收入：……"},
                  ruled={(2, 0)})
    assert sheet_blocks(sheet, 5) == [RawLine("名词解释", 5), RawLine("（一）财政拨款收入：……", 5),
                                      RawLine("（二）事业收入：……", 5)]
    assert sheet_blocks(Sheet(cells={(4, 4): "  "}), 1) == []


# ---------------------------------------------------------------- broken input

def _ole_file(stream: str, payload: bytes) -> bytes:
    """A minimal OLE2 compound file holding one stream, the way a .doc holds WordDocument."""
    free, end, fat_sector, no_stream = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
    payload = payload.ljust(4096, b"\0")  # at the 4096-byte cutoff: a regular stream, no mini FAT
    data_sectors = len(payload) // 512
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16
              + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\0" * 6
              + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
              + struct.pack("<I", 0) + struct.pack("<I", free) * 108)
    fat = [fat_sector, end] + [2 + i + 1 for i in range(data_sectors - 1)] + [end]
    fat_bytes = struct.pack(f"<{len(fat)}I", *fat).ljust(512, b"\xff")

    def entry(name: str, kind: int, child: int, start: int, size: int) -> bytes:
        encoded = (name + "\0").encode("utf-16-le") if name else b""
        return (encoded.ljust(64, b"\0") + struct.pack("<HBB", len(encoded), kind, 1)
                + struct.pack("<III", no_stream, no_stream, child) + b"\0" * 36
                + struct.pack("<III", start, size, 0))

    directory = (entry("Root Entry", 5, 1, end, 0) + entry(stream, 2, no_stream, 2, len(payload))
                 + entry("", 0, no_stream, 0, 0) * 2)
    assert len(header) == 512 and len(directory) == 512
    return header + fat_bytes + directory + payload


def test_word_document_in_ole2_is_not_a_workbook(tmp_path):
    doc = _ole_file("WordDocument", "部门预算".encode("utf-16-le"))
    assert ole_stream_names(doc) == {"Root Entry", "WordDocument"}  # a well-formed compound file
    assert not XlsReader().sniff(doc)
    with pytest.raises(InputError) as err:
        parse_bytes(doc, tmp_path / "budget.xls")
    assert "budget.xls" in err.value.message and "Word" in err.value.message
    assert "WordDocument" in err.value.detail
    with pytest.raises(UnsupportedFormatError):  # the same bytes named .doc: no reader claims them
        parse_bytes(doc, tmp_path / "budget.doc")


def test_encrypted_xlsx_says_so(tmp_path):
    package = _ole_file("EncryptedPackage", b"\x10\x00" * 40)
    with pytest.raises(InputError) as err:
        parse_bytes(package, tmp_path / "locked.xlsx")
    assert "locked.xlsx" in err.value.message and "加密" in err.value.message


@pytest.mark.parametrize("name,data", [
    ("broken.xlsx", b"PK\x03\x04" + b"\x00" * 200),
    ("notes.xlsx", "这不是表格，预算".encode("utf-8")),
])
def test_corrupt_xlsx_is_refused(tmp_path, name, data):
    with pytest.raises(InputError) as err:
        parse_bytes(data, tmp_path / name)
    assert name in err.value.message and "XLSX" in err.value.message
    assert name in err.value.detail


def test_truncated_xls_is_refused(tmp_path):
    data = corpus_file(TEMPLATE).read_bytes()
    with pytest.raises(InputError) as err:
        parse_bytes(data[: len(data) // 3], tmp_path / "cut.xls")
    assert "cut.xls" in err.value.message
