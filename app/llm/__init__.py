"""The optional language model, through LangChain: off unless BUDGETQA_LLM_BASE_URL is set.

    BUDGETQA_LLM_BASE_URL=http://127.0.0.1:11434/v1  BUDGETQA_LLM_MODEL=qwen2.5:7b  budgetqa ask "…"

`configured()` gives the process's Assistant (app/llm/assistant.py) for the environment's
settings, or None; the engine asks it once when it is made. Importing this package costs nothing:
the assistant, LangChain's chat modules and the openai client are imported only when a model is
configured, so `budgetqa ask` without one starts as fast as before.

    app/llm/model.py      ChatModel protocol, ChatOpenAI, timeouts/retries, structured replies
    app/llm/planner.py    the planner fallback: question → structured query → checked Query
    app/llm/summary.py    text answers summarised from passages, every figure in a cited passage
    app/llm/rephrase.py   a verified answer rewritten in plain words, every figure re-verified
    app/llm/assistant.py  where in a turn each of them takes part
    prompts/*.txt         the Chinese templates (prompts/__init__.py checks their placeholders)
"""

from __future__ import annotations

import threading

from app.settings import Settings
from ingest.errors import LanguageModelError

_MADE: dict[tuple, object] = {}
_LOCK = threading.Lock()


def assistant_from_settings(settings: Settings):
    """The Assistant for these settings (None when no model is configured)."""
    if not settings.llm_base_url:
        return None
    if not settings.llm_model:
        raise LanguageModelError("设置了 BUDGETQA_LLM_BASE_URL，但没有用 BUDGETQA_LLM_MODEL 指定模型名称。",
                                 "BUDGETQA_LLM_MODEL is required with BUDGETQA_LLM_BASE_URL")
    from app.llm.assistant import Assistant
    from app.llm.model import openai_chat_model

    try:
        model = openai_chat_model(settings.llm_base_url, settings.llm_model, settings.llm_api_key, settings.llm_timeout)
    except ImportError as exc:
        raise LanguageModelError("使用语言模型需要安装 langchain-openai（见 requirements.txt）。", str(exc)) from exc
    return Assistant(model, settings.llm_model, rephrase=settings.llm_rephrase)


def configured():
    """The process's Assistant for the environment's BUDGETQA_LLM_* settings, made once (or None)."""
    settings = Settings.load()
    key = (settings.llm_base_url, settings.llm_model, settings.llm_api_key, settings.llm_timeout,
           settings.llm_rephrase)
    if not settings.llm_base_url:
        return None
    with _LOCK:
        if key not in _MADE:
            _MADE[key] = assistant_from_settings(settings)
        return _MADE[key]


ROLE_NAMES = {"planner": "理解问题", "summary": "概括原文", "rephrase": "改写答案"}


def took_part(llm: dict) -> str:
    """The chat's one line when a model took part (Answer.llm): which model, doing what."""
    roles = "、".join(ROLE_NAMES.get(r, r) for r in str(llm.get("role", "")).split("+") if r)
    return f"语言模型（{llm.get('model', '')}）参与了本次回答：{roles}；其中的数字均由表格查得并经核验。"
