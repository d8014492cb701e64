"""Write a TruthDocument in one of the formats: txt (tab-separated export), xlsx, pdf."""

from __future__ import annotations

from pathlib import Path

from app.synthetic.model import TruthDocument


def write_document(doc: TruthDocument, folder: Path, fmt: str) -> Path:
    if fmt == "txt":
        from app.synthetic.write_txt import write_txt
        return write_txt(doc, folder)
    if fmt == "xlsx":
        from app.synthetic.write_xlsx import write_xlsx
        return write_xlsx(doc, folder)
    if fmt == "pdf":
        from app.synthetic.write_pdf import write_pdf
        return write_pdf(doc, folder)
    raise ValueError(f"unknown format {fmt!r} (txt, xlsx, pdf)")
