"""A file → a `Disclosure`: read, parse, metadata, narrative figures, checks.

Every limit of ingest/limits.py is checked here or in the reader that can check it earliest,
and every failure of a reader or of the parser — whatever the PDF, spreadsheet or HTML library
raised — becomes an `InputError` with a Chinese reason naming the file and the English detail
for the log. So one bad file can only ever be a skipped file.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import stat
from pathlib import Path

from ingest import limits
from ingest.checks import sum_mismatches
from ingest.errors import BudgetQAError, EmptyFileError, EncodingError, InputError, NotADisclosureError
from ingest.metadata import document_metadata
from ingest.model import Disclosure
from ingest.narrative import narrative_facts
from ingest.parse import parse_document
from ingest.readers import RawGrid, reader_for
from ingest.standard import classify_tables
from ingest.tables import narrative_unit_warnings

log = logging.getLogger(__name__)

# Budget vocabulary: a disclosure uses several of these words many times; a novel or a
# weather table does not.
_BUDGET_TERMS = ("预算", "决算", "財政", "财政", "拨款", "支出", "收入", "经费", "三公", "預算", "決算", "經費", "撥款")
_TEXT_FORMATS = ("txt", "html", "pages-json")


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_file(path: Path) -> bytes:
    """The file's bytes, after `stat` says it is a regular file within the size limit."""
    path = Path(path)
    try:
        info = os.stat(path)
    except OSError as exc:
        raise InputError(f"无法读取文件“{path.name}”。", f"{path}: {exc}") from exc
    if not stat.S_ISREG(info.st_mode):
        raise InputError(f"“{path.name}”不是普通文件（可能是设备、管道或文件夹），已跳过。",
                         f"{path}: not a regular file (mode {info.st_mode:o})")
    _check_size(path, info.st_size)
    try:
        with open(path, "rb") as f:
            data = f.read(limits.MAX_FILE_BYTES + 1)  # a file that grew since stat is still bounded
    except OSError as exc:
        raise InputError(f"无法读取文件“{path.name}”。", f"{path}: {exc}") from exc
    _check_size(path, len(data))
    return data


def _check_size(path: Path, size: int) -> None:
    if size > limits.MAX_FILE_BYTES:
        raise InputError(f"文件“{path.name}”过大（{limits.size_text(size)}，上限 "
                         f"{limits.size_text(limits.MAX_FILE_BYTES)}），已跳过。",
                         f"{path}: {size} bytes > MAX_FILE_BYTES")


def parse_file(path: Path) -> Disclosure:
    path = Path(path)
    return parse_bytes(read_file(path), path)


def parse_bytes(data: bytes, path: Path) -> Disclosure:
    path = Path(path)
    _check_size(path, len(data))
    if not data.strip(b" \t\r\n\x00\x0b\x0c"):
        raise EmptyFileError(f"文件“{path.name}”是空的，没有可导入的内容。", f"{path}: empty file ({len(data)} bytes)")
    reader = reader_for(path, data)
    if reader.format in _TEXT_FORMATS and len(data) > limits.MAX_TEXT_BYTES:
        raise InputError(f"文本文件“{path.name}”过大（{limits.size_text(len(data))}，文本文件上限 "
                         f"{limits.size_text(limits.MAX_TEXT_BYTES)}），已跳过。",
                         f"{path}: {len(data)} bytes > MAX_TEXT_BYTES for {reader.format}")
    if reader.format == "pdf":
        _check_pages(path, data)
    raw = _guarded(path, "读取", lambda: reader.read(path, data))
    _check_raw(path, raw)
    parsed = _guarded(path, "解析", lambda: parse_document(raw))
    all_text = parsed.text
    _refuse_mojibake(path, all_text)
    _require_disclosure(path, all_text, parsed)
    return _guarded(path, "解析", lambda: _disclosure(data, path, raw, parsed))


def _guarded(path: Path, stage: str, work):
    """Run a reader or parser step: our own errors pass, anything a library raises is a skipped file."""
    step = {"读取": "read", "解析": "parse"}.get(stage, stage)
    try:
        return work()
    except BudgetQAError:
        raise
    except RecursionError as exc:
        raise InputError(f"{stage}文件“{path.name}”时出错：文件结构嵌套过深，可能已损坏或被恶意构造。",
                         f"{path}: {step} failed: RecursionError") from exc
    except MemoryError as exc:
        raise InputError(f"{stage}文件“{path.name}”时内存不足：文件内容过大。", f"{path}: {step}: MemoryError") from exc
    except Exception as exc:  # pdfminer, pypdfium2, openpyxl, xlrd, lxml, zipfile: each has its own types
        raise InputError(f"无法{stage}文件“{path.name}”：文件已损坏或格式异常（{type(exc).__name__}）。",
                         f"{path}: {step} failed: {type(exc).__name__}: {exc}") from exc


def pdf_page_count(data: bytes) -> int | None:
    """Pages in a PDF, from its page tree (no page is rendered); None when it cannot be opened
    (the reader then says why: encrypted, broken)."""
    try:
        import pypdfium2

        document = pypdfium2.PdfDocument(data)
        try:
            return len(document)
        finally:
            document.close()
    except Exception as exc:  # pypdfium2 raises PdfiumError and others on broken files
        log.debug("page count: %r", exc)
        return None


def _check_pages(path: Path, data: bytes) -> None:
    pages = pdf_page_count(data)
    if pages is not None and pages > limits.MAX_PDF_PAGES:
        raise InputError(f"PDF 文件“{path.name}”有 {pages:,} 页，超过导入上限 {limits.MAX_PDF_PAGES:,} 页，"
                         "不像一份预算公开文件，已跳过。请拆分后导入需要的部分。",
                         f"{path}: {pages} pages > MAX_PDF_PAGES")


def _check_raw(path: Path, raw) -> None:
    grids = [b for b in raw.blocks if isinstance(b, RawGrid)]
    cells = sum(len(row) for g in grids for row in g.rows)
    lines = len(raw.blocks) - len(grids)
    if cells > limits.MAX_GRID_CELLS or lines > limits.MAX_LINES:
        raise InputError(f"文件“{path.name}”内容过多（{cells:,} 个表格单元格、{lines:,} 行文字），超出导入上限，"
                         "不像一份预算公开文件，已跳过。", f"{path}: {cells} grid cells, {lines} lines over the limits")


def _disclosure(data: bytes, path: Path, raw, parsed) -> Disclosure:
    all_text = parsed.text
    digest = content_hash(data)
    doc_id = digest[:12]
    meta = document_metadata(parsed.title, parsed.meta_lines, all_text, [t.title for t in parsed.tables], path.name)
    year = meta["year"]
    disclosure = Disclosure(
        doc_id=doc_id, content_hash=digest, source=path.name, format=raw.format,
        title=parsed.title or path.stem, issuer=meta["issuer"], region=meta["region"], year=year,
        kind=meta["kind"], scope=meta["scope"],
        sections=parsed.sections, tables=parsed.tables, catalogue=parsed.catalogue,
        warnings=list(parsed.warnings) + meta["warnings"],
    )
    disclosure.files = [path.name]
    disclosure.warnings.extend(classify_tables(disclosure.tables, disclosure.kind, year))
    disclosure.narrative_facts = narrative_facts(doc_id, disclosure.sections, year)
    disclosure.warnings.extend(narrative_unit_warnings(disclosure.tables, disclosure.narrative_facts))
    facts = len(disclosure.facts())
    if facts > limits.MAX_FACTS:
        raise InputError(f"文件“{path.name}”解析出 {facts:,} 个数字，超过一份文件的上限 {limits.MAX_FACTS:,} 个，"
                         "不像一份预算公开文件，未保存。", f"{path}: {facts} facts > MAX_FACTS")
    for table in disclosure.tables:
        disclosure.warnings.extend(f"{table.key}：{w}" for w in table.warnings)
        for mismatch in sum_mismatches(table):
            disclosure.warnings.append(mismatch.message())
        money = table.kind != "grid" or any(c.unit == "元" for c in table.columns)
        if table.is_empty and money and not table.notes:
            disclosure.warnings.append(f"{table.key}“{table.title}”没有数据，也没有空表说明。")
    if _replacement_marks(all_text) >= 5:
        disclosure.warnings.append("文件中有部分文字是乱码（出现替换符“�”或“锟斤拷”），涉及的数字和名称可能不准确。")
    log.info("parsed %s: %d tables, %d warnings", path.name, len(disclosure.tables), len(disclosure.warnings))
    return disclosure


def _mostly_chinese(text: str) -> bool:
    """Disclosures are Chinese prose and figures; a file list or a translation that merely
    mentions 预算 is mostly Latin letters."""
    cjk = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
    latin = sum(1 for ch in text if ch.isascii() and ch.isalpha())
    return cjk > 2 * latin


# UTF-8 read as Latin-1 or cp1252 and saved again: each Chinese character becomes a lead
# letter (æ ç è é …) and two continuation characters (C1 controls or Latin-1/cp1252 marks).
_LATIN1_MOJIBAKE = re.compile(r"[\u00c2-\u00ef][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192"
                              r"\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]")


def _replacement_marks(text: str) -> int:
    return text.count("\ufffd") + text.count("锟斤拷")


def _refuse_mojibake(path: Path, text: str) -> None:
    """UTF-8 text that went through a Latin-1 or cp1252 editor is refused: stored, its title
    would read “æ\x8c\x89…” and its figures would carry garbled labels without any warning."""
    garbled = len(_LATIN1_MOJIBAKE.findall(text))
    cjk = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
    if garbled >= 20 and garbled > cjk:
        raise EncodingError(
            f"文件“{path.name}”的文字是乱码（UTF-8 文本被当作西文编码转存过，“年”变成了“å¹´”这样的字符），"
            "无法可靠读取，已跳过。请使用原始文件导入。",
            f"{path}: Latin-1/cp1252 mojibake of UTF-8 ({garbled} garbled sequences, {cjk} CJK characters)")


def _budget_signals(text: str, parsed) -> tuple[int, bool, bool]:
    """(budget words, a 元/万元 amount unit, subject codes) anywhere in the document."""
    hits = sum(text.count(term) for term in _BUDGET_TERMS)
    yuan = "元" in text
    codes = any(r.code for t in parsed.tables for r in t.rows)
    return hits, yuan, codes


def _require_disclosure(path: Path, text: str, parsed) -> None:
    hits, yuan, codes = _budget_signals(text, parsed)
    if not (hits or yuan or codes):
        raise NotADisclosureError(
            f"文件“{path.name}”看起来不是预算或决算公开文件（没有预算、决算用语，没有“元”“万元”金额单位，"
            "也没有支出科目编码），已跳过。",
            f"{path}: not a budget disclosure (no budget terms, no yuan unit, no subject codes; "
            f"{len(parsed.tables)} tables)",
        )
    has_budget_table = any(t.rows or t.fields for t in parsed.tables)
    titled = bool(re.search(r"预算|决算|預算|決算", parsed.title))
    if titled or has_budget_table or (hits >= 8 and _mostly_chinese(text) and re.search(r"预算|决算|預算|決算", text)):
        return
    raise NotADisclosureError(
        f"文件“{path.name}”看起来不是预算或决算公开文件（没有找到预算、决算相关的内容），已跳过。",
        f"{path}: not a budget disclosure ({hits} budget terms, {len(parsed.tables)} tables)",
    )
