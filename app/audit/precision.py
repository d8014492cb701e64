"""Precision of the audit rules against hand verdicts.

The verdict file (YAML) names documents and, for each, every finding the audit produced with
the verdict of a person who checked it against the document:

    corpus: ../../../shared/corpus/real       # relative to this file
    documents:
      - file: shanghai-putuo-….pdf            # in `corpus`, or a path relative to this file
        findings:
          - rule: B03
            message: "说明中…"                 # exactly as the audit prints it
            verdict: confirmed                 # confirmed | false_positive
            note: "p9: …"                      # what was checked on the page

`precision(path)` parses each document, runs the audit, and counts per rule how many findings
were produced, how many are confirmed by hand, how many were judged false, and how many have
no verdict yet (a finding the file does not list); the verdicts the audit no longer produces
are listed as missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import yaml

from app.audit import RULES, audit
from ingest.errors import InputError
from ingest.model import Disclosure
from ingest.pipeline import parse_file

CONFIRMED, FALSE = "confirmed", "false_positive"


@dataclass
class RuleCount:
    produced: int = 0
    confirmed: int = 0
    false_positive: int = 0
    unjudged: int = 0

    @property
    def precision(self) -> float | None:
        judged = self.confirmed + self.false_positive
        return self.confirmed / judged if judged else None


@dataclass
class PrecisionReport:
    rules: dict[str, RuleCount] = field(default_factory=dict)
    unjudged: list[tuple[str, str, str]] = field(default_factory=list)  # (file, rule, message)
    missing: list[tuple[str, str, str]] = field(default_factory=list)  # verdicts not produced any more

    def to_dict(self) -> dict:
        return {"rules": {r: {"description": RULES[r].description, "produced": c.produced,
                              "confirmed": c.confirmed, "false_positive": c.false_positive,
                              "unjudged": c.unjudged, "precision": c.precision}
                          for r, c in sorted(self.rules.items())},
                "unjudged": [{"file": f, "rule": r, "message": m} for f, r, m in self.unjudged],
                "missing": [{"file": f, "rule": r, "message": m} for f, r, m in self.missing]}


def load_verdicts(path: Path) -> tuple[Path, list[dict]]:
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise InputError(f"无法读取核验文件“{path}”。", f"{path}: {exc}") from exc
    corpus = (path.parent / data.get("corpus", ".")).resolve()
    return corpus, list(data.get("documents") or [])


def document_path(corpus: Path, entry: dict, verdict_file: Path) -> Path:
    candidate = corpus / entry["file"]
    return candidate if candidate.exists() else (Path(verdict_file).parent / entry["file"]).resolve()


def precision(path: Path, load: Callable[[Path], Disclosure] = parse_file) -> PrecisionReport:
    """Findings per rule against the hand verdicts in `path`; `load` parses a document (tests pass a cache)."""
    corpus, docs = load_verdicts(path)
    report = PrecisionReport()
    for entry in docs:
        disclosure = load(document_path(corpus, entry, path))
        verdicts = {(v["rule"], v["message"]): v["verdict"] for v in entry.get("findings") or []}
        produced = set()
        for f in audit(disclosure):
            produced.add((f.rule, f.message))
            count = report.rules.setdefault(f.rule, RuleCount())
            count.produced += 1
            verdict = verdicts.get((f.rule, f.message))
            if verdict == CONFIRMED:
                count.confirmed += 1
            elif verdict == FALSE:
                count.false_positive += 1
            else:
                count.unjudged += 1
                report.unjudged.append((entry["file"], f.rule, f.message))
        report.missing += [(entry["file"], r, m) for (r, m) in verdicts if (r, m) not in produced]
    return report
