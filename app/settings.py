"""The one settings object, read once at the edges (CLI, UI) from BUDGETQA_* variables."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    home: Path
    chroma_url: str | None = None
    embedding_model: str | None = None

    @classmethod
    def load(cls, home: str | Path | None = None) -> "Settings":
        env = os.environ
        return cls(
            home=Path(home or env.get("BUDGETQA_HOME") or "budgetqa-data").expanduser().resolve(),
            chroma_url=env.get("BUDGETQA_CHROMA_URL") or None,
            embedding_model=env.get("BUDGETQA_EMBEDDING_MODEL") or None,
        )
