"""The answering stage: question → Query → Program → Result → Answer.

understand (question → Query) · candidates (facts that may answer) · plan, plan_counts,
plan_common (Query → Program) · calc (Decimal calculator) · compose (→ Answer) · verify (tracing
and identity checks) · passages (text answers) · parts (breakdowns) · glossary (vocabulary).
The engine (app/engine.py) runs them in that order.
"""
