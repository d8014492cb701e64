"""Conversation context: which questions continue the previous one, what they take from it, and
what a message that asks nothing gets.

A question is read on its own first (app/answer/understand.py); only then is it related to the
previous question, by its shape, never by its wording:

- **Elliptical** (`ELLIPSIS`): a short question marked as a continuation — it opens with 那/那么/
  还有 or ends with 呢 — that has no operation cue of its own (its operation is the default
  lookup). 那2023年呢？ / 那公务接待费呢？ / 去年的呢？ take from the previous question everything they
  do not say themselves: issuer, items, year, the 预算/决算 kind and the operation with its details
  (direction, percent, compared year, denominator …).
- **Missing its subject** (`NO_SUBJECT`): a question that asks something (an operation cue, a year,
  a 预算/决算 word) but names neither an item nor an issuer nor anything unknown — 为什么增加？,
  比上年增长多少？, 2023年是多少？. It keeps its own operation and takes the subject (issuer, items)
  and, when it names none, the year.
- Anything else is a **new topic** (`NEW_TOPIC`): a question that names its own issuer, item or
  year (云岭街道2025年预算总共多少钱) takes nothing, so one wrong turn never sticks to the next ones.

An elliptical question naming something the glossary does not know (那火星局呢？) takes no subject:
answering the previous issuer's or item's figure for it would be answering another question.

A message with no item, no issuer, no year, no 预算/决算 word and no cue of any family (你好, 谢谢,
在吗, 你是谁, random text) is small talk: it gets a short help message with three example questions
written from the stored documents, and leaves the conversation as it was.
"""

from __future__ import annotations

import re
from dataclasses import replace

from app.answer.candidates import issuer_mention
from app.answer.glossary import Glossary, issuer_short_names, norm
from app.answer.understand import Query

NEW_TOPIC, ELLIPSIS, NO_SUBJECT = "new_topic", "ellipsis", "no_subject"

# The longest elliptical forms are 那 + a long printed item name (一般公共预算财政拨款基本支出,
# about 15 characters) + a year and 呢; a longer question carries content of its own.
ELLIPSIS_CHARS = 24
_CONTINUES = re.compile(r"^(?:那么|那|还有|再问一下|再看)(?!些)|呢[？?。.!！\s]*$")
# Words that say nothing about the subject: particles, pronouns, politeness, year text.
_FILLER = re.compile(r"(?:(?:19|20)?\d{2}年度?|[零〇一二三四五六七八九]{4}年|请问|具体|这个|那个|它们?的?|其|还有|再|又|"
                     r"一下|情况|数字|金额|分别|那么|那|么|呢|吗|吧|呀|啊|的|了|是|[\s，,。？?！!、：:])")
UNKNOWN_NAME_CHARS = 2  # a leftover of this many characters names something the glossary does not know

# Operation families whose parameters travel with the operation when a follow-up takes it.
_OPERATION_FIELDS = ("direction", "wants_percent", "compared_offset", "extreme", "count_unit", "denominator")


def unknown_name(query: Query) -> str:
    """What the question names that is neither a known item nor a year nor a filler word
    (query.rest has no cue words and, as the engine calls understand, no issuer words)."""
    rest = norm(query.rest)
    for item in query.items:
        rest = rest.replace(norm(item.surface), " ")
    rest = _FILLER.sub("", rest)
    return rest if len(rest) >= UNKNOWN_NAME_CHARS else ""


def asks_something(question: str, query: Query, glossary: Glossary) -> bool:
    """Whether the message carries any part of a question: a cue word of some family (是多少, 比上年,
    为什么, 职责 …, as the glossary lists them), a year, or a 预算/决算 word. A bare 吗 is not one:
    在吗 asks nothing about a budget."""
    if query.years or query.year_offsets or query.kind or query.measure:
        return True
    if query.operation not in ("lookup", "yes_no"):
        return True  # the understanding found a family's own cue (比上年, 为什么, 职责 …)
    text = norm(question)
    return bool(_EXISTENCE.search(text)) or any(c in text for c in _cue_words(glossary)) or any(
        re.search(p, text) for p in glossary.operations.get("change", {}).get("patterns", []))


# A yes/no question about whether something exists or happened (有吗, 花没花); a bare 吗 is not one.
_EXISTENCE = re.compile(r"有没有|有无|是否|有吗|存在|(.)没\1")


def _cue_words(glossary: Glossary) -> frozenset[str]:
    """Every cue word of every operation family, and the text families' words (职责, 电话 …)."""
    words = set()
    for family in glossary.operations.values():
        if not isinstance(family, dict):
            continue
        for key, value in family.items():
            lists = value.values() if isinstance(value, dict) else [value]
            if key in ("cues", "percent_cues", "direction") or family is glossary.operations.get("text_other"):
                words.update(norm(w) for lst in lists if isinstance(lst, list) for w in lst if isinstance(w, str))
    return frozenset(w for w in words if w)


def is_small_talk(question: str, query: Query, names_issuer: bool, glossary: Glossary) -> bool:
    return not query.items and not names_issuer and not asks_something(question, query, glossary)


def topic_link(question: str, query: Query, names_issuer: bool, glossary: Glossary) -> str:
    """How a question relates to the previous one (ELLIPSIS, NO_SUBJECT or NEW_TOPIC)."""
    text = norm(question)
    if query.operation == "lookup" and len(text) <= ELLIPSIS_CHARS and _CONTINUES.search(text):
        return ELLIPSIS
    if not query.items and not names_issuer and not unknown_name(query) and asks_something(question, query, glossary):
        return NO_SUBJECT
    return NEW_TOPIC


def follow_up(query: Query, previous: Query, link: str) -> tuple[Query, dict, bool]:
    """The question completed from the previous one: (query, what it took, whether it takes the
    previous issuer). The dict is Answer.inherited without the issuer (the engine adds it)."""
    if link == NEW_TOPIC:
        return query, {}, False
    unknown = bool(unknown_name(query))
    changes: dict = {}
    taken: dict = {}
    if not query.items and not unknown:
        changes.update(items=previous.items, denominator=previous.denominator, within=previous.within)
        if previous.items:
            taken["items"] = [i.official[0] if i.official else i.surface for i in previous.items]
    if link == ELLIPSIS and query.operation == "lookup" and previous.operation != "lookup":
        changes["operation"] = previous.operation
        changes.update({f: getattr(previous, f) for f in _OPERATION_FIELDS if not getattr(query, f)})
        if previous.compared_year and not query.years:
            changes["compared_year"] = previous.compared_year
        taken["operation"] = previous.operation
    if not query.years and not query.year_offsets:
        changes.update(years=previous.years, year_offsets=previous.year_offsets,
                       across_years=query.across_years or previous.across_years)
        if len(previous.years) == 1:
            taken["year"] = previous.years[0]
        elif previous.years:
            taken["years"] = list(previous.years)
        elif previous.year_offsets:
            taken["year_offset"] = previous.year_offsets[0]
    elif query.year_offsets and not query.years and len(previous.years) == 1:
        # 那上年的呢？ after a question about 2021: the year before 2021, not before the latest document
        changes.update(years=[previous.years[0] + query.year_offsets[0]], year_offsets=[])
    if query.kind is None and previous.kind is not None:
        changes.update(kind=previous.kind, measure=query.measure or previous.measure)
        taken["kind"] = previous.kind
    if query.scope is None and previous.scope is not None:
        changes["scope"] = previous.scope
    return (replace(query, **changes) if changes else query), taken, not unknown


def inherited_for(answer, inherited: dict) -> dict:
    """Answer.inherited as the user reads it: a relative year taken (今年 → offset 0) is given as the
    year of the document the answer's figures come from, when they come from one."""
    out = dict(inherited)
    years = {r.doc.year for r in answer.facts if r.doc.year}
    if "year_offset" in out and len(years) == 1:
        out["year"] = years.pop() + out.pop("year_offset")
    return out


def help_message(docs, glossary: Glossary, labels_of) -> str:
    """A short help with three example questions written from the stored documents (their
    issuers' short names, years and an item their labels print). labels_of(doc) → label text."""
    recent = sorted(docs, key=lambda d: (-(d.year or 0), d.scope != "部门", d.title))[:2]
    subjects = []
    for doc in recent:
        labels = norm(labels_of(doc))
        items = [shown for shown, key in _EXAMPLE_ITEMS if key in labels] or ["支出"]
        subjects.append((f"{_short_name(doc, docs, glossary)}{doc.year or ''}{'年' if doc.year else ''}", items))
    who, items = subjects[0]
    examples = [f"{who}{items[0]}是多少？", f"{who}{items[0]}比上年增加还是减少了多少？"]
    other, other_items = subjects[-1]
    examples.append(f"{other}{other_items[-1] if other != who else items[-1]}包括哪些？")
    lines = "\n".join(f"{n}. {q}" for n, q in enumerate(examples, 1))
    return ("您好！我可以回答已导入的预算、决算公开文件中的问题（金额、增减、占比、构成、原因等）。"
            f"请直接提问，例如：\n{lines}")


# Items most disclosures print, the most asked first (三公 before the spending totals): as the
# example writes it, and the characters a label must contain for the document to print it.
_EXAMPLE_ITEMS = (("“三公”经费", "三公"), ("一般公共预算支出", "一般公共预算支出"), ("基本支出", "基本支出"))


def _short_name(doc, docs, glossary: Glossary) -> str:
    """The shortest everyday name (three characters or more) that names this issuer alone."""
    full = norm(doc.issuer or "")
    names = sorted((n for n in issuer_short_names(doc.issuer or "", glossary) if len(n) >= 3 and n in full),
                   key=lambda n: (len(n), n))
    for name in names:
        _, named = issuer_mention(name, docs, glossary)
        if named and {d.issuer for d in named} == {doc.issuer}:
            return name
    return doc.issuer or ""
