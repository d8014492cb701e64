"""The fault barrier: one question's failure is that question's answer, never the batch's or the chat's.

The engine calls each stage of a turn through `staged(stage, fn, …)`. An unexpected exception
inside a stage is wrapped once, at the innermost stage it passed through, in a `StageFailure`
that names the stage; `failure_answer` (called by the engine's one barrier around a turn) logs the
English detail with the traceback in budgetqa.log and gives the user an Answer with status
"error" and a Chinese message saying which step failed. Errors a stage is expected to raise (a
calculation the documents' figures do not allow: CalcError) pass through unwrapped, for the
engine to turn into its own no_answer.
"""

from __future__ import annotations

import logging

from app.answer.compose import ERROR, Answer, Check

log = logging.getLogger("app.engine")

# The stages of one turn, with the words the user reads for each (their order is the pipeline's).
STAGES = {
    "understand": "理解问题",
    "plan": "查找数据",
    "calc": "计算",
    "verify": "核验",
    "audit notes": "附加审核提示",
    "compose": "组织答案",
    "text passages": "查找原文",
    "related": "检索相关段落",
}
UNKNOWN_STAGE = "engine"


class StageFailure(Exception):
    """An unexpected exception inside one stage of a turn (the original is its __cause__)."""

    def __init__(self, stage: str, error: BaseException):
        super().__init__(f"{stage}: {type(error).__name__}: {error}")
        self.stage = stage
        self.error = error


def staged(stage: str, fn, *args, passes: tuple[type[BaseException], ...] = (), **kwargs):
    """fn(*args, **kwargs), with an unexpected exception named by the stage it happened in.
    `passes`: exceptions the caller handles itself (they are not failures of the engine)."""
    try:
        return fn(*args, **kwargs)
    except StageFailure:
        raise  # already named by an inner stage: the innermost name says the most
    except passes:
        raise
    except Exception as exc:  # noqa: BLE001 - the barrier: any bug becomes this question's error
        raise StageFailure(stage, exc) from exc


def failure_answer(question: str, exc: Exception) -> Answer:
    """The Answer for a turn that failed: status error, a Chinese message, the detail in the log."""
    stage = exc.stage if isinstance(exc, StageFailure) else UNKNOWN_STAGE
    error = exc.error if isinstance(exc, StageFailure) else exc
    log.error("question %r failed in stage %s: %s: %s", question, stage, type(error).__name__, error,
              exc_info=(type(error), error, error.__traceback__))
    step = STAGES.get(stage, "处理")
    text = (f"抱歉，回答这个问题时在“{step}”这一步出错了，没有给出答案。"
            "其他问题不受影响，可以换个问法再试；详细信息已记录在日志 budgetqa.log 中。")
    return Answer(question=question, status=ERROR, text=text,
                  checks=[Check("error", False, f"{stage}: {type(error).__name__}")])
