"""Uploaded files: checked, saved under the data directory with a safe name, then ingested.

A browser sends a file name it chose; nothing of it but a cleaned-up base name reaches the
disk: folders are dropped (no path traversal), characters outside letters, digits, CJK and
a few marks become "_", a leading dot is removed, and the extension is kept (the readers go
by it). A name already taken by different content gets "-2", "-3" …; the same content
again reuses the file (and the fact store, keyed by content hash, changes nothing). A file
that fails to ingest is deleted again, so the uploads folder only holds ingested documents.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path, PurePosixPath
from typing import Callable

from app.library import IngestedDocument, ingest_file
from index.facts import FactStore
from index.store import ChunkIndex
from ingest import limits
from ingest.errors import EmptyFileError, InputError, UnsupportedFormatError
from ingest.pipeline import content_hash, parse_bytes

log = logging.getLogger(__name__)

# The browser's uploader refuses above UPLOAD_LIMIT_MB decimal megabytes, the server above as
# many MiB (server.maxUploadSize, app/chat/launch.py): every file either lets through is checked
# here against the same byte count, and refused with a Chinese reason.
UPLOAD_LIMIT_MB = limits.UPLOAD_LIMIT_MB
UPLOAD_LIMIT = limits.UPLOAD_LIMIT_BYTES
FORMATS = ("pdf", "txt", "html", "htm", "xls", "xlsx")  # what the readers take, as uploads
_UNSAFE = re.compile(r"[^\w\u3000-\u303f\uff08\uff09（）()\-]+")
_STEM_MAX = 80


def safe_name(name: str) -> str:
    """A base name that is safe to create in the uploads folder; the extension kept, lower-cased."""
    base = PurePosixPath(name.replace("\\", "/")).name
    stem, dot, ext = base.rpartition(".")
    if not dot:
        stem, ext = base, ""
    stem = _UNSAFE.sub("_", stem).strip("._- ")[:_STEM_MAX] or "upload"
    ext = re.sub(r"[^a-z0-9]", "", ext.lower())
    return f"{stem}.{ext}" if ext else stem


def check_upload(name: str, size: int) -> None:
    """Type and size, before anything is written: Chinese messages for the sidebar."""
    ext = PurePosixPath(name.replace("\\", "/")).suffix.lower().lstrip(".")
    if ext not in FORMATS:
        allowed = "、".join(f.upper() for f in FORMATS if f != "htm")
        raise UnsupportedFormatError(f"文件“{name}”的类型不受支持，请上传 {allowed} 文件。", f"upload {name!r}: .{ext}")
    if size == 0:
        raise EmptyFileError(f"文件“{name}”是空文件，未导入。", f"upload {name!r}: empty")
    if size > UPLOAD_LIMIT:
        raise InputError(f"文件“{name}”超过 {UPLOAD_LIMIT_MB} MB（{size / 1000 / 1000:.1f} MB），未导入。",
                         f"upload {name!r}: {size} bytes")


def save_upload(folder: Path, name: str, data: bytes) -> tuple[Path, bool]:
    """(path, created): the file written under `folder`, or the existing file with the same bytes."""
    folder.mkdir(parents=True, exist_ok=True)
    wanted = safe_name(name)
    stem, dot, ext = wanted.rpartition(".")
    if not dot:
        stem, ext = wanted, ""
    for n in range(1, 1000):
        candidate = folder / (wanted if n == 1 else f"{stem}-{n}{dot}{ext}")
        if candidate.exists():
            if candidate.is_file() and candidate.read_bytes() == data:
                return candidate, False
            continue
        try:
            with open(candidate, "xb") as out:  # exclusive: another upload cannot take the name meanwhile
                out.write(data)
        except FileExistsError:
            continue
        except OSError:
            candidate.unlink(missing_ok=True)  # a half-written file is no upload
            raise
        return candidate, True
    raise InputError(f"上传文件夹中同名文件过多（“{wanted}”），未导入。", f"no free name for {wanted!r} in {folder}")


def ingest_upload(name: str, data: bytes, folder: Path, store: FactStore,
                  index: Callable[[], ChunkIndex]) -> IngestedDocument:
    """Check, save and ingest one uploaded file (`index` opens the chunk index when needed)."""
    check_upload(name, len(data))
    path, created = save_upload(folder, name, data)
    try:
        # parsed before the chunk index opens: a file that is no disclosure fails without loading
        # the embedding model
        parsed = None if store.has(content_hash(data)) else (data, parse_bytes(data, path))
        document = ingest_file(path, store, index(), parsed=parsed)
    except BaseException:
        if created:
            path.unlink(missing_ok=True)
        raise
    log.info("uploaded %r saved as %s: %s (%s)", name, path, document.doc_id, document.status)
    return document
