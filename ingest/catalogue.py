"""Table titles, table numbers and the catalogue (目录) a document announces.

Bodies often print a table's title without its number (the seed's body says
"2024年白沙区部门收支预算总表", its catalogue "表一 … 收支预算总表"); the number then
comes from the catalogue entry with the same title.
"""

from __future__ import annotations

import re

from ingest.model import CatalogueEntry, Table
from ingest.numbers import chinese_to_int, normalize

_CN = "一二三四五六七八九十百"
_NUMBER = re.compile(
    rf"^(?P<num>表\s*(?:(?:[{_CN}](?!般))+|\d+)(?:\s*[-—－]\s*\d+)?|[(（]?公开\s*\d+\s*表[)）]?|\d{{1,2}}(?:\s*[-—－]\s*\d+)?\s*[.．、](?!\d{1,3}(?!\d))|[{_CN}]+\s*、)\s*(?P<title>.*)$"
)
# Leader dots and page numbers ("……… 3", "......14-15"), and Word's PAGEREF field residue.
_SUFFIX_NUMBER = re.compile(r"[(（]公开\s*\d+\s*表[)）]$")
_DOTS = re.compile(r"(\s*PAGEREF\s+_Toc\d+\s+h\s+\d+|[.。·…\-—_ ]{3,}\s*(\d+(\s*[-—]\s*\d+)?)?)\s*$")


def strip_leaders(text: str) -> str:
    return _DOTS.sub("", text).strip()
_TITLE_END = re.compile(r"表\s*([(（][^()（）]{1,30}[)）])?\s*$")
_BUDGET_WORD = re.compile(r"预算|决算|收支|收入|支出|三公|经费|绩效|采购|资产|基金|拨款|預算|決算")


def split_number(text: str) -> tuple[str | None, str]:
    """'表十 2024年…表' → ('表十', '2024年…表'); '4．2026年…' → ('4', '2026年…')."""
    s = text.strip().strip("《》")
    m = _NUMBER.match(s)
    if not m or not m.group("title"):
        suffix = _SUFFIX_NUMBER.search(s)  # "收入支出决算总表（公开01表）"
        if suffix and s[: suffix.start()].strip():
            return re.sub(r"\s+", "", suffix.group(0)), s[: suffix.start()].strip()
        return None, s
    num = re.sub(r"\s+", "", m.group("num")).rstrip(".．、")
    return num, m.group("title").strip()


def ordinal(number: str | None) -> int | None:
    if not number:
        return None
    s = normalize(number)
    m = re.search(r"公开\s*(\d+)", s)
    if m:
        return int(m.group(1))
    m = re.match(r"^表?\s*([一二三四五六七八九十百\d]+)", s)
    return chinese_to_int(m.group(1)) if m else None


def looks_like_table_title(text: str) -> bool:
    s = normalize(strip_leaders(text)).strip("《》")
    if not s or len(s) > 70 or re.search(r"[。，；;,]", s):
        return False
    _, title = split_number(s)
    return bool(_TITLE_END.search(title) and _BUDGET_WORD.search(title)) or bool(
        re.match(r"^表\s*[一二三四五六七八九十\d]", s) and _BUDGET_WORD.search(s)
    )


def title_key(title: str) -> str:
    """Comparable form of a title: no numbering, spaces, brackets or quotes."""
    _, t = split_number(normalize(title))
    return re.sub(r"[\s“”\"'‘’《》()（）]", "", t)


def entry_from_cells(cells: list[str]) -> CatalogueEntry | None:
    """A catalogue grid row: [1, 表一, title] or [表一, title] or [title]."""
    filled = [c.strip() for c in cells if c and c.strip()]
    number = next((c for c in filled if re.fullmatch(rf"表\s*[{_CN}\d]+(?:-\d+)?", normalize(c))), None)
    title = next((c for c in reversed(filled) if looks_like_table_title(c)), None)
    if not title:
        return None
    num, bare = split_number(title)
    number = number or num
    return CatalogueEntry(number=number, title=bare, ordinal=ordinal(number))


# A part heading of the catalogue ("五、部门预算表", "第二部分 2024年度部门决算表"), not one table.
_PART = re.compile(r"^(第[一二三四五六七八九十]+部分.*|(\d{4}年度?)?(省级|区级|市级|县级)?(部门|单位)?(预算|决算)(公开)?报?表)$")


def entry_from_line(line: str) -> CatalogueEntry | None:
    s = strip_leaders(line)
    if _PART.match(split_number(normalize(s).replace(" ", ""))[1]) or not looks_like_table_title(s):
        return None
    number, title = split_number(s)
    return CatalogueEntry(number=number, title=title, ordinal=ordinal(number))


def _bigrams(s: str) -> set[str]:
    return {s[i:i + 2] for i in range(len(s) - 1)}


def match_entry(title: str, catalogue: list[CatalogueEntry]) -> CatalogueEntry | None:
    """The catalogue entry with this title: exact after normalising, else the closest by bigrams."""
    key = title_key(title)
    for entry in catalogue:
        if title_key(entry.title) == key:
            return entry
    best, best_score = None, 0.0
    grams = _bigrams(key)
    for entry in catalogue:
        other = _bigrams(title_key(entry.title))
        if not grams or not other:
            continue
        score = len(grams & other) / len(grams | other)
        if score > best_score:
            best, best_score = entry, score
    return best if best_score >= 0.8 else None


def number_tables(tables: list[Table], catalogue: list[CatalogueEntry]) -> list[str]:
    """Give every table its number and a unique key; return warnings about the catalogue."""
    warnings: list[str] = []
    used: set[int] = set()
    keys: dict[str, int] = {}
    for i, table in enumerate(tables, start=1):
        number, bare = split_number(table.title)
        entry = match_entry(table.title, catalogue)
        if entry is not None:
            used.add(id(entry))
            number = entry.number or number
        if number:
            table.number = number
            table.ordinal = ordinal(number)
        if bare and number and table.title.startswith(number):
            table.title = bare
        base = table.number or f"T{i}"
        if table.part:
            base = f"{base}·{table.part}"
        keys[base] = keys.get(base, 0) + 1
        table.key = base if keys[base] == 1 else f"{base}({keys[base]})"
    for entry in catalogue:
        if id(entry) not in used:
            label = f"{entry.number} " if entry.number else ""
            warnings.append(f"目录列出的{label}“{entry.title}”在正文中未找到。")
    return warnings
