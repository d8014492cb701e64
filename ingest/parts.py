"""Split documents: one disclosure published as several files.

Many departments publish the narrative (文字说明) and the tables (公开表) as two files, or one
table per file or sheet. Files of one issuer, year, kind and scope that are such parts become
one `Disclosure`; each table and paragraph remembers the file it came from, and the joined
disclosure remembers its parts (file, content hash, their own metadata) so that removing one
part leaves the others as they were.

The join depends on the parts only, never on the order they arrive in: the parts are ordered
narrative first, then by file name, and the joined id comes from their content hashes.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace

from ingest.catalogue import title_key
from ingest.metadata import issuer_key
from ingest.model import Disclosure, Section
from ingest.standard import title_standard
from ingest.tables import narrative_unit_warnings

NARRATIVE, TABLES, COMPLETE = "narrative", "tables", "complete"
_NARRATIVE_CHARS = 600  # a tables part may carry a cover, a 目录 and notes, not a narrative


def narrative_chars(d: Disclosure) -> int:
    return sum(len(p.text) for top in d.sections for s in top.walk() for p in s.paragraphs)


def role(d: Disclosure) -> str:
    """narrative (no table with figures), tables (tables and hardly any prose) or complete."""
    has_tables = any(t.rows or t.fields for t in d.tables)
    if not has_tables:
        return NARRATIVE
    return TABLES if narrative_chars(d) < _NARRATIVE_CHARS else COMPLETE


def _agree(a, b) -> bool:
    return a is None or b is None or a == b


def joinable(a: Disclosure, b: Disclosure) -> bool:
    """Parts of one disclosure: the same issuer (however written), year and kind, the scope not
    contradicting, and parts that complete each other (a narrative and tables, or tables parts
    holding different standard tables)."""
    if a.doc_id == b.doc_id or {p["content_hash"] for p in parts_of(a)} & {p["content_hash"] for p in parts_of(b)}:
        return False
    key_a, key_b = issuer_key(a.issuer), issuer_key(b.issuer)
    if not key_a or key_a != key_b or a.year is None or a.year != b.year:
        return False
    if not (_agree(a.kind, b.kind) and _agree(a.scope, b.scope)):
        return False
    roles = {role(a), role(b)}
    if roles == {NARRATIVE, TABLES}:
        return True
    if roles == {TABLES}:
        held_a = {t.standard for t in a.tables if t.standard}
        held_b = {t.standard for t in b.tables if t.standard}
        return bool(held_a) and bool(held_b) and not held_a & held_b
    return False


def parts_of(d: Disclosure) -> list[dict]:
    """The parts a disclosure was read from: its own file when it is one file."""
    if d.parts:
        return d.parts
    return [{"file": d.source, "content_hash": d.content_hash, "doc_id": d.doc_id, "title": d.title,
             "issuer": d.issuer, "year": d.year, "kind": d.kind, "scope": d.scope, "format": d.format,
             "role": role(d)}]


def _order(d: Disclosure) -> tuple:
    return (0 if role(d) == NARRATIVE else 1, d.source)


def join(docs: list[Disclosure]) -> Disclosure:
    """One disclosure from its parts (each a one-file or an already joined disclosure)."""
    docs = sorted(docs, key=_order)
    parts = sorted((p for d in docs for p in parts_of(d)), key=lambda p: (p["role"] != NARRATIVE, p["file"]))
    digest = hashlib.sha256("+".join(sorted(p["content_hash"] for p in parts)).encode()).hexdigest()
    doc_id = digest[:12]
    first = next((d for d in docs if d.title), docs[0])
    joined = Disclosure(
        doc_id=doc_id, content_hash=digest, source=parts[0]["file"],
        format="+".join(sorted({d.format for d in docs})), title=first.title,
        issuer=_first(d.issuer for d in docs), region=_first(d.region for d in docs),
        year=_first(d.year for d in docs), kind=_first(d.kind for d in docs), scope=_first(d.scope for d in docs),
        files=[p["file"] for p in parts], parts=parts,
    )
    keys: set[str] = set()
    for d in docs:
        file = d.source if not d.parts else None
        for section in d.sections:
            joined.sections.append(_mark_section(section, file))
        for table in d.tables:
            table.file = table.file or file
            key, n = table.key, 1
            while key in keys:
                n += 1
                key = f"{table.key}({n})"
            table.key = key
            keys.add(key)
            joined.tables.append(table)
        joined.catalogue.extend(d.catalogue)
        for fact in d.narrative_facts:
            joined.narrative_facts.append(replace(
                fact, doc_id=doc_id, locator=replace(fact.locator, file=fact.locator.file or file)))
        joined.warnings.extend(w if not file or w.startswith(f"[{file}]") else f"[{file}] {w}" for w in d.warnings)
    printed = {title_key(t.title) for t in joined.tables} | {t.standard for t in joined.tables if t.standard}
    joined.warnings = [w for w in joined.warnings if not _found_elsewhere(w, printed, joined.kind)]
    joined.warnings.extend(w for w in narrative_unit_warnings(joined.tables, joined.narrative_facts)
                           if w not in joined.warnings)  # the tables part's units against the narrative
    return joined


_NOT_FOUND = re.compile(r"目录列出的.*?“(?P<title>.+)”在正文中未找到")


def _found_elsewhere(warning: str, printed: set[str], kind: str | None) -> bool:
    """A catalogue entry the narrative part lists is printed in the tables part (by its title, or
    as the standard table its title names)."""
    m = _NOT_FOUND.search(warning)
    if not m:
        return False
    wanted = title_key(m.group("title"))
    return title_standard(m.group("title"), kind) in printed or any(
        wanted and (wanted in p or p in wanted) for p in printed if p)


def _first(values):
    return next((v for v in values if v is not None), None)


def _mark_section(section: Section, file: str | None) -> Section:
    if file:
        for s in section.walk():
            s.paragraphs = [replace(p, file=p.file or file) for p in s.paragraphs]
    return section


def join_parts(docs: list[Disclosure]) -> list[Disclosure]:
    """Join every group of parts in a batch; the rest as they were, in their order."""
    out: list[Disclosure] = []
    for doc in docs:
        partner = next((i for i, d in enumerate(out) if joinable(d, doc)), None)
        if partner is None:
            out.append(doc)
        else:
            out[partner] = join([out[partner], doc])
    return out


def without(d: Disclosure, file: str) -> Disclosure | None:
    """The disclosure with one part taken out (None when it was the only one)."""
    rest = [p for p in parts_of(d) if p["file"] != file]
    if len(rest) == len(parts_of(d)) or not rest:
        return None
    if len(rest) == 1:
        part = rest[0]
        doc_id, digest = part["doc_id"], part["content_hash"]
        parts: list[dict] = []
    else:
        digest = hashlib.sha256("+".join(sorted(p["content_hash"] for p in rest)).encode()).hexdigest()
        doc_id, parts = digest[:12], rest
    keep = {p["file"] for p in rest}
    lead = rest[0]
    out = Disclosure(
        doc_id=doc_id, content_hash=digest, source=lead["file"], format=lead["format"], title=lead["title"],
        issuer=lead["issuer"], region=d.region, year=lead["year"], kind=lead["kind"], scope=lead["scope"],
        files=[p["file"] for p in rest], parts=parts,
    )
    single = len(rest) == 1
    for section in d.sections:
        files = {p.file for s in section.walk() for p in s.paragraphs if p.file}
        if not files or files & keep:
            out.sections.append(_unmark_section(section) if single else section)
    out.tables = [replace(t, file=None if single else t.file) for t in d.tables if t.file in keep or t.file is None]
    out.catalogue = list(d.catalogue)
    out.narrative_facts = [replace(f, doc_id=doc_id, locator=replace(f.locator, file=None if single else f.locator.file))
                           for f in d.narrative_facts if f.locator.file in keep or f.locator.file is None]
    out.warnings = [w for w in d.warnings if not w.startswith("[") or any(w.startswith(f"[{k}]") for k in keep)]
    if single:
        out.warnings = [w.removeprefix(f"[{lead['file']}] ") for w in out.warnings]
    return out


def _unmark_section(section: Section) -> Section:
    for s in section.walk():
        s.paragraphs = [replace(p, file=None) for p in s.paragraphs]
    return section
