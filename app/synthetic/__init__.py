"""Synthetic disclosures with known figures, and questions over them with their answers.

    from app.synthetic import generate_corpus, questions_for
    corpus = generate_corpus(50, seed=7)          # Corpus: profiles and TruthDocuments
    corpus.write(folder, formats=("txt",))       # files, truth.jsonl, questions.yaml

Every figure a generated document prints or states is in its TruthDocument; every question's
expected answer is computed in Decimal from that truth, in the format app.eval_answers scores.
Nothing here is a real body: issuers, places and people are invented (app/synthetic/names.py).
"""
