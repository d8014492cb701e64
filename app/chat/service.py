"""The chat's one object per process: a data directory's stores, engines per filter, uploads.

The page holds it in `st.cache_resource`, so the fact store is opened and documents are read
once per process, never re-ingested on a rerun. Streamlit runs every browser session in its
own thread: what is shared here is either immutable after creation (an Engine over a fixed
document list, a parsed Disclosure) or guarded by a lock (the engine cache, the chunk index).

Engines are keyed by the sidebar's filter and by the ids of the stored documents, so a
document ingested by an upload — or by `budgetqa ingest` in another terminal — reaches the
next question without a restart.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from app.chat.history import ChatHistory
from app.chat.uploads import ingest_upload
from app.answer.compose import NO_ANSWER, Answer
from app.engine import Context, Engine
from app.answer.glossary import Glossary, load_glossary
from app.library import IngestedDocument
from app.settings import Settings
from index.facts import DocumentSummary, FactStore
from index.store import ChunkIndex
from ingest.model import Disclosure

log = logging.getLogger(__name__)

UPLOAD_FOLDER = "uploads"  # under the data directory
LOG_FILE = "budgetqa.log"  # the data directory's log, as the command line writes it
ENGINE_FAILED = "处理这个问题时出错，未能给出答案；详情已记入数据目录中的 budgetqa.log。请换个问法再试。"
_DISCLOSURES_KEPT = 32  # parsed documents kept for drawing sources (each a few hundred KB)


@dataclass(frozen=True)
class Scope:
    """The documents to answer from: the sidebar's issuers and years, or the one document a clarify
    choice names (empty: all)."""

    issuers: tuple[str, ...] = ()
    years: tuple[int, ...] = ()
    documents: tuple[str, ...] = ()  # doc ids

    @property
    def active(self) -> bool:
        return bool(self.issuers or self.years or self.documents)

    def keeps(self, d: DocumentSummary) -> bool:
        return ((not self.issuers or d.issuer in self.issuers) and (not self.years or d.year in self.years)
                and (not self.documents or d.doc_id in self.documents))


@dataclass(frozen=True)
class Option:
    """A document a clarify answer offers: its label and, when it can be told, its id."""

    label: str
    doc_id: str | None


class ScopedStore(FactStore):
    """The fact store as the engine sees it under a filter: only the documents the filter keeps."""

    def __init__(self, home: Path, scope: Scope):
        super().__init__(home)
        self.scope = scope

    def documents(self) -> list[DocumentSummary]:
        return [d for d in super().documents() if self.scope.keeps(d)]


@dataclass
class Question:
    """A question waiting to be asked: typed, a suggestion, or a clarify choice (`option`)."""

    asked: str  # as the engine gets it
    shown: str  # as the history shows it
    context: Context | None
    option: Option | None = None


@dataclass
class Turn:
    """One question and its answer, as the chat shows and replays it."""

    shown: str  # the question as the user sees it in the history
    asked: str  # the question as the engine got it (a clarify choice adds the document)
    answer: object  # app.answer.compose.Answer
    context_before: Context | None  # a clarify choice re-asks from here
    operation: str | None  # lookup, change, breakdown … (from the engine's Query)
    scoped: int | None = None  # documents the filter left, when a filter was on
    seconds: float = 0.0
    chosen: str | None = None  # the document a clarify choice named (its label)
    sources: list | None = None  # drawn once, then replayed (app.chat.sources)
    option: Option | None = None  # the clarify choice this turn answered (saved, to replay it)
    seq: int | None = None  # its place in the saved conversation
    evidence: object = None  # the page crop (app.chat.pagecrop.PageCrop), drawn once; False: none
    items: tuple[str, ...] = ()  # the items the question asked about, by their printed names


@dataclass
class UploadOutcome:
    name: str  # as uploaded
    document: IngestedDocument | None = None
    error: str | None = None  # Chinese, for the user


def signature(docs: list[DocumentSummary]) -> tuple[str, ...]:
    return tuple(sorted(d.doc_id for d in docs))


def _answers_from(answer, doc_id: str) -> bool:
    used = {r.fact.doc_id for r in answer.facts} | {p.get("doc_id") for p in answer.passages}
    return answer.status == "answered" and doc_id in used


def log_to_data_directory(home: Path) -> None:
    """Our modules log (English detail) into the data directory's budgetqa.log, once per process."""
    path = (Path(home) / LOG_FILE).resolve()
    for name in ("app", "index", "ingest"):
        logger = logging.getLogger(name)
        if any(getattr(h, "baseFilename", None) == str(path) for h in logger.handlers):
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(path, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)


class ChatService:
    def __init__(self, settings: Settings, glossary: Glossary | None = None):
        self.settings = settings
        self.store = FactStore(settings.home)
        self.glossary = glossary or load_glossary()
        self._engines: dict[tuple, Engine] = {}
        self._suggestions: dict[tuple, list] = {}
        self._disclosures: dict[str, Disclosure] = {}
        self._lock = threading.Lock()
        self._index: ChunkIndex | None = None
        self._ingest_lock = threading.Lock()
        self.history = ChatHistory(settings.home)
        # the embedding model behind every answer's related sections loads in the background, so the
        # first question does not wait for it
        threading.Thread(target=self._warm, name="budgetqa-warm", daemon=True).start()

    def _warm(self) -> None:
        from app.answer.related import sections_for

        sections_for(self.settings.home).warm()

    @property
    def upload_folder(self) -> Path:
        return self.settings.home / UPLOAD_FOLDER

    def documents(self) -> list[DocumentSummary]:
        return self.store.documents()

    def engine(self, scope: Scope, docs: list[DocumentSummary]) -> Engine:
        """The engine for this filter over these stored documents (made once, then shared)."""
        key = (scope, signature(docs))
        with self._lock:
            engine = self._engines.get(key)
            if engine is None:
                # engines (and suggestions) over an older document list are dropped: they are stale
                self._engines = {k: e for k, e in self._engines.items() if k[1] == key[1]}
                self._suggestions = {k: v for k, v in self._suggestions.items() if k[1] == key[1]}
                store = ScopedStore(self.settings.home, scope) if scope.active else self.store
                engine = self._engines[key] = Engine(store, self.glossary)
            return engine

    def answer(self, question: Question, scope: Scope, docs: list[DocumentSummary]) -> tuple[Turn, Context | None]:
        if question.option is not None:
            turn, context = self.choose(question.asked, question.option, question.context, scope, docs,
                                        question.shown)
            turn.option = question.option
            return turn, context
        return self.ask(question.asked, question.context, scope, docs, question.shown)

    def save(self, conversation_id: str | None, question: Question, turn: Turn) -> str:
        """The turn appended to its saved conversation (a new one for a first question); its id."""
        if conversation_id is None or not self.history.exists(conversation_id):
            conversation_id = self.history.start(question.shown)
        option = question.option
        turn.seq = self.history.add_turn(conversation_id, question.shown, question.asked, turn.answer.to_dict(),
                                         option.label if option else None, option.doc_id if option else None)
        return conversation_id

    def replay(self, conversation_id: str, scope: Scope, docs: list[DocumentSummary]) -> tuple[list[Turn], Context | None]:
        """A saved conversation asked again in order, each question with the context it had."""
        turns, context = [], None
        for seq, saved in enumerate(self.history.turns(conversation_id)):
            option = Option(saved.option_label, saved.option_doc_id) if saved.option_label else None
            turn, context = self.answer(Question(saved.asked, saved.shown, context, option), scope, docs)
            turn.seq = seq
            turns.append(turn)
        return turns, context

    def coverage(self, docs: list[DocumentSummary]) -> str:
        """One line: the issuers as people say them, each with its years and kinds; never file names."""
        if not docs:
            return "还没有导入文件。"
        names = self.short_names(docs)
        groups: dict[str, set] = {}
        for d in docs:
            groups.setdefault(names[d.doc_id], set()).add((d.year or 0, f"{d.scope or ''}{d.kind or ''}"))
        parts = []
        for name, kinds in sorted(groups.items(), key=lambda g: -max(y for y, _ in g[1])):
            years = "、".join(str(y) for y in sorted({y for y, _ in kinds if y}))
            what = "、".join(sorted({k for _, k in kinds if k}))
            parts.append(f"{name}（{years + '年' if years else ''}{what}）")
        shown = parts[:6]
        more = f"等 {len(parts)} 个单位" if len(parts) > len(shown) else ""
        return f"已收录 {len(docs)} 份文件：" + "；".join(shown) + more + "。"

    def remove(self, doc_id: str) -> str:
        """Delete a document from the fact store and both indexes; returns its title."""
        from app.library import remove_document

        with self._ingest_lock:
            index = ChunkIndex.from_settings(self.settings)  # removal needs no embedding model
            try:
                removed = remove_document(doc_id, self.store, index)
            finally:
                index.close()
        with self._lock:
            self._disclosures.pop(doc_id, None)
        return removed.title

    def reparse(self, doc: DocumentSummary) -> IngestedDocument | None:
        """Parse the original file again (after a parser update): None when it cannot be found."""
        from app.chat.pagecrop import original_file
        from app.library import ingest_file, remove_document

        path = original_file(self.settings.home, doc.doc_id, doc.source)
        if path is None:
            return None
        with self._ingest_lock:
            remove_document(doc.doc_id, self.store, self.index())
            with self._lock:
                self._disclosures.pop(doc.doc_id, None)
            return ingest_file(path, self.store, self.index())

    def ask(self, asked: str, context: Context | None, scope: Scope, docs: list[DocumentSummary],
            shown: str | None = None) -> tuple[Turn, Context | None]:
        """One turn of the conversation, timed."""
        engine = self.engine(scope, docs)
        start = time.perf_counter()
        try:
            answer, new_context = engine.converse(asked, context)
        except Exception:  # noqa: BLE001 - the edge: a bug must not take the page down
            log.exception("chat: the engine failed on %r", asked)
            answer, new_context = Answer(question=asked, status=NO_ANSWER, text=ENGINE_FAILED), context
        seconds = time.perf_counter() - start
        query = getattr(new_context, "query", None)
        operation = getattr(query, "operation", None)
        items = tuple(i.official[0] if i.official else i.surface for i in getattr(query, "items", None) or ())
        scoped = sum(scope.keeps(d) for d in docs) if scope.active else None
        log.info("chat answered %r: %s in %.3f s", asked, answer.status, seconds)
        return Turn(shown or asked, asked, answer, context, operation, scoped, seconds, items=items), new_context

    @staticmethod
    def options(answer) -> list[Option]:
        """A clarify answer's options with the documents they stand for (the engine names them,
        telling apart two that read alike by file name, and gives their ids)."""
        return [Option(label, i) for label, i in zip(answer.options, answer.option_ids)]

    def choose(self, question: str, option: Option, context: Context | None, scope: Scope,
               docs: list[DocumentSummary], shown: str) -> tuple[Turn, Context | None]:
        """A clarify choice. The question is asked again naming the document (issuer and year, so a
        change across years can still reach the year before); if that does not answer from the
        chosen document (documents without an issuer, two that read the same), it is asked of
        that document alone."""
        turn, new_context = self.ask(f"{question}（{option.label}）", context, scope, docs, shown)
        if option.doc_id is None or _answers_from(turn.answer, option.doc_id):
            turn.chosen = option.label
            return turn, new_context
        only = Scope(scope.issuers, scope.years, (option.doc_id,))
        turn, new_context = self.ask(question, context, only, docs, shown)
        turn.scoped, turn.chosen = None, option.label
        return turn, new_context

    def disclosure(self, doc_id: str) -> Disclosure:
        """A stored document, parsed once (documents never change: their id is their content hash)."""
        with self._lock:
            found = self._disclosures.get(doc_id)
        if found is None:
            found = self.store.get(doc_id)
            with self._lock:
                if len(self._disclosures) >= _DISCLOSURES_KEPT:
                    self._disclosures.pop(next(iter(self._disclosures)))
                self._disclosures[doc_id] = found
        return found

    def suggestions(self, scope: Scope, docs: list[DocumentSummary]) -> list:
        from app.chat.suggest import suggest

        key = (scope, signature(docs))
        with self._lock:
            cached = self._suggestions.get(key)
        if cached is None:
            engine = self.engine(scope, docs)
            cached = suggest(engine, engine.documents(), self.glossary)
            with self._lock:
                self._suggestions[key] = cached
        return cached

    def short_names(self, docs: list[DocumentSummary]) -> dict[str, str]:
        """Each document's issuer as people say it (云岭街道), worked out once per document list."""
        from app.chat.suggest import short_issuer

        key = ("names", signature(docs))
        with self._lock:
            cached = self._suggestions.get(key)
        if cached is None:
            by_issuer: dict[str | None, str] = {}
            for d in docs:
                if d.issuer not in by_issuer:
                    by_issuer[d.issuer] = short_issuer(d, docs, self.glossary) if d.issuer else ""
            cached = {d.doc_id: by_issuer[d.issuer] or d.title for d in docs}
            with self._lock:
                self._suggestions[key] = cached
        return cached

    def index(self) -> ChunkIndex:
        """The chunk index, opened (and its embedding model loaded) on the first upload only."""
        if self._index is None:
            index = ChunkIndex.from_settings(self.settings)
            index.check()
            self._index = index
        return self._index

    def upload(self, files: list[tuple[str, bytes]],
               on_file: Callable[[int, str], None] | None = None) -> list[UploadOutcome]:
        """Save and ingest uploaded files, one at a time (one ingest per process at a time)."""
        from ingest.errors import BudgetQAError

        outcomes = []
        with self._ingest_lock:
            for i, (name, data) in enumerate(files):
                if on_file:
                    on_file(i, name)
                try:
                    document = ingest_upload(name, data, self.upload_folder, self.store, self.index)
                    outcomes.append(UploadOutcome(name, document=document))
                except BudgetQAError as exc:
                    log.warning("upload %r refused: %s", name, exc.detail)
                    outcomes.append(UploadOutcome(name, error=exc.message))
                except OSError as exc:
                    log.exception("upload %r failed", name)
                    outcomes.append(UploadOutcome(
                        name, error=f"无法保存文件“{name}”到数据目录（{exc.strerror or exc}），未导入。"))
                except Exception:  # noqa: BLE001 - the edge: one bad file must not take the page down
                    log.exception("upload %r failed", name)
                    outcomes.append(UploadOutcome(
                        name, error=f"导入文件“{name}”时出错，未导入；详情已记入数据目录中的 budgetqa.log。"))
        return outcomes

    def page_crop(self, turn: Turn, docs: list[DocumentSummary]):
        """The original page region of the answer's first figure or quoted sentence (None: none)."""
        from app.chat.pagecrop import answer_page

        return answer_page(self.settings.home, turn.answer, turn.sources or [], docs)
