"""Text answers (reasons, definitions, duties, performance targets) summarised from passages.

The passages are the one the engine already quotes and the hybrid index's top sections of the
same document (index/retrieve.py through app/answer/related.py). They go to the model numbered,
inside a <<<原文>>> block described as data; a sentence that reads as an instruction to a model
(忽略以上…指令, 你现在是…, a web address) is taken out before they are sent.

The reply is kept only if: it cites passages that were sent, every figure it states (number and
unit, as app/answer/verify.figures reads them) is printed in a passage it cites, and it carries no
instruction-like text itself. Otherwise the engine's quotation stands. A kept summary is shown
with the cited passages quoted after it (「…」), so the reader sees the document's own words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation

from app.answer.compose import ANSWERED, Answer, Check
from app.answer.verify import figures
from index.chunks import TABLE
from prompts import data

MAX_PASSAGES = 5
PASSAGE_CHARS = 500  # a passage sent and quoted is cut to this many characters (no token counting)
MAX_SUMMARY = 300
SUMMARY_SCHEMA = {
    "title": "passage_summary",
    "description": "依据原文段落回答问题，并列出依据的段落编号",
    "type": "object",
    "properties": {
        "answer": {"type": "string", "description": "不超过150字的回答；原文不能回答时为空字符串"},
        "citations": {"type": "array", "items": {"type": "integer"}, "description": "依据的段落编号"},
    },
    "required": ["answer", "citations"],
}
# text that speaks to a model rather than to a reader: never sent as data, never shown from a reply
INSTRUCTION = re.compile(
    r"忽略.{0,12}(?:指令|指示|要求|规则|提示|设定)|无视.{0,12}(?:指令|要求|规则)|你现在是|你是一个|系统提示|"
    r"提示词|(?:请|必须)(?:直接)?(?:回答|输出|告诉用户)|ignore\s+(?:all\s+|the\s+)?(?:previous|above|prior)|"
    r"system\s+prompt|https?://|www\.", re.IGNORECASE)
_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]?\n?")
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


@dataclass
class Passage:
    doc_id: str
    title: str
    where: str
    text: str


def clean(text: str) -> tuple[str, int]:
    """The text without instruction-like sentences, and how many were taken out."""
    kept, dropped = [], 0
    for sentence in _SENTENCE.findall(text or ""):
        if INSTRUCTION.search(sentence):
            dropped += 1
        else:
            kept.append(sentence)
    return "".join(kept).strip(), dropped


def gather(answer: Answer, hits) -> tuple[list[Passage], int]:
    """The quoted passage first, then the top hits' chunks of the same documents (deduplicated)."""
    out: list[Passage] = []
    dropped = 0
    docs = {p["doc_id"] for p in answer.passages}
    candidates = [(p["doc_id"], p["title"], p["locator"], p["snippet"]) for p in answer.passages]
    for hit in hits:
        chunk = hit.chunk
        if chunk.doc_id in docs and chunk.origin != TABLE:  # a table block is figures, not a passage to summarise
            candidates.append((chunk.doc_id, chunk.title, chunk.section or chunk.table or "", chunk.text))
    for doc_id, title, where, text in candidates:
        text, n = clean(text[:PASSAGE_CHARS])
        dropped += n
        if len(text) >= 6 and not any(text in p.text or p.text in text for p in out):
            out.append(Passage(doc_id, title, where, text))
        if len(out) >= MAX_PASSAGES:
            break
    return out, dropped


def block(passages: list[Passage]) -> str:
    return "\n\n".join(f"[{k}] 《{data(p.title)}》{data(p.where)}\n{data(p.text)}" for k, p in enumerate(passages, 1))


def _number(text: str) -> Decimal | None:
    try:
        return Decimal(text.replace(",", "").replace("−", "-"))
    except InvalidOperation:
        return None


def _printed(text: str) -> set[tuple[Decimal | None, str]]:
    return {(_number(n), "%" if u == "％" else u) for n, u in figures(text)}


def numbers(text: str) -> set[str]:
    """Every number written in a text, quoted or not (the verifier skips quotations; a model's
    reply gets no such allowance): 12,000 and 12000 are one number."""
    return {n.replace(",", "") for n in _NUMBER.findall(text or "")}


def untraced_figures(summary: str, cited: list[Passage]) -> list[str]:
    """Figures in the summary that no cited passage prints (with the same unit), and any number
    at all, even inside quotes, that none of them prints."""
    extra = numbers(summary) - set().union(*(numbers(p.text) for p in cited))
    if extra:
        return sorted(extra)
    printed: set = set()
    for p in cited:
        printed |= _printed(p.text)
    values = {n for n, _ in printed}
    bad = []
    for n, u in figures(summary):
        key = (_number(n), "%" if u == "％" else u)
        if key not in printed and not (not key[1] and key[0] in values):
            bad.append(f"{n}{u}")
    return bad


def judge(reply: dict | None, passages: list[Passage]) -> tuple[str, list[Passage]] | str:
    """(summary, cited passages) when the reply may be shown; else the reason (Chinese) it may not."""
    if not isinstance(reply, dict):
        return "语言模型没有给出可用的摘要。"
    summary = str(reply.get("answer") or "").strip()
    if not summary:
        return "语言模型认为原文不能回答这个问题。"
    if len(summary) > MAX_SUMMARY:
        return "语言模型的摘要过长。"
    if INSTRUCTION.search(summary):
        return "语言模型的摘要含有指令性文字（可能来自文件中的注入内容），已弃用。"
    cited_numbers = reply.get("citations") if isinstance(reply.get("citations"), list) else []
    cited = [passages[k - 1] for k in dict.fromkeys(cited_numbers)
             if isinstance(k, int) and not isinstance(k, bool) and 1 <= k <= len(passages)]
    if not cited:
        return "语言模型的摘要没有注明依据的原文段落。"
    bad = untraced_figures(summary, cited)
    if bad:
        return f"语言模型的摘要中有所引原文没有的数字：{'、'.join(bad)}，已弃用。"
    return summary, cited


def summarised(answer: Answer, summary: str, cited: list[Passage], dropped: int, model: str) -> Answer:
    """The text answer rebuilt around the summary: summary, then the cited passages quoted."""
    quoted = "；".join(f"《{p.title}》「{p.where}」：「{p.text}」" for p in cited)
    tail = answer.text[answer.text.rfind("」") + 1:] if "」" in answer.text else ""  # the engine's note (latest year …)
    checks = answer.checks + [Check("summary_traced", True, "摘要中的每个数字都出现在所引的原文段落中。"),
                              Check("llm_summary", True, f"摘要由语言模型（{model}）依据所引原文写成，原文附后。")]
    if dropped:
        checks.append(Check("llm_injection", True, f"原文中有{dropped}句像是写给模型的指令，未发送给模型。"))
    return replace(answer, status=ANSWERED, text=f"{summary}（依据：{quoted}）{tail}", checks=checks,
                   passages=[{"doc_id": p.doc_id, "title": p.title, "locator": p.where, "snippet": p.text}
                             for p in cited])
