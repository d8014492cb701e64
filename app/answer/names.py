"""How a printed name names the item a question asks for (the identity checks' vocabulary).

Chinese names put the head last: a printed name ending with the asked term is that thing, qualified
by its document; a name holding the term in its middle, or a wider name inside the asked phrase, is
another thing. Used by app/answer/identity.py and app/answer/bodies.py.
"""

from __future__ import annotations

import re

from app.answer.candidates import TOTAL_WORDS, FactRecord, term_match
from app.answer.glossary import norm
from app.answer.understand import Item

# A fact's own name must name an asked term at least this well (names_as below): the same name is 1.0
# (费用/经费/费 alike); a name with the term as its head (参公事业单位财政拨款的机关运行经费 for
# 机关运行经费, or the term plus a generic tail such as 财政拨款支出) is HEAD_NAME; a name holding the
# term in its middle (办公费及印刷费 for 办公费) or a wider name inside the asked phrase (人员经费 for
# 临时聘用人员经费) is INSIDE_NAME, and names sharing only character pairs reach it only when nearly
# identical (Dice ≥ 0.94). Ranking may take a fact from 0.6 on (THRESHOLD); only a fact that *is*
# the item is shown as verified.
NAMES_ITEM = 0.75
HEAD_NAME = 0.9
INSIDE_NAME = 0.5
_CODE_IN_QUESTION = re.compile(r"(?<!\d)(2\d{2}(?:\d{2}){0,2}|[35]\d{2}(?:\d{2})?)(?!\d)")
_NUMBERING = re.compile(r"^(?:[一二三四五六七八九十]+[、.]|[(（][一二三四五六七八九十\d]+[)）]|\d+[.、])|^其中[:：]?")
_CATEGORY = re.compile(r"[(（][类款项][)）]$")
# what a printed name may add after the item's own name without naming another thing:
# 三公经费财政拨款支出 is the 三公经费, 机关运行经费决算数 the 机关运行经费
_GENERIC_TAIL = re.compile(r"(?:财政拨款)?(?:支出|收入|资金|费用)?(?:预算|决算)?(?:数|额|金额)?(?:合计|小计|总计)?$")


def clean_name(name: str) -> str:
    return _CATEGORY.sub("", _NUMBERING.sub("", norm(name)))


def fact_names(record: FactRecord) -> list[str]:
    """What a fact is called where it is printed: its row name, the column parts that are not mere
    totals or measures, and — for the grand total of a table — the table's title."""
    names = [clean_name(p) for p in record.row_parts if p]
    names += [clean_name(p) for p in record.column_parts
              if p and p not in TOTAL_WORDS and not re.match(r"^(?:\d{4}年)?(?:本年|上年|全年|年初)?(?:支出|收入)?"
                                                              r"(?:预算数?|决算数?|执行数|金额|数)$", p)]
    if record.title and (record.is_total_row or not record.row_parts):
        names.append(clean_name(record.title))
        # a 合计 row totals the side its table or column is about: 支出合计 in an expenditure table
        context = record.title + "".join(record.column_parts)
        for side in ("支出", "收入"):
            if side in context and not (side == "支出" and "收入" in record.title and "收支" not in record.title):
                names += [side + clean_name(p) for p in record.row_parts if p in TOTAL_WORDS or not p]
                names.append(side + "合计")
    # a sub-column names its thing with its parent head: 公务用车购置及运行费 › 购置费 is 公务用车购置费
    parts = [clean_name(p) for p in record.column_parts if p and p not in TOTAL_WORDS]
    for parent, child in zip(parts, parts[1:]):
        at = parent.find(child[:2]) if len(child) >= 2 else -1
        stems = {parent[:at]} if at > 0 else set()
        stems.add(parent[:4])
        names += [stem + child for stem in stems if stem and not child.startswith(stem)]
    shown = clean_name(record.display_name())
    if shown:
        names.append(shown)
    return [n for n in dict.fromkeys(names) if n]


def asked_terms(item: Item) -> list[str]:
    """The terms that name the item itself: what the question typed and its glossary synonyms, not
    the wider fallback a narrower unknown phrase was given."""
    terms = [norm(item.surface)] + [norm(o) for o in item.official if o not in item.broader]
    return list(dict.fromkeys(t for t in terms if t))


def _canon(text: str) -> str:
    return text.replace("费用", "费").replace("经费", "费")


def names_as(term: str, name: str) -> float:
    """How well a printed name names an asked term. Chinese names put the head last: a printed name
    that ends with the term (after generic tails such as 财政拨款支出) is that thing, qualified by
    its document (参公事业单位财政拨款的机关运行经费 is 机关运行经费); a name holding the term in its
    middle has another head (公务用车购置及运行费 is not 公务用车购置费), and an asked term that ends
    with the printed name (临时聘用人员经费 / 人员经费) asks for something narrower. Otherwise only
    shared character pairs count (app.answer.candidates.term_match without its containment bonus)."""
    t, n = _canon(term), _canon(name)
    if not t or not n:
        return 0.0
    if t == n:
        return 1.0
    stripped = _GENERIC_TAIL.sub("", n) or n
    if len(t) >= 2 and (n.endswith(t) or stripped.endswith(t) or stripped == (_GENERIC_TAIL.sub("", t) or t)):
        return HEAD_NAME
    if t in n or n in t:
        return INSIDE_NAME  # inside another name, or a wider name inside the asked one
    return term_match(t, n)


_GENERIC_WHOLE = {"支出", "收入", "经费", "预算", "资金", "决算", "总支出", "总收入"}


def item_match(item: Item, record: FactRecord, by_title: bool = False) -> float:
    """How plainly the fact is the item (1.0: by name or code; see NAMES_ITEM). `by_title`: the
    fact is a part in a table whose title names the item (基本支出决算表 for 基本支出's parts)."""
    if record.fact.subject_code and record.fact.subject_code in item.codes and not item.broader:
        return 1.0
    best = 0.0
    title = clean_name(record.title) if record.title else ""
    for term in asked_terms(item):
        for name in fact_names(record):
            best = max(best, names_as(term, name))
        # a part's table titled by the item (基本支出决算表) stands for the item; a bare 支出/收入 is in
        # every title, so for those the whole must be the table's total itself
        titled = by_title and term not in _GENERIC_WHOLE
        if title and term in title and (record.is_total_row or titled):
            best = max(best, 1.0)  # the grand total of a table about the item (三公经费 › 合计)
    return best


def codes_asked(question: str) -> list[str]:
    """Subject codes written in the question: 功能分类 2xx(xx(xx)), 经济分类 3xx(xx) / 5xx(xx)."""
    text = re.sub(r"(?:19|20)\d{2}\s*年度?", " ", norm(question))
    return [c for c in _CODE_IN_QUESTION.findall(text) if len(c) in (3, 5, 7)]
