"""Data directories for the chat tests, each built once per test session from real files.

- the sample home: the bundled sample ingested the way `budgetqa ingest` does it (fact store
  and chunk index), shared read-only by the AppTest and browser tests;
- the Wanli home: two yearly budgets of one issuer (real PDFs from ../shared/corpus/real, read
  in place), where a question that names no year must be clarified.
A test that writes (an upload) copies the sample home first.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import ROOT, SAMPLE, parsed_corpus_file

PAGE = ROOT / "app" / "chat" / "page.py"
WANLI = ("shanghai-putuo-wanli-subdistrict-2023-dept-budget.pdf", "shanghai-putuo-wanli-subdistrict-2024-dept-budget.pdf")
_HOMES: dict[str, Path] = {}


def sample_home(tmp_path_factory) -> Path:
    if "sample" not in _HOMES:
        from app.library import ingest_paths
        from app.settings import Settings
        from index.facts import FactStore
        from index.store import ChunkIndex

        home = tmp_path_factory.mktemp("chat-sample")
        index = ChunkIndex.from_settings(Settings.load(home))
        try:
            report = ingest_paths([SAMPLE], FactStore(home), index=index)
        finally:
            index.close()
        assert len(report.documents) == 1 and not report.skipped, report.to_dict()
        _HOMES["sample"] = home
    return _HOMES["sample"]


def wanli_home(tmp_path_factory) -> Path:
    if "wanli" not in _HOMES:
        from index.facts import FactStore

        home = tmp_path_factory.mktemp("chat-wanli")
        store = FactStore(home)
        for name in WANLI:
            assert store.add(parsed_corpus_file(name))
        _HOMES["wanli"] = home
    return _HOMES["wanli"]


def copy_home(source: Path, target: Path) -> Path:
    """A copy taken under the index lock: a chat warming up on the source (or repairing its keyword
    index) never leaves a half-written index in the copy."""
    from index.lock import IndexLock

    with IndexLock(source).hold(60, "read"):
        shutil.copytree(source, target, ignore=shutil.ignore_patterns("*.lock"))
    return target


def unescape(markdown: str) -> str:
    """The text a reader sees in Markdown the chat escaped (backslash before ASCII punctuation)."""
    out, i = [], 0
    while i < len(markdown):
        if markdown[i] == "\\" and i + 1 < len(markdown):
            i += 1
        out.append(markdown[i])
        i += 1
    return "".join(out)
