"""Golden Q&A evaluation: is each answer right, and is every figure it states traced?

A golden answer file (tests/golden/qa_seed.yaml explains the format) lists questions with their
type, expected status and expected value (or keywords for text answers). Each question is asked
of the engine over whatever documents the data directory holds — the file's header says which
documents it was written for, and questions whose `source` files are not ingested are left out
and reported, never counted as wrong.

Scoring, by the conventions of the golden files:
- status must match; a no_answer or clarify question is right when the status is;
- a text answer is right when it has no `result` and contains every keyword;
- a figure is right within 0.01 (元 or the counting unit); a change may be stated as its
  magnitude with the direction word, so |value| is compared; an answer in % is compared with the
  item's `percent` (changes) or `value` (shares), both rounded to two decimals.
Independently of being right, an `answered` reply that states a figure the verifier cannot trace
is reported (`untraced`): that is a defect whatever the score. So is an answered reply marked
verified that is wrong (`wrong_verified`: the figure or text is not the expected one, or the
question expected no_answer/clarify): 已核验 promises the figure asked for, so one such reply fails
the evaluation whatever the accuracy.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml

from app.answer.compose import ANSWERED
from app.latency import percentile
from app.answer.verify import untraced
from ingest.errors import InputError

PASS_MARK = 0.95  # the accuracy CI holds every golden answer file to (issue 5)
CENT = Decimal("0.01")


@dataclass
class AnswerCase:
    q: str
    type: str
    status: str
    value: Decimal | None = None
    percent: Decimal | None = None
    keywords: list[str] = field(default_factory=list)
    previous: str | None = None  # the question asked before, in the same conversation
    files: list[str] = field(default_factory=list)  # the documents the answer comes from


def _decimal(raw, where: str) -> Decimal | None:
    if raw is None:
        return None
    try:
        return Decimal(str(raw))
    except InvalidOperation as exc:
        raise InputError(f"评测文件中{where}的数值“{raw}”不是数字。", f"{where}: bad number {raw!r}") from exc


def load_answer_cases(path: Path) -> list[AnswerCase]:
    """The `questions:` of a golden answer file ([] when it has none)."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise InputError(f"无法读取评测文件“{path}”。", f"{path}: {exc}") from exc
    cases = []
    for i, item in enumerate(data.get("questions") or [], start=1):
        where = f"“{path.name}”第 {i} 个问答"
        try:
            source = item.get("source") or []
            sources = [source] if isinstance(source, dict) else source
            cases.append(AnswerCase(
                q=item["q"], type=item["type"], status=item["status"],
                value=_decimal(item.get("value"), where), percent=_decimal(item.get("percent"), where),
                keywords=list(item.get("keywords") or []), previous=item.get("previous"),
                files=sorted({s["file"] for s in sources if isinstance(s, dict) and s.get("file")})))
        except (KeyError, TypeError, AttributeError) as exc:
            raise InputError(f"评测文件{where}格式不对（需要 q、type、status）。", f"{path}: item {i}: {exc!r}") from exc
    return cases


def is_correct(case: AnswerCase, answer) -> bool:
    if answer.status != case.status:
        return False
    if case.status != ANSWERED:
        return True
    if case.type == "text":
        return answer.value is None and all(k in answer.text for k in case.keywords)
    if answer.value is None:
        return False
    if answer.unit == "%":
        expected = case.percent if case.percent is not None else case.value
        return expected is not None and abs(answer.value.quantize(CENT) - expected.quantize(CENT)) <= CENT
    if case.value is None:
        return False
    return abs(abs(answer.value) - abs(case.value)) < CENT  # a decrease may be stated as its magnitude


@dataclass
class Miss:
    question: str
    type: str
    expected: str
    status: str
    got: str  # the value or the first words of the reply


@dataclass
class AnswerReport:
    questions: int
    evaluated: int
    missing_files: list[str]  # source files the data directory does not hold
    by_type: dict[str, tuple[int, int]]  # type → (right, asked)
    misses: list[Miss]
    untraced: list[str]  # answered replies stating a figure the verifier cannot trace
    wrong_verified: list[str]  # answered replies marked verified that are wrong
    latency_p50_ms: float
    latency_p95_ms: float

    @property
    def right(self) -> int:
        return sum(r for r, _ in self.by_type.values())

    @property
    def accuracy(self) -> float:
        return self.right / self.evaluated if self.evaluated else 0.0

    def to_dict(self) -> dict:
        return {"questions": self.questions, "evaluated": self.evaluated, "right": self.right,
                "accuracy": round(self.accuracy, 4), "missing_files": self.missing_files,
                "by_type": {t: {"right": r, "asked": n, "accuracy": round(r / n, 4)}
                            for t, (r, n) in sorted(self.by_type.items())},
                "latency_p50_ms": round(self.latency_p50_ms, 2), "latency_p95_ms": round(self.latency_p95_ms, 2),
                "misses": [m.__dict__ for m in self.misses], "untraced": self.untraced,
                "wrong_verified_count": len(self.wrong_verified), "wrong_verified": self.wrong_verified}


def ask_case(engine, case: AnswerCase):
    """The engine's answer to a golden question, in its conversation when it is a follow-up."""
    context = None
    if case.previous:
        _, context = engine.converse(case.previous)
    answer, _ = engine.converse(case.q, context)
    return answer


def evaluate_answers(cases: list[AnswerCase], engine, ingested_sources: set[str]) -> AnswerReport:
    missing = sorted({f for c in cases for f in c.files if f not in ingested_sources})
    runnable = [c for c in cases if not set(c.files) & set(missing)]
    by_type: dict[str, list[int]] = {}
    misses, bad, wrong_verified, latencies = [], [], [], []
    for case in runnable:
        started = time.perf_counter()
        answer = ask_case(engine, case)
        latencies.append((time.perf_counter() - started) * 1000)
        if answer.status == ANSWERED and (not answer.verified or untraced(answer)):
            bad.append(f"{case.q} → {answer.text}")
        ok = is_correct(case, answer)
        if answer.status == ANSWERED and answer.verified and not ok:
            wrong_verified.append(f"{case.q} → {answer.text}")
        tally = by_type.setdefault(case.type, [0, 0])
        tally[0] += ok
        tally[1] += 1
        if not ok:
            expected = case.status if case.status != ANSWERED else (
                "、".join(case.keywords) if case.type == "text" else f"{case.value}")
            got = f"{answer.value:f} {answer.unit}" if answer.value is not None else answer.text[:60]
            misses.append(Miss(case.q, case.type, expected, answer.status, got))
    return AnswerReport(questions=len(cases), evaluated=len(runnable), missing_files=missing,
                        by_type={t: (r, n) for t, (r, n) in by_type.items()}, misses=misses, untraced=bad,
                        wrong_verified=wrong_verified,
                        latency_p50_ms=percentile(latencies, 50), latency_p95_ms=percentile(latencies, 95))
