"""`budgetqa eval GOLDEN.yaml`: golden answers (accuracy by type, traced figures, latency) and
golden retrieval (recall@k, MRR, latency), whichever the file holds.

Exit status 1 when the answers score below the pass mark (app.eval_answers.PASS_MARK), an
answered reply states a figure the verifier cannot trace, or an answered reply marked verified is
wrong (wrong-but-verified, reported as its own figure), so a script or CI can gate on it.
"""

from __future__ import annotations

import json

from rich.console import Console
from rich.markup import escape
from rich.table import Table as RichTable

from typing import TYPE_CHECKING

from app.eval_answers import PASS_MARK, AnswerReport, evaluate_answers, load_answer_cases
from app.settings import Settings
from index.facts import FactStore
from ingest.errors import NotFoundError

if TYPE_CHECKING:  # retrieval loads langchain and the embeddings: only when a file asks for it
    from app.eval import RetrievalReport


def cmd_eval(args, settings: Settings, out: Console, err: Console) -> int:
    from app.engine import Engine
    from app.eval import evaluate_retrieval, load_golden
    from index.store import ChunkIndex

    cases = load_answer_cases(args.golden)
    golden = load_golden(args.golden)
    if not cases and not golden.questions:
        raise NotFoundError(f"评测文件“{args.golden}”中没有问答（questions）或检索问题（retrieval）。",
                            f"{args.golden}: no questions and no retrieval items")
    store = FactStore(settings.home)
    answers = retrieval = None
    if cases:
        answers = evaluate_answers(cases, Engine(store), {d.source for d in store.documents()})
    if golden.questions:
        retrieval = evaluate_retrieval(golden, ChunkIndex.from_settings(settings), store, k=args.k)
    failed = answers is not None and answers.evaluated > 0 and (
        answers.accuracy < PASS_MARK or bool(answers.untraced) or bool(answers.wrong_verified))
    if args.json:
        report = {}
        if answers is not None:
            report["answers"] = answers.to_dict() | {"pass_mark": PASS_MARK, "passed": not failed}
        if retrieval is not None:
            report["retrieval"] = retrieval.to_dict()
        out.print_json(json.dumps(report, ensure_ascii=False))
        return 1 if failed else 0
    if answers is not None:
        _print_answers(answers, out)
    if retrieval is not None:
        _print_retrieval(retrieval, out)
    return 1 if failed else 0


def _print_answers(report: AnswerReport, out: Console) -> None:
    for name in report.missing_files:
        out.print(f"[yellow]未导入[/yellow] {escape(name)}（可用 budgetqa ingest 导入；相关问题未计入）", highlight=False)
    table = RichTable(title=f"问答评测：{report.evaluated}/{report.questions} 个问题")
    for column in ("类型", "答对", "问题数", "准确率"):
        table.add_column(column)
    for kind, (right, asked) in sorted(report.by_type.items()):
        table.add_row(kind, str(right), str(asked), f"{right / asked:.1%}")
    table.add_row("合计", str(report.right), str(report.evaluated), f"{report.accuracy:.1%}")
    out.print(table)
    out.print(f"延迟：p50 {report.latency_p50_ms:.1f} ms，p95 {report.latency_p95_ms:.1f} ms", highlight=False)
    for miss in report.misses:
        out.print(f"[red]答错[/red] {escape(miss.type)}：{escape(miss.question)} → 应为 {escape(miss.expected)}，"
                  f"得到 {escape(miss.status)} {escape(miss.got)}", highlight=False)
    for line in report.untraced:
        out.print(f"[red]数字无法追溯[/red] {escape(line)}", highlight=False)
    for line in report.wrong_verified:
        out.print(f"[red]答错却标为已核验[/red] {escape(line)}", highlight=False)
    out.print(f"答错却标为已核验：{len(report.wrong_verified)} 个（应为 0）", highlight=False)
    verdict = "通过" if report.accuracy >= PASS_MARK and not report.untraced and not report.wrong_verified else "未通过"
    out.print(f"准确率 {report.accuracy:.1%}（及格线 {PASS_MARK:.0%}）：{verdict}", highlight=False)


def _print_retrieval(report: RetrievalReport, out: Console) -> None:
    for alias, path in report.missing_documents.items():
        out.print(f"[yellow]未导入[/yellow] {escape(str(alias))}：{escape(str(path))}（可用 budgetqa ingest 导入；相关问题未计入）",
                  highlight=False)
    table = RichTable(title=f"检索评测：{report.evaluated}/{report.questions} 个问题")
    for column in ("方法", "recall@1", f"recall@{report.k}", "MRR", "延迟 p50 (ms)", "延迟 p95 (ms)", "留出集 recall"):
        table.add_column(column)
    for method, s in report.methods.items():
        holdout = s.by_set.get("holdout")
        table.add_row(method, f"{s.recall_at_1:.3f}", f"{s.recall_at_k:.3f}", f"{s.mrr:.3f}",
                      f"{s.latency_p50_ms:.1f}", f"{s.latency_p95_ms:.1f}", "—" if holdout is None else f"{holdout:.3f}")
    out.print(table)
    for miss in report.misses:
        out.print(f"[red]未命中[/red] {miss.method} {escape(str(miss.doc))}：{escape(miss.question)} → "
                  f"{escape(' / '.join(miss.top))}", highlight=False)
