"""Suggested questions for a first visit, drawn from the documents that are actually ingested.

For the document ingested last and the most recent ones, questions are written from each document's own issuer name
(the shortest everyday form of it that still names that issuer alone), its year, and common
budget items that its tables or narrative actually print. Every candidate is then put to the
engine; only those it answers — with a verified figure or a quoted passage — are offered, one
of each kind (a figure, a change, a structure, a text answer), so no suggestion leads nowhere.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.answer.candidates import issuer_mention
from app.answer.glossary import Glossary, issuer_short_names, norm
from index.facts import DocumentSummary

# Everyday budget items most disclosures print; a document offers those its labels contain.
COMMON_ITEMS = ("“三公”经费", "因公出国（境）费", "公务接待费", "机关运行经费", "基本支出", "项目支出",
                "财政拨款收入")
_LEVEL_WORDS = "省市区县镇乡"  # 区商务委 reads as a fragment; 商务委员会 as a name
DOCUMENTS_TRIED = 2
MAX_SUGGESTIONS = 4


@dataclass(frozen=True)
class Suggestion:
    kind: str  # figure | change | structure | text
    question: str


def suggest(engine, docs: list[DocumentSummary], glossary: Glossary) -> list[Suggestion]:
    chosen: dict[str, Suggestion] = {}
    for doc in _recent(docs)[:DOCUMENTS_TRIED]:
        for suggestion in _candidates(engine, doc, docs, glossary):
            if suggestion.kind in chosen:
                continue
            answer = engine.ask(suggestion.question)
            if answer.status == "answered" and answer.verified and _about(answer, doc):
                chosen[suggestion.kind] = suggestion
        if len(chosen) >= MAX_SUGGESTIONS:
            break
    order = ("figure", "change", "structure", "text")
    return [chosen[k] for k in order if k in chosen][:MAX_SUGGESTIONS]


def _recent(docs: list[DocumentSummary]) -> list[DocumentSummary]:
    """The document ingested last first (a new upload is what the user wants to ask about), then
    latest year first, 部门 before 单位; one document per issuer."""
    ranked = sorted(docs, key=lambda d: (-(d.year or 0), d.scope != "部门", d.title))
    if ranked:
        newest = max(docs, key=lambda d: d.ingested_at or "")
        ranked = [newest] + [d for d in ranked if d is not newest]
    seen, out = set(), []
    for d in ranked:
        if d.issuer and d.issuer not in seen:
            seen.add(d.issuer)
            out.append(d)
    return out


def short_issuer(doc: DocumentSummary, docs: list[DocumentSummary], glossary: Glossary) -> str:
    """The shortest name (four characters or more, part of the full name, not opening with a level
    word) that names this issuer alone in a question; else the full name."""
    full = norm(doc.issuer or "")
    names = sorted((n for n in issuer_short_names(doc.issuer or "", glossary)
                    if len(n) >= 4 and n in full and n[0] not in _LEVEL_WORDS), key=lambda n: (len(n), n))
    for name in names:
        _, named = issuer_mention(name, docs, glossary)
        if named and {d.issuer for d in named} == {doc.issuer}:
            return name
    return doc.issuer or ""


def _candidates(engine, doc: DocumentSummary, docs: list[DocumentSummary], glossary: Glossary):
    who = short_issuer(doc, docs, glossary)
    year = f"{doc.year}年" if doc.year else ""
    labels = " ".join(norm(" ".join(r.fact.label)) for r in engine.pool(doc))
    items = [item for item in COMMON_ITEMS if norm(item) in labels]
    for item in items:
        yield Suggestion("figure", f"{who}{year}{item}是多少？")
    for item in items:
        yield Suggestion("change", f"{who}{year}{item}比上年增加还是减少了多少？")
    yield Suggestion("structure", f"{who}{year}支出包括哪些？")
    for item in items:
        yield Suggestion("structure", f"{who}{year}{item}包括哪些？")
    for item in items:
        yield Suggestion("text", f"什么是{item}？")


def _about(answer, doc: DocumentSummary) -> bool:
    """A figure answer comes from the suggested document's issuer (not a namesake elsewhere)."""
    issuers = {r.doc.issuer for r in answer.facts}
    return not issuers or doc.issuer in issuers
