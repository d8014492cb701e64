"""Figures stated in running text → narrative Facts.

The sentences are copied from real disclosures: the seed (重庆市渝北区外办 2024 部门预算),
the 重庆市交通委员会 2018 HTML page, the 石泉路街道 2026 JSON page dump and the short
excerpts under shared/corpus/real. One test uses sentences written for this file, with
other subjects and figures, so the rules are not fitted to the seed alone.
"""

from __future__ import annotations

from decimal import Decimal

from ingest.model import Fact, Paragraph, Section
from ingest.narrative import narrative_facts, sentence_facts

SANGONG = (
    "2024年“三公”经费预算1,045,000元，较2023年减少1,020,000元。其中：因公出国（境）费用1,000,000元，"
    "较2023年减少1,000,000元，主要原因是按照过紧日子的要求，全区因公出国（境）经费预算减少100万元；"
    "公务接待费5,000元，较2023年减少15,000元，主要原因是按照过紧日子的要求，进一步细化压缩公务接待费预算，"
    "在实际支出中，将严格审核把关，坚持厉行节约的要求，确保完成预算数和支出数均不超上年度的目标；"
    "公务用车运行维护费40,000元，较2023年减少5,000元，主要原因是按照过紧日子的要求，降低公务用车运行维护费的"
    "预算标准；公务用车购置费0元，与上年持平。"
)
EXPENDITURE = (
    "2024年年初预算总支出2,375,070.89元，其中：一般公共服务支出2,134,018.9元占89.9%、社会保障和就业支出"
    "116,667.12元占4.9%、卫生健康支出55,011.31元占2.3%、住房保障支出69,373.56元占2.9%。支出较2023年减少"
    "1,040,413.36元，主要是基本支出预算减少40,413.36元，项目支出预算减少1,000,000元。"
)
ADMIN = (
    "(1) 一般公共服务支出（类）政府办公厅（室）及相关机构事务（款）行政运行（项）2024 年预算数为 869,018.9 元，"
    "较 2023 年减少 38,111.07 元，下降 4.2%。主要原因是按照过紧日子的要求，降低了公用经费预算标准。"
)
RUNNING_COSTS = (
    "2024年重庆市渝北区人民政府外事办公室的机关运行经费财政拨款预算289,447.56元，比2023年预算数下降10.3%，"
    "减少33,091.06元，主要原因是按照过紧日子的要求，降低了公用经费预算标准。"
)
ASSETS = (
    "截至 2023 年 12 月底, 重庆市渝北区人民政府外事办公室本级及所属各预算单位共有车辆 1 辆, 其中, 领导干部用车"
    "(含在职和离退休部级干部用车) 0 辆、机要通信用车 0 辆、应急保障用车 1 辆、执法执勤用车 0 辆、特种专业技术用车"
    " 0 辆、其他用车 0 辆。单位价值 100 万元(含)以上设备(不含车辆) 0 台(套)。"
)
PERFORMANCE = (
    "2024 年项目支出均实行了绩效目标管理, 涉及项目 7 个, 涉及当年财政拨款 1,265,000 元(其中当年一般公共预算财政"
    "拨款安排项目 7 个, 金额 1,265,000 元)。"
)
CONTACT = "部门预算公开联系人：王丛丛 联系电话：023-67803985"
TRANSPORT = (  # chongqing-transport-commission-2018-budget.html
    "2018年一般公共预算财政拨款收入324970.32万元，一般公共预算财政拨款支出324970.32万元，比2017年减少"
    "145261.52万元。其中：基本支出61042.17万元，比2017年增加4824.58万元，主要原因是支出结构调整、公用经费定额调标等"
)
# shanghai-putuo-shiquanlu-subdistrict-2026-unit-budget.pages.json, page 7, as printed lines
SHIQUANLU_PAGE7 = [
    "   1.  “一般公共服务支出(类）-统计信息事务（款）-统计管理（项）”2026年度预算0.12万元，2025年度预算3.84万元，主要用于：",
    "各类统计工作。2025年当年预算执行数为3.39万元，2026年预算安排0.12万元，比2025年预算执行数减少96.46%。主要原因是：街道统计",
    "类事务减少。",
]


def facts_of(text: str, year: int | None = 2024, section: str = "说明") -> list[Fact]:
    return sentence_facts(text, doc_id="doc", doc_year=year, section=section, page=3)


def one(facts: list[Fact], subject: str, measure: str, year: int | None = None) -> Fact:
    found = [f for f in facts if f.label[1] == subject and f.measure == measure
             and (year is None or f.year == year)]
    assert len(found) == 1, f"{subject}/{measure}/{year}: {[(f.label, f.value, f.year) for f in facts]}"
    return found[0]


def test_sangong_sentence_levels_changes_and_unchanged():
    facts = facts_of(SANGONG)
    total = one(facts, "三公经费", "预算数")
    assert (total.value, total.unit, total.year, total.text) == (Decimal("1045000"), "元", 2024, "1,045,000元")
    change = one(facts, "三公经费", "增减额")
    assert change.value == Decimal("-1020000") and change.year == 2024 and change.label[-1] == "较2023年"
    assert one(facts, "因公出国（境）费用", "预算数").value == Decimal("1000000")
    assert one(facts, "公务接待费", "增减额").value == Decimal("-15000")
    assert one(facts, "公务用车运行维护费", "预算数").value == Decimal("40000")
    assert one(facts, "公务用车购置费", "预算数").value == Decimal("0")
    unchanged = one(facts, "公务用车购置费", "增减额")
    assert unchanged.value == 0 and unchanged.text == "与上年持平" and unchanged.label[-1] == "较2023年"
    # "全区因公出国（境）经费预算减少100万元" inside the reason clause: 万元 → 元
    cut = one(facts, "全区因公出国（境）经费", "增减额")
    assert (cut.value, cut.text, cut.source_unit) == (Decimal("-1000000"), "100万元", "万元")
    for fact in facts:
        assert fact.origin == "narrative" and fact.doc_id == "doc" and fact.locator.page == 3
        assert fact.sentence and fact.text in fact.sentence.replace(" ", "") or fact.text == "与上年持平"
        assert fact.label[0] == "说明" and fact.locator.section == "说明"
    assert len(facts) == 11


def test_expenditure_sentence_amounts_and_shares():
    facts = facts_of(EXPENDITURE)
    assert one(facts, "总支出", "预算数").value == Decimal("2375070.89")
    assert one(facts, "一般公共服务支出", "预算数").value == Decimal("2134018.9")
    share = one(facts, "一般公共服务支出", "占比")
    assert (share.value, share.unit) == (Decimal("89.9"), "%")
    assert one(facts, "住房保障支出", "占比").value == Decimal("2.9")
    assert one(facts, "支出", "增减额").value == Decimal("-1040413.36")
    assert one(facts, "基本支出", "增减额").value == Decimal("-40413.36")
    assert one(facts, "项目支出", "增减额").value == Decimal("-1000000")


def test_subject_code_path_with_amount_change_and_rate():
    facts = facts_of(ADMIN)
    assert len(facts) == 3
    subject = facts[0].label[1]
    assert subject == "一般公共服务支出-政府办公厅（室）及相关机构事务-行政运行"
    assert all(f.label[1] == subject for f in facts)
    assert one(facts, subject, "预算数").value == Decimal("869018.9")
    assert one(facts, subject, "增减额").value == Decimal("-38111.07")
    rate = one(facts, subject, "增减率")
    assert (rate.value, rate.unit, rate.label[-1]) == (Decimal("-4.2"), "%", "较2023年")


def test_rate_then_amount_attach_to_one_subject_without_the_issuer():
    facts = facts_of(RUNNING_COSTS)
    assert [f.measure for f in facts] == ["预算数", "增减率", "增减额"]
    assert {f.label[1] for f in facts} == {"机关运行经费财政拨款"}
    assert [f.value for f in facts] == [Decimal("289447.56"), Decimal("-10.3"), Decimal("-33091.06")]


def test_counts_and_the_threshold_that_is_not_an_amount():
    facts = facts_of(ASSETS)
    vehicles = one(facts, "车辆", "个数")
    assert (vehicles.value, vehicles.unit, vehicles.year) == (Decimal(1), "辆", 2023)  # 截至2023年12月底
    assert one(facts, "应急保障用车", "个数").value == 1
    equipment = [f for f in facts if f.unit == "台(套)"]
    assert len(equipment) == 1 and equipment[0].value == 0 and "设备" in equipment[0].label[1]
    assert not [f for f in facts if f.unit == "元"]  # 100万元(含)以上 is a threshold
    assert not [f for f in facts if f.value in (2023, 12)]  # the date is not a figure

    projects = facts_of(PERFORMANCE)
    count = one(projects, "项目", "个数")
    assert (count.value, count.unit, count.year) == (Decimal(7), "个", 2024)
    assert one(projects, "财政拨款", "预算数").value == Decimal("1265000")


def test_phone_numbers_and_list_numbering_are_not_figures():
    assert facts_of(CONTACT) == []
    assert facts_of("（二）支出预算：") == []
    assert facts_of("单位价值 100 万元(含)以上设备") == []
    assert [f.value for f in facts_of(ADMIN) if f.value in (1, 2024, 2023)] == []


def test_wan_yuan_figures_of_the_transport_page():
    facts = facts_of(TRANSPORT, year=2018)
    income = one(facts, "一般公共预算财政拨款收入", "预算数")
    assert (income.value, income.source_unit, income.text) == (Decimal("3249703200"), "万元", "324970.32万元")
    assert one(facts, "一般公共预算财政拨款支出", "增减额").value == Decimal("-1452615200")
    basic = one(facts, "基本支出", "增减额")
    assert basic.value == Decimal("48245800") and basic.year == 2018 and basic.label[-1] == "较2017年"


def test_json_page_lines_walked_as_sections():
    sections = [Section(heading="财政拨款支出主要内容", number="（一）", level=2,
                        paragraphs=[Paragraph(text=line, page=7) for line in SHIQUANLU_PAGE7])]
    root = Section(heading="2026年单位预算编制说明", number="一、", level=1, children=sections)
    facts = narrative_facts("doc", [root], 2026)
    subject = "一般公共服务支出-统计信息事务-统计管理"
    budgets = [(f.year, f.value) for f in facts if f.measure == "预算数" and f.label[1] == subject]
    assert budgets == [(2026, Decimal("1200")), (2025, Decimal("38400")), (2026, Decimal("1200"))]
    executed = one(facts, subject, "执行数", 2025)  # its sentence names no subject: the topic carries
    assert executed.value == Decimal("33900")
    rate = one(facts, subject, "增减率")
    assert (rate.value, rate.year, rate.label[-1]) == (Decimal("-96.46"), 2026, "较2025年执行数")
    assert {f.locator.section for f in facts} == {"一、2026年单位预算编制说明 › （一）财政拨款支出主要内容"}
    assert {f.locator.page for f in facts} == {7}


def test_variety_of_the_real_excerpts():
    # sichuan-dazhu-yongsheng-town-2024-budget.txt: a doubled unit
    town = facts_of("2024年收入预算11376591.44元,其中:本年财政拨款收入9538991.44元,占83.85%;"
                    "上年结转1837600元元,占16.15%。")
    assert one(town, "上年结转", "预算数").value == Decimal("1837600")
    assert one(town, "上年结转", "占比").value == Decimal("16.15")
    # guangxi-wuzhou-…-procurement-assets.txt: a change with no rate to give
    procurement = facts_of("2023 年政府采购预算 17000 元,同比增加 17000 元,上年无该预算,增长率无可比性。", 2023)
    assert [(f.measure, f.value) for f in procurement] == [("预算数", 17000), ("增减额", 17000)]
    assert procurement[1].label[-1] == "较2022年"
    # anhui-hefei-…-traditional.txt: traditional script, 萬元, 決算
    hefei = facts_of("支出預算為6.35萬元,支出決算為6.35萬元,完成預算的100%;較上年增加0.61萬元,增長10.63%。", 2023)
    assert [f.measure for f in hefei] == ["预算数", "决算数", "占比", "增减额", "增减率"]
    assert hefei[1].value == Decimal("63500") and hefei[4].value == Decimal("10.63")
    # central-ministry-of-education-…: the compared year's own figure is a level, not a change
    moe = facts_of("教育部2024年度本年收入合計42,828,112.97萬元,比2023年的40,616,051.67萬元,"
                   "增加2,212,061.3萬元,增長5.4%。")
    levels = [(f.measure, f.year) for f in moe]
    assert levels == [("预算数", 2024), ("预算数", 2023), ("增减额", 2024), ("增减率", 2024)]
    # full-width digits
    assert [f.value for f in facts_of("公务接待费１２０００元，占１５％。")] == [Decimal(12000), Decimal(15)]


def test_sentences_written_for_this_test():
    text = ("2025年本单位会议费预算3.6万元，比上年增加0.4万元，增长12.5%；培训费预算8万元，与上年持平。"
            "截至2024年底，共有在职人员 25 人，设有 3 个内设科室。某某市某某区财政局部门决算中，"
            "公务接待费支出决算为2.5亿元，完成预算的80%。")
    facts = facts_of(text, year=2025, section="四、其他说明")
    meeting = one(facts, "会议费", "预算数")
    assert (meeting.value, meeting.year) == (Decimal("36000"), 2025)
    rise = one(facts, "会议费", "增减额")
    assert (rise.value, rise.label[-1]) == (Decimal("4000"), "较2024年")
    assert one(facts, "会议费", "增减率").value == Decimal("12.5")
    assert one(facts, "培训费", "预算数").value == Decimal("80000")
    assert one(facts, "培训费", "增减额").value == 0
    staff = one(facts, "在职人员", "个数")
    assert (staff.value, staff.unit, staff.year) == (Decimal(25), "人", 2024)
    assert one(facts, "内设科室", "个数").value == 3  # the counted noun follows its number
    final = one(facts, "公务接待费支出", "决算数")
    assert final.value == Decimal("250000000") and final.year == 2025
    assert one(facts, "公务接待费支出", "占比").label[-1] == "完成预算"
    assert len(facts) == 9


def test_seed_document_through_the_pipeline(seed):
    facts = seed.narrative_facts
    assert one(facts, "三公经费", "预算数").value == Decimal("1045000")
    vehicles = [f for f in facts if f.label[1] == "车辆" and f.unit == "辆"]
    assert [(f.value, f.year) for f in vehicles] == [(Decimal(1), 2023)]
    assert all(f.locator.section for f in facts)  # every figure sits under a heading
    assert not [f for f in facts if "67803985" in f.text or f.unit == "元" and "以上设备" in (f.sentence or "")]
    assert len(facts) > 80


def test_level_marks_with_codes_read_as_a_subject_path():
    facts = sentence_facts("1.公共安全支出（204类）司法（06款）行政运行（01项）1434.89万元，主要用于机关运行。",
                           doc_id="x", doc_year=2026, section="s")
    assert [(f.label[1], f.value, f.unit) for f in facts] == [("公共安全支出-司法-行政运行", Decimal("14348900.00"), "元")]
    assert facts[0].sentence.startswith("1.公共安全支出（204类）")  # the printed sentence, unchanged
