"""Shared fixtures: the bundled sample and the real corpus (read from ../shared, never copied)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample" / "yubei-foreign-affairs-office-2024-budget.txt"
CORPUS = ROOT.parent / "shared" / "corpus" / "real"


def corpus_file(name: str) -> Path:
    path = CORPUS / name
    if not path.exists():
        pytest.fail(f"real corpus file missing: {path} (CI provides ../shared/corpus/real)")
    return path


@pytest.fixture(scope="session")
def seed():
    from ingest.pipeline import parse_file

    return parse_file(SAMPLE)


def D(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


def cell_value(table, row_key: str, column_label: str):
    """Value of the cell in the row with this code or name, under the column with this label."""
    rows = [r for r in table.rows if r.code == row_key or r.name == row_key]
    assert len(rows) == 1, f"{table.key}: {len(rows)} rows match {row_key!r}"
    columns = [c for c in table.columns if c.label == column_label]
    assert len(columns) == 1, f"{table.key}: no column {column_label!r} in {[c.label for c in table.columns]}"
    cell = rows[0].cell(columns[0].index)
    return None if cell is None else cell.value


# --- Locating parsed cells by what the document prints (used by test_pdf_documents) ---


def squeeze(text: str | None) -> str:
    """Text with all whitespace removed: PDF titles, names and headers are often letter-spaced."""
    return "".join((text or "").split())


_PARSED: dict[str, object] = {}


def parsed_corpus_file(name: str):
    """parse_file of a real corpus file, parsed once per test session."""
    if name not in _PARSED:
        from ingest.pipeline import parse_file

        _PARSED[name] = parse_file(corpus_file(name))
    return _PARSED[name]


def corpus_engine(folder, names):
    """An answer engine over real corpus files (parsed once per session) in a fresh fact store."""
    from app.engine import Engine
    from index.facts import FactStore

    store = FactStore(folder)
    for name in names:
        store.add(parsed_corpus_file(name))
    return Engine(store)


def check_reply(answer) -> None:
    """What holds for any reply: an answered one states only traced figures; others state none."""
    from app.answer.verify import untraced

    if answer.status == "answered":
        assert answer.verified and not untraced(answer), answer.text
    else:
        assert answer.value is None, answer.text


def check_accuracy(results: dict[str, list[bool]], floors: dict[str, float], label: str) -> None:
    """Issue 5's bar over a golden file: at least 95% right overall, and no type below its floor."""
    from app.eval_answers import PASS_MARK

    line = "  ".join(f"{t} {sum(v)}/{len(v)}" for t, v in sorted(results.items()))
    print(f"\n{label} accuracy by type: {line}")
    right, asked = sum(sum(v) for v in results.values()), sum(len(v) for v in results.values())
    assert right / asked >= PASS_MARK, f"{right}/{asked} below {PASS_MARK:.0%}: {line}"
    low = {t: f"{sum(v)}/{len(v)}" for t, v in results.items() if sum(v) / len(v) < floors.get(t, PASS_MARK)}
    assert not low, f"below the floors {floors}: {low}"


def tables_titled(doc, title: str, part: str | None = None) -> list:
    """The tables whose title is exactly `title` as printed (whitespace aside), optionally one side of
    a two-sided table (收入 / 支出 …: matched as a substring of Table.part)."""
    found = [t for t in doc.tables if squeeze(t.title) == squeeze(title)]
    if part is not None:
        found = [t for t in found if t.part and part in t.part]
    return found


def column_matches(label: str, wanted: str) -> bool:
    """A column label matches the whole header path or its last levels (`公务用车购置及运行费 › 小计`)."""
    label, wanted = squeeze(label), squeeze(wanted)
    return label == wanted or label.endswith("›" + wanted)


def locate_cell(doc, title: str, row_key: str | None, column: str, part: str | None = None):
    """(table, row, cell) for the row with this subject code or name under the column with this label.

    `row_key=None` means the one row of a single-row table (the 三公 tables). The cell is None when
    the parsed row has nothing under that column. Fails with what was found when the match is not
    unique.
    """
    tables = tables_titled(doc, title, part)
    assert tables, f"no table titled {title!r} (part {part!r}): {[(t.key, t.title) for t in doc.tables]}"
    hits = []
    for table in tables:
        columns = [c for c in table.columns if column_matches(c.label, column)]
        if len(columns) != 1:
            continue
        if row_key is None:
            rows = [r for r in table.rows if any(c.value is not None for c in r.cells)]
        else:
            rows = [r for r in table.rows if r.code == row_key or squeeze(r.name) == squeeze(row_key)]
        hits += [(table, r, columns[0]) for r in rows]
    if len(hits) != 1:
        detail = [(t.key, [c.label for c in t.columns], [(r.code, r.name) for r in t.rows]) for t in tables]
        raise AssertionError(f"{len(hits)} cells match table {title!r} row {row_key!r} column {column!r}: {detail}")
    table, row, col = hits[0]
    return table, row, row.cell(col.index)
