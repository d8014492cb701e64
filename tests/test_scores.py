"""Every score and threshold of the answering stage, one test each: the behaviour the constant
exists for, on invented names, such that a value wrong in the direction that matters fails.

Facts are built as ingest builds them: one invented 部门预算 (a TXT export) goes through the real
parser for the narrative-against-table cases and the passages; the structural cases (header
paths, form fields, several tables) are plain `Fact`/`Locator` data, labelled as
ingest/facts.py labels table cells (title › code and row name › column path).
"""

from __future__ import annotations

from decimal import Decimal
import pytest

from app.answer import candidates as c
from app.answer import bodies, identity as ident, names, sanity
from app.answer import passages as p
from app.answer.calc import Program, Step
from app.answer.candidates import THRESHOLD, FactRecord, item_score, rank, records, term_match
from app.answer.compose import Answer
from app.answer.glossary import load_glossary
from app.answer.plan import STATED_CHANGE_MATCH, make_plan
from app.answer.plan_common import Plan
from app.answer.plan_counts import COUNT_WORDING, YES_NO_MATCH, count, yes_no
from app.answer.understand import Item, Query
from app.answer.verify import NARRATIVE_MATCH, narrative_check
from index.facts import DocumentSummary
from ingest.model import FORM, Disclosure, Fact, FormField, Locator, Paragraph, Section, Table
from ingest.pipeline import parse_file

ISSUER = "云杉县林业工作站"
YEAR = 2025


def summary(kind: str = "预算", doc_id: str = "yunshan-2025") -> DocumentSummary:
    return DocumentSummary(doc_id=doc_id, title=f"{ISSUER}{YEAR}年部门{kind}", issuer=ISSUER, region=None,
                           year=YEAR, kind=kind, scope="部门", source="yunshan.txt", format="txt", tables=1,
                           facts=0, warnings=[], ingested_at="")


DOC = summary()


def cell(value: str, title: str, row: str, column: str, *, code: str | None = None, table: str = "T1",
         index: int = 0, origin: str = "table", doc: DocumentSummary = DOC, year: int | None = YEAR,
         unit: str = "元") -> FactRecord:
    """A table cell labelled as ingest/facts.py labels one (title, code and row name, column path)."""
    label = (title, f"{code} {row}".strip() if code else row, *column.split(" › "))
    fact = Fact(value=Decimal(value), unit=unit, label=tuple(x for x in label if x),
                locator=Locator(table=table, row=index, column=column), doc_id=doc.doc_id, text=value,
                origin=origin, subject_code=code, year=year)
    return FactRecord(fact, doc, None, None)


def stated(value: str, subject: str, measure: str = "预算数", *, extra: tuple[str, ...] = (), unit: str = "元",
           section: str = "二、部门预算情况说明", doc: DocumentSummary = DOC) -> FactRecord:
    """A figure the narrative states: (section, subject, measure …), as ingest/narrative.py labels it."""
    fact = Fact(value=Decimal(value), unit=unit, label=(section, subject, measure, *extra),
                locator=Locator(section=section), doc_id=doc.doc_id, text=value, origin="narrative",
                year=YEAR, measure=measure, sentence=f"{subject}{value}{unit}。")
    return FactRecord(fact, doc, None, None)


def field_fact(value: str, title: str, key: str, *, doc: DocumentSummary = DOC) -> FactRecord:
    """A form's field (a 绩效目标表's 年度预算), labelled (title, key) as ingest/facts.py does."""
    fact = Fact(value=Decimal(value), unit="元", label=(title, key), locator=Locator(table="T9", column=key),
                doc_id=doc.doc_id, text=value, origin="form", year=YEAR)
    return FactRecord(fact, doc, None, None)


def item(name: str, *official: str, codes: tuple[str, ...] = ()) -> Item:
    """An item as understanding gives it; the surface differs from the printed terms so that `rank`
    scores all of them at once (a typed printed term is ranked on its own first)."""
    return Item(f"问{name}", list(official) or [name], codes=list(codes))


@pytest.fixture(scope="module")
def glossary():
    return load_glossary()


def first(ranked):
    return ranked[0][1]


# --- term_match --------------------------------------------------------------------------------


def test_term_match_a_term_inside_a_name_clears_the_threshold_and_shared_pairs_do_not():
    assert term_match("苗木养护费", "苗木养护费支出") >= THRESHOLD  # CONTAINS_BASE + LENGTH_SHARE × 5/7
    assert term_match("苗木养护费", "苗木养护费用") < 1.0  # containment never equals the name
    # two names sharing half their character pairs are two things
    assert term_match("苗木养护费", "苗圃养护费") < THRESHOLD
    # a generic word inside a long row name does not name it (2 of 17 characters)
    assert term_match("支出", "林区防火瞭望塔维修改造项目专项支出") < THRESHOLD


def test_term_match_a_wider_name_inside_the_asked_phrase_ranks_below_the_phrase_inside_a_name():
    inside = term_match("护林员经费", "临时护林员经费")  # the asked term inside a printed name
    wider = term_match("临时护林员经费", "护林员经费")  # a printed, wider name inside the asked phrase
    assert wider < inside
    assert wider == pytest.approx(c.CONTAINED_BASE + c.LENGTH_SHARE * 5 / 7)
    assert term_match("林业专项支出", "支出") < THRESHOLD  # 支出 alone is no answer for a named expenditure
    # the wider figure is still found (5 of 7 characters), for the identity check to say the document
    # prints only the wider item
    assert wider >= THRESHOLD


def test_term_match_pairs_alone_reach_the_threshold_only_for_near_identical_names():
    near = term_match("林区巡护道路及桥涵维修费", "林区巡护道路及桥涵维护费")  # 9 of 11 pairs
    assert near >= THRESHOLD
    assert near == pytest.approx(c.DICE_WEIGHT * 9 / 11)
    assert term_match("城乡绿化养护费", "城市绿化养护费") < THRESHOLD  # 4 of 6 pairs


# --- item_score and rank -----------------------------------------------------------------------

TITLE = "云杉县林业工作站一般公共预算基本支出表"


def test_rank_decay_a_tie_goes_to_the_more_specific_term_and_the_eighth_term_still_counts(glossary):
    terms = [f"林区{x}补助" for x in "甲乙丙丁戊己庚辛壬"]
    wide = item("补助", *terms)
    pool = [cell("10.00", TITLE, terms[1], "合计", index=0), cell("20.00", TITLE, terms[0], "合计", index=1)]
    ranked = rank(wide, pool, glossary)
    assert first(ranked).fact.value == Decimal("20.00")  # the first, most specific term's row
    assert ranked[0][0] - ranked[1][0] == pytest.approx(c.TERM_RANK_DECAY)
    # the eighth term is still looked at, and its exact name clears the threshold without any bonus
    # (a part column); the ninth is not looked at
    eighth = cell("30.00", TITLE, terms[7], "2025年基本支出 › 日常公用经费")
    ninth = cell("40.00", TITLE, terms[8], "2025年基本支出 › 日常公用经费")
    assert item_score(wide, eighth, set()) >= THRESHOLD
    assert item_score(wide, ninth, set()) < THRESHOLD


def test_named_by_its_row_the_total_column_beats_the_rows_part_by_total_column_bonus(glossary):
    part = cell("8.00", TITLE, "苗木养护费", "2025年基本支出 › 日常公用经费", code="30299", index=3)
    total = cell("8.00", TITLE, "苗木养护费", "2025年基本支出 › 合计", code="30299", index=3)
    ranked = rank(item("苗木养护费"), [part, total], glossary)
    assert first(ranked) is total
    assert ranked[0][0] - ranked[1][0] == pytest.approx(c.TOTAL_COLUMN_BONUS)
    # small: a name that merely holds the term, in a total column, stays below the exact name elsewhere
    holding = cell("9.00", TITLE, "苗木养护费及补植费", "2025年基本支出 › 合计", index=4)
    assert first(rank(item("苗木养护费"), [holding, part], glossary)) is part


def test_named_by_its_column_the_total_row_wins_and_a_part_rows_cell_is_penalised(glossary):
    column = "2025年基本支出 › 巡护人员经费"
    part_row = cell("3.00", TITLE, "基本工资", column, code="30101", index=1)
    total_row = cell("5.00", TITLE, "合计", column, index=0)
    ranked = rank(item("巡护人员经费"), [part_row, total_row], glossary)
    assert first(ranked) is total_row
    assert ranked[0][0] - ranked[1][0] == pytest.approx(c.TOTAL_ROW_BONUS + c.PART_ROW_PENALTY)
    # the 基本工资 row's cell in that column is not 巡护人员经费: a row printing the name, even in a
    # part column, comes first
    named_row = cell("4.00", "云杉县林业工作站项目支出表", "巡护人员经费", "项目支出 › 林区巡护", table="T2")
    assert first(rank(item("巡护人员经费"), [part_row, named_row], glossary)) is named_row


def test_a_sub_column_under_the_item_ranks_below_the_items_own_column(glossary):
    sub = cell("400.00", TITLE, "合计", "林区基本支出 › 人员经费", index=0)
    own = cell("500.00", TITLE, "合计", "林区基本支出 › 小计", index=0)
    ranked = rank(item("林区基本支出"), [sub, own], glossary)
    assert first(ranked) is own
    assert ranked[0][0] - ranked[1][0] == pytest.approx(c.SUB_COLUMN_PENALTY)
    assert ranked[1][0] >= THRESHOLD  # still found, for a breakdown that has only the split


def test_a_subject_code_finds_a_row_named_otherwise_but_an_exact_name_ranks_above_it(glossary):
    asked = item("护林员补助", codes=("30399",))
    by_code = cell("6.00", TITLE, "其他对个人和家庭的补助", "合计", code="30399", index=5)
    assert rank(asked, [by_code], glossary)[0][0] >= THRESHOLD
    by_name = cell("7.00", "云杉县林业工作站项目支出表", "护林员补助", "合计", table="T2")
    assert first(rank(asked, [by_code, by_name], glossary)) is by_name


def test_the_grand_total_of_a_table_titled_by_the_item(glossary):
    title = "2025年林区防火专项费预算表"
    grand = cell("90.00", title, "合计", "合计", table="T5")
    asked = item("林区防火专项费")
    score = item_score(asked, grand, set())
    assert score == pytest.approx(c.TITLE_TOTAL + c.TITLE_TIE) and score >= THRESHOLD
    exact = cell("80.00", TITLE, "林区防火专项费", "合计", index=6)
    assert first(rank(asked, [grand, exact], glossary)) is exact  # a row printing the name comes first
    # a cell whose name holds the item at the same 0.9 (7 of 8 characters) loses the tie
    holding = cell("70.00", TITLE, "林区防火专项费用", "2025年基本支出 › 日常公用经费", index=7)
    assert item_score(asked, holding, set()) == pytest.approx(c.TITLE_TOTAL)
    assert first(rank(asked, [holding, grand], glossary)) is grand


def test_a_sangong_component_is_taken_from_the_sangong_table(glossary):
    assert "公务接待费" in glossary.sangong_words()
    economic = cell("12.00", TITLE, "公务接待费", "合计", code="30217", index=8)
    sangong = cell("12.00", "云杉县林业工作站“三公”经费支出预算表", "合计", "公务接待费", table="T3")
    ranked = rank(item("公务接待费"), [economic, sangong], glossary)
    assert first(ranked) is sangong
    assert ranked[0][0] - ranked[1][0] == pytest.approx(c.SANGONG_TABLE_BONUS)


def test_a_table_cell_comes_before_the_form_field_and_the_narrative_stating_the_same_figure(glossary):
    narrative = stated("60.00", "林区巡护费")
    form = field_fact("60.00", "林区巡护项目绩效目标表", "林区巡护费")
    table = cell("60.00", TITLE, "林区巡护费", "合计", index=9)
    ranked = rank(item("林区巡护费"), [narrative, form, table], glossary)
    assert [r for _, r in ranked] == [table, form, narrative]
    assert ranked[0][0] - ranked[1][0] == pytest.approx(c.FORM_PENALTY)
    assert ranked[0][0] - ranked[2][0] == pytest.approx(c.NARRATIVE_PENALTY)


def test_within_a_qualifier_the_qualified_column_beats_the_rows_total_column(glossary):
    total = cell("15.00", TITLE, "办公费", "合计", code="30201", index=10)
    project = cell("5.00", TITLE, "办公费", "项目支出", code="30201", index=10)
    ranked = rank(item("办公费"), [total, project], glossary, within=item("项目支出"))
    assert first(ranked) is project
    assert ranked[0][0] - ranked[1][0] == pytest.approx(c.WITHIN_BONUS - c.TOTAL_COLUMN_BONUS)


def test_the_measure_asked_decides_between_a_budget_and_a_final_column(glossary):
    final = cell("48.00", TITLE, "苗木养护费", "2024年决算数", index=11, year=None)
    budget = cell("50.00", TITLE, "苗木养护费", "2025年预算数", index=11, year=None)
    # in a budget, unasked, the 决算数 printed beside the 预算数 is not the answer
    ranked = rank(item("苗木养护费"), [final, budget], glossary)
    assert first(ranked) is budget
    assert ranked[0][0] - ranked[1][0] == pytest.approx(c.MEASURE_COLUMN_FIT)
    ranked = rank(item("苗木养护费"), [budget, final], glossary, measure="final")
    assert first(ranked) is final
    assert ranked[0][0] - ranked[1][0] == pytest.approx(2 * c.MEASURE_COLUMN_FIT)
    # and it outweighs a qualifier's bonus: 项目支出's 预算数 is still not the 决算数 asked
    within = cell("20.00", TITLE, "苗木养护费", "项目支出 › 预算数", index=11, year=None)
    ranked = rank(item("苗木养护费"), [within, final], glossary, within=item("项目支出"), measure="final")
    assert first(ranked) is final


# --- the narrative against the tables (verify.NARRATIVE_MATCH), on a parsed disclosure ---------

DISCLOSURE_TXT = "\n".join([
    "", ISSUER, "", "2025 年部门预算情况说明", "",
    "一、部门预算情况说明", "", "（一）基本支出预算情况说明", "",
    "2025年苗木养护费预算为80,000.00元，主要用于林区苗木日常养护。", "",
    "2025年苗木养护费和补植费预算为95,000.00元。", "",
    "2025年云杉县部门一般公共预算财政拨款基本支出预算表", "",
    f"部门全称：{ISSUER}", "", "单位：元", "",
    "经济分类科目\t\t2025年基本支出\t\t",
    "科目编码\t科目名称\t合计\t人员经费\t日常公用经费",
    "合计\t\t500,000.00\t400,000.00\t100,000.00",
    "302\t商品和服务支出\t100,000.00\t\t100,000.00",
    "30299\t苗木养护费\t80,000.00\t\t80,000.00",
    "30201\t办公费\t20,000.00\t\t20,000.00", ""])


@pytest.fixture(scope="module")
def parsed(tmp_path_factory) -> list[FactRecord]:
    path = tmp_path_factory.mktemp("scores") / "yunshan-2025.txt"
    path.write_text(DISCLOSURE_TXT, encoding="utf-8")
    d = parse_file(path)
    return records(d, summary_of(d))


def summary_of(d: Disclosure) -> DocumentSummary:
    return DocumentSummary(doc_id=d.doc_id, title=d.title, issuer=d.issuer, region=d.region, year=d.year,
                           kind=d.kind, scope=d.scope, source=d.source, format=d.format, tables=len(d.tables),
                           facts=0, warnings=[], ingested_at="")


def _lookup(records_: list[FactRecord], asked: Item) -> tuple[Answer, Plan, Query]:
    table = next(r for r in records_ if r.fact.origin == "table" and r.fact.subject_code == "30299"
                 and r.is_total_column)
    plan = Plan("lookup", Program([table.fact], [Step("lookup", ("f0",))]), [table], ["苗木养护费"], [YEAR], table.doc)
    answer = Answer("苗木养护费预算多少", "answered", "苗木养护费预算80,000.00元。", Decimal("80000.00"), "元",
                    facts=[table])
    return answer, plan, Query("苗木养护费预算多少", "lookup", items=[asked])


def test_a_narrative_figure_loses_to_the_identical_table_figure_yet_is_compared_with_it(parsed, glossary):
    ranked = rank(item("苗木养护费"), parsed, glossary)
    assert first(ranked).fact.origin == "table"
    narrative = next(s for s, r in ranked if r.fact.origin == "narrative" and r.fact.value == Decimal("80000.00"))
    assert narrative >= NARRATIVE_MATCH  # named plainly: compared with the table
    answer, plan, query = _lookup(parsed, item("苗木养护费"))
    narrative_check(answer, plan, query, parsed, glossary)
    checks = [x for x in answer.checks if x.name == "narrative"]
    assert checks and checks[0].ok


def test_a_narrative_subject_that_only_holds_the_item_is_not_compared(parsed, glossary):
    # 苗木养护费和补植费 95,000.00 is another figure: comparing it would print a false disagreement
    pool = [r for r in parsed if not (r.fact.origin == "narrative" and r.fact.value == Decimal("80000.00"))]
    holding = next(r for r in pool if r.fact.origin == "narrative")
    assert item_score(item("苗木养护费"), holding, set()) < NARRATIVE_MATCH
    answer, plan, query = _lookup(pool, item("苗木养护费"))
    narrative_check(answer, plan, query, pool, glossary)
    assert not [x for x in answer.checks if x.name == "narrative"] and "95,000" not in answer.text


# --- counts and yes/no (plan_counts) ----------------------------------------------------------

COUNTED = [stated("3", "纳入林区巡护考核的单位", "个数", unit="个"),
           stated("5", "纳入苗木抚育考核的单位", "个数", unit="个")]


def count_query(text: str) -> Query:
    # nothing the glossary knows and no residue: only the question's own wording can name the count
    return Query(text, "count", items=[item("单位数")], text=text, rest="")


def test_count_wording_accepts_a_count_named_by_the_questions_words(glossary):
    plan = count(count_query("纳入巡护考核的单位有几个"), DOC, YEAR, COUNTED, glossary)  # 7 of 8 pairs
    assert isinstance(plan, Plan) and plan.records[0].fact.value == Decimal("3")
    assert 7 / 8 >= COUNT_WORDING


def test_count_wording_rejects_a_count_of_another_thing(glossary):
    plan = count(count_query("纳入防火考核的单位有几个"), DOC, YEAR, COUNTED, glossary)  # 5 of 8 pairs
    assert not isinstance(plan, Plan)
    assert 5 / 8 < COUNT_WORDING


def yes_no_query(name: str) -> Query:
    return Query(f"有没有{name}", "yes_no", items=[item(name)])


def test_yes_no_answers_from_the_items_own_figure_even_as_the_narrative_states_it(glossary):
    pool = [stated("60.00", "林区巡护费")]
    assert rank(item("林区巡护费"), pool, glossary)[0][0] >= YES_NO_MATCH
    plan = yes_no(yes_no_query("林区巡护费"), DOC, YEAR, pool, glossary)
    assert isinstance(plan, Plan) and plan.records[0] is pool[0]


def test_yes_no_does_not_answer_from_a_name_that_merely_holds_the_item(glossary):
    pool = [cell("60.00", TITLE, "林区巡护费补助", "合计")]
    assert THRESHOLD <= rank(item("巡护费"), pool, glossary)[0][0] < YES_NO_MATCH
    assert not isinstance(yes_no(yes_no_query("巡护费"), DOC, YEAR, pool, glossary), Plan)


# --- a change the narrative states (plan.STATED_CHANGE_MATCH) ---------------------------------


def change_plan(name: str, subject: str, glossary):
    pool = [cell("500000.00", TITLE, name, "2025年预算数", index=12),
            stated("500000.00", subject), stated("-20000.00", subject, "增减额", extra=("较2024年",))]
    query = Query(f"{name}比上年减少多少", "change", items=[item(name)], compared_offset=-1)
    return make_plan(query, DOC, YEAR, {DOC.doc_id: pool}, [DOC], glossary), pool


def test_a_stated_change_is_taken_though_its_subject_is_worded_otherwise(glossary):
    plan, pool = change_plan("林业专项支出", "支出", glossary)  # term_match 0.58, narrative 0.53
    assert isinstance(plan, Plan) and plan.operation == "stated_change"
    assert plan.records[1] is pool[2]
    assert item_score(item("林业专项支出"), pool[2], set()) >= STATED_CHANGE_MATCH


def test_a_stated_change_of_a_subject_sharing_one_character_pair_is_not_taken(glossary):
    plan, pool = change_plan("林区巡护道路维修费", "乡村道路养护资金安排", glossary)  # 道路 only
    assert not isinstance(plan, Plan)
    assert 0 < item_score(item("林区巡护道路维修费"), pool[2], set()) < STATED_CHANGE_MATCH


# --- passages ---------------------------------------------------------------------------------


def disclosure(*sections: tuple[str, str, list[str]], tables: list[Table] | None = None) -> Disclosure:
    """A document with the given (number, heading, paragraphs) sections."""
    return Disclosure(doc_id="yunshan-text", content_hash="0", source="yunshan.txt", format="txt",
                      title=f"{ISSUER}{YEAR}年部门预算", issuer=ISSUER, region=None, year=YEAR, kind="预算",
                      scope="部门", sections=[Section(h, n, 2, [Paragraph(t) for t in texts]) for n, h, texts in sections],
                      tables=tables or [])


def definition(term: str, surface: str | None = None) -> Query:
    return Query(f"什么是{term}", "definition", items=[Item(term if surface is None else surface, [term])])


def test_min_score_a_quarter_of_the_pairs_is_no_answer(glossary):
    d = disclosure(("（一）", "单位职能", ["本站负责全县苗木抚育和林区防火宣传工作。"]))
    assert p.find_passage(definition("林区巡护费"), d, glossary) is None  # shares 林区: 1 of 4 pairs


def test_min_score_naming_the_item_or_a_strong_cue_clears_it_and_a_weak_cue_does_not(glossary):
    named = disclosure(("（一）", "其他说明", ["林区巡护费由本站统一管理，按季度拨付。"]))
    unnamed = Query("这是什么意思", "definition")  # no pairs to share: the cue word alone
    strong = disclosure(("（一）", "其他说明", ["指为林区日常巡护发生的开支。"]))
    weak = disclosure(("（一）", "其他说明", ["本站经费包括人员支出和公用支出。"]))
    found = p.find_passage(definition("林区巡护费", surface=""), named, glossary)
    assert found is not None and found.score >= p.MIN_SCORE
    assert p.find_passage(unnamed, strong, glossary) is not None
    assert p.find_passage(unnamed, weak, glossary) is None


def test_a_strong_cue_word_beats_a_weak_one(glossary):
    d = disclosure(("（一）", "其他说明", ["林区巡护费包括巡护交通费。",
                                         "林区巡护费是指为林区日常巡护发生的各项交通和通讯开支。"]))
    assert "是指" in p.find_passage(definition("林区巡护费"), d, glossary).text


def test_a_definition_with_a_figure_loses_to_one_without(glossary):
    d = disclosure(("（一）", "其他说明", ["林区巡护费是指2025年安排的6万元。",
                                         "林区巡护费是指为林区日常巡护发生的各项交通和通讯开支。"]))
    assert "2025" not in p.find_passage(definition("林区巡护费"), d, glossary).text


def test_a_heading_that_is_the_term_beats_a_sentence_elsewhere_that_names_it(glossary):
    d = disclosure(("（二）", "林区巡护费", ["指为林区日常巡护而发生的人员交通费、通讯费和巡护装备维修费等开支。"]),
                   ("（三）", "其他说明", ["林区巡护费是指本站的一项经费。"]))
    assert p.find_passage(definition("林区巡护费"), d, glossary).where == "（二）林区巡护费"


def test_a_heading_that_names_the_item_lifts_its_sentences(glossary):
    d = disclosure(("（二）", "林区巡护费使用说明", ["主要用于林区日常巡查的交通和通讯，按巡护里程据实结算。"]),
                   ("（三）", "其他说明", ["林区巡护费由本站统一管理。"]))
    assert p.find_passage(definition("林区巡护费"), d, glossary).where == "（二）林区巡护费使用说明"


def test_the_form_field_the_question_names_is_quoted():
    form = Table(key="T9", title="林区巡护项目支出表", kind=FORM, fields=[
        FormField("项目名称", "林区巡护"),
        FormField("年度绩效目标", "完成全年林区巡护任务，巡护里程不少于一万公里，巡护目标完成率达到百分之百。"),
        FormField("项目概述", "本项目目标是保障林区安全。")])
    query = Query("林区巡护项目的年度绩效目标是什么", "text")
    found = p.find_passage(query, disclosure(tables=[form]))  # no glossary: the field's name alone
    assert found is not None and found.text.startswith("年度绩效目标")


def test_the_heading_where_the_asked_kind_of_text_is_printed(glossary):
    d = disclosure(("（二）", "项目概况", ["本站每年组织开展林区日常巡查和防火宣传。"]),
                   ("（三）", "其他说明", ["本站办公地点位于县城东街。"]))
    found = p.find_passage(Query("林区巡护项目是做什么用的", "text"), d, glossary)
    assert found is not None and found.where == "（二）项目概况" and found.score >= p.MIN_SCORE


PLACES = "东山 西岭 南坡 北沟 青石 白桦 松涛 云岭 杉湾 柏塘 枫林 竹溪 梅岗 桃源 杏坪 樟木 楠溪 榆树 槐荫 柳塘".split()


def test_a_long_sentence_loses_to_a_short_one_that_answers_less_plainly(glossary):
    long = "林区巡护费是指" + "、".join(f"{x}片区巡护交通和通讯开支" for x in PLACES) + "。"
    assert len(long) > 250  # past LONG_SENTENCE_CHARS by more than a strong cue's lead over a weak one
    d = disclosure(("（一）", "其他说明", [long, "林区巡护费包括巡护交通费。"]))
    assert p.find_passage(definition("林区巡护费"), d, glossary).text == "林区巡护费包括巡护交通费。"


def test_of_two_sentences_that_answer_alike_the_shorter_is_quoted(glossary):
    d = disclosure(("（一）", "其他说明", ["林区巡护费是指巡护交通和通讯开支。", "林区巡护费是指巡护交通开支。"]))
    assert p.find_passage(definition("林区巡护费"), d, glossary).text == "林区巡护费是指巡护交通开支。"


FILLER = "本站将加强预算执行管理，严格控制一般性开支，提高资金使用效益，确保各项工作任务按时完成。"


def reason(name: str) -> Query:
    return Query(f"{name}为什么增加", "reason", items=[Item(name, [name])])


def test_a_reason_given_in_the_sentence_after_the_one_naming_the_item_is_the_reason(glossary):
    figure = "按照计划，苗木养护费预算80,000.00元。"
    because = "比上年增加的主要原因是本年新增林区苗木补植和抚育养护面积。"
    paragraph = [figure + because + FILLER + FILLER + FILLER]
    assert len(paragraph[0]) > p.REASON_PARAGRAPH_CHARS
    found = p.find_passage(reason("苗木养护费"), disclosure(("（一）", "基本支出预算情况说明", paragraph)), glossary)
    assert found is not None and not found.context_only
    assert found.text == figure + because  # a long paragraph: the two sentences, not the rest


def test_a_short_reason_paragraph_is_quoted_whole(glossary):
    text = "苗木养护费预算80,000.00元。比上年增加的主要原因是新增补植面积。其中东山片区占一半。"
    assert len(text) <= p.REASON_PARAGRAPH_CHARS
    found = p.find_passage(reason("苗木养护费"), disclosure(("（一）", "基本支出预算情况说明", [text])), glossary)
    assert found is not None and found.text == text


def test_duties_are_quoted_as_a_whole_paragraph_up_to_its_limit(glossary):
    duties = "本站负责全县林区巡护工作。本站还承担苗木抚育和林业有害生物防治工作。"
    query = Query("云杉县林业工作站负责什么", "text")
    found = p.find_passage(query, disclosure(("（一）", "职能职责", [duties])), glossary)
    assert found is not None and found.text == duties
    long = duties + FILLER * 10
    assert len(long) > p.TEXT_PARAGRAPH_CHARS
    found = p.find_passage(query, disclosure(("（一）", "职能职责", [long])), glossary)
    assert found is not None and found.text != long


# --- identity ---------------------------------------------------------------------------------


def test_names_item_a_name_with_the_term_as_its_head_is_the_item():
    assert names.names_as("巡护经费", "云杉县林业工作站财政拨款的巡护经费") == names.HEAD_NAME >= names.NAMES_ITEM
    assert names.names_as("巡护经费", "巡护经费财政拨款支出") >= names.NAMES_ITEM  # a generic tail


def test_names_item_a_name_holding_the_term_or_a_wider_name_is_not_the_item():
    assert names.names_as("巡护费", "巡护费及补植费") == names.INSIDE_NAME < names.NAMES_ITEM  # another head
    assert names.names_as("临时护林员经费", "护林员经费") == names.INSIDE_NAME < names.NAMES_ITEM  # wider
    # one character apart at the end of a long name: pairs alone stay below
    assert names.names_as("林区巡护道路及桥涵维修费", "林区巡护道路及桥涵维护费") < names.NAMES_ITEM


def test_names_item_decides_the_item_check_of_an_answer():
    asked = Query("巡护费预算多少", "lookup", items=[Item("巡护费", ["巡护费"])])
    for name, ok in (("林区巡护费", True), ("巡护费及补植费", False)):
        record = cell("60.00", TITLE, name, "合计")
        plan = Plan("lookup", Program([record.fact], [Step("lookup", ("f0",))]), [record], [name], [YEAR], DOC)
        answer = Answer(asked.question, "answered", "60.00元。", Decimal("60.00"), "元", facts=[record])
        checks = [x for x in ident.identity(answer, plan, asked).checks if x.name == "item"]
        assert checks and checks[0].ok is ok, name


def count_identity(question: str) -> bool:
    record = stated("3", "纳入林区巡护考核的单位", "个数", unit="个")
    plan = Plan("count", Program([record.fact], [Step("lookup", ("f0",))]), [record], ["纳入林区巡护考核的单位"],
                [YEAR], DOC)
    answer = Answer(question, "answered", "3个。", Decimal("3"), "个", facts=[record])
    query = Query(question, "count", text=question)
    return all(x.ok for x in ident.identity(answer, plan, query).checks if x.name == "item")


def test_count_named_a_count_of_what_the_question_names_passes():
    assert count_identity("纳入巡护考核的单位有几个")  # 5 of its 6 own pairs in the name: 0.83


def test_count_named_a_count_of_another_thing_fails():
    assert not count_identity("纳入防火考核的单位有几个")  # 3 of 6: 0.5, below COUNT_NAMED


def test_text_names_a_word_inserted_in_the_term_still_names_it():
    query = Query("林区巡护经费为什么增加", "reason", items=[Item("林区巡护经费", ["林区巡护经费"])])
    check = bodies.text_identity(query, "林区巡护专项经费增加的主要原因是巡护里程增加。", "（一）说明")
    assert check.ok  # 4 of 5 pairs: 0.8
    check = bodies.text_identity(query, "林区防火经费增加的主要原因是防火任务增加。", "（一）说明")
    assert not check.ok  # 2 of 5 pairs: 0.4


def test_share_max_a_share_above_the_whole_is_impossible():
    part = cell("30.00", TITLE, "办公费", "合计", index=1)
    whole = cell("40.00", TITLE, "合计", "合计", index=0)
    plan = Plan("share", Program([part.fact, whole.fact], [Step("share", ("f0", "f1"))]), [part, whole],
                ["办公费", "合计"], [YEAR, YEAR], DOC)

    def in_range(value: str) -> bool:
        answer = Answer("办公费占多少", "answered", "", Decimal(value), "%", facts=[part, whole])
        return next(x for x in sanity.sanity(answer, plan) if x.name == "share_range").ok

    assert in_range("100") and in_range("75.0")
    assert not in_range("100.5")
