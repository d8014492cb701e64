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
    # the optional language model (app/llm/): on only when a base URL is set
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: str | None = None
    llm_timeout: float = 30.0  # seconds per request (BUDGETQA_LLM_TIMEOUT)
    llm_rephrase: bool = False  # BUDGETQA_LLM_REPHRASE=1: the model rewrites verified answers in plain words

    @classmethod
    def load(cls, home: str | Path | None = None) -> "Settings":
        env = os.environ
        return cls(
            home=Path(home or env.get("BUDGETQA_HOME") or "budgetqa-data").expanduser().resolve(),
            chroma_url=env.get("BUDGETQA_CHROMA_URL") or None,
            embedding_model=env.get("BUDGETQA_EMBEDDING_MODEL") or None,
            llm_base_url=env.get("BUDGETQA_LLM_BASE_URL") or None,
            llm_model=env.get("BUDGETQA_LLM_MODEL") or None,
            llm_api_key=env.get("BUDGETQA_LLM_API_KEY") or None,
            llm_timeout=_seconds(env.get("BUDGETQA_LLM_TIMEOUT"), 30.0),
            llm_rephrase=(env.get("BUDGETQA_LLM_REPHRASE") or "").lower() in ("1", "true", "yes", "on"),
        )


def _seconds(text: str | None, default: float) -> float:
    """A positive number of seconds; anything else is the default (a typo must not stop every command)."""
    try:
        value = float(text) if text else default
    except ValueError:
        return default
    return value if value > 0 else default
