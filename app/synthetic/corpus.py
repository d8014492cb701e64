"""A corpus of generated disclosures: issuers with one or two documents (two years of 预算, or the
预算 and 决算 of one year), written as files with their truth and questions.

    corpus = generate_corpus(50, seed=7)
    written = corpus.write(folder, formats=("txt", "xlsx", "pdf"))   # one file per document
    questions = corpus.questions(written)                             # Question list

Files: one per document, its format chosen in turn from `formats`; `truth.jsonl` (one
TruthDocument per line, with its file name) and `questions.yaml` (the golden-file format that
`budgetqa eval` and app.eval_answers read).
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

import yaml

from app.synthetic.document import document_figures, make_document
from app.synthetic.figures import Profile, make_profile
from app.synthetic.model import TruthDocument
from app.synthetic.names import issuer
from app.synthetic.questions import CorpusView, Question, questions_for

FIRST_YEAR, LAST_YEAR = 2016, 2026
FORMATS = ("txt", "xlsx", "pdf")


@dataclass
class Entry:
    profile: Profile
    doc: TruthDocument


@dataclass
class Corpus:
    seed: int
    entries: list[Entry]
    outsiders: list[str]

    def view(self) -> CorpusView:
        covered: dict[tuple[str, str], set[int]] = {}
        for e in self.entries:
            d = e.doc
            covered.setdefault((d.issuer, d.kind), set()).add(d.year)
            if d.kind == "预算":
                covered[(d.issuer, "预算")].add(d.year - 1)  # the 上年 column
            else:
                covered.setdefault((d.issuer, "预算"), set()).add(d.year)  # the 三公 预算数 column
        districts = [e.doc.district_name for e in self.entries]
        owners: dict[str, set[str]] = {}
        for e in self.entries:
            owners.setdefault(e.doc.district_name, set()).add(e.doc.issuer)
        unique = {d for d in districts if len(owners[d]) == 1}
        documents: dict[str, int] = {}
        for e in self.entries:
            documents[e.doc.issuer] = documents.get(e.doc.issuer, 0) + 1
        return CorpusView(issuers={e.doc.issuer for e in self.entries}, covered=covered, unique_district=unique,
                          outsiders=self.outsiders, documents=documents)

    def write(self, folder: Path, formats: tuple[str, ...] = ("txt",)) -> dict[str, str]:
        """Write every document (format by turns) and truth.jsonl; doc_key → file name."""
        from app.synthetic.writers import write_document

        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        written = {}
        with open(folder / "truth.jsonl", "w", encoding="utf-8") as truth:
            for i, e in enumerate(self.entries):
                path = write_document(e.doc, folder, formats[i % len(formats)])
                written[e.doc.doc_key] = path.name
                truth.write(json.dumps({"file": path.name, **e.doc.to_dict()}, ensure_ascii=False) + "\n")
        return written

    def questions(self, written: dict[str, str] | None = None) -> list[Question]:
        view = self.view()
        out: list[Question] = []
        for e in self.entries:
            file = (written or {}).get(e.doc.doc_key, e.doc.doc_key + ".txt")
            out += questions_for(e.profile, e.doc, document_figures(e.profile, e.doc), file, view, str(self.seed))
        return out


def generate_corpus(n: int, seed: int = 0) -> Corpus:
    """`n` documents from `seed`: the same arguments always give the same corpus."""
    rng = random.Random(seed)
    entries: list[Entry] = []
    names: set[str] = set()
    while len(entries) < n:
        iss = issuer(rng)
        if iss.full in names or iss.district_name in {e.doc.district_name for e in entries}:
            continue
        names.add(iss.full)
        profile = make_profile(rng, iss, f"{seed}:{len(names)}")
        year = rng.randint(FIRST_YEAR + 1, LAST_YEAR)
        shape = rng.random()
        plan = [(year, "预算")] if shape < 0.5 else [(year, "决算")] if shape < 0.65 else (
            [(year - 1, "预算"), (year, "预算")] if shape < 0.85 else [(year, "预算"), (year, "决算")])
        for y, kind in plan[: n - len(entries)]:
            key = f"syn{seed}-{len(entries) + 1:04d}-{'b' if kind == '预算' else 'f'}{y}"
            entries.append(Entry(profile, make_document(profile, y, kind, key)))
    outsiders = []
    while len(outsiders) < 5:
        other = issuer(rng)
        if other.full not in names:
            outsiders.append(other.full)
    return Corpus(seed=seed, entries=entries, outsiders=outsiders)


def write_questions(questions: list[Question], path: Path, header: str = "") -> None:
    comment = "".join(f"# {line}\n" for line in header.splitlines())
    body = yaml.safe_dump({"questions": [q.to_item() for q in questions]}, allow_unicode=True, sort_keys=False,
                          width=200)
    Path(path).write_text(comment + body, encoding="utf-8")
