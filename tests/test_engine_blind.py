"""The answer engine over the first blind set (tests/golden/qa_blind1.yaml, Half A of
tests/golden/blind_split.md): documents from another province and many excerpts, questions written
from the pages without running the engine.

The issue's bar (≥ 95% right, 0 wrong-verified) is not met yet; the file's header records the first
contact (31/115, 9 wrong-verified) and the level after the general fixes it exposed. This module
holds that level (a ratchet) and, everywhere, what must hold on any document: no traceback, every
answered figure traced, and no_answer questions given no_answer or, at worst, not a verified figure.
The second blind set (qa_blind2.yaml) is scored once, at the end of the work, and is not run here.
"""

from __future__ import annotations

import pytest

from app.eval_answers import ask_case, is_correct, load_answer_cases
from tests.conftest import CORPUS, ROOT, check_reply

GOLDEN = ROOT / "tests" / "golden" / "qa_blind1.yaml"
SPLIT = ROOT / "tests" / "golden" / "blind_split.md"
QUESTIONS = load_answer_cases(GOLDEN) if GOLDEN.exists() else []
RIGHT, WRONG_VERIFIED = 52, 4  # 2026-11-30 10:40; raise RIGHT and lower WRONG_VERIFIED as they improve
_RESULTS: list[tuple[bool, bool]] = []


def half_a_files() -> list[str]:
    text = SPLIT.read_text(encoding="utf-8")
    part = text.split("## Half A")[1].split("## Half")[0]
    return [line[2:].strip() for line in part.splitlines() if line.startswith("- ")]


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    from app.engine import Engine
    from app.library import ingest_file
    from index.facts import FactStore
    from ingest.errors import BudgetQAError

    if not QUESTIONS:
        pytest.skip("tests/golden/qa_blind1.yaml not present")
    store = FactStore(tmp_path_factory.mktemp("blind1"))
    for name in half_a_files():
        try:
            ingest_file(CORPUS / name, store)  # through the library: split parts are joined
        except BudgetQAError:
            pass  # a file ingest refuses (an English glossary) is refused here too
    return Engine(store)


@pytest.mark.parametrize("case", QUESTIONS, ids=[c.q for c in QUESTIONS])
def test_blind_question(engine, case):
    answer = ask_case(engine, case)
    check_reply(answer)
    right = is_correct(case, answer)
    _RESULTS.append((right, answer.status == "answered" and answer.verified and not right))


def test_blind_level_holds(engine):
    if not _RESULTS:
        pytest.skip("run together with test_blind_question")
    right = sum(r for r, _ in _RESULTS)
    wrong_verified = sum(w for _, w in _RESULTS)
    print(f"\nblind set 1: {right}/{len(_RESULTS)} right, {wrong_verified} wrong and verified")
    assert right >= RIGHT and wrong_verified <= WRONG_VERIFIED
