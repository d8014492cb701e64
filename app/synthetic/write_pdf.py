"""The PDF export (reportlab, WenQuanYi Micro Hei for the Chinese text): the narrative, then each
table on a new page — number, title, issuer and unit lines, a ruled grid with merged header cells,
amounts right-aligned — continuing across pages with its header repeated, as office exports do."""

from __future__ import annotations

import re
from pathlib import Path

from app.synthetic.model import LEFT, UP, TruthDocument, TruthTable
from app.synthetic.write_xlsx import merges

FONT_FILE = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"  # fonts-wqy-microhei (scripts/setup.sh)
FONT = "WQYMicroHei"
_AMOUNT = re.compile(r"^-?[\d,]+\.\d{2}$")


def _register_font() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, FONT_FILE, subfontIndex=0))


def _styles():
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.styles import ParagraphStyle

    body = ParagraphStyle("body", fontName=FONT, fontSize=10.5, leading=17, wordWrap="CJK", firstLineIndent=21)
    return {
        "body": body,
        "heading": ParagraphStyle("heading", parent=body, fontSize=12, leading=20, firstLineIndent=0, spaceBefore=6),
        "title": ParagraphStyle("title", parent=body, fontSize=16, leading=24, alignment=TA_CENTER, firstLineIndent=0),
        "line": ParagraphStyle("line", parent=body, fontSize=9.5, leading=14, firstLineIndent=0),
        "cell": ParagraphStyle("cell", fontName=FONT, fontSize=8, leading=10, wordWrap="CJK"),
        "head": ParagraphStyle("head", fontName=FONT, fontSize=8, leading=10, wordWrap="CJK", alignment=TA_CENTER),
    }


def _widths(table: TruthTable, usable: float) -> list[float]:
    width = max(len(r) for r in table.header + table.body)
    label = []
    for c in range(width):
        texts = [r[c] for r in table.body if c < len(r) and r[c] and r[c] not in ("合计", "总计")]
        is_code = texts and all(re.fullmatch(r"[\d ]{2,9}", t) for t in texts)
        # a column with no text at all (a 三公 item that is 0 everywhere) is a figure column, not a name
        label.append("code" if is_code else ("name" if any(not _AMOUNT.match(t) for t in texts) else "value"))
    fixed = {"code": 52.0 if sum(k == "code" for k in label) == 1 else 28.0}
    names = sum(k == "name" for k in label)
    values = sum(k == "value" for k in label) or 1
    rest = usable - fixed["code"] * sum(k == "code" for k in label)
    value_w = min(78.0, rest * (0.55 if names else 1.0) / values)
    name_w = (rest - value_w * values) / (names or 1)
    return [fixed["code"] if k == "code" else name_w if k == "name" else value_w for k in label]


def _grid(table: TruthTable, styles, usable: float):
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, Table, TableStyle

    width = max(len(r) for r in table.header + table.body)
    rows = []
    for row in table.header:
        rows.append([Paragraph(t, styles["head"]) if t not in (LEFT, UP, "") else "" for t in row]
                    + [""] * (width - len(row)))
    for row in table.body:
        rows.append([t if _AMOUNT.match(t) or not t else Paragraph(t, styles["cell"]) for t in row]
                    + [""] * (width - len(row)))
    style = [("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("FONTNAME", (0, 0), (-1, -1), FONT),
             ("FONTSIZE", (0, 0), (-1, -1), 8), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
             ("ALIGN", (0, len(table.header)), (-1, -1), "RIGHT"),
             # office exports print roomy rows: long tables run on to the next page, header repeated
             ("TOPPADDING", (0, 0), (-1, -1), 4), ("BOTTOMPADDING", (0, 0), (-1, -1), 4)]
    if width > 9:  # a wide table (the 三公 table's twelve figures): smaller type so every figure fits its cell
        style += [("FONTSIZE", (0, 0), (-1, -1), 7), ("LEFTPADDING", (0, 0), (-1, -1), 2),
                  ("RIGHTPADDING", (0, 0), (-1, -1), 2)]
    for r0, c0, r1, c1 in merges(table.header):
        style.append(("SPAN", (c0, r0), (c1, r1)))
    grid = Table(rows, colWidths=_widths(table, usable), repeatRows=len(table.header))
    grid.setStyle(TableStyle(style))
    return grid


def write_pdf(doc: TruthDocument, folder: Path) -> Path:
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer

    _register_font()
    styles = _styles()
    path = Path(folder) / f"{doc.doc_key}.pdf"
    page = landscape(A4)
    pdf = SimpleDocTemplate(str(path), pagesize=page, leftMargin=40, rightMargin=40, topMargin=40, bottomMargin=40,
                            title=doc.title, author=doc.issuer)
    story = [Paragraph(doc.issuer, styles["title"]), Paragraph(doc.title.removeprefix(doc.issuer), styles["title"]),
             Spacer(1, 12)]
    for section in doc.sections:
        story.append(Paragraph(section.heading, styles["heading"]))
        story += [Paragraph(p, styles["body"]) for p in section.paragraphs]
    usable = page[0] - 80
    if doc.catalogue:
        from reportlab.lib import colors
        from reportlab.platypus import Table, TableStyle

        from app.synthetic.write_txt import catalogue_title

        rows = [["编号", "表号", "表名"]] + [[str(i), n, t] for i, (n, t) in enumerate(doc.catalogue, 1)]
        grid = Table(rows, colWidths=[50, 80, usable - 130])
        grid.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("FONTNAME", (0, 0), (-1, -1), FONT),
                                  ("FONTSIZE", (0, 0), (-1, -1), 9)]))
        story += [PageBreak(), Paragraph(catalogue_title(doc), styles["title"]), Spacer(1, 6), grid]
    for table in doc.tables:
        story.append(PageBreak())
        if table.number and table.number_above:
            story.append(Paragraph(table.number, styles["line"]))
        title = f"{table.number}　{table.title}" if table.number and not table.number_above else table.title
        story.append(Paragraph(title, styles["title"]))
        unit = f"单位：{table.unit}"
        if table.unit_place == "with_meta":
            story.append(Paragraph(f"{table.meta}{'&nbsp;' * 40}{unit}", styles["line"]))
        elif table.unit_place == "before_meta":
            story += [Paragraph(unit, styles["line"]), Paragraph(table.meta, styles["line"])]
        else:
            story += [Paragraph(table.meta, styles["line"]), Paragraph(unit, styles["line"])]
        story += [Spacer(1, 4), _grid(table, styles, usable)]
        if table.note:
            story += [Spacer(1, 4), Paragraph(table.note, styles["line"])]
    pdf.build(story)
    return path
