"""ingest.textrows: table rows rebuilt from a PDF text layer.

The real document is the text layer of a Shanghai unit budget (石泉路街道 2026, pages 12–33 hold
nine tables). Tables are cut out of it the way a caller would: from one title line to the next,
without the title, the 编制单位/单位 line and notes. Synthetic tables with other names and figures
show that the placement comes from arithmetic, not from this document.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

from ingest.numbers import parse_number
from ingest.tables import GridSource, build_tables
from ingest.textrows import rebuild_grid, rebuild_grid_with_warnings

PAGES = Path(__file__).resolve().parents[2] / "shared/corpus/real/shanghai-putuo-shiquanlu-subdistrict-2026-unit-budget.pages.json"
TITLE = re.compile(r"^20\d\d年.*表$")


@pytest.fixture(scope="module")
def regions() -> dict[str, list[str]]:
    """Title → the table's lines (header and data, page breaks included)."""
    out: dict[str, list[str]] = {}
    current: list[str] | None = None
    for page in json.loads(PAGES.read_text(encoding="utf-8")):
        for line in page["text"].split("\n"):
            line = line.strip()
            if TITLE.match(line):
                current = out.setdefault(line, [])
            elif line.startswith("其他相关情况说明"):
                current = None
            elif current is not None and line and not line.startswith(("编制单位", "注")):
                current.append(line)
    return out


def table(regions: dict[str, list[str]], title_part: str, hints=()) -> tuple[list[list[str]], list[str]]:
    (title,) = [t for t in regions if title_part in t]
    return rebuild_grid_with_warnings(regions[title], hints)


def hint(subject: str, wan: str) -> tuple[str, Decimal, Decimal]:
    """A figure the narrative states in 万元 with two decimals, as a hint for a table in 元."""
    return subject, Decimal(wan) * 10000, Decimal(50), None


def split(grid: list[list[str]]) -> tuple[list[list[str]], list[list[str]]]:
    """Header rows, data rows (from the first row with a figure or a total)."""
    first = next(i for i, r in enumerate(grid)
                 if any(parse_number(c) is not None for c in r) or [c for c in r if c] == ["合计"])
    return grid[:first], grid[first:]


def data_lines(regions: dict[str, list[str]], title_part: str) -> int:
    """How many lines of the region are table rows: coded lines and the 合计 line."""
    (title,) = [t for t in regions if title_part in t]
    return sum(1 for line in regions[title] if re.match(r"\d{3}", line) or line.startswith("合计"))


def leaves(grid: list[list[str]]) -> list[str]:
    """The lowest heading of every column."""
    header, _ = split(grid)
    return [next((r[c] for r in reversed(header) if r[c]), "") for c in range(len(grid[0]))]


def row(grid: list[list[str]], key: str) -> list[str]:
    (found,) = [r for r in split(grid)[1] if key in r[:3]]
    return found


def amount(text: str) -> Decimal:
    return parse_number(text) or Decimal(0)


# ---------------------------------------------------------------- the real document


def test_expenditure_table_places_figures_by_arithmetic(regions):
    grid, warnings = table(regions, "支出预算总表")
    assert leaves(grid) == ["功能分类科目编码", "功能分类科目名称", "合计", "基本支出", "项目支出"]
    assert row(grid, "2010506") == ["2010506", "统计管理", "1,200", "", "1,200"]
    # the parent 20805 has 项目支出 95,000, all explained by 2080505: 2080501 can only be 基本支出
    assert row(grid, "2080501") == ["2080501", "行政单位离退休", "2,301,360", "2,301,360", ""]
    assert row(grid, "2080505")[2:] == ["1,736,800", "1,641,800", "95,000"]
    assert row(grid, "20805")[2:] == ["4,882,960", "4,787,960", "95,000"]
    assert row(grid, "2120101")[2:] == ["16,879,230", "16,879,230", ""]
    assert row(grid, "2120102")[2:] == ["13,121,269", "", "13,121,269"]
    assert row(grid, "合计") == ["", "合计", "76,306,134", "26,917,990", "49,388,144"]
    assert warnings == []


def test_income_table_joins_a_wrapped_heading(regions):
    grid, warnings = table(regions, "收入预算总表")
    # '…事业收入事业单位' / '经营收入其他收入': one column 事业单位经营收入
    assert leaves(grid) == ["功能分类科目编码", "功能分类科目名称", "合计", "财政拨款收入", "事业收入",
                            "事业单位经营收入", "其他收入"]
    data = split(grid)[1]
    assert len(data) == data_lines(regions, "收入预算总表") == 73
    # Every row holds 合计 plus one figure: the sums hold in any one column, so nothing in the
    # table says which: the second figure stays unplaced rather than guessed, and the grid says so.
    assert all(r[2] != "" and r[3:] == ["", "", "", ""] for r in data)
    assert len(warnings) == 1 and "'合计'" in warnings[0] and "unplaced" in warnings[0]
    # The narrative states 财政拨款收入7,630.61万元: that settles the total, and the sums the rest.
    grid, warnings = table(regions, "收入预算总表", [hint("财政拨款收入", "7630.61")])
    data = split(grid)[1]
    assert all(r[3] == r[2] != "" and r[4:] == ["", "", ""] for r in data)
    assert row(grid, "2080501")[2:4] == ["2,301,360", "2,301,360"]
    assert warnings == []


def test_side_by_side_financial_table(regions):
    grid, warnings = table(regions, "财务收支预算总表")
    header, data = split(grid)
    assert header[0] == ["本年收入", "", "本年支出", "", "", "", ""]
    assert leaves(grid) == ["项目", "预算数", "项目", "合计", "人员经费", "公用经费", "项目支出"]
    assert data[0] == ["一、财政拨款收入", "76,306,134", "一、一般公共服务支出", "3,353,072", "", "", "3,353,072"]
    assert data[3] == ["3、国有资本经营预算", "", "四、科学技术支出", "100,000", "", "", "100,000"]
    assert row(grid, "七、卫生健康支出")[3:] == ["1,225,800", "1,025,800", "", "200,000"]
    assert row(grid, "九、住房保障支出") == ["", "", "九、住房保障支出", "11,185,800", "4,225,000", "", "6,960,800"]
    assert data[-1] == ["收入总计", "76,306,134", "支出总计", "76,306,134", "23,057,828", "3,860,162", "49,388,144"]
    assert warnings == []


def test_side_by_side_appropriation_table(regions):
    hints = [hint("一般公共预算拨款支出预算", "7262.61"), hint("政府性基金拨款支出预算", "368")]
    grid, warnings = table(regions, "财政拨款收支预算总表", hints)
    assert grid[0] == ["财政拨款收入", "", "财政拨款支出", "", "", "", ""]
    assert grid[1] == ["项目", "预算数", "项目", "合计", "一般公共预算", "政府性基金预算", "国有资本经营预算"]
    assert grid[2] == ["一、一般公共预算", "72,626,134", "一、一般公共服务支出", "3,353,072", "3,353,072", "", ""]
    assert row(grid, "八、城乡社区支出")[3:] == ["47,543,930", "43,863,930", "3,680,000", ""]
    assert row(grid, "十、灾害防治及应急管理支出")[:2] == ["", ""]
    # 支出总计 has two of three funds; the narrative's figures for each fund choose them
    assert row(grid, "支出总计")[3:] == ["76,306,134", "72,626,134", "3,680,000", ""]
    assert warnings == []
    grid, warnings = table(regions, "财政拨款收支预算总表")  # without them: unplaced, and said
    assert row(grid, "支出总计")[3:] == ["76,306,134", "", "", ""]
    assert len(warnings) == 1 and "'支出总计'" in warnings[0] and "unplaced" in warnings[0]


def test_repeated_headers_after_page_breaks_are_dropped(regions):
    grid, warnings = table(regions, "一般公共预算支出功能分类预算表")
    header, data = split(grid)
    assert len(header) == 2 and len(data) == data_lines(regions, "一般公共预算支出功能分类预算表") == 69
    assert row(grid, "2013802")[2:] == ["225,872", "", "225,872"]  # first row after a repeated header
    assert row(grid, "212")[2:] == ["44,163,930", "16,879,230", "27,284,700"]
    assert row(grid, "合计")[2:] == ["72,626,134", "26,917,990", "45,708,144"]
    assert warnings == []


def test_economic_classification_table(regions):
    grid, warnings = table(regions, "经济分类预算表")
    assert leaves(grid) == ["经济分类科目编码", "部门经济分类科目名称", "合计", "人员经费", "公用经费"]
    assert row(grid, "30101") == ["30101", "基本工资", "2,724,912", "2,724,912", ""]
    assert row(grid, "30217") == ["30217", "公务接待费", "15,250", "", "15,250"]
    assert row(grid, "30301") == ["30301", "离休费", "", "", ""]
    assert row(grid, "30302")[2:] == ["1,934,160", "1,934,160", ""]
    assert warnings == []


def test_sangong_table_header_and_the_figures_arithmetic_fixes(regions):
    grid, warnings = table(regions, "三公")
    assert grid[:3] == [
        ["“三公”经费预算数", "", "", "", "", "", "机关运行经费预算数"],
        ["合计", "因公出国(境)费", "公务接待费", "公务用车购置及运行费", "", "", ""],
        ["", "", "", "小计", "购置费", "运行费", ""],
    ]
    (data,) = split(grid)[1]
    assert (data[0], data[3], data[6]) == ("8.53", "7", "386.02")  # 合计, 车小计, 机关运行经费
    # 1.53 is 出国 or 接待, 7 is 购置费 or 运行费: no sum tells, so they stay unplaced and flagged
    assert (data[1], data[2], data[4], data[5]) == ("", "", "", "")
    assert len(warnings) == 1 and "(1.53 7)" in warnings[0]
    # the narrative says 公务接待费1.53万元 and 公务用车运行费7万元
    grid, warnings = table(regions, "三公", [("公务接待费", Decimal("1.53"), Decimal("0.005"), None),
                                           ("公务用车运行费", Decimal(7), Decimal("0.005"), None)])
    (data,) = split(grid)[1]
    assert data == ["8.53", "", "1.53", "7", "", "7", "386.02"] and warnings == []


def test_empty_table(regions):
    grid, warnings = table(regions, "国有资本经营预算支出功能分类预算表")
    assert grid[-1] == ["合计", "", "", ""] and warnings == []


def test_every_coded_table_adds_up(regions):
    """In every column: a parent code = Σ its child codes, and 合计 = Σ the 类 rows."""
    checked = 0
    for title, lines in regions.items():
        grid = rebuild_grid(lines)
        header, data = split(grid)
        coded = [r for r in data if re.fullmatch(r"\d{3}(\d{2}){0,2}", r[0])]
        if not coded:
            continue
        width = len(grid[0])
        for parent in coded + [r for r in data if r[1] == "合计"]:
            kids = [r for r in coded if (len(r[0]) == 3 if parent[1] == "合计" else
                                         len(r[0]) == len(parent[0]) + 2 and r[0].startswith(parent[0]))]
            if kids:
                for c in range(2, width):
                    assert sum(amount(k[c]) for k in kids) == amount(parent[c]), (title, parent[:2], header[-1][c])
                checked += 1
    assert checked >= 60


def test_grid_feeds_the_table_builder(regions):
    (title,) = [t for t in regions if "支出预算总表" in t]
    (built,) = build_tables(GridSource(title=title, rows=rebuild_grid(regions[title])))
    row_2080501 = next(r for r in built.rows if r.code == "2080501")
    assert [built.column(c.column).path[-1] for c in row_2080501.cells] == ["合计", "基本支出"]
    assert built.rows[-1].is_total
    (title,) = [t for t in regions if "财务收支" in t]
    parts = build_tables(GridSource(title=title, rows=rebuild_grid(regions[title])))
    assert [t.part for t in parts] == ["本年收入", "本年支出"]


# ---------------------------------------------------------------- synthetic tables


def test_synthetic_table_arithmetic_overrides_left_to_right():
    lines = [
        "项目 支出决算",
        "功能分类科目编码",
        "功能分类科目名称 合计基本支出项目支出",  # glued heading
        "类款项",
        "213 农林水支出 900 600 300",
        "21301 农业农村 900 600 300",
        "2130101行政运行 600 600",
        "2130104事业运行 300 300",  # left to right would make this 基本支出
        "214 交通运输支出 50 50",
        "21401 公路水路运输 50 50",
        "2140101 公路养护 50 50",
        "合计 950 650 300",
    ]
    grid, warnings = rebuild_grid_with_warnings(lines)
    assert leaves(grid) == ["功能分类科目编码", "功能分类科目名称", "合计", "基本支出", "项目支出"]
    assert row(grid, "2130101")[2:] == ["600", "600", ""]
    assert row(grid, "2130104")[2:] == ["300", "", "300"]
    assert row(grid, "214")[2:] == ["50", "50", ""]  # decided by the 合计 row's 基本支出 650
    assert warnings == []
    assert rebuild_grid(lines) == grid


def test_synthetic_table_that_arithmetic_cannot_decide():
    lines = ["科目名称 合计 人员经费 公用经费", "301 工资福利支出 70 70", "30101 基本工资 70 70", "合计 70 70"]
    grid, warnings = rebuild_grid_with_warnings(lines)
    assert row(grid, "30101")[2:] == ["70", "", ""]  # never guessed: unplaced, and flagged
    assert len(warnings) == 1 and "unplaced" in warnings[0] and "'合计'" in warnings[0]
    grid, warnings = rebuild_grid_with_warnings(lines, [("公用经费", Decimal(70), Decimal(0), None)])
    assert row(grid, "30101")[2:] == ["70", "", "70"] and warnings == []


def test_synthetic_side_by_side_and_unknown_heading():
    lines = [
        "项目 预算数 项目 合计 一般公共预算政府性基金预算专项资金",  # 专项资金 is not in the glossary
        "一、一般公共预算 500 一、教育支出 300 300",
        "二、政府性基金预算 200 二、卫生健康支出 350 150 200",
        "三、节能环保支出 50 50",
        "收入总计 700 支出总计 700 450 200 50",
    ]
    grid, warnings = rebuild_grid_with_warnings(lines)
    assert grid[0] == ["项目", "预算数", "项目", "合计", "一般公共预算", "政府性基金预算", "专项资金"]
    assert grid[1] == ["一、一般公共预算", "500", "一、教育支出", "300", "300", "", ""]
    assert grid[3] == ["", "", "三、节能环保支出", "50", "", "", "50"]  # 专项资金 50 closes the total
    assert warnings == []


def test_synthetic_rounded_table_in_ten_thousands():
    lines = ["项目 合计 基本支出 项目支出", "201 一般公共服务支出 3.34 3.34", "20101 人大事务 1.11 1.11",
             "20102 政协事务 2.22 2.22", "合计 3.34 3.34"]
    grid, warnings = rebuild_grid_with_warnings(lines)
    assert row(grid, "20101")[2:] == ["1.11", "", ""]  # 基本 or 项目: nothing says which
    assert any("within rounding" in w for w in warnings)
    grid, warnings = rebuild_grid_with_warnings(lines, [("基本支出", Decimal("3.34"), Decimal("0.005"), None)])
    assert row(grid, "20101")[2:] == ["1.11", "1.11", ""] and row(grid, "20102")[2:] == ["2.22", "2.22", ""]


def test_synthetic_scattered_header_and_wrapped_name():
    # Another text-layer layout: cells spanning rows print at their vertical middle, so the
    # heading lines come out of order, and a long subject name wraps around its code line.
    grid, warnings = rebuild_grid_with_warnings([
        "2025年“三公”经费预算数", "2025年机关运行经", "公务用车购置及运行费", "费预算数",
        "合计 因公出国(境)费 公务接待费", "小计 购置费 运行费", "12.50 1.00 2.50 9.00 4.00 5.00 80.00"])
    assert grid[:3] == [
        ["2025年“三公”经费预算数", "", "", "", "", "", "2025年机关运行经费预算数"],
        ["合计", "因公出国(境)费", "公务接待费", "公务用车购置及运行费", "", "", ""],
        ["", "", "", "小计", "购置费", "运行费", ""],
    ]
    assert warnings == []
    grid, warnings = rebuild_grid_with_warnings([
        "项目 支出预算", "功能分类科目编码", "功能分类科目名称 合计 基本支出 项目支出", "类 款 项",
        "215 资源勘探工业信息等支出 80 20 60", "215 01 资源勘探开发 80 20 60",
        "其他资源勘探业", "215 01 99 60 60", "支出", "215 01 01 行政运行 20 20", "合计 80 20 60"])
    assert row(grid, "2150199") == ["2150199", "其他资源勘探业支出", "60", "", "60"]
    assert row(grid, "2150101")[2:] == ["20", "20", ""]
    assert len(split(grid)[1]) == 5 and warnings == []
