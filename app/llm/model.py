"""The chat model behind a small protocol, and the two ways BudgetQA calls it.

`ChatModel` is what LangChain's chat models already are (`invoke(messages)` → a message with
`.content`; optionally `with_structured_output`): production passes `ChatOpenAI` against any
OpenAI-compatible endpoint (Ollama, vLLM, a hosted Qwen/DeepSeek); tests pass LangChain's fake
chat models. `langchain_openai` is imported only in `openai_chat_model`, i.e. only when a model is
configured, so `budgetqa ask` without one starts exactly as before.

Nothing here counts tokens: `tiktoken` (which ChatOpenAI uses for get_num_tokens) downloads its
encodings on first use, and BudgetQA must run offline. Prompts are kept short by characters.

Every call goes through `Caller`: a failure of the endpoint (down, refusing, slower than the
timeout after its retries) becomes a ModelUnavailableError with a Chinese notice, and the endpoint
is then left alone for a while (`PAUSE`) so that a dead server costs one timeout, not one per question.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from typing import Any, Protocol, runtime_checkable

from ingest.errors import ModelUnavailableError

log = logging.getLogger(__name__)

RETRIES = 1  # one retry of a failed request (the openai client backs off between tries)
PAUSE = 60.0  # seconds the endpoint is not asked again after it failed
NOTICE_DOWN = "语言模型服务暂时无法连接"
NOTICE_SLOW = "语言模型服务响应超时"
NOTICE_REFUSED = "语言模型服务拒绝了请求"
_JSON = re.compile(r"\{.*\}", re.DOTALL)


@runtime_checkable
class ChatModel(Protocol):
    """A LangChain chat model (BaseChatModel): invoke(messages) → AIMessage."""

    def invoke(self, input: Any, config: Any = None, **kwargs: Any) -> Any: ...


def openai_chat_model(base_url: str, model: str, api_key: str | None, timeout: float) -> ChatModel:
    """ChatOpenAI against an OpenAI-compatible endpoint (imported here: only with a model configured)."""
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(base_url=base_url, model=model, api_key=api_key or "not-needed", timeout=timeout,
                      max_retries=RETRIES, temperature=0)


def _notice(exc: BaseException) -> str:
    name = type(exc).__name__.lower()
    if "timeout" in name or isinstance(exc, TimeoutError):
        return NOTICE_SLOW
    if "connect" in name or isinstance(exc, (ConnectionError, OSError)):
        return NOTICE_DOWN
    if getattr(exc, "status_code", None) is not None:
        return NOTICE_REFUSED
    return NOTICE_DOWN


def reply_json(text: str) -> dict | None:
    """The JSON object in a model's text reply (a fenced block or prose around it is tolerated)."""
    match = _JSON.search(text or "")
    if not match:
        return None
    try:
        data = json.loads(match.group(0))
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _text(message: Any) -> str:
    content = getattr(message, "content", message)
    if isinstance(content, list):  # content blocks
        return "".join(b.get("text", "") if isinstance(b, dict) else str(b) for b in content)
    return str(content or "")


class Caller:
    """Calls one chat model; an endpoint failure is a ModelUnavailableError (and a pause)."""

    def __init__(self, model: ChatModel):
        self.model = model
        self._down_until = 0.0
        self._down_notice = NOTICE_DOWN
        self._lock = threading.Lock()

    def _guard(self, fn):
        with self._lock:
            if time.monotonic() < self._down_until:
                raise ModelUnavailableError(self._down_notice, "language model paused after a failure")
        try:
            return fn()
        except ModelUnavailableError:
            raise
        except Exception as exc:  # noqa: BLE001 - any failure of the remote model is "unavailable" here
            notice = _notice(exc)
            with self._lock:
                self._down_until = time.monotonic() + PAUSE
                self._down_notice = notice
            log.warning("language model call failed: %s: %s", type(exc).__name__, exc)
            raise ModelUnavailableError(notice, f"{type(exc).__name__}: {exc}") from exc

    def text(self, messages: list[tuple[str, str]]) -> str:
        return _text(self._guard(lambda: self.model.invoke(messages)))

    def structured(self, schema: dict, messages: list[tuple[str, str]]) -> dict | None:
        """The reply as a JSON object: through the model's structured output (a tool call) where
        it has one, else from the JSON the prompt asks it to write; None when the reply has none."""
        try:
            runnable = self.model.with_structured_output(schema, method="function_calling", include_raw=True)
        except (AttributeError, NotImplementedError):
            runnable = None  # a model without tool calling: the prompt's JSON in the text
        if runnable is None:
            return reply_json(self.text(messages))
        try:
            out = self._guard(lambda: runnable.invoke(messages))
        except ModelUnavailableError as exc:
            if exc.message != NOTICE_REFUSED:
                raise
            with self._lock:  # a server without tool calling refuses the request: ask for the JSON as text
                self._down_until = 0.0
            return reply_json(self.text(messages))
        parsed = out.get("parsed") if isinstance(out, dict) else None
        if isinstance(parsed, dict):
            return parsed
        return reply_json(_text(out.get("raw"))) if isinstance(out, dict) else None
