"""Drawing one turn of the chat: the figure, the text, the badge, the evidence, related sections, feedback.

Every string that comes from a document or from the engine goes through `md` (escaped
Markdown) or into a table cell or a code block; nothing is rendered as HTML. The evidence is
ordered for a phone: a citation card first (document, table, row, column, figure), the page
region of the original second, the whole table last (collapsed).
"""

from __future__ import annotations

import re

import streamlit as st

from app.answer.compose import table_ref
from app.chat.charts import altair_chart, chart_data
from app.chat.figures import OPERATION_NAMES, cell_as_printed, headline
from app.chat.service import ChatService, Option, Question, Scope, Turn
from app.chat.sources import TableSource, TextSource, answer_sources, column_name, md, styled
from app.engine import AUDIT_NOTE_LEAD
from app.llm import took_part

PENDING = "pending"  # session-state key: a question chosen by a button, asked on the next run
CONVERSATION = "conversation"  # session-state key: the saved conversation's id
MAX_OPTION_BUTTONS = 8
_RULE_CODE = re.compile(r"审核提示\s*[A-Z]\d{2}\s*（")
_COVERAGE = "已收录的文件："
_CJK = re.compile(r"[\u4e00-\u9fff]")
_SAID_TWICE = re.compile(r"(说明部分)(?:和说明部分)+")  # 数据来自说明部分和说明部分 → once
_COLUMN_PATH = re.compile(r"“([^”]*? › [^”]*)”栏")


def _column_as_read(m: re.Match) -> str:
    """“2024年预算数 › 合计”栏 → “合计”栏（2024年预算数）: a column by its name, its group in brackets."""
    parts = [p for p in m.group(1).split(" › ") if p]
    return f"“{parts[-1]}”栏（{'·'.join(parts[:-1])}）" if len(parts) > 1 else m.group(0)
_OPERATION_CODE = re.compile(r"(?<![A-Za-z_])(" + "|".join(OPERATION_NAMES) + r")(?![A-Za-z_])")


def _operation_name(m: re.Match) -> str:
    """The engine's operation codes (lookup, change …) in a check's wording, as readers say them."""
    return {"extreme": "找最多或最少的一项", "breakdown": "构成"}.get(m.group(1), OPERATION_NAMES[m.group(1)])


def ask_later(question: Question) -> None:
    """Button callback: the question is asked at the top of the next run, like a typed one."""
    st.session_state[PENDING] = question


def _choice(turn: Turn, option: Option) -> Question:
    return Question(turn.asked, f"{turn.shown}（{option.label}）", turn.context_before, option)


def render_turn(svc: ChatService, turn: Turn, number: int, latest: bool, scope: Scope, docs) -> None:
    with st.chat_message("user"):
        st.markdown(md(turn.shown))
    with st.chat_message("assistant"):
        render_answer(svc, turn, number, latest, scope, docs)


def inherited(answer) -> dict:
    """What the engine carried into this question from the one before (Answer.inherited)."""
    found = getattr(answer, "inherited", None)
    if found is None:
        found = answer.to_dict().get("inherited")
    return found or {}


def _chip(turn: Turn, number: int, latest: bool) -> None:
    carried = inherited(turn.answer)
    if not carried or turn.context_before is None:
        return
    words = []
    for key, value in carried.items():
        if isinstance(value, (list, tuple)):
            value = "、".join(str(v) for v in value if v)
        if key == "year" and str(value).isdigit():
            value = f"{value}年"
        elif key == "years":
            value = value + "年"
        elif key == "operation":
            value = OPERATION_NAMES.get(str(value), "")
        if isinstance(value, (str, int)) and str(value) and not key.endswith("offset"):
            words.append(str(value))
    if not words:
        return
    st.button(md("沿用：" + " · ".join(words)), key=f"chip-{number}", icon=":material/close:", type="tertiary",
              help="去掉沿用的条件，重新提问", disabled=not latest,
              on_click=ask_later, args=(Question(turn.asked, turn.shown, None),))


def render_answer(svc: ChatService, turn: Turn, number: int, latest: bool, scope: Scope, docs) -> None:
    answer = turn.answer
    _chip(turn, number, latest)
    if turn.scoped is not None:
        st.caption(md(f"已按左侧筛选，只在 {turn.scoped} 份文件中查找。"))
    if turn.chosen:
        st.caption(md(f"按所选文件回答：{turn.chosen}"))
    if answer.status == "clarify":
        _clarify(svc, turn, number, latest)
        return
    if answer.status != "answered":
        _no_answer(svc, turn, number, latest, scope, docs)
        _feedback(svc, turn, number)
        st.caption(md(f"用时 {turn.seconds * 1000:.0f} 毫秒"))
        return
    shown = headline(answer, turn.operation, turn.items)
    if shown is not None:
        st.metric(shown.label, shown.value, shown.delta or None, delta_color="off", delta_arrow="off")
        if shown.other:
            st.caption(md(f"（{shown.other}）"))
    # the audit notes are shown in their own box below, so the text stops where they begin
    text = answer.text.split(AUDIT_NOTE_LEAD)[0] if answer.notes else answer.text
    st.markdown(md(_COLUMN_PATH.sub(_column_as_read, _SAID_TWICE.sub(r"\1", text))))
    _badge(answer)
    if answer.calculation:
        st.markdown("**计算**")
        st.code(answer.calculation, language=None, wrap_lines=True)
    if answer.notes:  # the audit: a figure used here takes part in a finding about the document
        st.info("  \n".join(md(_RULE_CODE.sub("审核提示（", n)) for n in answer.notes), icon=":material/fact_check:")
    if latest:
        data = chart_data(answer, turn.operation)
        if data is not None:
            st.altair_chart(altair_chart(data), width="stretch")
    if turn.sources is None:
        turn.sources = answer_sources(answer, svc.disclosure)
    if turn.sources:
        if latest:
            _evidence(svc, turn, number, docs)
        else:  # earlier turns: the citation only (no chart, table or page), so the next question's
            # echo is not held up by redrawing the conversation
            with st.expander(f"来源（{len(turn.sources)}）"):
                _sources(turn.sources, turn)
    _related(answer, expanded=False)
    _feedback(svc, turn, number)
    st.caption(md(f"用时 {turn.seconds * 1000:.0f} 毫秒"))


def _clarify(svc: ChatService, turn: Turn, number: int, latest: bool) -> None:
    """The question once, the documents once (as buttons); answered clarifies keep theirs disabled."""
    st.markdown(md(turn.answer.text.split("：")[0] + "："))
    options = svc.options(turn.answer)
    if len(options) <= MAX_OPTION_BUTTONS:
        for j, option in enumerate(options):
            st.button(md(option.label), key=f"choose-{number}-{j}", icon=":material/description:",
                      disabled=not latest, on_click=ask_later, args=(_choice(turn, option),))
    else:  # dozens of documents: a list to pick from beats a wall of buttons
        picked = st.selectbox("选择文件", options, format_func=lambda o: o.label, key=f"pick-{number}",
                              disabled=not latest)
        st.button("就问这份文件", key=f"choose-{number}", icon=":material/description:", disabled=not latest,
                  on_click=ask_later, args=(_choice(turn, picked),))


def _no_answer(svc: ChatService, turn: Turn, number: int, latest: bool, scope: Scope, docs) -> None:
    """What is missing in one sentence, what the documents cover in one line, what they say nearest
    to the question, and questions that do answer — never the full file list."""
    small_talk = any(c.name == "question" and not c.ok for c in turn.answer.checks)  # 你好, 谢谢
    said = turn.answer.text.split(_COVERAGE)[0].split("请直接提问")[0].strip()
    if small_talk:
        st.markdown(md(said))
    else:
        st.info(md(said), icon=":material/search_off:")
    if docs:
        st.caption(md(svc.coverage(docs)))
    if not small_talk:
        _related(turn.answer, expanded=True)
    if latest:
        suggestions(svc, scope, docs, f"nosuggest-{number}")
    # the checks a reader can use (the engine's English details of a non-question stay in the log)
    failed = [c for c in turn.answer.checks if not c.ok and c.name not in ("documents", "question")
              and _CJK.search(c.detail)]
    if failed:
        with st.expander("未通过的核对"):
            for check in failed:
                st.markdown(f":material/error_outline: {md(check.detail)}")


def suggestions(svc: ChatService, scope: Scope, docs, key: str) -> None:
    found = svc.suggestions(scope, docs) if docs else []
    if found:
        st.markdown("**猜你想问**")
        for k, s in enumerate(found):
            st.button(md(s.question), key=f"{key}-{k}", icon=":material/lightbulb:",
                      on_click=ask_later, args=(Question(s.question, s.question, None),))


def _badge(answer) -> None:
    if answer.verified:
        st.badge("已核验", icon=":material/verified:", color="green")
    if answer.llm:  # a language model took part (app/llm/)
        st.caption(md(took_part(answer.llm)))
    with st.expander(f"核验详情（{len(answer.checks)} 项）" if answer.checks else "核验详情"):
        if not answer.checks:
            st.caption("没有核验记录。")
        for check in answer.checks:
            mark = ":green[:material/check_circle:]" if check.ok else ":orange[:material/info:]"
            detail = _RULE_CODE.sub("审核提示（", _OPERATION_CODE.sub(_operation_name, check.detail))
            st.markdown(f"{mark} {md(detail)}")


def _related(answer, expanded: bool) -> None:
    related = getattr(answer, "related", None) or []
    if not related:
        return
    title = "文件中与问题最接近的内容" if expanded else f"相关内容（{len(related)}）"
    with st.expander(title, expanded=expanded):
        for item in related:
            st.caption(md(f"《{item['title']}》 · {item['locator']}"))
            st.markdown(md(item["snippet"]))


def _feedback(svc: ChatService, turn: Turn, number: int) -> None:
    """👍/👎 stored with the question, the answer JSON and its documents; then an optional comment."""
    conversation = st.session_state.get(CONVERSATION)
    key = f"fb-{conversation}-{turn.seq if turn.seq is not None else number}"
    st.feedback("thumbs", key=key, on_change=_rated, args=(svc, turn, key, conversation))
    saved = st.session_state.get(f"{key}-id")
    if saved is not None:
        with st.form(f"{key}-form", border=False, clear_on_submit=True):
            comment = st.text_input("补充说明（可选）", key=f"{key}-comment", placeholder="哪里不对，或还想知道什么")
            if st.form_submit_button("提交说明") and comment.strip():
                svc.history.set_comment(saved, comment)
                st.session_state[f"{key}-said"] = True
        if st.session_state.get(f"{key}-said"):
            st.caption("已记下，谢谢。")


def _rated(svc: ChatService, turn: Turn, key: str, conversation: str | None) -> None:
    value = st.session_state.get(key)
    if value is None:
        return
    rating = 1 if value == 1 else -1
    st.session_state[f"{key}-id"] = svc.history.add_feedback(rating, turn.shown, turn.answer.to_dict(), "",
                                                             conversation, turn.seq)


# --- evidence --------------------------------------------------------------------------------


def _evidence(svc: ChatService, turn: Turn, number: int, docs) -> None:
    """Citation card, then the page region of the original, then the whole table (collapsed)."""
    st.markdown("**来源**")
    first_table = next((s for s in turn.sources if isinstance(s, TableSource)), None)
    for source in turn.sources:
        if isinstance(source, TableSource):
            _card(turn, source)
        elif isinstance(source, TextSource):
            _text(source)
    if turn.evidence is None:
        turn.evidence = svc.page_crop(turn, docs) or False
    if turn.evidence:
        crop = turn.evidence
        st.image(crop.png, caption=f"原文第{crop.page}页（框出的是答案用到的位置）", width="stretch")
        st.download_button("下载原文件", crop.path.read_bytes(), file_name=crop.path.name, mime="application/pdf",
                           icon=":material/picture_as_pdf:", key=f"original-{number}")
    tables = [s for s in turn.sources if isinstance(s, TableSource)]
    if first_table is not None and not turn.evidence:  # no page to show: the excerpt with the used cells
        for k, source in enumerate(tables):
            _table(source, number, k, whole=False)
    if any(s.excerpt for s in tables) or (tables and turn.evidence):
        with st.expander("查看整张表"):
            for k, source in enumerate(tables):
                _table(source, number, k, whole=True)


def _card(turn: Turn, source: TableSource) -> None:
    """Document, table, row, column and figure of each used cell, one short line each."""
    with st.container(border=True):
        st.markdown(md(f"《{source.doc_title}》"))
        st.caption(md(" · ".join(p for p in (f"{table_ref(source.table_key)}《{source.title}》", source.pages,
                                             f"单位：{source.unit}") if p)))
        for record in turn.answer.facts:
            fact = record.fact
            if fact.doc_id != source.doc_id or fact.locator.table != source.table_key:
                continue
            row = record.row.name if record.row is not None else ""
            table = record.table
            column = column_name(table, fact.locator.column) if table is not None else ""
            where = " · ".join(p for p in (row, column) if p)
            st.markdown(f"{md(where)}：**{md(cell_as_printed(fact))}**" + (f" {md(source.unit)}" if source.unit else ""))


def _sources(sources, turn: Turn) -> None:
    for source in sources:
        if isinstance(source, TableSource):
            _card(turn, source)
        elif isinstance(source, TextSource):
            _text(source)


def _table(source: TableSource, number: int, k: int, whole: bool = False) -> None:
    """The table without a toolbar (st.table): its header rows as printed, the used cells marked."""
    st.caption(md(" · ".join(p for p in (f"{table_ref(source.table_key)}《{source.title}》", source.pages,
                                         f"单位：{source.unit}") if p)))
    frame, marked = (source.full, source.full_marked) if whole and source.excerpt else (source.frame, source.marked)
    st.table(styled(frame, marked), hide_index=True)


def _text(source: TextSource) -> None:
    page = f"第{source.page}页" if source.page else ""
    st.caption(md(" · ".join(p for p in (f"《{source.doc_title}》", source.where, page) if p)))
    with st.container(border=True):
        st.markdown(source.markdown)
