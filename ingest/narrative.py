"""Figures stated in the narrative: "公务接待费5,000元，较2023年减少15,000元" → Facts.

A disclosure's 情况说明 repeats and explains its tables in running text, and some figures
(counts of vehicles and projects, 执行数, shares, rates of change) appear only there. Each
figure becomes a `Fact` labelled (section path, subject, measure[, detail]):

- subject: the noun phrase before the number in its clause, cleaned of years, numbering,
  the issuer's name and 预算/预算数为 wording. A clause without a subject of its own
  ("，较2023年减少1,020,000元", "占89.9%") takes the subject of the figure before it in the
  sentence; a sentence without any takes the topic of the last sentence that had figures.
- measure: 预算数 / 决算数 / 执行数 for levels, 增减额 and 增减率 for changes (signed by the
  cue word, the compared year kept as detail "较2023年"), 占比 for shares, 个数 for counts.
- year: the year written in the clause, else that of the previous figure in the sentence,
  else the first year the sentence states, else that of the sentence before (a "其中："
  sentence continues it), else the document's year.

Money is held in 元 (ingest.numbers.to_yuan); percentages as printed (4.2 means 4.2%).
Thresholds ("100万元(含)以上设备"), per-unit standards ("100元/人"), years, dates, phone
numbers and list numbering are not figures: only a number followed by a unit is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from ingest.model import Fact, Locator, Section
from ingest.numbers import MONEY_UNITS, to_yuan

BUDGET, FINAL, EXECUTED = "预算数", "决算数", "执行数"
CHANGE, RATE, SHARE, COUNT = "增减额", "增减率", "占比", "个数"

# Counting units a narrative uses. 年/月/天 are left out on purpose: after a number they
# are almost always dates or durations ("2024年", "12月底"), not counts. The lookaheads keep
# words that merely start with a unit character ("项目", "人民", "所属", "个百分点") out.
_COUNT_UNIT = (r"人次|台\s*[(（]\s*套\s*[)）]|台套|个(?!百分点|人|月|工作日|小时)|辆|台|套|人(?!民)|次|项(?!目)|家"
               r"|名(?!称|义)|户|所(?!属|得|在|有)|处(?!理|室)|批|座|栋|场(?!所)|期(?!间|限)")
# A counted noun after its classifier ("设有25个临床科室", "28个展区以及…") names the subject.
_COUNTED = re.compile(r"(?![其以的左多余及和等用为是均中共分合占])([\u4e00-\u9fff][^，,；;：:、。()（）\s\d]{0,15}?)"
                      r"(?=以及|及|和|等|\d|[，,；;：:、。()（）\s]|$)")
_FIGURE = re.compile(
    r"(?<![0-9A-Za-z.\-~～])(?<!\d,)(?P<num>[+\-]?(?:\d{1,3}(?:,\s?\d{3})+|\d+)(?:\.\d+)?)"
    r"\s*(?P<unit>亿元|万元|千元|元|%|" + _COUNT_UNIT + r")"
)
# After the unit: a threshold or a per-unit standard, not an amount.
_NOT_AMOUNT_AFTER = re.compile(r"\s*(?:[(（]\s*含\s*[)）]\s*)?(?:及?以上|及?以下|以内|/|每)")
_NOT_AMOUNT_BEFORE = re.compile(r"(?:第|每[^\d，,；;]{0,2}|不超过|不高于|不低于|超过|低于|高于)\s*$")
# "与上年持平" states a change of zero without printing a number.
_FLAT = re.compile(
    r"(?:同比|(?:与|同|较|比)\s*(?:上一?年度?|去年|(?P<year>\d{4})\s*年度?))"
    r"[^，,。；;]{0,10}?(?:持平|一致|相同|无变化|没有变化|未变化)"
)
_SENTENCE = re.compile(r"[^。！？!?]+[。！？!?]*")
_SENTENCE_END = ("。", "！", "？", "!", "?", "；", ";", "：", ":")
# Clause boundaries; a run of spaces between Chinese characters separates fields of a
# flattened form ("联系人：王丛丛  联系电话").
_BOUNDARY = re.compile(r"[，,；;：:、]|(?<=[\u4e00-\u9fff])(?:\s{2,}|\t)(?=[\u4e00-\u9fff])")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*(?:年度?|(?=预算|决算))")
_DATE = re.compile(r"(?:截至|截止到|截止)?(?:19|20)\d{2}\s*(?:年度?(?:\d{1,2}月(?:\d{1,2}日)?(?:底|末)?)?|(?=预算|决算))")
_COMPARE = re.compile(r"(?:同比|(?:较|比|与|同|对比)\s*(?:上一?年度?|去年|(?P<year>(?:19|20)\d{2})\s*年度?"
                      r"|(?P<plan>年初预算|预算数|预算(?!执行))))")
# "比2023年的40,616,051.67万元": the compared year's own figure, not a change.
_COMPARED_LEVEL = re.compile(r"^(?:预算数?|决算数?|执行数)?的?$")
# Change cues at the end of a clause, with the sign they give. "下降至/减少到" name a new
# level, so a cue followed by 至/到 is not one.
_CUE = re.compile(r"(?P<word>增幅|增长率|增速|涨幅|降幅|下降率|减幅|增加|增长|上升|提高|上涨|增|"
                  r"减少|下降|降低|压减|缩减|减|节约)(?:了|约|为|达|是)?$")
_NEGATIVE_CUES = {"降幅", "下降率", "减幅", "减少", "下降", "降低", "压减", "缩减", "减", "节约"}
_SHARE = re.compile(r"(?:所?占(?!用|有)|完成)(?P<base>.*)$")
_QUOTES = str.maketrans("", "", "“”\"‘’'「」『』")
_NUMBERING = re.compile(r"^(?:[(（]\s*[\d一二三四五六七八九十]{1,3}\s*[)）]|[\d一二三四五六七八九十]{1,3}\s*[、.．](?!\d))+")
# An issuer's name before the subject: a place name, then an organ ending in one of these.
_ISSUER = re.compile(r"^\S{0,12}?(?:省|自治区|市|区|县|州|盟|旗)\S{0,30}"
                     r"(?:人民政府|委员会|办公室|办事处|管理局|局|中心|街道|镇|乡)(?:[(（][^)）]{0,20}[)）])?")
_LEADING = ("其中:", "其中：", "其中", "主要原因是", "完成", "主要是", "主要用于", "包括", "本单位", "本部门",
            "本级及所属各预算单位",
            "所属各预算单位", "所属预算单位", "本级", "共有", "共计", "累计", "共", "涉及", "另外", "另",
            "以及", "及", "和", "的", "当年", "本年度", "本年", "年初预算", "全年")
_TRAILING = ("预算执行数", "执行数", "预算安排", "总预算", "预算数", "预算", "决算数", "决算", "安排",
             "共计", "合计为", "应为", "为", "是", "达到", "达", "约", "的", "各", "分别", "共",
             "年初", "当年", "本年", "全年",
             "增长到", "增加到", "下降到", "减少到", "增长至", "增加至", "下降至", "减少至")
# Words that say nothing about what a figure is: a clause with only these takes the
# subject of the figure before it ("支出预算为24.5万元，支出决算为11.96万元").
_GENERIC = {"支出", "收入", "资金", "经费", "金额"}
# "公共安全支出（204类）司法（06款）行政运行（01项）": the codes inside the level marks are blanked
# (same length: offsets into the printed text stay valid), so "01项" is not read as a count of 项
# and the subject path reads as usual.
_CODED_LEVEL = re.compile(r"[(（]\s*\d{2,3}\s*([类款项])\s*[)）]")
_LEVEL_PATH = re.compile(r"\s*[(（]\s*[类款项]\s*[)）]\s*[-—－]?\s*")
# Length-preserving, so offsets in the normalised text index the printed text too. Besides
# full-width digits, the traditional forms of the unit and cue characters are mapped
# (萬元, 增長, 較, 佔, 決算 …): a few disclosures are published in traditional script.
_NORM = str.maketrans("０１２３４５６７８９．％＋－−\u3000\u00a0萬億長減較與佔決預執數為類項個輛臺處戶場實際",
                      "0123456789.%+--  万亿长减较与占决预执数为类项个辆台处户场实际")


class _Reading(NamedTuple):
    subject: str
    measure: str
    detail: str | None
    year: int | None
    sign: int  # -1 / +1 from the cue word, 0: as printed
    compared_level: bool = False  # "比2023年的X万元": the compared year's own figure


@dataclass
class _Context:
    """What a clause without its own subject, year or measure falls back on."""

    topic: str = ""  # the first subject of the last sentence that had figures
    fallback_year: int | None = None  # that sentence's year, else the document's
    default_level: str = BUDGET  # 决算数 in a 决算 section
    subject: str = ""  # the previous figure's, in this sentence
    year: int | None = None
    unit: str = "元"
    source_unit: str = "元"
    level: str | None = None  # the last 预算数/决算数/执行数 of the sentence
    rate: tuple[str, int] | None = None  # the last percent measure and its sign
    facts: list[Fact] = field(default_factory=list)


def narrative_facts(doc_id: str, sections: list[Section], doc_year: int | None) -> list[Fact]:
    """Every figure stated in the paragraphs of the section tree, in reading order."""
    out: list[Fact] = []
    for top in sections:
        parents: dict[int, Section] = {}
        for section in top.walk():
            for child in section.children:
                parents[id(child)] = section
            path = _section_path(section, parents)
            # Topic and year run on across the paragraphs of one section: exports break a
            # "主要用于：" list and the next sentence ("2025年当年预算执行数为…") apart.
            carry = (section.heading, doc_year)
            for text, page in _running_text(section):
                facts, carry = _paragraph_facts(text, doc_id, path, page, carry)
                out.extend(facts)
    return out


def sentence_facts(text: str, *, doc_id: str, doc_year: int | None, section: str,
                   page: int | None = None) -> list[Fact]:
    """The figures stated in a piece of running text (one or more sentences)."""
    return _paragraph_facts(text, doc_id, section, page, ("", doc_year))[0]


def _running_text(section: Section) -> list[tuple[str, int | None]]:
    """Paragraphs, with a paragraph that stops mid-sentence joined to the next one.

    The section builder already joins wrapped lines; this guards figures against a
    reader that hands over each printed line as a paragraph ("…同比增" / "加21500元").
    """
    out: list[tuple[str, int | None]] = []
    for paragraph in section.paragraphs:
        text = paragraph.text.strip()
        if out and _continues(out[-1][0], text):
            out[-1] = (out[-1][0] + text, out[-1][1])
        else:
            out.append((text, paragraph.page))
    return out


def _continues(before: str, after: str) -> bool:
    """Whether `after` carries on the sentence `before` left open.

    Only running text (it has a comma) continues; a title line does not. Two digits never
    join: "7" then "19816.81 元" may be a page number above a figure.
    """
    return bool(before and after and not before.endswith(_SENTENCE_END) and re.search(r"[，,、]", before)
                and not _NUMBERING.match(after.translate(_NORM))
                and not (before[-1].isdigit() and after[0].isdigit()))


def _section_path(section: Section, parents: dict[int, Section]) -> str:
    chain: list[Section] = []
    node: Section | None = section
    while node is not None:
        chain.append(node)
        node = parents.get(id(node))
    return " › ".join(f"{s.number}{s.heading}" for s in reversed(chain) if s.heading or s.number)


def _paragraph_facts(text: str, doc_id: str, section: str, page: int | None,
                     carry: tuple[str, int | None]) -> tuple[list[Fact], tuple[str, int | None]]:
    # Wrapped lines join without a space (Chinese); `norm` maps characters one for one,
    # so its offsets index `orig` and figures keep their printed text.
    orig = re.sub(r"[ \t]*\n\s*", "", text)
    norm = _CODED_LEVEL.sub(lambda m: re.sub(r"\d", " ", m.group(0)), orig.translate(_NORM))
    out: list[Fact] = []
    for m in _SENTENCE.finditer(norm):
        ctx = _Context(topic=carry[0], fallback_year=carry[1],
                       default_level=FINAL if "决算" in section.translate(_NORM) else BUDGET)
        _sentence(norm, orig, m.start(), m.end(), ctx, doc_id, section, page)
        if ctx.facts:
            # A stock "截至2023年12月底" dates that sentence only; a period year carries on.
            dated = re.search(r"截[至止]", norm[m.start():m.end()])
            carry = (ctx.facts[0].label[1] or carry[0], carry[1] if dated else ctx.facts[0].year or carry[1])
            out.extend(ctx.facts)
    return out, carry


def _sentence(norm: str, orig: str, start: int, end: int, ctx: _Context, doc_id: str,
              section: str, page: int | None) -> None:
    events = [(m.start(), "figure", m) for m in _FIGURE.finditer(norm, start, end)]
    events += [(m.start(), "flat", m) for m in _FLAT.finditer(norm, start, end)]
    events.sort(key=lambda e: e[0])
    sentence = orig[start:end].strip()
    last_end = start

    def emit(value: Decimal, unit: str, source_unit: str, printed: str, subject: str,
             measure: str, detail: str | None, year: int | None, compared_level: bool = False) -> None:
        label = (section, subject, measure) + ((detail,) if detail else ())
        ctx.facts.append(Fact(
            value=value, unit=unit, label=label, locator=Locator(page=page, section=section or None),
            doc_id=doc_id, text=printed, source_unit=source_unit, origin="narrative",
            year=year, measure=measure, sentence=sentence))
        ctx.subject = subject
        if not compared_level:  # "比2023年的X万元" leaves the sentence's year as it was
            ctx.year = year

    for pos, kind, m in events:
        if pos < last_end:
            continue
        lead_year = _lead_year(norm[start:pos]) or ctx.fallback_year
        if kind == "flat":
            year = ctx.year or lead_year
            compared = int(m.group("year")) if m.group("year") else (year - 1 if year else None)
            emit(Decimal(0), ctx.unit, ctx.source_unit, orig[m.start():m.end()], ctx.subject or ctx.topic,
                 CHANGE, f"较{compared}年" if compared else "较上年", year)
            last_end = m.end()
            continue
        unit = _unit(m.group("unit"))
        clause_start = start  # the clause, including any figure before this one in it
        for b in _BOUNDARY.finditer(norm, start, pos):
            clause_start = b.end()
        prefix = re.sub(r"\s+", "", norm[max(clause_start, last_end):pos])
        if _NOT_AMOUNT_AFTER.match(norm, m.end()) or _NOT_AMOUNT_BEFORE.search(prefix):
            continue  # a threshold or a standard: its text stays part of the next subject
        last_end = m.end()
        clause = re.sub(r"\s+", "", _FIGURE.sub("", norm[clause_start:pos]))
        r = _read(prefix, clause, unit, norm[start:pos], ctx, lead_year)
        subject = r.subject
        if unit not in MONEY_UNITS and unit != "%":
            counted = _COUNTED.match(norm, m.end())
            if counted and (r.measure == COUNT or r.measure == CHANGE and not _clean(prefix)):
                subject = _clean(counted.group(1))  # "设有25个临床科室": the noun follows
        number = Decimal(m.group("num").replace(",", "").replace(" ", ""))
        if r.measure in (CHANGE, RATE) and r.sign and number:
            number = abs(number) * r.sign  # never -0: "减少0万元" is a change of 0
        value = to_yuan(number, unit) if unit in MONEY_UNITS else number
        printed = re.sub(r"\s+", "", orig[m.start():m.end()]).replace("％", "%")
        emit(value, "元" if unit in MONEY_UNITS else unit, unit, printed, subject, r.measure, r.detail,
             r.year, r.compared_level)
        if unit != "%":
            ctx.unit, ctx.source_unit = ("元" if unit in MONEY_UNITS else unit), unit


def _read(prefix: str, clause: str, unit: str, before: str, ctx: _Context,
          lead_year: int | None) -> _Reading:
    """Subject, measure, detail, year and sign of the figure that follows `prefix`.

    `clause` is the whole clause up to the figure, earlier figures removed: in
    "完成预算29.6万元的92.8%" the share word sits before the previous figure.
    """
    body, detail, sign, measure = prefix, None, 0, None
    compare = _COMPARE.search(body)
    cue = _CUE.search(body)
    share = (_SHARE.search(body) or _SHARE.search(clause)) if unit == "%" else None
    if compare and not cue and compare.group("year") and _COMPARED_LEVEL.match(body[compare.end():]):
        # The compared year's own figure: a level of that year, of the same subject.
        level = _level_word(body[compare.end():], ctx.default_level) or ctx.level or ctx.default_level
        return _Reading(ctx.subject or ctx.topic, level, None, int(compare.group("year")), 0, True)
    if compare or cue:
        measure = RATE if unit == "%" else CHANGE
        if cue:
            word = cue.group("word")
            sign = -1 if word in _NEGATIVE_CUES else 1
            if word in ("增幅", "增长率", "增速", "涨幅"):
                sign = 0  # a rate printed with its own sign: keep it
            measure = RATE if unit == "%" or word.endswith(("率", "幅", "速")) else CHANGE
        body = body[:compare.start() if compare else cue.start()]
        # The comparison may sit in an earlier clause ("与上年相比，支出减少…").
        compare = compare or _last_compare(before)
    elif share:
        measure = SHARE
        if share.string is body:
            body = body[:share.start()]
        base = re.sub(r"(?:的|比重|比例|为|是)+$", "", share.group("base").translate(_QUOTES))
        detail = (("完成" if share.group(0).startswith("完成") else "占") + base) if base else None
    elif unit == "%":
        measure, sign = ctx.rate if ctx.rate else (SHARE, 0)

    year = _own_year(body) or ctx.year or lead_year
    if measure is None:
        if unit not in MONEY_UNITS:
            measure = COUNT
        else:
            measure = _level_word(body, ctx.default_level) or ctx.level or ctx.default_level
            ctx.level = measure
    if measure in (CHANGE, RATE):
        detail = _compare_detail(compare, year)
    if unit == "%":
        ctx.rate = (measure, sign)

    subject = _clean(body)
    if subject in _GENERIC and ctx.subject:
        subject = ""
    return _Reading(subject or ctx.subject or ctx.topic, measure, detail, year, sign)


def _compare_detail(compare: re.Match[str] | None, year: int | None) -> str | None:
    if compare is None:
        return None
    if compare.group("plan"):
        return "较预算"
    if compare.group("year"):
        compared: int | None = int(compare.group("year"))
    else:
        compared = year - 1 if year else None
    tail = compare.string[compare.end():compare.end() + 8]
    kind = EXECUTED if "执行" in tail else FINAL if "决算" in tail else ""
    return (f"较{compared}年" if compared else "较上年") + kind


def _last_compare(text: str) -> re.Match[str] | None:
    found = None
    for found in _COMPARE.finditer(text):
        pass
    return found


def _own_year(body: str) -> int | None:
    m = _YEAR.search(body)
    return int(m.group(1)) if m else None


def _lead_year(text: str) -> int | None:
    """The first year the sentence states outside a comparison ("截至2023年12月底，…")."""
    compared = {m.start("year") for m in _COMPARE.finditer(text) if m.group("year")}
    for m in _YEAR.finditer(text):
        if m.start(1) not in compared:
            return int(m.group(1))
    return None


def _level_word(body: str, default: str) -> str | None:
    body = re.sub(r"一般公共预算|政府性基金预算|国有资本经营预算", "", body)  # fund names, not measures
    if "执行" in body:
        return EXECUTED
    if "实际" in body:  # 实际支出: the outturn, which a 决算 reports as its 决算数
        return FINAL if default == FINAL else EXECUTED
    if "决算" in body:
        return FINAL
    if "预算" in body:
        return BUDGET
    return None


def _unit(printed: str) -> str:
    unit = re.sub(r"\s+", "", printed).replace("（", "(").replace("）", ")")
    return "台(套)" if unit in ("台(套)", "台套") else unit


def _clean(raw: str) -> str:
    """The subject a clause names, without years, numbering, issuer or measure wording."""
    s = re.sub(r"\s+", "", raw).translate(_QUOTES)
    s = _DATE.sub("", s)
    s = _NUMBERING.sub("", s)
    s = _unmatched_brackets(s)
    if not re.search(r"[(（][类款项][)）]", s):
        s = _unmatched_brackets(_ISSUER.sub("", s))
    changed = True
    while changed and s:
        changed = False
        s = _NUMBERING.sub("", s)
        for word in _LEADING:
            if s.startswith(word):
                s, changed = s[len(word):], True
                break
        for word in _TRAILING:
            if s.endswith(word) and not (word == "共" and s.endswith("公共")):
                s, changed = s[: -len(word)], True
                break
    # "一般公共服务支出(类）-统计信息事务（款）-统计管理（项）" → "一般公共服务支出-统计信息事务-统计管理"
    if re.search(r"[(（]\s*[类款项]\s*[)）]", s):
        s = "-".join(p for p in _LEVEL_PATH.split(s) if p and p.strip("-—－"))
    return s.strip("-—－·")


def _unmatched_brackets(s: str) -> str:
    """Drop a closing bracket left from the clause before and text before an unclosed '('."""
    s = re.sub(r"^[)）]+", "", s)
    depth, cut = 0, -1
    for i, ch in enumerate(s):
        if ch in "(（":
            depth += 1
            if depth == 1:
                cut = i
        elif ch in ")）" and depth:
            depth -= 1
    return s[cut + 1:] if depth and cut >= 0 else s
