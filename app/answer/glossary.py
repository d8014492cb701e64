"""The budget glossary (app/answer/glossary.yaml) as the engine reads it.

The data file maps everyday words to the terms disclosures print, lists the cue words of
measures and operations, relative-year words, Chinese numerals, and the rules by which
people shorten issuers' names. Nothing here knows a particular document: issuers' short
names are generated from whatever full names the ingested documents carry.

All matching happens on `norm(text)`: NFKC (so 因公出国(境) ≡ 因公出国（境）), quotes and
whitespace removed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

GLOSSARY_PATH = Path(__file__).with_name("glossary.yaml")
_DROP = re.compile(r"[\s“”‘’\"'《》]")


def norm(text: str) -> str:
    return _DROP.sub("", unicodedata.normalize("NFKC", text or ""))


@dataclass
class Term:
    """One glossary entry: the printed forms (most specific first) and the everyday words."""

    official: list[str]
    everyday: list[str]
    codes: list[str] = field(default_factory=list)
    is_measure: bool = False  # a column word (预算数, 决算数 …), not an item


@dataclass
class Glossary:
    terms: list[Term]
    operations: dict  # family → {cues: [...], ...}; "precedence": [...]
    measures: dict
    relative_years: dict[str, int]  # 今年 → 0, 去年 → −1 …
    kinds: dict
    issuers: dict
    numerals: dict
    sangong: dict
    phrases: dict[str, list[int]] = field(default_factory=dict)  # norm(word) → term indexes

    @classmethod
    def load(cls, path: Path = GLOSSARY_PATH) -> "Glossary":
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        measure_words = {norm(w) for m in data.get("measures", {}).values() for w in m.get("printed", [])}
        terms = []
        for entry in data.get("terms", []):
            codes = []
            for value in (entry.get("code") or {}).values():
                codes.extend(value if isinstance(value, list) else [value])
            official = [str(w) for w in entry.get("official", [])]
            terms.append(Term(official=official, everyday=[str(w) for w in entry.get("everyday", [])],
                              codes=[str(c) for c in codes],
                              is_measure=bool(official) and norm(official[0]) in measure_words))
        relative = {}
        for offset, words in (data.get("years", {}).get("relative") or {}).items():
            for word in words:
                relative[norm(word)] = int(str(offset))
        glossary = cls(terms=terms, operations=data.get("operations", {}), measures=data.get("measures", {}),
                       relative_years=relative, kinds=data.get("kinds", {}), issuers=data.get("issuers", {}),
                       numerals=data.get("numerals", {}), sangong=data.get("sangong", {}))
        for i, term in enumerate(terms):
            for word in term.official + term.everyday:
                glossary.phrases.setdefault(norm(word), []).append(i)
        return glossary

    def cues(self, family: str) -> list[str]:
        spec = self.operations.get(family)
        return [norm(c) for c in spec.get("cues", [])] if isinstance(spec, dict) else []

    def sangong_words(self) -> set[str]:
        """Printed names of the 三公经费 and its components (their home is the 三公 table)."""
        words = {norm(w) for w in self.sangong.get("total", [])}

        def walk(components):
            for c in components or []:
                words.update(norm(w) for w in c.get("printed", []) + [c.get("name", "")])
                walk(c.get("children"))

        walk(self.sangong.get("components"))
        return words


@lru_cache(maxsize=4)
def load_glossary(path: str | None = None) -> Glossary:
    return Glossary.load(Path(path) if path else GLOSSARY_PATH)


# --- issuers' short names -----------------------------------------------------------------


def issuer_core(full: str, glossary: Glossary) -> str:
    """The name without region prefixes: 青岚省白鹭市规划和自然资源局 → 规划和自然资源局."""
    rest = norm(full)
    for pattern in glossary.issuers.get("drop_prefixes", []):
        m = re.match(pattern if "(" in pattern else re.escape(pattern), rest)
        if m and len(m.group(0)) < len(rest):
            rest = rest[len(m.group(0)):]
    return rest


def abbreviates(short: str, core: str) -> bool:
    """城管执法局 / 文广局 for 城市管理行政执法局 / 文化广电局: the same first and last character, the
    rest picked in order from the full name (a contraction), at least three characters."""
    if len(short) < 3 or len(short) >= len(core) or short[0] != core[0] or short[-1] != core[-1]:
        return False
    at = 0
    for ch in short:
        at = core.find(ch, at)
        if at < 0:
            return False
        at += 1
    return True


_SHORT_NAMES: dict[tuple[str, int], frozenset[str]] = {}


def issuer_short_names(full: str, glossary: Glossary) -> frozenset[str]:
    """The names people use for an issuer (cached: generated once per issuer and glossary)."""
    key = (full, id(glossary))
    if key not in _SHORT_NAMES:
        _SHORT_NAMES[key] = frozenset(_short_names(full, glossary))
    return _SHORT_NAMES[key]


def full_name_forms(full: str, glossary: Glossary) -> set[str]:
    """The full name and the other ways it is written (glossary `issuers.rewrites`): 中国共产党某省
    委员会办公厅 is also 某省委办公厅; 某省人民检察院 also 某省检察院."""
    forms = {norm(full)}
    for _ in range(3):
        before = len(forms)
        for pattern, replacement in glossary.issuers.get("rewrites") or []:
            forms.update(re.sub(pattern, replacement, f) for f in list(forms))
        if len(forms) == before:
            break
    return forms


def _short_names(full: str, glossary: Glossary) -> set[str]:
    """The names people use for an issuer: for each way its full name is written, the forms the
    glossary's rules give (drop region prefixes, shorten suffixes, abbreviations, level words)."""
    names: set[str] = set()
    for form in full_name_forms(full, glossary):
        names |= _short_names_of(form, glossary)
    return names


def _short_names_of(full: str, glossary: Glossary) -> set[str]:
    full = norm(full)
    rules = glossary.issuers
    cores = [full]
    regions: list[str] = []
    rest = full
    for pattern in rules.get("drop_prefixes", []):
        m = re.match(pattern if "(" in pattern else re.escape(pattern), rest)
        if m and len(m.group(0)) < len(rest):
            regions.append(m.group(0))
            rest = rest[len(m.group(0)):]
            cores.append(rest)
    level_words = [norm(w) for w in rules.get("level_words", [])]
    prefixes = {""}
    for region in regions:
        prefixes.add(region)
        for level in level_words:
            if region.endswith(level) and len(region) - len(level) >= 2:
                prefixes.add(region[: -len(level)])  # 白沙区 → 白沙
                prefixes.add(level)  # → 区
    shorts: set[str] = set()
    for core in cores:
        forms = {core}
        for _ in range(3):  # 办事处(本级): the bracket goes first, then 办事处 can be shortened
            before = len(forms)
            for rule in rules.get("suffix_rules", []):
                suffix = norm(rule["full"])
                for form in list(forms):
                    if form.endswith(suffix):
                        forms.update(form[: -len(suffix)] + norm(s) for s in rule["short"])
            if len(forms) == before:
                break
        forms.update(f[1:] for f in list(forms) if re.match(r"^第[一二三四五六七八九十\d]", f))  # 第四高 → 四高
        for form in list(forms):
            for level in level_words:
                if form.endswith(level) and len(form) - len(level) >= 2:
                    forms.add(form[: -len(level)])  # 云岭街道 → 云岭
            if form.startswith("人民政府"):
                forms.add("政府" + form[4:])
        for abbreviation, expansion in (rules.get("abbreviations") or {}).items():
            expansions = expansion if isinstance(expansion, list) else [expansion]
            if any(core.endswith(norm(e)) and len(core) - len(norm(e)) <= 4 for e in expansions):
                forms.add(norm(abbreviation))
        shorts.update(forms)
    out = {p + s for p in prefixes for s in shorts if s}
    return {s for s in out if len(s) >= 2 and s not in level_words and s not in {"政府", "人民政府"}}
