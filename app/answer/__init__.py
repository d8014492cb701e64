"""The answering stage: question → Query → Program → Result → Answer.

understand, operations (question → Query) · candidates (facts that may answer) · plan, plan_counts,
plan_common (Query → Program) · calc (Decimal calculator) · compose (→ Answer) · verify (tracing)
· identity, names, sanity, bodies (is the answer the figure asked for, and can it be true) · passages (text answers) · parts (breakdowns) · glossary (vocabulary).
The engine (app/engine.py) runs them in that order.
"""
