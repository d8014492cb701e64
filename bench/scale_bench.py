"""How BudgetQA grows with the corpus: generated disclosures at 100, 1,000 (and 5,000) documents.

    .venv/bin/python bench/scale_bench.py 100 1000 [--work /tmp/scale] [--questions 80] [--json]

For each size N: `budgetqa bench corpus N DIR --formats txt,xlsx,pdf` (app/synthetic: whole
disclosures as TXT exports, XLSX and PDF, with their questions), then, in a fresh data directory:
- ingest: `budgetqa ingest DIR --json` as a user runs it (parse workers on every core), wall
  seconds, documents per second, and the peak resident memory of the whole process tree (the
  command and its workers, summed, sampled every 0.2 s from /proc);
- store size: every file under the data directory (fact store, keyword index, vectors);
- cold ask: `budgetqa ask Q --json` in a new process, wall seconds from start to the answer
  (interpreter, imports, engine start, the first answer), median of 3;
- warm ask: one process asks a mixed question set (a fixed sample across the generator's
  question types: lookup, change, share, sum, count, extreme, follow-up, no-answer), after one
  warm-up question; p50 / p95 milliseconds per question, and the share answered correctly
  (app/eval_answers.is_correct against the generator's truth).
Results go to bench/scale.json (merged by N) and the plot to bench/scale.png.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUDGETQA = Path(sys.executable).with_name("budgetqa")
RESULTS = ROOT / "bench" / "scale.json"
PLOT = ROOT / "bench" / "scale.png"

WARM = r"""
import json, random, statistics, sys, time
from pathlib import Path
from app.engine import Engine
from app.eval_answers import ask_case, is_correct, load_answer_cases
from index.facts import FactStore
home, questions, k = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
cases = load_answer_cases(questions)
by_type = {}
for c in cases:
    by_type.setdefault(c.type, []).append(c)
rng = random.Random(14)
chosen = []
while len(chosen) < k and any(by_type.values()):
    for kind in sorted(by_type):
        if by_type[kind] and len(chosen) < k:
            chosen.append(by_type[kind].pop(rng.randrange(len(by_type[kind]))))
engine = Engine(FactStore(home))
ask_case(engine, chosen[0])  # warm-up: caches, models, the keyword index
times, right = [], 0
for case in chosen:
    started = time.perf_counter()
    answer = ask_case(engine, case)
    times.append((time.perf_counter() - started) * 1000)
    right += is_correct(case, answer)
times.sort()
import resource
print(json.dumps({"questions": len(chosen), "p50_ms": statistics.median(times),
                  "p95_ms": times[min(len(times) - 1, int(round(0.95 * len(times))) - 1)],
                  "correct": right / len(chosen), "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def _tree_rss(root: int) -> int:
    """Resident bytes of a process and all its descendants (Linux /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        pid, ppid = int(entry.name), int(fields.get("PPid", "0").strip())
        children.setdefault(ppid, []).append(pid)
        rss[pid] = int(fields.get("VmRSS", "0 kB").split()[0]) * 1024
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total


def run_measured(cmd: list[str], env: dict) -> tuple[float, int, str]:
    """Wall seconds, peak tree RSS in bytes, stdout; CPU seconds of the tree in `run_measured.cpu`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = [0]
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], _tree_rss(proc.pid))
            done.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    done.set()
    sampler.join()
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    run_measured.cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:3])} failed ({proc.returncode}): {err[-2000:]}")
    return seconds, peak[0], out


def disk_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def measure(n: int, work: Path, questions: int) -> dict:
    env = dict(os.environ, ANONYMIZED_TELEMETRY="False")
    env.pop("BUDGETQA_DATABASE_URL", None)
    corpus, home = work / f"corpus-{n}", work / f"home-{n}"
    if not (corpus / "questions.yaml").exists():
        started = time.perf_counter()
        subprocess.run([str(BUDGETQA), "bench", "corpus", str(n), str(corpus), "--formats", "txt,xlsx,pdf",
                        "--home", str(work / "gen-home")], env=env, check=True, stdout=subprocess.DEVNULL)
        print(f"[{n}] corpus generated in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    if home.exists():
        raise SystemExit(f"{home} exists: give a fresh --work folder")
    seconds, peak, out = run_measured([str(BUDGETQA), "ingest", str(corpus), "--home", str(home), "--json"], env)
    ingest_cpu = run_measured.cpu
    report = json.loads(out)
    ingested = len(report["documents"])
    print(f"[{n}] ingest {seconds:.0f} s, {ingested} documents, {len(report['skipped'])} skipped, "
          f"peak {peak / 2**20:.0f} MB", file=sys.stderr)
    question = next(c["q"] for c in _cases(corpus) if c["type"] == "lookup")
    cold = []
    cold_cpu = []
    for _ in range(3):
        s, cold_peak, _ = run_measured([str(BUDGETQA), "ask", question, "--home", str(home), "--json"], env)
        cold.append(s)
        cold_cpu.append(run_measured.cpu)
    s, warm_peak, out = run_measured([sys.executable, "-c", WARM, str(home), str(corpus / "questions.yaml"),
                                      str(questions)], dict(env, PYTHONPATH=str(ROOT)))
    warm = json.loads(out.strip().splitlines()[-1])
    print(f"[{n}] cold {statistics.median(cold):.2f} s, warm p50 {warm['p50_ms']:.0f} ms p95 {warm['p95_ms']:.0f} ms",
          file=sys.stderr)
    return {"documents": n, "ingested": ingested, "skipped": len(report["skipped"]),
            "ingest_s": round(seconds, 1), "docs_per_s": round(ingested / seconds, 2),
            "ingest_cpu_s": round(ingest_cpu, 1),
            "ingest_peak_rss_mb": round(peak / 2**20), "store_mb": round(disk_bytes(home) / 2**20, 1),
            "corpus_mb": round(disk_bytes(corpus) / 2**20, 1),
            "cold_ask_s": round(statistics.median(cold), 2), "cold_ask_cpu_s": round(statistics.median(cold_cpu), 2), "cold_peak_rss_mb": round(cold_peak / 2**20),
            "warm_p50_ms": round(warm["p50_ms"], 1), "warm_p95_ms": round(warm["p95_ms"], 1),
            "warm_questions": warm["questions"], "warm_correct": round(warm["correct"], 3),
            "warm_peak_rss_mb": round(warm_peak / 2**20), "load_avg": os.getloadavg()[0],
            "cores": os.cpu_count()}


def _cases(corpus: Path) -> list[dict]:
    import yaml

    data = yaml.safe_load((corpus / "questions.yaml").read_text(encoding="utf-8"))
    return data["questions"] if isinstance(data, dict) else data


def plot(results: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    results = sorted(results, key=lambda r: r["documents"])
    n = [r["documents"] for r in results]
    panels = [("ingest (s)", ["ingest_s"], 600), ("documents / s", ["docs_per_s"], None),
              ("peak RSS (MB)", ["ingest_peak_rss_mb", "cold_peak_rss_mb", "warm_peak_rss_mb"], 1536),
              ("store on disk (MB)", ["store_mb"], None), ("cold ask (s)", ["cold_ask_s"], 3),
              ("warm ask (ms)", ["warm_p50_ms", "warm_p95_ms"], 300)]
    fig, axes = plt.subplots(2, 3, figsize=(13, 7))
    for ax, (title, keys, target) in zip(axes.flat, panels):
        for key in keys:
            ax.plot(n, [r[key] for r in results], marker="o", label=key)
        if target:
            ax.axhline(target, color="red", linestyle="--", linewidth=1, label=f"target {target}")
        ax.set_xscale("log")
        ax.set_xlabel("documents")
        ax.set_title(title)
        ax.legend(fontsize=7)
    fig.suptitle("BudgetQA at scale (generated disclosures, 2 shared cores)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def plot_progress(log: Path, path: Path) -> None:
    """Documents stored against minutes from a progress log ("HH:MM:SS count load" per line, one a
    minute, as the README's 1,000-document run was sampled): a straight line is linear ingest."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    points = []
    for line in log.read_text().splitlines():
        clock, count, *_ = line.split()
        h, m, sec = (int(x) for x in clock.split(":"))
        points.append((h * 60 + m + sec / 60, int(count)))
    start = points[0][0]
    minutes, counts = [p[0] - start for p in points], [p[1] for p in points]
    rates = [(c2 - c1) / (m2 - m1) for (m1, c1), (m2, c2) in zip(zip(minutes, counts), zip(minutes[1:], counts[1:]))]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    left.plot(minutes, counts, marker=".")
    left.set_xlabel("minutes since the first sample")
    left.set_ylabel("documents stored")
    left.set_title("1,000-document ingest: progress")
    right.plot(counts[1:], rates, marker=".")
    right.set_xlabel("documents stored")
    right.set_ylabel("documents / minute")
    right.set_title("rate falls as the corpus grows")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sizes", type=int, nargs="*")
    parser.add_argument("--work", type=Path, default=None, help="folder for corpora and data directories")
    parser.add_argument("--questions", type=int, default=80)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--progress", type=Path, help="only plot a progress log (see plot_progress) and stop")
    args = parser.parse_args()
    if args.progress:
        plot_progress(args.progress, ROOT / "bench" / "scale_progress.png")
        return
    work = args.work or Path(tempfile.mkdtemp(prefix="budgetqa-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    kept = {r["documents"]: r for r in (json.loads(RESULTS.read_text()) if RESULTS.exists() else [])}
    for n in args.sizes:
        kept[n] = measure(n, work, args.questions)
        RESULTS.write_text(json.dumps(sorted(kept.values(), key=lambda r: r["documents"]), indent=1) + "\n")
    results = sorted(kept.values(), key=lambda r: r["documents"])
    plot(results, PLOT)
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=1))
    for r in results:
        print(f"{r['documents']:>6} docs  ingest {r['ingest_s']:>7.1f} s ({r['docs_per_s']:.2f}/s)  "
              f"peak {r['ingest_peak_rss_mb']} MB  store {r['store_mb']} MB  cold {r['cold_ask_s']} s  "
              f"warm p50 {r['warm_p50_ms']} ms p95 {r['warm_p95_ms']} ms  correct {r['warm_correct']:.0%}")


if __name__ == "__main__":
    main()
