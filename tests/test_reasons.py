"""为什么 questions over invented disclosures (TXT exports written here, ingested through the real
pipeline): a reason is quoted only when the document states one for the asked item; otherwise the
answer is no_answer saying so, quoting the item's sentence as context, never as the reason."""

from __future__ import annotations

import pytest

from app.answer.passages import gives_reason
from app.engine import Engine
from index.facts import FactStore

NO_REASON = "文件没有说明原因"


def disclosure(issuer: str, year: int, sangong: str) -> str:
    return "\n".join([
        "", issuer, "", f"{year} 年部门预算情况说明", "",
        "一、单位基本情况", "", "（一）职能职责", "", f"{issuer}主要负责本地区有关工作。", "",
        "二、部门预算情况说明", "", "（一）“三公”经费预算情况说明", "", sangong, "",
        "（二）机关运行经费", "", f"{year}年机关运行经费预算数为120,000.00元，较{year - 1}年增加20,000.00元。", ""])


DOCUMENTS = {
    # figures and changes, no reason anywhere
    "silent": ("青禾县农业农村局", "2024年“三公”经费预算数为310,000.00元，较2023年增加30,000.00元。"
                                 "其中：因公出国（境）费200,000.00元，公务接待费40,000.00元。"),
    # a reason for one item only, next to another item's bare change
    "other": ("白鹭市文化旅游局", "2024年“三公”经费预算数为93,000.00元。公务接待费增加5,000.00元，"
                                "主要原因是承办全省旅游发展大会。因公出国（境）费增加3,000.00元。"),
    # the reason stated
    "given": ("松涛区水务局", "2024年“三公”经费预算数为60,000.00元，较2023年增加8,000.00元，"
                            "主要原因是新购置一辆防汛应急车辆。"),
}


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    from app.library import ingest_file

    folder = tmp_path_factory.mktemp("reasons")
    store = FactStore(folder / "home")
    for name, (issuer, sangong) in DOCUMENTS.items():
        path = folder / f"{name}.txt"
        path.write_text(disclosure(issuer, 2024, sangong), encoding="utf-8")
        ingest_file(path, store)
    return Engine(store)


@pytest.mark.parametrize("question, context", [
    ("农业农村局2024年三公经费为什么增加？", "较2023年增加30,000.00元"),
    ("农业农村局机关运行经费为什么增加", "较2023年增加20,000.00元"),
    ("文化旅游局因公出国（境）费为什么增加？", "因公出国（境）费增加3,000.00元"),
])
def test_no_stated_reason_is_no_answer_with_the_sentence_as_context(engine, question, context):
    answer = engine.ask(question)
    assert answer.status == "no_answer" and answer.value is None and not answer.verified
    assert answer.text.startswith(NO_REASON) and context in answer.text and "不是原因" in answer.text
    assert "承办全省旅游发展大会" not in answer.text  # another item's reason is not this one's
    assert answer.to_dict()["sources"][0]["snippet"] in answer.text


@pytest.mark.parametrize("question, reason", [
    ("文化旅游局公务接待费为什么增加？", "承办全省旅游发展大会"),
    ("水务局三公经费为什么增加？", "新购置一辆防汛应急车辆"),
    ("水务局2024年三公经费增加的原因是什么？", "新购置一辆防汛应急车辆"),
])
def test_a_stated_reason_is_quoted(engine, question, reason):
    answer = engine.ask(question)
    assert answer.status == "answered" and reason in answer.text and NO_REASON not in answer.text
    assert answer.verified


def test_a_follow_up_why_on_a_figure_without_reason(engine):
    first, context = engine.converse("农业农村局2024年三公经费是多少？")
    assert first.status == "answered"
    why, _ = engine.converse("为什么增加？", context)
    assert why.status == "no_answer" and why.text.startswith(NO_REASON)


@pytest.mark.parametrize("text, terms, expected", [
    ("A增加5万元，主要原因是举办展会。", ["a"], True),  # a clause with the marker (terms are normalised)
    ("公务接待费增加5万元，主要原因是举办展会。因公出国费增加3万元。", ["因公出国费"], False),
    ("因公出国费增加3万元。主要是出访团组增加。", ["因公出国费"], True),  # the clause right after
    ("因公出国费增加3万元，系新增出访任务。", ["因公出国费"], True),
    ("联系电话：023-12345678。", [], False),  # 系 inside 联系 is not a reason
    ("预算数为10万元，较上年增加2万元。", [], False),
])
def test_gives_reason(text, terms, expected):
    assert gives_reason(text, terms) is expected
