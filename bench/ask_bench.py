"""`ask` latency: warm (one process, every golden question) and cold (`budgetqa ask` wall time).

    .venv/bin/python bench/ask_bench.py                    # the seed and tests/golden/qa_seed.yaml
    .venv/bin/python bench/ask_bench.py --pdf              # the real PDFs and tests/golden/qa_pdf.yaml
    .venv/bin/python bench/ask_bench.py --json
    .venv/bin/python bench/ask_bench.py --index            # with the chunk index: answers carry `related`

Ingests into a fresh temporary data directory (fact store only: numeric answers need no chunk
index), asks every golden question once to warm the engine's caches, then three times more and
prints p50/p95 per question; then runs `budgetqa ask` in a new process five times and prints the
wall time. Targets (issue 5): warm p50 ≤ 50 ms, cold ≤ 3 s.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.engine import Engine  # noqa: E402
from app.latency import percentile  # noqa: E402
from app.library import ingest_file  # noqa: E402
from index.facts import FactStore  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pdf", action="store_true", help="the real PDFs of tests/golden/qa_pdf.yaml")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--index", action="store_true", help="build the chunk index too (related sections)")
    args = parser.parse_args()
    import yaml

    golden = ROOT / "tests" / "golden" / ("qa_pdf.yaml" if args.pdf else "qa_seed.yaml")
    questions = yaml.safe_load(golden.read_text(encoding="utf-8"))["questions"]
    if args.pdf:
        corpus = ROOT.parent / "shared" / "corpus" / "real"
        names = sorted({s["file"] for q in questions for s in ([q["source"]] if isinstance(q.get("source"), dict)
                                                               else q.get("source") or [])})
        files = [corpus / n for n in names if "ERRORS" not in n]
    else:
        files = [ROOT / "data" / "sample" / "yubei-foreign-affairs-office-2024-budget.txt"]
    with tempfile.TemporaryDirectory() as home:
        store = FactStore(Path(home))
        index = None
        if args.index:
            from app.settings import Settings
            from index.store import ChunkIndex

            index = ChunkIndex.from_settings(Settings.load(Path(home)))
        for path in files:
            ingest_file(path, store, index)
        engine = Engine(store)
        for q in questions:
            engine.ask(q["q"])  # warm: documents' facts loaded once per process
        times = []
        for _ in range(3):
            for q in questions:
                start = time.perf_counter()
                engine.ask(q["q"])
                times.append((time.perf_counter() - start) * 1000)
        cold = []
        for _ in range(5):
            start = time.perf_counter()
            subprocess.run([str(ROOT / ".venv" / "bin" / "budgetqa"), "ask", questions[0]["q"], "--json",
                            "--home", home], check=True, capture_output=True)
            cold.append(time.perf_counter() - start)
    report = {"questions": len(questions), "documents": len(files), "index": args.index,
              "warm_p50_ms": round(percentile(times, 50), 1), "warm_p95_ms": round(percentile(times, 95), 1),
              "warm_mean_ms": round(statistics.mean(times), 1),
              "cold_median_s": round(statistics.median(cold), 2), "cold_max_s": round(max(cold), 2)}
    if args.json:
        print(json.dumps(report))
    else:
        for key, value in report.items():
            print(f"{key:>14}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
