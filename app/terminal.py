"""What the command line needs around its commands: a log that never stops a command, text that
cannot drive the terminal, and question files read like any document.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from pathlib import Path

from ingest.errors import BudgetQAError, EmptyFileError, InputError
from ingest.limits import MAX_TEXT_BYTES, size_text
from ingest.readers.decode import decode_text

LOG_NAME = "budgetqa.log"
_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

# C0 and C1 controls and DEL (ESC starts terminal sequences: colours, titles, cursor moves),
# and the bidirectional overrides that reorder what is shown.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def safe(text: object) -> str:
    """Text from a file or a file name, fit for a terminal: controls shown as \\x1b, never sent."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                        else f"\\u{ord(m.group()):04x}", str(text)).replace("\n", "\\n").replace("\t", " ")


def check_home(home: Path) -> None:
    if home.exists() and not home.is_dir():
        raise BudgetQAError(f"数据目录“{home}”已存在，但不是文件夹。请用 --home 指定一个文件夹。",
                            f"--home {home} is not a directory")


def setup_logging(home: Path) -> Path | None:
    """Log to the data directory; when it cannot be written (a read-only folder), to the user's
    cache folder; failing that, warnings only, to stderr. Returns the log file used."""
    handler: logging.Handler | None = None
    used = None
    candidates = [home / LOG_NAME, _user_log_dir() / LOG_NAME]
    for i, path in enumerate(candidates):
        try:
            if i == 0 and not home.exists():
                home.mkdir(parents=True, exist_ok=True)
            elif i > 0:
                path.parent.mkdir(parents=True, exist_ok=True)
            handler = logging.FileHandler(path, encoding="utf-8")
            used = path
            break
        except OSError:
            continue
    # a log write that fails (a full disk) must not print logging's own traceback on stderr
    logging.raiseExceptions = False
    root = logging.getLogger()
    if handler is None:
        handler = logging.StreamHandler(sys.stderr)
        handler.setLevel(logging.WARNING)
    handler.setFormatter(logging.Formatter(_FORMAT))
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    return used


def _user_log_dir() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or os.environ.get("XDG_CACHE_HOME")
    return Path(base) / "budgetqa" if base else Path.home() / ".cache" / "budgetqa"


def read_questions(path: Path) -> list[str]:
    """One question per line; the encoding detected as for documents (UTF-8 with or without BOM,
    UTF-16, GB18030, Big5). Blank lines stay (as ''), so answers line up with the file's lines."""
    try:
        size = path.stat().st_size
        if size > MAX_TEXT_BYTES:
            raise InputError(f"问题文件“{path}”过大（{size_text(size)}）。", f"{path}: {size} bytes")
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"无法读取问题文件“{path}”。", f"{path}: {exc}") from exc
    try:
        text = decode_text(data, path.name)
    except EmptyFileError:  # nothing but blank lines: each is still a line to answer
        return [""] * data.count(b"\n")
    text = text.lstrip("\ufeff")
    return [line.strip().lstrip("\ufeff") for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
            ][: None if not text.endswith(("\n", "\r")) else -1]
