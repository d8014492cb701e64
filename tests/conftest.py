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
