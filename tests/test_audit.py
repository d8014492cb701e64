"""Issue 7: `budgetqa audit` — consistency findings, each checked by hand.

tests/golden/audit.yaml lists, for the seed, every real complete PDF and the ERRORS-INJECTED copy
of the finance bureau's 2024 决算, every finding the audit produces, with a hand verdict and what
the page prints. The audit must produce exactly those findings. Small built documents check each
rule fires on a planted inconsistency and stays silent on a consistent one.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from app.audit import RULES, audit, audit_report
from app.audit.precision import document_path, load_verdicts, precision
from ingest.model import Cell, CatalogueEntry, Column, Disclosure, Paragraph, Row, Section, Table
from ingest.narrative import narrative_facts
from tests.conftest import CORPUS, SAMPLE, corpus_file, parsed_corpus_file

GOLDEN = Path(__file__).parent / "golden" / "audit.yaml"
_CORPUS, VERDICTS = load_verdicts(GOLDEN)
INJECTED = "shanghai-putuo-finance-bureau-2024-final-ERRORS-INJECTED.pdf"
ORIGINAL = "shanghai-putuo-finance-bureau-2024-final.pdf"


def _doc(name: str):
    if name.endswith(".pdf"):
        return parsed_corpus_file(name)
    from ingest.pipeline import parse_file

    return parse_file(SAMPLE if name == SAMPLE.name else document_path(_CORPUS, {"file": name}, GOLDEN))


def _found(doc) -> set[tuple[str, str]]:
    return {(f.rule, f.message) for f in audit(doc)}


# --- the hand-checked findings ------------------------------------------------------------------


def test_verdicts_cover_every_real_complete_pdf_and_the_seed():
    files = {Path(e["file"]).name for e in VERDICTS}
    real = {p.name for p in CORPUS.glob("shanghai-putuo-*.pdf")}
    assert real and real <= files, f"PDFs without audited findings: {real - files}"
    assert SAMPLE.name in files
    assert _CORPUS == CORPUS.resolve()
    for entry in VERDICTS:
        for f in entry["findings"]:
            assert f["rule"] in RULES and f["verdict"] in ("confirmed", "false_positive") and f["note"], f


@pytest.mark.parametrize("entry", VERDICTS, ids=lambda e: Path(e["file"]).stem.removeprefix("shanghai-putuo-"))
def test_findings_are_the_hand_checked_ones(entry):
    got = _found(_doc(entry["file"]))
    listed = {(f["rule"], f["message"]) for f in entry["findings"]}
    assert not got - listed, f"findings nobody checked: {sorted(got - listed)}"
    assert not listed - got, f"hand-checked findings no longer produced: {sorted(listed - got)}"


def test_seed_findings():
    """The two catalogue tables absent from the body and 7 projects against 5 target tables; no other error."""
    findings = audit(_doc(SAMPLE.name))
    errors = sorted((f.rule, f.message) for f in findings if f.severity == "error")
    assert [r for r, _ in errors] == ["C01", "C01", "C04"]
    assert "表二" in errors[0][1] and "表十三" in errors[1][1]
    assert "7个" in errors[2][1] and "5 张" in errors[2][1]
    c04 = next(f for f in findings if f.rule == "C04")
    assert {x.locator.table for x in c04.figures[1:]} == {"表十七", "表十七(2)", "表十七(3)", "表十七(4)", "表十七(5)"}


def test_commerce_commission_two_different_increases():
    for name in ("shanghai-putuo-commerce-commission-2025-dept-budget.pdf",
                 "shanghai-putuo-commerce-commission-2025-unit-budget.pdf"):
        (finding,) = [f for f in audit(parsed_corpus_file(name)) if f.rule == "B06"]
        assert "24,558.18万元" in finding.message and "24,491.71万元" in finding.message
        assert {x.locator.page for x in finding.figures} == {7}


def test_justice_bureau_compares_2026_with_2026():
    findings = [f for f in audit(parsed_corpus_file("shanghai-putuo-justice-bureau-2026-dept-budget.pdf"))
                if f.rule == "C02"]
    assert len(findings) == 3 and all("2026年" in f.message and "793.14" in f.message or "持平" in f.message
                                      for f in findings)
    assert all(x.locator.page == 8 for f in findings for x in f.figures)


def test_injected_errors_found_that_the_original_lacks():
    injected, original = _found(parsed_corpus_file(INJECTED)), _found(parsed_corpus_file(ORIGINAL))
    new = sorted(injected - original)
    assert [r for r, _ in new] == ["B01", "B03", "B04", "B04", "B04", "C01", "C02", "C02", "C03"]
    text = "\n".join(m for _, m in new)
    for planted in ("收入支出总计", "1560.05", "80.81", "62.29", "支出决算表", "2023年度部门决算情况说明",
                    "截至2023年12月31日", "XX"):
        assert planted in text, planted
    # the original's own slip ("财政拨款收入支出总计 0.3 万元") was corrected in the injected copy
    assert [r for r, m in original - injected] == ["B01"]


def test_precision_report_counts_verdicts():
    report = precision(GOLDEN, load=lambda path: _doc(path.name))
    assert not report.unjudged and not report.missing
    assert sum(c.produced for c in report.rules.values()) == sum(len(e["findings"]) for e in VERDICTS)
    for rule, count in report.rules.items():
        assert count.produced == count.confirmed + count.false_positive, rule


def test_precision_with_a_false_positive(tmp_path):
    verdicts = {"corpus": str(SAMPLE.parent), "documents": [{"file": SAMPLE.name, "findings": [
        {"rule": f.rule, "message": f.message, "verdict": "false_positive" if f.rule == "C04" else "confirmed",
         "note": "test"} for f in audit(_doc(SAMPLE.name))][:2] + [
        {"rule": "C04", "message": "不存在的发现", "verdict": "confirmed", "note": "test"}]}]}
    path = tmp_path / "v.yaml"
    path.write_text(yaml.safe_dump(verdicts, allow_unicode=True), encoding="utf-8")
    report = precision(path)
    assert report.rules["C01"].precision == 1.0 and report.rules["C01"].confirmed == 2
    assert report.rules["C04"].unjudged == 1 and report.rules["C04"].precision is None
    assert report.missing == [(SAMPLE.name, "C04", "不存在的发现")]


# --- the command line ----------------------------------------------------------------------------


def test_cli_audit_json(tmp_path, capsys):
    from app.cli import main

    home = tmp_path / "home"
    assert main(["ingest", "--home", str(home), str(SAMPLE)]) == 0
    capsys.readouterr()
    assert main(["audit", "--json", "--home", str(home)]) == 0
    data = json.loads(capsys.readouterr().out)
    (doc,) = data["documents"]
    assert set(doc) >= {"doc_id", "title", "findings"} and doc["title"].startswith("重庆市渝北区")
    assert [f["rule"] for f in doc["findings"]] == ["C01", "C01", "C04"]
    for f in doc["findings"]:
        assert set(f) == {"rule", "severity", "message", "figures"} and f["severity"] == "error"
        assert f["figures"] and all("locator" in x for x in f["figures"])
    assert main(["audit", "--home", str(home), doc["doc_id"][:6]]) == 0
    assert "表十三" in capsys.readouterr().out


def test_cli_audit_precision(capsys):
    from app.cli import main

    corpus_file(ORIGINAL)
    assert main(["audit", "--precision", str(GOLDEN), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["rules"]["C01"]["produced"] == 3 and data["rules"]["C01"]["precision"] == 1.0


# --- each rule on a built document ------------------------------------------------------------------


def _disclosure(tables=(), text: str = "", year=2024, kind="预算", catalogue=()) -> Disclosure:
    sections = [Section(heading="预算情况说明", number="一、", level=1, paragraphs=[Paragraph(text, page=3)])] if text else []
    d = Disclosure(doc_id="t", content_hash="t", source="t.txt", format="txt", title="测试", issuer="某局",
                   region=None, year=year, kind=kind, scope="部门", sections=sections, tables=list(tables),
                   catalogue=list(catalogue))
    d.narrative_facts = narrative_facts("t", sections, year)
    return d


def _grid(key: str, title: str, columns: list[tuple[str, ...]], rows: list[tuple[str, list]], **kw) -> Table:
    cols = [Column(index=i, path=p, unit="元") for i, p in enumerate(columns)]
    out = []
    for i, (name, values) in enumerate(rows):
        cells = [Cell(column=j, text=str(v), value=Decimal(str(v)), unit="元") for j, v in enumerate(values) if v is not None]
        out.append(Row(index=i, name=name, is_total=name in ("合计", "总计"), cells=cells, page=5))
    return Table(key=key, title=title, number=key, columns=cols, rows=out, page_start=5, **kw)


def _rules(d) -> list[str]:
    """The rules that fire, besides C05 (a built document explains none of the required parts)."""
    return [f.rule for f in audit(d) if f.rule != "C05"]


def test_a01_income_against_expenditure():
    income = _grid("1", "收支总表", [("预算数",)], [("收入总计", [100])], part="收入")
    spend = _grid("1", "收支总表", [("预算数",)], [("支出总计", [100])], part="支出")
    assert _rules(_disclosure([income, spend])) == []
    spend.rows[0].cells[0].value = Decimal("101")
    assert _rules(_disclosure([income, spend])) == ["A01"]


def test_a02_a03_column_totals():
    table = _grid("3", "支出预算总表", [("合计",), ("基本支出", "人员经费"), ("基本支出", "公用经费"), ("项目支出",)],
                  [("合计", [60, 20, 10, 30])])
    assert _rules(_disclosure([table])) == []
    table.rows[0].cells[3].value = Decimal("31")
    (finding,) = [f for f in audit(_disclosure([table])) if f.rule != "C05"]
    assert finding.rule == "A02" and "相差 -1.00 元" in finding.message and len(finding.figures) == 4
    basic = _grid("8", "基本支出预算表", [("基本支出", "合计"), ("基本支出", "人员经费"), ("基本支出", "公用经费")],
                  [("合计", [30, 20, 9])])
    assert _rules(_disclosure([basic])) == ["A03"]


def test_a04_sangong():
    cols = [("合计",), ("因公出国(境)费",), ("公务接待费",), ("公务用车购置及运行费", "小计"),
            ("公务用车购置及运行费", "购置费"), ("公务用车购置及运行费", "运行费"), ("机关运行经费预算数",)]
    table = _grid("9", "“三公”经费预算表", cols, [("", [10, 2, 3, 5, 1, 4, 999])])
    assert _rules(_disclosure([table])) == []
    table.rows[0].cells[5].value = Decimal("5")  # 购置费 1 + 运行费 5 ≠ 小计 5
    assert _rules(_disclosure([table])) == ["A04"]


def test_b01_narrative_amount_against_table():
    table = _grid("9", "“三公”经费预算表", [("合计",), ("公务接待费",)], [("", [50000, 50000])])
    ok = _disclosure([table], "2024年公务接待费预算5.00万元。")
    assert _rules(ok) == []
    bad = _disclosure([table], "2024年公务接待费预算5.20万元。")
    (finding,) = [f for f in audit(bad) if f.rule != "C05"]
    assert finding.rule == "B01" and "5.20万元" in finding.message and "50,000.00" in finding.message
    # 万元 to two decimals: 50 元 either way is the document's rounding, not an error
    assert _rules(_disclosure([_grid("9", "“三公”经费预算表", [("公务接待费",)], [("", [50049])])],
                              "2024年公务接待费预算5.00万元。")) == []


def test_b02_share_and_b03_change():
    assert _rules(_disclosure(text="2024年总支出200元，其中：基本支出50元占25%。")) == []
    assert _rules(_disclosure(text="2024年总支出200元，其中：基本支出50元占30%。")) == ["B02"]
    assert _rules(_disclosure(text="2024年公务接待费预算110元，较2023年增加10元，增长10.0%。")) == []
    assert _rules(_disclosure(text="2024年公务接待费预算110元，较2023年增加10元，增长11.0%。")) == ["B03"]


def test_b04_direction_words():
    ok = _disclosure(text="年初预算为10.00万元，支出决算为9.00万元。决算数小于预算数的主要原因：节约。", kind="决算")
    bad = _disclosure(text="年初预算为10.00万元，支出决算为9.00万元。决算数大于预算数的主要原因：节约。", kind="决算")
    assert "B04" not in _rules(ok) and "B04" in _rules(bad)
    # a rate against the prior year's 执行数: its direction word against the two figures
    said = "2023年当年预算执行数为100.00万元，2024年预算安排90.00万元，比2023年预算执行数{}10.00%。"
    assert _rules(_disclosure(text=said.format("减少"))) == []
    assert _rules(_disclosure(text=said.format("增加"))) == ["B04"]
    assert _rules(_disclosure(text=said.format("减少").replace("10.00%", "12.00%"))) == ["B03"]


def test_b05_empty_table_note():
    table = _grid("6", "政府性基金预算支出表", [("合计",)], [("合计", [0])], notes=["注：本部门无政府性基金预算，故本表为空表。"])
    assert _rules(_disclosure([table])) == []
    table.rows[0].cells[0].value = Decimal("5")
    assert _rules(_disclosure([table])) == ["B05"]


def test_b07_procurement():
    assert _rules(_disclosure(text="2024年度本部门政府采购预算10.00万元，其中：政府采购货物预算3.00万元、政府采购工程预算0万元、政府采购服务预算7.00万元。")) == []
    assert _rules(_disclosure(text="2024年度本部门政府采购预算10.00万元，其中：政府采购货物预算3.00万元、政府采购工程预算0.00万元、政府采购服务预算8.00万元。")) == ["B07"]


def test_c_rules():
    catalogue = [CatalogueEntry("表一", "收支总表", 1), CatalogueEntry("表二", "收入总表", 2)]
    table = _grid("表一", "收支总表", [("预算数",)], [("合计", [1])])
    assert _rules(_disclosure([table], catalogue=catalogue)) == ["C01"]
    assert _rules(_disclosure(text="2024年收入预算100元，比2024年预算增加10元。")) == ["C02"]
    assert _rules(_disclosure(text="2024年收入预算100元，比2023年预算增加10元。")) == []
    assert _rules(_disclosure(text="截至2023年12月31日，本部门共有车辆1辆。", kind="决算")) == ["C02"]
    assert _rules(_disclosure(text="截至2024年12月31日，本部门共有车辆1辆。", kind="决算")) == []
    assert _rules(_disclosure(text="上海市XX局2024年预算。")) == ["C03"]


def test_c05_required_parts():
    table = _grid("表一", "收支总表", [("预算数",)], [("合计", [1])])
    full = ("部门主要职能：外事。“三公”经费预算0元。机关运行经费0元。政府采购预算0元。国有资产占有使用情况：无。"
            "绩效目标设置情况：无。名词解释：略。")
    assert [f.rule for f in audit(_disclosure([table], full))] == []
    (finding,) = audit(_disclosure([table], full.replace("政府采购预算0元。", "")))
    assert finding.rule == "C05" and finding.severity == "warning" and "政府采购" in finding.message


def test_report_shape():
    report = audit_report([_disclosure(text="上海市XX局2024年预算。")])
    (doc,) = report["documents"]
    (finding,) = doc["findings"]
    assert finding["severity"] == "error" and finding["figures"][0]["locator"] == "第3页 · 一、预算情况说明"


def test_a06_summary_against_appropriation_summary():
    def pair(number, title, spend):
        income = _grid(number, title, [("预算数",)], [("一、一般公共预算", [spend]), ("二、事业收入", [None]),
                                                      ("收入总计", [spend])], part="收入")
        out = _grid(number, title, [("合计",)], [("一、公共安全支出", [spend]), ("支出总计", [spend])], part="支出")
        return income, out

    tables = [*pair("1", "2024年部门财务收支预算总表", 100), *pair("4", "2024年部门财政拨款收支预算总表", 100)]
    assert _rules(_disclosure(tables)) == []
    tables[3].rows[0].cells[0].value = Decimal("90")
    assert _rules(_disclosure(tables)) == ["A06"]
    # other income: the two tables cover different money, nothing to compare
    tables[0].rows[1].cells.append(Cell(column=0, text="10", value=Decimal("10"), unit="元"))
    assert _rules(_disclosure(tables)) == []


def test_b03_change_against_a_table_with_both_years():
    table = _grid("表十", "2024年“三公”经费支出预算表", [("2024年预算数", "合计"), ("2024年预算数", "公务接待费"),
                                                     ("2023年预算数", "合计"), ("2023年预算数", "公务接待费")],
                  [("", [5000, 5000, 20000, 20000])])
    assert _rules(_disclosure([table], "2024年公务接待费预算5,000元，较2023年减少15,000元。")) == []
    (finding,) = [f for f in audit(_disclosure([table], "2024年公务接待费预算5,000元，较2023年减少16,000元。")) if f.rule != "C05"]
    assert finding.rule == "B03" and "-15,000.00" in finding.message
    # the seed's changes all agree with its 表五 and 表十, which print both years
    assert not [f for f in audit(_doc(SAMPLE.name)) if f.rule == "B03"]


def test_a07_rate_column_of_the_seed():
    """The seed's 表五 prints 2024年预算比2023年预算增幅% (whole percent) beside both years: all agree."""
    import copy

    seed = _doc(SAMPLE.name)
    assert not [f for f in audit(seed) if f.rule == "A07"]
    planted = copy.deepcopy(seed)
    (table,) = [t for t in planted.tables if t.key == "表五"]
    row = next(r for r in table.rows if r.code == "2010301")
    rate = next(c for c in table.columns if c.unit == "%")
    row.cell(rate.index).value, row.cell(rate.index).text = Decimal("-9"), "-9"
    (finding,) = [f for f in audit(planted) if f.rule == "A07"]
    assert "-4.20%" in finding.message and finding.figures[0].locator.table == "表五"


def test_notes_for_a_figure_in_a_finding():
    from app.audit import notes_for
    from ingest.model import Locator

    table = _grid("3", "支出预算总表", [("合计",), ("基本支出",), ("项目支出",)], [("合计", [60, 20, 30])])
    findings = audit(_disclosure([table]))
    (note,) = notes_for(findings, Locator(page=5, table="3", row=0, column="基本支出"))
    assert "A02" in note and "相差 10.00 元" in note
    assert notes_for(findings, Locator(page=5, table="3", row=1, column="基本支出")) == []
