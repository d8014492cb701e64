"""Benchmark ingest of the real PDFs: pages per second and seconds per document.

    .venv/bin/python bench/ingest_bench.py                 # the complete PDFs in ../shared/corpus/real
    .venv/bin/python bench/ingest_bench.py --index         # … with chunking and embeddings into the index
    .venv/bin/python bench/ingest_bench.py FILE... [--json]

Target (issue 3): all 13 complete PDFs in under 60 s on this machine, embeddings included.
Parse time covers reading, tables, narrative figures and checks; index time covers the fact
store plus, with --index, chunking, embedding and the Chroma and keyword writes.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from index.facts import FactStore  # noqa: E402
from ingest.pipeline import parse_file  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "real"


def complete_pdfs() -> list[Path]:
    """The complete disclosures: every Shanghai PDF but the copy with injected errors."""
    return sorted(p for p in CORPUS.glob("shanghai-putuo-*.pdf") if "ERRORS-INJECTED" not in p.name)


def page_count(path: Path) -> int:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return len(pdf.pages)


def run(files: list[Path], home: Path, with_index: bool) -> dict:
    store = FactStore(home)
    index = None
    model_load = 0.0
    if with_index:
        from index.store import ChunkIndex

        started = time.perf_counter()
        index = ChunkIndex(home)
        index.check()
        model_load = time.perf_counter() - started
    rows = []
    for path in files:
        pages = page_count(path) if path.suffix.lower() == ".pdf" else 0
        t0 = time.perf_counter()
        disclosure = parse_file(path)
        t1 = time.perf_counter()
        store.add(disclosure)
        chunks = index.add(disclosure) if index else 0
        t2 = time.perf_counter()
        rows.append({"file": path.name, "pages": pages, "tables": len(disclosure.tables),
                     "facts": len(disclosure.facts()), "chunks": chunks, "parse_s": round(t1 - t0, 2),
                     "store_index_s": round(t2 - t1, 2), "total_s": round(t2 - t0, 2),
                     "pages_per_s": round(pages / (t1 - t0), 1) if pages else None})
    total = sum(r["total_s"] for r in rows)
    pages = sum(r["pages"] for r in rows)
    return {"documents": rows, "files": len(rows), "pages": pages, "model_load_s": round(model_load, 2),
            "total_s": round(total, 2), "with_index": with_index,
            "pages_per_s": round(pages / sum(r["parse_s"] for r in rows), 1) if rows else None,
            "seconds_per_document": round(total / len(rows), 2) if rows else None}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--index", action="store_true", help="also chunk and embed into the index")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    files = args.files or complete_pdfs()
    with tempfile.TemporaryDirectory() as home:
        result = run(files, Path(home), args.index)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
        return 0
    print(f"{'file':60} {'pages':>5} {'tables':>6} {'facts':>6} {'chunks':>6} {'parse s':>8} {'index s':>8} {'pages/s':>8}")
    for r in result["documents"]:
        print(f"{r['file'][:60]:60} {r['pages']:>5} {r['tables']:>6} {r['facts']:>6} {r['chunks']:>6} "
              f"{r['parse_s']:>8} {r['store_index_s']:>8} {r['pages_per_s'] or '':>8}")
    print(f"\n{result['files']} documents, {result['pages']} pages: {result['total_s']} s in all "
          f"({result['seconds_per_document']} s per document, {result['pages_per_s']} pages/s parsing"
          + (f", model load {result['model_load_s']} s" if args.index else "") + ").")
    print("target: all 13 complete PDFs in under 60 s" + (" (met)" if result["total_s"] + result["model_load_s"] < 60
                                                          else " (NOT met)"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
