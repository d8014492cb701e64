"""Score ingest against the blind labels of the real corpus (tests/golden/ingest_labels.yaml).

    .venv/bin/python bench/ingest_labels.py            # per-field accuracy and every mismatch
    .venv/bin/python bench/ingest_labels.py --json     # the scores as one JSON object

Metadata: for every labelled disclosure, issuer / year / kind / scope of the parsed disclosure(s)
holding its files. A field is right when every parsed disclosure holding one of the entry's files
says what the label says (the issuer may be any printed form the label lists); a file ingest
skipped says nothing (right only where the label is null too). Disclosures: an entry whose files
ingest as exactly one disclosure (and that disclosure holds no other file) counts as joined.

Tables (complete documents only): a labelled table is *found* when a parsed table of the same file
starts on its page (or the page after: a title printed at the foot of a page) and carries its title;
*classified* when that table's `standard` is the label's key. Parsed tables that match no label but
claim a standard are listed as spurious (a standard must never be forced).

This scorer is written against what the labels say, not against the parser's internals: titles are
compared after dropping spaces, quotes and the printed number, issuers after NFKC normalisation.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

LABELS = ROOT / "tests" / "golden" / "ingest_labels.yaml"
CORPUS = ROOT.parent / "shared" / "corpus" / "real"
FIELDS = ("issuer", "year", "kind", "scope")
UNRECOGNISED = "未识别"

# An organisation's name ends in an organisation word and is not a sentence.
_ORG_END = re.compile(
    r"(办公厅|办公室|委员会|常委会|委|厅|局|院|法院|检察院|所|中心|处|站|队|馆|会|部|室|政府|街道|乡|镇|"
    r"学校|中学|小学|学院|大学|幼儿园|医院|卫生院|分局|机关|团|社|公司|集团|协会|联合会|基地|科|股|办|园|场|台|"
    r"辦公廳|辦公室|委員會|廳|會|處|隊|館|園|團|機關|醫院|學校)$")
_TRAILING_NOTE = re.compile(r"[(（](本级|汇总|本級|匯總)[)）]$")
_SENTENCE = re.compile(r"[，。；;,!！？?：:、\s\d]")


def norm(text: str | None) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


def is_organisation_name(name: str | None) -> bool:
    n = _TRAILING_NOTE.sub("", norm(name))
    return 3 <= len(n) <= 40 and not _SENTENCE.search(n) and bool(_ORG_END.search(n))


_NUMBER_PREFIX = re.compile(r"^(表[一二三四五六七八九十\d]+(-\d+)?|[(（]?公开\d+表[)）]?|[一二三四五六七八九十]+、|\d{1,2}[.．、]|附表\d*)")


def title_key(title: str | None) -> str:
    t = norm(title)
    t = re.sub(r"[“”\"'‘’《》]", "", t)
    t = _NUMBER_PREFIX.sub("", t)
    return t


def titles_match(label: str, parsed: str) -> bool:
    a, b = title_key(label), title_key(parsed)
    if not a or not b:
        return False
    if a == b:
        return True
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    return short in long_ and len(short) >= 0.6 * len(long_)


# --- running the parser ----------------------------------------------------------------------


def parse_corpus(paths: list[Path]) -> tuple[list, dict[str, str]]:
    """Parse every file; join the parts of split disclosures when ingest can. → (disclosures, skipped)."""
    from ingest.errors import BudgetQAError
    from ingest.pipeline import parse_file

    docs, skipped = [], {}
    for path in paths:
        try:
            docs.append(parse_file(path))
        except BudgetQAError as exc:
            skipped[path.name] = exc.message
    try:  # the joining step, when ingest has one
        from ingest.parts import join_parts
    except ImportError:
        return docs, skipped
    return join_parts(docs), skipped


def files_of(doc) -> list[str]:
    files = getattr(doc, "files", None) or []
    names = [f if isinstance(f, str) else getattr(f, "name", "") for f in files]
    return [n for n in names if n] or [doc.source]


def table_file(table, doc) -> str | None:
    return getattr(table, "file", None) or (files_of(doc)[0] if len(files_of(doc)) == 1 else None)


# --- scoring ---------------------------------------------------------------------------------


@dataclass
class Score:
    right: dict[str, int] = field(default_factory=lambda: {f: 0 for f in FIELDS})
    entries: int = 0
    joined: int = 0
    tables: int = 0
    found: int = 0
    classified: int = 0
    unit_right: int = 0
    bad_issuers: list[str] = field(default_factory=list)
    mismatches: list[str] = field(default_factory=list)
    spurious: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        pct = lambda n, d: round(100 * n / d, 1) if d else None  # noqa: E731
        return {
            "entries": self.entries, "joined": self.joined,
            "fields": {f: pct(self.right[f], self.entries) for f in FIELDS},
            "tables": self.tables, "found": pct(self.found, self.tables),
            "classified": pct(self.classified, self.tables), "unit": pct(self.unit_right, self.tables),
            "bad_issuers": self.bad_issuers, "spurious": self.spurious, "mismatches": self.mismatches,
        }


def _field_value(doc, name: str):
    value = getattr(doc, name, None)
    if name == "issuer" and value in (UNRECOGNISED, ""):
        return None
    return value


def _field_right(name: str, label: dict, value) -> bool:
    if name == "issuer":
        if label["issuer"] is None:
            return value is None
        accepted = {norm(label["issuer"])} | {norm(a) for a in label.get("issuer_aliases") or []}
        return norm(value) in accepted
    return value == label[name]


def _match_table(label_table: dict, file: str, docs: list, used: set[int]):
    for doc in docs:
        for table in doc.tables:
            if id(table) in used or table_file(table, doc) not in (file, None):
                continue
            start = table.page_start
            end = table.page_end or start
            if start is None:
                continue
            page = label_table["page"]
            if not (start <= page <= end or start == page + 1):
                continue
            if titles_match(label_table["printed_title"], table.title):
                return table
    return None


def score(labels: dict, docs: list, skipped: dict[str, str]) -> Score:
    result = Score()
    by_file: dict[str, list] = {}
    for doc in docs:
        for name in files_of(doc):
            by_file.setdefault(name, []).append(doc)
    for entry in labels["documents"]:
        files = entry["files"]
        held = []
        for name in files:
            for doc in by_file.get(name, []):
                if all(doc is not d for d in held):
                    held.append(doc)
        result.entries += 1
        if (len(held) == 1 and set(files_of(held[0])) == set(files)) or (
                not held and all(n in skipped for n in files)):
            result.joined += 1  # one disclosure holding exactly these files (or a file ingest skips)
        said = ", ".join(files)
        for name in FIELDS:
            values = [_field_value(d, name) for d in held]
            if not held or any(n in skipped for n in files):
                values.append(None)  # a file ingest skipped (or never held) says nothing
            if all(_field_right(name, entry, v) for v in values):
                result.right[name] += 1
            else:
                result.mismatches.append(f"{said}: {name} = {values} (label {entry[name]!r})")
        for doc in held:
            issuer = _field_value(doc, "issuer")
            if issuer is not None and not is_organisation_name(issuer):
                result.bad_issuers.append(f"{doc.source}: {issuer}")
        if not entry.get("complete") or not entry.get("tables"):
            continue
        used: set[int] = set()
        for lt in entry["tables"]:
            result.tables += 1
            file = lt.get("file") or files[0]
            table = _match_table(lt, file, held, used)
            where = f"{file} p{lt['page']} {lt['printed_title']}"
            if table is None:
                result.mismatches.append(f"{where}: table not found")
                continue
            used.add(id(table))
            result.found += 1
            standard = getattr(table, "standard", None)
            if standard == lt["standard"]:
                result.classified += 1
            else:
                result.mismatches.append(f"{where}: standard {standard!r} (label {lt['standard']})")
            if norm(table.unit) == norm(lt.get("unit")):
                result.unit_right += 1
            else:
                result.mismatches.append(f"{where}: unit {table.unit!r} (label {lt.get('unit')})")
        matched = [(t.title, t.page_start) for d in held for t in d.tables if id(t) in used]
        for doc in held:
            for table in doc.tables:
                if getattr(table, "part", None) and (table.title, table.page_start) in matched:
                    continue  # the other side (收入 / 支出) of a two-sided table that was matched
                if id(table) not in used and getattr(table, "standard", None):
                    result.spurious.append(f"{doc.source} {table.key} p{table.page_start} "
                                           f"“{table.title}” → {table.standard}")
    return result


def load_labels(path: Path = LABELS) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def corpus_files(labels: dict, corpus: Path = CORPUS) -> list[Path]:
    return [corpus / name for entry in labels["documents"] for name in entry["files"]]


def run(corpus: Path = CORPUS) -> Score:
    labels = load_labels()
    docs, skipped = parse_corpus(corpus_files(labels, corpus))
    return score(labels, docs, skipped)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = run().as_dict()
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
        return 0
    for line in result["mismatches"]:
        print("MISMATCH", line)
    for line in result["bad_issuers"]:
        print("NOT AN ORGANISATION", line)
    for line in result["spurious"]:
        print("SPURIOUS STANDARD", line)
    fields = ", ".join(f"{k} {v}%" for k, v in result["fields"].items())
    print(f"\n{result['entries']} disclosures ({result['joined']} joined as labelled): {fields}")
    print(f"{result['tables']} tables of complete documents: found {result['found']}%, "
          f"classified {result['classified']}%, unit {result['unit']}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
