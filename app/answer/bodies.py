"""Bodies, places and quoted passages: is the document, or the passage quoted, about what was asked?

foreign_body: a subordinate unit or another region named in the question that the document is not
about; body_named: the part of the issuer a duties question asks about; text_identity: a quoted
definition or reason that speaks of the asked term.
"""

from __future__ import annotations

import re

from app.answer.compose import Check
from app.answer.glossary import norm
from app.answer.names import asked_terms
from app.answer.understand import Query

# Share of the asked term's character pairs the quoted passage must hold when it does not print the
# term whole: a word inserted (一般公共预算拨款 as 一般公共预算财政拨款, 6 of 7 pairs) still counts; a
# passage sharing a word or two (事业收入's definition for 用事业基金弥补收支差额, 1 of 10) does not.
TEXT_NAMES = 0.75


def text_identity(query: Query, passage_text: str, where: str) -> Check:
    """A quoted passage answers a definition or a reason only when it speaks of the thing asked: the
    term (or, for a reason, the item) is in the passage or its heading, whole or by most of its
    character pairs (用事业基金弥补收支差额 is not answered by the sentence defining 事业收入)."""
    from app.answer.candidates import bigrams

    body = norm(passage_text + where)
    item = query.items[-1] if query.operation == "definition" and query.items else query.items[0] if query.items else None
    terms = asked_terms(item) if item else [norm(query.rest)] if len(query.rest) >= 2 else []
    if query.operation == "reason" and any(len(t) > 2 for t in terms):
        terms = [t for t in terms if len(t) > 2]  # 预算/支出 alone are in every sentence; their printed totals are not
    if not terms:
        return Check("item", True, "问题没有指明项目。")
    best, named = 0.0, terms[0]
    for term in terms:
        pairs = bigrams(term)
        score = 1.0 if term in body else (len(pairs & bigrams(body)) / len(pairs) if pairs else 0.0)
        if score > best:
            best, named = score, term
    ok = best >= TEXT_NAMES
    if ok and query.operation == "reason" and re.search(r"占|比重|比例|几成|近.成", norm(query.question or "")) \
            and not re.search(r"占|比重|比例", body):
        # 为什么…占了近九成: a reason for a share speaks of the share; a change's reason is not it
        return Check("item", False, "问的是所占比例的原因，引用的文字没有说到比例。")
    if ok and query.operation == "definition":
        # a definition is the passage whose heading is the term, or that opens with it (X：指… / X是指…);
        # a passage that only mentions the term (三公经费's definition listing 公务接待费) defines another
        head, opening = norm(where), norm(passage_text)[:len(named) + 6]
        ok = any(t in head or t in opening for t in terms)
        if not ok:
            return Check("item", False, f"引用的文字提到“{named}”，但不是对它的解释。")
    return Check("item", ok, f"引用的文字{'提到' if ok else '没有提到'}“{named}”（相符度{best:.2f}，需≥{TEXT_NAMES}）。")


# A body named in a question: a name ending in an organisation word. Regions: a place name ending
# in 省/市/区/县 (not 社区, 地区 …, which are not places of an issuer).
_BODY = re.compile(r"[\u4e00-\u9fff]{2,12}?(?:大队|支队|中队|招待所|派出所|监测站|服务中心|管理站|管理所|中心|站|所|宾馆|酒店|公司|学校|小学|中学|"
                   r"幼儿园|卫生院|医院|街道办事处|办事处|委员会|办公室|办公厅|审判庭|法庭|局|厅)(?![\u4e00-\u9fff]{0,1}[目长有需属])")
_REGION = re.compile(r"(?<![\d年])[\u4e00-\u9fff]{2,4}?(?:省|市|区|县)(?!长|委|级)")
# 社区, 城区, 园区 …: a 区 that is no place of an issuer; 本市, 全县 …: no name at all
_NOT_REGION = re.compile(r"(?:社|地|园|小|城|辖|市|景|片|校|学|厂|矿|新|老|本|全|该|各)区$|^(?:本|全|该|各|城)[市县省]$|城乡")


def foreign_body(text: str, doc, labels: list[str]) -> str:
    """A body or region the question names that the answering document is not about: a subordinate
    unit (…局下属的…监测站) no label of the document names, or a region (某市某区) that is not in the
    issuer's name — the document's figures are not that body's. "" when there is none."""
    issuer = norm(doc.issuer or "") + norm(doc.title or "")
    printed = norm(" ".join(labels))
    for m in _REGION.finditer(text):
        region = m.group(0)
        if not _NOT_REGION.search(region) and region not in issuer and region[:-1] not in issuer:
            return region
    for m in _BODY.finditer(text):
        body = m.group(0)
        if body in issuer or body in printed or len(body) < 3:
            continue
        tail = re.sub(r"^.*?(?:下属的?|所属的?|下设的?|的)", "", body)
        if tail != body and (tail in printed or len(tail) < 3):
            continue
        return body
    return ""


def body_named(text: str, doc) -> str:
    """A part of the issuer the question asks about (青岚高院的环境资源审判庭负责什么): a body name in the
    question other than the issuer's own, "" when there is none."""
    issuer = norm(doc.issuer or "") + norm(doc.title or "")
    for m in _BODY.finditer(text):
        body = re.sub(r"^.*?(?:下属的?|所属的?|下设的?|的)", "", m.group(0))
        if len(body) >= 3 and body not in issuer:
            return body
    return ""
