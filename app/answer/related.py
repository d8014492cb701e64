"""Retrieval in the answer path: the hybrid index's top sections for a question (DESIGN: retrieve).

Every answer carries `related`: the sections the hybrid index (index/retrieve.py: BM25 over the
keyword index fused with Chroma's dense ranking) ranks highest for the question, filtered to the
documents in question — those whose figures the answer uses, those a text answer quotes, or, for a
no-answer, those the question names (else all). A no-answer so shows what the documents say
nearest to the question instead of a bare refusal.

Text answers (reasons, definitions, duties, targets) choose their passage from the hybrid
index's top results: the sentence scorer (app/answer/passages.py) reads only the sections and
form tables of the top hits; when none of them holds an acceptable sentence, the whole document
is read as before (a question worded far from the document must not lose its answer).

The index opens lazily, once per data directory and process (`sections_for`): a process that
never answers does not load the embedding model, and a data directory without a chunk index
(a fact store filled without one) gives no related sections rather than an error. Searches are
remembered per (question, documents), so the text passage and `related` share one search.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, replace
from pathlib import Path

from app.answer.compose import table_ref
from index.chunks import PREAMBLE, TABLE
from index.follow import follow, shared_store
from index.retrieve import HYBRID, Hit, Retriever
from index.store import ChunkIndex, SearchFilter

log = logging.getLogger(__name__)

TOP = 3  # related sections an answer carries
PASSAGE_HITS = 8  # top hits whose sections a text answer reads first
SNIPPET_CHARS = 160
_REMEMBERED = 8  # one answer's searches (its text passage and its related), not a results cache
_SENTENCE = re.compile(r"[^。！？；\n]+[。！？；]?")


@dataclass(frozen=True)
class AmongDocuments(SearchFilter):
    """Chunks of any of these documents (SearchFilter takes one doc_id; a question may span several).
    `issuer`, when all of them share one, is only used to take the issuer's name out of the question."""

    doc_ids: tuple[str, ...] = ()

    def items(self) -> list[tuple[str, object]]:
        return [("doc_id", self.doc_ids)] if self.doc_ids else []

    def accepts(self, chunk) -> bool:
        return not self.doc_ids or chunk.doc_id in self.doc_ids

    def chroma_where(self) -> dict | None:
        if not self.doc_ids:
            return None
        if len(self.doc_ids) == 1:
            return {"doc_id": self.doc_ids[0]}
        return {"doc_id": {"$in": list(self.doc_ids)}}


class RelatedSections:
    """The hybrid index of one data directory, opened on the first search."""

    def __init__(self, home: Path, index: ChunkIndex | None = None):
        self.home = Path(home)
        self._index = index
        self._retriever: Retriever | None = None
        self._failed = False
        self._lock = threading.Lock()
        self._memo: OrderedDict[tuple, list[Hit]] = OrderedDict()
        self._shared = None  # the shared fact store (PostgreSQL) this directory's keyword index follows

    def _open(self) -> Retriever | None:
        if self._index is None and not (self.home / "keywords").is_dir() and not self._shared_store():
            return None  # a fact store without a chunk index: none is made here (an ingest may make one)
        with self._lock:
            if self._retriever is None and not self._failed:
                try:
                    if self._index is None:
                        from app.settings import Settings

                        self._index = ChunkIndex.from_settings(Settings.load(self.home))
                    self._retriever = Retriever(self._index)
                except Exception as exc:  # noqa: BLE001 - no index is no related sections, not a failed answer
                    log.warning("related sections: the chunk index of %s did not open: %s", self.home, exc)
                    self._failed = True
            return self._retriever

    def _shared_store(self):
        if self._shared is None:
            try:
                self._shared = shared_store(self.home) or False
            except Exception as exc:  # noqa: BLE001 - the answer reports the store; here: no related sections
                log.warning("related sections: the shared fact store did not open: %s", exc)
                return None
        return self._shared or None

    def _keep_in_step(self, retriever: Retriever) -> None:
        """Another server may have ingested or removed documents: the keyword index follows the store."""
        store = self._shared_store()
        if store is not None and follow(retriever.index, store):
            with self._lock:
                self._memo.clear()

    def warm(self) -> None:
        """Open the index and load what a search needs now (a chat before its first question), when
        the index holds any document; never raises."""
        retriever = self._open()
        try:
            if retriever is not None and retriever.index.documents():
                retriever.search("预算", 1)  # the model, the word segmenter, BM25 and Chroma all load here
        except Exception as exc:  # noqa: BLE001 - warming is a help, the first search will say more
            log.warning("related sections: warming the index of %s failed: %s", self.home, exc)

    def search(self, question: str, doc_ids: list[str] | tuple[str, ...], issuer: str | None = None,
               k: int = PASSAGE_HITS) -> list[Hit]:
        """The hybrid index's top chunks for the question among these documents (best first)."""
        key = (question, tuple(sorted(set(doc_ids))), issuer, k)
        if self._shared_store() is not None and (retriever := self._open()) is not None:
            try:
                self._keep_in_step(retriever)
            except Exception as exc:  # noqa: BLE001 - a stale index still serves; the next question retries
                log.warning("related sections: following the shared fact store failed: %s", exc)
        with self._lock:
            if key in self._memo:
                self._memo.move_to_end(key)
                return self._memo[key]
        retriever = self._open()
        if retriever is None:
            return []
        try:
            if not (set(key[1]) & set(retriever.index.documents())):
                hits: list[Hit] = []  # nothing of these documents is indexed: no model to load
            else:
                hits = retriever.search(question, k, AmongDocuments(issuer=issuer, doc_ids=key[1]), HYBRID)
        except Exception as exc:  # noqa: BLE001 - a busy or broken index must not cost the answer
            log.warning("related sections for %r failed: %s: %s", question, type(exc).__name__, exc)
            return []
        with self._lock:
            self._memo[key] = hits
            while len(self._memo) > _REMEMBERED:
                self._memo.popitem(last=False)
        return hits


_OPEN: dict[Path, RelatedSections] = {}
_OPEN_LOCK = threading.Lock()


def sections_for(home: Path) -> RelatedSections:
    """The one RelatedSections of this data directory in this process."""
    key = Path(home).resolve()
    with _OPEN_LOCK:
        if key not in _OPEN:
            _OPEN[key] = RelatedSections(key)
        return _OPEN[key]


def related_dicts(hits: list[Hit], question: str, top: int = TOP) -> list[dict]:
    """`Answer.related`: [{"doc_id", "title", "locator", "snippet", "score"}], best first."""
    return [{"doc_id": h.chunk.doc_id, "title": h.chunk.title, "locator": locator(h.chunk),
             "snippet": snippet(h.chunk, question), "score": round(h.score, 4)} for h in hits[:top]]


def locator(chunk) -> str:
    """Where the chunk stands, as a reader finds it: 表九《…》 or the heading path, and its page."""
    if chunk.origin == TABLE:
        key = table_ref(chunk.table) if chunk.table else ""
        where = f"{key}《{chunk.table_title}》" if chunk.table_title else key
    else:
        where = chunk.section or PREAMBLE
    return f"{where} · 第{chunk.page}页" if chunk.page else where


def _body(chunk) -> str:
    """The chunk's text without the heading path or table header it repeats for retrieval."""
    lines = chunk.text.split("\n")
    if chunk.origin == TABLE:
        return "\n".join(line for line in lines[1:] if not line.startswith("栏目："))
    return "\n".join(lines[1:]) if chunk.section and chunk.section != PREAMBLE and len(lines) > 1 else chunk.text


def _pairs(text: str) -> set[str]:
    squeezed = re.sub(r"\s+", "", text)
    return {squeezed[i:i + 2] for i in range(len(squeezed) - 1)}


def snippet(chunk, question: str) -> str:
    """The chunk's sentence (or table line) sharing most character pairs with the question."""
    body = _body(chunk)
    if chunk.origin == TABLE:  # a row: its cells that hold something, as printed
        pieces = [" | ".join(c.strip() for c in line.split("|") if c.strip()) for line in body.split("\n")]
    else:
        pieces = _SENTENCE.findall(body)
    pieces = [p.strip() for p in pieces if p.strip()]
    if not pieces:
        return body[:SNIPPET_CHARS]
    wanted = _pairs(question)
    best = max(pieces, key=lambda p: (len(wanted & _pairs(p)), -pieces.index(p)))
    return best if len(best) <= SNIPPET_CHARS else best[:SNIPPET_CHARS - 1] + "…"


# --- text answers: the passage from the top hits -----------------------------------------------


def within_hits(disclosure, hits: list[Hit]):
    """The document cut to the sections and form tables of its top hits (None: no hit in it)."""
    mine = [h.chunk for h in hits if h.chunk.doc_id == disclosure.doc_id]
    paths = {c.section for c in mine if c.origin != TABLE}
    tables = {c.table for c in mine if c.origin == TABLE}
    if not paths and not tables:
        return None
    kept = []

    def walk(section, stack):
        stack = stack + [section]
        path = " › ".join(f"{s.number}{s.heading}" for s in stack if s.heading or s.number) or PREAMBLE
        if path in paths:
            kept.append(section)  # with its children: a list announced by 具体包括： may be read as them
            return
        for child in section.children:
            walk(child, stack)

    for top in disclosure.sections:
        walk(top, [])
    return replace(disclosure, sections=kept, tables=[t for t in disclosure.tables if t.key in tables])


def passage_from_hits(find_passage, query, disclosure, glossary, hits: list[Hit]):
    """The best passage in the top hits' sections; else in the whole document."""
    cut = within_hits(disclosure, hits)
    if cut is not None:
        found = find_passage(query, cut, glossary)
        if found is not None:
            return found
    return find_passage(query, disclosure, glossary)
