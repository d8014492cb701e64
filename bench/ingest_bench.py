"""Benchmark ingest + audit: time per stage, and the same command on another checkout, alternating.

    .venv/bin/python bench/ingest_bench.py                      # stages, one process, the 14 Putuo PDFs
    .venv/bin/python bench/ingest_bench.py FILE... [--json]
    .venv/bin/python bench/ingest_bench.py --against /tmp/bq-old [--rounds 3]

Stages (one process, one document after another, so each figure is one core's work): read
(the PDF layer: characters, edges, tables, lines), assemble (the rest of parsing: tables,
metadata, narrative figures, checks), store (fact store), embed (chunking and the vectors),
vector write (Chroma), keyword index, audit (the findings, kept with the document). The
model's load is printed apart. Each stage shows CPU seconds and wall seconds.

`--against DIR` runs `budgetqa ingest FILES --json` then `budgetqa audit --json` as a user
would, in a fresh data folder, for this checkout and for the checkout in DIR (with this
checkout's .venv python and PYTHONPATH=DIR, so only the project code differs), alternating
old, new, new, old … so both meet the same load on a shared machine; it prints wall and CPU
seconds (the command and its worker processes) per run and the ratio of the medians.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CORPUS = ROOT.parent / "shared" / "corpus" / "real"
STAGES = ("read", "assemble", "store", "embed", "vector write", "keyword index", "audit")


def putuo_pdfs() -> list[Path]:
    """The 14 Putuo PDFs of the corpus (the copy with injected errors included)."""
    return sorted(CORPUS.glob("shanghai-putuo-*.pdf"))


def page_count(path: Path) -> int:
    import pypdfium2 as pdfium

    if path.suffix.lower() != ".pdf":
        return 0
    pdf = pdfium.PdfDocument(path)
    try:
        return len(pdf)
    finally:
        pdf.close()


class Clock:
    """CPU and wall seconds per stage."""

    def __init__(self):
        self.cpu = dict.fromkeys(STAGES, 0.0)
        self.wall = dict.fromkeys(STAGES, 0.0)

    def timed(self, stage: str, work, *args):
        c, w = time.process_time(), time.perf_counter()
        try:
            return work(*args)
        finally:
            self.cpu[stage] += time.process_time() - c
            self.wall[stage] += time.perf_counter() - w


def stages(files: list[Path], home: Path) -> dict:
    from app.audit.stored import audited, keep_findings
    from index.chunks import chunk_disclosure
    from index.facts import FactStore
    from index.keywords import KeywordIndex
    from index.store import ChunkIndex
    from ingest import pipeline
    from ingest.readers import reader_for

    store, index = FactStore(home), ChunkIndex(home)
    t0, c0 = time.perf_counter(), time.process_time()
    index.check()
    index.embeddings.warm()
    load = {"wall": time.perf_counter() - t0, "cpu": time.process_time() - c0}
    rows = []
    keyword_replace = KeywordIndex.replace
    for path in files:
        clock = Clock()
        data = path.read_bytes()
        reader = reader_for(path, data)
        raw = clock.timed("read", reader.read, path, data)

        class Read:  # the pipeline gets the blocks just read: assemble is the rest of parse_bytes
            format = reader.format

            def read(self, _path, _data):
                return raw

        pipeline.reader_for, original = (lambda _p, _d: Read()), pipeline.reader_for
        try:
            disclosure = clock.timed("assemble", pipeline.parse_bytes, data, path)
        finally:
            pipeline.reader_for = original
        clock.timed("store", store.add, disclosure)
        texts = clock.timed("embed", lambda: [c.text for c in chunk_disclosure(disclosure)])
        clock.timed("embed", index.embeddings.encode_array, texts)

        def keywords(self, *args, **kwargs):
            return clock.timed("keyword index", keyword_replace, self, *args, **kwargs)

        KeywordIndex.replace = keywords
        try:
            c, w = time.process_time(), time.perf_counter()
            chunks = index.add(disclosure)
            clock.cpu["vector write"] += time.process_time() - c - clock.cpu["keyword index"]
            clock.wall["vector write"] += time.perf_counter() - w - clock.wall["keyword index"]
        finally:
            KeywordIndex.replace = keyword_replace
        found = clock.timed("audit", audited, disclosure)
        clock.timed("audit", keep_findings, store, disclosure.doc_id, found)
        rows.append({"file": path.name, "pages": page_count(path), "tables": len(disclosure.tables),
                     "chunks": chunks, "findings": len(found),
                     "cpu": {k: round(v, 3) for k, v in clock.cpu.items()},
                     "wall": {k: round(v, 3) for k, v in clock.wall.items()}})
    index.close()
    total_cpu = {s: round(sum(r["cpu"][s] for r in rows), 2) for s in STAGES}
    total_wall = {s: round(sum(r["wall"][s] for r in rows), 2) for s in STAGES}
    pages = sum(r["pages"] for r in rows)
    parse_cpu = total_cpu["read"] + total_cpu["assemble"]
    return {"documents": rows, "pages": pages, "model_load": {k: round(v, 2) for k, v in load.items()},
            "cpu": total_cpu, "wall": total_wall,
            "parse_pages_per_cpu_s": round(pages / parse_cpu, 1) if parse_cpu else None,
            "read_pages_per_cpu_s": round(pages / total_cpu["read"], 1) if total_cpu["read"] else None}


def print_stages(result: dict) -> None:
    head = f"{'file':52} {'pages':>5} " + " ".join(f"{s[:9]:>9}" for s in STAGES)
    print("CPU seconds per stage\n" + head)
    for r in result["documents"]:
        print(f"{r['file'][:52]:52} {r['pages']:>5} " + " ".join(f"{r['cpu'][s]:>9.2f}" for s in STAGES))
    print(f"{'all':52} {result['pages']:>5} " + " ".join(f"{result['cpu'][s]:>9.2f}" for s in STAGES))
    print(f"{'(wall)':52} {'':>5} " + " ".join(f"{result['wall'][s]:>9.2f}" for s in STAGES))
    print(f"\nmodel load: {result['model_load']['cpu']} s CPU, {result['model_load']['wall']} s wall")
    print(f"parsing (read + assemble): {result['parse_pages_per_cpu_s']} pages per CPU second "
          f"(read alone {result['read_pages_per_cpu_s']}); target ≥ 100")


# --- the command, old against new ------------------------------------------------------------


def run_command(checkout: Path, files: list[Path]) -> dict:
    """`budgetqa ingest FILES --json` then `budgetqa audit --json` in a fresh data folder."""
    env = dict(os.environ, PYTHONPATH=str(checkout))
    env.pop("BUDGETQA_HOME", None)
    with tempfile.TemporaryDirectory(prefix="bq-bench-") as home:
        out = {}
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        for step, args in (("ingest", ["ingest", *map(str, files), "--json"]), ("audit", ["audit", "--json"])):
            t = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", "app.cli", *args, "--home", home], cwd=checkout, env=env,
                                  capture_output=True, text=True)
            if done.returncode != 0:
                raise SystemExit(f"{checkout}: {step} failed ({done.returncode}): {done.stderr[-2000:]}")
            out[step] = round(time.perf_counter() - t, 2)
            out[step + "_json"] = json.loads(done.stdout)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    ingest, audit = out.pop("ingest_json"), out.pop("audit_json")
    return {"wall": round(time.perf_counter() - started, 2), "ingest": out["ingest"], "audit": out["audit"],
            "cpu": round(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, 2),
            "documents": len(ingest["documents"]), "skipped": len(ingest["skipped"]),
            "chunks": sum(d.get("chunks") or 0 for d in ingest["documents"]),
            "findings": sum(len(d["findings"]) for d in audit["documents"])}


def against(old: Path, files: list[Path], rounds: int) -> dict:
    runs = {"old": [], "new": []}
    order = []
    for r in range(rounds):
        order += ["old", "new"] if r % 2 == 0 else ["new", "old"]
    for name in order:
        result = run_command(old if name == "old" else ROOT, files)
        runs[name].append(result)
        print(f"{name}: {result['wall']:6.2f} s wall (ingest {result['ingest']}, audit {result['audit']}), "
              f"{result['cpu']:6.2f} s CPU; {result['documents']} documents, {result['chunks']} chunks, "
              f"{result['findings']} findings", flush=True)
    median = {k: statistics.median(r["wall"] for r in v) for k, v in runs.items()}
    cpu = {k: statistics.median(r["cpu"] for r in v) for k, v in runs.items()}
    return {"runs": runs, "median_wall": median, "median_cpu": cpu,
            "ratio_wall": round(median["new"] / median["old"], 3), "ratio_cpu": round(cpu["new"] / cpu["old"], 3),
            "same_output": all(r["documents"] == runs["old"][0]["documents"] and r["chunks"] == runs["old"][0]["chunks"]
                               and r["findings"] == runs["old"][0]["findings"] for v in runs.values() for r in v)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--against", type=Path, help="another checkout of the project (e.g. a git worktree)")
    parser.add_argument("--rounds", type=int, default=2, help="runs of each checkout with --against")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    files = [f.resolve() for f in args.files] or putuo_pdfs()
    if args.against:
        result = against(args.against.resolve(), files, args.rounds)
        if args.json:
            print(json.dumps(result, ensure_ascii=False))
        else:
            print(f"\n{len(files)} files; median wall: old {result['median_wall']['old']:.2f} s, "
                  f"new {result['median_wall']['new']:.2f} s (new/old {result['ratio_wall']}); median CPU: "
                  f"old {result['median_cpu']['old']:.2f} s, new {result['median_cpu']['new']:.2f} s "
                  f"(new/old {result['ratio_cpu']}); same documents, chunks and findings: {result['same_output']}")
        return 0
    with tempfile.TemporaryDirectory(prefix="bq-bench-") as home:
        result = stages(files, Path(home))
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print_stages(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
