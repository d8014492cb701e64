"""The generated run at benchmark size (issue 11): synthetic disclosures with known figures
(app/synthetic), ingested into one fresh fact store through app.library, and a sample of their
questions asked through app.engine.Engine; prints accuracy on answerable questions, wrong answers
marked verified (the figure that must be 0), and both by question class.

    .venv/bin/python bench/generated_bench.py                        # 300 documents, 6,000 questions, TXT
    .venv/bin/python bench/generated_bench.py --documents 100 --formats txt,xlsx,pdf
    .venv/bin/python bench/generated_bench.py --report /tmp/generated_failures.md --keep /tmp/gen300

The CI-sized run is tests/test_generated.py (50 documents, every question).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.synthetic.corpus import generate_corpus, write_questions  # noqa: E402
from app.synthetic.harness import (ask_all, by_class, failure_report, ingest_folder, score,  # noqa: E402
                                   update_report)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=300)
    parser.add_argument("--questions", type=int, default=6000, help="a seeded sample of this many (0: all)")
    parser.add_argument("--seed", type=int, default=20261130)
    parser.add_argument("--formats", default="txt", help="txt,xlsx,pdf — one format per document, in turn")
    parser.add_argument("--keep", type=Path, help="write the corpus and data directory here instead of a temp dir")
    parser.add_argument("--report", type=Path, help="also write the failures by class to this markdown file")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    folder = args.keep or Path(tempfile.mkdtemp(prefix="budgetqa-generated-"))
    started = time.perf_counter()
    corpus = generate_corpus(args.documents, seed=args.seed)
    written = corpus.write(folder / "docs", formats=tuple(args.formats.split(",")))
    questions = corpus.questions(written)
    write_questions(questions, folder / "docs" / "questions.yaml")
    generated = time.perf_counter() - started
    if args.questions and len(questions) > args.questions:
        questions = random.Random(args.seed).sample(questions, args.questions)
    started = time.perf_counter()
    report = ingest_folder(folder / "docs", folder / "home")
    ingested = time.perf_counter() - started
    started = time.perf_counter()
    outcomes = ask_all(folder / "home", questions)
    asked = time.perf_counter() - started
    result = score(outcomes)
    classes = by_class(outcomes)
    if args.report:
        title = f"engine (bench/generated_bench.py, {args.documents} documents, {args.formats}, seed {args.seed})"
        stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        text = failure_report(outcomes, title).replace(f"## {title}\n", f"## {title}\n\nRun {stamp}; corpus in "
                                                         f"{folder / 'docs'}.\n", 1)
        update_report(args.report, title, text)
    if args.json:
        print(json.dumps({"documents": len(report.documents), "skipped": len(report.skipped),
                          "questions": result.asked, "answerable": result.answerable,
                          "right_answerable": result.right_answerable, "accuracy": round(result.accuracy, 4),
                          "wrong_verified": result.wrong_verified, "errors": result.errors,
                          "seconds": {"generate": round(generated, 1), "ingest": round(ingested, 1),
                                      "ask": round(asked, 1)},
                          "by_class": {k: {"right": r, "asked": n, "wrong_verified": w}
                                       for k, (r, n, w) in classes.items()}}, ensure_ascii=False))
    else:
        print(f"corpus: {folder / 'docs'} ({len(written)} documents, formats {args.formats}, seed {args.seed})")
        print(f"generate {generated:.1f} s; ingest {ingested:.1f} s ({len(report.documents)} stored, "
              f"{len(report.skipped)} skipped); ask {asked:.1f} s ({1000 * asked / max(1, len(outcomes)):.1f} ms each)")
        print(f"{'class':<24}{'right/asked':>14}{'wrong-verified':>16}")
        for cls, (right, n, wrong) in classes.items():
            print(f"{cls:<24}{f'{right}/{n}':>14}{wrong:>16}")
        print(result.line())
        print(f"accuracy on answerable questions: {result.accuracy:.1%}   wrong answers marked verified: "
              f"{result.wrong_verified}")
    return 0 if result.wrong_verified == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
