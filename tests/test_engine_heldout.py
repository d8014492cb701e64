"""The answer engine over tests/golden/qa_heldout.yaml: documents the engine was not built on.

The score is reported and held (a ratchet) but is not the issue's 95% bar, which the seed and PDF
files carry; what every question must satisfy here is what must hold on any document: no answered
reply states an untraceable figure, and no_answer questions get no_answer.
"""

from __future__ import annotations

import pytest

from app.eval_answers import ask_case, is_correct, load_answer_cases
from tests.conftest import ROOT, check_reply, corpus_engine

GOLDEN = ROOT / "tests" / "golden" / "qa_heldout.yaml"
QUESTIONS = load_answer_cases(GOLDEN) if GOLDEN.exists() else []
FILES = sorted({f for c in QUESTIONS for f in c.files})
MEASURED = 33 / 41  # 2026-11-30 (32/41 before this session; the 广东 reason found since)
_RESULTS: list[bool] = []


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    if not FILES:
        pytest.skip("tests/golden/qa_heldout.yaml not present")
    return corpus_engine(tmp_path_factory.mktemp("heldout"), FILES)


@pytest.mark.parametrize("case", QUESTIONS, ids=[c.q for c in QUESTIONS])
def test_heldout_question(engine, case):
    answer = ask_case(engine, case)
    check_reply(answer)
    if case.status == "no_answer":
        assert answer.status == "no_answer", answer.text
    _RESULTS.append(is_correct(case, answer))


def test_heldout_accuracy_holds(engine):
    if not _RESULTS:
        pytest.skip("run together with test_heldout_question")
    print(f"\nheld-out accuracy: {sum(_RESULTS)}/{len(_RESULTS)}")
    assert sum(_RESULTS) / len(_RESULTS) >= MEASURED - 1e-9
