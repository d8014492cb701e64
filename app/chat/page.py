"""The Streamlit page (run by `budgetqa chat`): load once, replay history, ask, render.

The data directory comes from BUDGETQA_HOME (the launcher sets it from --home).
"""

from __future__ import annotations

import streamlit as st

from app.chat.answer_view import PENDING, ask_later, render_turn
from app.chat.service import ChatService, Question, log_to_data_directory
from app.chat.sidebar_view import CONTEXT, HISTORY, render_sidebar
from app.chat.sources import md
from app.settings import Settings

st.set_page_config(page_title="BudgetQA 预算问答", page_icon=":material/account_balance:", layout="wide")


@st.cache_resource(show_spinner="正在打开文档库…")
def service(home: str) -> ChatService:
    settings = Settings.load(home)
    log_to_data_directory(settings.home)
    return ChatService(settings)


svc = service(str(Settings.load().home))
st.session_state.setdefault(HISTORY, [])
st.session_state.setdefault(CONTEXT, None)
scope, docs = render_sidebar(svc)

typed = st.chat_input("用中文提问，例如：今年“三公”经费是多少？那上年呢？")
pending = st.session_state.pop(PENDING, None)
if typed and typed.strip():
    pending = Question(typed.strip(), typed.strip(), st.session_state[CONTEXT])
if pending:
    with st.spinner("正在查找并核验…"):
        turn, st.session_state[CONTEXT] = svc.answer(pending, scope, docs)
    st.session_state[HISTORY].append(turn)

history = st.session_state[HISTORY]
if not history:
    with st.chat_message("assistant"):
        st.markdown("你好！我回答已导入的预算、决算公开文件中的问题：每个数字都注明出自哪张表、哪一格，并经过核验。")
        suggestions = svc.suggestions(scope, docs) if docs else []
        if suggestions:
            st.markdown("可以试试：")
            for k, s in enumerate(suggestions):
                st.button(s.question, key=f"suggest-{k}", icon=":material/lightbulb:",
                          on_click=ask_later, args=(Question(s.question, s.question, None),))
        elif not docs:
            st.info("还没有导入文件：请在左侧上传预算或决算文件。")
for number, turn in enumerate(history):
    render_turn(svc, turn, number, latest=number == len(history) - 1, scope=scope, docs=docs)
if history:
    st.caption(md(f"共 {len(history)} 轮对话；追问（如“那2023年呢？”）会沿用上一问的单位、年度和项目。"))
