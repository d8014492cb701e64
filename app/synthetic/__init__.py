"""Synthetic disclosures with known figures, and questions over them with their answers.

    from app.synthetic import generate_corpus, write_questions
    corpus = generate_corpus(50, seed=7)                       # Corpus: issuers' profiles and TruthDocuments
    written = corpus.write(folder, formats=("txt", "pdf"))     # one file per document + truth.jsonl
    questions = corpus.questions(written)                      # Question list (expected answers in Decimal)
    write_questions(questions, folder / "questions.yaml")      # the golden-file format `budgetqa eval` reads

Every figure a generated document prints or states is in its TruthDocument; every question's
expected answer is computed in Decimal from that truth, in the format of app.eval_answers.AnswerCase.
Nothing here is a real body: issuers, places and people are invented (names.py).

Modules, in the order data flows:
  names.py, subjects.py   invented issuers; the standard function / economic subject codes
  figures.py              an issuer's profile and each year's amounts (预算, and a 决算 near it)
  layout.py               how a document prints its tables (numbering, titles, headers, codes, unit line)
  tables.py, tables_summary.py   the standard tables as printed, with a TruthCell per figure
  narrative.py            the 情况说明, restating figures (and contradicting one, recorded)
  document.py             one TruthDocument; corpus.py many, with their files and questions
  write_txt.py, write_xlsx.py, write_pdf.py (writers.py chooses)   the file formats
  questions.py, phrasing.py   questions of every operation family and their expected answers
  consistency.py          the identities the truth keeps; roundtrip.py compares a parsed document with it
  harness.py              ingest (app.library) → ask (app.engine) → score (app.eval_answers), failure reports
"""

from app.synthetic.corpus import Corpus, generate_corpus, write_questions
from app.synthetic.questions import Question

__all__ = ["Corpus", "Question", "generate_corpus", "write_questions"]
