"""Drawing one turn of the chat: the figure, the text, the badge, the calculation, chart, sources.

Every string that comes from a document or from the engine goes through `md` (escaped
Markdown) or into a table cell or a code block; nothing is rendered as HTML.
"""

from __future__ import annotations

import streamlit as st

from app.answer.calc import fmt_money, fmt_percent, fmt_wan
from app.chat.charts import altair_chart, chart_data
from app.chat.service import ChatService, Option, Question, Scope, Turn
from app.chat.sources import TableSource, TextSource, answer_sources, md, styled
from app.engine import AUDIT_NOTE_LEAD

VALUE_LABELS = {
    "lookup": "数额", "change": "增减", "share": "占比", "sum": "合计", "breakdown": "合计",
    "extreme": "数额", "count": "个数", "yes_no": "数额", "execution": "预算执行率",
}
PENDING = "pending"  # session-state key: a question chosen by a button, asked on the next run
MAX_OPTION_BUTTONS = 8


def ask_later(question: Question) -> None:
    """Button callback: the question is asked at the top of the next run, like a typed one."""
    st.session_state[PENDING] = question


def _choice(turn: Turn, option: Option) -> Question:
    return Question(turn.asked, f"{turn.shown}（{option.label}）", turn.context_before, option)


def figure(value, unit: str | None) -> str:
    if unit == "元":
        return f"{fmt_money(value)} 元"
    if unit == "%":
        return f"{fmt_percent(value)}%"
    return f"{value.normalize():f} {unit or ''}".strip()


def render_turn(svc: ChatService, turn: Turn, number: int, latest: bool, scope: Scope, docs) -> None:
    with st.chat_message("user"):
        st.markdown(md(turn.shown))
    with st.chat_message("assistant"):
        render_answer(svc, turn, number, latest, scope, docs)


def render_answer(svc: ChatService, turn: Turn, number: int, latest: bool, scope: Scope, docs) -> None:
    answer = turn.answer
    if turn.scoped is not None:
        st.caption(md(f"已按左侧筛选，只在 {turn.scoped} 份文件中查找。"))
    if turn.chosen:
        st.caption(md(f"按所选文件回答：{turn.chosen}"))
    if answer.status == "clarify":
        st.markdown(md(answer.text))
        options = svc.options(answer)
        if len(options) <= MAX_OPTION_BUTTONS:
            for j, option in enumerate(options):
                st.button(option.label, key=f"choose-{number}-{j}", icon=":material/description:",
                          on_click=ask_later, args=(_choice(turn, option),))
        else:  # dozens of documents: a list to pick from beats a wall of buttons
            picked = st.selectbox("选择文件", options, format_func=lambda o: o.label, key=f"pick-{number}")
            st.button("就问这份文件", key=f"choose-{number}", icon=":material/description:",
                      on_click=ask_later, args=(_choice(turn, picked),))
        return
    if answer.status != "answered":
        st.warning(md(answer.text), icon=":material/search_off:")
        _failed_checks(answer)
        return
    if answer.value is not None:
        label = VALUE_LABELS.get(turn.operation or "", "结果")
        st.metric(label, figure(answer.value, answer.unit))
        if answer.unit == "元" and abs(answer.value) >= 10000:
            st.caption(md(f"合 {fmt_wan(answer.value)} 万元"))
    # the audit notes are shown in their own box below, so the text stops where they begin
    st.markdown(md(answer.text.split(AUDIT_NOTE_LEAD)[0] if answer.notes else answer.text))
    _badge(answer)
    if answer.calculation:
        st.markdown("**计算**")
        st.code(answer.calculation, language=None, wrap_lines=True)
    if answer.notes:  # the audit: a figure used here takes part in a finding about the document
        st.warning("  \n".join(md(n) for n in answer.notes), icon=":material/fact_check:")
    data = chart_data(answer, turn.operation)
    if data is not None:
        st.altair_chart(altair_chart(data), width="stretch")
    if turn.sources is None:
        turn.sources = answer_sources(answer, svc.disclosure)
    if turn.sources:
        if latest:
            _sources(turn.sources, number, whole_tables=True)
        else:  # earlier turns: the excerpts only, so a long conversation stays quick to redraw
            with st.expander(f"来源（{len(turn.sources)}）"):
                _sources(turn.sources, number, whole_tables=False)
    st.caption(md(f"用时 {turn.seconds * 1000:.0f} 毫秒"))


def _badge(answer) -> None:
    if answer.verified:
        st.badge("已核验", icon=":material/verified:", color="green")
    with st.expander(f"核验详情（{len(answer.checks)} 项）" if answer.checks else "核验详情"):
        if not answer.checks:
            st.caption("没有核验记录。")
        for check in answer.checks:
            mark = "✅" if check.ok else "⚠️"
            st.markdown(f"{mark} {md(check.detail)}")


def _failed_checks(answer) -> None:
    failed = [c for c in answer.checks if not c.ok and c.name != "documents"]
    if failed:
        with st.expander("未通过的核对"):
            for check in failed:
                st.markdown(f"⚠️ {md(check.detail)}")


def _sources(sources, number: int, whole_tables: bool) -> None:
    st.markdown("**来源**")
    for k, source in enumerate(sources):
        if isinstance(source, TableSource):
            _table(source, number, k, whole_tables)
        elif isinstance(source, TextSource):
            _text(source)


def _table(source: TableSource, number: int, k: int, whole_tables: bool) -> None:
    where = " · ".join(p for p in (f"《{source.doc_title}》", f"{source.table_key}《{source.title}》",
                                   source.pages, f"单位：{source.unit}") if p)
    st.caption(md(where))
    st.dataframe(styled(source.frame, source.marked), hide_index=True, width="stretch",
                 key=f"source-{number}-{k}")
    if source.excerpt:
        st.caption(md(f"摘录：用到的数字所在的行和栏（{len(source.frame)} 行 × {len(source.frame.columns)} 栏，"
                      f"全表 {source.total_rows} 行 × {len(source.full.columns)} 栏）。"))
    if source.excerpt and whole_tables:
        with st.expander("查看整张表"):
            st.dataframe(styled(source.full, source.full_marked), hide_index=True, width="stretch",
                         key=f"source-full-{number}-{k}")


def _text(source: TextSource) -> None:
    page = f"第{source.page}页" if source.page else ""
    st.caption(md(" · ".join(p for p in (f"《{source.doc_title}》", source.where, page) if p)))
    with st.container(border=True):
        st.markdown(source.markdown)
