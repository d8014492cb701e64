"""Numbers as budget disclosures print them.

Thousands separators, full-width digits, negatives (-1,000 / （1,000） / −1,000), percentages,
and the marks that mean "no value" (empty, -, —, ——, /). Amounts are `Decimal`; units are
normalised to 元 with the factor kept (万元 = 10⁴, 亿元 = 10⁸).
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

MONEY_UNITS = {"元": Decimal(1), "千元": Decimal(1000), "万元": Decimal(10000), "亿元": Decimal(100000000)}
COUNT_UNITS = ("个", "辆", "人", "次", "项", "台", "套", "台(套)", "家", "名", "册", "篇", "场", "期", "户", "所", "处", "月", "天", "年")
NO_VALUE = {"", "-", "--", "—", "——", "/", "－", "一", "…", "...", "*"}

_NUMBER = re.compile(r"^[+\-−]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")
_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000, "亿": 100000000}


def normalize(text: str) -> str:
    """Full-width to half-width (digits, letters, punctuation), NBSP and ideographic spaces to spaces."""
    return unicodedata.normalize("NFKC", text).replace("\u00a0", " ")


def parse_number(text: str) -> Decimal | None:
    """The value of a cell or token that is a plain number, else None.

    '2,750,000.00' → 2750000.00; '（1,000）' → -1000; '-30%' → -30 (see is_percent);
    '-', '——' and '' → None; '30万元' → None (not a plain number: see parse_amount).
    """
    s = normalize(text).strip().replace(" ", "")
    if s in NO_VALUE:
        return None
    negative = False
    if s.startswith("(") and s.endswith(")"):
        negative, s = True, s[1:-1]
    if s.endswith("%"):
        s = s[:-1]
    s = s.replace("−", "-")
    if not _NUMBER.match(s):
        return None
    try:
        value = Decimal(s.replace(",", ""))
    except InvalidOperation:
        return None
    return -value if negative else value


def is_percent(text: str) -> bool:
    return normalize(text).strip().endswith("%")


_AMOUNT = re.compile(
    r"(?P<num>[+\-−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)\s*(?P<unit>亿元|万元|千元|元|%|％)"
)


def parse_amount(text: str) -> tuple[Decimal, str] | None:
    """'30万元' → (300000, '元'); '4.2%' → (4.2, '%'); a bare number → None."""
    m = _AMOUNT.fullmatch(normalize(text).strip())
    if not m:
        return None
    value = Decimal(m.group("num").replace(",", "").replace("−", "-"))
    unit = m.group("unit")
    if unit in ("%", "％"):
        return value, "%"
    return to_yuan(value, unit), "元"


def to_yuan(value: Decimal, unit: str) -> Decimal:
    return value * MONEY_UNITS.get(unit, Decimal(1))


def unit_factor(unit: str) -> Decimal:
    return MONEY_UNITS.get(unit, Decimal(1))


def printed_tolerance(fact) -> Decimal:
    """Half a unit of the last place a fact is printed to, in the fact's unit (元 or %): 20.69万元
    → 50 元, 1,234,500.00元 → 0.005 元, 49.4% → 0.05."""
    m = re.search(r"\d+(?:\.(\d+))?", fact.text.replace(",", ""))
    decimals = len(m.group(1) or "") if m else 0
    factor = unit_factor(fact.source_unit) if fact.unit == "元" and fact.source_unit else Decimal(1)
    return factor * Decimal(1).scaleb(-decimals) / 2


_UNIT_LINE = re.compile(r"(?:金额)?单位\s*[:：]\s*(亿元|万元|千元|元)")


def find_unit(line: str) -> str | None:
    """The money unit a '单位：元' / '单位:万元' line announces."""
    m = _UNIT_LINE.search(normalize(line).replace("（", "(").replace("）", ")"))
    return m.group(1) if m else None


def chinese_to_int(text: str) -> int | None:
    """'十七' → 17, '二十' → 20, '一百万' → 1000000, '17' → 17; None if not a numeral."""
    s = normalize(text).strip()
    if s.isdigit():
        return int(s)
    if not s or any(ch not in _CN_DIGITS and ch not in _CN_UNITS for ch in s):
        return None
    total, section, digit = 0, 0, None
    for ch in s:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
            continue
        unit = _CN_UNITS[ch]
        if unit >= 10000:
            section = (section + (digit or 0)) * unit
            total += section
            section = 0
        else:
            section += (1 if digit is None else digit) * unit
        digit = None
    return total + section + (digit or 0)


def format_yuan(value: Decimal) -> str:
    """2750000 → '2,750,000.00' (how disclosures print 元)."""
    return f"{value.quantize(Decimal('0.01')):,}"
