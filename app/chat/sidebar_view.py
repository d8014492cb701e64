"""The sidebar: a new conversation, uploads (near the top), saved conversations, filters, the library.

Uploads sit first because that is where a new user starts; each file's result is shown right
below the uploader (and as a toast), a failed file as failed. The library lets a document be
deleted or parsed again. Saved conversations are listed by their first question, newest first.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app.chat.answer_view import CONVERSATION
from app.chat.service import ChatService, Scope
from app.chat.sources import md
from app.chat.uploads import FORMATS, UPLOAD_LIMIT_MB
from index.facts import DocumentSummary
from ingest.standard import coverage, standards

HISTORY, CONTEXT, OUTCOMES = "history", "context", "upload_outcomes"  # session-state keys
LIBRARY_NOTE = "library_note"
CONVERSATIONS_SHOWN = 12


def scope_from_state() -> Scope:
    """The filter as the sidebar's widgets left it (read before the sidebar is drawn)."""
    return Scope(tuple(st.session_state.get("filter_issuers") or ()), tuple(st.session_state.get("filter_years") or ()))


def render_sidebar(svc: ChatService, docs: list[DocumentSummary]) -> Scope:
    with st.sidebar:
        st.button("新对话", icon=":material/add_comment:", on_click=new_conversation, width="stretch",
                  key="new-conversation")
        _upload(svc)
        _conversations(svc)
        scope = _filters(docs)
        _library(svc, docs)
    return scope


def new_conversation() -> None:
    st.session_state[HISTORY] = []
    st.session_state[CONTEXT] = None
    st.session_state[CONVERSATION] = None
    st.query_params.clear()


def open_conversation(conversation_id: str) -> None:
    st.session_state[HISTORY] = None  # replayed at the top of the next run
    st.session_state[CONVERSATION] = conversation_id
    st.query_params["c"] = conversation_id


def delete_conversation(svc: ChatService, conversation_id: str) -> None:
    svc.history.delete(conversation_id)
    if st.session_state.get(CONVERSATION) == conversation_id:
        new_conversation()


def _conversations(svc: ChatService) -> None:
    saved = svc.history.conversations(CONVERSATIONS_SHOWN)
    if not saved:
        return
    st.subheader("对话记录")
    current = st.session_state.get(CONVERSATION)
    for c in saved:
        left, right = st.columns([6, 1], vertical_alignment="center", gap="small")
        left.button(md(c.title), key=f"conv-{c.id}", on_click=open_conversation, args=(c.id,), width="stretch",
                    type="primary" if c.id == current else "tertiary", icon=":material/chat_bubble_outline:")
        right.button("", key=f"conv-del-{c.id}", icon=":material/delete:", help="删除这段对话", type="tertiary",
                     on_click=delete_conversation, args=(svc, c.id))


def _filters(docs: list[DocumentSummary]) -> Scope:
    issuers = sorted({d.issuer for d in docs if d.issuer})
    years = sorted({d.year for d in docs if d.year}, reverse=True)
    st.subheader("筛选")
    chosen_issuers = st.multiselect("发布单位", issuers, key="filter_issuers", placeholder="全部单位")
    chosen_years = st.multiselect("年度", years, key="filter_years", placeholder="全部年度",
                                  format_func=lambda y: f"{y}年")
    scope = Scope(tuple(chosen_issuers), tuple(chosen_years))
    if scope.active:
        kept = sum(scope.keeps(d) for d in docs)
        st.caption(md(f"只在 {kept} 份文件中查找（共 {len(docs)} 份）。"))
    return scope


def _library(svc: ChatService, docs: list[DocumentSummary]) -> None:
    st.subheader(f"文档库（{len(docs)}）")
    note = st.session_state.pop(LIBRARY_NOTE, None)
    if note:
        st.success(md(note), icon=":material/check_circle:")
    if not docs:
        st.info("还没有导入文件。请在上方上传预算或决算文件。")
        return
    names = svc.short_names(docs)
    frame = pd.DataFrame([{"单位": names[d.doc_id], "年度": str(d.year or "—"),
                           "类型": f"{d.scope or ''}{d.kind or ''}" or "—"} for d in docs])
    st.table(frame, hide_index=True)
    with st.expander("管理文件"):
        chosen = st.selectbox("文件", docs, format_func=lambda d: f"{d.title}（{d.source}）", key="manage_doc")
        st.button("重新解析", key="reparse", icon=":material/refresh:", on_click=_reparse, args=(svc, chosen),
                  width="stretch")
        st.button("删除", key="remove", icon=":material/delete:", on_click=_remove, args=(svc, chosen),
                  width="stretch")
        _coverage(svc, chosen)
    warned = [d for d in docs if d.warnings]
    if warned:
        with st.expander(f"导入提示（{sum(len(d.warnings) for d in warned)} 条）"):
            for d in warned:
                st.markdown(f"**{md(d.title)}**  \n" + "  \n".join(f"· {md(w)}" for w in d.warnings))


def _coverage(svc: ChatService, doc: DocumentSummary) -> None:
    """Which standard tables the chosen document holds (with their printed titles), which are
    missing, which stayed unclassified; and the files a split document was read from."""
    if doc is None:
        return
    held = svc.store.get(doc.doc_id)
    if len(held.files) > 1:
        st.caption(md("由多个文件组成：" + "、".join(held.files)))
    report = coverage(held.tables, held.kind)
    names = {s.key: s.name for s in standards().standards}
    lines = [f"· {names.get(f['standard'], f['standard'])}：{f['title']}" for f in report["found"]]
    lines += [f"· 缺少：{names.get(key, key)}" for key in report["missing"]]
    lines += [f"· 未归类：{u['title']}" for u in report["unclassified"]]
    if lines:
        st.markdown("**标准表**  \n" + "  \n".join(md(line) for line in lines))


def _remove(svc: ChatService, doc: DocumentSummary) -> None:
    title = svc.remove(doc.doc_id)
    st.session_state[LIBRARY_NOTE] = f"已删除《{title}》。"


def _reparse(svc: ChatService, doc: DocumentSummary) -> None:
    try:
        done = svc.reparse(doc)
    except Exception as exc:  # noqa: BLE001 - the edge: shown in Chinese, logged in English
        import logging

        logging.getLogger(__name__).exception("re-parse of %s failed", doc.doc_id)
        message = getattr(exc, "message", None) or "重新解析时出错；详情已记入数据目录中的 budgetqa.log。"
        st.session_state[LIBRARY_NOTE] = None
        st.session_state[OUTCOMES] = []
        st.toast(md(message), icon=":material/error:")
        return
    if done is None:
        st.toast(md(f"找不到《{doc.title}》的原文件（只有在本页上传的文件可以重新解析）。"), icon=":material/info:")
    else:
        st.session_state[LIBRARY_NOTE] = f"已重新解析《{done.title}》：{done.tables} 个表格、{done.facts} 个数字。"


def _upload(svc: ChatService) -> None:
    st.subheader("上传文件")
    kinds = "、".join(f.upper() for f in FORMATS if f != "htm")
    with st.form("upload", clear_on_submit=True, border=False):
        files = st.file_uploader(f"{kinds}，单个文件不超过 {UPLOAD_LIMIT_MB} MB", type=list(FORMATS),
                                 accept_multiple_files=True, key="upload_files", max_upload_size=UPLOAD_LIMIT_MB)
        submitted = st.form_submit_button("导入", icon=":material/upload_file:", width="stretch")
    if submitted and files:
        status = st.empty()

        def on_file(i: int, name: str) -> None:
            status.caption(md(f"正在导入 {name}（{i + 1}/{len(files)}），大文件需要几十秒…"))

        outcomes = svc.upload([(f.name, f.getvalue()) for f in files], on_file)
        status.empty()
        st.session_state[OUTCOMES] = outcomes
        failed = sum(1 for o in outcomes if o.error)
        summary = f"导入结束：{len(outcomes) - failed} 个成功" + (f"，{failed} 个失败" if failed else "") + "。"
        st.toast(md(summary), icon=":material/info:" if failed else ":material/check_circle:")
        st.rerun()  # the library, filters and suggestions are drawn again with the new documents
    elif submitted:
        st.session_state[OUTCOMES] = []
        st.info("请先选择要上传的文件。")
    for outcome in st.session_state.get(OUTCOMES, []):
        if outcome.error:
            st.error(md(f"导入失败：{outcome.error}"), icon=":material/error:")
        else:
            d = outcome.document
            again = "（此前已导入，未改变）" if d.status != "added" else ""
            if d.facts:
                st.success(md(f"已导入《{d.title}》{again}：{d.tables} 个表格、{d.facts} 个数字。"),
                           icon=":material/check_circle:")
            else:  # taken for a disclosure by its words, but nothing in it can answer a figure question
                st.info(md(f"已导入《{d.title}》{again}，但其中没有找到表格或数字，只能回答文字问题。"),
                        icon=":material/info:")
