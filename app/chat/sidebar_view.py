"""The sidebar: filters by issuer and year, the document library, uploads, a new conversation."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app.chat.service import ChatService, Scope
from app.chat.sources import md
from app.chat.uploads import FORMATS, UPLOAD_LIMIT_MB
from index.facts import DocumentSummary

HISTORY, CONTEXT, OUTCOMES = "history", "context", "upload_outcomes"  # session-state keys


def render_sidebar(svc: ChatService) -> tuple[Scope, list[DocumentSummary]]:
    """Draws the sidebar; an upload is ingested before the library and filters are drawn, so
    both already show the new document. Returns the filter and the stored documents."""
    with st.sidebar:
        st.title("BudgetQA 预算问答")
        st.caption("每个数字都取自公开文件的表格，注明出处，并经计算器核验。")
        st.button("新对话", icon=":material/add_comment:", on_click=_new_conversation, width="stretch")
        top = st.container()
        st.divider()
        _upload(svc)
        docs = svc.documents()
        with top:
            scope = _filters(docs)
            _library(svc, docs)
    return scope, docs


def _new_conversation() -> None:
    st.session_state[HISTORY] = []
    st.session_state[CONTEXT] = None


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
    if not docs:
        st.info("还没有导入文件。请在下方上传预算或决算文件，或运行 budgetqa ingest。")
        return
    names = svc.short_names(docs)
    frame = pd.DataFrame([{"发布单位": names[d.doc_id], "年度": str(d.year or "—"),
                           "类型": f"{d.scope or ''}{d.kind or ''}" or "—", "表格": d.tables,
                           "提示": len(d.warnings)} for d in docs])
    st.dataframe(frame, hide_index=True, width="stretch", height=min(38 + 35 * len(docs), 320),
                 key="library")
    with st.expander("文件名称"):
        st.markdown("  \n".join(f"· {md(d.title)}（{md(d.source)}）" for d in docs))
    warned = [d for d in docs if d.warnings]
    if warned:
        with st.expander(f"导入提示（{sum(len(d.warnings) for d in warned)} 条）"):
            for d in warned:
                st.markdown(f"**{md(d.title)}**  \n" + "  \n".join(f"· {md(w)}" for w in d.warnings))


def _upload(svc: ChatService) -> None:
    st.subheader("上传文件")
    kinds = "、".join(f.upper() for f in FORMATS if f != "htm")
    with st.form("upload", clear_on_submit=True, border=False):
        files = st.file_uploader(f"{kinds}，单个文件不超过 {UPLOAD_LIMIT_MB} MB", type=list(FORMATS),
                                 accept_multiple_files=True, key="upload_files", max_upload_size=UPLOAD_LIMIT_MB)
        submitted = st.form_submit_button("导入", icon=":material/upload_file:", width="stretch")
    if submitted and files:
        progress = st.progress(0.0, text="准备导入…")

        def on_file(i: int, name: str) -> None:
            progress.progress(i / len(files), text=f"正在导入 {name}（{i + 1}/{len(files)}）…")

        with st.spinner("正在解析并建立索引（大文件需要几十秒）…"):
            outcomes = svc.upload([(f.name, f.getvalue()) for f in files], on_file)
        progress.progress(1.0, text="导入完成")
        st.session_state[OUTCOMES] = outcomes
    elif submitted:
        st.session_state[OUTCOMES] = []
        st.warning("请先选择要上传的文件。")
    for outcome in st.session_state.get(OUTCOMES, []):
        if outcome.error:
            st.error(md(outcome.error), icon=":material/error:")
        else:
            d = outcome.document
            again = "（此前已导入，未改变）" if d.status != "added" else ""
            if d.facts:
                st.success(md(f"已导入《{d.title}》{again}：{d.tables} 个表格、{d.facts} 个数字。"),
                           icon=":material/check_circle:")
            else:  # taken for a disclosure by its words, but nothing in it can answer a figure question
                st.warning(md(f"已导入《{d.title}》{again}，但其中没有找到表格或数字，只能回答文字问题。"),
                           icon=":material/warning:")
