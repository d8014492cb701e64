"""The PDF layer on PDFium (pypdfium2): each page's characters and ruling edges.

What the PDF reader takes from a page: its characters (text, box, font size) and the
horizontal and vertical edges of its ruling lines, rectangles and other paths, in
top-left page coordinates after the page's /Rotate. PDFium interprets the content streams
in C, about thirty times faster than pdfminer does in Python.

The geometry is pdfminer's, so the table geometry above (pdfplumber.table) and the line
grouping see the same numbers they saw through pdfplumber:
- a character's box spans its advance width and, vertically, the font size from the
  font's descent (PDFium's "loose" box is taller: it spans ascent to descent), and it is
  `upright` when its text matrix neither rotates nor mirrors it;
- a path splits into subpaths at each move; a two-point subpath is a line (one edge, "h"
  when flat, otherwise "v" as pdfplumber has it), a closed axis-aligned four-sided subpath
  a rectangle (its four sides), anything else a curve (an edge between consecutive points,
  kept only when exactly flat or upright);
- form XObjects are entered, their matrix applied.

Characters PDFium generates itself (the spaces and line breaks of its text extraction) are
left out: only glyphs drawn on the page count. PDFium also leaves out the space glyphs a page
draws; those are put back where the gap they leave says so (`_with_spaces`).

Measured on the 27 real PDFs (609 pages), through the same code above the layer: the same
blocks on every page but two (tests/test_pdf_layer.py), 8.9 s against pdfminer's 47.1 s on a
busy machine; the 14 Putuo PDFs read at ~120 pages per CPU second (bench/ingest_bench.py).
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass, field

import pypdfium2 as pdfium
import pypdfium2.raw as raw

Matrix = tuple[float, float, float, float, float, float]

_PATH, _FORM = raw.FPDF_PAGEOBJ_PATH, raw.FPDF_PAGEOBJ_FORM
_MOVE, _BEZIER = raw.FPDF_SEGMENT_MOVETO, raw.FPDF_SEGMENT_BEZIERTO


class PdfLayerError(Exception):
    """The file is no PDF PDFium can open; `password` tells an encrypted one apart."""

    def __init__(self, detail: str, password: bool = False):
        super().__init__(detail)
        self.password = password


@dataclass
class PageLayer:
    """One page: characters and edges as dicts with pdfplumber's keys (x0, x1, top, bottom …)."""

    number: int
    width: float
    height: float
    rotation: int
    chars: list[dict] = field(default_factory=list)
    edges: list[dict] = field(default_factory=list)

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return (0.0, 0.0, self.width, self.height)


class PdfLayer:
    """An open PDF; `page(i)` reads one page (0-based). Use as a context manager."""

    def __init__(self, data: bytes):
        try:
            self._pdf = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            password = raw.FPDF_GetLastError() == raw.FPDF_ERR_PASSWORD
            raise PdfLayerError(str(exc), password=password) from exc

    def __len__(self) -> int:
        return len(self._pdf)

    def __enter__(self) -> PdfLayer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._pdf.close()

    def page(self, index: int) -> PageLayer:
        page = raw.FPDF_LoadPage(self._pdf.raw, index)
        if not page:
            raise PdfLayerError(f"page {index + 1} does not load")
        try:
            return read_page(page, index + 1)
        finally:
            raw.FPDF_ClosePage(page)


def _media_box(page) -> tuple[float, float, float, float]:
    """The page's MediaBox; PDFium reads it only from the page itself, so an inherited one comes
    from the page's bounding box (MediaBox and CropBox, inherited)."""
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    if raw.FPDFPage_GetMediaBox(page, left, bottom, right, top):
        return left.value, bottom.value, right.value, top.value
    box = raw.FS_RECTF()
    raw.FPDF_GetPageBoundingBox(page, box)
    return box.left, box.bottom, box.right, box.top


def read_page(page, number: int) -> PageLayer:
    """One page (a raw FPDF_PAGE handle) as characters and edges."""
    rotation = {1: 90, 2: 180, 3: 270}.get(raw.FPDFPage_GetRotation(page), 0)
    x0, y0, x1, y1 = _media_box(page)
    x0, x1 = sorted((x0, x1))
    y0, y1 = sorted((y0, y1))
    # pdfminer's device matrix for the page's /Rotate, then pdfplumber's flip to top-left origin
    ctm = {90: (0, -1, 1, 0, -y0, x1), 180: (-1, 0, 0, -1, x1, y1),
           270: (0, 1, -1, 0, y1, -x0)}.get(rotation, (1, 0, 0, 1, -x0, -y0))
    turned = rotation in (90, 270)
    width, height = (y1 - y0, x1 - x0) if turned else (x1 - x0, y1 - y0)
    # pdfplumber puts the coordinates back where the MediaBox is (all at 0 in practice)
    dx, dy = (y0, -x0) if turned else (x0, -y0)
    ctm = _compose(ctm, (1, 0, 0, 1, dx, 0))
    flip = height + dy  # top = flip - y
    layer = PageLayer(number, width, height, rotation)
    layer.chars = _chars(page, ctm, flip)
    lines, rects, curves = [], [], []
    _paths(page, raw.FPDFPage_CountObjects, raw.FPDFPage_GetObject, ctm, flip, lines, rects, curves)
    layer.edges = lines + rects + curves
    return layer


def _apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = m
    return a * x + c * y + e, b * x + d * y + f


def _compose(inner: Matrix, outer: Matrix) -> Matrix:
    """The matrix applying `inner` first, then `outer`."""
    a, b, c, d, e, f = inner
    A, B, C, D, E, F = outer
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def _chars(page, ctm: Matrix, height: float) -> list[dict]:
    text_page = raw.FPDFText_LoadPage(page)
    try:
        count = raw.FPDFText_CountChars(text_page)
        text = _page_text(text_page, count)
        box, matrix = raw.FS_RECTF(), raw.FS_MATRIX()
        handle = ctypes.cast(text_page, ctypes.c_void_p)
        is_generated, unicode_of = raw.FPDFText_IsGenerated, raw.FPDFText_GetUnicode
        loose_box, matrix_of, font_size = raw.FPDFText_GetLooseCharBox, raw.FPDFText_GetMatrix, raw.FPDFText_GetFontSize
        upright_page = ctm[:4] == (1, 0, 0, 1)
        e, f = ctm[4], ctm[5]
        chars: list[dict] = []
        indices: list[int] = []  # each character's index in PDFium's text page
        spaced: list[int] = []  # characters PDFium wrote a space of its own after
        for i in range(count):
            code = text[i] if text is not None else chr(unicode_of(text_page, i))
            if code == "\x00":
                code = ""
            elif code in _GENERATED and is_generated(text_page, i):
                if code == " " and chars and (not spaced or spaced[-1] != len(chars) - 1):
                    spaced.append(len(chars) - 1)
                continue
            loose_box(text_page, i, box)
            matrix_of(text_page, i, matrix)
            size = font_size(text_page, i)
            ma, md = matrix.a, matrix.d
            if upright_page and matrix.b == 0 and matrix.c == 0 and ma > 0 and md > 0:
                # pdfminer's box: advance and descent as in the loose box, then one em up
                x0, x1, y0 = box.left + e, box.right + e, box.bottom + f
                em = md * size
                top = height - y0 - em
                chars.append({"text": code, "x0": x0, "x1": x1, "top": top, "bottom": height - y0, "doctop": top,
                              "width": x1 - x0, "height": em, "size": em, "upright": True, "_scale": ma})
            else:
                chars.append(_char(code, box, matrix, size, ctm, height))
            indices.append(i)
        if spaced:  # the text objects of the characters beside PDFium's spaces, only those
            chars = _with_spaces(chars, {j: _text_object(handle, indices[j]) or 0 for i in spaced for j in (i, i + 1)
                                         if j < len(indices)}, spaced)
        return chars
    finally:
        raw.FPDFText_ClosePage(text_page)


_GENERATED = " \r\n\x02"  # what PDFium writes of its own: spaces, line breaks, hyphens


# FPDFText_GetTextObject returning the address itself: the object's identity without a cast per call
_text_object = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int)(
    ctypes.cast(raw.FPDFText_GetTextObject, ctypes.c_void_p).value)


def _page_text(text_page, count: int) -> str | None:
    """The page's characters in one call (None when they do not map one to one, e.g. beyond the BMP)."""
    if not count:
        return ""
    buffer = ctypes.create_string_buffer(2 * (count + 1))
    written = raw.FPDFText_GetText(text_page, 0, count, ctypes.cast(buffer, ctypes.POINTER(ctypes.c_ushort)))
    text = buffer.raw[:2 * max(written - 1, 0)].decode("utf-16-le", errors="surrogatepass")
    return text if len(text) == count and not any("\ud800" <= ch <= "\udfff" for ch in text) else None


def _space_advance(obj: int) -> float:
    """The width of a space in a text object's font and size, in text space (0 when unknown)."""
    handle = ctypes.cast(ctypes.c_void_p(obj), raw.FPDF_PAGEOBJECT)
    font = raw.FPDFTextObj_GetFont(handle)
    size, width = ctypes.c_float(), ctypes.c_float()
    if not font or not raw.FPDFTextObj_GetFontSize(handle, size):
        return 0.0
    if not raw.FPDFFont_GetGlyphWidth(font, 0x20, size.value, width):
        return 0.0
    return width.value


def _with_spaces(chars: list[dict], objects: dict[int, int], spaced: list[int]) -> list[dict]:
    """The page's characters with the space glyphs it draws put back.

    PDFium's text extraction leaves out the space glyphs a page draws and writes a space of
    its own where it sees a gap (a drawn space, or a wide kerning step), while pdfminer keeps
    the drawn ones as characters; a space between two characters splits a table cell's words
    ("1. 一般公共预算"). A space is put back where PDFium wrote one and the gap to the next
    character on the line is a whole number of spaces in the font of either character: what a
    drawn space leaves, and a kerning step almost never does.
    """
    inserted: dict[int, list[dict]] = {}
    for i in spaced:
        if i + 1 >= len(chars):
            continue
        char, nxt = chars[i], chars[i + 1]
        gap = nxt["x0"] - char["x1"]
        if gap <= 0.1 or abs(nxt["top"] - char["top"]) >= char["size"] / 2:
            continue
        for obj, scale in ((objects[i], char["_scale"]), (objects[i + 1], nxt["_scale"])):
            width = _space_advance(obj) * abs(scale) if obj else 0.0
            count = round(gap / width) if width > 0 else 0
            if count >= 1 and abs(gap - count * width) <= 0.1:
                step = gap / count
                inserted[i] = [dict(char, text=" ", x0=char["x1"] + k * step, x1=char["x1"] + (k + 1) * step,
                                    width=step) for k in range(count)]
                break
    if not inserted:
        return chars
    out: list[dict] = []
    for i, char in enumerate(chars):
        out.append(char)
        out.extend(inserted.get(i, ()))
    return out


def _char(text: str, box, m, size: float, ctm: Matrix, height: float) -> dict:
    """Any other character: mirrored, rotated or on a turned page."""
    a, b, c, d = m.a, m.b, m.c, m.d
    if b == 0 and c == 0 and a and d:
        # pdfminer's box: the advance from the loose box, the descent too, then one em up
        corners = [(box.left, box.bottom), (box.right, box.bottom + d * size)]
    else:  # rotated or skewed text: PDFium's box as it is
        corners = [(box.left, box.bottom), (box.right, box.top)]
    (x0, y0), (x1, y1) = (_apply(ctm, x, y) for x, y in corners)
    x0, x1 = min(x0, x1), max(x0, x1)
    y0, y1 = min(y0, y1), max(y0, y1)
    ra, rb, rc, rd, _, _ = _compose((a, b, c, d, 0.0, 0.0), ctm)
    return {"text": text, "x0": x0, "x1": x1, "top": height - y1, "bottom": height - y0,
            "doctop": height - y1, "width": x1 - x0, "height": y1 - y0, "size": y1 - y0,
            "upright": ra * rd > 0 and rb * rc <= 0, "_scale": a or 1.0}


def _paths(parent, count_fn, get_fn, outer: Matrix, height: float, lines, rects, curves) -> None:
    matrix = raw.FS_MATRIX()
    for i in range(count_fn(parent)):
        obj = get_fn(parent, i)
        kind = raw.FPDFPageObj_GetType(obj)
        if kind not in (_PATH, _FORM):
            continue
        if not raw.FPDFPageObj_GetMatrix(obj, matrix):
            continue
        m = _compose((matrix.a, matrix.b, matrix.c, matrix.d, matrix.e, matrix.f), outer)
        if kind == _FORM:
            _paths(obj, raw.FPDFFormObj_CountObjects, raw.FPDFFormObj_GetObject, m, height, lines, rects, curves)
            continue
        for shape, points in _subpaths(obj):
            pts = [(x, height - y) for x, y in (_apply(m, px, py) for px, py in points)]
            _paint(shape, pts, lines, rects, curves)


def _subpaths(path):
    """The path's subpaths as pdfminer writes them: shape letters (m, l, c, h) and end points."""
    x, y = ctypes.c_float(), ctypes.c_float()
    shape, points, start = "", [], None
    n = raw.FPDFPath_CountSegments(path)
    bezier_run = 0
    for i in range(n):
        segment = raw.FPDFPath_GetPathSegment(path, i)
        kind = raw.FPDFPathSegment_GetType(segment)
        raw.FPDFPathSegment_GetPoint(segment, x, y)
        point = (x.value, y.value)
        closes = raw.FPDFPathSegment_GetClose(segment)
        if kind == _MOVE:
            if shape:
                yield shape, points
            shape, points, start, bezier_run = "m", [point], point, 0
            continue
        if not shape:  # a path must begin with a move
            continue
        if kind == _BEZIER:
            bezier_run += 1
            if bezier_run % 3:  # control points: pdfminer keeps a curve's end point only
                continue
            shape += "c"
        else:
            bezier_run = 0
            if closes and point == start:  # PDFium's closing line back to the start is pdfminer's "h"
                shape += "h"
                points.append(start)
                continue
            shape += "l"
        points.append(point)
        if closes:
            shape += "h"
            points.append(start)
    if shape:
        yield shape, points


def _paint(shape: str, pts: list[tuple[float, float]], lines, rects, curves) -> None:
    """pdfminer's LTLine / LTRect / LTCurve, as pdfplumber's edges (pts in top-left coordinates)."""
    if len(shape) > 3 and shape[-2:] == "lh" and pts[-2] == pts[0]:
        shape = shape[:-2] + "h"
        pts = pts[:-2] + pts[-1:]
    if shape in ("mlh", "ml"):
        (ax, at), (bx, bt) = pts[0], pts[1]
        x0, x1, top, bottom = min(ax, bx), max(ax, bx), min(at, bt), max(at, bt)
        lines.append(_edge("line", x0, x1, top, bottom, "h" if top == bottom else "v"))
        return
    if shape in ("mlllh", "mllll"):
        (x0, y0), (x1, y1), (x2, y2), (x3, y3), _ = pts
        if pts[0] == pts[4] and ((x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0)
                                 or (y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0)):
            left, right = min(x0, x2), max(x0, x2)
            top, bottom = min(y0, y2), max(y0, y2)
            rects.extend((_edge("rect_edge", left, right, top, top, "h"),
                          _edge("rect_edge", left, right, bottom, bottom, "h"),
                          _edge("rect_edge", left, left, top, bottom, "v"),
                          _edge("rect_edge", right, right, top, bottom, "v")))
            return
    for (ax, at), (bx, bt) in zip(pts, pts[1:]):
        orientation = "v" if ax == bx else ("h" if at == bt else None)
        curves.append(_edge("curve_edge", min(ax, bx), max(ax, bx), min(at, bt), max(at, bt), orientation))


def _edge(kind: str, x0: float, x1: float, top: float, bottom: float, orientation: str | None) -> dict:
    return {"object_type": kind, "x0": x0, "x1": x1, "top": top, "bottom": bottom, "doctop": top,
            "width": x1 - x0, "height": bottom - top, "orientation": orientation}
