"""Document metadata from the content: title, issuer, region, year, kind (预算/决算), scope (部门/单位)."""

from __future__ import annotations

import itertools
import re
from collections import Counter

from ingest.catalogue import looks_like_table_title
from ingest.numbers import normalize
from ingest.sections import parse_heading

# Lines that name the issuer: 部门全称：… / 编制单位：… / 预算单位：… and their variants.
ISSUER_KEYS = ("部门全称", "编制单位", "预算单位", "预算主管部门", "编制部门", "主管部门", "单位名称", "部门名称", "填报单位", "部门")
_ISSUER_LINE = re.compile(
    r"(?:" + "|".join(ISSUER_KEYS) + r")\s*[:：]\s*(?P<name>[^\s:：]{2,40}?)(?=\s+(?:金额)?单位\s*[:：]|\s*$|\s{2,})"
)
_YEAR = re.compile(r"(20\d{2})\s*年")
_TITLE = re.compile(r"^(?P<issuer>.*?)(?P<year>20\d{2})\s*年度?(?P<rest>.*)$")
_REGION = re.compile(
    r"^((?:[^省市区县]{2,7}?(?:省|自治区))?(?:[^省市区县]{1,7}?(?:市|州|盟|地区))?(?:[^省市区县]{1,6}?(?:区|县|旗))?)"
)


_BUDGET_TYPE_TAIL = re.compile(r"(?:一般公共|政府性基金|国有资本经营|财政拨款|区级|市级|县级|省级|部门|单位)+$")
# 青石县白沙初级中学主要职能是… / 某某局的主要职责: an organisation introduced by its duties
_DUTIES_SUBJECT = re.compile(
    r"^(?:[（(]?[一二三四五六七八九十\d]+[)）、.．]?\s*)?(?:20\d{2}年)?(?P<name>[\u4e00-\u9fff（）()]{4,30}?"
    r"(?:学校|中学|小学|学院|大学|幼儿园|医院|卫生院|中心|局|厅|委员会|委|办公室|办事处|政府|院|所|站|队|馆|会|部))"
    r"(?:的)?(?:主要职能|主要职责|职能职责|基本职能|是)")


def issuer_from_duties(lines: list[str]) -> str | None:
    """The organisation a document's first lines introduce by its duties (a text with no title)."""
    for line in lines[:40]:
        m = _DUTIES_SUBJECT.match(normalize(line).replace(" ", ""))
        if m and m.group("name") not in ("本部门", "本单位"):
            return m.group("name")
    return None


def issuer_from_lines(lines: list[str]) -> str | None:
    """The most frequent name after an issuer key."""
    names = Counter()
    for line in lines:
        for m in _ISSUER_LINE.finditer(normalize(line)):
            name = m.group("name").strip()
            if name and not name.startswith(("单位", "元", "万元")):
                names[name] += 1
    return names.most_common(1)[0][0] if names else None


def parse_title(title: str) -> tuple[str | None, int | None]:
    """'重庆市交通委员会2018年部门预算情况说明' → ('重庆市交通委员会', 2018)."""
    m = _TITLE.match(normalize(title).replace(" ", ""))
    if not m:
        return None, None
    issuer = m.group("issuer").strip()
    if not issuer:  # "2023年度泸州市中医医院单位决算": the issuer follows the year
        after = re.match(r"^(.+?)(?:区级|市级|县级|省级)?(?:部门|单位)?(?:预算|决算|預算|決算)", m.group("rest"))
        issuer = after.group(1) if after else ""
    issuer = re.sub(r"^第[一二三四五六七八九十]+部分", "", issuer)
    issuer = _BUDGET_TYPE_TAIL.sub("", issuer)  # 2023年广东省财政厅一般公共预算… names 广东省财政厅
    if len(issuer) < 3 or issuer in ("本部门", "本单位"):
        issuer = ""
    return issuer or None, int(m.group("year"))


def region_of(name: str | None) -> str | None:
    """'江南省青石市临水区人民政府文物局' → '江南省青石市临水区'; '重庆市交通委员会' → '重庆市'."""
    if not name:
        return None
    s = normalize(name).replace(" ", "").removeprefix("中共")  # 中共白鹭市白沙区委… is a party organ
    m = _REGION.match(s)
    return (m.group(1) if m else "") or None


def document_year(title: str, lines: list[str]) -> int | None:
    _, year = parse_title(title)
    if year:
        return year
    years = Counter(int(y) for line in lines for y in _YEAR.findall(normalize(line)))
    return years.most_common(1)[0][0] if years else None


def document_kind(title: str, text: str, table_titles: list[str] | None = None) -> str | None:
    t = normalize(title)
    for word, kind in (("决算", "决算"), ("決算", "决算"), ("预算", "预算"), ("預算", "预算")):
        if word in t:
            return kind
    ends = Counter("决算" if re.search(r"决算(总)?表", tt) else "预算" for tt in table_titles or []
                   if re.search(r"[预决]算(总)?表", tt))
    if ends:  # a tables-only file: its tables' titles say 预算表 / 决算表
        return ends.most_common(1)[0][0]
    if re.search(r"绩效(单位|部门|整体)?自评|績效(單位|部門)?自評", text[:600]):
        return "决算"  # a performance self-evaluation reports on a budget already spent
    # with no title, only words that name a document count (部门预算, 2023年度决算, 预算公开 …):
    # a glossary page's 一般公共预算拨款 names no document
    named = re.findall(r"(?:部门|单位|部門|單位|年度?|[(（]?本级[)）]?|支出)\s*(预算|决算|預算|決算)"
                       r"|(预算|决算|預算|決算)\s*(?:公开|公開|情况|情況|说明|說明|表|安排)",
                       text)
    words = [a or b for a, b in named]
    budget = sum(w in ("预算", "預算") for w in words)
    final = sum(w in ("决算", "決算") for w in words)
    if not budget and not final:
        return None
    return "决算" if final > budget else "预算"


def document_scope(title: str, text: str) -> str | None:
    t = normalize(title)
    if re.search(r"单位(预算|决算)|單位(預算|決算)", t):
        return "单位"
    if re.search(r"部门(预算|决算)|部門(預算|決算)", t):
        return "部门"
    # the words that say which: 单位预算, 部门决算 …, and 单位概况 / 部门汇总数 / 单位自评 when no such phrase
    unit = len(re.findall(r"(?:单位|單位)(?:预算|决算|預算|決算)", text))
    dept = len(re.findall(r"(?:部门|部門)(?:预算|决算|預算|決算)", text))
    if not unit and not dept:
        unit = len(re.findall(r"(?:单位|單位)(?:基本情况|概况|概況|自评|自評)", text))
        dept = len(re.findall(r"(?:部门|部門)(?:基本情况|概况|概況|汇总|匯總)", text))
    if not unit and not dept:
        return None
    return "单位" if unit > dept else "部门"


def squash(text: str) -> str:
    """Drop the spaces exports put between Chinese characters and digits ("2024 年" → "2024年")."""
    return re.sub(r"(?<=[\u4e00-\u9fff\d])\s+(?=[\u4e00-\u9fff\d])", "", text.strip())


_TITLE_WORD = re.compile(r"(预算|决算|預算|決算)")
_YEAR_WORD = re.compile(r"20\d{2}\s*年")


def is_title_line(text: str) -> bool:
    """A document title: short, names a year and 预算/决算, no navigation or key: value marks."""
    flat = normalize(text).replace(" ", "")
    return (len(flat) <= 60 and bool(_TITLE_WORD.search(flat)) and bool(_YEAR_WORD.search(flat))
            and not re.search(r"[>|:：。，,；;]", flat) and not parse_heading(text) and not looks_like_table_title(text))


_COVER_LINE = re.compile(r"[\u4e00-\u9fff（）()]{2,20}")


def pick_title(lines: list[str]) -> str:
    """The title near the top: one line, or a cover page's title wrapped over up to three lines.

    In a wrapped title every line but the one with the year is plain Chinese (an issuer's
    name, 部门决算), which keeps navigation junk ("支持IPv6", "配色") out, and no line is a
    title by itself. A title whose
    issuer is missing or names no region takes the plain lines above it.
    """
    head = [line.strip() for line in lines[:60] if line.strip()]
    for i in range(len(head)):
        for size in (1, 2, 3):
            window = head[i:i + size]
            if len(window) < size or (size > 1 and not all(
                    (_COVER_LINE.fullmatch(line) or _YEAR_WORD.search(line)) and not is_title_line(squash(line))
                    for line in window)):
                continue  # a wrapped title is one none of whose lines is a title by itself
            candidate = squash("".join(window))
            if not is_title_line(candidate):
                continue
            issuer, _ = parse_title(candidate)
            if not issuer or not region_of(issuer):
                above = list(itertools.takewhile(_COVER_LINE.fullmatch, reversed(head[max(0, i - 2):i])))
                candidate = "".join(reversed(above)) + candidate
            return re.sub(r"^第[一二三四五六七八九十]+部分", "", candidate)
    return ""


# --- issuers: one organisation however it is written -----------------------------------------

# General rules for the long and short forms of an organ's name (applied in order).
_ALIASES = (
    (re.compile(r"中国共产党"), "中共"),
    (re.compile(r"中国人民政治协商会议(?P<region>.+?)委员会"), r"\g<region>政协"),
    (re.compile(r"人民代表大会常务委员会"), "人大常委会"),
    (re.compile(r"(?P<region>[省市区县州旗])委员会"), r"\g<region>委"),
    (re.compile(r"^中共(?=.+?[省市区县州旗]委)"), ""),  # 中共青岚省委办公厅 = 青岚省委办公厅
    (re.compile(r"[（(](本级|汇总)[)）]$"), ""),
)


def issuer_key(name: str | None) -> str | None:
    """A comparable form: 青岚省委办公厅, 中共青岚省委办公厅 and 中国共产党青岚省委员会办公厅 are
    one key; so are 中国人民政治协商会议青岚省委员会办公厅 and 青岚省政协办公厅."""
    if not name or name == UNRECOGNISED:
        return None
    key = normalize(name).replace(" ", "")
    for pattern, short in _ALIASES:
        key = pattern.sub(short, key)
    return key or None


UNRECOGNISED = "未识别"

# An organisation's name ends in an organisation word; a sentence or a fragment does not.
_ORGANISATION_END = re.compile(
    r"(办公厅|办公室|委员会|常委会|人大|政协|委|厅|局|院|所|中心|处|站|队|馆|会|部|室|政府|办事处|街道|乡|镇|"
    r"学校|中学|小学|学院|大学|幼儿园|医院|卫生院|分局|机关|团|社|公司|协会|基地|办|园|场|台|科|"
    r"辦公廳|辦公室|委員會|廳|會|處|隊|館|園|團|機關|醫院|學校|衛生院|幼兒園)$")
_NOT_A_NAME = re.compile(r"[，。；;,!！？?：:、“”\"]|^[(（]|^\d|公布|关于|近日|以下|其中|我们|支出|收入|反映|经费|网站|網站")
_PLACEHOLDER = re.compile(r"XX|ＸＸ|××|xx|\*\*")


def is_organisation_name(name: str | None) -> bool:
    """Looks like an organisation's name: ends in an organisation word, no sentence punctuation,
    no sentence words, not a bare region and not a template placeholder (上海市XX局)."""
    if not name:
        return False
    flat = re.sub(r"[（(][^()（）]{1,20}[)）]$", "", normalize(name).replace(" ", ""))
    if not 3 <= len(flat) <= 40 or _NOT_A_NAME.search(flat) or _PLACEHOLDER.search(flat):
        return False
    if region_of(flat) == flat:
        return False
    return bool(_ORGANISATION_END.search(flat))


def issuers_from_lines(lines: list[str]) -> list[str]:
    """Names after an issuer key, the most frequent first."""
    names = Counter()
    for line in lines:
        for m in _ISSUER_LINE.finditer(normalize(line)):
            name = m.group("name").strip()
            if name and not name.startswith(("单位", "元", "万元")):
                names[name] += 1
    return [name for name, _ in names.most_common()]


def pick_issuer(candidates: list[str | None]) -> tuple[str | None, bool]:
    """The first candidate that is an organisation's name → (issuer, is_template). A template's
    placeholder issuer (上海市XX局) marks the document as a blank template."""
    template = False
    for name in candidates:
        if not name:
            continue
        second = _SECOND_NAME.search(name)  # 某某执法局（某某城市管理局）: one body, two names
        if second and is_organisation_name(second.group(1)) and is_organisation_name(name[:second.start()]):
            name = name[:second.start()]
        if _PLACEHOLDER.search(normalize(name)):
            template = True
            continue
        if is_organisation_name(name):
            return name, template
    return None, template


_SECOND_NAME = re.compile(r"[（(]([^()（）]{4,30})[)）]$")
_GLOSS = re.compile(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,6}\)")  # mirror sites' pinyin: 預(yù)
_NAME_AT_START = re.compile(
    r"^(?:第[一二三四五六七八九十]+部分|关于|關於|设立|設立|\d{1,2}[.、．])?"
    r"(?P<name>[\u4e00-\u9fff（）()]{3,30}?)"
    r"(?:20\d{2}年|部门概况|单位概况|部門概況|單位概況|概况|概況|基本情况|内设|內設|下设|下設|主要职能|主要职责|"
    r"始建于|始建於|在|是|[(（]以下简称|预算公开|决算公开|[。]|$)")
_MANDATE = re.compile(r"(?:依据|根据|按照)《?(?P<name>[\u4e00-\u9fff]{4,30}?)》?“?三定”?方案")
_PUBLISHER = re.compile(r"(?:发布机构|信息来源|发布单位|來源|来源)\s*[:：]\s*(?P<name>[\u4e00-\u9fff（）()]{3,30})")


def issuers_in_text(lines: list[str]) -> list[str]:
    """Organisation names a text opens a line with (某某街道办事处内设…, 某某医院概况, 某某局2023年度…,
    设立某某委员会。), the most frequent first; then a page's publisher (信息来源：某某局)."""
    names: Counter = Counter()
    first: dict[str, int] = {}
    publishers: list[str] = []
    for i, line in enumerate(lines[:400]):
        flat = _GLOSS.sub("", normalize(line)).replace(" ", "")
        for k, sentence in enumerate(re.split(r"[。；;，,]", flat)[:6]):
            m = _NAME_AT_START.match(sentence)
            # inside a line only a full name counts: "7月15日，卫生部在…" is a report about a body
            if m and is_organisation_name(m.group("name")) and (len(m.group("name")) >= (4 if k == 0 else 6)
                                                                 or re.search(r"[镇乡]$", m.group("name"))):
                names[m.group("name")] += 1
                first.setdefault(m.group("name"), i)
        for m in _PUBLISHER.finditer(flat):
            publishers.append(m.group("name"))
        for m in _MANDATE.finditer(flat):  # 立项依据：某某中心三定方案
            if is_organisation_name(m.group("name")):
                names[m.group("name")] += 1
                first.setdefault(m.group("name"), i)
        m = re.search(r"设立|設立", flat)
        if m:
            tail = _NAME_AT_START.match(flat[m.end():])
            if tail and is_organisation_name(tail.group("name")):
                names[tail.group("name")] += 1
                first.setdefault(tail.group("name"), i)
    ranked = sorted(names, key=lambda n: (-names[n], first[n]))
    return ranked + publishers


def _issuer_from_title(title_issuer: str | None) -> str | None:
    """The title names the issuer before the year unless it names only a region (白鹭市白沙区)."""
    if not title_issuer or region_of(title_issuer) == title_issuer:
        return None
    return title_issuer


_NEWS = re.compile(r"电[(（]记者|[(（]记者[\u4e00-\u9fff]{2,4}[)）]|^(?:新华社|中新社|中新网)")
_TEMPLATE_MARK = re.compile(r"(?:XX|ＸＸ|××|xx)(?:局|单位|部门|委员会|委|办公室|街道|中心)")


def _mixed_years(lines: list[str]) -> bool:
    """Numbered headings that name a 预算 of one year and a 决算 of another (一、2022年预算安排情况 /
    二、2021年决算情况): a note on two documents, neither of which it is."""
    pairs = set()
    for line in lines[:80]:
        flat = normalize(line).replace(" ", "")
        if len(flat) > 40 or not parse_heading(flat):
            continue
        year, kind = _YEAR.search(flat), re.search(r"决算|決算|预算|預算", flat)
        if year and kind:
            pairs.add((year.group(1), "决算" if kind.group(0) in ("决算", "決算") else "预算"))
    return len({k for _, k in pairs}) > 1 and len({y for y, _ in pairs}) > 1


def document_metadata(title: str, meta_lines: list[str], text: str, table_titles: list[str],
                      file_name: str) -> dict:
    """Issuer, region, year, kind and scope of one file, and the warnings they raise.

    The issuer is the first organisation's name among: the 部门：/单位：/编制单位 lines (the most
    frequent first), the title, the duties paragraph. A fragment never qualifies; when nothing
    does, the issuer is unrecognised and a warning names the file. A template (its issuer a
    placeholder such as 上海市XX局) has no issuer; its year, kind and scope are the template's.
    """
    title_issuer, _ = parse_title(title)
    lines = text.splitlines()
    opening = re.sub(r"\s+", "", text[:400])
    if _NEWS.search(opening):
        warnings_news = [f"“{file_name}”看起来是一篇新闻报道（“记者”“电”），不是某个单位的预算或决算公开：未识别发布单位、年度、类型和口径。"]
        return {"issuer": None, "region": None, "year": None, "kind": None, "scope": None, "warnings": warnings_news}
    candidates = [*issuers_from_lines(meta_lines), _issuer_from_title(title_issuer), issuer_from_duties(lines)]
    issuer, template = pick_issuer(candidates)
    if issuer is None and not template:
        issuer, template = pick_issuer(issuers_in_text(lines))
    warnings: list[str] = []
    template = template or bool(_TEMPLATE_MARK.search(re.sub(r"\s+", "", text[:4000])))
    if template and issuer is None:  # its year, kind and scope are the template's own
        warnings.append(f"“{file_name}”的发布单位是占位符（如“XX局”），看起来是空白模板，发布单位记为“未识别”。")
    elif issuer is None:
        warnings.append(f"未能从“{file_name}”中识别发布单位（封面、标题、“部门：”“编制单位：”行和职能段落都没有单位名称），"
                        "发布单位记为“未识别”。")
    year = document_year(title, table_titles + [text[:2000]])
    kind = document_kind(title, text, table_titles)
    if not is_title_line(title) and _mixed_years(lines):
        year, kind = None, None
        warnings.append(f"“{file_name}”同时说明了不同年度的预算和决算，年度和类型未识别。")
    return {"issuer": issuer, "region": region_of(issuer) or region_of(title_issuer), "year": year,
            "kind": kind, "scope": document_scope(title, text),
            "warnings": warnings}
