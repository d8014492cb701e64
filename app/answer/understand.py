"""Question → Query: what is asked, in the glossary's terms.

The question is read by one greedy longest-match scan over the glossary's vocabulary: item
words (everyday words and printed terms), measure words (预算数, 决算 …), operation cue words
(是多少, 比上年, 占, 一共 …) and relative-year words (今年, 去年 …). A longer phrase wins over
the shorter ones inside it, so 出国经费 is an item, not 经费; 花多少 is a cue, not an item.
Explicit years (2024年, 二〇二四年) and Chinese numerals (一百万) are read by pattern. The
operation comes from the cue families in the glossary's precedence order, corrected by what
the items allow (a 合计/一共 cue with one item asks for that item's figure, not a sum).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from app.answer.glossary import Glossary, norm
from app.answer.operations import read_operation, scope_note

# Operation families the engine computes today; the rest are recognised and answered no_answer.
NUMERIC = ("lookup", "change", "share", "sum", "breakdown", "extreme", "count", "yes_no", "execution")
TEXT_FAMILIES = ("definition", "reason")


@dataclass
class Item:
    surface: str  # as matched in the (normalised) question
    official: list[str]  # printed terms to look for, most specific first
    codes: list[str] = field(default_factory=list)
    position: int = 0
    broader: list[str] = field(default_factory=list)  # terms of a wider thing, kept only as a fallback


@dataclass
class Query:
    question: str
    operation: str  # lookup | change | share | sum | breakdown | count | yes_no | extreme | reason | definition | text
    items: list[Item] = field(default_factory=list)
    denominator: Item | None = None  # share: the whole (None: the total of the items' table)
    within: Item | None = None  # 基本支出里的办公费: the part of the budget the item is asked within
    years: list[int] = field(default_factory=list)  # explicit years, in question order
    year_offsets: list[int] = field(default_factory=list)  # 今年 0, 去年 −1 … (relative to a document's year)
    compared_year: int | None = None  # change: 比2023年 → 2023
    compared_offset: int | None = None  # change: 比上年 → −1 (relative to the year asked about)
    measure: str | None = None  # budget | final | None
    kind: str | None = None  # 预算 | 决算 | None
    scope: str | None = None  # 部门 | 单位 | None
    direction: str | None = None  # change: increase | decrease (as the question asks)
    wants_percent: bool = False  # change: the question asks for the rate
    extreme: str = "max"  # extreme: max | min
    count_unit: str | None = None  # count: 几辆 → 辆
    across_years: bool = False  # 2023到2025年 / 三年 / 哪一年: one figure from each year's document
    among: bool = False  # extreme among the named items (基本支出和项目支出哪个大)
    text: str = ""  # the normalised words understood (the issuer's name already taken out)
    rest: str = ""  # the question without its cue, year and measure words (纳入重点绩效评价的项目)
    numbers: list[Decimal] = field(default_factory=list)  # figures stated in the question, in 元

    @property
    def words(self) -> str:
        """The question with its cue words removed: what the item-to-label match uses."""
        return " ".join(i.surface for i in self.items)


# 比2023年 / 较上年 / 与2023年相比: a comparison with a named year is a change question
_COMPARED = re.compile(r"(?:比|较|与|和|跟)(?:(?:19|20)?\d{2}年?|上年|去年|上一年|前一年|前年)")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_WITHIN = re.compile(r"^(?:里面?的?|中的?|当中的?|之中的?|的|其中的?)$")
# per person (每人, 人均) or one person's pay (主任的工资): the documents print totals only
_PER_CAPITA = re.compile(r"每个|每人|每名|每位|人均|平均每|(?:主任|局长|厅长|处长|科长|书记|院长|校长|主席|领导|干部|职工|员工|个人)"
                         r"(?:一年|每月|每年|个人)?的?(?:工资|收入|薪|奖金|补贴|津贴)")
_YEAR_SPAN = re.compile(r"(?<!\d)((?:19|20)\d{2}|\d{2})年?(?:到|至|～|~|—|-)((?:19|20)\d{2}|\d{2}(?=年))")
_EVERY_YEAR = re.compile(r"[两三四五几历各每]年|哪一?年")
_JOINER = re.compile(r"^(?:和|与|加|及|以及|跟|、|加上)$")
_SHORT_YEAR = re.compile(r"(?<![\d.])(\d{2})\s*年(?!度?以来)")  # 25年 → 2025 (questions, not documents)
_CN_YEAR = re.compile(r"([零〇一二三四五六七八九]{4})\s*年")


# what a count question says besides the thing counted: count words, particles, years, punctuation
# (2024年编报绩效目标的项目有几个 → 编报绩效目标的项目)
COUNT_FILLER = re.compile(r"几|多少|[个辆人项次名家台套]|有|呢|吗|共|一共|总共|\d+\s*年度?|今年|去年|现在|目前|[?？。，,!！\s]")


def counted_words(query: "Query", separator: str = "") -> str:
    """The words of a count question that name what is counted."""
    return COUNT_FILLER.sub(separator, query.text or "")


# 办公的钱 / 养人花的钱: colloquial "the money of X"
_MONEY_OF = re.compile(r"(?<=[\u4e00-\u9fff])(?<!多少)(?:花|用)?的钱")


def _money_of(text: str, glossary: Glossary) -> str:
    """“X的钱” is X itself when X is a known item (行政运行的钱 → 行政运行), else X's 经费 (办公的钱 →
    办公经费), so that the unknown X is looked for as a named fund."""
    vocab = _vocabulary_of(glossary)[0]

    def spell(m: re.Match) -> str:
        before = text[:m.start()]
        known = any(vocab.get(before[-n:]) == "item" for n in range(2, min(len(before), 10) + 1))
        return "" if known else "经费"

    return _MONEY_OF.sub(spell, text)


def understand(question: str, glossary: Glossary) -> Query:
    text = _money_of(norm(question), glossary)
    reading = read_operation(text, glossary)
    tokens = _scan(scope_note(text), glossary)
    items = [Item(t.text, *_officials(t.text, glossary), position=t.start) for t in tokens if t.kind == "item"]
    items = _merge_adjacent(items, glossary)
    items = [_with_unknown_tail(text, _with_unknown_head(text, i, tokens), tokens) for i in items]
    strong = [i for i in items if not _weak(i.surface, glossary)]
    items = strong or items  # 出国花多少钱: 花多少钱 (an everyday word for 支出) only when nothing else is named
    family = reading.operation
    query = Query(question=question, operation=family, among=reading.among, text=text)
    query.years = [int(y) for y in _YEAR.findall(text)] + [_cn_year(y) for y in _CN_YEAR.findall(text)]
    query.years += [2000 + int(y) for y in _SHORT_YEAR.findall(_YEAR.sub(" ", text))]
    query.year_offsets = [glossary.relative_years[t.text] for t in tokens if t.kind == "year"]
    compared = _COMPARED.search(text)
    if compared and compared.group(0)[0] not in "比较" and family != "change":
        compared = None  # 23年和24年加起来: two years summed, not one compared with the other
    if compared:
        word = compared.group(0)[1:]
        digits = word.rstrip("年")
        year = int(digits) + (2000 if len(digits) == 2 else 0) if digits.isdigit() else None
        if year and year in query.years:
            query.compared_year = year
            query.years.remove(year)
        elif year is None:
            query.compared_offset = -1
            offset = glossary.relative_years.get(word)
            if offset is not None and offset in query.year_offsets:
                query.year_offsets.remove(offset)
    query.measure = _measure(text, glossary)
    kinds = glossary.kinds
    if any(norm(w) in text for w in kinds.get("final", []) if norm(w) != "实际"):
        query.kind = "决算"
    elif any(norm(w) in text for w in kinds.get("budget", [])):
        query.kind = "预算"
    scopes = kinds.get("scope", {})
    if any(norm(w) in text for w in scopes.get("unit", [])):
        query.scope = "单位"
    elif any(norm(w) in text for w in scopes.get("department", [])):
        query.scope = "部门"
    direction = glossary.operations.get("change", {}).get("direction", {})
    for name in ("decrease", "increase"):
        if any(norm(w) in text for w in direction.get(name, [])):
            query.direction = name
            break
    query.wants_percent = reading.wants_percent
    query.numbers = parse_numbers(text, glossary)
    query.rest = _rest(text, tokens)
    span = _YEAR_SPAN.search(text)
    if span:
        first, last = (int(y) + (2000 if len(y) == 2 else 0) for y in span.groups())
        query.across_years, query.years = True, list(range(min(first, last), max(first, last) + 1))
    elif _EVERY_YEAR.search(text):
        query.across_years = True
    if query.across_years and family == "change" and len(query.years) >= 2:
        query.across_years = False  # 2023到2025年涨了多少: the change from the first year to the last
        query.compared_year, query.years = query.years[0], [query.years[-1]]
    query.count_unit = reading.count_unit
    if any(norm(w) in text for w in glossary.operations.get("extreme", {}).get("min", [])):
        query.extreme = "min"
    if len(items) >= 2 and family in ("lookup", "share", "change", "sum", "yes_no") and _WITHIN.match(
            text[items[0].position + len(items[0].surface):items[1].position]):
        query.within, items = items[0], items[1:]  # 基本支出里的办公费 / 基本支出中人员经费占多少
    if family in ("lookup", "breakdown") and not [i for i in items if not _weak(i.surface, glossary)] and any(
            norm(w) in text for words in glossary.operations.get("text_other", {}).values() for w in words):
        query.operation = family = "text"  # 预算公开的联系电话是多少: a contact, not a figure
    if _PER_CAPITA.search(text):
        query.operation = family = "per_capita"
    if family in ("breakdown", "extreme"):
        items = _whole_named(text, items)
    if family == "share":
        query.items, query.denominator = _split_share(text, items, glossary)
        if query.denominator is None and query.within is not None:
            query.denominator = query.within
    else:
        query.items = items
    if not query.items:  # 支出决算是多少: the measure word names the total it measures
        # 花了多少钱 / 预算为什么减少: spending, the department's budget total
        pairs = (("支出", "支出"), ("收入", "收入"), ("支出", "花")) + ((("支出", "预算"),) if family == "reason" else ())
        for word, cue in pairs:
            if cue in text and word in glossary.phrases:
                at = text.find(cue)
                # 普法宣传实际支出: an unknown name before the measure words names what is measured
                query.items = [_with_unknown_head(text, Item(word, *_officials(word, glossary), position=at), tokens)]
                break
    if family == "lookup" and len(query.items) >= 2 and all(
            _JOINER.match(text[a.position + len(a.surface):b.position])
            for a, b in zip(query.items, query.items[1:])):
        query.operation = "sum"  # 养老保险加年金多少钱: named parts joined, their total asked
    if family == "sum" and len(query.items) < 2:
        query.operation = "lookup"  # 三公一共花多少钱: the total of one item is its figure
    return query


@dataclass
class _Token:
    text: str
    kind: str  # item | measure | cue | year
    start: int


def _vocabulary(glossary: Glossary) -> dict[str, str]:
    vocab: dict[str, str] = {}
    for family, spec in glossary.operations.items():
        if isinstance(spec, dict):
            for key, words in spec.items():
                if isinstance(words, list) and key not in ("joiners", "default_items"):
                    vocab.update({norm(w): "cue" for w in words if isinstance(w, str) and len(norm(w)) >= 2})
                elif isinstance(words, dict) and key != "denominator_cues":  # 总支出 … are items
                    for sub in words.values():
                        vocab.update({norm(w): "cue" for w in sub if len(norm(w)) >= 2})
    for spec in glossary.measures.values():
        vocab.update({norm(w): "measure" for w in spec.get("cues", []) + spec.get("printed", []) if len(norm(w)) >= 2})
    vocab.update({w: "year" for w in glossary.relative_years})
    for phrase, indexes in glossary.phrases.items():
        if all(glossary.terms[i].is_measure for i in indexes):
            vocab[phrase] = "measure"
        elif phrase not in vocab:
            vocab[phrase] = "item"  # a cue word keeps its role even where the glossary lists it as an item
    return vocab


_VOCAB: dict[int, tuple[dict[str, str], int]] = {}


def _vocabulary_of(glossary: Glossary) -> tuple[dict[str, str], int]:
    if id(glossary) not in _VOCAB:
        vocab = _vocabulary(glossary)
        _VOCAB[id(glossary)] = (vocab, max(map(len, vocab)))
    return _VOCAB[id(glossary)]


def _scan(text: str, glossary: Glossary) -> list[_Token]:
    vocab, longest = _vocabulary_of(glossary)
    tokens, i = [], 0
    while i < len(text):
        for end in range(min(len(text), i + longest), i, -1):
            kind = vocab.get(text[i:end])
            if kind:
                tokens.append(_Token(text[i:end], kind, i))
                i = end
                break
        else:
            i += 1
    return tokens


def _officials(surface: str, glossary: Glossary) -> tuple[list[str], list[str]]:
    """Printed terms for a matched word: the word itself when it is printed somewhere, then the
    entries where it is a printed term (earliest position first), then those where it is everyday."""
    indexes = glossary.phrases.get(surface, [])
    ranked = sorted(indexes, key=lambda i: (surface not in map(norm, glossary.terms[i].official),
                                            [norm(o) for o in glossary.terms[i].official].index(surface)
                                            if surface in map(norm, glossary.terms[i].official) else 99))
    official, codes = [], []
    if any(surface in map(norm, glossary.terms[i].official) for i in indexes):
        official.append(surface)
    for i in ranked:
        term = glossary.terms[i]
        official += [norm(o) for o in term.official if norm(o) not in official]
        codes += [c for c in term.codes if c not in codes]
    return official or [surface], codes


_FILLER = re.compile(r"[?？!！,，。、\s]|^(?:那|请问|问一下)|(?:呢|吗|啊|了|的|有|是)$")


def _rest(text: str, tokens: list) -> str:
    """The question with cue, year and measure words taken out: what is left names the thing."""
    chars = list(text)
    for t in tokens:
        if t.kind != "item":
            for i in range(t.start, t.start + len(t.text)):
                chars[i] = " "
    rest = _YEAR.sub(" ", "".join(chars))
    words = [w for w in re.split(r"[\s?？!！,，。、]+", rest) if w]
    longest = max(words, key=len, default="")
    previous = None
    while previous != longest:
        previous, longest = longest, _FILLER.sub("", longest)
    return longest


# words before an item that ask or place, never name: 请问出国经费, 本部门的培训费
_LEAD_FILLER = re.compile(r"^(?:请问|问一下|问下|我想知道|想知道|想问|请|帮我查|查一下|查查|能告诉我|告诉我|麻烦|那么|那|"
                          r"本部门|本单位|本级|全年|全部|部门|单位|其中|一共|总共|合计|共|年度|我们|你们|他们|它|该|这个|那个|"
                          r"日常|平时|平常|正常|每年|一年|每月|有没有|是不是|是否|有无|没有|没|无|不|有|所有|全部|整体|总的|实际|真正)+")


# what may follow an item without naming a narrower thing: 出国经费情况, 三公这块
_TAIL_FILLER = re.compile(r"^(?:情况|方面|部分|这块|一块|那块|总额|总数|数字|金额|数额|项目|合计|小计|总计|总共|一共|共|的|是|有|呢|吗|啊|"
                          r"经济分类|功能分类|分类|明细|科目|钱)+$")


def _with_unknown_tail(text: str, item: Item, tokens: list) -> Item:
    """生态环境保护宣传: words the glossary does not know, written right after an item word, name a
    narrower thing (Chinese puts the head last); the item's own terms are only its wider fallback."""
    end = item.position + len(item.surface)
    following = min((t.start for t in tokens if t.start >= end), default=len(text))
    tail = re.split(r"[的是有呢吗为在和与及占比里中了、，,。？?！!\s\d]|按|具体|花|都|主要|怎么|如何|哪",
                    text[end:following])[0]
    if len(tail) < 2 or _TAIL_FILLER.match(tail) or re.search(r"[哪几何啥]|什么|多少|年", tail):
        return item
    phrase = item.surface + tail
    wider = [o for o in item.official if o != phrase]
    return Item(phrase, [phrase], [], item.position, broader=wider + item.broader)


_ORGANISATION = re.compile(r"(?:局|委|办|厅|院|中心|街道|镇|乡|政府|委员会|办公室|学校|中学|小学|医院|公司)")


def _with_unknown_head(text: str, item: Item, tokens: list) -> Item:
    """外事宣传经费 / 临时聘用人员经费: words the glossary does not know, written right before an
    item word, name a narrower thing than the item; the whole phrase is what was asked, and the
    item's own terms are only its wider fallback (`broader`), never proof that it was found."""
    vague = any("合计" in o or "总计" in o for o in item.official[:3])  # 经费, 支出: the department's total
    # look back over measure and year words (普法宣传实际支出, 宣传2024年经费) to the name before them
    start = max((t.start + len(t.text) for t in tokens
                 if t.start + len(t.text) <= item.position and t.kind not in ("measure", "year")), default=0)
    chars = list(text[start:item.position])
    for t in tokens:
        if t.kind in ("measure", "year") and start <= t.start < item.position:
            for k in range(t.start, min(t.start + len(t.text), item.position)):
                chars[k - start] = " "
    between = "".join(chars)
    head = re.sub(r"^[\s\W\d年]+", "", re.sub(r"\s+$", "", between))
    if " " in head:
        head = head.split(" ")[0] if not head.split(" ")[-1] else head.split(" ")[-1]
    # 中 splits only as 中的/之中/当中 (中医, 中学 begin names)
    head = re.split(r"\d+\s*年度?|中的|之中|当中|[的里是了占比与和及跟较对在\s,，、;；:：]", head)[-1]
    # 城管局临时聘用: the body is named before the thing; 中医（民族）医院 alone is the thing itself
    head = _ORGANISATION.split(head)[-1] or head
    head = _LEAD_FILLER.sub("", re.sub(r"^[中里内]", "", head))  # 预算中年终联欢晚会经费
    if len(head) < 2 or re.search(r"[哪几何啥]|什么|多少|[\d两三四五六七八九十几每各历]年", head):
        return item  # 哪类支出 / 三年支出: a question word or a count of years, not a name
    phrase = head + item.surface
    # 公益性岗位补贴: the printed name first; a specific short word's own terms (津贴补贴) stay as the
    # fallback, a vague one's (the total) never do
    fallback = [] if vague else [o for o in item.official if o != phrase]
    return Item(phrase, [phrase] + fallback, [] if vague else item.codes, item.position - len(head),
                broader=fallback)


# 检察（款）下面哪一项 / 某某专项里哪个: the whole a breakdown or extreme is asked within
_WHOLE = re.compile(r"([\u4e00-\u9fff（）()]{2,24}?)(?:下面|下属|下|里面|里|之中|当中|中)的?(?:哪|什么|各|都)")


def _whole_named(text: str, items: list[Item]) -> list[Item]:
    """A breakdown or extreme asks within a whole written before 下面/里/中 + a which-word; when
    that whole is a name the glossary does not know, it is still the item asked about (never the
    department's total by default)."""
    m = _WHOLE.search(text)
    if not m:
        return items
    phrase = re.sub(r"^\d*\s*年度?", "", m.group(1))
    phrase = _ORGANISATION.split(phrase)[-1]
    phrase = _LEAD_FILLER.sub("", re.sub(r"[(（][类款项][)）]$", "", phrase))
    start = m.start(1) + m.group(1).find(phrase) if phrase else -1
    covered = any(i.position <= start < i.position + len(i.surface) or start <= i.position < m.end(1) for i in items)
    if len(phrase) < 2 or covered or re.search(r"[哪几何啥]|什么|多少|支出|收入|经费", phrase):
        return items
    return items + [Item(phrase, [phrase], position=start)]


def _merge_adjacent(items: list[Item], glossary: Glossary) -> list[Item]:
    """Two item words written together (一般公共预算财政拨款 + 支出) name one thing."""
    out: list[Item] = []
    for item in items:
        prev = out[-1] if out else None
        if prev and prev.position + len(prev.surface) == item.position and not _weak(item.surface, glossary):
            surface = prev.surface + item.surface
            # a short everyday tail (经费, 支出) qualifies the head; its own meaning (the total) is dropped
            tail = item.official if len(item.surface) > 2 or item.surface in item.official else []
            out[-1] = Item(surface, [surface] + prev.official + tail, prev.codes + (item.codes if tail else []),
                           prev.position)
        else:
            out.append(item)
    return out


def _weak(surface: str, glossary: Glossary) -> bool:
    """An item word built from a cue word (花多少钱, 一共花) names the total only by default."""
    cues = {c for family in glossary.operations for c in glossary.cues(family) if len(c) >= 2}
    return any(c in surface for c in cues)


def _measure(text: str, glossary: Glossary) -> str | None:
    for name in ("final", "budget"):
        if any(norm(w) in text for w in glossary.measures.get(name, {}).get("cues", [])):
            return name
    return None


def _split_share(text: str, items: list[Item], glossary: Glossary) -> tuple[list[Item], Item | None]:
    """Numerator: the items before 占; denominator: the item after it (None: the table's total)."""
    at = text.find("占")
    if at < 0:
        return items, None
    before = [i for i in items if i.position < at]
    after = [i for i in items if i.position > at]
    if not after and len(before) >= 2:
        # 基本养老保险缴费在社会保障和就业支出中占多少: the whole is the item inside 在…中/里
        last = before[-1]
        if re.match(r"^(?:中|里|当中|之中|里面)?$", text[last.position + len(last.surface):at]) and \
                re.search(r"在$", text[:last.position]):
            return before[:-1], last
    return (before or items[:1]), (after[0] if after else None)


# --- numbers written in the question -------------------------------------------------------


def _cn_year(text: str) -> int:
    digits = {"零": "0", "〇": "0", "一": "1", "二": "2", "三": "3", "四": "4", "五": "5", "六": "6", "七": "7",
              "八": "8", "九": "9"}
    return int("".join(digits[c] for c in text))


def chinese_number(text: str, glossary: Glossary) -> Decimal | None:
    """一百万 → 1000000, 三千五百 → 3500, 两亿 → 200000000, 十二 → 12; None if not a numeral."""
    digits = {k: v for k, v in (glossary.numerals.get("digits") or {}).items()}
    mults = {k: v for k, v in (glossary.numerals.get("multipliers") or {}).items()}
    if not text or any(c not in digits and c not in mults for c in text):
        return None
    yi, wan, section, number = Decimal(0), Decimal(0), Decimal(0), None
    for c in text:
        if c in digits:
            number = Decimal(digits[c])
            continue
        m = Decimal(mults[c])
        if m == 100000000:  # 亿 closes everything before it
            yi = (yi + wan + section + (number or 0) or 1) * m
            wan, section = Decimal(0), Decimal(0)
        elif m == 10000:  # 万 closes the section before it
            wan = (section + (number or 0) or 1) * m
            section = Decimal(0)
        else:
            section += (number if number is not None else Decimal(1)) * m
        number = None
    return yi + wan + section + (number or 0)


_NUMBER = re.compile(r"(\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟]+)"
                     r"(千元|万元|亿元|块钱|元|块|万|亿)?")


def parse_numbers(text: str, glossary: Glossary) -> list[Decimal]:
    """Figures stated in a question, in 元 where a money unit follows (一百万 → 1000000)."""
    units = {norm(k): Decimal(str(v)) for k, v in (glossary.numerals.get("money_units") or {}).items()}
    out = []
    text = _CN_YEAR.sub(" ", _YEAR.sub(" ", text))
    for word in glossary.numerals.get("percent", []):
        text = text.replace(norm(word), " ") if not norm(word).isascii() else text
    for m in _NUMBER.finditer(text):
        raw, unit = m.group(1), m.group(2)
        value = Decimal(raw) if raw[0].isdigit() else chinese_number(raw, glossary)
        if value is None or (not unit and not raw[0].isdigit() and len(raw) == 1 and raw not in "十百千万亿"):
            continue  # 一 in 一共 is not a figure
        out.append(value * units.get(unit or "", Decimal(1)))
    return out
