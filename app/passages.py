"""Text answers: the document's own sentences, quoted, for reasons, definitions, duties, contacts.

The answer is extractive: sentences from the narrative sections (and the text fields of forms
such as 绩效目标表) are scored against the question by the glossary's terms for its items
and by character bigrams of what is left of the question, with a preference for sentences
that carry the cue family's own words (因为/由于 for a reason, 是指 for a definition …).
The best passage is quoted verbatim (in 「」, which the verifier reads as a quotation) with its
section, so every figure in it is the document's; nothing is paraphrased.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.glossary import norm
from app.understand import Query
from ingest.model import Disclosure

MIN_SCORE = 0.25
_BECAUSE = ("原因", "由于", "因为", "主要是", "按照", "根据")  # below this no sentence is taken to answer the question
_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]?")

# Words a sentence of each kind tends to contain (why a reduction happened, what a term means).
FAMILY_WORDS = {
    "reason": ("主要原因", "原因", "由于", "因为", "主要是", "系", "导致", "减少", "增加"),
    "definition": ("是指", "指", "包括", "用于"),
    "text": ("负责", "职责", "电话", "联系", "设有", "内设", "目标"),
}


@dataclass
class Passage:
    text: str
    where: str  # section path or table and field
    score: float


def _bigrams(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1)}


def _candidates(d: Disclosure):
    """(sentence, where, the sentence after it, its whole paragraph) for every narrative sentence
    and every text field of a form (a form's fields are placed under its project's name)."""
    for top in d.sections:
        for section in top.walk():
            where = f"{section.number}{section.heading}".strip()
            for paragraph in section.paragraphs:
                sentences = [x.strip() for x in _SENTENCE.findall(paragraph.text) if len(x.strip()) >= 2]
                for i, sentence in enumerate(sentences):
                    if len(sentence) >= 6:
                        after = sentences[i + 1] if i + 1 < len(sentences) else ""
                        yield sentence, where or "说明", after, paragraph.text.strip()
    for table in d.tables:
        name = next((f.text for f in table.fields if "名称" in f.key), "")
        for field in table.fields:
            if field.text and len(field.text) >= 6 and field.value is None and not re.search(r"名称|编码|代码", field.key):
                text = f"{field.key}：{field.text}"
                yield text, f"{table.key}《{table.title}》{name}", "", text


def find_passage(query: Query, d: Disclosure) -> Passage | None:
    terms = [norm(o) for item in query.items for o in item.official[:4]]
    surface = [norm(item.surface) for item in query.items]
    rest = norm(query.rest)
    want = _bigrams(rest) | {b for t in surface for b in _bigrams(t)}
    family = FAMILY_WORDS.get(query.operation, ())
    best: Passage | None = None
    for sentence, where, after, paragraph in _candidates(d):
        text = norm(sentence)
        overlap = len(want & (_bigrams(text) | _bigrams(norm(where)))) / len(want) if want else 0.0
        named = 0.3 if any(t in text for t in terms + surface) else 0.0
        cue = 0.3 if any(w in text for w in family) else 0.0
        if query.operation == "definition" and re.search(r"\d", text):
            cue -= 0.15  # a definition says what a thing is, not how much it was this year
        # a heading that names the item (（五）“三公”经费：指…) makes its sentences about the item
        heading = 0.25 if any(t in norm(where) for t in surface + [rest] if t) else 0.0
        if any(norm(where).endswith(t) for t in surface + terms[:1] if t):
            heading = 0.4  # the heading is the term itself: （三）基本支出：指…
        score = overlap + named + cue + heading - 0.002 * max(0, len(text) - 120)
        if best is None or score > best.score:
            quoted = sentence
            if query.operation == "reason" and not any(w in text for w in _BECAUSE) and \
                    any(w in norm(after) for w in _BECAUSE):
                quoted = sentence + after  # the figure, then the sentence that gives its reason
            elif query.operation == "text" and len(paragraph) <= 400:
                quoted = paragraph  # duties, structure, contacts: the whole paragraph
            best = Passage(quoted, where, score)
    return best if best is not None and best.score >= MIN_SCORE else None


def empty_table_note(query: Query, disclosure: Disclosure) -> tuple[str, str] | None:
    """(table, note) when a table about the item is published empty with a 本部门无… note: the
    document's own words for a figure of nothing (有没有政府性基金预算支出 → 没有)."""
    for table in disclosure.tables:
        if not table.is_empty:
            continue
        title = norm(table.title)
        if any(norm(o) in title for item in query.items for o in item.official[:6]):
            note = next((n for n in table.notes if "无" in n), None)
            if note:
                return f"{table.key}《{table.title}》", note
    return None


_NONE = re.compile(r"(?<![并])(?:无|没有|未安排|未发生|不存在|未使用)(?!法|论|需|须|关|异|误)")
_CORE = re.compile(r"[“”\"'‘’「」《》()（）\s]")


def statement_of_none(query: Query, disclosure: Disclosure) -> Passage | None:
    """A narrative sentence saying the item does not exist this year (本部门2024年度无“三公”经费
    财政拨款支出 / 无使用政府性基金预算拨款安排的支出 / 无公务用车车辆): the document's own 没有.
    The negation must come just before the item's name, so 无法… or a 无 about something else
    in the same sentence does not count."""
    terms = {_CORE.sub("", norm(t)) for item in query.items
             for t in [item.surface] + list(item.official[:6]) if len(_CORE.sub("", norm(t))) >= 2}
    terms |= {t[:-2] for t in terms if t.endswith(("支出", "经费")) and len(t) >= 4}  # 三公经费支出 → 三公
    best: Passage | None = None
    for sentence, where, _, _ in _candidates(disclosure):
        text = _CORE.sub("", norm(sentence))
        for m in _NONE.finditer(text):
            window = text[m.end():m.end() + 14]
            hit = max((len(t) for t in terms if t in window), default=0)
            if hit and (best is None or hit > best.score):
                best = Passage(sentence, where, hit)
    return best
