"""The assistant: where, in one turn of the engine, the language model may take part.

After the engine's own (deterministic) answer to a question:
  - no_answer to a numeric question → the planner fallback (app/llm/planner.py): the model's
    structured query, checked, is run by the engine through plan → calculator → verifier; only an
    answered-and-verified result (or a clarify) replaces the no_answer;
  - a text answer (a quoted sentence) → a summary of the passages (app/llm/summary.py), kept only
    when every figure in it is printed in a passage it cites;
  - a verified numeric answer, if rephrasing is on → a plain-words rewrite (app/llm/rephrase.py),
    kept only when the verifier traces every figure in it.
The model never supplies a number. When it took part the answer says so (`Answer.llm`:
{"used": true, "model", "role"}). When the endpoint is down or slow, the engine's answer stands and
its text says, in Chinese, that the model could not be reached.
"""

from __future__ import annotations

import logging

from app.answer.candidates import issuer_mention
from app.answer.compose import ANSWERED, CLARIFY, NO_ANSWER, Answer, Check
from app.answer.understand import NUMERIC
from app.llm import planner, rephrase, summary
from app.llm.model import Caller, ChatModel
from ingest.errors import ModelUnavailableError
from prompts import Prompt, data, load_all

log = logging.getLogger(__name__)

TEXT_OPERATIONS = ("reason", "definition", "text")  # answered from passages, never planned
# (only the operations the engine computes are planned: a per-capita question stays unanswered)
MAX_DOCS = 8  # documents whose labels the planner fallback shows


def no_plan(answer: Answer) -> bool:
    """The rules found nothing to answer with (no item, no fact): not a figure the identity checks
    refused — a refused figure stays refused; the model does not get a second try at it."""
    return all(c.name == "documents" for c in answer.checks)


class Assistant:
    def __init__(self, model: ChatModel, name: str, rephrase: bool = False, prompts: dict[str, Prompt] | None = None):
        self.caller = Caller(model)
        self.name = name
        self.rephrase = rephrase
        self.prompts = prompts if prompts is not None else load_all()  # placeholders checked at start-up

    def assist(self, engine, question: str, context, answer: Answer, new_context):
        """The turn's answer with the model's part in it (or the engine's own, with a notice)."""
        query = getattr(new_context, "query", None)
        roles: list[str] = []
        try:
            if answer.status == NO_ANSWER and query is not None and query.operation in NUMERIC \
                    and no_plan(answer) and engine.documents():
                answer, new_context = self._plan(engine, question, context, query, answer, new_context, roles)
            elif answer.status == ANSWERED and answer.value is None and answer.passages and query is not None \
                    and query.operation in TEXT_OPERATIONS:
                answer = self._summarise(engine, question, answer, roles)
            if self.rephrase and answer.status == ANSWERED and answer.verified and answer.value is not None \
                    and not answer.notes:
                answer = self._rephrase(question, answer, roles)
        except ModelUnavailableError as exc:
            log.warning("language model not used for %r: %s", question, exc.detail)
            answer.text += f"（{exc.message}，本次回答未经语言模型。）"
            answer.checks.append(Check("llm", False, f"{exc.message}，本次回答未经语言模型。"))
        except Exception as exc:  # noqa: BLE001 - the model's part failing must not cost the engine's answer
            log.error("language model step failed for %r: %s: %s", question, type(exc).__name__, exc, exc_info=True)
            answer.checks.append(Check("llm", False, "语言模型环节出错，本次回答未经语言模型。"))
        if roles:
            answer.llm = {"used": True, "model": self.name, "role": "+".join(roles)}
        return answer, new_context

    # --- the three roles ------------------------------------------------------------------------

    def _plan(self, engine, question, context, query, answer, new_context, roles):
        docs = engine.documents()
        named = issuer_mention(question, docs, engine.glossary)[1]
        shown_docs = sorted(named or docs, key=lambda d: -(d.year or 0))[:MAX_DOCS]
        shown = planner.offer(question, [engine.pool(d) for d in shown_docs], docs, engine.glossary)
        reply = self.caller.structured(planner.PLAN_SCHEMA, self.prompts["planner"].messages(**shown.values(question)))
        planned = planner.to_query(reply, question, query, shown, docs, engine.glossary)
        if isinstance(planned, planner.Refused):
            answer.checks.append(Check("llm_plan", False, planned.reason))
            return answer, new_context
        got, got_context = engine.answer_query(question, planned.query, context, planned.issuer_words)
        said = f"语言模型把问题解析为“{'、'.join(planned.items)}”（{planned.query.operation}）"
        if (got.status == ANSWERED and got.verified) or got.status == CLARIFY:
            got.checks.append(Check("llm_plan", True, f"{said}；数字由表格查得，并经计算器和核验。"))
            if got.status == ANSWERED:
                got.text += "".join(planned.readings)  # the reader sees what the question was taken to mean
            roles.append("planner")
            return got, got_context
        answer.checks.append(Check("llm_plan", False, f"{said}，但未能通过核对：{got.text}"))
        answer.checks.extend(c for c in got.checks if not c.ok and c.name != "documents")
        return answer, new_context

    def _summarise(self, engine, question, answer, roles):
        doc_ids = sorted({p["doc_id"] for p in answer.passages})
        hits = engine.related.search(question, doc_ids)
        passages, dropped = summary.gather(answer, hits)
        if not passages:
            return answer
        reply = self.caller.structured(summary.SUMMARY_SCHEMA, self.prompts["summary"].messages(
            question=data(question), passages=summary.block(passages)))
        verdict = summary.judge(reply, passages)
        if isinstance(verdict, str):
            answer.checks.append(Check("llm_summary", False, verdict + "以下为原文引用。"))
            return answer
        roles.append("summary")
        return summary.summarised(answer, *verdict, dropped=dropped, model=self.name)

    def _rephrase(self, question, answer, roles):
        reply = self.caller.structured(rephrase.REPHRASE_SCHEMA, self.prompts["rephrase"].messages(
            question=data(question), answer=data(answer.text)))
        rewrite = str(reply.get("answer") or "").strip() if isinstance(reply, dict) else ""
        reason = rephrase.judge(answer, rewrite)
        if reason:
            answer.checks.append(Check("llm_rephrase", False, reason))
            return answer
        roles.append("rephrase")
        return rephrase.rephrased(answer, rewrite, self.name)
