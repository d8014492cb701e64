"""Rephrasing a verified answer in plain words, then verifying the rewrite as if it were new.

The model gets the question and the verified answer (as data) and returns a rewrite. The rewrite
replaces the answer's text only if the verifier traces every figure in it (app.answer.verify.untraced
against the same facts and computed values), it still states the answer's own figure, it keeps the
direction (增加/减少) and the yes/no of the original, and it carries no instruction-like text.
Anything else discards the rewrite: the deterministic text stands. Answers with audit notes are
not rewritten (the note is quoted as the audit wrote it).
"""

from __future__ import annotations

from dataclasses import replace

from app.answer.calc import fmt_money, fmt_percent, fmt_wan
from app.answer.compose import Answer, Check
from app.answer.verify import untraced
from app.llm.summary import INSTRUCTION, numbers

REPHRASE_SCHEMA = {
    "title": "plain_answer",
    "description": "把已核对的答案改写成通俗的中文，数字写法与原答案一致",
    "type": "object",
    "properties": {"answer": {"type": "string", "description": "改写后的答案"}},
    "required": ["answer"],
}
_DOWN, _UP = ("减少", "下降", "降低"), ("增加", "增长", "上升", "提高")


def _forms(answer: Answer) -> list[str]:
    value = abs(answer.value)
    if answer.unit == "元":
        return [fmt_money(value), fmt_wan(value)]
    if answer.unit == "%":
        return [fmt_percent(value)]
    return [f"{value.normalize():f}"]


def _direction(text: str) -> set[str]:
    return {"down" for w in _DOWN if w in text} | {"up" for w in _UP if w in text}


def judge(answer: Answer, rewrite: str) -> str | None:
    """None when the rewrite may replace the answer's text; else the reason (Chinese) it may not."""
    if not rewrite:
        return "语言模型没有给出改写。"
    if len(rewrite) > 2 * len(answer.text) + 100:
        return "改写过长。"
    if INSTRUCTION.search(rewrite):
        return "改写中含有指令性文字，已弃用。"
    extra = numbers(rewrite) - numbers(answer.text)
    if extra:  # quoted or not: the verified text is where every number of a rewrite must come from
        return f"改写中有原答案没有的数字：{'、'.join(sorted(extra))}，已弃用。"
    bad = untraced(replace(answer, text=rewrite))
    if bad:
        return f"改写中有无法追溯的数字：{'、'.join(bad)}，已弃用。"
    if answer.value is not None and not any(f in rewrite for f in _forms(answer)):
        return "改写没有写出答案的数字，已弃用。"
    if _direction(answer.text) and _direction(rewrite) - _direction(answer.text):
        return "改写改变了增减方向，已弃用。"
    if answer.text.startswith("没有") and not any(w in rewrite for w in ("没有", "无", "未")):
        return "改写改变了有无的结论，已弃用。"
    if answer.text.startswith(("有。", "是。", "超过了。")) and rewrite.startswith(("没有", "无", "不", "未")):
        return "改写改变了是否的结论，已弃用。"
    return None


def rephrased(answer: Answer, rewrite: str, model: str) -> Answer:
    original = answer.text
    checks = answer.checks + [Check("llm_rephrase", True, f"语言模型（{model}）改写了答案，改写中的每个数字都已重新核对。"
                                                        f"原答案：{original}")]
    return replace(answer, text=rewrite, checks=checks)
