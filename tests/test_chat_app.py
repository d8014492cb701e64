"""The chat page under Streamlit's AppTest: real fact stores on real documents, the real engine.

Each test drives the page the way a user does (chat input, buttons, the upload form, 👍/👎, the
sidebar's conversations and library) and reads what the page shows: the figure in the document's
own form, the badge, the citation card and the highlighted source cell or sentence, the related
sections, the clarify buttons, the context chip, the error messages.
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


def open_chat(home, monkeypatch, conversation: str | None = None) -> AppTest:
    monkeypatch.setenv("BUDGETQA_HOME", str(home))
    at = AppTest.from_file(str(PAGE), default_timeout=60)
    if conversation:
        at.query_params["c"] = conversation  # as the address of a reloaded page names it
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


def test_first_visit_offers_coverage_and_suggestions_that_answer(sample, monkeypatch):
    at = open_chat(sample, monkeypatch)
    (greeting,) = [m for m in at.chat_message if m.name == "assistant"]
    (coverage,) = [unescape(c.value) for c in greeting.caption if "已收录" in unescape(c.value)]
    assert "外事办公室" in coverage and "2024年" in coverage and ".txt" not in coverage  # issuers, not file names
    suggestions = [b for b in at.button if b.key and b.key.startswith("suggest-")]
    assert 3 <= len(suggestions) <= 5
    assert any("外事办公室" in b.label for b in suggestions)  # the issuer as people say it, from the store
    suggestions[0].click().run()
    assert not at.exception
    answer = last_answer(at)
    assert answer.metric, "a suggested figure question gets a figure"
    assert questions(at) == [unescape(suggestions[0].label)]


def test_figure_answer_with_badge_card_and_highlighted_source(sample, monkeypatch):
    at = open_chat(sample, monkeypatch)
    answer = ask(at, "外事办今年出国经费多少？")
    (figure,) = answer.metric
    assert figure.value == "1,000,000.00元" and figure.label == "因公出国（境）费"  # printed in 元: 元, to the cent
    assert any("合 100.00 万元" in unescape(c.value) for c in answer.caption)
    shown = texts(answer)
    assert any("已核验" in t for t in shown)
    (sentence,) = [t for t in shown if "表十" in t and "1,000,000.00元" in t]
    assert "“因公出国（境）费”栏（2024年预算数）" in sentence and "›" not in sentence  # no column paths
    checks = [t for t in shown if t.startswith(":green[:material/check_circle:]")]
    assert checks and not any("✅" in t for t in shown), "the checks are marked with the bundled icon font"
    assert any(t.startswith("因公出国（境）费 · 因公出国（境）费（2024年预算数）：**1,000,000.00** 元") or
               ("（2024年预算数）" in t and "**1,000,000.00**" in t) for t in shown), "the citation card"
    assert not answer.dataframe, "tables are drawn without the English toolbar"
    excerpt, whole = answer.table  # the used cells' columns first, the whole table in an expander
    assert highlighted_cells(excerpt) == highlighted_cells(whole) == ["1,000,000.00"]
    assert ("2024年预算数", "因公出国（境）费") in [tuple(p for p in c if p) for c in excerpt.value.columns]
    assert not any("›" in part for c in whole.value.columns for part in c)
    captions = [unescape(c.value) for c in answer.caption]
    assert any("表十" in c and "三公" in c and "单位：元" in c for c in captions)
    related = [e for e in answer.expander if e.label.startswith("相关内容")]
    assert related and related[0].caption, "related sections from the hybrid index, collapsed"


def test_a_figure_in_an_audit_finding_shows_one_note_with_the_rule_name(sample, monkeypatch):
    """The sample's narrative counts 7 projects under performance management but prints 5 project
    forms (an audit finding): an answer using that 7 says so once, beside the figure."""
    at = open_chat(sample, monkeypatch)
    answer = ask(at, "有几个项目？")
    assert [m.value for m in answer.metric] == ["7 个"]
    (note,) = answer.info
    note = unescape(note.value)
    assert "5 张项目绩效目标表" in note and not re.search(r"\b[A-Z]\d{2}\b", note), "the rule's name, not its code"
    (sentence,) = [t for t in texts(answer) if "7个" in t and "数据来自" in t]
    assert "项目绩效目标表" not in sentence  # the answer's sentence leaves the note to its box
    plain = ask(at, "外事办今年出国经费多少？")
    assert not plain.info


def test_follow_up_shows_a_removable_context_chip(sample, monkeypatch):
    at = open_chat(sample, monkeypatch)
    ask(at, "外事办今年出国经费多少？")
    answer = ask(at, "那2023年呢？")
    assert [m.value for m in answer.metric] == ["2,000,000.00元"]
    assert any("2023年因公出国" in t for t in texts(answer))
    assert highlighted_cells(answer.table[0]) == ["2,000,000.00"]
    assert questions(at) == ["外事办今年出国经费多少？", "那2023年呢？"]  # the history is replayed
    (chip,) = [b for b in answer.button if b.key and b.key.startswith("chip-")]
    assert unescape(chip.label).startswith("沿用：") and "因公出国" in unescape(chip.label)
    chip.click().run()  # removing it asks the question again without what it carried
    assert not at.exception
    again = last_answer(at)
    assert questions(at)[-1] == "那2023年呢？" and not again.metric
    assert not [b for b in again.button if b.key and b.key.startswith("chip-")]


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


def test_no_answer_gives_one_line_of_coverage_nearest_passages_and_suggestions(sample, monkeypatch):
    at = open_chat(sample, monkeypatch)
    answer = ask(at, "人均住房面积是多少平方米？")
    assert not answer.metric and not answer.table and not answer.error
    (said,) = answer.info
    assert "已收录的文件" not in unescape(said.value), "never the full file list"
    (coverage,) = [unescape(c.value) for c in answer.caption if "已收录" in unescape(c.value)]
    assert "外事办公室" in coverage and "\n" not in coverage
    (nearest,) = [e for e in answer.expander if e.label == "文件中与问题最接近的内容"]
    assert nearest.caption and nearest.markdown
    suggestions = [b for b in answer.button if b.key and b.key.startswith("nosuggest-")]
    assert 3 <= len(suggestions) <= 5
    suggestions[0].click().run()
    assert last_answer(at).metric or last_answer(at).markdown


def test_breakdown_draws_the_structure_with_labels_in_full(sample, monkeypatch):
    at = open_chat(sample, monkeypatch)
    answer = ask(at, "2024年支出预算包括哪些？")
    charts = answer.get("vega_lite_chart")
    assert len(charts) == 1
    proto = charts[0].proto
    spec = json.loads(proto.spec)
    assert "构成" in spec["title"]
    assert '"labelLimit": 0' in proto.spec  # names are never cut (资源勘探工业信…)
    data = [convert_arrow_bytes_to_pandas_df(d.data.data) for d in proto.datasets]
    bars = next(frame for frame in data if "名称" in frame.columns)
    assert sorted(bars["名称"]) == ["基本支出", "项目支出"]  # the parts by name, each with its share
    assert sorted(bars["占比"]) == ["46.7%", "53.3%"]
    assert sorted(highlighted_cells(answer.table[0])) == ["1,110,070.89", "1,265,000.00", "2,375,070.89"]


# --- feedback and saved conversations --------------------------------------------------------


def test_thumbs_and_a_comment_are_stored_with_the_answer(sample, tmp_path, monkeypatch):
    from app.chat.history import feedback_report

    home = copy_home(sample, tmp_path / "home")
    at = open_chat(home, monkeypatch)
    answer = ask(at, "外事办今年出国经费多少？")
    (thumbs,) = answer.feedback
    thumbs.set_value(0).run()  # 👎
    assert not at.exception
    last_answer(at).text_input[0].input("想看上年的数")  # a form: typed, then sent with its button
    next(b for b in last_answer(at).button if b.label == "提交说明").click().run()
    assert not at.exception
    (given,) = feedback_report(home)["feedback"]
    assert given["rating"] == "down" and given["comment"] == "想看上年的数"
    assert given["question"] == "外事办今年出国经费多少？" and given["answer"]["result"]["value"] == "1000000.00"
    assert given["doc_ids"] and given["conversation_id"] == at.query_params["c"]


def test_a_reload_keeps_the_conversation_and_the_sidebar_deletes_it(sample, tmp_path, monkeypatch):
    home = copy_home(sample, tmp_path / "home")
    at = open_chat(home, monkeypatch)
    ask(at, "外事办今年出国经费多少？")
    ask(at, "那2023年呢？")
    conversation = at.query_params["c"]
    again = open_chat(home, monkeypatch, conversation)  # a new session on the same address
    assert questions(again) == ["外事办今年出国经费多少？", "那2023年呢？"]
    assert [m.value for m in last_answer(again).metric] == ["2,000,000.00元"]
    listed = [b for b in again.sidebar.button if b.key == f"conv-{conversation}"]
    assert listed and unescape(listed[0].label) == "外事办今年出国经费多少？"
    next(b for b in again.sidebar.button if b.key == "new-conversation").click().run()
    assert questions(again) == [] and "c" not in again.query_params
    next(b for b in again.sidebar.button if b.key == f"conv-{conversation}").click().run()
    assert questions(again) == ["外事办今年出国经费多少？", "那2023年呢？"]  # reopened from the list
    next(b for b in again.sidebar.button if b.key == f"conv-del-{conversation}").click().run()
    assert not at.exception and questions(again) == []
    assert not [b for b in again.sidebar.button if b.key == f"conv-{conversation}"]
    gone = open_chat(home, monkeypatch, conversation)
    assert questions(gone) == [] and "c" not in gone.query_params


# --- clarify and filters (two yearly budgets of one issuer, real PDFs) ----------------------


def test_clarify_lists_documents_once_and_old_choices_are_disabled(wanli, monkeypatch):
    at = open_chat(wanli, monkeypatch)
    answer = ask(at, "万里街道三公经费是多少？")
    assert not answer.metric
    options = [b for b in answer.button if b.key.startswith("choose-")]
    labels = [b.label for b in options]
    assert len(labels) == 2 and any("2023年" in x for x in labels) and any("2024年" in x for x in labels)
    assert not any("2023年" in t for t in texts(answer)), "the documents are listed once: as the buttons"
    next(b for b in options if "2023年" in b.label).click().run()
    assert not at.exception
    chosen = last_answer(at)
    assert [m.value for m in chosen.metric] == ["22.91万元"]  # printed as 2023年“三公”经费预算数为22.91万元
    assert any("2023年" in t for t in texts(chosen))
    assert "2023年部门预算" in questions(at)[-1]
    clarify = [m for m in at.chat_message if m.name == "assistant"][0]
    assert all(b.disabled for b in clarify.button if b.key.startswith("choose-"))


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
    assert [m.value for m in last_answer(at).metric] == ["47.91万元"]


def test_year_filter_restricts_the_documents(wanli, monkeypatch):
    at = open_chat(wanli, monkeypatch)
    at.sidebar.multiselect(key="filter_years").select(2024).run()
    answer = ask(at, "万里街道三公经费是多少？")
    assert [m.value for m in answer.metric] == ["47.91万元"]  # 2024年“三公”经费预算数为47.91万元
    assert any("合 479,100 元" in unescape(c.value) for c in answer.caption)
    assert any("1 份文件" in unescape(c.value) for c in answer.caption)


# --- uploads and the library ----------------------------------------------------------------


def test_upload_then_ask_see_the_page_and_parse_it_again(sample, tmp_path, monkeypatch):
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
    assert "社会福利院" in at.sidebar.table[0].value["单位"].tolist()
    assert "福利院_2024.pdf" in (home / "budgetqa.log").read_text(encoding="utf-8")  # logged in the data directory
    suggestions = [unescape(b.label) for b in at.button if b.key and b.key.startswith("suggest-")]
    assert any("福利院" in s for s in suggestions), "suggestions are drawn again with the new file"
    answer = ask(at, "社会福利院的支出包括哪些？")
    assert answer.metric, [unescape(w.value) for w in answer.info]
    assert any("上海市普陀区社会福利院2024年单位预算" in unescape(m.value) for m in answer.markdown)
    (page,) = answer.get("image")  # the original page region, the cell outlined (app/chat/pagecrop.py)
    assert any(b.label == "下载原文件" for b in answer.get("download_button"))
    at.sidebar.selectbox(key="manage_doc").select_index(
        next(i for i, o in enumerate(at.sidebar.selectbox(key="manage_doc").options) if "福利院" in o)).run()
    next(b for b in at.sidebar.button if b.key == "reparse").click().run(timeout=180)
    assert not at.exception
    assert any("已重新解析" in unescape(s.value) for s in at.sidebar.success)


def test_a_document_is_deleted_from_the_library(sample, tmp_path, monkeypatch):
    from index.facts import FactStore

    home = copy_home(sample, tmp_path / "home")
    at = open_chat(home, monkeypatch)
    assert len(at.sidebar.table[0].value) == 1
    next(b for b in at.sidebar.button if b.key == "remove").click().run()
    assert not at.exception
    assert any("已删除" in unescape(s.value) for s in at.sidebar.success)
    assert FactStore(home).documents() == []
    assert not at.sidebar.table and any("还没有导入文件" in unescape(i.value) for i in at.sidebar.info)


def test_bad_upload_is_shown_as_failed_in_chinese_and_changes_nothing(sample, tmp_path, monkeypatch):
    home = copy_home(sample, tmp_path / "home")
    at = open_chat(home, monkeypatch)
    novel = ("天色渐渐暗了下来，街上的行人越来越少。他沿着河边慢慢地走着，想起了小时候的事情。\n" * 40).encode("utf-8")
    at.sidebar.file_uploader(key="upload_files").set_value(("小说.txt", novel, "text/plain"))
    next(b for b in at.sidebar.button if b.label == "导入").click().run(timeout=120)
    assert not at.exception, at.exception
    (error,) = at.sidebar.error
    message = unescape(error.value)
    assert message.startswith("导入失败") and "小说.txt" in message
    assert re.search(r"[\u4e00-\u9fff]{4}", message.replace("小说", "").replace("导入失败", ""))
    assert not at.sidebar.success and "导入完成" not in " ".join(unescape(m.value) for m in at.sidebar.markdown)
    assert not (home / "uploads").exists() or not any((home / "uploads").iterdir())
    from index.facts import FactStore

    assert [d.source for d in FactStore(home).documents()] == [SAMPLE.name]


def test_a_greeting_gets_one_line_of_coverage_and_suggestions_never_the_file_list(sample, monkeypatch):
    at = open_chat(sample, monkeypatch)
    answer = ask(at, "你好")
    shown = " ".join(texts(answer) + [unescape(c.value) for c in answer.caption])
    assert "已收录 1 份文件" in shown and SAMPLE.name not in shown and "已收录的文件：" not in shown
    assert not answer.expander and not answer.info, "no nearest passages or checks for a greeting"
    suggestions = [b for b in answer.button if b.key and b.key.startswith("nosuggest-")]
    assert 3 <= len(suggestions) <= 5
