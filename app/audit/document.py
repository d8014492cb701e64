"""Audit rules over the document as a whole (C01–C05): the catalogue against the body, the year in
titles, comparisons and stock dates, template placeholders, projects against their target tables,
the parts every disclosure explains."""

from __future__ import annotations

import re
from decimal import Decimal

from app.audit.findings import Figure, Finding, squeeze
from app.audit.text import fact_detail, paragraphs, sentence_facts, fact_figure
from ingest.model import Disclosure, Locator


# --- C rules ---------------------------------------------------------------------------------------------


def catalogue(d: Disclosure) -> list[Finding]:
    out = []
    numbers = {t.number for t in d.tables if t.number}
    titles = {squeeze(t.title) for t in d.tables}
    for entry in d.catalogue:
        if (entry.number and entry.number in numbers) or squeeze(entry.title) in titles:
            continue
        out.append(Finding("C01", f"目录列出的{entry.number or ''}“{entry.title}”在正文中没有出现。",
                           [Figure(f"目录 › {entry.number or ''} {entry.title}", None, "", entry.title, Locator(section="目录"))]))
    return out


_TITLE_YEAR = re.compile(r"((?:19|20)\d{2})\s*年度?\s*(?:区级)?(?:部门|单位)?(?:预算|决算)")
_STOCK_DATE = re.compile(r"截[至止]\s*((?:19|20)\d{2})\s*年\s*12\s*月\s*(?:31\s*日|底|末)")


def years(d: Disclosure) -> list[Finding]:
    if not d.year:
        return []
    out = []
    for section, text, paragraph, page in paragraphs(d):
        loc = Locator(page=page, section=f"{section.number}{section.heading}")
        if paragraph is None:  # a heading: "第三部分 …2023年度部门决算情况说明" in a 2024 决算
            for m in _TITLE_YEAR.finditer(text):
                if int(m.group(1)) != d.year:
                    out.append(Finding("C02", f"标题“{text}”写的是{m.group(1)}年，文件年度为{d.year}年。",
                                       [Figure("标题年度", Decimal(m.group(1)), "年", text, loc)]))
        elif d.kind == "决算":  # a 决算's stock figures are as of the end of its own year
            for m in _STOCK_DATE.finditer(text):
                if int(m.group(1)) != d.year:
                    out.append(Finding("C02", f"说明写“{m.group(0)}”，{d.year}年度决算的年末数应截至{d.year}年底。",
                                       [Figure("截止日期", Decimal(m.group(1)), "年", m.group(0), loc)]))
    for t in d.tables:
        for m in _TITLE_YEAR.finditer(t.title):
            if int(m.group(1)) != d.year:
                out.append(Finding("C02", f"{t.key}标题“{t.title}”写的是{m.group(1)}年，文件年度为{d.year}年。",
                                   [Figure("表题年度", Decimal(m.group(1)), "年", t.title, Locator(page=t.page_start, table=t.key))]))
    if d.kind == "预算":  # a budget compares with an earlier year
        for group in sentence_facts(d):
            bad = [f for f in group if f.measure in ("增减额", "增减率")
                   and (m := re.search(r"较(\d{4})年", fact_detail(f))) and int(m.group(1)) >= d.year]
            if bad:
                compared = re.search(r"较(\d{4})年", fact_detail(bad[0])).group(1)
                out.append(Finding("C02", f"{d.year}年预算的说明与“{compared}年”比较（应为以前年度）：{bad[0].sentence}",
                                   [fact_figure(f) for f in bad]))
    return out


_PLACEHOLDER = re.compile(r"(?<![A-Za-z])(?:XX+|xx+|××+|x,xxx)(?![A-Za-z])")


def placeholders(d: Disclosure) -> list[Finding]:
    out = []
    texts = [(text, Locator(page=page, section=f"{s.number}{s.heading}")) for s, text, _, page in paragraphs(d)]
    texts += [(t.title, Locator(page=t.page_start, table=t.key)) for t in d.tables]
    texts += [(v, Locator(page=t.page_start, table=t.key)) for t in d.tables for v in t.meta.values()]
    for text, loc in texts:
        m = _PLACEHOLDER.search(text)
        if m:
            out.append(Finding("C03", f"“{text[:60]}”中留有模板占位符“{m.group(0)}”。",
                               [Figure("占位符", None, "", text[:60], loc)]))
    return out


def project_targets(d: Disclosure) -> list[Finding]:
    tables = [t for t in d.tables if "项目" in t.title and "绩效目标" in t.title
              and any(f.key in ("专项资金名称", "项目名称") and f.text for f in t.fields)]
    if not tables:
        return []
    for group in sentence_facts(d):
        counts = [f for f in group if f.measure == "个数" and "项目" in f.label[1]]
        if not counts or "绩效目标" not in (counts[0].sentence or ""):
            continue
        f = counts[0]
        if f.value != len(tables):
            pages = "、".join(sorted({t.key for t in tables}))
            return [Finding("C04", f"说明称实行绩效目标管理的项目 {f.text}，正文只有 {len(tables)} 张项目绩效目标表（{pages}）。",
                            [fact_figure(f)] + [Figure(f"{t.key} {t.title}", None, "", next(
                                (x.text for x in t.fields if x.key in ("专项资金名称", "项目名称")), ""),
                                Locator(page=t.page_start, table=t.key)) for t in tables])]
        return []
    return []


# The parts every 部门预算/决算 disclosure explains (财政部 templates), each with the words that
# name it; the text as a whole is searched, since headings are not always read as headings.
REQUIRED_PARTS = {"部门职能": ("职能", "主要职责"), "“三公”经费": ("三公",), "机关运行经费": ("机关运行经费",),
                  "政府采购": ("政府采购",), "国有资产占有使用": ("国有资产", "资产占有"), "绩效": ("绩效",),
                  "名词解释": ("名词解释", "专业名词")}


def required_parts(d: Disclosure) -> list[Finding]:
    if d.kind not in ("预算", "决算") or not d.tables:
        return []
    text = " ".join(t for _, t, _, _ in paragraphs(d)) + " ".join(t.title for t in d.tables)
    missing = [name for name, words in REQUIRED_PARTS.items() if not any(w in text for w in words)]
    if not missing:
        return []
    return [Finding("C05", f"文件中没有找到以下说明部分：{'、'.join(missing)}。",
                    [Figure(f"缺少 {name}", None, "", name, Locator(section="全文")) for name in missing])]


DOCUMENT_RULES = (catalogue, years, placeholders, project_targets, required_parts)
