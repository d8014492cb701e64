"""Run generated questions through the real pipeline and score them: ingest a folder into a fact
store (app.library, as `budgetqa ingest` does; answers need only the fact store), ask each question
through app.engine.Engine in its conversation, and score with app.eval_answers.is_correct.

`wrong_verified` is the figure that must be 0: an answer marked 已核验 that is not the expected one
(a figure where none exists counts too).
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from app.synthetic.questions import ANSWERED, Question


@dataclass
class Outcome:
    question: Question
    status: str
    got: str  # the value and unit, or the first words of the reply
    verified: bool
    correct: bool
    seconds: float

    @property
    def wrong_verified(self) -> bool:
        return self.status == ANSWERED and self.verified and not self.correct


def ingest_folder(folder: Path, home: Path):
    """Every file of `folder` into the fact store under `home`; the IngestReport."""
    from app.library import ingest_paths
    from index.facts import FactStore

    files = sorted(p for p in Path(folder).iterdir() if p.suffix in (".txt", ".xlsx", ".pdf"))
    return ingest_paths(files, FactStore(home))


def ask_all(home: Path, questions: list[Question]) -> list[Outcome]:
    from app.engine import Engine
    from app.eval_answers import ask_case, is_correct
    from index.facts import FactStore

    engine = Engine(FactStore(home))
    out = []
    for question in questions:
        case = question.case()
        started = time.perf_counter()
        try:
            answer = ask_case(engine, case)
        except Exception as exc:  # a crash is an outcome to report, not the end of the run
            out.append(Outcome(question, "error", f"{type(exc).__name__}: {exc}"[:120], False, False,
                               time.perf_counter() - started))
            continue
        got = f"{answer.value:f} {answer.unit}" if answer.value is not None else answer.text[:70]
        out.append(Outcome(question, answer.status, got, bool(answer.verified), is_correct(case, answer),
                           time.perf_counter() - started))
    return out


@dataclass
class Score:
    asked: int
    answerable: int
    right_answerable: int
    right_all: int
    wrong_verified: int
    errors: int

    @property
    def accuracy(self) -> float:
        return self.right_answerable / self.answerable if self.answerable else 0.0

    def line(self) -> str:
        return (f"{self.asked} questions; answerable {self.right_answerable}/{self.answerable} "
                f"({self.accuracy:.1%}); all {self.right_all}/{self.asked}; wrong-verified {self.wrong_verified}; "
                f"errors {self.errors}")


def score(outcomes: list[Outcome]) -> Score:
    answerable = [o for o in outcomes if o.question.status == ANSWERED]
    return Score(asked=len(outcomes), answerable=len(answerable), right_answerable=sum(o.correct for o in answerable),
                 right_all=sum(o.correct for o in outcomes), wrong_verified=sum(o.wrong_verified for o in outcomes),
                 errors=sum(o.status == "error" for o in outcomes))


def by_class(outcomes: list[Outcome]) -> dict[str, tuple[int, int, int]]:
    """class → (right, asked, wrong-verified)."""
    table: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for o in outcomes:
        row = table[o.question.cls]
        row[0] += o.correct
        row[1] += 1
        row[2] += o.wrong_verified
    return {k: tuple(v) for k, v in sorted(table.items())}


def failure_report(outcomes: list[Outcome], title: str, examples: int = 2) -> str:
    """Markdown: the failures grouped by class (wrong-verified first), `examples` of each."""
    lines = [f"## {title}", "", score(outcomes).line(), "", "| class | right/asked | wrong-verified |", "|---|---|---|"]
    for cls, (right, asked, wv) in by_class(outcomes).items():
        lines.append(f"| {cls} | {right}/{asked} | {wv} |")
    groups: dict[tuple[str, str], list[Outcome]] = defaultdict(list)
    for o in outcomes:
        if not o.correct:
            kind = "wrong-verified" if o.wrong_verified else (
                "error" if o.status == "error" else f"expected {o.question.status}, got {o.status}")
            groups[(o.question.cls, kind)].append(o)
    order = sorted(groups, key=lambda k: (k[1] != "wrong-verified", -len(groups[k]), k))
    for cls, kind in order:
        items = groups[(cls, kind)]
        lines += ["", f"### {cls} — {kind} ({len(items)})"]
        for o in items[:examples]:
            q = o.question
            expected = q.status if q.status != ANSWERED else f"{q.value if q.percent is None or q.unit == '%' else q.value} {q.unit}" + (
                f" / {q.percent}%" if q.percent is not None and q.type == "change" else "")
            prev = f" (after “{q.previous}”)" if q.previous else ""
            lines.append(f"- Q: {q.q}{prev} [{q.file or '—'}]")
            lines.append(f"  expected: {expected}{' — ' + q.note if q.note else ''}; got: {o.status} {o.got!r}; "
                         f"verified: {o.verified}")
    return "\n".join(lines) + "\n"


REPORT_HEAD = """# Generated-test failures (app/synthetic)

Written by tests/test_synthetic.py (sections "parser (…)": generated documents parsed back through
ingest.pipeline.parse_file and compared figure by figure; failing files are kept in
/tmp/generated_parser_failures), tests/test_generated.py (section "engine": 50 generated documents,
every question, through app.library and app.engine.Engine) and bench/generated_bench.py --report.

How to read the engine section: each question has a class (lookup:function = a 功能分类 subject's
total; lookup:econ = an 经济分类 item of 基本支出; lookup:prior_year = last year's column of a 预算;
change:amount / change:rate = 比上年增减额 / 增长率 from the 上年 columns; share; sum; breakdown =
包括哪些 (expected value: the whole); extreme (expected: the largest part's value); yesno:* (expected
0 = 没有); narrative:* = figures only the 情况说明 states; lookup:contradicted = a figure the 说明
misstates (the table's is expected); paraphrase:everyday = everyday words; followup:item / :year =
“那X呢？” / “那上一年呢？” after the question shown; absent:* = expected no_answer (item never printed,
a subordinate unit, an issuer in no document, a year or kind not covered). Money is in 元, changes
signed (later − earlier), rates and shares in % to 4 decimals; the scorer is
app.eval_answers.is_correct. Regenerate a failing document with
`budgetqa bench corpus 50 DIR --seed 20261130` (the same files the test uses; truth.jsonl beside them).

"""


def update_report(path: Path, section: str, text: str) -> None:
    """Replace (or add) the `## section` part of a markdown report, leaving the other parts as they are."""
    path = Path(path)
    old = path.read_text(encoding="utf-8") if path.exists() else REPORT_HEAD
    parts, current = {}, None
    for line in old.splitlines(keepends=True):
        if line.startswith("## "):
            current = line[3:].strip()
            parts[current] = [line]
        elif current is not None:
            parts[current].append(line)
    body = text if text.startswith("## ") else f"## {section}\n\n{text}"
    parts[section] = [body if body.endswith("\n") else body + "\n", "\n"]
    order = sorted(parts, key=lambda name: not name.startswith(NOTES))  # the hand-written notes first
    path.write_text(REPORT_HEAD + "".join("".join(parts[name]) for name in order), encoding="utf-8")


NOTES = "patterns"  # a section whose title starts so is kept at the top (notes written by hand)
