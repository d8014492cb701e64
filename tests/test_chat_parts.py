"""The chat's plain-Python parts: upload names and limits, escaping, sources, charts, filters,
suggestions and the launcher — on the real sample and the real engine."""

from __future__ import annotations

import re
import socket
import subprocess
import sys

import pytest

from app.chat.charts import altair_chart, chart_data, part_names
from app.chat.launch import HOST, PAGE, check_port, streamlit_command
from app.chat.service import ChatService, Question, Scope
from app.chat.sources import EXCERPT_FROM, TableSource, TextSource, answer_sources, md, md_highlight, styled, table_source
from app.chat.uploads import UPLOAD_LIMIT, check_upload, safe_name, save_upload
from app.settings import Settings
from ingest.errors import BudgetQAError, InputError, UnsupportedFormatError
from tests.chat_support import sample_home, unescape, wanli_home
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    return ChatService(Settings.load(sample_home(tmp_path_factory)))


def ask(service: ChatService, question: str, scope: Scope = Scope()):
    turn, _ = service.ask(question, None, scope, service.documents())
    return turn


# --- uploads -------------------------------------------------------------------------------


@pytest.mark.parametrize("given, saved", [
    ("../../etc/passwd.txt", "passwd.txt"),
    ("..\\..\\windows\\预算 2024.PDF", "预算_2024.pdf"),
    (".hidden.html", "hidden.html"),
    ("/abs/path/决算（草案）.xlsx", "决算（草案）.xlsx"),
    ("a<b>|c?.txt", "a_b_c.txt"),
    ("....", "upload"),
])
def test_safe_name_keeps_a_base_name_and_its_extension(given, saved):
    assert safe_name(given) == saved


def test_check_upload_refuses_wrong_type_empty_and_oversized_files():
    check_upload("预算.pdf", 10)
    with pytest.raises(UnsupportedFormatError) as wrong:
        check_upload("合同.docx", 10)
    assert "类型不受支持" in wrong.value.message and "PDF" in wrong.value.message
    with pytest.raises(InputError) as empty:
        check_upload("空.txt", 0)
    assert "空文件" in empty.value.message
    with pytest.raises(InputError) as big:
        check_upload("大.pdf", UPLOAD_LIMIT + 1)
    assert "超过 50 MB" in big.value.message


def test_save_upload_dedupes_names_and_reuses_same_content(tmp_path):
    first, created = save_upload(tmp_path, "表.txt", b"one")
    again, created_again = save_upload(tmp_path, "表.txt", b"one")
    other, created_other = save_upload(tmp_path, "../表.txt", b"two")
    assert (first, created) == (tmp_path / "表.txt", True)
    assert (again, created_again) == (first, False)
    assert (other, created_other) == (tmp_path / "表-2.txt", True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["表-2.txt", "表.txt"]


def test_upload_of_a_file_that_is_no_disclosure_is_reported_and_removed(tmp_path, tmp_path_factory):
    from tests.chat_support import copy_home

    home = copy_home(sample_home(tmp_path_factory), tmp_path / "home")
    svc = ChatService(Settings.load(home))
    before = [d.doc_id for d in svc.documents()]
    seen = []
    (outcome,) = svc.upload([("笔记.txt", "今天天气很好，我们去公园散步。\n".encode() * 30)],
                            on_file=lambda i, name: seen.append((i, name)))
    assert seen == [(0, "笔记.txt")]
    assert outcome.document is None and "笔记.txt" in outcome.error
    assert [d.doc_id for d in svc.documents()] == before
    assert not any((home / "uploads").iterdir())


# --- escaping and sources ------------------------------------------------------------------


def test_markdown_escaping_shows_document_text_literally():
    nasty = "<script>alert(1)</script> **粗** [链接](http://x) $x$ :red[红] `代码` # 标题 1. 项"
    escaped = md(nasty)
    assert "<script>" not in escaped and "**" not in escaped and "](" not in escaped
    assert ":red[" not in escaped and "$x$" not in escaped
    assert unescape(escaped) == nasty
    highlighted = md_highlight("前文[", "句子]", "后文")
    assert highlighted == "前文\\[:orange-background[句子\\]]后文"


def test_table_source_marks_the_used_cells(service):
    turn = ask(service, "外事办今年出国经费多少？")
    (source,) = answer_sources(turn.answer, service.disclosure)
    assert isinstance(source, TableSource) and source.table_key == "表十"
    # a wide table shows the asked year's header group first, the whole table on request
    # its header rows as printed (one level per row of the header), never a joined path
    assert source.excerpt and all(c[0] == "2024年预算数" for c in source.frame.columns)
    assert len(source.full.columns) == 12 and any(c[0] == "2023年预算数" for c in source.full.columns)
    assert not any("›" in part for c in source.full.columns for part in c)
    (cell,) = source.marked
    assert source.frame.iat[cell] == "1,000,000.00"
    assert [p for p in source.frame.columns[cell[1]] if p] == ["2024年预算数", "因公出国（境）费"]
    html = styled(source.frame, source.marked).to_html()
    painted = {(int(r), int(c)) for rule in html.split("}") if "#ffe08a" in rule
               for r, c in re.findall(r"_row(\d+)_col(\d+)", rule)}
    assert painted == {cell}


def test_a_long_table_is_shown_as_an_excerpt_with_parents_and_totals(tmp_path_factory):
    svc = ChatService(Settings.load(wanli_home(tmp_path_factory)))
    doc = svc.disclosure(svc.documents()[-1].doc_id)
    table = max(doc.tables, key=lambda t: len(t.rows))
    assert len(table.rows) > EXCERPT_FROM
    row = next(r for r in table.rows if r.code and len(r.code) == 7 and r.parent is not None
               and any(c.value is not None for c in r.cells))
    cell = next(c for c in row.cells if c.value is not None)
    column = table.column(cell.column)
    fact = next(f for f in doc.facts() if f.locator.table == table.key and f.locator.row == row.index
                and f.locator.column == column.label)
    source = table_source(doc, table, [fact])
    assert source.excerpt and source.total_rows == len(table.rows)
    shown = [" ".join(source.frame.iloc[i]) for i in range(len(source.frame))]
    codes = [row.code[:3], row.code[:5], row.code]  # 类, 款, 项: the row and its parent subjects
    assert all(any(code in line for line in shown) for code in codes)
    assert any("合计" in line for line in shown)
    ((r, c),) = source.marked
    assert source.frame.iat[r, c] == row.cell(column.index).text
    ((fr, fc),) = source.full_marked
    assert source.full.iat[fr, fc] == row.cell(column.index).text


def test_text_source_finds_the_sentence_in_its_paragraph(service):
    turn = ask(service, "什么是机关运行经费？")
    sources = answer_sources(turn.answer, service.disclosure)
    assert sources and isinstance(sources[0], TextSource)
    text = sources[0]
    assert "机关运行经费" in text.sentence and text.where
    doc = service.disclosure(text.doc_id)
    paragraphs = [p.text for s in doc.sections for x in s.walk() for p in x.paragraphs]
    assert text.before + text.sentence + text.after in paragraphs


# --- charts --------------------------------------------------------------------------------


def test_change_gets_year_bars_and_lookup_none(service):
    change = ask(service, "2024年三公经费比2023年减少多少？")
    data = chart_data(change.answer, change.operation)
    assert data.kind == "years" and list(data.frame["名称"]) == ["2023年", "2024年"]
    assert list(data.frame["金额"]) == ["2,065,000.00元", "1,045,000.00元"]
    lookup = ask(service, "外事办今年出国经费多少？")
    assert chart_data(lookup.answer, lookup.operation) is None


def test_structure_names_parts_by_what_sets_them_apart(service):
    turn = ask(service, "2024年支出预算包括哪些？")
    assert part_names(turn.answer.facts[1:]) == ["基本支出", "项目支出"]
    data = chart_data(turn.answer, turn.operation)
    assert data.kind == "structure" and list(data.frame["占比"]) == ["53.3%", "46.7%"]
    assert list(data.frame["标注"]) == ["126.50万元（53.3%）", "111.01万元（46.7%）"]
    # the title and the axis take ~90 px of the chart's height; each bar keeps a visible band
    assert altair_chart(data).to_dict()["height"] >= 90 + 30 * len(data.frame)


# --- filters and suggestions ---------------------------------------------------------------


def test_scope_restricts_the_engine_to_the_filtered_documents(tmp_path_factory):
    svc = ChatService(Settings.load(wanli_home(tmp_path_factory)))
    docs = svc.documents()
    assert {d.year for d in docs} == {2023, 2024}
    assert ask(svc, "万里街道三公经费是多少？").answer.status == "clarify"
    scoped = ask(svc, "万里街道三公经费是多少？", Scope(years=(2023,)))
    assert scoped.answer.status == "answered" and scoped.scoped == 1
    assert {r.doc.year for r in scoped.answer.facts} == {2023}
    assert [d.year for d in svc.engine(Scope(years=(2024,)), docs).documents()] == [2024]
    assert svc.engine(Scope(years=(2024,)), docs) is svc.engine(Scope(years=(2024,)), docs)  # made once


def test_clarify_options_tell_two_alike_documents_apart_and_each_answers(tmp_path):
    from index.facts import FactStore
    from tests.conftest import parsed_corpus_file

    files = ("shanghai-putuo-finance-bureau-2024-final.pdf", "shanghai-putuo-finance-bureau-2024-final-ERRORS-INJECTED.pdf")
    store = FactStore(tmp_path)
    for name in files:
        store.add(parsed_corpus_file(name))
    svc = ChatService(Settings.load(tmp_path))
    docs = svc.documents()
    turn = ask(svc, "普陀区财政局支出包括哪些？")
    assert turn.answer.status == "clarify" and len(set(turn.answer.options)) == 2  # alike but for the file name
    options = svc.options(turn.answer)
    assert sorted(o.doc_id for o in options) == sorted(d.doc_id for d in docs)
    assert sorted(o.label.rsplit("（", 1)[1].rstrip("）") for o in options) == sorted(files)
    for option in options:
        chosen, _ = svc.answer(Question(turn.asked, turn.asked, None, option), Scope(), docs)
        # each choice is answered from that document alone; where its breakdown is not the total's
        # (the identity checks), the answer says so instead of showing another item's parts
        assert chosen.answer.status in ("answered", "no_answer"), chosen.answer.text
        assert {r.fact.doc_id for r in chosen.answer.facts} <= {option.doc_id}
        assert chosen.answer.status == "answered" or "财政局" in chosen.answer.text
        assert chosen.chosen == option.label


def test_suggestions_come_from_the_stored_documents_and_answer(service):
    suggestions = service.suggestions(Scope(), service.documents())
    assert {s.kind for s in suggestions} >= {"figure", "structure"}
    for s in suggestions:
        turn = ask(service, s.question)
        assert turn.answer.status == "answered" and turn.answer.verified, s.question
    named = [s for s in suggestions if s.kind != "text"]
    assert all("外事办公室2024年" in s.question for s in named)


def test_suggestions_for_an_empty_library_are_none(tmp_path):
    svc = ChatService(Settings.load(tmp_path))
    assert svc.suggestions(Scope(), svc.documents()) == []


# --- launcher ------------------------------------------------------------------------------


def test_streamlit_command_is_loopback_headless_and_without_telemetry():
    command = " ".join(streamlit_command(8600))
    for option in ("--server.address 127.0.0.1", "--server.port 8600", "--server.headless true",
                   "--browser.gatherUsageStats false", "--server.maxUploadSize 50"):
        assert option in command
    assert streamlit_command(8600)[2:5] == ["streamlit", "run", str(PAGE)]


def test_busy_port_is_refused_in_chinese():
    with socket.socket() as s:
        s.bind((HOST, 0))
        s.listen()
        with pytest.raises(BudgetQAError) as busy:
            check_port(s.getsockname()[1])
    assert "已被占用" in busy.value.message


def test_chat_command_is_on_the_command_line():
    help_text = subprocess.run([sys.executable, "-m", "app.cli", "chat", "--help"], cwd=ROOT,
                               capture_output=True, text=True, check=True).stdout
    assert "--port" in help_text and "--home" in help_text
    assert re.search(r"127\.0\.0\.1", subprocess.run(
        [sys.executable, "-m", "app.cli", "--help"], cwd=ROOT, capture_output=True, text=True).stdout)


def test_launcher_sets_a_calm_theme_and_no_data_export():
    command = streamlit_command(8600)
    assert command[command.index("--theme.primaryColor") + 1] not in ("#ff4b4b", "red")
    primary = command[command.index("--theme.primaryColor") + 1].lstrip("#")
    red, green, blue = (int(primary[i:i + 2], 16) for i in (0, 2, 4))
    assert blue > red, "the primary colour (focus rings, progress, selection) is not a red"
    assert command[command.index("--client.disableDataExport") + 1] == "true"


# --- figures in the document's own form ------------------------------------------------------


def _record(value: str, text: str, source_unit: str, name: str = "公务接待费"):
    from decimal import Decimal
    from types import SimpleNamespace

    from ingest.model import Fact, Locator

    fact = Fact(Decimal(value), "元", ("某表", name, "预算数"), Locator(page=3, table="表一", row=0, column="预算数"),
                "d1", text, source_unit)
    return SimpleNamespace(fact=fact, display_name=lambda: name, row=None, table=None)


def test_a_figure_printed_in_wan_yuan_keeps_its_unit_and_decimals():
    from decimal import Decimal
    from types import SimpleNamespace

    from app.chat.figures import cell_as_printed, headline

    answer = SimpleNamespace(value=Decimal("8300"), unit="元", text="某单位公务接待费预算数为8,300.00元。",
                             facts=[_record("8300", "0.83", "万元")])
    shown = headline(answer, "lookup")
    assert shown.value == "0.83万元" and shown.other == "合 8,300 元" and shown.label == "公务接待费"
    printed_in_yuan = SimpleNamespace(value=Decimal("1234567.5"), unit="元", text="",
                                      facts=[_record("1234567.5", "1234567.50", "元")])
    shown = headline(printed_in_yuan, "lookup")
    assert shown.value == "1,234,567.50元" and shown.other == "合 123.46 万元"
    assert cell_as_printed(_record("96282213.44", "96282213.44", "元").fact) == "96,282,213.44"
    assert cell_as_printed(_record("8300", "0.83", "万元").fact) == "0.83"


def test_a_change_says_its_direction_and_percentage():
    from decimal import Decimal
    from types import SimpleNamespace

    from app.chat.figures import headline

    facts = [_record("517000", "51.70", "万元", "差旅费"), _record("1537000", "153.70", "万元", "差旅费")]
    down = SimpleNamespace(value=Decimal("1020000"), unit="元", facts=facts,
                           text="差旅费预算数51.70万元，比上年减少1,020,000.00元，下降66.4%。")
    shown = headline(down, "change")
    assert (shown.value, shown.delta, shown.label) == ("↓102.00万元", "−66.4%", "差旅费 · 增减")
    up = SimpleNamespace(value=Decimal("30000"), unit="元", facts=facts[:1], text="比上年增加3.00万元，增长6.2%。")
    assert headline(up, "change").value.startswith("↑") and headline(up, "change").delta == "+6.2%"


def test_the_extreme_is_named_by_its_own_row():
    from decimal import Decimal
    from types import SimpleNamespace

    from app.chat.figures import headline

    facts = [_record("900", "900.00", "元", "支出合计"), _record("500", "500.00", "元", "印刷费"),
             _record("400", "400.00", "元", "邮电费")]
    answer = SimpleNamespace(value=Decimal("500"), unit="元", facts=facts, text="最多的是印刷费。")
    assert headline(answer, "extreme").label == "印刷费"


# --- conversations and feedback --------------------------------------------------------------


def test_conversations_are_saved_listed_replayed_and_deleted(tmp_path_factory, tmp_path):
    from tests.chat_support import copy_home

    svc = ChatService(Settings.load(copy_home(sample_home(tmp_path_factory), tmp_path / "home")))
    docs = svc.documents()
    first = Question("外事办今年出国经费多少？", "外事办今年出国经费多少？", None)
    turn, context = svc.answer(first, Scope(), docs)
    conversation = svc.save(None, first, turn)
    follow = Question("那2023年呢？", "那2023年呢？", context)
    turn2, _ = svc.answer(follow, Scope(), docs)
    assert svc.save(conversation, follow, turn2) == conversation
    listed = svc.history.conversations()[0]  # newest first (the shared sample may hold other chats' ones)
    assert (listed.id, listed.title, listed.turns) == (conversation, "外事办今年出国经费多少？", 2)
    replayed, _ = svc.replay(conversation, Scope(), docs)
    assert [t.shown for t in replayed] == ["外事办今年出国经费多少？", "那2023年呢？"]
    assert [t.answer.value for t in replayed] == [turn.answer.value, turn2.answer.value]  # the context carried
    assert svc.history.delete(conversation) and conversation not in [c.id for c in svc.history.conversations()]
    assert svc.replay(conversation, Scope(), docs)[0] == []


def test_feedback_is_exported_with_its_answer_by_the_command_line(tmp_path_factory, tmp_path):
    import json

    from tests.chat_support import copy_home

    home = copy_home(sample_home(tmp_path_factory), tmp_path / "home")
    svc = ChatService(Settings.load(home))
    turn = ask(svc, "外事办今年出国经费多少？")
    given = svc.history.add_feedback(-1, turn.shown, turn.answer.to_dict(), "", "c1", 0)
    svc.history.set_comment(given, "想看上年的数")
    svc.history.add_feedback(1, "什么是三公经费？", {"answer": "指…", "facts": [], "sources": []})
    out = subprocess.run([sys.executable, "-m", "app.cli", "feedback", "--json", "--home", str(home)], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    report = json.loads(out)
    assert (report["up"], report["down"]) == (1, 1)
    down = report["feedback"][0]
    assert down["rating"] == "down" and down["comment"] == "想看上年的数" and down["question"] == turn.shown
    assert down["answer"]["answer"] == turn.answer.text and down["answer"]["result"]["value"] == "1000000.00"
    assert down["doc_ids"] == [svc.documents()[0].doc_id] and down["conversation_id"] == "c1"


def test_coverage_is_one_line_of_issuers_and_years_never_file_names(tmp_path_factory):
    svc = ChatService(Settings.load(wanli_home(tmp_path_factory)))
    docs = svc.documents()
    line = svc.coverage(docs)
    assert "\n" not in line and "2023、2024年" in line and line.count("万里街道") == 1
    assert not any(d.source in line for d in docs)


# --- the page itself as evidence ------------------------------------------------------------


def test_the_page_region_of_a_pdf_cell_and_sentence_is_outlined(tmp_path_factory):
    import io

    from PIL import Image

    from app.chat.pagecrop import OUTLINE, crop_cell, crop_sentence
    from tests.conftest import corpus_file

    pdf = corpus_file("shanghai-putuo-wanli-subdistrict-2024-dept-budget.pdf")
    svc = ChatService(Settings.load(wanli_home(tmp_path_factory)))
    doc = next(svc.disclosure(d.doc_id) for d in svc.documents() if d.year == 2024)
    fact = next(f for f in doc.facts() if f.origin == "table" and f.locator.page and len(f.text) >= 5)
    crop = crop_cell(pdf, fact.locator.page, fact.text, "", fact.locator.column.split(" › ")[-1])
    assert crop is not None and crop.page == fact.locator.page
    image = Image.open(io.BytesIO(crop.png)).convert("RGB")
    assert 300 < image.size[0] < 2000 and image.size[1] < image.size[0] * 2
    import numpy as np

    assert int((np.asarray(image) == OUTLINE).all(axis=2).sum()) > 100, "the cell is outlined"
    sentence = next(p.text for s in doc.sections for x in s.walk() for p in x.paragraphs
                    if p.page and len(p.text) > 30)
    page = next(p.page for s in doc.sections for x in s.walk() for p in x.paragraphs if p.text == sentence)
    assert crop_sentence(pdf, page, sentence) is not None
    assert crop_cell(pdf, fact.locator.page, "987654321.98") is None  # a figure the page does not print


def test_the_original_is_found_only_when_its_bytes_are_the_ingested_ones(tmp_path, monkeypatch):
    from app.chat.pagecrop import original_file
    from ingest.pipeline import content_hash

    folder = tmp_path / "originals"
    folder.mkdir()
    (folder / "a.pdf").write_bytes(b"%PDF-1.4 one")
    monkeypatch.setenv("BUDGETQA_ORIGINALS", str(folder))
    right = content_hash(b"%PDF-1.4 one")[:12]
    assert original_file(tmp_path / "h1", right, "a.pdf") == folder / "a.pdf"
    assert original_file(tmp_path / "h2", content_hash(b"other")[:12], "a.pdf") is None
