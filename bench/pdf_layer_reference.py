"""The PDF layers side by side: PDFium (what the reader uses) against pdfplumber's own (pdfminer).

    .venv/bin/python bench/pdf_layer_reference.py --write      # store the pdfplumber reference digests
    .venv/bin/python bench/pdf_layer_reference.py --compare    # both layers on every real PDF, differences
    .venv/bin/python bench/pdf_layer_reference.py --compare FILE...

Both layers feed the same code above them (ingest/readers/pdf.py `page_blocks`: ruled tables,
text lines, placement); only the characters and edges differ in origin. `--write` stores, per
real PDF in ../shared/corpus/real, one digest per page of the blocks the pdfplumber layer gives
(tests/pdf_layer_reference.json, digests only: no document text goes into the repository);
tests/test_pdf_layer.py checks the PDFium layer against them. `--compare` runs both layers
and prints every page whose blocks differ and every difference in the parsed Disclosure
(metadata, tables, header paths, cells, facts, warnings), with the time each layer took.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ingest.readers.base import RawDocument, RawGrid  # noqa: E402
from ingest.readers.pdf import page_blocks  # noqa: E402
from ingest.readers.pdfium_layer import PageLayer, PdfLayer  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "real"
REFERENCE = ROOT / "tests" / "pdf_layer_reference.json"
log = logging.getLogger("pdf_layer")


def real_pdfs() -> list[Path]:
    return sorted(CORPUS.glob("*.pdf"))


def pdfium_pages(path: Path) -> list[list]:
    """Blocks per page through the PDFium layer (a page that fails gives None)."""
    pages = []
    with PdfLayer(path.read_bytes()) as pdf:
        for index in range(len(pdf)):
            try:
                pages.append(page_blocks(pdf.page(index), index + 1))
            except Exception as exc:  # as the reader does: the page is lost, the document not
                log.warning("%s page %d (pdfium): %r", path.name, index + 1, exc)
                pages.append(None)
    return pages


def pdfplumber_pages(path: Path) -> list[list]:
    """Blocks per page through pdfplumber's layer: its chars and edges, interpreted by pdfminer."""
    import pdfplumber

    pages = []
    with pdfplumber.open(path) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            try:
                layer = PageLayer(number, page.width, page.height, page.rotation, page.chars, page.edges)
                for table_bbox in (t.bbox for t in page.find_tables() if t.bbox):
                    page.outside_bbox(table_bbox)  # pdfplumber refused a table outside the page
                pages.append(page_blocks(layer, number))
            except Exception as exc:
                log.warning("%s page %d (pdfplumber): %r", path.name, number, exc)
                pages.append(None)
    return pages


def block_dict(block) -> dict:
    if isinstance(block, RawGrid):
        return {"grid": block.rows, "page": block.page, "row_pages": block.row_pages}
    return {"line": block.text, "page": block.page}


def digest(blocks: list | None) -> str:
    if blocks is None:
        return "unreadable"
    text = json.dumps([block_dict(b) for b in blocks], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def disclosure_of(path: Path, pages: list[list]) -> dict:
    """The Disclosure the pipeline makes of these blocks (as if the reader had given them)."""
    import ingest.pipeline as pipeline

    blocks = [b for page in pages if page for b in page]

    class Given:
        format = "pdf"

        def read(self, _path, _data):
            return RawDocument(source=path.name, format="pdf", blocks=blocks)

    original = pipeline.reader_for
    pipeline.reader_for = lambda _path, _data: Given()
    try:
        return pipeline.parse_bytes(path.read_bytes(), path).to_dict()
    except Exception as exc:  # the same failure on both sides is no difference
        return {"error": f"{type(exc).__name__}: {exc}"}
    finally:
        pipeline.reader_for = original


def differences(a, b, where: str = "") -> list[str]:
    """Paths at which two JSON values differ (a: pdfplumber, b: pdfium)."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for key in sorted(set(a) | set(b)):
            out += differences(a.get(key), b.get(key), f"{where}.{key}")
        return out
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{where}: {len(a)} items → {len(b)}"]
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in differences(x, y, f"{where}[{i}]")]
    return [] if a == b else [f"{where}: {a!r} → {b!r}"]


def write_reference(files: list[Path]) -> None:
    reference = {}
    for path in files:
        started = time.perf_counter()
        pages = pdfplumber_pages(path)
        reference[path.name] = [digest(p) for p in pages]
        print(f"{path.name}: {len(pages)} pages in {time.perf_counter() - started:.1f} s", flush=True)
    REFERENCE.write_text(json.dumps(reference, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {REFERENCE.relative_to(ROOT)}")


def compare(files: list[Path]) -> int:
    differing = 0
    totals = {"pdfplumber": 0.0, "pdfium": 0.0}
    for path in files:
        t0 = time.perf_counter()
        old = pdfplumber_pages(path)
        t1 = time.perf_counter()
        new = pdfium_pages(path)
        t2 = time.perf_counter()
        totals["pdfplumber"] += t1 - t0
        totals["pdfium"] += t2 - t1
        pages = [n for n, (a, b) in enumerate(zip(old, new), start=1) if digest(a) != digest(b)]
        found = differences(disclosure_of(path, old), disclosure_of(path, new))
        differing += bool(found)
        print(f"{path.name}: {len(new)} pages, pdfplumber {t1 - t0:.2f} s, pdfium {t2 - t1:.2f} s; "
              f"pages with other blocks: {pages or 'none'}; disclosure differences: {len(found)}", flush=True)
        for n in pages:
            a = [block_dict(b) for b in old[n - 1] or []]
            b = [block_dict(b) for b in new[n - 1] or []]
            for line in differences(a, b, f"  page {n}")[:8]:
                print(line)
        for line in found[:20]:
            print("  disclosure" + line)
    print(f"\n{len(files)} PDFs: pdfplumber {totals['pdfplumber']:.1f} s, pdfium {totals['pdfium']:.1f} s; "
          f"{differing} with a different disclosure")
    return 1 if differing else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="*", type=Path)
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true", help="store the pdfplumber layer's page digests")
    mode.add_argument("--compare", action="store_true", help="run both layers and print the differences")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    files = args.files or real_pdfs()
    if args.write:
        write_reference(files)
        return 0
    return compare(files)


if __name__ == "__main__":
    sys.exit(main())
