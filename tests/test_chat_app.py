"""The chat page under Streamlit's AppTest: real fact stores on real documents, the real engine.

Each test drives the page the way a user does (chat input, buttons, the upload form) and reads
what the page shows: the figure, the badge, the highlighted source cell or sentence, the
clarify buttons, the error messages.
"""

from __future__ import annotations

import json
import re

import pytest
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df
from streamlit.testing.v1 import AppTest

from tests.chat_support import PAGE, copy_home, sample_home, unescape, wanli_home
from tests.conftest import SAMPLE, corpus_file

HIGHLIGHT = "#ffe08a"


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    return sample_home(tmp_path_factory)


@pytest.fixture(scope="module")
def wanli(tmp_path_factory):
    return wanli_home(tmp_path_factory)


def open_chat(home, monkeypatch) -> AppTest:
    monkeypatch.setenv("BUDGETQA_HOME", str(home))
    at = AppTest.from_file(str(PAGE), default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


def ask(at: AppTest, question: str):
    at.chat_input[0].set_value(question).run()
    assert not at.exception, at.exception
    return last_answer(at)


def last_answer(at: AppTest):
    messages = [m for m in at.chat_message if m.name == "assistant"]
    assert messages, "no assistant message"
    return messages[-1]


def questions(at: AppTest) -> list[str]:
    return [unescape(m.markdown[0].value) for m in at.chat_message if m.name == "user"]


def texts(block) -> list[str]:
    return [unescape(m.value) for m in block.markdown]


def highlighted_cells(dataframe) -> list[str]:
    """The values of the cells the page paints with the highlight colour (from the Styler's CSS)."""
    styler = dataframe.proto.arrow_data.styler
    frame = dataframe.value
    cells = []
    for rule in styler.styles.split("}"):
        if HIGHLIGHT in rule:
            for r, c in re.findall(r"_row(\d+)_col(\d+)", rule):
                cells.append(frame.iat[int(r), int(c)])
    return cells


# --- answers --------------------------------------------------------------------------------


def test_first_visit_offers_suggestions_that_answer(sample, monkeypatch):
    at = open_chat(sample, monkeypatch)
    suggestions = [b for b in at.button if b.key and b.key.startswith("suggest-")]
    assert len(suggestions) >= 3
    assert any("外事办公室" in b.label for b in suggestions)  # the issuer as people say it, from the store
    suggestions[0].click().run()
    assert not at.exception
    answer = last_answer(at)
    assert answer.metric, "a suggested figure question gets a figure"
    assert questions(at) == [suggestions[0].label]


def test_figure_answer_with_badge_and_highlighted_source(sample, monkeypatch):
    at = open_chat(sample, monkeypatch)
    answer = ask(at, "外事办今年出国经费多少？")
    assert [m.value for m in answer.metric] == ["1,000,000.00 元"]  # 表十, 2024年预算数 › 因公出国（境）费
    shown = texts(answer)
    assert any("已核验" in t for t in shown)
    assert any("表十" in t and "1,000,000.00元" in t for t in shown)
    checks = [t for t in shown if t.startswith("✅")]
    assert checks, "the checks behind the badge are listed"
    excerpt, whole = answer.dataframe  # the used cells' columns first, the whole table in an expander
    assert highlighted_cells(excerpt) == highlighted_cells(whole) == ["1,000,000.00"]
    assert "2024年预算数 › 因公出国（境）费" in excerpt.value.columns
    assert "2023年预算数 › 因公出国（境）费" in whole.value.columns
    captions = [unescape(c.value) for c in answer.caption]
    assert any("表十" in c and "三公" in c and "单位：元" in c for c in captions)


def test_a_figure_in_an_audit_finding_shows_the_note(sample, monkeypatch):
    """The sample's narrative counts 7 projects under performance management but prints 5 project
    forms (audit rule C04): an answer using that 7 says so beside the figure."""
    at = open_chat(sample, monkeypatch)
    answer = ask(at, "有几个项目？")
    assert [m.value for m in answer.metric] == ["7 个"]
    (warning,) = answer.warning
    assert "C04" in unescape(warning.value) and "5 张项目绩效目标表" in unescape(warning.value)
    (sentence,) = [t for t in texts(answer) if "7个" in t and "数据来自" in t]
    assert "C04" not in sentence  # the answer's sentence leaves the note to its box
    plain = ask(at, "外事办今年出国经费多少？")
    assert not plain.warning


def test_follow_up_keeps_the_subject(sample, monkeypatch):
    at = open_chat(sample, monkeypatch)
    ask(at, "外事办今年出国经费多少？")
    answer = ask(at, "那2023年呢？")
    assert [m.value for m in answer.metric] == ["2,000,000.00 元"]
    assert any("2023年因公出国" in t for t in texts(answer))
    assert highlighted_cells(answer.dataframe[0]) == ["2,000,000.00"]
    assert questions(at) == ["外事办今年出国经费多少？", "那2023年呢？"]  # the history is replayed


def test_text_answer_highlights_the_sentence_in_its_paragraph(sample, monkeypatch):
    at = open_chat(sample, monkeypatch)
    answer = ask(at, "为什么三公经费减少？")
    assert not answer.metric
    quoted = [m.value for m in answer.markdown if ":orange-background[" in m.value]
    assert len(quoted) == 1
    sentence = unescape(quoted[0].split(":orange-background[", 1)[1])
    assert "过紧日子" in sentence and "较2023年减少" in sentence
    captions = [unescape(c.value) for c in answer.caption]
    assert any("“三公”经费情况说明" in c for c in captions)


def test_no_answer_says_what_the_documents_cover(sample, monkeypatch):
    at = open_chat(sample, monkeypatch)
    answer = ask(at, "人均工资是多少？")
    assert not answer.metric and not answer.dataframe
    (warning,) = answer.warning
    assert "已收录的文件" in unescape(warning.value) and "外事办公室" in unescape(warning.value)
    assert not any("已核验" in t for t in texts(answer))


def test_breakdown_draws_the_structure(sample, monkeypatch):
    at = open_chat(sample, monkeypatch)
    answer = ask(at, "2024年支出预算包括哪些？")
    charts = answer.get("vega_lite_chart")
    assert len(charts) == 1
    proto = charts[0].proto
    assert "构成" in json.loads(proto.spec)["title"]
    data = [convert_arrow_bytes_to_pandas_df(d.data.data) for d in proto.datasets]
    bars = next(frame for frame in data if "名称" in frame.columns)
    assert sorted(bars["名称"]) == ["基本支出", "项目支出"]  # the parts by name, each with its share
    assert sorted(bars["占比"]) == ["46.7%", "53.3%"]
    assert sorted(highlighted_cells(answer.dataframe[0])) == ["1,110,070.89", "1,265,000.00", "2,375,070.89"]


# --- clarify and filters (two yearly budgets of one issuer, real PDFs) ----------------------


def test_clarify_offers_documents_and_a_choice_answers(wanli, monkeypatch):
    at = open_chat(wanli, monkeypatch)
    answer = ask(at, "万里街道三公经费是多少？")
    assert not answer.metric
    options = [b for b in answer.button if b.key.startswith("choose-")]
    labels = [b.label for b in options]
    assert len(labels) == 2 and any("2023年" in x for x in labels) and any("2024年" in x for x in labels)
    next(b for b in options if "2023年" in b.label).click().run()
    assert not at.exception
    chosen = last_answer(at)
    assert [m.value for m in chosen.metric] == ["229,100.00 元"]  # 2023年“三公”经费预算数为22.91万元
    assert any("2023年" in t for t in texts(chosen))
    assert "2023年部门预算" in questions(at)[-1]


def test_many_options_are_offered_as_a_list(wanli, monkeypatch):
    from app.chat import answer_view

    monkeypatch.setattr(answer_view, "MAX_OPTION_BUTTONS", 1)  # as if dozens of documents fitted
    at = open_chat(wanli, monkeypatch)
    answer = ask(at, "万里街道三公经费是多少？")
    (picker,) = answer.selectbox
    assert len(picker.options) == 2 and any("2024年部门预算" in o for o in picker.options)
    picker.select_index(next(i for i, o in enumerate(picker.options) if "2024年" in o)).run()
    next(b for b in last_answer(at).button if b.label == "就问这份文件").click().run()
    assert not at.exception
    assert [m.value for m in last_answer(at).metric] == ["479,100.00 元"]


def test_year_filter_restricts_the_documents(wanli, monkeypatch):
    at = open_chat(wanli, monkeypatch)
    at.sidebar.multiselect(key="filter_years").select(2024).run()
    answer = ask(at, "万里街道三公经费是多少？")
    assert [m.value for m in answer.metric] == ["479,100.00 元"]  # 2024年“三公”经费预算数为47.91万元
    assert any("1 份文件" in unescape(c.value) for c in answer.caption)


# --- uploads -------------------------------------------------------------------------------


def test_upload_then_ask_about_the_new_document(sample, tmp_path, monkeypatch):
    home = copy_home(sample, tmp_path / "home")
    at = open_chat(home, monkeypatch)
    pdf = corpus_file("shanghai-putuo-social-welfare-home-2024-unit-budget.pdf")
    at.sidebar.file_uploader(key="upload_files").set_value(
        ("../福利院 2024.pdf", pdf.read_bytes(), "application/pdf"))
    submit = next(b for b in at.sidebar.button if b.label == "导入")
    submit.click().run(timeout=180)
    assert not at.exception, at.exception
    assert [unescape(s.value) for s in at.sidebar.success] and not at.sidebar.error
    assert "社会福利院2024年单位预算" in unescape(at.sidebar.success[0].value)
    saved = list((home / "uploads").iterdir())
    assert [p.name for p in saved] == ["福利院_2024.pdf"]  # inside the data directory, folders dropped
    assert "社会福利院" in at.sidebar.dataframe[0].value["发布单位"].tolist()
    assert "福利院_2024.pdf" in (home / "budgetqa.log").read_text(encoding="utf-8")  # logged in the data directory
    answer = ask(at, "社会福利院的支出包括哪些？")
    assert answer.metric, [unescape(w.value) for w in answer.warning]
    assert any("上海市普陀区社会福利院2024年单位预算" in unescape(c.value) for c in answer.caption)


def test_bad_upload_gets_a_chinese_error_and_changes_nothing(sample, tmp_path, monkeypatch):
    home = copy_home(sample, tmp_path / "home")
    at = open_chat(home, monkeypatch)
    novel = ("天色渐渐暗了下来，街上的行人越来越少。他沿着河边慢慢地走着，想起了小时候的事情。\n" * 40).encode("utf-8")
    at.sidebar.file_uploader(key="upload_files").set_value(("小说.txt", novel, "text/plain"))
    next(b for b in at.sidebar.button if b.label == "导入").click().run(timeout=120)
    assert not at.exception, at.exception
    (error,) = at.sidebar.error
    message = unescape(error.value)
    assert "小说.txt" in message and re.search(r"[\u4e00-\u9fff]{4}", message.replace("小说", ""))
    assert not at.sidebar.success
    assert not (home / "uploads").exists() or not any((home / "uploads").iterdir())
    from index.facts import FactStore

    assert [d.source for d in FactStore(home).documents()] == [SAMPLE.name]
