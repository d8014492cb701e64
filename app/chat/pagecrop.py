"""The page itself as evidence: the region of the original PDF page around a figure or a sentence,
with the cell or the sentence outlined.

Only page rendering and the page's character boxes are used (pypdfium2), so this module does not
depend on how the PDF was parsed. The original file is found by its bytes: a document's id is the
start of its content hash, so a file is only shown when it is the very file that was ingested —
under the data directory's uploads, or in a folder listed in BUDGETQA_ORIGINALS (os.pathsep
between folders; e.g. where `budgetqa ingest` read the files from).

A table cell is told from other cells printing the same digits by the row's name on its line
and the column's name above it; a sentence by its first characters (PDF text is letter-spaced
and wrapped, so whitespace is ignored while matching).
"""

from __future__ import annotations

import io
import logging
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from ingest.pipeline import content_hash

log = logging.getLogger(__name__)

SCALE = 2.0  # pixels per point: sharp on a phone's screen
MARGIN_Y = 70.0  # points above and below the outlined box
MIN_WIDTH = 300.0  # points of page width kept around a cell (a phone shows ~300 pt readably)
OUTLINE = (217, 119, 6)  # amber, the highlight colour of the source tables
ORIGINALS_ENV = "BUDGETQA_ORIGINALS"
_NEEDLE_CHARS = 14
_found: dict[tuple[str, str], Path | None] = {}
_lock = threading.Lock()


@dataclass(frozen=True)
class PageCrop:
    png: bytes
    page: int  # 1-based
    path: Path  # the original file


def original_file(home: Path, doc_id: str, source: str) -> Path | None:
    """The ingested file itself (same bytes), from the uploads folder or BUDGETQA_ORIGINALS."""
    key = (str(home), doc_id)
    with _lock:
        if key in _found:
            return _found[key]
    folders = [Path(home) / "uploads"] + [Path(p) for p in os.environ.get(ORIGINALS_ENV, "").split(os.pathsep) if p]
    found = None
    for folder in folders:
        candidates = [folder / source] + (sorted(folder.glob(f"{Path(source).stem}*{Path(source).suffix}"))
                                          if folder.is_dir() else [])
        for path in candidates:
            try:
                if path.is_file() and content_hash(path.read_bytes()).startswith(doc_id):
                    found = path
                    break
            except OSError:
                continue
        if found:
            break
    with _lock:
        _found[key] = found
    return found


def _squeezed(text: str) -> tuple[str, list[int]]:
    keep = [i for i, ch in enumerate(text) if not ch.isspace()]
    return "".join(text[i] for i in keep), keep


def _boxes(textpage, start: int, end: int) -> tuple[float, float, float, float]:
    """Union of the character boxes [start, end): (left, bottom, right, top) in PDF points."""
    boxes = [textpage.get_charbox(i) for i in range(start, end)]
    boxes = [b for b in boxes if b[2] > b[0]]
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def _occurrences(text: str, needle: str) -> list[tuple[int, int]]:
    """[start, end) of `needle` in `text`, whitespace ignored, as indices of `text`."""
    squeezed, keep = _squeezed(text)
    target = re.sub(r"\s+", "", needle)
    out, at = [], squeezed.find(target) if target else -1
    while at >= 0:
        out.append((keep[at], keep[at + len(target) - 1] + 1))
        at = squeezed.find(target, at + 1)
    return out


def _cell_box(textpage, text: str, printed: str, row_name: str, column_name: str):
    """The box of the printed figure: of its occurrences (whole numbers only), the one on the row
    name's line and under the column's name."""
    hits = [(s, e) for s, e in _occurrences(text, printed)
            if not (s > 0 and re.match(r"[\d.,]", text[s - 1])) and not (e < len(text) and re.match(r"[\d,]|\.\d", text[e:e + 2]))]
    if not hits:
        return None
    boxes = [_boxes(textpage, s, e) for s, e in hits]
    rows = [_boxes(textpage, s, e) for s, e in _occurrences(text, row_name)[:5]] if len(row_name) >= 2 else []
    cols = [_boxes(textpage, s, e) for s, e in _occurrences(text, column_name)[:5]] if len(column_name) >= 2 else []

    def cost(box):
        middle_y, middle_x = (box[1] + box[3]) / 2, (box[0] + box[2]) / 2
        dy = min((abs(middle_y - (r[1] + r[3]) / 2) for r in rows), default=0.0)
        dx = min((abs(middle_x - (c[0] + c[2]) / 2) for c in cols if c[1] > box[3] - 2), default=0.0)
        return dy * 3 + dx

    return min(boxes, key=cost)


def _render(path: Path, page_number: int, box, whole_width: bool = False) -> bytes:
    import pypdfium2 as pdfium
    from PIL import ImageDraw

    pdf = pdfium.PdfDocument(str(path))
    try:
        page = pdf[page_number - 1]
        width, height = page.get_size()
        image = page.render(scale=SCALE).to_pil().convert("RGB")
    finally:
        pdf.close()
    left, bottom, right, top = box
    pad = 3.0
    outline = [(left - pad) * SCALE, (height - top - pad) * SCALE, (right + pad) * SCALE, (height - bottom + pad) * SCALE]
    ImageDraw.Draw(image).rectangle(outline, outline=OUTLINE, width=4)
    span = min(width, max(MIN_WIDTH, right - left + (24 if whole_width else 80)))
    x0 = min(max(0.0, (left + right) / 2 - span / 2), max(0.0, width - span))
    crop = (x0 * SCALE, max(0.0, height - top - MARGIN_Y) * SCALE, min(width, x0 + span) * SCALE,
            min(height, height - bottom + MARGIN_Y) * SCALE)
    out = io.BytesIO()
    image.crop(tuple(int(v) for v in crop)).save(out, format="PNG", compress_level=3)
    return out.getvalue()


def _page_text(path: Path, page_number: int):
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    if not 1 <= page_number <= len(pdf):
        pdf.close()
        return None, None, None
    page = pdf[page_number - 1]
    textpage = page.get_textpage()
    return pdf, textpage, textpage.get_text_range(0, textpage.count_chars())


def crop_cell(path: Path, page_number: int, printed: str, row_name: str = "", column_name: str = "") -> PageCrop | None:
    """The page region around a table cell printing `printed`, the cell outlined (None: not found)."""
    return _crop(path, page_number, lambda tp, text: _cell_box(tp, text, printed, row_name, column_name))


def crop_sentence(path: Path, page_number: int, sentence: str) -> PageCrop | None:
    """The page region around a sentence (found by its first characters), outlined."""
    squeezed = re.sub(r"\s+", "", sentence)
    head = squeezed[:_NEEDLE_CHARS]

    def locate(tp, text):
        found = _occurrences(text, head)
        if not found:
            return None
        start = found[0][0]
        tail = _occurrences(text[start:], squeezed[-_NEEDLE_CHARS:]) if len(squeezed) > _NEEDLE_CHARS else []
        end = start + tail[0][1] if tail and tail[0][1] < 1200 else found[0][1]
        return _boxes(tp, start, end)

    return _crop(path, page_number, locate, whole_width=True)  # a sentence reads across the page


def _crop(path: Path, page_number: int, locate, whole_width: bool = False) -> PageCrop | None:
    if path.suffix.lower() != ".pdf" or not page_number:
        return None
    try:
        pdf, textpage, text = _page_text(path, page_number)
        if pdf is None:
            return None
        try:
            box = locate(textpage, text)
        finally:
            pdf.close()
        if box is None:
            return None
        return PageCrop(_render(path, page_number, box, whole_width), page_number, path)
    except Exception as exc:  # noqa: BLE001 - evidence is a help; its failure must not cost the answer
        log.warning("page crop of %s p.%s failed: %s: %s", path, page_number, type(exc).__name__, exc)
        return None


def answer_page(home: Path, answer, sources, docs) -> PageCrop | None:
    """The page region of an answer's first table figure, narrative figure or quoted sentence whose
    original PDF can be found (None: no PDF original, or the text is not found on its page)."""
    from app.chat.sources import TextSource

    names = {d.doc_id: d.source for d in docs}
    for record in answer.facts[:4]:
        fact = record.fact
        path = original_file(home, fact.doc_id, names.get(fact.doc_id, ""))
        if path is None:
            continue
        page = (record.row.page if record.row is not None and record.row.page else None) or fact.locator.page
        if fact.origin != "narrative" and fact.locator.table:
            column = (fact.locator.column or "").split(" › ")[-1]
            found = crop_cell(path, page, fact.text, record.row.name if record.row is not None else "", column)
        else:
            found = crop_sentence(path, page, fact.sentence or fact.text) if page else None
        if found is not None:
            return found
    for source in sources:
        if isinstance(source, TextSource) and source.page:
            path = original_file(home, source.doc_id, names.get(source.doc_id, ""))
            found = crop_sentence(path, source.page, source.sentence) if path is not None else None
            if found is not None:
                return found
    return None
