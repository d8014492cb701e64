"""A data directory that shares its fact store keeps its own keyword index in step with it.

The deployment past one machine: N chat servers, each with its own data directory (keyword
index, chat history, logs), one PostgreSQL fact store (`BUDGETQA_DATABASE_URL`) and one Chroma
server (`BUDGETQA_CHROMA_URL`). A document ingested through one server reaches the fact store
and the Chroma collection every server reads; the keyword index (BM25 in the data directory) is
the one part each server keeps for itself, so each brings it in step with the fact store:

- `share_collection`: every data directory of one fact store names the same Chroma collection
  (the first to ask records a name in the store; the others adopt it in their `vectors.json`);
- `follow`: when the store's generation (a count of adds and removes) differs from the one this
  data directory last followed, the keyword index gets the chunks of every stored document it
  lacks (cut from the stored disclosure: chunk ids are deterministic, so they are the chunks the
  ingesting server indexed and embedded) and loses those of documents no longer stored. Nothing
  is embedded: the vectors are already on the Chroma server.

A data directory with its own SQLite fact store follows nothing: its ingest writes both.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING

from index.chunks import chunk_disclosure
from ingest.errors import NotFoundError

if TYPE_CHECKING:
    from index.facts import FactStore
    from index.store import ChunkIndex

log = logging.getLogger(__name__)

FOLLOWED = "followed.generation"  # in keywords/: the store and generation the index was brought to


def share_collection(home: Path, store: FactStore) -> str:
    """The Chroma collection of this fact store, recorded in the data directory's `vectors.json`."""
    from index.vectors import collection_name  # local: it loads the embedding stack

    Path(home).mkdir(parents=True, exist_ok=True)
    mine = collection_name(home)  # this directory's own (or a new) name, offered as the store's
    shared = store.claim("collection", mine)
    if shared != mine:
        record = Path(home) / "vectors.json"
        tmp = record.with_suffix(f".tmp{os.getpid()}")
        tmp.write_text(json.dumps({"collection": shared}))
        os.replace(tmp, record)
        log.info("%s: adopted the shared fact store's collection %s (was %s)", home, shared, mine)
    return shared


def shared_store(home: Path) -> FactStore | None:
    """The fact store of this data directory when it is a shared server (None: a SQLite file)."""
    from index.facts import DATABASE_URL_VARIABLE, FactStore

    return FactStore(home) if os.environ.get(DATABASE_URL_VARIABLE) else None


def follow(index: ChunkIndex, store: FactStore) -> int:
    """Bring the keyword index in step with a shared fact store; the number of documents changed."""
    if not store.database_url:
        return 0
    mark_path = index.keywords.dir / FOLLOWED
    generation = store.generation()
    mark = f"{store.location} {generation}"
    try:
        if mark_path.read_text() == mark:
            return 0
    except OSError:
        pass
    stored = {d.doc_id for d in store.documents()}
    changed = 0
    with index.lock.hold(index.write_timeout, "write"):
        held = set(index.keywords.documents())
        for doc_id in sorted(held - stored):
            index.keywords.remove(doc_id, index.lock.bump())
            changed += 1
        complete = True
        for doc_id in sorted(stored - held):
            try:
                disclosure = store.get(doc_id)
            except NotFoundError:  # removed by another server meanwhile: the next generation says so
                complete = False
                continue
            index.keywords.replace(doc_id, chunk_disclosure(disclosure), index.lock.bump())
            changed += 1
        if complete:
            mark_path.write_text(mark)
    if changed:
        log.info("keyword index of %s brought to fact store generation %d: %d documents", index.home, generation,
                 changed)
    return changed
