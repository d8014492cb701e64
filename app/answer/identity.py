"""Identity and sanity checks: is what was answered what was asked, and can it be true?

Tracing (app/answer/verify.py) proves that every figure comes from a fact; it does not prove that
the fact is the one the question asked for. These checks compare the plan with the Query:

- item: each fact's own name (its row, the column that names it, or the title of a table about
  it) names the asked item — by the question's own words or a glossary synonym, not by a wider
  fallback term (临时聘用人员经费 answered by 人员经费), and by code when a code was asked;
- year and kind: the fact's year is the year asked; a 决算 question is answered from a 决算;
- body: an organisation named in the question and not recognised as an issuer appears in the
  answering document (a subordinate hotel, a city bureau);
- operation: the plan computes the family the question asked for (a rate when a rate was asked);
- sanity: a share lies in [0, 100] and its part and whole come from one table (or one sentence);
  a part never exceeds its whole; a column headed in 万元 is not read as 元; the direction
  stated agrees with the sign.

A failed check makes the answer unverified, and the engine replaces it by a no_answer that says
what the document does hold (`held`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.answer.candidates import TOTAL_WORDS, FactRecord, describe, term_match
from app.answer.compose import Answer, Check
from app.answer.glossary import norm
from app.answer.plan_common import Plan, fact_year, name_for
from app.answer.understand import Item, Query

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
SHARE_MAX = 100  # percent: a part's share of its whole
_CODE_IN_QUESTION = re.compile(r"(?<!\d)(2\d{2}(?:\d{2}){0,2}|[35]\d{2}(?:\d{2})?)(?!\d)")
_NUMBERING = re.compile(r"^(?:[一二三四五六七八九十]+[、.]|[(（][一二三四五六七八九十\d]+[)）]|\d+[.、])|^其中[:：]?")
_CATEGORY = re.compile(r"[(（][类款项][)）]$")
_WAN_HEADER = re.compile(r"万元")
PLAN_FAMILY = {
    "lookup": {"lookup", "across_sum"},  # 三年三公一共多少: one issuer's yearly documents summed
    "change": {"change", "stated_change"}, "share": {"share"},
    "sum": {"sum", "across_sum"}, "breakdown": {"breakdown", "across_classes", "sum"},
    "extreme": {"extreme", "across_extreme", "across_classes", "extreme_of"},
}
# what a printed name may add after the item's own name without naming another thing:
# 三公经费财政拨款支出 is the 三公经费, 机关运行经费决算数 the 机关运行经费
_GENERIC_TAIL = re.compile(r"(?:财政拨款)?(?:支出|收入|资金|费用)?(?:预算|决算)?(?:数|额|金额)?(?:合计|小计|总计)?$")


@dataclass
class Identity:
    checks: list[Check]
    held: str = ""  # what the document holds instead, said in a no_answer (Chinese)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)


def _clean(name: str) -> str:
    return _CATEGORY.sub("", _NUMBERING.sub("", norm(name)))


def fact_names(record: FactRecord) -> list[str]:
    """What a fact is called where it is printed: its row name, the column parts that are not mere
    totals or measures, and — for the grand total of a table — the table's title."""
    names = [_clean(p) for p in record.row_parts if p]
    names += [_clean(p) for p in record.column_parts
              if p and p not in TOTAL_WORDS and not re.match(r"^(?:\d{4}年)?(?:本年|上年|全年|年初)?(?:支出|收入)?"
                                                              r"(?:预算数?|决算数?|执行数|金额|数)$", p)]
    if record.title and (record.is_total_row or not record.row_parts):
        names.append(_clean(record.title))
        # a 合计 row totals the side its table or column is about: 支出合计 in an expenditure table
        context = record.title + "".join(record.column_parts)
        for side in ("支出", "收入"):
            if side in context and not (side == "支出" and "收入" in record.title and "收支" not in record.title):
                names += [side + _clean(p) for p in record.row_parts if p in TOTAL_WORDS or not p]
                names.append(side + "合计")
    # a sub-column names its thing with its parent head: 公务用车购置及运行费 › 购置费 is 公务用车购置费
    parts = [_clean(p) for p in record.column_parts if p and p not in TOTAL_WORDS]
    for parent, child in zip(parts, parts[1:]):
        at = parent.find(child[:2]) if len(child) >= 2 else -1
        stems = {parent[:at]} if at > 0 else set()
        stems.add(parent[:4])
        names += [stem + child for stem in stems if stem and not child.startswith(stem)]
    shown = _clean(record.display_name())
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
    title = _clean(record.title) if record.title else ""
    for term in asked_terms(item):
        for name in fact_names(record):
            best = max(best, names_as(term, name))
        # a part's table titled by the item (基本支出决算表) stands for the item; a bare 支出/收入 is in
        # every title, so for those the whole must be the table's total itself
        titled = by_title and term not in _GENERIC_WHOLE
        if title and term in title and (record.is_total_row or titled):
            best = max(best, 1.0)  # the grand total of a table about the item (三公经费 › 合计)
    return best


_MONEY_ITEM = re.compile(r"(?:费|费用|经费|资金|支出|收入|预算|拨款|补贴|津贴|工资)$")


def _item_check(item: Item, record: FactRecord, codes: list[str], by_title: bool = False) -> tuple[Check, str]:
    name = name_for(record, None)
    if _MONEY_ITEM.search(norm(item.surface)) and record.fact.unit != "元":
        # 翻译经费安排了没有: an amount was asked; a count in the project's form (翻译出错次数) is no answer
        return (Check("item", False, f"问的是“{item.surface}”的金额，所用数字“{name}”是{record.fact.unit}数。"),
                f"文件中没有找到“{item.surface}”的金额。")
    if codes:
        code = record.fact.subject_code or ""
        ok = code in codes
        detail = f"问题中的科目编码{'、'.join(codes)}，所用数字的科目编码为{code or '（无）'}（“{name}”）。"
        held = "" if ok else f"文件中没有科目编码为{'、'.join(codes)}的数字。"
        return Check("item", ok, detail), held
    score = item_match(item, record, by_title)
    ok = score >= NAMES_ITEM
    detail = f"问的是“{item.surface}”，所用数字是“{name}”（名称相符度{score:.2f}，需≥{NAMES_ITEM}）。"
    held = ""
    if not ok:
        wider = item.broader and any(term_match(norm(b), n) >= NAMES_ITEM for b in item.broader
                                     for n in fact_names(record))
        held = (f"文件没有单列“{item.surface}”，只有其上级项目“{name}”。" if wider
                else f"文件中没有找到“{item.surface}”的数字（最接近的是“{name}”，不是同一项目）。")
    return Check("item", ok, detail), held


def codes_asked(question: str) -> list[str]:
    """Subject codes written in the question: 功能分类 2xx(xx(xx)), 经济分类 3xx(xx) / 5xx(xx)."""
    text = re.sub(r"(?:19|20)\d{2}\s*年度?", " ", norm(question))
    return [c for c in _CODE_IN_QUESTION.findall(text) if len(c) in (3, 5, 7)]


def identity(answer: Answer, plan: Plan, query: Query, pool: list[FactRecord] | None = None) -> Identity:
    checks: list[Check] = []
    held = ""
    records = plan.records
    codes = codes_asked(query.question or "")
    pairs: list[tuple[Item, FactRecord]] = []
    op = plan.operation
    if query.items:
        if op in ("lookup", "stated_change"):
            pairs = [(query.items[0], records[0])]
        elif op == "change":
            pairs = [(query.items[0], r) for r in records[:2]]
        elif op == "share":
            pairs = [(query.items[0], records[0])]
            if query.denominator is not None and len(records) > 1 and not records[1].is_total_row:
                pairs.append((query.denominator, records[1]))
        elif op in ("sum", "extreme_of"):
            pairs = list(zip(query.items, records))
        elif op == "yes_no" and records and records[0].fact.unit in ("元", "次", "人"):
            pairs = [(query.items[-1], records[0])]  # 项目支出里有没有办公费: 办公费, not 项目支出
        elif op in ("breakdown", "extreme"):
            pairs = [(query.items[-1], records[0])]
        elif op in ("across_sum", "across_extreme"):
            pairs = [(query.items[0], r) for r in records]
    if op == "sum" and len(query.items) >= 2 and query.text:
        # 文化和旅游市场管理: items joined by 和 that together are one printed name are one item
        first, last = query.items[0], query.items[-1]
        span = norm(query.text[first.position:last.position + len(last.surface)])
        if any(span in fact_names(r) for r in records):
            checks.append(Check("item", False, f"“{span}”是一个项目的名称，不是几项相加。"))
            held = f"“{span}”是一个项目的名称，不是几项之和。"
    for item, record in pairs:
        check, why = _item_check(item, record, codes if item is query.items[0] else [],
                                 by_title=op in ("breakdown", "extreme"))
        checks.append(check)
        held = held or why
    if op == "count" and len(records) == 1:
        checks += _count_check(query, records[0])
    checks += _year_and_kind(plan, query)
    family = PLAN_FAMILY.get(query.operation)
    if family is not None:
        ok = op in family
        checks.append(Check("operation", ok, f"问题要求的运算是{query.operation}，计算的是{op}。"))
        if not ok:
            held = held or "答案所做的计算与问题所问的不一致。"
    if query.operation == "change" and query.wants_percent:
        ok = answer.unit == "%" or any("%" in c.detail for c in answer.checks if c.name == "rate")
        checks.append(Check("operation", ok or "%" in answer.text, "问的是增减率，答案给出了百分比。"
                            if ok or "%" in answer.text else "问的是增减率，答案没有给出百分比。"))
    checks += sanity(answer, plan)
    checks += _as_worded(query.question or "", plan)
    if pool and op in ("lookup", "change") and records and not codes:
        twin = _namesake(records[0], pool)
        if twin:
            checks.append(Check("item", False, f"文件中有多项名为“{twin}”的科目（分属不同的款），问题没有说是哪一项。"))
            held = held or f"文件中有多项“{twin}”（分属不同的类、款），请说明是哪一项（例如写出科目编码）。"
    return Identity(checks, held)


_SCOPE_PARTS = re.compile(r"[(（](?:含|包括|包含)([^)）]+)[)）]")
_STATED_COUNT = re.compile(r"(?:这|那)?([两二三四五六七八九十]|\d{1,2})(?:个|项|类|笔)(?:项目|支出|经费|科目)?"
                           r"(?:加起来|一共|合计|总共|的)")
_CN_SMALL = {"两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
# 按功能分类 / 按政府经济分类 / 按部门经济分类: the subject codes the parts must carry
_CLASSIFICATION = (("政府(?:预算)?经济分类", "5"), ("部门(?:预算)?经济分类", "3"), ("经济分类", "35"),
                   ("功能(?:分类|科目)", "2"))


def _as_worded(question: str, plan: Plan) -> list[Check]:
    """What the question's own wording fixes: a scope note (含基本支出和项目支出) asks for a total
    that spans those parts; a stated number of items (这五个项目) must be the number added; a named
    classification (按政府经济分类) must be the classification of the parts."""
    text = norm(question)
    checks = []
    records = plan.records
    scope = _SCOPE_PARTS.search(text)
    if scope and plan.operation in ("lookup", "sum") and records:
        parts = [w for w in re.split(r"和|与|及|、|,|，", scope.group(1)) if len(w) >= 2]
        table = records[0].table
        heads = norm((table.title if table else "") + " ".join(c.label for c in (table.columns if table else [])))
        ok = bool(parts) and table is not None and all(w in heads for w in parts) and records[0].is_total_column
        checks.append(Check("scope", ok, f"问题要求含{'、'.join(parts)}的总数；" +
                            ("所用数字是涵盖它们的合计栏。" if ok else "所用数字不是涵盖它们的合计。")))
    stated = _STATED_COUNT.search(text)
    if stated and plan.operation in ("sum", "extreme_of", "lookup"):
        n = int(stated.group(1)) if stated.group(1).isdigit() else _CN_SMALL[stated.group(1)]
        ok = len(records) == n
        checks.append(Check("scope", ok, f"问题说的是{n}项，计算用了{len(records)}项。"))
    if plan.operation in ("breakdown", "extreme", "across_classes"):
        for pattern, prefixes in _CLASSIFICATION:
            if re.search(pattern, text):
                parts = records[1:] if plan.operation != "across_classes" else records
                ok = bool(parts) and all((r.fact.subject_code or " ")[0] in prefixes for r in parts)
                checks.append(Check("scope", ok, f"问题按“{re.search(pattern, text).group(0)}”问，各部分" +
                                    ("均属该分类。" if ok else "不都属于该分类的科目。")))
                break
    return checks


# a count of things acquired or disposed of in the year is not a count of things held
_COUNT_EVENT = re.compile(r"购置|新增|报废|处置|更新|采购|出售")


# words any count's name may hold without saying which things are counted
_COUNT_GENERIC = re.compile(r"项目|个数|数量|车辆|人数|人员|次数|情况|合计|总数|的|有|为|共")
# Share of the count name's own character pairs (generic count words such as 项目/数量/的 removed) the
# question must hold — or of the question's own pairs the name holds: 重点评价的项目 holds 2 of its 3
# own pairs (重点, 评价) in 纳入重点绩效评价的项目, 0.67, but 1 in 纳入一般绩效目标评价的项目, 0.33.
COUNT_NAMED = 0.6


def _count_check(query: Query, record: FactRecord) -> list[Check]:
    """A count answers only when it counts what was asked: its name's own words are in the question
    (纳入重点绩效评价的项目 does not count 纳入一般绩效目标评价的项目; 翻译出错次数 is not 翻译工作
    次数), and a count of things bought or disposed of is not a count of things held, nor the reverse."""
    from app.answer.candidates import bigrams

    name = name_for(record, None)
    asked = norm(query.question or "")
    said = norm(name) + norm((record.fact.sentence or "")[:40])  # 2024年安排购置车辆0辆，其中应急保障用车0辆
    events = [w for w in _COUNT_EVENT.findall(said) if w not in asked]
    wants_event = re.search(r"买|购置|购买|新增|报废|处置", asked) and not _COUNT_EVENT.search(said)
    def own(text: str) -> frozenset[str]:
        return frozenset(b for b in bigrams(_COUNT_GENERIC.sub("|", norm(text))) if "|" not in b)

    # either the name's own words are in the question, or the question's thing is in the name
    # (重点评价的项目 for 纳入重点绩效评价的项目)
    words = re.sub(r"几|多少|[个辆人项次名家台套]|有|呢|吗|共|一共|总共|\d+\s*年度?|今年|去年|现在|目前", "|",
                   query.text or asked)
    named, thing = own(name), own(words)
    covered = max(len(named & bigrams(asked)) / len(named) if named else 1.0,
                  len(thing & bigrams(norm(name))) / len(thing) if thing else 0.0)
    ok = not events and not wants_event and covered >= COUNT_NAMED
    why = ("。" if ok else f"，问题并没有问{events[0]}的数量。" if events else "，问题问的是购置或处置的数量。"
           if wants_event else "，与问题所问的不是同一类。")
    return [Check("item", ok, f"所用数字是“{name}”" + why)]


def _year_and_kind(plan: Plan, query: Query) -> list[Check]:
    checks = []
    asked = sorted(set(query.years + ([query.compared_year] if query.compared_year else [])))
    covered = {y for y in plan.years if y is not None}
    if len(asked) >= 2 and not set(asked) <= covered:
        checks.append(Check("year", False, f"问的是{'、'.join(map(str, asked))}年，答案只涉及{'、'.join(map(str, sorted(covered)))}年。"))
    wanted = [y for y in plan.years if y is not None]
    if plan.operation in ("lookup", "share", "sum", "breakdown", "extreme") and wanted and plan.records:
        got = fact_year(plan.records[0])
        ok = got is None or got == wanted[0]
        checks.append(Check("year", ok, f"问的是{wanted[0]}年，所用数字是{got}年的。"))
    if query.kind == "决算":
        ok = all(r.doc.kind == "决算" for r in plan.records)
        checks.append(Check("kind", ok, "问的是决算数，答案取自决算文件。" if ok else "问的是决算数，答案却取自预算文件。"))
    return checks


def sanity(answer: Answer, plan: Plan) -> list[Check]:
    """What must hold of any true answer, whatever the question."""
    checks = []
    records = plan.records
    if plan.operation == "share" and len(records) == 2 and answer.value is not None:
        part, whole = records
        # one document; two table cells from one table or from tables printed in the same unit (人员经费
        # in the 基本支出 table over 基本支出 in the 支出总表). A narrative figure carries its unit in its
        # own words. A 万元 table read beside a 元 one is what gives a share of 206,483.6%.
        tables = [r.table for r in records if r.fact.origin != "narrative"]
        same_unit = len(tables) < 2 or all(t is not None for t in tables) and len({t.unit or "元" for t in tables}) == 1
        same_source = part.fact.doc_id == whole.fact.doc_id and same_unit
        in_range = 0 <= answer.value <= SHARE_MAX and abs(part.fact.value) <= abs(whole.fact.value)
        checks.append(Check("share_range", in_range, f"占比{answer.value:.2f}%应在0到100%之间，部分不超过整体。"))
        checks.append(Check("same_source", same_source, "部分与整体取自同一文件，计量单位一致。" if same_source
                            else "部分与整体取自不同文件或计量单位不同的表格，口径不一。"))
    if plan.operation == "change" and len(records) == 2:
        new, old = records
        same_place = (new.fact.doc_id, new.fact.locator.table, new.fact.locator.row) == \
            (old.fact.doc_id, old.fact.locator.table, old.fact.locator.row)
        a, b = _clean(name_for(new, None)), _clean(name_for(old, None))
        # two table cells are the same figure of two years when they sit alike: both totals or both
        # parts, by row and by column (a 财政拨款 column of the project table is not last year's total)
        tables = new.fact.origin == old.fact.origin == "table"
        alike = not tables or (new.is_total_row == old.is_total_row
                               and new.is_grand_total_column == old.is_grand_total_column)
        ok = same_place or alike
        checks.append(Check("same_source", ok, f"两年的数字是同一项目（“{a}”与“{b}”）。" if ok
                            else f"两年的数字所处位置不同（“{a}”与“{b}”），不是同一口径，不能相减。"))
    if plan.operation in ("breakdown",) and len(records) > 2:
        whole = records[0].fact.value
        parts = [r.fact.value for r in records[1:]]
        ok = all(abs(p) <= abs(whole) for p in parts)
        checks.append(Check("part_whole", ok, "各部分均不超过整体。" if ok else "有部分超过了整体。"))
    for r in records:
        if r.fact.origin == "table" and re.search(r"(?:^| › )第\d+列$", r.fact.locator.column or ""):
            # the parser could not read this column's head: which measure (预算数, 决算数, 上年) it
            # holds is unknown, so the figure cannot be the one asked for
            checks.append(Check("unit", False, f"“{name_for(r, None)}”所在栏目没有读到栏名（{r.fact.locator.column}）。"))
            break
    for r in records:
        header = " ".join(r.fact.label)
        if r.fact.unit == "元" and r.fact.origin == "table" and _WAN_HEADER.search(header) and r.table is not None \
                and (r.table.unit or "元") == "元":
            checks.append(Check("unit", False, f"“{name_for(r, None)}”所在栏目标明万元，表格却按元读取。"))
            break
    return checks


def held_message(identity_result: Identity, plan: Plan) -> str:
    """The no_answer text for an answer that failed its identity checks."""
    where = describe(plan.doc)
    said = identity_result.held or "答案所用的数字与问题所问的不是同一项。"
    return f"{said}（已查：{where}。）"


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
    if ok and query.operation == "definition":
        # a definition is the passage whose heading is the term, or that opens with it (X：指… / X是指…);
        # a passage that only mentions the term (三公经费's definition listing 公务接待费) defines another
        head, opening = norm(where), norm(passage_text)[:len(named) + 6]
        ok = any(t in head or t in opening for t in terms)
        if not ok:
            return Check("item", False, f"引用的文字提到“{named}”，但不是对它的解释。")
    return Check("item", ok, f"引用的文字{'提到' if ok else '没有提到'}“{named}”（相符度{best:.2f}，需≥{TEXT_NAMES}）。")


def unit_conflict(findings: list, fact) -> Check | None:
    """An audit finding that sets this table cell beside a figure exactly 万 times larger (or smaller)
    means the table's unit was misread (222.50 read as 元 where the text says 222.5万元): the figure
    cannot be shown as verified in either unit."""
    if fact.origin != "table" or not fact.value:
        return None
    for finding in findings:
        figures = [f for f in finding.figures if f is not None]
        here = [f for f in figures if (f.locator.table, f.locator.row, f.locator.column)
                == (fact.locator.table, fact.locator.row, fact.locator.column) and fact.locator.table]
        if here and any(f.value is not None and (f.value == fact.value * 10000 or f.value * 10000 == fact.value)
                        for f in figures):
            return Check("unit", False, "文件其他部分所列同一数字恰为此数的一万倍（或万分之一），表格的计量单位读取有误。")
    return None


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
    """A part of the issuer the question asks about (江苏高院的环境资源审判庭负责什么): a body name in the
    question other than the issuer's own, "" when there is none."""
    issuer = norm(doc.issuer or "") + norm(doc.title or "")
    for m in _BODY.finditer(text):
        body = re.sub(r"^.*?(?:下属的?|所属的?|下设的?|的)", "", m.group(0))
        if len(body) >= 3 and body not in issuer:
            return body
    return ""


TABLE_VS_TEXT = "B01"  # the audit rule: a figure the narrative states differs from the table's


def contradicted_by_table(findings: list, fact) -> Check | None:
    """A figure stated in the text that the audit found to differ from the table's figure of the same
    item: the text misstates it, and the table's figure is the one to show — never the text's."""
    if fact.origin != "narrative":
        return None
    for finding in findings:
        if finding.rule != TABLE_VS_TEXT:
            continue
        if any(f.locator.table is None and f.value == fact.value and f.locator.section == fact.locator.section
               for f in finding.figures if f is not None):
            return Check("contradicted", False, "说明部分的这个数字与表格不一致，不能作为答案。")
    return None


def _namesake(record: FactRecord, pool: list[FactRecord]) -> str:
    """The row's name when another row of the same column carries it under another subject code
    (行政运行 under 人大事务 and under 政府办公厅): which one was asked is unknown. "" otherwise."""
    if record.fact.origin != "table" or not record.fact.subject_code or not record.row_parts:
        return ""
    name = record.row_parts[-1]
    for r in pool:
        if (r is not record and r.fact.locator.table == record.fact.locator.table
                and r.fact.locator.column == record.fact.locator.column and r.row_parts
                and r.row_parts[-1] == name and r.fact.subject_code
                and r.fact.subject_code != record.fact.subject_code and r.fact.value != record.fact.value):
            return name
    return ""
