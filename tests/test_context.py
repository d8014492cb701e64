"""Conversation context over invented disclosures (TXT exports written here, ingested through the
real pipeline): an elliptical question inherits and says what it inherited; a question that names
its own issuer, item or year starts a new topic; small talk gets a help message, not a file list."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from app.engine import Engine
from index.facts import FactStore

FARM, CULTURE = "青禾县农业农村局", "白鹭市文化旅游局"


def _money(v: int) -> str:
    return f"{v:,.2f}"


def disclosure(issuer: str, year: int, now: tuple[int, int, int, int], before: tuple[int, int, int, int]) -> str:
    """A small 部门预算 as a TXT export: title, a narrative section and a tab-separated 三公 table
    (合计, 因公出国（境）费, 公务用车购置及运行费, 公务接待费) for the year and the year before."""
    total, abroad, cars, reception = now
    word = "减少" if total < before[0] else "增加"
    short = re.sub(r"^.*?[县市]", "", issuer)
    row = [_money(total), _money(abroad), _money(cars), "", _money(cars), _money(reception),
           _money(before[0]), _money(before[1]), _money(before[2]), "", _money(before[2]), _money(before[3])]
    return "\n".join([
        "", issuer, "", f"{year} 年部门预算情况说明", "",
        "一、单位基本情况", "", "（一）职能职责", "", f"{issuer}主要负责本地区有关工作。", "",
        "二、部门预算情况说明", "", "（一）“三公”经费预算情况说明", "",
        f"{year}年“三公”经费预算数为{_money(total)}元，较{year - 1}年{word}{_money(abs(before[0] - total))}元。", "",
        f"{year}年{short}部门一般公共预算“三公”经费支出预算表", "",
        f"部门全称：{issuer}", "", "单位：元", "",
        f"{year}年预算数\t\t\t\t\t\t{year - 1}年预算数\t\t\t\t\t",
        "合计\t因公出国（境）费\t公务用车购置及运行费\t\t\t公务接待费\t合计\t因公出国（境）费\t公务用车购置及运行费\t\t\t公务接待费",
        "\t\t小计\t公务用车购置费\t公务用车运行费\t\t\t\t小计\t公务用车购置费\t公务用车运行费\t",
        "\t".join(row), ""])


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    from app.library import ingest_file

    folder = tmp_path_factory.mktemp("context")
    farm = folder / "farm-2024.txt"
    farm.write_text(disclosure(FARM, 2024, (310000, 200000, 70000, 40000), (520000, 300000, 140000, 80000)),
                    encoding="utf-8")
    culture = folder / "culture-2025.txt"
    culture.write_text(disclosure(CULTURE, 2025, (93000, 50000, 30000, 13000), (71000, 40000, 20000, 11000)),
                       encoding="utf-8")
    store = FactStore(folder / "home")
    ingest_file(farm, store)
    ingest_file(culture, store)
    return Engine(store)


def _figure(answer) -> Decimal | None:
    return answer.value if answer.status == "answered" else None


def test_elliptical_year_keeps_issuer_and_item_and_says_so(engine):
    first, context = engine.converse("农业农村局2024年公务接待费是多少？")
    assert _figure(first) == Decimal("40000.00") and first.inherited == {}
    assert "inherited" not in first.to_dict()  # only a follow-up carries the field
    follow, _ = engine.converse("那2023年呢？", context)
    assert _figure(follow) == Decimal("80000.00")
    assert follow.inherited["issuer"] == FARM and follow.inherited["items"] == ["公务接待费"]
    assert "year" not in follow.inherited  # it named its own year
    assert follow.to_dict()["inherited"] == follow.inherited
    relative, _ = engine.converse("那去年的呢", context)
    assert _figure(relative) == Decimal("80000.00") and relative.inherited["issuer"] == FARM


@pytest.mark.parametrize("question", ["那因公出国（境）费呢？", "因公出国（境）费呢", "那么因公出国（境）费呢？"])
def test_elliptical_item_keeps_issuer_and_year(engine, question):
    _, context = engine.converse("白鹭市文化旅游局2025年公务接待费是多少？")
    follow, _ = engine.converse(question, context)
    assert _figure(follow) == Decimal("50000.00")
    assert follow.inherited == {"issuer": CULTURE, "year": 2025}


def test_elliptical_follow_up_keeps_the_operation(engine):
    first, context = engine.converse("农业农村局2024年三公经费比上年减少了多少？")
    assert _figure(first) is not None and abs(first.value) == Decimal("210000.00")
    follow, _ = engine.converse("那公务接待费呢？", context)
    assert follow.status == "answered" and abs(follow.value) == Decimal("40000.00")
    assert follow.inherited["operation"] == "change" and follow.inherited["issuer"] == FARM


def test_a_question_without_subject_takes_the_previous_subject(engine):
    _, context = engine.converse("农业农村局2024年公务接待费是多少？")
    change, _ = engine.converse("比上年减少了多少？", context)
    assert change.status == "answered" and abs(change.value) == Decimal("40000.00")
    assert change.inherited["items"] == ["公务接待费"] and change.inherited["issuer"] == FARM


@pytest.mark.parametrize("question", ["文化旅游局2025年预算总共多少钱", "文化旅游局的总支出是多少？"])
def test_a_question_naming_its_own_issuer_inherits_nothing(engine, question):
    """After a 公务接待费 question, a question about another issuer's total must not be answered
    with that issuer's 公务接待费 (13,000) nor the first issuer's (40,000)."""
    _, context = engine.converse("农业农村局2024年公务接待费是多少？")
    answer, new_context = engine.converse(question, context)
    assert answer.inherited == {} and "inherited" not in answer.to_dict()
    assert _figure(answer) not in (Decimal("13000.00"), Decimal("40000.00"))
    assert new_context.query.items == [] or all("接待" not in i.surface for i in new_context.query.items)


def test_a_question_naming_its_own_item_starts_a_new_topic(engine):
    _, context = engine.converse("农业农村局2023年公务接待费是多少？")
    answer, new_context = engine.converse("白鹭市文化旅游局因公出国（境）费是多少？", context)
    assert answer.inherited == {} and _figure(answer) == Decimal("50000.00")  # not 2023's 40,000
    # and the new topic is what the next elliptical question follows: nothing sticks from the first
    follow, _ = engine.converse("那公务接待费呢？", new_context)
    assert _figure(follow) == Decimal("13000.00") and follow.inherited["issuer"] == CULTURE


def test_an_elliptical_question_naming_an_unknown_body_takes_no_subject(engine):
    _, context = engine.converse("农业农村局2024年公务接待费是多少？")
    answer, _ = engine.converse("那火星探测管理局呢？", context)
    assert answer.status != "answered" and answer.value is None
    assert "issuer" not in answer.inherited and "items" not in answer.inherited


@pytest.mark.parametrize("message", ["你好", "谢谢", "在吗", "你是谁", "今天天气不错", "qwerty uiop"])
def test_small_talk_gets_help_with_examples_from_the_documents(engine, message):
    answer = engine.ask(message)
    assert answer.status == "no_answer" and answer.value is None
    examples = re.findall(r"^\d\. (.+)$", answer.text, flags=re.M)
    assert len(examples) == 3, answer.text
    assert any(name in answer.text for name in ("农业农村局", "文化旅游局"))
    assert re.search(r"20(24|25)年", answer.text) and ("三公" in answer.text or "支出" in answer.text)
    assert ".txt" not in answer.text and "已收录的文件" not in answer.text  # help, not a list of files
    first = engine.ask(examples[0])  # the examples are questions the engine answers
    assert first.status == "answered" and first.verified


def test_small_talk_leaves_the_conversation_where_it_was(engine):
    _, context = engine.converse("农业农村局2024年公务接待费是多少？")
    hello, kept = engine.converse("谢谢", context)
    assert hello.status == "no_answer" and kept is context and hello.inherited == {}
    follow, _ = engine.converse("那2023年呢？", kept)
    assert _figure(follow) == Decimal("80000.00")


def test_ellipsis_is_a_short_continuation_without_a_cue_of_its_own():
    """The thresholds of app/answer/followup.py: ELLIPSIS_CHARS bounds an elliptical question,
    UNKNOWN_NAME_CHARS is where a leftover starts to name something."""
    from app.answer.followup import ELLIPSIS, ELLIPSIS_CHARS, NEW_TOPIC, NO_SUBJECT, UNKNOWN_NAME_CHARS, topic_link
    from app.answer.glossary import load_glossary, norm
    from app.answer.understand import understand

    glossary = load_glossary()

    def link(question: str, names_issuer: bool = False) -> str:
        return topic_link(question, understand(question, glossary), names_issuer, glossary)

    assert link("那2023年呢？") == link("去年的呢") == link("公务接待费呢") == link("那么公务接待费呢？") == ELLIPSIS
    long_one = "那么请你再帮我仔细地从头到尾看一看公务接待费的具体情况呢"
    assert len(norm(long_one)) > ELLIPSIS_CHARS and link(long_one) == NEW_TOPIC  # long: it says enough itself
    assert link("那公务接待费比上年增加了多少呢？") != ELLIPSIS  # a cue of its own
    assert link("比上年增长了多少？") == link("为什么增加？") == link("2023年是多少") == NO_SUBJECT
    assert link("公务接待费是多少？") == NEW_TOPIC and link("比上年增长了多少？", names_issuer=True) == NEW_TOPIC
    assert UNKNOWN_NAME_CHARS == 2
    assert link("在吗") != NO_SUBJECT  # one leftover character (在) and no cue: asks nothing
    assert link("火星局比上年增长了多少？") == NEW_TOPIC  # an unknown two-character-plus name is a subject


def test_a_relative_year_in_a_follow_up_counts_from_the_year_asked_before(engine):
    first, context = engine.converse("农业农村局2024年公务接待费是多少？")
    assert _figure(first) == Decimal("40000.00")
    before, _ = engine.converse("那上年的呢？", context)  # the year before 2024, whatever the latest document
    assert _figure(before) == Decimal("80000.00")
