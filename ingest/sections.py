"""Headings and paragraphs → the section tree.

Chinese disclosures number headings 一、 （一） 1. （1） (full- or half-width, with or
without spaces, 第一部分 above them). A numbered line is a heading when its title is short
and not a sentence; "（一）机关运行经费。2024年…" is a heading followed by its first paragraph.
Exports break sentences across lines: a line continues the paragraph before it until that
paragraph ends a sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.model import Paragraph, Section
from ingest.numbers import normalize

_CN = "一二三四五六七八九十"
_PATTERNS = [
    (0, re.compile(rf"^(第[{_CN}]+部分)\s*(.*)$")),
    (1, re.compile(rf"^([{_CN}](?:\s?[{_CN}])*\s*[、.])\s*(.*)$")),  # also "十 一 、" with stray spaces
    (2, re.compile(rf"^([(][{_CN}]+[)])\s*[、.]?\s*(.*)$")),
    (3, re.compile(r"^(\d{1,2}\s*[、.](?!\d))\s*(.*)$")),
    (4, re.compile(r"^([(]\d{1,2}[)])\s*[、.]?\s*(.*)$")),
]
_SENTENCE_END = ("。", "！", "？", "；", "!", "?", ";", "：", ":")
MAX_HEADING = 24


@dataclass
class Heading:
    level: int
    number: str
    title: str
    rest: str  # text after the heading on the same line, a paragraph of its own


def parse_heading(line: str) -> Heading | None:
    heading = _parse_normalized(normalize(line).strip())
    original = line.strip()
    if heading and heading.rest and len(original) == len(normalize(original)):
        # Keep the document's own punctuation (，：) in the paragraph text.
        heading.rest = original[len(original) - len(heading.rest):]
    return heading


def _parse_normalized(s: str) -> Heading | None:
    for level, pattern in _PATTERNS:
        m = pattern.match(s)
        if not m:
            continue
        number, body = m.group(1).replace(" ", ""), m.group(2).strip()
        if not body:
            return Heading(level, number, "", "")
        if re.search(r"\(\s*\d*\s*类\s*\)", body):
            return None  # "1、一般公共服务支出（类）财政事务（款）…": a subject path opening an item
        longest = 2 * MAX_HEADING if level == 0 else MAX_HEADING  # 第二部分 + a department's full name
        if len(body) <= longest and not re.search(r"[。，,；;]", body.rstrip("。")):
            return Heading(level, number, body.rstrip("。：:"), "")
        # "（一）机关运行经费。2024年…": a short lead ending in 。 or ： is the heading.
        lead = re.match(r"^([^。，,；;：:]{1,16})[。：:](.+)$", body)
        if lead and not re.search(r"\d", lead.group(1)):
            return Heading(level, number, lead.group(1), lead.group(2).strip())
        # "部门决算单位构成（仅有一个单位的部门，本部分内容…": a title with a bracketed note
        noted = re.match(r"^([^(（，,。]{2,16})([(（][^)）]*[)）]?)$", body)
        if noted and len(body) <= 2 * MAX_HEADING and not re.search(r"\d", body):
            return Heading(level, number, noted.group(1), noted.group(2))
        return None
    return None


def is_sentence_end(text: str) -> bool:
    return text.rstrip().endswith(_SENTENCE_END)


class SectionBuilder:
    """Collects headings and text lines in order into a tree of Sections."""

    def __init__(self) -> None:
        self.root = Section(heading="", number="", level=-1)
        self._stack: list[Section] = [self.root]
        self._open: Paragraph | None = None  # a paragraph whose sentence is still running

    @property
    def current(self) -> Section:
        return self._stack[-1]

    def heading(self, h: Heading, page: int | None) -> None:
        self.close_paragraph()
        section = Section(heading=h.title, number=h.number, level=h.level, page=page)
        while len(self._stack) > 1 and self._stack[-1].level >= h.level:
            self._stack.pop()
        self._stack[-1].children.append(section)
        self._stack.append(section)
        if h.rest:
            self.text(h.rest, page)

    def text(self, line: str, page: int | None) -> None:
        line = line.strip()
        if not line:
            return
        if self._open is not None:
            self._open.text += line
        else:
            self._open = Paragraph(text=line, page=page)
            self.current.paragraphs.append(self._open)
        if is_sentence_end(line):
            self._open = None

    def close_paragraph(self) -> None:
        self._open = None

    def sections(self) -> list[Section]:
        """Top-level sections; text before the first heading becomes a preamble section."""
        out = list(self.root.children)
        if self.root.paragraphs:
            out.insert(0, Section(heading="", number="", level=0, paragraphs=self.root.paragraphs))
        return out


def section_path(stack: list[Section]) -> str:
    return " › ".join(f"{s.number}{s.heading}" for s in stack if s.heading or s.number)
