"""One lock and one change counter for the chunk index, shared by every process on a data directory.

Chroma's embedded store is not safe for two processes at once: a query that runs while
another process writes fails ("Error creating hnsw segment reader: Nothing found on disk"),
and a long-lived client keeps answering from its in-memory HNSW after another process has
deleted chunks (measured with chromadb 1.5.9; chroma issue #7040 reports a second
PersistentClient waiting ~16 minutes). So every touch of the index, read or write, holds an
exclusive `flock` on `index.lock` for the few milliseconds it takes, and gives up with a
Chinese message after a timeout instead of hanging. Writers embed their chunks before they
take the lock, so the chat waits at most one document's write.

Each write bumps `index.generation`; a process that sees a generation other than the one
its client was opened at reopens the client (and reloads the keyword index) before it reads.
The OS drops an flock when its process dies, so a killed ingest leaves no stale lock.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from ingest.errors import StoreBusyError

WRITE_TIMEOUT = 120.0  # seconds an ingest waits for another ingest's document write
READ_TIMEOUT = 30.0  # seconds a question waits before it is told the index is busy
_POLL = 0.02


class IndexLock:
    """Exclusive, re-entrant within a process, timed; plus the generation counter."""

    def __init__(self, home: Path):
        self.home = Path(home)
        self.path = self.home / "index.lock"
        self.generation_path = self.home / "index.generation"
        self._thread_lock = threading.RLock()
        self._depth = 0
        self._fd: int | None = None

    @contextmanager
    def hold(self, timeout: float = READ_TIMEOUT, purpose: str = "read"):
        if not self._thread_lock.acquire(timeout=timeout):
            raise self._busy(purpose, timeout)
        try:
            if self._depth == 0:
                self._acquire_file(timeout, purpose)
            self._depth += 1
            try:
                yield self
            finally:
                self._depth -= 1
                if self._depth == 0:
                    self._release_file()
        finally:
            self._thread_lock.release()

    def _acquire_file(self, timeout: float, purpose: str) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                self._fd = fd
                return
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise self._busy(purpose, timeout) from None
                time.sleep(_POLL)

    def _release_file(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def _busy(self, purpose: str, timeout: float) -> StoreBusyError:
        what = "写入" if purpose == "write" else "读取"
        return StoreBusyError(
            f"检索索引正被另一个程序占用（例如正在导入文件），等待 {timeout:.0f} 秒后仍无法{what}。请稍后再试。",
            f"index lock {self.path} not acquired for {purpose} within {timeout}s",
        )

    def generation(self) -> int:
        try:
            return int(self.generation_path.read_text().strip() or 0)
        except (FileNotFoundError, ValueError):
            return 0

    def bump(self) -> int:
        """Call while holding the lock, after a write: readers reload before their next read."""
        new = self.generation() + 1
        tmp = self.generation_path.with_suffix(f".tmp{os.getpid()}")
        tmp.write_text(str(new))
        os.replace(tmp, self.generation_path)
        return new
