"""The twelve Jiangsu files (another province's layout, read by nobody here before issue 12).

Eight disclosures: four issuers publish the narrative and the tables as two PDFs, joined into one.
Every figure below was read off the printed page (pypdfium2 text layer), not from the parser: four
from the tables (the 万元 三公 table's 合计 and 公务接待费, the income side 收入合计 of the 收支总表
and of the 财政拨款收支总表), one coded row (行政运行) of the 一般公共预算支出表, one from the narrative.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from ingest.metadata import issuer_key, is_organisation_name
from ingest.parts import join_parts
from ingest.pipeline import parse_file
from tests.conftest import corpus_file

WAN = Decimal(10000)

# disclosure → (files, issuer key, year, {figure: (printed 万元, page printed on)})
JIANGSU = {
    "cppcc-2017": (["jiangsu-cppcc-office-2017-dept-budget-text.pdf", "jiangsu-cppcc-office-2017-dept-budget-tables.pdf"],
                   "江苏省政协办公厅", 2017,
                   {"sangong_total": "1,852.32", "reception": "443.50", "income_total": "9,146.79", "grant_income_total": "9,066.79",
                    "coded": ("2010201", "3,233.03"), "narrative_reception": "443.50"}),
    "cppcc-2018": (["jiangsu-cppcc-office-2018-dept-budget-text.pdf", "jiangsu-cppcc-office-2018-dept-budget-tables.pdf"],
                   "江苏省政协办公厅", 2018,
                   {"sangong_total": "1,656.86", "reception": "412.50", "income_total": "10,150.48", "grant_income_total": "10,070.48",
                    "coded": ("2010201", "4,432.78"), "narrative_reception": "412.50"}),
    "party-2017": (["jiangsu-party-committee-office-2017-dept-budget-text.pdf",
                    "jiangsu-party-committee-office-2017-dept-budget-tables.pdf"],
                   "江苏省委办公厅", 2017,
                   {"sangong_total": "1,467.70", "reception": "28.00", "income_total": "20,849.45", "grant_income_total": "20,702.25",
                    "coded": ("2013101", "6,106.99"), "narrative_reception": "28"}),
    "party-2018": (["jiangsu-party-committee-office-2018-dept-budget-text.pdf",
                    "jiangsu-party-committee-office-2018-dept-budget-tables.pdf"],
                   "江苏省委办公厅", 2018,
                   {"sangong_total": "1,471.70", "reception": "27.00", "income_total": "24,458.43", "grant_income_total": "24,458.43",
                    "coded": ("2013101", "8,072.29"), "narrative_reception": "27"}),
    "npc-2017": (["jiangsu-npc-standing-committee-office-2017-dept-budget.pdf"], "江苏省人大常委会办公厅", 2017,
                 {"sangong_total": "2,542.60", "reception": "427.50", "income_total": "13,649.07", "grant_income_total": "13,649.07",
                  "coded": ("2010101", "4,545.94"), "narrative_reception": "427.5"}),
    "npc-2018": (["jiangsu-npc-standing-committee-office-2018-dept-budget.pdf"], "江苏省人大常委会办公厅", 2018,
                 {"sangong_total": "2542.60", "reception": "427.50", "income_total": "15897.44", "grant_income_total": "15897.44",
                  "coded": ("2010101", "6,372.32"), "narrative_reception": "427.5"}),
    "procuratorate-2017": (["jiangsu-procuratorate-2017-dept-budget.pdf"], "江苏省人民检察院", 2017,
                           {"sangong_total": "1,452.35", "reception": "156.55", "income_total": "17,996.68", "grant_income_total": "17,981.68",
                            "coded": ("2040401", "7,968.14"), "narrative_reception": "156.55"}),
    "high-court-2017": (["jiangsu-high-court-2017-dept-budget.pdf"], "江苏省高级人民法院", 2017,
                        {"sangong_total": "2,599.37", "reception": "185.72", "income_total": "28,849.38", "grant_income_total": "28,849.38",
                         "coded": ("2040501", "11,786.92"), "narrative_reception": "185.72"}),
}


def wan(text: str) -> Decimal:
    return Decimal(text.replace(",", "")) * WAN


# Known defects, kept visible (strict: they fail loudly once fixed):
OFF_PAGE = pytest.mark.xfail(strict=True, reason="p11 of the NPC 2017 file holds text below the page edge; the "
                             "PDF layer reads it as a duplicate table (off-page characters are the PDF layer's to drop)")
NARROW_CONTINUATION = pytest.mark.xfail(strict=True, reason="the 收支总表 runs on to p9 in a grid of 6 columns "
                                        "instead of 8: the 收入合计 figure lands under the wrong column")


def _params(xfails):
    return [pytest.param(n, marks=xfails[n]) if n in xfails else n for n in JIANGSU]


@pytest.fixture(scope="module")
def disclosures():
    files = [f for files, *_ in JIANGSU.values() for f in files]
    return join_parts([parse_file(corpus_file(name)) for name in files])


def disclosure(disclosures, name):
    files = JIANGSU[name][0]
    held = [d for d in disclosures if set(d.files) & set(files)]
    assert len(held) == 1, f"{name}: {[d.files for d in held]}"
    return held[0]


def standard_table(doc, standard, part=None):
    tables = [t for t in doc.tables if t.standard == standard and (part is None or t.part == part)]
    assert tables, f"{doc.source}: no {standard} table in {[(t.key, t.standard) for t in doc.tables]}"
    return tables[0]


def test_twelve_files_are_eight_disclosures(disclosures):
    assert len(disclosures) == 8
    assert sorted(len(d.files) for d in disclosures) == [1, 1, 1, 1, 2, 2, 2, 2]


@pytest.mark.parametrize("name", JIANGSU)
def test_issuer_and_year(disclosures, name):
    doc = disclosure(disclosures, name)
    _, key, year, _ = JIANGSU[name]
    assert issuer_key(doc.issuer) == key and is_organisation_name(doc.issuer)
    assert (doc.year, doc.kind) == (year, "预算")


@pytest.mark.parametrize("name", _params({"npc-2017": OFF_PAGE}))
def test_every_table_titled_classified_and_in_wan(disclosures, name):
    doc = disclosure(disclosures, name)
    standards = {t.standard for t in doc.tables}
    assert None not in standards, [t.title for t in doc.tables if not t.standard]
    assert len(standards) == 12  # the pre-2019 Jiangsu template prints twelve tables
    assert all(t.title and t.unit == "万元" for t in doc.tables)
    if len(doc.files) == 2:  # every table comes from the tables part
        assert {t.file for t in doc.tables} == {JIANGSU[name][0][1]}


@pytest.mark.parametrize("name", JIANGSU)
def test_sangong_figures_in_wan(disclosures, name):
    figures = JIANGSU[name][3]
    table = standard_table(disclosure(disclosures, name), "budget_sangong")
    assert table.unit == "万元"
    values = [c for r in table.rows for c in r.cells if c.value is not None]
    total = next(c for c in values if table.column(c.column).path == ("合计",))
    # a header cell wrapped over two rows ("公务接" / "待费") still ends in 公务接待费
    reception = next(c for c in values if "".join(table.column(c.column).path).endswith("公务接待费"))
    assert total.value == wan(figures["sangong_total"])  # 1,852.32 万元 = 18,523,200 元
    assert reception.value == wan(figures["reception"])


@pytest.mark.parametrize("name", _params({"npc-2017": NARROW_CONTINUATION}))
def test_income_side_total_of_the_summary_table(disclosures, name):
    figures = JIANGSU[name][3]
    table = standard_table(disclosure(disclosures, name), "budget_income_expenditure_summary", part="收入")
    row = next(r for r in table.rows if r.name.replace(" ", "") in ("收入合计", "收入总计"))
    assert max((c.value for c in row.cells if c.value is not None), default=None) == wan(figures["income_total"])


@pytest.mark.parametrize("name", JIANGSU)
def test_income_side_total_of_the_fiscal_grant_summary(disclosures, name):
    figures = JIANGSU[name][3]
    table = standard_table(disclosure(disclosures, name), "budget_fiscal_grant_summary", part="收入")
    row = next(r for r in table.rows if r.name.replace(" ", "") in ("收入合计", "收入总计"))
    assert max(c.value for c in row.cells if c.value is not None) == wan(figures["grant_income_total"])


@pytest.mark.parametrize("name", JIANGSU)
def test_coded_row_of_the_general_public_expenditure_table(disclosures, name):
    code, printed = JIANGSU[name][3]["coded"]
    table = standard_table(disclosure(disclosures, name), "budget_general_public_expenditure")
    row = next(r for r in table.rows if r.code == code)
    assert row.name == "行政运行" and row.level == 3
    assert [c.value for c in row.cells if c.value is not None][0] == wan(printed)


@pytest.mark.parametrize("name", JIANGSU)
def test_a_figure_of_the_narrative_part_cites_its_file(disclosures, name):
    files, _, _, figures = JIANGSU[name]
    doc = disclosure(disclosures, name)
    wanted = wan(figures["narrative_reception"])
    found = [f for f in doc.narrative_facts if f.value == wanted and "公务接待费" in f.label_text]
    assert found, f"{name}: no narrative 公务接待费 {wanted}"
    if len(files) == 2:
        assert {f.locator.file for f in found} == {files[0]}
        assert files[0] in found[0].locator.describe()


def test_sangong_columns_carry_measures(disclosures):
    table = standard_table(disclosure(disclosures, "cppcc-2018"), "budget_sangong")
    assert "合计" in table.column(0).measures
