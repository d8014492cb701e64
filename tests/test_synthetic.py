"""The synthetic-disclosure generator (app/synthetic): its truth is consistent, it is deterministic,
and what its writers print parses back, through the real ingest pipeline, to the same figures.

A parser that misreads a valid generated layout fails here, and the failure is written to
/tmp/generated_failures.md (section "parser") with the file kept in /tmp for the engineer.
"""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from app.synthetic.consistency import truth_problems
from app.synthetic.corpus import generate_corpus
from app.synthetic.harness import update_report
from app.synthetic.roundtrip import compare, number_problems
from app.synthetic.writers import write_document

REPORT = Path("/tmp/generated_failures.md")
KEPT = Path("/tmp/generated_parser_failures")


@pytest.fixture(scope="module")
def corpus():
    return generate_corpus(40, seed=20261130)


def test_truth_is_consistent(corpus):
    problems = {e.doc.doc_key: truth_problems(e.doc) for e in corpus.entries}
    assert not {k: v for k, v in problems.items() if v}
    kinds = {(e.doc.kind, e.doc.scope, e.doc.unit) for e in corpus.entries}
    assert {k for k, _, _ in kinds} == {"预算", "决算"} and {u for _, _, u in kinds} == {"元", "万元"}
    assert any(e.doc.contradictions() for e in corpus.entries), "some documents contradict their tables"
    assert any(e.doc.empty for e in corpus.entries) and any(e.doc.missing for e in corpus.entries)


def test_consistency_check_can_fail(corpus):
    doc = corpus.entries[0].doc
    general = doc.table("general")
    leaf = next(c for c in general.cells if c.code and len(c.code) == 7)
    leaf.value += Decimal("1")
    try:
        assert any(leaf.code[:5] in p for p in truth_problems(doc))
    finally:
        leaf.value -= Decimal("1")


def test_generator_is_deterministic():
    one, two = generate_corpus(6, seed=5), generate_corpus(6, seed=5)
    assert [e.doc.to_dict() for e in one.entries] == [e.doc.to_dict() for e in two.entries]
    assert [q.to_item() for q in one.questions()] == [q.to_item() for q in two.questions()]
    assert [e.doc.to_dict() for e in generate_corpus(6, seed=6).entries] != [e.doc.to_dict() for e in one.entries]


def test_no_real_or_repeated_issuers(corpus):
    issuers = [e.doc.issuer for e in corpus.entries]
    assert len({(e.doc.issuer, e.doc.year, e.doc.kind) for e in corpus.entries}) == len(issuers)
    assert not set(corpus.outsiders) & set(issuers)
    for name in issuers:  # invented places: never a well-known city
        assert not any(real in name for real in ("北京", "上海", "重庆", "广州", "普陀", "渝北", "南京"))


def test_expected_answers_follow_from_truth(corpus):
    questions = corpus.questions()
    assert len(questions) >= 20 * len(corpus.entries)
    by_type = {q.type for q in questions}
    assert by_type >= {"lookup", "change", "share", "sum_breakdown", "extreme", "count_yesno", "followup", "no_answer"}
    for q in questions:
        if q.status == "answered":
            assert q.value is not None and q.file, q
        else:
            assert q.value is None and q.percent is None, q
        if q.type == "change":  # a rate and an amount of one change agree in direction
            assert q.value != 0 and (q.value > 0) == (q.percent > 0), q
            assert ("减少" not in q.q and "下降" not in q.q) or q.value < 0, q
        if q.unit == "%" and q.type == "share":
            assert Decimal(0) <= q.value <= Decimal(100)
        if q.previous:
            assert any(p.q == q.previous for p in questions)


def _widest(corpus, count: int) -> list:
    """The documents whose one-row 三公 table is hardest to lay out: twelve figure columns, some of
    them empty, the longest figures (every figure must still fit its narrow cell)."""
    def hardness(entry):
        table = entry.doc.table("sangong")
        cells = [text for row in table.body for text in row]
        return (len(table.header[-1]) >= 12, "" in cells, max(map(len, cells), default=0))
    return sorted(corpus.entries, key=hardness, reverse=True)[:count]


def _round_trip(corpus, fmt: str, count: int, tmp_path: Path) -> None:
    from ingest.pipeline import parse_file

    failures, numbering, spanning = [], [], 0
    entries = corpus.entries[:count] + [e for e in _widest(corpus, 4) if e not in corpus.entries[:count]]
    for entry in entries:
        doc = entry.doc
        path = write_document(doc, tmp_path, fmt)
        try:
            parsed = parse_file(path)
            problems = [str(m) for m in compare(parsed, doc)]
            meta = {"issuer": (parsed.issuer, doc.issuer), "year": (parsed.year, doc.year),
                    "kind": (parsed.kind, doc.kind), "scope": (parsed.scope, doc.scope)}
            problems += [f"metadata {k}: parsed {a!r}, truth {b!r}" for k, (a, b) in meta.items() if a != b]
            numbering += [f"{path.name}: {p}" for p in number_problems(parsed, doc)]
            spanning += sum(t.page_start != t.page_end for t in parsed.tables)
        except Exception as exc:  # a crash is a parser failure like any other
            problems = [f"parse failed: {type(exc).__name__}: {exc}"]
        if problems:
            KEPT.mkdir(exist_ok=True)
            shutil.copy(path, KEPT / path.name)
            failures.append((KEPT / path.name, problems))
    lines = [f"{fmt}: {len(entries)} documents written and parsed back; {len(failures)} with problems."]
    for path, problems in failures:
        lines.append(f"- {path}: {len(problems)} problems, e.g.")
        lines += [f"  - {p}" for p in problems[:3]]
    if numbering:  # reported for the parser's owner; the figures are what this test holds
        lines.append(f"- table numbers not read as printed ({len(numbering)}), e.g.")
        shapes = {}  # one example per way of printing the number (公开01表 above, 表1 before the title …)
        for p in numbering:
            shapes.setdefault((p.split("“")[1].startswith("公开"), "None" in p), p)
        lines += [f"  - {p}" for p in list(shapes.values())[:4]]
    update_report(REPORT, f"parser ({fmt})", "\n".join(lines) + "\n")
    assert not failures, "\n".join(f"{p}: {x[:3]}" for p, x in failures)
    if fmt == "pdf":
        assert spanning, "no generated PDF table ran on to a second page"


@pytest.mark.parametrize("fmt,count", [("txt", 40), ("xlsx", 12), ("pdf", 8)])
def test_written_documents_parse_back_to_their_figures(corpus, fmt, count, tmp_path):
    _round_trip(corpus, fmt, count, tmp_path)


def test_bench_corpus_command_writes_documents_truth_and_questions(tmp_path):
    import json

    from app.cli import main
    from app.eval_answers import load_answer_cases

    out = tmp_path / "corpus"
    assert main(["bench", "corpus", "3", str(out), "--seed", "4", "--formats", "txt,xlsx",
                 "--home", str(tmp_path / "home")]) == 0
    files = sorted(p.name for p in out.iterdir())
    assert [f for f in files if f.endswith((".txt", ".xlsx"))] and "truth.jsonl" in files and "questions.yaml" in files
    truth = [json.loads(line) for line in (out / "truth.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(truth) == 3 and {t["file"] for t in truth} <= set(files)
    cases = load_answer_cases(out / "questions.yaml")
    assert len(cases) > 60 and all(set(c.files) <= set(files) for c in cases)
    assert main(["bench", "corpus", "2", str(tmp_path / "bad"), "--formats", "docx",
                 "--home", str(tmp_path / "home")]) == 2
