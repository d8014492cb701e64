"""Issue 3 acceptance: the 13 complete real PDFs (and the blank 决算 template) parse right.

Every expected figure below was read from the PDF independently of our parser: the page's raw
pdfplumber grid (`page.extract_tables()`) and its text layer (`page.extract_text(layout=True)`),
checked against each other and, where they disagree, against the rendered page. Each figure is
written exactly as the document prints it, with its page; a table printed in 万元 stores
value × 10000 元. Blank cells are written "" and must parse as no value. Tables are located by
their title as printed (the numbers 1…9 / 一…九 below are the document's catalogue numbers, used
only to pick the title), rows by subject code or name, columns by header path.

Known errors in the documents themselves are listed in DOCUMENT_ERRORS with where they are; the
sum check must report exactly those and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import pytest

from ingest.checks import sum_mismatches
from tests.conftest import (
    D, column_matches, corpus_file, locate_cell, parsed_corpus_file, squeeze, tables_titled,
)

WAN = "万元"
FACTOR = {"元": Decimal(1), WAN: Decimal(10000)}


@dataclass(frozen=True)
class Fig:
    page: int  # printed on this page of the PDF (1-based)
    table: int  # the table's catalogue number (1…9 / 一…九 as 1…9)
    row: str | None  # subject code or row name; None = the single row of a 三公 table
    column: str  # header path as printed (its last levels suffice)
    printed: str  # exactly as printed; "" = blank cell
    unit: str = "元"
    part: str | None = None  # side of a two-sided table: 收入 / 支出

    def expected(self) -> Decimal | None:
        return None if self.printed == "" else D(self.printed) * FACTOR[self.unit]


@dataclass
class Doc:
    file: str
    title: str  # as the cover prints it
    issuer: str
    year: int
    kind: str  # 预算 / 决算
    scope: str  # 部门 / 单位
    tables: list[str]  # the nine table titles as printed above each table, in catalogue order
    figures: list[Fig] = field(default_factory=list)


def budget_titles(year: int, scope: str, sangong: str | None = None) -> list[str]:
    who = "部门" if scope == "部门" else "预算单位"
    titles = [f"{year}年{who}{t}" for t in (
        "财务收支预算总表", "收入预算总表", "支出预算总表", "财政拨款收支预算总表",
        "一般公共预算支出功能分类预算表", "政府性基金预算支出功能分类预算表",
        "国有资本经营预算支出功能分类预算表", "一般公共预算基本支出部门预算经济分类预算表")]
    return titles + [sangong or f"{year}年{scope}“三公”经费和机关运行经费预算表"]


FINAL_TITLES = [
    "收入支出决算总表", "收入决算表", "支出决算表", "财政拨款收入支出决算总表",
    "一般公共预算财政拨款支出决算表", "一般公共预算财政拨款基本支出决算表",
    "财政拨款“三公”经费支出决算表", "政府性基金预算财政拨款收入支出决算表",
    "国有资本经营预算财政拨款收入支出决算表",
]
TWO_SIDED = {1, 4}  # 收支总表 print 收入 and 支出 side by side: parsed as two parts


def sangong(page: int, table: int, values: dict[str, str], unit: str = WAN) -> list[Fig]:
    return [Fig(page, table, None, column, printed, unit) for column, printed in values.items()]


def budget_sangong(page: int, total, abroad, reception, cars, buy, run, running_costs,
                   prefix: str = "") -> list[Fig]:
    """The budget 三公 table: one row in 万元 under 合计 / 因公出国(境)费 / 公务接待费 /
    公务用车购置及运行费(小计, 购置费, 运行费) / 机关运行经费预算数."""
    return sangong(page, 9, {
        "合计": total, "因公出国(境)费": abroad, "公务接待费": reception,
        "公务用车购置及运行费 › 小计": cars, "公务用车购置及运行费 › 购置费": buy,
        "公务用车购置及运行费 › 运行费": run, f"{prefix}机关运行经费预算数": running_costs,
    })


DOCS = [
    Doc("shanghai-putuo-justice-bureau-2026-dept-budget.pdf", "上海市普陀区2026年区级部门预算",
        "上海市普陀区司法局", 2026, "预算", "部门", budget_titles(2026, "部门"), [
            Fig(10, 1, "收入总计", "预算数", "96,282,213.44"),
            Fig(10, 1, "支出总计", "预算数", "96,282,213.44"),
            *budget_sangong(21, "10.81", "0", "0.83", "9.98", "0", "9.98", "217.83"),
            # table 2 prints amounts without thousands separators
            Fig(11, 2, "2040699", "收入预算 › 财政拨款收入", "38454900.00"),
            # table 3 runs p12–13; table 5 p15–16 (header repeated); table 8 p19–20
            Fig(13, 3, "2210203", "支出预算 › 合计", "2433600.00"),
            Fig(16, 5, "2210203", "一般公共预算支出 › 基本支出", "2433600.00"),
            Fig(16, 5, "合计", "一般公共预算支出 › 项目支出", "70540547.00"),
            Fig(20, 8, "30217", "一般公共预算基本支出 › 公用经费", "8265.00"),
            Fig(20, 8, "合计", "一般公共预算基本支出 › 人员经费", "23563342.00"),
        ]),
    Doc("shanghai-putuo-justice-bureau-2026-unit-budget.pdf", "上海市普陀区2026年区级单位预算",
        "上海市普陀区司法局", 2026, "预算", "单位", budget_titles(2026, "单位"), [
            Fig(8, 1, "收入总计", "预算数", "86,959,408.34"),
            Fig(8, 1, "支出总计", "预算数 › 合计", "86,959,408.34"),
            Fig(8, 1, "支出总计", "预算数 › 基本支出 › 人员经费", "20,374,181"),
            *budget_sangong(20, "10.71", "0.00", "0.73", "9.98", "0.00", "9.98", "184.59"),
            # table 2 runs p9–10 without its header repeated
            Fig(10, 2, "2210203", "收入预算 › 合计", "2,070,000.00"),
            # the document's own errors, stored as printed (see DOCUMENT_ERRORS)
            Fig(11, 3, "2040601", "支出预算 › 项目支出", "64,840,547.00"),
            Fig(12, 3, "合计", "支出预算 › 基本支出", "22,118,861"),
            Fig(15, 5, "2210203", "一般公共预算支出 › 项目支出", "0"),
            Fig(19, 8, "30228", "一般公共预算基本支出 › 合计", "227,810.34"),
            Fig(19, 8, "合计", "一般公共预算基本支出 › 公用经费", "1,845,880.34"),
        ]),
    Doc("shanghai-putuo-commerce-commission-2025-dept-budget.pdf", "上海市普陀区2025年区级部门预算",
        "上海市普陀区商务委员会", 2025, "预算", "部门", budget_titles(2025, "部门"), [
            Fig(9, 1, "收入总计", "预算数", "371,514,655.00"),
            Fig(9, 1, "支出总计", "预算数", "371,514,655.00"),
            Fig(9, 1, "五、资源勘探工业信息等支出", "预算数", "293,810,000.00"),
            # 三公 p21: only 合计 1.00, 公务接待费 1.00 and 171.01 are printed, the rest is blank
            *budget_sangong(21, "1.00", "", "1.00", "", "", "", "171.01"),
            Fig(11, 2, "合计", "收入预算 › 财政拨款收入", "371,514,655.00"),
            Fig(13, 3, "2169999", "支出预算 › 项目支出", "31,364,000.00"),
            Fig(16, 5, "2150899", "一般公共预算支出 › 项目支出", "293,810,000.00"),
            Fig(16, 5, "2210203", "一般公共预算支出 › 项目支出", ""),
            Fig(20, 8, "30217", "一般公共预算基本支出 › 公用经费", "10,000.00"),
            Fig(20, 8, "合计", "一般公共预算基本支出 › 人员经费", "18,120,593.00"),
        ]),
    Doc("shanghai-putuo-commerce-commission-2025-unit-budget.pdf", "上海市普陀区2025年区级单位预算",
        "上海市普陀区商务委员会", 2025, "预算", "单位", budget_titles(2025, "单位"), [
            Fig(9, 1, "收入总计", "预算数", "371,514,655.00"),
            Fig(9, 1, "支出总计", "预算数 › 合计", "371,514,655.00"),
            Fig(9, 1, "支出总计", "预算数 › 项目支出", "351,684,000.00"),
            Fig(9, 1, "一、一般公共服务支出", "预算数 › 基本支出 › 公用经费", "1,467,842.00"),
            *budget_sangong(21, "1.00", "", "1.00", "", "", "", "171.01"),
            Fig(11, 2, "2210203", "收入预算 › 合计", "1,488,000.00"),
            Fig(16, 5, "2150899", "一般公共预算支出 › 项目支出", "293,810,000.00"),
            Fig(20, 8, "31002", "一般公共预算基本支出 › 公用经费", "78,000.00"),
            Fig(20, 8, "合计", "一般公共预算基本支出 › 人员经费", "18,120,593.00"),
        ]),
    Doc("shanghai-putuo-district-gov-office-2025-dept-budget.pdf", "上海市普陀区2025年区级部门预算",
        "上海市普陀区人民政府办公室", 2025, "预算", "部门", budget_titles(2025, "部门"), [
            Fig(8, 1, "收入总计", "预算数", "91,016,775.35"),
            Fig(8, 1, "支出总计", "预算数", "91,016,775.35"),
            *budget_sangong(20, "867.50", "839.00", "28.50", "", "", "", "213.28"),
            Fig(11, 3, "2010301", "支出预算 › 项目支出", "110,000.00"),
            Fig(12, 3, "2210203", "支出预算 › 合计", "1,867,680.00"),
            Fig(15, 5, "2101102", "一般公共预算支出 › 基本支出", "314,218.15"),
            Fig(19, 8, "30217", "一般公共预算基本支出 › 公用经费", "185,000.00"),
            Fig(19, 8, "合计", "一般公共预算基本支出 › 人员经费", "22,473,997.81"),
        ]),
    Doc("shanghai-putuo-district-gov-office-2025-unit-budget.pdf", "上海市普陀区2025年区级单位预算",
        "上海市普陀区人民政府办公室", 2025, "预算", "单位", budget_titles(2025, "单位"), [
            Fig(8, 1, "收入总计", "预算数", "91,016,775.35"),
            Fig(8, 1, "支出总计", "预算数 › 合计", "91,016,775.35"),
            Fig(8, 1, "支出总计", "预算数 › 基本支出 › 人员经费", "22,473,997.81"),
            Fig(8, 1, "支出总计", "预算数 › 基本支出 › 公用经费", "2,132,777.54"),
            *budget_sangong(20, "867.50", "839.00", "28.50", "", "", "", "213.28"),
            Fig(10, 2, "2101102", "收入预算 › 财政拨款收入", "314,218.15"),
            Fig(15, 5, "合计", "一般公共预算支出 › 基本支出", "24,606,775.35"),
            Fig(19, 8, "30229", "一般公共预算基本支出 › 合计", "483,840.00"),
        ]),
    Doc("shanghai-putuo-finance-bureau-2024-final.pdf", "上海市普陀区财政局2024年度部门决算",
        "上海市普陀区财政局", 2024, "决算", "部门", FINAL_TITLES, [
            # every table of this document is printed in 万元
            Fig(6, 1, "本年收入合计", "决算数", "2,946.25", WAN, "收入"),
            Fig(6, 1, "本年支出合计", "决算数", "2,940.05", WAN, "支出"),
            # the table continues on p7 without title or header: two rows and the 总计 line
            Fig(7, 1, "总计", "决算数", "2,995.39", WAN, "收入"),
            Fig(7, 1, "年末结转和结余", "决算数", "55.34", WAN, "支出"),
            # the 合计 line shares its ruled row with the 类/款/项 header cells
            Fig(8, 2, "合计", "本年收入合计", "2,946.25", WAN),
            Fig(9, 2, "2210203", "本年收入合计", "258.50", WAN),
            Fig(10, 3, "2010601", "项目支出", "8.37", WAN),
            Fig(11, 3, "2080599", "基本支出", "0.94", WAN),
            Fig(12, 4, "一、一般公共服务支出", "一般公共预算财政拨款", "2,106.66", WAN, "支出"),
            Fig(13, 4, "总计", "合计", "2,961.68", WAN, "支出"),
            Fig(13, 4, "年初财政拨款结转和结余", "决算数", "21.63", WAN, "收入"),
            # table 6 is folded into two column blocks; 30239 sits in the right block of p17
            Fig(16, 6, "30101", "决算数", "262.33", WAN),
            Fig(17, 6, "30239", "决算数", "48.49", WAN),
            Fig(17, 6, "人员经费合计", "决算数", "2,152.26", WAN),
            Fig(17, 6, "公用经费合计", "决算数", "184.65", WAN),
            # 三公 p18: only 合计/预算数 0.95 and 公务接待费/预算数 0.95 are printed
            *sangong(18, 7, {
                "合计 › 预算数": "0.95", "合计 › 决算数": "",
                "因公出国（境）费 › 决算数": "", "公务用车购置及运行费 › 小计 › 决算数": "",
                "公务用车购置费 › 决算数": "", "公务用车运行费 › 决算数": "",
                "公务接待费 › 预算数": "0.95", "公务接待费 › 决算数": "",
            }),
        ]),
    Doc("shanghai-putuo-planning-resources-2024-final.pdf", "上海市普陀区规划和自然资源局2024年度部门决算",
        "上海市普陀区规划和自然资源局", 2024, "决算", "部门", FINAL_TITLES, [
            Fig(7, 1, "本年收入合计", "决算数", "9746.50", WAN, "收入"),
            Fig(7, 1, "本年支出合计", "决算数", "9759.38", WAN, "支出"),
            Fig(7, 1, "总计", "决算数", "9859.38", WAN, "收入"),
            Fig(7, 1, "十一、城乡社区支出", "决算数", "3845.25", WAN, "支出"),
            Fig(8, 2, "合计", "本年收入合计", "9746.50", WAN),
            Fig(9, 2, "2200150", "财政拨款收入", "4416.67", WAN),
            Fig(10, 3, "合计", "基本支出", "5377.64", WAN),
            Fig(11, 3, "2120101", "项目支出", "8.77", WAN),
            Fig(13, 4, "本年支出合计", "一般公共预算财政拨款", "9746.50", WAN, "支出"),
            Fig(15, 5, "2210203", "合计", "171.49", WAN),
            Fig(15, 5, "合计", "基本支出", "5364.75", WAN),
            Fig(16, 6, "30217", "决算数", "0.39", WAN),
            Fig(16, 6, "人员经费合计", "决算数", "4884.09", WAN),
            *sangong(17, 7, {
                "合计 › 预算数": "2.85", "合计 › 决算数": "0.39",
                "因公出国（境）费 › 决算数": "0.00", "公务用车购置及运行维护费 › 小计 › 决算数": "0.00",
                "公务用车购置费 › 决算数": "0.00", "公务用车运行维护费 › 决算数": "0.00",
                "公务接待费 › 预算数": "2.85", "公务接待费 › 决算数": "0.39",
            }),
        ]),
    Doc("shanghai-putuo-social-work-dept-2024-final.pdf", "中共上海市普陀区委社会工作部2024年度部门决算",
        "中共上海市普陀区委社会工作部", 2024, "决算", "部门", FINAL_TITLES, [
            Fig(5, 1, "本年收入合计", "决算数", "307.82", WAN, "收入"),
            Fig(5, 1, "本年支出合计", "决算数", "307.82", WAN, "支出"),
            Fig(5, 1, "一、一般公共服务支出", "决算数", "264.87", WAN, "支出"),
            Fig(7, 2, "2210203", "本年收入合计", "11.72", WAN),
            Fig(8, 3, "合计", "基本支出", "105.58", WAN),
            Fig(8, 3, "2013999", "项目支出", "202.24", WAN),
            Fig(9, 3, "2101102", "基本支出", "0.49", WAN),
            Fig(10, 4, "一、一般公共服务支出", "一般公共预算财政拨款", "264.87", WAN, "支出"),
            Fig(12, 5, "合计", "项目支出", "202.24", WAN),
            Fig(13, 6, "30239", "决算数", "2.43", WAN),
            Fig(13, 6, "人员经费合计", "决算数", "95.36", WAN),
            # its 三公 table (p14) is printed empty: see test_empty_sangong_table
        ]),
    Doc("shanghai-putuo-social-welfare-home-2024-unit-budget.pdf", "上海市普陀区社会福利院2024年单位预算",
        "上海市普陀区社会福利院", 2024, "预算", "单位",
        budget_titles(2024, "单位", sangong="单位“三公”经费和机关运行经费预算表"), [
            Fig(7, 1, "收入总计", "预算数", "12,121,164"),
            Fig(7, 1, "二、事业收入", "预算数", "2,620,000"),
            Fig(7, 1, "支出总计", "预算数 › 合计", "12,121,164"),
            Fig(7, 1, "支出总计", "预算数 › 项目支出", "2,620,000"),
            *budget_sangong(15, "6.4", "0", "0", "6.4", "", "6.4", "0", prefix="2024年"),
            Fig(8, 2, "2081005", "收入预算 › 事业收入", "2,620,000"),
            # the document prints this row's 类 code as "7" (not 210) in tables 3 and 5, p9 and p11;
            # the name cell is still 事业单位医疗
            Fig(9, 3, "事业单位医疗", "支出预算 › 合计", "503,724"),
            Fig(14, 8, "30209", "一般公共预算基本支出 › 公用经费", "1,206,000"),
            Fig(14, 8, "合计", "一般公共预算基本支出 › 人员经费", "7,380,214"),
            # no table of this document continues across pages
        ]),
    Doc("shanghai-putuo-wanli-subdistrict-2023-dept-budget.pdf", "上海市普陀区2023年区级部门预算",
        "上海市普陀区人民政府万里街道办事处", 2023, "预算", "部门",
        budget_titles(2023, "部门", sangong="2023年部门“三公”经费和机关运行经费预算表"), [
            Fig(10, 1, "收入总计", "预算数", "164,978,640"),
            Fig(10, 1, "支出总计", "预算数", "164,978,640"),
            Fig(10, 1, "七、城乡社区支出", "预算数", "121,319,878"),
            *budget_sangong(28, "22.91", "0", "1.35", "21.56", "0", "21.56", "786.09", prefix="2023年"),
            Fig(14, 2, "合计", "收入预算 › 合计", "164,978,640"),
            Fig(17, 3, "2120101", "支出预算 › 基本支出", "18,373,632"),
            # table 5 runs over four pages, p20–23
            Fig(21, 5, "20406", "一般公共预算支出 › 合计", "150,000"),
            Fig(23, 5, "2120199", "一般公共预算支出 › 基本支出", "46,161,905"),
            Fig(27, 8, "30231", "一般公共预算基本支出 › 公用经费", "215,600"),
            Fig(27, 8, "合计", "一般公共预算基本支出 › 人员经费", "84,024,865"),
        ]),
    Doc("shanghai-putuo-wanli-subdistrict-2024-dept-budget.pdf", "上海市普陀区2024年区级部门预算",
        "上海市普陀区人民政府万里街道办事处", 2024, "预算", "部门",
        budget_titles(2024, "部门", sangong="部门“三公”经费和机关运行经费预算表"), [
            Fig(10, 1, "收入总计", "预算数", "156,211,123"),
            Fig(10, 1, "支出总计", "预算数", "156,211,123"),
            *budget_sangong(31, "47.91", "0", "1.35", "46.56", "25", "21.56", "443.18", prefix="2024年"),
            # tables 2 and 3 each end with a lone 合计 row on a page of its own (p15, p20)
            Fig(15, 2, "合计", "收入预算 › 合计", "156,211,123"),
            Fig(19, 3, "2120101", "支出预算 › 项目支出", "250,000"),
            Fig(20, 3, "合计", "支出预算 › 项目支出", "56,505,103"),
            Fig(26, 5, "2210203", "一般公共预算支出 › 基本支出", "3,201,700"),
            # code printed "301 | 2" (款 without its leading zero)
            Fig(29, 8, "30102", "一般公共预算基本支出 › 人员经费", "16,623,810"),
            Fig(30, 8, "30231", "一般公共预算基本支出 › 公用经费", "215,600"),
            Fig(30, 8, "合计", "一般公共预算基本支出 › 人员经费", "88,537,451"),
        ]),
    Doc("shanghai-putuo-wanli-subdistrict-2025-dept-budget.pdf", "上海市普陀区2025年区级部门预算",
        "上海市普陀区人民政府万里街道办事处", 2025, "预算", "部门", budget_titles(2025, "部门"), [
            Fig(9, 1, "收入总计", "预算数", "189,767,551"),
            Fig(9, 1, "支出总计", "预算数", "189,767,551"),
            *budget_sangong(29, "37.91", "0", "1.35", "36.56", "15", "21.56", "464.64"),
            # the document's own error, stored as printed (see DOCUMENT_ERRORS)
            Fig(12, 2, "21201", "收入预算 › 合计", "94,995,790"),
            Fig(17, 3, "2120199", "支出预算 › 基本支出", "53,121,126"),
            Fig(18, 3, "合计", "支出预算 › 基本支出", "101,341,746"),  # lone 合计 on p18
            Fig(24, 5, "2210203", "一般公共预算支出 › 合计", "3,340,800"),
            Fig(28, 8, "30231", "一般公共预算基本支出 › 公用经费", "215,600"),
            Fig(28, 8, "合计", "一般公共预算基本支出 › 人员经费", "90,514,044"),
        ]),
]
BY_FILE = {d.file: d for d in DOCS}


def _short(file: str) -> str:
    return file.removeprefix("shanghai-putuo-").removesuffix(".pdf")


def doc_of(spec: Doc):
    return parsed_corpus_file(spec.file)


# --- metadata, tables ---------------------------------------------------------------------------


def test_the_thirteen_complete_pdfs():
    real = sorted(p.name for p in corpus_file("SOURCES.md").parent.glob("shanghai-putuo-*.pdf")
                  if "ERRORS-INJECTED" not in p.name)
    assert sorted(BY_FILE) == real and len(real) == 13


@pytest.mark.parametrize("spec", DOCS, ids=lambda d: _short(d.file))
def test_metadata(spec):
    doc = doc_of(spec)
    assert doc.format == "pdf"
    assert (squeeze(doc.title), doc.issuer, doc.year, doc.kind, doc.scope) == \
        (squeeze(spec.title), spec.issuer, spec.year, spec.kind, spec.scope)


@pytest.mark.parametrize("spec", DOCS, ids=lambda d: _short(d.file))
def test_all_tables_found_and_titled(spec):
    doc = doc_of(spec)
    assert all(squeeze(t.title) for t in doc.tables)
    assert not [w for w in doc.warnings if "未找到" in w], "catalogue entries not found in the body"
    for ordinal, title in enumerate(spec.tables, 1):
        found = tables_titled(doc, title)
        assert found, f"table {ordinal} “{title}” not found: {[t.title for t in doc.tables]}"
        if ordinal in TWO_SIDED:
            assert len(found) == 2 and all(t.part for t in found), \
                f"“{title}” should be its 收入 and 支出 sides: {[(t.key, t.part) for t in found]}"
        else:
            assert len(found) == 1, f"“{title}” is one table, parsed as {[(t.key, t.part) for t in found]}"
    assert len({squeeze(t.title) for t in doc.tables} & {squeeze(t) for t in spec.tables}) >= 9


@pytest.mark.parametrize("spec", DOCS, ids=lambda d: _short(d.file))
def test_tables_carry_their_catalogue_numbers(spec):
    """The body prints the titles unnumbered; the catalogue numbers them 1.…9. or 一、…九、."""
    doc = doc_of(spec)
    numbers = [str(n) for n in range(1, 10)] if spec.kind == "预算" else list("一二三四五六七八九")
    for number, title in zip(numbers, spec.tables):
        assert {t.number for t in tables_titled(doc, title)} == {number}, title


def test_nothing_skipped_on_ingest(tmp_path):
    from app.library import ingest_paths
    from index.facts import FactStore

    report = ingest_paths([corpus_file(d.file) for d in DOCS], FactStore(tmp_path / "home"))
    assert report.skipped == []
    got = {d.path.rsplit("/", 1)[-1]: (d.issuer, d.year, d.kind, d.scope, d.tables >= 9) for d in report.documents}
    assert got == {d.file: (d.issuer, d.year, d.kind, d.scope, True) for d in DOCS}


# --- figures -----------------------------------------------------------------------------------


FIGURES = [(spec, fig) for spec in DOCS for fig in spec.figures]


def _fig_id(item) -> str:
    """ASCII ids (pytest escapes CJK): document, page, table number, subject code or figure index."""
    spec, fig = item
    what = fig.row if fig.row and fig.row.isdigit() else f"fig{spec.figures.index(fig)}"
    return f"{_short(spec.file)}-p{fig.page}-t{fig.table}-{what}"


def test_figures_cover_each_document():
    for spec in DOCS:
        pages = {f.page for f in spec.figures}
        assert len(spec.figures) >= 5 and len(pages) >= 4, spec.file


@pytest.mark.parametrize("item", FIGURES, ids=[_fig_id(i) for i in FIGURES])
def test_figure(item):
    spec, fig = item
    doc = doc_of(spec)
    title = spec.tables[fig.table - 1]
    table, row, cell = locate_cell(doc, title, fig.row, fig.column, fig.part)
    got = None if cell is None else cell.value
    assert got == fig.expected(), (
        f"{spec.file} p{fig.page} “{title}” row {fig.row or '(only row)'} column {fig.column}: "
        f"printed {fig.printed or '(blank)'} {fig.unit}, parsed {got} 元 (cell text {cell.text if cell else None!r})")
    assert table.unit == fig.unit
    assert row.page == fig.page, f"row {row.name!r} located on page {row.page}, printed on page {fig.page}"


def test_empty_sangong_table():
    """中共上海市普陀区委社会工作部 prints its 三公 table (p14) with headers only, and says why."""
    doc = parsed_corpus_file("shanghai-putuo-social-work-dept-2024-final.pdf")
    (table,) = tables_titled(doc, "财政拨款“三公”经费支出决算表")
    assert table.is_empty and table.unit == WAN and table.page_start == 14
    assert any("没有财政拨款“三公”经费支出" in n for n in table.notes)
    for wanted in ("合计 › 预算数", "合计 › 决算数", "因公出国（境）费 › 决算数",
                   "公务用车购置及运行维护费 › 小计 › 决算数", "公务接待费 › 决算数"):
        assert [c for c in table.columns if column_matches(c.label, wanted)], wanted


# --- the sum check -----------------------------------------------------------------------------

# Each entry: (table number, parent or 合计 row, column, stated, computed), checked by hand on the page.
DOCUMENT_ERRORS = {
    "shanghai-putuo-justice-bureau-2026-unit-budget.pdf": [
        # p11 (table 3) and p14 (table 5): row 2040601 行政运行 prints 14,348,853.34 | 14,348,853.34 |
        # 64,840,547.00 — its 项目支出 cell repeats the 204/20406 project total (should be 0.00), so
        # 20406 司法's children add to twice the stated 64,840,547.00.
        (3, "20406 司法", "支出预算 › 项目支出", "64,840,547.00", "129,681,094.00"),
        (5, "20406 司法", "一般公共预算支出 › 项目支出", "64,840,547.00", "129,681,094.00"),
        # p12 and p15: 合计 基本支出 prints 22,118,861 where the 类 rows add to 22,118,861.34
        # (14,348,853.34 + 2,925,857.00 + 982,692.00 + 3,861,459.00).
        (3, "合计", "支出预算 › 基本支出", "22,118,861", "22,118,861.34"),
        (5, "合计", "一般公共预算支出 › 基本支出", "22,118,861", "22,118,861.34"),
    ],
    "shanghai-putuo-wanli-subdistrict-2025-dept-budget.pdf": [
        # 21201 城乡社区管理事务 prints 94,995,790 (table 2 p12, table 3 p17, table 5 p23) where its
        # 项 rows add to 94,995,789 (17,887,739 + 17,464,243 + 6,522,681 + 53,121,126); its own
        # 基本支出 77,381,546 + 项目支出 17,614,243 also make 94,995,789. So 212 城乡社区支出, printed
        # 154,369,326 (= the true sum), disagrees with its 款 rows as printed (154,369,327).
        (2, "21201 城乡社区管理事务", "收入预算 › 合计", "94,995,790", "94,995,789"),
        (2, "21201 城乡社区管理事务", "收入预算 › 财政拨款收入", "94,995,790", "94,995,789"),
        (2, "212 城乡社区支出", "收入预算 › 合计", "154,369,326", "154,369,327"),
        (2, "212 城乡社区支出", "收入预算 › 财政拨款收入", "154,369,326", "154,369,327"),
        (3, "21201 城乡社区管理事务", "支出预算 › 合计", "94,995,790", "94,995,789"),
        (3, "212 城乡社区支出", "支出预算 › 合计", "154,369,326", "154,369,327"),
        (5, "21201 城乡社区管理事务", "一般公共预算支出 › 合计", "94,995,790", "94,995,789"),
        (5, "212 城乡社区支出", "一般公共预算支出 › 合计", "154,369,326", "154,369,327"),
    ],
}


@pytest.mark.parametrize("spec", DOCS, ids=lambda d: _short(d.file))
def test_sum_check_reports_only_document_errors(spec):
    doc = doc_of(spec)
    coded = [t for t in doc.tables if any(r.code for r in t.rows)]
    assert len(coded) >= 4  # the 收入, 支出, 一般公共预算支出 and 基本支出 tables
    reported = []
    for table in doc.tables:  # every table: sum_mismatches skips what it cannot check
        for m in sum_mismatches(table):
            reported.append((squeeze(table.title), squeeze(m.row), squeeze(m.column), m.stated, m.computed))
    expected = []
    for number, row, column, stated, computed in DOCUMENT_ERRORS.get(spec.file, []):
        title = spec.tables[number - 1]
        hits = [r for r in reported if r[0] == squeeze(title) and r[1] == squeeze(row)
                and column_matches(r[2], column)]
        expected.append((squeeze(title), squeeze(row), hits[0][2] if hits else squeeze(column),
                         D(stated), D(computed)))
    unexplained = [r for r in reported if r not in expected]
    missing = [e for e in expected if e not in reported]
    assert not unexplained, f"mismatches that are not known document errors (parser defects?): {unexplained}"
    assert not missing, f"known document errors the sum check did not report: {missing}"


# --- the same department over three years ------------------------------------------------------

WANLI = {year: BY_FILE[f"shanghai-putuo-wanli-subdistrict-{year}-dept-budget.pdf"] for year in (2023, 2024, 2025)}


def _figure(year: int, row, column: str, table: int = 9) -> Decimal | None:
    spec = WANLI[year]
    _, _, cell = locate_cell(doc_of(spec), spec.tables[table - 1], row, column)
    return None if cell is None else cell.value


def test_wanli_three_years_line_up():
    """Each year's narrative compares with the year before; the parsed tables must agree with it."""
    assert {WANLI[y].issuer for y in WANLI} == {"上海市普陀区人民政府万里街道办事处"}
    assert [doc_of(WANLI[y]).year for y in WANLI] == [2023, 2024, 2025]
    sangong = {y: _figure(y, None, "合计") for y in WANLI}
    buy = {y: _figure(y, None, "公务用车购置及运行费 › 购置费") for y in WANLI}
    run = {y: _figure(y, None, "公务用车购置及运行费 › 运行费") for y in WANLI}
    # 2024 p32: 三公 47.91万元，比2023年预算增加25万元; 2025 p30: 37.91万元，比2024年预算减少10万元
    assert sangong[2024] - sangong[2023] == D("250000")
    assert sangong[2025] - sangong[2024] == D("-100000")
    assert buy[2025] - buy[2024] == D("-100000")  # 公务用车购置费15万元，比2024年预算减少10万元
    assert run[2023] == run[2024] == run[2025] == D("215600")  # 运行费21.56万元, 持平
    revenue = {y: _figure(y, "收入总计", "预算数", table=1) for y in WANLI}
    # 2024 p6: 收入预算15621.11万元 … 比2023年预算减少876.75万元; 2025 p6: 18,976.76万元 … 增加3,355.65万元
    # (the narrative subtracts the rounded 万元 figures, hence the 0.01 allowance)
    assert abs((revenue[2024] - revenue[2023]) / 10000 - D("-876.75")) <= D("0.01")
    assert abs((revenue[2025] - revenue[2024]) / 10000 - D("3355.65")) <= D("0.01")


# --- the blank 决算 template ---------------------------------------------------------------------

TEMPLATE = "template-dept-final-accounts-attachment2.pdf"
# table number → (header paths that must be columns, row codes or names that must be rows)
TEMPLATE_STRUCTURE = {
    1: (["决算数"], ["一、一般公共预算财政拨款收入", "本年收入合计", "十九、住房保障支出", "本年支出合计", "总计"]),
    2: (["本年收入合计", "财政拨款收入", "上级补助收入", "事业收入", "经营收入", "附属单位上缴收入", "其他收入"],
        ["合计", "205", "20502", "2050205", "207", "20799"]),
    3: (["本年支出合计", "基本支出", "项目支出", "上缴上级支出", "经营支出", "对附属单位补助支出"],
        ["合计", "205", "20502", "2050205", "207", "20799"]),
    4: (["决算数", "合计", "一般公共预算财政拨款", "政府性基金预算财政拨款", "国有资本经营预算财政拨款"],
        ["一、一般公共预算财政拨款", "本年收入合计", "本年支出合计", "年初财政拨款结转和结余", "总计"]),
    5: (["合计", "基本支出", "项目支出"], ["205", "20502", "2050205", "207", "20799", "合计"]),
    6: (["决算数"], ["301", "30101", "30399", "302", "30299", "310", "31099", "人员经费合计", "公用经费合计"]),
    7: (["合计 › 预算数", "合计 › 决算数", "因公出国（境）费 › 预算数", "因公出国（境）费 › 决算数",
         "公务用车购置及运行维护费 › 小计 › 预算数", "公务用车购置费 › 决算数", "公务用车运行维护费 › 决算数",
         "公务接待费 › 预算数", "公务接待费 › 决算数"], []),
    8: (["年初结转和结余", "本年收入", "本年支出 › 合计", "本年支出 › 基本支出", "本年支出 › 项目支出",
         "年末结转和结余"], ["合计"]),
    9: (["年初结转和结余", "本年收入", "本年支出 › 合计", "本年支出 › 基本支出", "本年支出 › 项目支出",
         "年末结转和结余"], ["合计"]),
}


def test_blank_template_has_no_values():
    doc = parsed_corpus_file(TEMPLATE)
    assert (doc.year, doc.kind, doc.scope) == (2024, "决算", "部门")
    assert all(t.is_empty for t in doc.tables)
    assert not [m for t in doc.tables for m in sum_mismatches(t)]
    assert [t for t in doc.tables if "部门决算单位构成" in t.title], "the 单位构成 table (p4) keeps its heading"


@pytest.mark.parametrize("number", sorted(TEMPLATE_STRUCTURE))
def test_blank_template_table_structure(number):
    doc = parsed_corpus_file(TEMPLATE)
    title = FINAL_TITLES[number - 1]
    tables = tables_titled(doc, title)
    assert tables, f"“{title}” not found: {[t.title for t in doc.tables]}"
    if number in TWO_SIDED:
        assert len(tables) == 2 and {t.part for t in tables} == {"收入", "支出"}, [(t.key, t.part) for t in tables]
    else:
        assert len(tables) == 1, f"“{title}” is one table, parsed as {[(t.key, t.part) for t in tables]}"
    assert {t.unit for t in tables} == {WAN}
    columns, rows = TEMPLATE_STRUCTURE[number]
    labels = [c.label for t in tables for c in t.columns]
    missing = [c for c in columns if not any(column_matches(label, c) for label in labels)]
    assert not missing, f"columns {missing} not in {labels}"
    keys = {r.code for t in tables for r in t.rows} | {squeeze(r.name) for t in tables for r in t.rows}
    assert not [r for r in rows if r not in keys and squeeze(r) not in keys], f"rows missing from {keys}"
    if number == 4:
        assert (min(t.page_start for t in tables), max(t.page_end for t in tables)) == (8, 9)


def test_onlyoffice_figures_off_the_baseline_stay_in_their_sentence():
    """ONLYOFFICE prints the digits of a narrative line a few points below its text (p.21):
    read by baseline they end up after the line; read as the reader sees them, in place."""
    doc = parsed_corpus_file("shanghai-putuo-finance-bureau-2024-final.pdf")
    paragraphs = [p.text for s in doc.sections for sec in s.walk() for p in sec.paragraphs]
    assert any("上海市普陀区财政局2024年度收入支出总计2995.39万元。与2023年度相比" in p for p in paragraphs)
    totals = [f for f in doc.narrative_facts if f.text == "2995.39万元"]
    assert totals and totals[0].value == Decimal("29953900") and totals[0].year == 2024
    # and the quotes of “三公” printed on their own baseline come back around the word
    assert any(t.title == "财政拨款“三公”经费支出决算表" for t in doc.tables)
