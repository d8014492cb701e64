"""PDF disclosures (Word, WPS, ONLYOFFICE exports): characters and ruling lines from PDFium.

Each page gives its ruled tables as grids and the text outside them as lines, merged in
reading order (top to bottom). Wrapped cell text ("一般公共服务\\n支出") is rejoined. A
one-column "table" (a boxed catalogue or a framed paragraph) is text, not a grid.

The page layer (characters with their boxes, the edges of lines and rectangles) comes from
PDFium (ingest/readers/pdfium_layer.py). pdfplumber stays only for what PDFium has no
counterpart of, the geometry of ruled tables: its edge merging, crossings, cell grouping and
rows (`pdfplumber.table`; `ruled_tables` searches the cells with the same rule, faster), and
`extract_text` for the cell text of rotated characters (`cell_text` does upright text, the same
strings). pdfminer, which pdfplumber would use to interpret the pages, is not used at all.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from ingest.errors import InputError
from ingest.readers.base import Block, RawDocument, RawGrid, RawLine

log = logging.getLogger(__name__)

_PAGE_NUMBER = re.compile(r"^[-—－\s]*(第\s*)?\d{1,3}(\s*页)?(\s*/\s*\d+)?[-—－\s]*$")



class PdfReader:
    format = "pdf"
    suffixes = (".pdf",)

    def sniff(self, data: bytes) -> bool:
        return data[:1024].lstrip().startswith(b"%PDF")

    def read(self, path: Path, data: bytes) -> RawDocument:
        from ingest.readers.pdfium_layer import PdfLayer, PdfLayerError  # only when a PDF arrives

        try:
            pdf = PdfLayer(data)
        except PdfLayerError as exc:
            if exc.password:
                raise InputError(f"无法打开 PDF 文件“{path.name}”（可能已加密或损坏）。", f"{path}: {exc!r}") from exc
            raise InputError(f"文件“{path.name}”不是有效的 PDF，或已损坏。", f"{path}: {exc!r}") from exc
        blocks: list[Block] = []
        with pdf:
            for index in range(len(pdf)):
                try:
                    blocks.extend(page_blocks(pdf.page(index), index + 1))
                except Exception as exc:  # one unreadable page must not lose the document
                    log.warning("%s page %d unreadable: %r", path.name, index + 1, exc)
        if not any(isinstance(b, RawGrid) or b.text.strip() for b in blocks):
            raise InputError(
                f"PDF 文件“{path.name}”没有可提取的文字（可能是扫描件），目前无法导入。",
                f"{path}: no text layer",
            )
        return RawDocument(source=path.name, format=self.format, blocks=blocks)


_CJK = "\u4e00-\u9fff（）“”，。、；：？！"  # Chinese characters and full-width punctuation
_SPACED_CJK = re.compile(f"(?<=[{_CJK}])[ \u3000]+(?=[{_CJK}])")


def join_wrapped(text: str | None) -> str:
    """Cell text wrapped over lines: Chinese rejoins without a space, other text with one.
    Letter-spaced Chinese ("因 公 出 国 （ 境 ） 费用") closes up too, and so does a space
    before or after full-width punctuation ("资源 ，为"), which only a kerning step leaves."""
    if not text:
        return ""
    parts = [_SPACED_CJK.sub("", p.strip()) for p in text.split("\n") if p.strip()]
    out = ""
    for part in parts:
        if out and re.match(r"[A-Za-z0-9]", part[0]) and re.match(r"[A-Za-z0-9]", out[-1]):
            out += " "
        out += part
    return out


def page_blocks(page, number: int) -> list[Block]:
    """A page's blocks; `page` has `chars` and `edges` as pdfplumber names them (a PageLayer)."""
    tables = [(t, t.bbox) for t in ruled_tables(page) if t.bbox]
    placed: list[tuple[float, Block]] = []
    chars = page.chars
    for table, bbox in tables:
        rows = [[join_wrapped(cell) for cell in row] for row in table_text(table, chars)]
        rows = [r for r in rows if any(r)]
        if not rows:
            continue
        chars = [c for c in chars if not _overlaps(c, bbox)]
        if max(len(r) for r in rows) < 2:  # a framed paragraph or catalogue: text lines
            placed.extend((bbox[1] + i * 0.01, RawLine(text=r[0], page=number)) for i, r in enumerate(rows))
            continue
        placed.append((bbox[1], RawGrid(rows=rows, page=number, row_pages=[number] * len(rows))))
    for top, text in visual_lines(chars):
        if text and not _PAGE_NUMBER.match(text):
            placed.append((top, RawLine(text=text, page=number)))
    placed.sort(key=lambda item: item[0])
    return [block for _, block in placed]


def ruled_tables(page) -> list:
    """`pdfplumber.table.TableFinder(page).tables` with the default settings ("lines" both ways),
    the same tables: pdfplumber's steps, but the search for each crossing's smallest cell
    looks only at the crossings on its own line and column, and compares the edges through
    each crossing as sets made once (pdfplumber makes them again for every pair it tests)."""
    from pdfplumber import table as geometry
    from pdfplumber import utils

    settings = geometry.TableSettings()
    edges = (utils.filter_edges(page.edges, "v", min_length=settings.edge_min_length_prefilter)
             + utils.filter_edges(page.edges, "h", min_length=settings.edge_min_length_prefilter))
    edges = geometry.merge_edges(edges, snap_x_tolerance=settings.snap_x_tolerance,
                                 snap_y_tolerance=settings.snap_y_tolerance,
                                 join_x_tolerance=settings.join_x_tolerance,
                                 join_y_tolerance=settings.join_y_tolerance)
    edges = utils.filter_edges(edges, min_length=settings.edge_min_length)
    crossings = geometry.edges_to_intersections(edges, settings.intersection_x_tolerance,
                                                settings.intersection_y_tolerance)
    cells = _cells(crossings)
    return [geometry.Table(page, group) for group in geometry.cells_to_tables(cells)]


def _cells(crossings: dict) -> list[tuple]:
    """pdfplumber.table.intersections_to_cells, the same cells in the same order."""
    from pdfplumber.utils import obj_to_bbox

    vertical = {p: {obj_to_bbox(e) for e in edges["v"]} for p, edges in crossings.items()}
    horizontal = {p: {obj_to_bbox(e) for e in edges["h"]} for p, edges in crossings.items()}

    def connects(p1, p2) -> bool:
        if p1[0] == p2[0] and not vertical[p1].isdisjoint(vertical[p2]):
            return True
        return p1[1] == p2[1] and not horizontal[p1].isdisjoint(horizontal[p2])

    points = sorted(crossings)
    by_x: dict = {}
    by_y: dict = {}
    for point in points:  # in sorted order: a column's points by y, a line's points by x
        by_x.setdefault(point[0], []).append(point)
        by_y.setdefault(point[1], []).append(point)
    cells = []
    for i, point in enumerate(points[:-1]):
        below = [p for p in by_x[point[0]] if p[1] > point[1]]
        right = [p for p in by_y[point[1]] if p[0] > point[0]]
        cell = None
        for below_point in below:
            if not connects(point, below_point):
                continue
            for right_point in right:
                if not connects(point, right_point):
                    continue
                corner = (right_point[0], below_point[1])
                if corner in crossings and connects(corner, right_point) and connects(corner, below_point):
                    cell = (point[0], point[1], corner[0], corner[1])
                    break
            if cell:
                break
        if cell:
            cells.append(cell)
    return cells


def table_text(table, chars: list[dict]) -> list[list[str | None]]:
    """`pdfplumber.table.Table.extract()`, the same cells and text, without testing every
    character of the page against every row: a character belongs to the cell holding its
    middle (left and top edges in, right and bottom out), rows found by bisection."""
    from bisect import bisect_left

    x0, top, x1, bottom = table.bbox
    inside = []
    for order, c in enumerate(chars):
        v_mid, h_mid = (c["top"] + c["bottom"]) / 2, (c["x0"] + c["x1"]) / 2
        if x0 <= h_mid < x1 and top <= v_mid < bottom:
            inside.append((v_mid, order, h_mid, c))
    inside.sort(key=lambda item: (item[0], item[1]))
    mids = [item[0] for item in inside]
    out = []
    for row in table.rows:
        r_x0, r_top, r_x1, r_bottom = row.bbox
        row_chars = sorted((item for item in inside[bisect_left(mids, r_top):bisect_left(mids, r_bottom)]
                            if r_x0 <= item[2] < r_x1), key=lambda item: item[1])
        cells = []
        for cell in row.cells:
            if cell is None:
                cells.append(None)
                continue
            c_x0, c_top, c_x1, c_bottom = cell
            cell_chars = [item[3] for item in row_chars
                          if c_x0 <= item[2] < c_x1 and c_top <= item[0] < c_bottom]
            cells.append(cell_text(cell_chars) if cell_chars else "")
        out.append(cells)
    return out


def cell_text(chars: list[dict]) -> str:
    """`pdfplumber.utils.extract_text(chars)` (tolerances 3, upright text), the same string with
    less work: lines of characters whose tops lie within 3 points of each other (in a chain),
    each read left to right and cut into words at a space or a gap over 3 points; the words
    then grouped into lines again by their tops, and joined (words by spaces, lines by "\n")."""
    if not all(c["upright"] for c in chars):
        from pdfplumber.utils import extract_text

        return extract_text(chars, x_tolerance=3, y_tolerance=3)
    words: list[tuple[float, str]] = []
    for line in _clustered(chars, [c["top"] for c in chars]):
        word: list[dict] = []
        for c in sorted(line, key=lambda c: c["x0"]):
            if c["text"].isspace():
                _close_word(word, words)
                continue
            if word and (c["x0"] < word[-1]["x0"] or c["x0"] > word[-1]["x1"] + 3
                         or abs(c["top"] - word[-1]["top"]) > 3):
                _close_word(word, words)
            word.append(c)
        _close_word(word, words)
    lines = _clustered(words, [top for top, _ in words])
    return "\n".join(" ".join(text for _, text in line) for line in lines)


_LIGATURES = {"ﬀ": "ff", "ﬃ": "ffi", "ﬄ": "ffl", "ﬁ": "fi", "ﬂ": "fl", "ﬆ": "st", "ﬅ": "st"}


def _close_word(word: list[dict], words: list) -> None:
    if word:
        words.append((min(c["top"] for c in word), "".join(_LIGATURES.get(c["text"], c["text"] or "") for c in word)))
        word.clear()


def _clustered(items: list, keys: list[float], tolerance: float = 3) -> list[list]:
    """pdfplumber's cluster_objects: distinct keys chained when each is within `tolerance` of the
    one before; items in cluster order, in their given order within a cluster."""
    cluster, index, last = {}, -1, None
    for key in sorted(set(keys)):
        if last is None or key > last + tolerance:
            index += 1
        cluster[key] = index
        last = key
    groups: list[list] = [[] for _ in range(index + 1)]
    for item, key in zip(items, keys):
        groups[cluster[key]].append(item)
    return [g for g in groups if g]


def _overlaps(char: dict, bbox) -> bool:
    """pdfplumber's overlap test (touching counts): what `outside_bbox` leaves out."""
    left, right = max(char["x0"], bbox[0]), min(char["x1"], bbox[2])
    top, bottom = max(char["top"], bbox[1]), min(char["bottom"], bbox[3])
    return right - left >= 0 and bottom - top >= 0 and (right - left) + (bottom - top) > 0


def visual_lines(chars: list[dict]) -> list[tuple[float, str]]:
    """Characters grouped into the lines a reader sees, left to right.

    Grouping by vertical overlap rather than by baseline keeps runs that an exporter put on
    their own baseline in place: ONLYOFFICE prints "2024" and the quotes of “三公” a few
    points off the line they belong to.
    """
    lines: list[dict] = []
    for ch in sorted(chars, key=lambda c: (c["top"], c["x0"])):
        if not ch["text"].strip():
            continue
        height = max(ch["bottom"] - ch["top"], 0.1)
        for line in reversed(lines[-3:]):
            overlap = min(line["bottom"], ch["bottom"]) - max(line["top"], ch["top"])
            if overlap >= 0.5 * min(height, line["bottom"] - line["top"]):
                line["chars"].append(ch)
                line["top"], line["bottom"] = min(line["top"], ch["top"]), max(line["bottom"], ch["bottom"])
                break
        else:
            lines.append({"top": ch["top"], "bottom": ch["bottom"], "chars": [ch]})
    out = []
    for line in lines:
        text, last = "", None
        for ch in sorted(line["chars"], key=lambda c: c["x0"]):
            if last is not None and ch["x0"] - last["x1"] > 0.3 * max(ch.get("size", 0) or (ch["x1"] - ch["x0"]), 1):
                text += " "
            text += ch["text"]
            last = ch
        out.append((line["top"], text.strip()))
    return out
