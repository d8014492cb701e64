"""A file → a `Disclosure`: read, parse, metadata, narrative figures, checks."""

from __future__ import annotations

import hashlib
import logging
import re
from pathlib import Path

from ingest.checks import sum_mismatches
from ingest.errors import InputError, NotADisclosureError
from ingest.metadata import (
    document_kind, document_scope, document_year, issuer_from_duties, issuer_from_lines, parse_title, region_of,
)
from ingest.model import Disclosure
from ingest.narrative import narrative_facts
from ingest.parse import parse_document
from ingest.readers import reader_for

log = logging.getLogger(__name__)

# Budget vocabulary: a disclosure uses several of these words many times; a novel or a
# weather table does not.
_BUDGET_TERMS = ("预算", "决算", "財政", "财政", "拨款", "支出", "收入", "经费", "三公", "預算", "決算", "經費", "撥款")
MAX_BYTES = 200 * 1024 * 1024


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def parse_file(path: Path) -> Disclosure:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"无法读取文件“{path.name}”。", f"{path}: {exc}") from exc
    return parse_bytes(data, path)


def parse_bytes(data: bytes, path: Path) -> Disclosure:
    if len(data) > MAX_BYTES:
        raise InputError(f"文件“{path.name}”过大（超过 200 MB）。", f"{path}: {len(data)} bytes")
    reader = reader_for(path, data)
    raw = reader.read(path, data)
    parsed = parse_document(raw)
    all_text = parsed.text
    _require_disclosure(path, all_text, parsed)

    digest = content_hash(data)
    doc_id = digest[:12]
    title_issuer, _ = parse_title(parsed.title)
    issuer = (issuer_from_lines(parsed.meta_lines) or _issuer_from_title(title_issuer)
              or issuer_from_duties(all_text.splitlines()))
    year = document_year(parsed.title, [t.title for t in parsed.tables] + [all_text[:2000]])
    disclosure = Disclosure(
        doc_id=doc_id, content_hash=digest, source=path.name, format=raw.format,
        title=parsed.title or path.stem, issuer=issuer,
        region=region_of(issuer) or region_of(title_issuer), year=year,
        kind=document_kind(parsed.title, all_text), scope=document_scope(parsed.title, all_text),
        sections=parsed.sections, tables=parsed.tables, catalogue=parsed.catalogue,
        warnings=list(parsed.warnings),
    )
    disclosure.narrative_facts = narrative_facts(doc_id, disclosure.sections, year)
    for table in disclosure.tables:
        disclosure.warnings.extend(f"{table.key}：{w}" for w in table.warnings)
        for mismatch in sum_mismatches(table):
            disclosure.warnings.append(mismatch.message())
        money = table.kind != "grid" or any(c.unit == "元" for c in table.columns)
        if table.is_empty and money and not table.notes:
            disclosure.warnings.append(f"{table.key}“{table.title}”没有数据，也没有空表说明。")
    log.info("parsed %s: %d tables, %d warnings", path.name, len(disclosure.tables), len(disclosure.warnings))
    return disclosure


def _issuer_from_title(title_issuer: str | None) -> str | None:
    """The title names the issuer before the year unless it names only a region (上海市普陀区)."""
    if not title_issuer or region_of(title_issuer) == title_issuer:
        return None
    return title_issuer


def _mostly_chinese(text: str) -> bool:
    """Disclosures are Chinese prose and figures; a file list or a translation that merely
    mentions 预算 is mostly Latin letters."""
    cjk = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
    latin = sum(1 for ch in text if ch.isascii() and ch.isalpha())
    return cjk > 2 * latin


def _require_disclosure(path: Path, text: str, parsed) -> None:
    hits = sum(text.count(term) for term in _BUDGET_TERMS)
    has_budget_table = any(t.rows or t.fields for t in parsed.tables)
    titled = bool(re.search(r"预算|决算|預算|決算", parsed.title))
    if titled or has_budget_table or (hits >= 8 and _mostly_chinese(text) and re.search(r"预算|决算|預算|決算", text)):
        return
    raise NotADisclosureError(
        f"文件“{path.name}”看起来不是预算或决算公开文件（没有找到预算、决算相关的内容），已跳过。",
        f"{path}: not a budget disclosure ({hits} budget terms, {len(parsed.tables)} tables)",
    )
