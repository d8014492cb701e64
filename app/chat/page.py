"""The Streamlit page (run by `budgetqa chat`): load once, replay history, echo, ask, render.

The data directory comes from BUDGETQA_HOME (the launcher sets it from --home). The
conversation is saved as it goes (app/chat/history.py) and named in the address (?c=…), so a
reload reopens it. The main area is drawn before the sidebar: the question typed is echoed with a
“正在查找…” bubble where its answer will appear before anything slow runs.
"""

from __future__ import annotations

import logging
import time

import streamlit as st

from app.chat.answer_view import CONVERSATION, PENDING, render_answer, render_turn, suggestions
from app.chat.look import apply_look
from app.chat.service import ChatService, Question, log_to_data_directory
from app.chat.sidebar_view import CONTEXT, HISTORY, render_sidebar, scope_from_state
from app.chat.sources import md
from app.settings import Settings

RUN_STARTED = time.perf_counter()
log = logging.getLogger("app.chat.page")
st.set_page_config(page_title="预算问答", page_icon=":material/account_balance:", layout="wide")
PLACEHOLDER = "输入问题，如：三公经费是多少？"
ECHO_FLUSH = 0.03  # seconds


@st.cache_resource(show_spinner="正在打开文档库…")
def service(home: str) -> ChatService:
    settings = Settings.load(home)
    log_to_data_directory(settings.home)
    return ChatService(settings)


apply_look()
svc = service(str(Settings.load().home))
docs = svc.documents()
scope = scope_from_state()
st.session_state.setdefault(HISTORY, [])
st.session_state.setdefault(CONTEXT, None)
st.session_state.setdefault(CONVERSATION, None)

wanted = st.query_params.get("c")
if wanted and (wanted != st.session_state[CONVERSATION] or st.session_state[HISTORY] is None):
    if svc.history.exists(wanted):  # a reload, or a conversation chosen in the sidebar
        st.session_state[HISTORY], st.session_state[CONTEXT] = svc.replay(wanted, scope, docs)
        st.session_state[CONVERSATION] = wanted
    else:
        st.query_params.clear()
        st.session_state[HISTORY], st.session_state[CONTEXT], st.session_state[CONVERSATION] = [], None, None
if st.session_state[HISTORY] is None:
    st.session_state[HISTORY] = []

st.markdown("### 预算问答")
typed = st.chat_input(PLACEHOLDER)
pending = st.session_state.pop(PENDING, None)
if typed and typed.strip():
    pending = Question(typed.strip(), typed.strip(), st.session_state[CONTEXT])

history = st.session_state[HISTORY]
if not history and not pending:
    with st.chat_message("assistant"):
        st.markdown("你好！我回答已导入的预算、决算公开文件中的问题：每个数字都注明出自哪张表、哪一格，并经过核验。")
        if docs:
            st.caption(md(svc.coverage(docs)))
            suggestions(svc, scope, docs, "suggest")
        else:
            st.info("还没有导入文件：请在左侧上传预算或决算文件。")
for number, turn in enumerate(history):
    render_turn(svc, turn, number, latest=number == len(history) - 1 and not pending, scope=scope, docs=docs)
if pending:
    with st.chat_message("user"):
        st.markdown(md(pending.shown))
    with st.chat_message("assistant"):
        slot = st.empty()
        slot.markdown("正在查找…")
        echoed = time.perf_counter() - RUN_STARTED
        time.sleep(ECHO_FLUSH)  # the server's loop sends the echo while the answer is worked out
        turn, st.session_state[CONTEXT] = svc.answer(pending, scope, docs)
        st.session_state[CONVERSATION] = svc.save(st.session_state[CONVERSATION], pending, turn)
        st.query_params["c"] = st.session_state[CONVERSATION]
        history.append(turn)
        with slot.container():
            render_answer(svc, turn, len(history) - 1, latest=True, scope=scope, docs=docs)
        log.info("chat run: question echoed at %.0f ms, answer drawn at %.0f ms", echoed * 1000,
                 (time.perf_counter() - RUN_STARTED) * 1000)
if history:
    st.caption(md(f"共 {len(history)} 轮对话；追问（如“那2023年呢？”）会沿用上一问的单位、年度和项目。"))

render_sidebar(svc, docs)
