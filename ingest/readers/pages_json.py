"""JSON page dumps of a PDF's text layer: [{"page": n, "text": "..."}, …].

The text layer keeps no cell boundaries, so every line is a RawLine and the parser
rebuilds table rows from the text (RawDocument.text_rows).
"""

from __future__ import annotations

import json
from pathlib import Path

from ingest.errors import InputError
from ingest.readers.base import Block, RawDocument, RawLine
from ingest.readers.decode import decode_text


class PagesJsonReader:
    format = "pages-json"
    suffixes = (".json",)

    def sniff(self, data: bytes) -> bool:
        head = data[:200].lstrip()
        return head.startswith(b"[") and b'"page"' in data[:2000]

    def read(self, path: Path, data: bytes) -> RawDocument:
        text = decode_text(data, path.name)
        try:
            pages = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"文件“{path.name}”不是有效的 JSON。", f"{path.name}: {exc}") from exc
        if not isinstance(pages, list) or not all(
            isinstance(p, dict) and isinstance(p.get("text"), str) for p in pages
        ):
            raise InputError(
                f"文件“{path.name}”不是逐页文本（应为 [{{\"page\": 页码, \"text\": \"…\"}}] 的列表）。",
                f"{path.name}: JSON is not a list of {{page, text}} objects",
            )
        blocks: list[Block] = []
        for i, page in enumerate(pages, start=1):
            number = page.get("page") if isinstance(page.get("page"), int) else i
            for line in page["text"].replace("\r\n", "\n").split("\n"):
                blocks.append(RawLine(text=line.strip(), page=number))
        return RawDocument(source=path.name, format=self.format, blocks=blocks, text_rows=True)
