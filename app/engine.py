"""The answer engine: question → Query → documents → Program → Result → verified Answer.

    engine = Engine(FactStore(home))
    answer = engine.ask("三公经费比上年减少多少？")
    answer.to_dict()  # the `ask --json` object

What it answers, over table facts (narrative figures where no table has them): figure lookups;
year-on-year changes (amount and percent; from one table's two year columns, from two documents
of the issuer, or as the narrative states it of the same figure); shares; sums; breakdowns and
extremes from the table structure or from a sentence's “其中” list; counts and yes/no (没有 from
a 0, an empty table's note or a sentence saying there is none); budget execution in a 决算
(决算数 ÷ 预算数, from one table row or one sentence); sums and extremes across one issuer's
yearly documents. Reasons, definitions, duties, structure and contacts are answered by quoting
the document's sentences (app/answer/passages.py). Documents are chosen by the issuer and year the
question names; a 部门 and a 单位 document of one issuer and year → the 部门 one, saying so;
several that fit and disagree → clarify, offering those where the figure was found. A figure
that takes part in an audit finding (app/audit/__init__.py) carries the finding as a quoted note. Every
answered figure is traced by the verifier, and checked to be the item, year, body and operation
asked and to make sense (app/answer/identity.py, names.py, sanity.py, bodies.py), before it is
shown; anything the documents do not hold gets no_answer with what they do cover — never a
guessed number, never the nearest figure.

Known limits (for the next sessions): empty table cells are not facts; numbers inside form
text fields (项目概况: 有2名编外人员) are not facts; text answers score sentences by bigrams and
the glossary within the sections the hybrid index ranks first (app/answer/related.py; the whole
document when those hold none), and every answer carries those sections as `related`; with a language model configured
(app/llm/), it proposes a query where the rules find none, and summarises or rephrases — never a number;
on documents it was not built on it answers far less often than on those it was (qa_heldout
33/41; the blind set qa_blind1 49/115; generated disclosures 89.6%) though with almost no wrong
figure shown as verified — the misses of those files say where to go next.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from decimal import Decimal

from app.audit import notes_for
from app.audit.stored import findings_of, stored_findings
from app.answer.calc import CalcError, execute
from app.answer.candidates import (FactRecord, choose_documents, clarify_message, other_issuer, coverage, describe, issuer_mention,
                            option_names, records)
from app.answer.compose import ANSWERED, CLARIFY, NO_ANSWER, Answer, Check, compose
from app.answer.followup import NEW_TOPIC, follow_up, help_message, inherited_for, is_small_talk, topic_link
from app.answer.glossary import Glossary, load_glossary, norm
from app.answer.bodies import body_named, foreign_body, text_identity
from app.answer.identity import held_message, identity
from app.answer.sanity import contradicted_by_table, unit_conflict
from app.answer.passages import empty_table_note, find_passage, statement_of_none
from app.answer.plan import NoPlan, make_plan, plan_across_years
from app.answer.related import passage_from_hits, related_dicts, sections_for
from app.answer.stages import failure_answer, staged
from app.answer.understand import NUMERIC, Query, understand
from app.answer.verify import narrative_check, verify
from app.llm import configured as configured_model
from index.facts import DocumentSummary, FactStore
from ingest.model import Disclosure

log = logging.getLogger(__name__)

TEXT = ("reason", "definition", "text")  # answered by quoting the document
UNSUPPORTED = {
    "breakdown": "列出构成明细",
    "extreme": "找出最大或最小的一项",
    "reason": "解释原因",
    "definition": "解释名词",
    "text": "回答文字性问题（职责、机构、联系方式、绩效目标等）",
    "per_capita": "回答人均数或某个人的数字（文件只公布总额）",
    "extreme_change": "比较各项增减的多少（哪一项增减最多）",
}

CONFIGURED = object()  # Engine(assistant=…) default: the language model the environment configures, if any


@dataclass
class Context:
    """What a conversation carries to its next question."""

    query: Query
    issuer_words: str = ""
    inherited: dict = field(default_factory=dict)  # what this turn took from the one before (Answer.inherited)


class Engine:
    def __init__(self, store: FactStore, glossary: Glossary | None = None, assistant=CONFIGURED,
                 with_related: bool = True):
        self.store = store
        # every answer carries the hybrid index's top sections (`related`); a caller that shows none
        # (budgetqa ask without --json) skips the search and the index's start-up
        self.with_related = with_related
        # the optional language model (app/llm/): the environment's (BUDGETQA_LLM_*) unless one is given
        self.assistant = configured_model() if assistant is CONFIGURED else assistant
        self.glossary = glossary or load_glossary()
        self._pools: dict[str, list[FactRecord]] = {}
        self._docs: list[DocumentSummary] | None = None
        self._findings: dict[str, list] = {}
        self._disclosures: dict[str, Disclosure] = {}
        self._printed: dict[str, list[str]] = {}
        self.related = sections_for(store.path.parent)  # the hybrid index, opened on the first search

    def documents(self) -> list[DocumentSummary]:
        if self._docs is None:
            self._docs = self.store.documents()
        return self._docs

    def disclosure(self, doc_id: str) -> Disclosure:
        """A stored document, read once per engine (its facts, audit and text all come from it)."""
        if doc_id not in self._disclosures:
            self._disclosures[doc_id] = self.store.get(doc_id)
        return self._disclosures[doc_id]

    def pool(self, doc: DocumentSummary) -> list[FactRecord]:
        if doc.doc_id not in self._pools:
            self._pools[doc.doc_id] = records(self.disclosure(doc.doc_id), doc)
        return self._pools[doc.doc_id]

    def _plan(self, query: Query, doc: DocumentSummary, year: int | None, docs: list[DocumentSummary]):
        pools = {doc.doc_id: self.pool(doc)}
        for other in docs:  # the same issuer's other years, for changes across documents
            if other.issuer == doc.issuer and other.doc_id != doc.doc_id:
                pools[other.doc_id] = self.pool(other)
        return make_plan(query, doc, year, pools, docs, self.glossary)

    def _text_answer(self, question: str, query: Query, docs, named) -> Answer:
        """Reasons, definitions, duties, contacts: a sentence of the document, quoted with its place."""
        choice = staged("plan", choose_documents, query, docs, named, docs)
        pool = choice.documents[:1]
        note = choice.note
        issuers = {d.issuer for d in choice.documents}
        if choice.problem == "clarify" and len(issuers) == 1 and not query.years and not query.year_offsets:
            # duties, structure, reasons of one issuer asked with no year: its latest document says it
            latest = max(d.year or 0 for d in choice.documents)
            pool = [d for d in choice.documents if (d.year or 0) == latest]
            choice = replace(choice, documents=pool, problem=None if len(pool) == 1 else "clarify")
            note = f"（问题没有说年份，以上取自最新的{describe(pool[0])}。）"
        if choice.problem == "clarify":
            # a definition reads the same in any document; one issuer's one year (部门/单位) says the
            # same thing twice — take the best passage. Otherwise which document matters: ask.
            same = len({(d.issuer, d.year) for d in choice.documents}) == 1
            if query.operation != "definition" and not same:
                return Answer(question=question, status=CLARIFY, text=choice.message,
                              options=option_names(choice.documents),
                              option_ids=[d.doc_id for d in choice.documents])
            pool = choice.documents
        elif choice.problem:
            return _no(question, choice.message)
        hits = staged("related", self.related.search, self._search_text(question, query), [d.doc_id for d in pool],
                      _one_issuer(pool))
        found = [(p, d) for d in pool if (p := staged("text passages", passage_from_hits, find_passage, query,
                                                      self.disclosure(d.doc_id), self.glossary, hits)) is not None]
        if found and all(p.context_only for p, _ in found):  # no reason in the top hits' sections: read it all
            found = [(p, d) for d in pool if (p := staged("text passages", find_passage, query,
                                                          self.disclosure(d.doc_id), self.glossary))] or found
        reasons = [(p, d) for p, d in found if not p.context_only]
        passage, doc = max(reasons or found, key=lambda pd: pd[0].score) if found else (None, pool[0])
        if passage is None:
            return _no(question, f"在{describe(doc)}中没有找到回答这个问题的文字。{coverage(docs)}")
        if passage.context_only:  # a 为什么 the document does not answer: the figure's sentence, as context only
            return Answer(question=question, status=NO_ANSWER,
                          text=f"文件没有说明原因；相关的句子是：「{passage.text}」（据《{doc.title}》「{passage.where}」，"
                               "仅供参考，不是原因）",
                          checks=[Check("reason", False, "no reason marker for the asked item in the passage")],
                          passages=[{"doc_id": doc.doc_id, "title": doc.title, "locator": passage.where,
                                     "snippet": passage.text}])
        stranger = foreign_body(query.text or norm(question), doc, self.printed_names(doc))
        if stranger:  # 白沙区人大常委会 is not 青岚省人大常委会, though both are 人大常委会
            return Answer(question=question, status=NO_ANSWER, checks=[Check("body", False, f"文件不是关于“{stranger}”的。")],
                          text=f"问题问的是“{stranger}”，已收录的文件中没有它的文件。{coverage(docs)}")
        body = body_named(query.text or "", doc) if query.operation == "text" else ""
        if body and body not in norm(passage.text + passage.where):
            # the duties of a part of the body (某某审判庭负责什么): the passage must be about that part
            return Answer(question=question, status=NO_ANSWER,
                          checks=[Check("item", False, f"引用的文字没有提到“{body}”。")],
                          text=f"在{describe(doc)}中没有找到关于“{body}”的文字。{coverage(docs)}")
        named = staged("verify", text_identity, query, passage.text, passage.where)
        if query.operation in ("definition", "reason") and not named.ok:
            return Answer(question=question, status=NO_ANSWER, checks=[named],
                          text=f"在{describe(doc)}中没有找到说明“{query.items[0].surface if query.items else query.rest}”的文字。"
                               f"{coverage(docs)}")
        answer = Answer(question=question, status=ANSWERED,
                        text=f"据《{doc.title}》「{passage.where}」：「{passage.text}」{note}",
                        passages=[{"doc_id": doc.doc_id, "title": doc.title, "locator": passage.where,
                                   "snippet": passage.text}])
        if query.operation in ("definition", "reason"):
            answer.checks.append(named)
        return staged("verify", verify, answer)

    def _stated_none(self, question: str, query: Query, doc: DocumentSummary) -> Answer | None:
        """没有, in the document's own words: a table published empty with a 本部门无… note, or a
        sentence saying there is none (2024年度无“三公”经费财政拨款支出)."""
        disclosure = self.disclosure(doc.doc_id)
        empty = empty_table_note(query, disclosure)
        if empty:
            where, said = empty
            text = f"没有。{doc.issuer or ''}{doc.year}年{where}为空表，注明：“{said}”"
            check = Check("empty_table", True, f"{where}：{said}")
        else:
            passage = statement_of_none(query, disclosure)
            if passage is None:
                return None
            where, said = passage.where, passage.text
            text = f"没有。据《{doc.title}》「{where}」：「{said}」"
            check = Check("stated_none", True, f"{where}：{said}")
        answer = Answer(question=question, status=ANSWERED, value=Decimal(0), unit="元", text=text,
                        checks=[check], passages=[{"doc_id": doc.doc_id, "title": doc.title,
                                                   "locator": where, "snippet": said}])
        return staged("verify", verify, answer)

    def _across_years(self, question: str, query: Query, candidates, docs) -> Answer | None:
        """One issuer's documents of several years, one figure from each (None: not that case)."""
        issuers = {d.issuer for d in candidates}
        if len(issuers) != 1:
            return None
        kept = [d for d in candidates if not query.years or d.year in query.years]
        if query.kind:
            kept = [d for d in kept if d.kind == query.kind] or kept
        by_year: dict[int, DocumentSummary] = {}
        for d in sorted(kept, key=lambda d: d.scope != (query.scope or "部门")):
            by_year.setdefault(d.year, d)
        if len(by_year) < 2:
            return None
        chosen = list(by_year.values())
        plan = staged("plan", lambda: plan_across_years(query, chosen, {d.doc_id: self.pool(d) for d in chosen},
                                                        self.glossary))
        if isinstance(plan, NoPlan):
            return _no(question, f"{plan.message}{coverage(docs)}")
        result = staged("calc", execute, plan.program)
        answer = staged("compose", compose, question, plan, result, query.direction, query.wants_percent)
        checked = staged("verify", identity, answer, plan, query)
        answer.checks.extend(checked.checks)
        staged("verify", verify, answer, plan.program)
        if not answer.verified:
            return _no(question, held_message(checked, plan) if not checked.ok else "答案中的数字未能通过核对，不予显示。")
        return answer

    def printed_names(self, doc: DocumentSummary) -> list[str]:
        """Every label the document prints (table titles, rows, columns, narrative subjects), once."""
        if doc.doc_id not in self._printed:
            self._printed[doc.doc_id] = [" ".join(dict.fromkeys(p for r in self.pool(doc) for p in r.fact.label))]
        return self._printed[doc.doc_id]

    def findings(self, doc_id: str) -> list:
        """The document's audit findings (app/audit/__init__.py): those ingest stored, else worked
        out now (and stored) — once per document either way."""
        if doc_id not in self._findings:
            found = stored_findings(self.store, doc_id)
            self._findings[doc_id] = found if found is not None else findings_of(self.store, self.disclosure(doc_id))
        return self._findings[doc_id]

    def _with_audit_notes(self, answer: Answer) -> Answer:
        """A figure the answer uses that takes part in an audit finding carries a short note: the
        reader should know the document disagrees with itself there."""
        for record in answer.facts:
            findings = self.findings(record.fact.doc_id)
            for note in notes_for(findings, record.fact.locator, record.fact.value):
                if note not in answer.notes:
                    answer.notes.append(note)
                    answer.checks.append(Check("audit", False, note))
            unit = unit_conflict(findings, record.fact)
            if unit is not None:
                answer.checks.append(unit)
            contradicted = contradicted_by_table(findings, record.fact)
            if contradicted is not None:
                answer.checks.append(contradicted)
        if answer.notes:
            answer.text += AUDIT_NOTE_LEAD + "；".join(answer.notes[:2]) + "）"
        return answer

    def ask(self, question: str, context: Context | None = None) -> Answer:
        answer, _ = self.converse(question, context)
        return answer

    def attach_related(self, answer: Answer, query: Query | None) -> Answer:
        """The hybrid index's top sections among the documents in question: those the answer uses or
        offers, else those the question names, else all (app/answer/related.py)."""
        docs = self.documents()
        used = [r.fact.doc_id for r in answer.facts] + [p["doc_id"] for p in answer.passages] + answer.option_ids
        if not used:
            used = [d.doc_id for d in (issuer_mention(answer.question, docs, self.glossary)[1] or docs)]
        chosen = [d for d in docs if d.doc_id in set(used)]
        if chosen:
            text = self._search_text(answer.question, query)
            answer.related = related_dicts(self.related.search(text, [d.doc_id for d in chosen], _one_issuer(chosen)),
                                           text)
        return answer

    @staticmethod
    def _search_text(question: str, query: Query | None) -> str:
        """The question, with the items a follow-up took from the one before (那2023年呢？)."""
        names = [item.official[0] if item.official else item.surface for item in (query.items if query else [])]
        return " ".join([question] + [n for n in names if n and norm(n) not in norm(question)])

    def converse(self, question: str, context: Context | None = None) -> tuple[Answer, Context | None]:
        """One turn: the answer (with its related sections) and the context for a follow-up question.
        The fault barrier: an exception in any stage of this one question becomes its answer, with
        status error (app/answer/stages.py), and the conversation goes on from the previous context."""
        try:
            answer, new_context = self._converse(question, context)
            if self.assistant is not None and new_context is not context:  # a question, not small talk
                answer, new_context = self.assistant.assist(self, question, context, answer, new_context)
            if new_context is not None and new_context is not context:
                answer.inherited = inherited_for(answer, new_context.inherited)
            if self.with_related:
                answer = staged("related", self.attach_related, answer, getattr(new_context, "query", None))
            return answer, new_context
        except Exception as exc:  # noqa: BLE001 - the barrier: one question's failure is its own answer
            return failure_answer(question, exc), context

    def answer_query(self, question: str, query: Query, context: Context | None = None,
                     issuer_words: str | None = None) -> tuple[Answer, Context | None]:
        """A Query made elsewhere (the language model's planner fallback, app/llm/planner.py), run
        through the same plan → calculator → identity and verifier path as an understood question."""
        return self._converse(question, context, query, issuer_words)

    def _converse(self, question: str, context: Context | None = None, planned: Query | None = None,
                  issuer_words: str | None = None) -> tuple[Answer, Context | None]:
        docs = self.documents()
        if not docs:
            return _no(question, "目前还没有导入任何文件，请先用 budgetqa ingest 导入预算或决算文件。"), context
        words, named = staged("understand", issuer_mention, issuer_words or question, docs, self.glossary)
        rest = norm(question).replace(words, " ", 1) if words else question  # once: 芷浦小学 asking about 小学教育
        second = staged("understand", other_issuer, rest, named, docs, self.glossary)
        if second and planned is None:
            return _no(question, f"问题同时问到“{words}”和“{second}”两个单位；每次请只问一个单位的数字，"
                                 f"例如“{words}……是多少？”"), context
        query = planned if planned is not None else staged("understand", understand, rest, self.glossary)
        query.question = question
        link = topic_link(question, query, bool(named), self.glossary) if context is not None else NEW_TOPIC
        if link == NEW_TOPIC and is_small_talk(question, query, bool(named), self.glossary):
            # 你好 / 谢谢 / random text: what can be asked, and the conversation stays where it was
            text = help_message(docs, self.glossary, lambda d: " ".join(" ".join(r.fact.label) for r in self.pool(d)))
            return Answer(question=question, status=NO_ANSWER, text=text,
                          checks=[Check("question", False, "no item, issuer, year or cue: not a question")]), context
        inherited: dict = {}
        if context is not None:
            query, inherited, keeps_issuer = follow_up(query, context.query, link)
            if keeps_issuer and not named and context.issuer_words:
                words, named = context.issuer_words, [d for d in docs if d in named or
                                                      context.issuer_words in norm(d.issuer or "") or
                                                      _named_by(d, context.issuer_words, self.glossary)]
                issuers = {d.issuer for d in named if d.issuer}
                inherited = {"issuer": issuers.pop() if len(issuers) == 1 else words} | inherited
        new_context = Context(query, words, inherited)
        if query.operation in TEXT:
            return staged("text passages", self._text_answer, question, query, docs, named), new_context
        if query.operation not in NUMERIC:
            what = UNSUPPORTED.get(query.operation, "回答这类问题")
            return _no(question, f"暂时还不能{what}，无法给出可靠的答案。{coverage(docs)}"), new_context
        if not query.items and not (query.operation == "count" and len(query.rest) >= 2):
            return _no(question, f"文件中没有找到与这个问题对应的数字。{coverage(docs)}"), new_context
        if query.across_years and query.operation in ("sum", "lookup", "extreme"):
            across = staged("plan", self._across_years, question, query, named or docs, docs)
            if across is not None:
                return across, new_context
        choice = staged("plan", choose_documents, query, docs, named, docs)
        if choice.problem and choice.problem != "clarify":
            return _no(question, choice.message), new_context
        plans = [(d, staged("plan", self._plan, query, d, choice.year or d.year, docs))
                 for d in choice.documents[:CLARIFY_FROM]]
        if choice.problem == "clarify":
            # the documents where the figure was found are the ones worth offering; where it was
            # found in one only, the others are still offered (not finding is not proof of absence)
            able = [(d, p) for d, p in plans if not isinstance(p, NoPlan)]
            agreed = _agreed(able)
            if not able:
                return _no(question, f"{plans[0][1].message}{coverage(docs)}"), new_context
            if agreed is None:
                chosen = [d for d, _ in able] if len(able) >= 2 else choice.documents
                answer = Answer(question=question, status=CLARIFY, text=clarify_message(chosen),
                                options=option_names(chosen), option_ids=[d.doc_id for d in chosen])
                return answer, new_context
            else:
                plans = [agreed]
                agreed[1].notes.append("（" + "、".join(describe(d) for d, _ in able) + "中此数相同。）")
        doc, plan = plans[0]
        stranger = staged("verify", foreign_body, query.text or norm(question), doc, self.printed_names(doc))
        if stranger:
            return _no(question, f"问题问的是“{stranger}”，{describe(doc)}没有它自己的数字（文件只公布本单位的数字）。"
                                 f"{coverage(docs)}"), new_context
        if choice.note and not isinstance(plan, NoPlan):
            plan.notes.append(choice.note)
        if isinstance(plan, NoPlan) and query.operation == "yes_no":
            answer = staged("text passages", self._stated_none, question, query, doc)
            if answer is not None:
                answer.text += choice.note
                return answer, new_context
        if isinstance(plan, NoPlan):
            return _no(question, f"{plan.message}{coverage(docs)}"), new_context
        try:
            result = staged("calc", execute, plan.program, passes=(CalcError,))
        except CalcError as exc:
            log.warning("calculation failed for %r: %s", question, exc.detail)
            return _no(question, exc.message), new_context
        answer = staged("compose", compose, question, plan, result, query.direction, query.wants_percent)
        staged("verify", narrative_check, answer, plan, query, self.pool(doc), self.glossary)
        staged("audit notes", self._with_audit_notes, answer)  # before the verifier: the notes' own figures are quoted
        checked = staged("verify", identity, answer, plan, query, self.pool(doc))
        answer.checks.extend(checked.checks)
        staged("verify", verify, answer, plan.program)
        if not answer.verified:
            log.warning("unverified answer to %r: %s", question, [c.detail for c in answer.checks if not c.ok])
            said = held_message(checked, plan) + coverage(docs) if not checked.ok else "答案中的数字未能通过核对，不予显示。"
            failed = Answer(question=question, status=NO_ANSWER, text=said, checks=answer.checks)
            return failed, new_context
        return answer, new_context


AUDIT_NOTE_LEAD = "（该数字在文件中前后不一致，"  # where the answer text's audit notes begin
CLARIFY_FROM = 30  # documents planned to see which hold the figure and whether they agree


def _agreed(plans):
    """When every fitting document gives the same figures, there is nothing to clarify:
    the 部门 document (the consolidated one) answers, and the text says the others agree.
    Only documents of one year agree this way (部门 and 单位 budgets, a re-issued file)."""
    if len(plans) < 2 or any(isinstance(p, NoPlan) for _, p in plans):
        return None
    if len({d.year for d, _ in plans}) > 1:
        return None  # different years are different answers, however alike their figures
    try:
        values = {tuple(execute(p.program).computed) for _, p in plans}
    except CalcError:
        return None
    if len(values) != 1:
        return None
    return sorted(plans, key=lambda dp: dp[0].scope != "部门")[0]


def _named_by(doc: DocumentSummary, words: str, glossary: Glossary) -> bool:
    from app.answer.glossary import issuer_short_names

    return bool(doc.issuer) and words in issuer_short_names(doc.issuer, glossary)


def _one_issuer(docs) -> str | None:
    issuers = {d.issuer for d in docs}
    return issuers.pop() if len(issuers) == 1 else None


def _no(question: str, text: str) -> Answer:
    return Answer(question=question, status=NO_ANSWER, text=text,
                  checks=[Check("documents", False, "文件中没有可以回答的数字。")])
