"""The planner fallback: a question the rules found no plan for, mapped by the model to a Query.

The model is shown, as data, the printed names of the candidate facts (the labels of the
documents in question, those sharing most character pairs with the question first), the
glossary's entries that touch the question, and the issuers and years on file. It answers with a
structured query (issuer, year, items as printed labels, operation) and nothing else: no number.

What it proposes is then checked before the engine runs it, and the engine runs it through the
same planner → calculator → verifier path as any question (identity checks included):
  - an item must be one of the labels offered (or a glossary term): a name the model made up is
    dropped;
  - an item must be grounded in the question: the question writes it, a glossary word of its term,
    or half its character pairs (`supported`); or the model quotes the question's own words for it
    and nothing the question names points elsewhere (`contradicted`: a glossary term or a printed
    label in the question that is not this item) — so a plan naming another item than the one
    asked is refused;
  - years, 预算/决算, 部门/单位, direction and percent come from the rules' reading of the question;
    a year, issuer or comparison the question does not write is not taken from the model;
  - an operation other than a plain lookup that the rules read from the question's cue words stays.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from app.answer.candidates import THRESHOLD, TOTAL_WORDS, FactRecord, bigrams, issuer_mention, term_match
from app.answer.glossary import Glossary, norm
from app.answer.understand import NUMERIC, Item, Query
from index.facts import DocumentSummary
from prompts import data

MAX_LABELS = 80  # printed names shown to the model (by overlap with the question, then first seen)
MAX_TERMS = 20  # glossary entries shown
MAX_ITEMS = 3
GROUNDED = 0.5  # share of an item's character pairs the question must contain to name it plainly
OPERATIONS = ("lookup", "change", "share", "sum")

PLAN_SCHEMA = {
    "title": "budget_query",
    "description": "把预算问题改写成结构化查询（只写项目名称、年份和运算，不写任何数字结果）",
    "type": "object",
    "properties": {
        "issuer": {"type": ["string", "null"], "description": "问题所问的单位；问题没有说则为 null"},
        "year": {"type": ["integer", "null"], "description": "问题所问的年份；问题没有说则为 null"},
        "items": {"type": "array", "items": {"type": "string"}, "description": "候选项目中原样抄写的项目名称"},
        "evidence": {"type": "string", "description": "问题中指称该项目的原话"},
        "operation": {"type": "string", "enum": list(OPERATIONS)},
        "compared_year": {"type": ["integer", "null"], "description": "change：与哪一年相比"},
        "measure": {"type": ["string", "null"], "enum": ["budget", "final", None]},
    },
    "required": ["items", "operation"],
}


@dataclass
class Offer:
    """What the model is shown: the prompt's data blocks."""

    labels: list[str]
    terms: list[str]
    issuers: list[str]
    years: list[int]

    def values(self, question: str) -> dict[str, str]:
        return {"issuers": data("\n".join(self.issuers)) or "（无）", "years": "、".join(map(str, self.years)) or "（无）",
                "labels": data("\n".join(self.labels)) or "（无）", "terms": data("\n".join(self.terms)) or "（无）",
                "question": data(question)}


@dataclass
class Planned:
    query: Query
    issuer_words: str | None  # the issuer as the model named it (None: as the question names it)
    items: list[str]
    readings: list[str]  # 按语言模型的理解 notes: items named in words the question does not share with them


@dataclass
class Refused:
    reason: str  # Chinese, for the checks


def _names(record: FactRecord) -> list[str]:
    names = [record.display_name()]
    names += [p for p in (record.fact.locator.column or "").split(" › ") if p]
    # a year's column (2025年预算数) or a total (合计) names no item
    return [n.strip() for n in names if n and len(n.strip()) >= 2 and not re.match(r"^[\d\s.,%]|^\d{4}年", n.strip())
            and n.strip() not in TOTAL_WORDS]


def _overlap(a: str, b: str) -> float:
    """Share of a's character pairs that b contains."""
    pairs = bigrams(norm(a))
    return len(pairs & bigrams(norm(b))) / len(pairs) if pairs else 0.0


def offer(question: str, pools: list[list[FactRecord]], docs: list[DocumentSummary], glossary: Glossary) -> Offer:
    seen: dict[str, int] = {}
    for pool in pools:
        for record in pool:
            for name in _names(record):
                seen.setdefault(name, len(seen))
    labels = sorted(seen, key=lambda n: (-_overlap(n, question), seen[n]))[:MAX_LABELS]
    text = norm(question)
    terms = []
    for term in glossary.terms:
        if term.is_measure or not term.official:
            continue
        words = [norm(w) for w in term.official + term.everyday]
        if any(bigrams(w) & bigrams(text) for w in words if len(w) >= 2):
            terms.append(f"{'、'.join(term.everyday[:6]) or term.official[0]} → {'、'.join(term.official[:3])}")
    issuers = sorted({d.issuer for d in docs if d.issuer})
    years = sorted({d.year for d in docs if d.year})
    return Offer(labels, terms[:MAX_TERMS], issuers, years)


def _term_words(item: str, glossary: Glossary) -> tuple[list[str], list[str], list[str]]:
    """(printed terms, every word, subject codes) of the glossary entries printing this item."""
    official, words, codes = [], [], []
    for term in glossary.terms:
        printed = [norm(o) for o in term.official]
        if norm(item) in printed:
            official += [o for o in printed if o not in official]
            words += [norm(w) for w in term.official + term.everyday if len(norm(w)) >= 2]
            codes += [c for c in term.codes if c not in codes]
    return official, words, codes


def _related(a: str, b: str) -> bool:
    return max(term_match(norm(a), norm(b)), term_match(norm(b), norm(a))) >= THRESHOLD


def supported(item: str, question: str, glossary: Glossary) -> bool:
    text = norm(question)
    if norm(item) in text:
        return True
    _, words, _ = _term_words(item, glossary)
    return any(w in text for w in words) or _overlap(item, question) >= GROUNDED


def contradicted(item: str, base: Query, question: str, labels: list[str], glossary: Glossary) -> bool:
    """The question names something the glossary knows (or a printed label) that is not this item.
    A phrase the rules only carried over from the question (住宿交通) names nothing known."""
    known = [i for i in base.items + ([base.denominator] if base.denominator else []) if i.surface in glossary.phrases]
    named = [o for i in known for o in i.official[:3]]
    text = norm(question)
    named += [label for label in labels if len(norm(label)) >= 3 and norm(label) in text]
    return bool(named) and not any(_related(item, n) for n in named)


def _in_question(year, question: str) -> int | None:
    if isinstance(year, int) and not isinstance(year, bool) and (str(year) in question or str(year)[2:] + "年" in question):
        return year
    return None


def to_query(reply: dict | None, question: str, base: Query, shown: Offer, docs: list[DocumentSummary],
             glossary: Glossary) -> Planned | Refused:
    """The model's structured query, checked, as the Query the engine runs."""
    if not isinstance(reply, dict):
        return Refused("语言模型没有给出可用的结构化查询。")
    offered = {norm(label): label for label in shown.labels}
    for term in glossary.terms:
        for o in term.official:
            offered.setdefault(norm(o), o)
    raw = reply.get("items") if isinstance(reply.get("items"), list) else []
    items = [offered[norm(str(i))] for i in raw if isinstance(i, str) and norm(i) in offered][:MAX_ITEMS]
    if not items:
        return Refused("语言模型给出的项目不在文件的表格中。")
    evidence = norm(str(reply.get("evidence") or ""))
    # the model's quote must be words of the question that name a thing (what is left once the rules
    # took out cue, year and measure words: 迎宾待客这块), not its cue words (安排了多少)
    quoted = len(evidence) >= 2 and evidence in norm(question) and bool(bigrams(evidence) & bigrams(norm(base.rest)))
    readings = []
    for item in items:
        if supported(item, question, glossary):
            continue
        if not quoted or contradicted(item, base, question, shown.labels, glossary):
            return Refused(f"语言模型给出的项目“{item}”不是问题所问的项目。")
        readings.append(f"（按语言模型的理解，问题中的“{evidence}”指“{item}”。）")
    operation = reply.get("operation") if reply.get("operation") in OPERATIONS else "lookup"
    if base.operation in NUMERIC and base.operation != "lookup":
        operation = base.operation  # the question's own cue words (比上年, 占) decide the operation
    if operation == "sum" and len(items) < 2:
        operation = "lookup"
    text = norm(question)
    position = text.find(evidence) if quoted else 0
    built = []
    for label in items:
        official, _, codes = _term_words(label, glossary)
        built.append(Item(norm(label), [norm(label)] + [o for o in official if o != norm(label)], codes, position))
    changes: dict = {"operation": operation, "items": built}
    if operation == "share" and len(built) >= 2:
        changes.update(items=built[:1], denominator=built[1])
    if not base.years and not base.year_offsets and (year := _in_question(reply.get("year"), text)):
        changes["years"] = [year]
    if operation == "change" and base.compared_year is None and base.compared_offset is None:
        changes["compared_year"] = _in_question(reply.get("compared_year"), text)
    if base.measure is None and reply.get("measure") in ("budget", "final"):
        changes["measure"] = reply["measure"]
    issuer = reply.get("issuer") if isinstance(reply.get("issuer"), str) else ""
    issuer_words = None
    if issuer and not issuer_mention(question, docs, glossary)[0] and _overlap(issuer, question) >= GROUNDED:
        if not issuer_mention(issuer, docs, glossary)[1]:
            return Refused(f"问题所问的单位“{issuer}”不在已收录的文件中。")
        issuer_words = issuer
    return Planned(replace(base, **changes), issuer_words, items, readings)
