"""Benchmark the chunk index: index time per document, warm query latency per method.

    .venv/bin/python bench/index_bench.py                       # the golden set's documents
    .venv/bin/python bench/index_bench.py FILE... [--chroma-url http://127.0.0.1:8000] [--json]

Indexes into a fresh temporary data directory (or --home), timing each document's parse
and its indexing (chunk, embed, write to Chroma and the keyword index) separately, then
asks every question of tests/golden/retrieval.yaml (filtered to its document, as the answer
engine would) `--rounds` times per method after one warm-up query, and prints p50/p95.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.eval import load_golden  # noqa: E402
from index.facts import FactStore  # noqa: E402
from index.retrieve import METHODS, Retriever  # noqa: E402
from index.store import ChunkIndex, SearchFilter  # noqa: E402
from ingest.pipeline import parse_file  # noqa: E402

GOLDEN = ROOT / "tests" / "golden" / "retrieval.yaml"


def _pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def run(files: list[Path], home: Path, chroma_url: str | None, rounds: int) -> dict:
    store, index = FactStore(home), ChunkIndex(home, chroma_url=chroma_url)
    started = time.perf_counter()
    index.check()
    model_load = time.perf_counter() - started
    documents = []
    for path in files:
        t0 = time.perf_counter()
        disclosure = parse_file(path)
        t1 = time.perf_counter()
        store.add(disclosure)
        chunks = index.add(disclosure)
        t2 = time.perf_counter()
        documents.append({"file": path.name, "doc_id": disclosure.doc_id, "chunks": chunks,
                          "parse_s": round(t1 - t0, 3), "index_s": round(t2 - t1, 3),
                          "chunks_per_s": round(chunks / (t2 - t1), 1)})
    by_source = {d.source: d for d in store.documents()}
    golden = load_golden(GOLDEN)
    questions = []
    for q in golden.questions:
        doc = by_source.get(golden.documents[q.doc].name)
        if doc:
            questions.append((q.q, SearchFilter(issuer=doc.issuer, year=doc.year)))
    if not questions:  # documents outside the golden set: ask its questions unfiltered
        questions = [(q.q, None) for q in golden.questions]
    retriever = Retriever(index)
    latency = {}
    for method in METHODS:
        retriever.search(questions[0][0], 5, questions[0][1], method)  # warm
        times = []
        for _ in range(rounds):
            for text, where in questions:
                t0 = time.perf_counter()
                retriever.search(text, 5, where, method)
                times.append((time.perf_counter() - t0) * 1000)
        latency[method] = {"queries": len(times), "p50_ms": round(_pct(times, 50), 2),
                           "p95_ms": round(_pct(times, 95), 2)}
    return {"backend": chroma_url or "embedded", "embedding_model": index.embeddings.model_name,
            "model_load_s": round(model_load, 2), "documents": documents, "latency": latency}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--home", type=Path, help="data directory (default: a fresh temporary one)")
    parser.add_argument("--chroma-url", help="a Chroma server instead of the embedded store")
    parser.add_argument("--rounds", type=int, default=3, help="times each question is asked per method")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    files = args.files or list(load_golden(GOLDEN).documents.values())
    with tempfile.TemporaryDirectory(prefix="budgetqa-bench-") as tmp:
        result = run(files, args.home or Path(tmp), args.chroma_url, args.rounds)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
    print(f"backend: {result['backend']}   embedding model: {result['embedding_model']} "
          f"(load {result['model_load_s']} s)")
    print(f"{'document':64} {'chunks':>6} {'parse s':>8} {'index s':>8} {'chunks/s':>9}")
    for d in result["documents"]:
        print(f"{d['file'][:64]:64} {d['chunks']:>6} {d['parse_s']:>8.2f} {d['index_s']:>8.2f} {d['chunks_per_s']:>9.1f}")
    print(f"\n{'method':8} {'queries':>8} {'p50 ms':>8} {'p95 ms':>8}   (warm, filtered to the question's document)")
    for method, s in result["latency"].items():
        print(f"{method:8} {s['queries']:>8} {s['p50_ms']:>8.2f} {s['p95_ms']:>8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
