"""The PDF layer on PDFium against pdfplumber's own layer (pdfminer), the differential test.

Every real PDF in ../shared/corpus/real is read through the PDFium layer and each page's
blocks (the text lines and table grids the reader gives the parser) are compared with the
pdfplumber layer's, stored as one digest per page in tests/pdf_layer_reference.json by
`bench/pdf_layer_reference.py --write` (digests only: no document text in the repository).
The Disclosure is a function of those blocks, so equal blocks mean an equal Disclosure:
metadata, tables, header paths, cells, facts and warnings. The stored reference keeps the
suite fast (pdfminer needs ~50 s for the 27 PDFs); `bench/pdf_layer_reference.py --compare`
runs both layers on the whole set and diffs the parsed Disclosures.

Each page that differs is listed in KNOWN with what happens there, and has its own test:
a fix names the page and the figure, and a difference that leaves the Disclosure as it
was is checked by running both layers on that document here.
"""

from __future__ import annotations

import importlib.util
import io
import json
from pathlib import Path

import pytest

from ingest.readers.pdf import PdfReader, page_blocks
from ingest.readers.pdfium_layer import PageLayer, PdfLayer

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "real"
REFERENCE = json.loads((ROOT / "tests" / "pdf_layer_reference.json").read_text(encoding="utf-8"))

NPC_2017 = "jiangsu-npc-standing-committee-office-2017-dept-budget.pdf"
NPC_2018 = "jiangsu-npc-standing-committee-office-2018-dept-budget.pdf"
KNOWN = {
    # pdfplumber refuses the page (a table's box runs past the page's bottom edge) and loses it
    (NPC_2017, 11): "fix: the page is read",
    # a kerning step exactly one space wide reads as a space ("公开06 表…"); the title parses the same
    (NPC_2018, 12): "same disclosure",
}


def _tool():
    spec = importlib.util.spec_from_file_location("pdf_layer_reference", ROOT / "bench" / "pdf_layer_reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def tool():
    return _tool()


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_every_page_gives_the_blocks_pdfplumber_gave(name, tool):
    path = CORPUS / name
    assert path.exists(), f"{path} missing"
    pages = tool.pdfium_pages(path)
    reference = REFERENCE[name]
    assert len(pages) == len(reference)
    differing = {n for n, (blocks, digest) in enumerate(zip(pages, reference), start=1) if tool.digest(blocks) != digest}
    assert differing == {page for (doc, page) in KNOWN if doc == name}


def test_the_reference_covers_every_real_pdf():
    assert sorted(REFERENCE) == sorted(p.name for p in CORPUS.glob("*.pdf"))


def test_kerning_read_as_a_space_leaves_the_disclosure_as_it_was(tool):
    """Both layers run here on the one document whose blocks differ without a fix."""
    path = CORPUS / NPC_2018
    old, new = tool.pdfplumber_pages(path), tool.pdfium_pages(path)
    assert tool.digest(old[11]) != tool.digest(new[11])
    assert tool.differences(tool.disclosure_of(path, old), tool.disclosure_of(path, new)) == []


def test_the_page_pdfplumber_lost_is_read(tool):
    """NPC 2017, page 11: pdfplumber raised on a table box past the page and lost the page, with
    表五 财政拨款支出预算表 on it (合计 13,649.07 万元; 201 一般公共服务支出 10,528.33)."""
    path = CORPUS / NPC_2017
    assert tool.pdfplumber_pages(path)[10] is None
    disclosure = tool.disclosure_of(path, tool.pdfium_pages(path))
    table = next(t for t in disclosure["tables"] if t["title"] == "财政拨款支出预算表")
    assert (table["number"], table["page_start"], table["unit"]) == ("五", 11, "万元")
    rows = {(r["code"], r["name"]): [c["text"] for c in r["cells"]] for r in table["rows"]}
    assert rows[(None, "合计")] == ["13,649.07"]
    assert rows[("201", "一般公共服务支出")] == ["10,528.33"]
    assert not any("“财政拨款支出预算表”在正文中未找到" in w for w in disclosure["warnings"])


# --- the layer itself, on PDFs made here with invented content -------------------------------


def _make_pdf(rotation: int = 0) -> bytes:
    """A page with a 2×2 ruled table (rectangle sides and stroked lines) and a line of text with a
    drawn space ("1. 项目" is not possible with a standard font, so "1. AB" and "Total 12.50")."""
    import ctypes

    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    pdf = pdfium.PdfDocument.new()
    page = pdf.new_page(595, 842)
    handle = page.raw

    def add(obj):
        raw.FPDFPage_InsertObject(handle, obj)

    frame = raw.FPDFPageObj_CreateNewRect(100, 500, 300, 100)  # the table's outer frame
    raw.FPDFPath_SetDrawMode(frame, 0, 1)
    add(frame)
    for x0, y0, x1, y1 in ((250, 500, 250, 600), (100, 550, 400, 550)):  # inner rules as lines
        line = raw.FPDFPageObj_CreateNewPath(x0, y0)
        raw.FPDFPath_LineTo(line, x1, y1)
        raw.FPDFPath_SetDrawMode(line, 0, 1)
        add(line)
    rule = raw.FPDFPageObj_CreateNewRect(100, 700, 300, 0.5)  # a filled hairline rectangle
    raw.FPDFPath_SetDrawMode(rule, raw.FPDF_FILLMODE_ALTERNATE, 0)
    add(rule)
    for text, x, y in (("1. AB", 110, 570), ("Total 12.50", 260, 570), ("Item", 110, 520), ("7.25", 260, 520),
                       ("Heading line", 100, 750)):
        obj = raw.FPDFPageObj_NewTextObj(pdf.raw, b"Helvetica", ctypes.c_float(12))
        encoded = (text + "\x00").encode("utf-16-le")
        raw.FPDFText_SetText(obj, ctypes.cast(ctypes.create_string_buffer(encoded), ctypes.POINTER(raw.FPDF_WCHAR)))
        raw.FPDFPageObj_Transform(obj, 1, 0, 0, 1, x, y)
        add(obj)
    raw.FPDFPage_GenerateContent(handle)
    if rotation:
        page.set_rotation(rotation)
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def _pdfplumber_page(data: bytes):
    import pdfplumber

    pdf = pdfplumber.open(io.BytesIO(data))
    page = pdf.pages[0]
    return pdf, PageLayer(1, page.width, page.height, page.rotation, page.chars, page.edges)


@pytest.mark.parametrize("rotation", [0, 90])
def test_characters_and_edges_as_pdfminer_measures_them(rotation):
    data = _make_pdf(rotation)
    pdf, theirs = _pdfplumber_page(data)
    with pdf, PdfLayer(data) as layer:
        ours = layer.page(0)
    assert (round(ours.width, 2), round(ours.height, 2)) == (round(theirs.width, 2), round(theirs.height, 2))
    assert [c["text"] for c in ours.chars] == [c["text"] for c in theirs.chars]
    # Along the text the boxes agree exactly; across it, by the font's descent, which for a
    # standard font that is not embedded (Helvetica here) comes from pdfminer's AFM tables and
    # from PDFium's built-in substitute (0.2 pt apart at 12 pt); the real PDFs embed their fonts.
    along, across = (("x0", "x1", "size"), ("top", "bottom")) if rotation == 0 else \
        (("top", "bottom", "size"), ("x0", "x1"))
    for mine, their in zip(ours.chars, theirs.chars):
        assert all(abs(mine[k] - their[k]) < 0.01 for k in along), (mine, their)
        assert all(abs(mine[k] - their[k]) < 0.25 for k in across), (mine, their)
        assert mine["upright"] == their["upright"]

    def edges(page):
        return sorted((e["orientation"], *(round(e[k], 2) for k in ("x0", "x1", "top", "bottom"))) for e in page.edges
                      if e["orientation"])

    assert edges(ours) == edges(theirs)


def test_the_invented_page_reads_the_same_through_both_layers():
    data = _make_pdf()
    pdf, theirs = _pdfplumber_page(data)
    with pdf:
        expected = page_blocks(theirs, 1)
    document = PdfReader().read(Path("invented.pdf"), data)
    assert [(type(b).__name__, getattr(b, "rows", None) or b.text) for b in document.blocks] == \
        [(type(b).__name__, getattr(b, "rows", None) or b.text) for b in expected]
    grid = next(b for b in document.blocks if hasattr(b, "rows"))
    assert grid.rows == [["1. AB", "Total 12.50"], ["Item", "7.25"]]


def test_a_file_that_is_no_pdf_is_refused_in_chinese():
    from ingest.errors import InputError

    with pytest.raises(InputError) as caught:
        PdfReader().read(Path("broken.pdf"), b"%PDF-1.7\nnot really a pdf")
    assert "PDF" in caught.value.message and "损坏" in caught.value.message
