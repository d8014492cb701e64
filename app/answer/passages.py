"""Text answers: the document's own sentences, quoted, for reasons, definitions, duties, contacts.

The answer is extractive: sentences from the narrative sections (and the text fields of forms
such as 绩效目标表) are scored against the question by the glossary's terms for its items
and by character bigrams of what is left of the question, with a preference for sentences
that carry the cue family's own words (因为/由于 for a reason, 是指 for a definition …).
The best passage is quoted verbatim (in 「」, which the verifier reads as a quotation) with its
section, so every figure in it is the document's; nothing is paraphrased.

A reason is a reason only when the document states one: the passage for a 为什么 question must
carry a reason marker (原因, 主要是, 由于, 因为, 用于, 系, 导致, 受…影响, 根据…要求 …) in a clause about
the asked item (the clause naming it, or the one right after). The best-scoring passage that does
is taken; when none does, the best passage comes back marked `context_only`: the engine then says
the document gives no reason and quotes the sentence as context, never as the reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from app.answer.candidates import bigrams
from app.answer.glossary import Glossary, norm
from app.answer.understand import Query
from ingest.model import Disclosure

# Below this no sentence is taken to answer the question. Naming the asked item (NAMED_BONUS) or
# carrying a strong cue word (STRONG_CUE) clears it on its own; a weak cue word (WEAK_CUE), or a
# quarter of the question's character pairs, with nothing named, does not.
MIN_SCORE = 0.25
# A sentence that prints the item's name (or a glossary term for it) is about the item: worth more
# than most of the question's character pairs shared by a sentence that never names it.
NAMED_BONUS = 0.3
# A reason often follows the sentence naming the item (X决算为…。决算数小于预算数的主要原因：…):
# the item named just before counts, though less than naming it in the sentence itself.
LEAD_BONUS = 0.2
# A word saying the sentence is of the kind asked (主要原因, 是指, 负责) counts as much as the item's
# name; a word saying it is about the same event (增加, 用于) a third of that, so “…增加…的主要原因是…”
# beats “…增加…” for a 为什么 question.
STRONG_CUE = 0.3
WEAK_CUE = 0.1
# A definition says what a thing is, not how much it was this year: a sentence with digits loses more
# than a weak cue word gives it.
DEFINITION_FIGURE_PENALTY = 0.15
# A heading naming the item (（五）“三公”经费：…) makes its sentences about the item; a heading that *is*
# the term (（三）基本支出：指…) more so, above a sentence elsewhere that merely names it (NAMED_BONUS).
HEADING_NAMES = 0.25
HEADING_IS_TERM = 0.4
FIELD_NAMED = 0.2  # the form field the question names by a four-character run (绩效目标 → 当年绩效目标)
PLACE_BONUS = 0.3  # the heading or field where the asked kind of text is printed (机构设置 for a structure)
# Long sentences say many things: past LONG_SENTENCE_CHARS each character costs LONG_SENTENCE_PENALTY
# (a 270-character sentence loses as much as naming the item gives); below it, LENGTH_TIE_BREAK per
# character only decides between sentences that answer alike (the shorter wins).
LONG_SENTENCE_CHARS = 120
LONG_SENTENCE_PENALTY = 0.002
LENGTH_TIE_BREAK = 0.0001
REASON_PARAGRAPH_CHARS = 160  # a reason's paragraph up to this long is quoted whole (the reason and its item)
TEXT_PARAGRAPH_CHARS = 400  # duties, structure, contacts: a paragraph up to this long is quoted whole
LIST_CHARS = 400  # at most this much of a list announced by a sentence ending in “：” is quoted
_BECAUSE = ("原因", "由于", "因为", "主要是", "按照", "根据")
_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]?")
# a line break inside a sentence is the layout's (a wrapped line), not the writer's: it is closed up
# unless the line ends a sentence or the next one starts a numbered item
_WRAP = re.compile(r"(?<![。；：！？!?;:])\s*\n\s*(?![（(]?(?:[一二三四五六七八九十]+|\d{1,2})[)）、.．])")
_FIGURE = re.compile(r"\d[\d,]*(?:\.\d+)?\s*(?:万元|元|%)")

# Words a sentence of each kind tends to contain: strong ones say it is that kind of sentence
# (主要原因 …), weak ones that it is about the same event (减少 …).
FAMILY_WORDS = {
    "reason": (("主要原因", "原因", "由于", "因为", "导致"), ("主要是", "减少", "增加", "下降", "持平")),
    "definition": (("是指", "指"), ("包括", "用于")),
    "text": (("负责", "职责", "电话", "联系", "设有", "内设", "下设", "目标"), ()),
}


@dataclass
class Passage:
    text: str
    where: str  # section path or table and field
    score: float
    context_only: bool = False  # a reason question: the document states no reason; this is the figure's sentence


# A stated reason: a cause or purpose word (系 only where it means 是: 主要系, 原因系, ，系…).
REASON_MARKER = re.compile(r"原因|主要是|由于|因为|用于|导致|为了|受.{0,12}影响|(?:主要|原因|[，,])系|系因|"
                           r"(?:根据|按照|落实).{0,20}(?:要求|需要|规定|安排|政策|标准|部署)")
_CLAUSE_END = re.compile(r"[。；;！!？?]")
_QUOTES = re.compile(r"[“”\"'‘’「」《》\s]")


def item_terms(query: Query) -> list[str]:
    """The asked items' names as a passage may print them (quotes and spaces removed; 三公经费 also as 三公)."""
    terms = {_QUOTES.sub("", norm(t)) for item in query.items for t in [item.surface] + list(item.official[:4])}
    terms |= {t[:-2] for t in terms if t.endswith(("经费", "支出")) and len(t) >= 4}
    return sorted((t for t in terms if len(t) >= 2), key=len, reverse=True)


def _naming(text: str, terms: list[str]) -> str:
    """The sentences of a passage that name the item (the context quoted for a reason the document
    does not give), else the whole passage."""
    sentences = [x for x in re.findall(r"[^。！？!?]+[。！？!?]?", text) if any(t in _QUOTES.sub("", norm(x)) for t in terms)]
    return "".join(sentences) or text


def gives_reason(text: str, terms: list[str]) -> bool:
    """Whether the text states a reason for the item: a reason marker in a clause naming the item or
    in the clause right after it; with no item asked (为什么增加？), or an item named only before the
    quoted text, a marker anywhere."""
    clauses = [_QUOTES.sub("", norm(c)) for c in _CLAUSE_END.split(text)]
    named = [i for i, c in enumerate(clauses) if any(t in c for t in terms)]
    if not terms or not named:
        return any(REASON_MARKER.search(c) for c in clauses)
    # the clauses after the item's give its reason until one begins another figure's account
    # (…公务接待费5,000元，较上年减少…；公务用车购置费0元，与上年持平。): a continuation (比2023年
    # 增加25万元，主要原因是…) goes on; a new name followed by its figure stops
    def reasons_after(i: int) -> bool:
        for j in range(i, min(i + 3, len(clauses))):
            if j > i and _ANOTHER_FIGURE.search(clauses[j]):
                return False
            if REASON_MARKER.search(clauses[j]):
                return True
        return False

    return any(reasons_after(i) for i in named)


_ANOTHER_FIGURE = re.compile(r"^(?!比|较|同比|与|和|增|减|下降|上升|持平|主要|其中|这|是)[\u4e00-\u9fff“”（）()]{2,}?"
                             r"\d[\d,.]*\s*(?:万元|元|亿元)")


@dataclass
class _Candidate:
    sentence: str
    where: str
    before: str  # the sentence before it in its paragraph ("" for the first)
    after: str
    paragraph: str
    key: str = ""  # a form field's name (当年绩效目标), "" for narrative
    following: str = ""  # the paragraphs after it in its section (a list announced by “具体包括：”)


def _sentences(text: str) -> list[str]:
    return [x.strip() for x in _SENTENCE.findall(_WRAP.sub("", text)) if len(x.strip()) >= 2]


def _candidates(d: Disclosure) -> list[_Candidate]:
    """Every narrative sentence with its neighbours and paragraph, and every text field of a form
    (a form's fields are placed under its project's name)."""
    out = []
    for top in d.sections:
        for section in top.walk():
            where = f"{section.number}{section.heading}".strip() or "说明"
            texts = [p.text for p in section.paragraphs]
            # a list announced by “具体包括：” may have been read as numbered sub-headings
            children = [f"{c.number}{c.heading}" + "".join(p.text for p in c.paragraphs) + "；"
                        for c in section.children]
            for n, paragraph in enumerate(texts):
                sentences = _sentences(paragraph)
                whole = "".join(sentences)
                following = "".join(texts[n + 1:] + children)[:LIST_CHARS]
                for i, sentence in enumerate(sentences):
                    if len(sentence) >= 6:
                        out.append(_Candidate(sentence, where, sentences[i - 1] if i else "",
                                              sentences[i + 1] if i + 1 < len(sentences) else "", whole,
                                              following=following if i == len(sentences) - 1 else ""))
    for table in d.tables:
        name = next((f.text for f in table.fields if "名称" in f.key), "")
        for field in table.fields:
            if field.text and len(field.text) >= 6 and field.value is None and not re.search(r"名称|编码|代码", field.key):
                text = f"{field.key}：{field.text}"
                out.append(_Candidate(text, f"{table.key}《{table.title}》{name}", "", "", text, key=field.key))
    return out


def _common_run(a: str, b: str, n: int = 4) -> bool:
    """Whether a and b share a run of n characters (绩效目标 in 当年绩效目标 and in the question)."""
    return any(a[i:i + n] in b for i in range(len(a) - n + 1))


def _places(asked: str, glossary: Glossary | None) -> tuple[str, ...]:
    """Where the kinds of text the question asks for are printed (structure → 机构设置 …)."""
    if glossary is None:
        return ()
    kinds = glossary.operations.get("text_other", {})
    places = glossary.operations.get("text_places", {})
    return tuple(norm(w) for kind, cues in kinds.items() if any(norm(c) in asked for c in cues)
                 for w in places.get(kind, []))


def find_passage(query: Query, d: Disclosure, glossary: Glossary | None = None) -> Passage | None:
    terms = [norm(o) for item in query.items for o in item.official[:4]]
    surface = [norm(item.surface) for item in query.items]
    rest = norm(query.rest)
    want = bigrams(rest) | {b for t in surface for b in bigrams(t)}
    strong, weak = FAMILY_WORDS.get(query.operation, ((), ()))
    reason = query.operation == "reason"
    candidates = _candidates(d)
    if reason:  # 其中：A…，主要原因是…；B…，主要原因是…: each clause gives its own item's reason
        candidates += [_Candidate(clause, c.where, "", "", clause) for c in candidates if "；" in c.sentence
                       for clause in c.sentence.split("；") if len(clause) >= 6]
    best: Passage | None = None
    best_reason: Passage | None = None  # the best passage that states a reason for the item
    asked_items = item_terms(query) if reason else []
    asked = norm(query.question or "")
    places = _places(asked, glossary)
    for c in candidates:
        sentence = _clip_reason(c.sentence) if reason else c.sentence
        text, before = norm(sentence), norm(c.before)
        overlap = len(want & (bigrams(text) | bigrams(norm(c.where)))) / len(want) if want else 0.0
        named = NAMED_BONUS if any(t in text for t in terms + surface) else 0.0
        # a reason often follows the sentence that names the item (X决算为…。决算数小于预算数的主要原因：…)
        lead = reason and not named and any(t in before for t in terms + surface if t)
        if lead:
            named = LEAD_BONUS
            overlap = max(overlap, len(want & (bigrams(text + before))) / len(want) if want else 0.0)
        if query.operation == "text":  # duties, structure, contacts: the family word the question uses
            cue = (STRONG_CUE if any(w in text and w in asked for w in strong)
                   else WEAK_CUE if any(w in text for w in strong) else 0.0)
        else:
            cue = STRONG_CUE if any(w in text for w in strong) else WEAK_CUE if any(w in text for w in weak) else 0.0
        if query.operation == "definition" and re.search(r"\d", text):
            cue -= DEFINITION_FIGURE_PENALTY  # a definition says what a thing is, not how much it was this year
        # a heading that names the item (（五）“三公”经费：指…) makes its sentences about the item
        where = norm(c.where)
        heading = HEADING_NAMES if any(t in where for t in surface + [rest] if t) else 0.0
        if any(where.endswith(t) for t in surface + terms[:1] if t):
            heading = HEADING_IS_TERM  # the heading is the term itself: （三）基本支出：指…
        if c.key and _common_run(norm(c.key), asked):
            heading += FIELD_NAMED  # the form field the question names (绩效目标 → 当年绩效目标)
        if places:  # the heading or field where such text is printed, and the words it uses
            heading += PLACE_BONUS if any(w in where or w in norm(c.key) for w in places) else 0.0
            cue = max(cue, PLACE_BONUS if any(w in text for w in places) else 0.0)
        # long sentences say many things; of two that answer alike, the shorter is the answer
        score = (overlap + named + cue + heading - LONG_SENTENCE_PENALTY * max(0, len(text) - LONG_SENTENCE_CHARS)
                 - LENGTH_TIE_BREAK * len(text))
        is_best = best is None or score > best.score
        # a reason must be about the item asked: its sentence (or the one before) names it
        may_reason = reason and (named or not asked_items) and (best_reason is None or score > best_reason.score)
        if is_best or may_reason:
            quoted = sentence
            if reason and len(c.paragraph) <= REASON_PARAGRAPH_CHARS:
                quoted = c.paragraph  # a short paragraph: the reason and what it is about, whole
            elif lead:
                quoted = c.before + sentence
            elif reason and not any(w in text for w in _BECAUSE) and any(w in norm(c.after) for w in _BECAUSE):
                quoted = sentence + c.after  # the figure, then the sentence that gives its reason
            elif query.operation == "text" and len(c.paragraph) <= TEXT_PARAGRAPH_CHARS:
                quoted = c.paragraph  # duties, structure, contacts: the whole paragraph
            if quoted.rstrip().endswith(("：", ":")) and c.following:
                quoted = quoted.rstrip() + c.following  # 具体包括： and the list it announces
            passage = Passage(quoted, c.where, score)
            if is_best:
                best = passage
            if may_reason and gives_reason(quoted, asked_items):
                best_reason = passage
    if best is not None and reason and not any(w in norm(best.text) for w in strong):
        best = _with_reason(best, candidates)
    if best is not None and reason and not gives_reason(best.text, asked_items):
        reasoned = best_reason is not None and best_reason.score >= MIN_SCORE
        best = best_reason if reasoned else replace(best, text=_naming(best.text, asked_items), context_only=True)
    return best if best is not None and best.score >= MIN_SCORE else None


_DETAIL_START = re.compile(r"[，,；;]\s*(?:其中|主要用于|主要包括|具体)")


def _clip_reason(sentence: str) -> str:
    """A reason sentence up to its reason: the breakdown that follows it (，其中：人员经费…) is
    another matter, and quoting it would bury the answer."""
    at = min((sentence.find(w) for w in FAMILY_WORDS["reason"][0] if w in sentence), default=-1)
    if at < 0:
        return sentence
    cut = _DETAIL_START.search(sentence, at)
    return sentence[:cut.start()] + "。" if cut else sentence


def _with_reason(passage: Passage, candidates: list[_Candidate]) -> Passage:
    """A change stated without its reason (“三公”经费…增加25万元。) is explained where the same
    change is stated again with one, in the same section (公务用车购置费…增加25万元，主要原因是…)."""
    # a shared 0 (购置费0元 and 1,000,000元…) is no shared change: only a figure that is not zero counts
    stated = {f for f in _FIGURE.findall(passage.text) if re.sub(r"[^1-9]", "", f)}
    for c in candidates:
        if c.where == passage.where and c.sentence not in passage.text and \
                any(w in c.sentence for w in FAMILY_WORDS["reason"][0]) and stated & set(_FIGURE.findall(c.sentence)):
            return Passage(f"{passage.text}……{c.sentence}", passage.where, passage.score)
    return passage


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
    for c in _candidates(disclosure):
        sentence, where = c.sentence, c.where
        text = _CORE.sub("", norm(sentence))
        for m in _NONE.finditer(text):
            window = text[m.end():m.end() + 14]
            hit = max((len(t) for t in terms if t in window), default=0)
            if hit and (best is None or hit > best.score):
                best = Passage(sentence, where, hit)
    return best
