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
# 沐川县沐溪初级中学主要职能是… / 某某局的主要职责: an organisation introduced by its duties
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
    s = normalize(name).replace(" ", "").removeprefix("中共")  # 中共上海市普陀区委… is a party organ
    m = _REGION.match(s)
    return (m.group(1) if m else "") or None


def document_year(title: str, lines: list[str]) -> int | None:
    _, year = parse_title(title)
    if year:
        return year
    years = Counter(int(y) for line in lines for y in _YEAR.findall(normalize(line)))
    return years.most_common(1)[0][0] if years else None


def document_kind(title: str, text: str) -> str | None:
    t = normalize(title)
    for word, kind in (("决算", "决算"), ("決算", "决算"), ("预算", "预算"), ("預算", "预算")):
        if word in t:
            return kind
    budget, final = text.count("预算") + text.count("預算"), text.count("决算") + text.count("決算")
    if not budget and not final:
        return None
    return "决算" if final > budget else "预算"


def document_scope(title: str, text: str) -> str | None:
    t = normalize(title)
    if re.search(r"单位(预算|决算)|單位(預算|決算)", t):
        return "单位"
    if re.search(r"部门(预算|决算)|部門(預算|決算)", t):
        return "部门"
    unit = len(re.findall(r"单位(预算|决算)", text))
    dept = len(re.findall(r"部门(预算|决算)", text))
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
            and not re.search(r"[>|:：]", flat) and not parse_heading(text) and not looks_like_table_title(text))


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
