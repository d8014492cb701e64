"""`budgetqa` command line. Errors become output here: Chinese for users, English in the log."""

from __future__ import annotations

import argparse
import json
import logging
import sqlite3
import sys
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table as RichTable

from app.cli_bench import add_bench_parser
from app.cli_eval import cmd_eval
from app.library import expand_paths, ingest_paths, reindex_all, remove_document, remove_part
from app.render import render_table
from app.settings import Settings
from app.terminal import check_home, read_questions, safe, setup_logging
from index.facts import FactStore
from index.store import ChunkIndex
from ingest.errors import BudgetQAError, NotFoundError, StoreError

log = logging.getLogger("budgetqa")
PROGRESS_FROM = 3  # files; fewer finish before a bar would help


def _writable_store(settings: Settings) -> FactStore:
    """The fact store for a command that writes: a read-only data folder is refused before any work."""
    store = FactStore(settings.home)
    if store.read_only:
        raise StoreError(f"数据目录（{settings.home}）只读，不能导入、删除或重建索引；提问和查看不受影响。",
                         f"{settings.home}: read-only data folder")
    return store


def cmd_ingest(args, settings: Settings, out: Console, err: Console) -> int:
    store = _writable_store(settings)
    index = ChunkIndex.from_settings(settings)
    index.check()  # a mismatched embedding model stops here, before any file is read
    files, _ = expand_paths(args.paths)
    if len(files) >= PROGRESS_FROM and not args.json:
        with Progress(TextColumn("导入中"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.description}"),
                      console=err, transient=True) as progress:
            task = progress.add_task("", total=len(files))

            def advance(path: Path) -> None:
                progress.update(task, advance=1, description=escape(safe(path.name)))

            report = ingest_paths(args.paths, store, on_file=advance, index=index)
    else:
        report = ingest_paths(args.paths, store, index=index)
    if args.json:
        out.print_json(json.dumps(report.to_dict(), ensure_ascii=False))
    else:
        _print_ingest(report, out)
    return 0 if report.documents or not report.skipped else 1


def _columns(table: RichTable, names: tuple[str, ...]) -> None:
    """Document ids are never cut (they are what show/remove take); long text folds onto new lines."""
    for name in names:
        if name == "文档ID":
            table.add_column(name, no_wrap=True, min_width=12)
        else:
            table.add_column(name, overflow="fold")


def _print_ingest(report, out: Console) -> None:
    if report.documents:
        table = RichTable(title="导入结果")
        _columns(table, ("文档ID", "标题", "发布单位", "年度", "类型", "表格", "数字", "提示", "状态"))
        for d in report.documents:
            table.add_row(d.doc_id, escape(safe(d.title)), escape(safe(d.issuer or "—")), str(d.year or "—"),
                          f"{d.scope or ''}{d.kind or ''}", str(d.tables), str(d.facts), str(len(d.warnings)),
                          {"added": "新导入", "reindexed": "已存在，补建索引"}.get(d.status, "已存在，未改变"))
        out.print(table)
        for d in report.documents:
            if len(d.files) > 1:  # a split document: its parts were joined
                out.print(f"合并为一个文档 {d.doc_id}：" + " + ".join(escape(safe(f)) for f in d.files))
        for d in report.documents:
            for warning in d.warnings:
                out.print(f"[yellow]提示[/yellow] {d.doc_id}：{escape(safe(warning))}")  # document text is not markup
    for s in report.skipped:
        out.print(f"[red]跳过[/red] {escape(safe(s.path))}：{escape(safe(s.reason))}")
    out.print(f"共导入 {len(report.documents)} 个文档，跳过 {len(report.skipped)} 个。")


def _resolve(store: FactStore, ref: str):
    found = store.find(ref)
    if not found:
        raise NotFoundError(f"没有找到与“{ref}”匹配的文档。可用 budgetqa docs 查看已导入的文档。",
                            f"no document matches {ref!r}")
    if len(found) > 1:
        names = "；".join(f"{d.doc_id} {safe(d.title)}" for d in found)
        raise NotFoundError(f"有多个文档与“{ref}”匹配，请用文档ID指定：{names}", f"ambiguous reference {ref!r}")
    return store.get(found[0].doc_id)


def cmd_show(args, settings: Settings, out: Console, err: Console) -> int:
    disclosure = _resolve(FactStore(settings.home), args.doc)
    if args.table is None:
        out.print(safe(f"{disclosure.title}（{disclosure.doc_id}）"), markup=False)
        out.print(f"发布单位：{safe(disclosure.issuer or '未识别')}  地区：{safe(disclosure.region or '未识别')}  "
                  f"年度：{disclosure.year or '未识别'}  类型：{disclosure.scope or ''}{disclosure.kind or ''}", markup=False)
        if len(disclosure.files) > 1:  # a split document: say which file each table is printed in
            out.print(safe("文件：" + "、".join(disclosure.files)), markup=False)
        for t in disclosure.tables:
            pages = f"  第{t.page_start}页" if t.page_start else ""
            pages += f"（{t.file}）" if t.file else ""
            state = "（空表）" if t.is_empty else f"{len(t.rows)}行"
            out.print(safe(f"  {t.key}  {t.title}{'（' + t.part + '）' if t.part else ''}  {state}{pages}"), markup=False)
        return 0
    tables = [t for t in disclosure.tables if args.table in (t.key, t.number) or
              (t.key.startswith(args.table + "·"))]
    if not tables:
        keys = "、".join(t.key for t in disclosure.tables)
        raise NotFoundError(f"文档中没有表“{args.table}”。可选：{keys}", f"no table {args.table!r}")
    for t in tables:
        out.print("\n".join(safe(line) for line in render_table(t).split("\n")), markup=False, highlight=False)
        out.print()
    return 0


def cmd_docs(args, settings: Settings, out: Console, err: Console) -> int:
    docs = FactStore(settings.home).documents()
    if args.json:
        out.print_json(json.dumps([d.__dict__ for d in docs], ensure_ascii=False))
        return 0
    table = RichTable(title=f"已导入文档（{settings.home}）")
    _columns(table, ("文档ID", "标题", "发布单位", "年度", "类型", "表格", "数字", "来源文件"))
    for d in docs:
        table.add_row(d.doc_id, escape(safe(d.title)), escape(safe(d.issuer or "—")), str(d.year or "—"),
                      f"{d.scope or ''}{d.kind or ''}", str(d.tables), str(d.facts), escape(safe(d.source)))
    out.print(table)
    return 0


def cmd_remove(args, settings: Settings, out: Console, err: Console) -> int:
    store = _writable_store(settings)
    index = ChunkIndex.from_settings(settings)
    holder = store.part_holder(Path(args.doc).name)
    found = [] if holder else store.find(args.doc)
    if len(found) > 1:
        names = "；".join(f"{d.doc_id} {d.title}" for d in found)
        raise NotFoundError(f"有多个文档与“{args.doc}”匹配，请用文档ID指定：{names}", f"ambiguous reference {args.doc!r}")
    # A document only the chunk index still holds (an interrupted ingest) is removed by its exact id.
    doc_id = found[0].doc_id if found else args.doc
    # A file name that is one part of a split document removes that part only.
    removed = remove_part(holder, Path(args.doc).name, store, index) if holder else remove_document(doc_id, store, index)
    if args.json:
        out.print_json(json.dumps({"removed": {"doc_id": removed.doc_id, "title": removed.title,
                                               "chunks": removed.chunks}}, ensure_ascii=False))
    else:
        out.print(f"已删除文档 {removed.doc_id} {safe(removed.title)}（事实库、向量库、关键词索引，共 {removed.chunks} 个片段）。",
                  markup=False)
    return 0


def cmd_reindex(args, settings: Settings, out: Console, err: Console) -> int:
    store = _writable_store(settings)
    index = ChunkIndex.from_settings(settings)
    with Progress(TextColumn("重建索引"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.description}"),
                  console=err, transient=True) as progress:
        task = progress.add_task("", total=len(store.documents()))
        total = reindex_all(store, index, lambda d: progress.update(task, advance=1, description=escape(safe(d.title))))
    out.print(f"已用嵌入模型“{index.embeddings.model_name}”重建检索索引：{len(store.documents())} 个文档，"
              f"{total} 个片段。", markup=False)
    return 0


def cmd_ask(args, settings: Settings, out: Console, err: Console) -> int:
    if args.batch is not None:
        questions = read_questions(args.batch)  # encoding detected; blank lines kept, answered as errors
    elif args.question is not None:
        questions = [args.question]
    else:
        raise NotFoundError("请给出一个问题，或用 --batch 指定问题文件（每行一个问题）。", "ask: no question")
    engine = []  # opened on the first real question
    failed = 0
    for question in questions:
        answer = _answer_one(question, engine, settings, with_related=args.json)
        failed += answer.status == "error"
        if args.json:  # one JSON object per line, per question
            sys.stdout.write(json.dumps(answer.to_dict(), ensure_ascii=False) + "\n")
            sys.stdout.flush()
        else:
            _print_answer(answer, out, with_question=len(questions) > 1)
    return 2 if questions and failed == len(questions) else 0


def _answer_one(question: str, engine: list, settings: Settings, with_related: bool = True):
    """One line's answer; any failure is this line's `error` answer and the batch goes on."""
    from app.answer.compose import Answer

    if not question.strip():
        return Answer(question=question, status="error", text="这一行是空的，没有问题可回答。")
    try:
        if not engine:
            from app.engine import Engine

            # the printed answer shows no related sections: the index is not opened for it
            engine.append(Engine(FactStore(settings.home), with_related=with_related))
        return engine[0].ask(question.strip())
    except BudgetQAError as exc:
        log.error("ask %r failed: %s", question, exc.detail)
        return Answer(question=question, status="error", text=exc.message)
    except (Exception, RecursionError) as exc:  # a defect of ours must not cost the other questions
        log.exception("ask %r failed", question)
        return Answer(question=question, status="error",
                      text=f"回答这个问题时出现内部错误（{type(exc).__name__}），详情见 budgetqa.log。")


def _print_answer(answer, out: Console, with_question: bool) -> None:
    if with_question:
        out.print(f"问：{safe(answer.question)}", markup=False, style="bold")
    label = {"answered": "", "no_answer": "[yellow]无法回答[/yellow] ", "clarify": "[yellow]请说明[/yellow] ",
             "error": "[red]错误[/red] "}
    out.print(label.get(answer.status, ""), end="")
    out.print(safe(answer.text), markup=False, highlight=False)
    if answer.calculation:
        out.print(f"计算：{answer.calculation}", markup=False, highlight=False, style="dim")
    for source in answer.to_dict()["sources"]:
        out.print(safe(f"来源：{source['title']} · {source['locator']}"), markup=False, highlight=False, style="dim")
    if with_question:
        out.print()


def cmd_audit(args, settings: Settings, out: Console, err: Console) -> int:
    from app.audit import RULES
    from app.audit.stored import stored_report

    if args.precision:
        return _print_precision(args, out)
    store = FactStore(settings.home)
    report = stored_report(store, _resolve(store, args.doc) if args.doc else None)  # findings kept at ingest
    docs = report["documents"]
    if args.json:
        out.print_json(json.dumps(report, ensure_ascii=False))
        return 0
    if not docs:
        out.print("数据目录中还没有文档。可用 budgetqa ingest 导入。", markup=False)
    for d in report["documents"]:
        out.print(f"{d['title']}（{d['doc_id']}，{d['source']}）：{len(d['findings'])} 条发现", markup=False)
        for f in d["findings"]:
            where = "；".join(dict.fromkeys(x["locator"] for x in f["figures"] if x["locator"]))
            out.print(f"  [{f['rule']} {_SEVERITY[f['severity']]}] {f['message']}" + (f"（{where}）" if where else ""),
                      markup=False, highlight=False)
    out.print("规则：" + "；".join(f"{r.id} {r.description}" for r in RULES.values()), markup=False, style="dim")
    return 0


def cmd_doctor(args, settings: Settings, out: Console, err: Console) -> int:
    from app.doctor import diagnose, print_diagnosis, repair

    diagnosis = diagnose(settings)
    if args.repair and not diagnosis.ok:
        diagnosis = repair(settings, diagnosis)
    if args.json:
        out.print_json(json.dumps(diagnosis.to_dict(), ensure_ascii=False))
    else:
        print_diagnosis(diagnosis, lambda text: out.print(safe(text), markup=False, highlight=False))
    return 0 if diagnosis.ok else 1


def cmd_chat(args, settings: Settings, out: Console, err: Console) -> int:
    from app.chat.launch import run_chat

    return run_chat(settings, args.port, lambda text: out.print(text, markup=False, highlight=False))


def cmd_feedback(args, settings: Settings, out: Console, err: Console) -> int:
    from app.chat.history import feedback_report

    report = feedback_report(settings.home)
    if args.json:
        out.print_json(json.dumps(report, ensure_ascii=False))
        return 0
    out.print(f"共 {len(report['feedback'])} 条反馈：👍 {report['up']}，👎 {report['down']}。", markup=False)
    for f in report["feedback"]:
        mark = "👍" if f["rating"] == "up" else "👎"
        out.print(f"{f['created']} {mark} 问：{f['question']}", markup=False, highlight=False)
        out.print(f"    答：{f['answer'].get('answer', '')}", markup=False, highlight=False)
        if f["comment"]:
            out.print(f"    意见：{f['comment']}", markup=False, highlight=False)
    return 0


_SEVERITY = {"error": "错误", "warning": "警告", "info": "提示"}


def _print_precision(args, out: Console) -> int:
    from app.audit import RULES
    from app.audit.precision import precision

    report = precision(args.precision)
    if args.json:
        out.print_json(json.dumps(report.to_dict(), ensure_ascii=False))
        return 0
    table = RichTable(title=f"审核规则准确率（人工核验：{args.precision}）")
    _columns(table, ("规则", "说明", "发现", "人工确认", "误报", "未核验", "准确率"))
    for rule, c in sorted(report.rules.items()):
        table.add_row(rule, RULES[rule].description, str(c.produced), str(c.confirmed), str(c.false_positive),
                      str(c.unjudged), "—" if c.precision is None else f"{c.precision:.0%}")
    total = sum(c.produced for c in report.rules.values())
    confirmed = sum(c.confirmed for c in report.rules.values())
    table.add_row("合计", "", str(total), str(confirmed), str(sum(c.false_positive for c in report.rules.values())),
                  str(sum(c.unjudged for c in report.rules.values())), f"{confirmed / total:.0%}" if total else "—")
    out.print(table)
    for file, rule, message in report.unjudged:
        out.print(f"[yellow]未核验[/yellow] {file} {rule}：{message}", highlight=False)
    for file, rule, message in report.missing:
        out.print(f"[yellow]已不再出现[/yellow] {file} {rule}：{message}", highlight=False)
    return 0


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--home", help="数据目录（默认：环境变量 BUDGETQA_HOME，否则 ./budgetqa-data）")
    parser = argparse.ArgumentParser(prog="budgetqa", description="预算、决算公开文件问答：每个数字都有出处、经过核验。")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("ingest", parents=[common], help="导入文件或文件夹")
    p.add_argument("paths", nargs="+", type=Path)
    p.add_argument("--json", action="store_true", help="输出 JSON")
    p.set_defaults(func=cmd_ingest)
    p = sub.add_parser("show", parents=[common], help="按原文版式显示解析出的表格")
    p.add_argument("doc", help="文档ID（前缀即可），或标题、发布单位、文件名中的文字")
    p.add_argument("--table", help="表号或表键，如 表五、表一·收入、5")
    p.set_defaults(func=cmd_show)
    p = sub.add_parser("docs", parents=[common], help="列出已导入的文档")
    p.add_argument("--json", action="store_true", help="输出 JSON")
    p.set_defaults(func=cmd_docs)
    p = sub.add_parser("remove", parents=[common], help="从事实库、向量库和关键词索引中删除一个文档")
    p.add_argument("doc", help="文档ID（前缀即可），或标题、发布单位、文件名中的文字")
    p.add_argument("--json", action="store_true", help="输出 JSON")
    p.set_defaults(func=cmd_remove)
    p = sub.add_parser("reindex", parents=[common], help="用当前嵌入模型重建检索索引（更换 BUDGETQA_EMBEDDING_MODEL 后）")
    p.set_defaults(func=cmd_reindex)
    p = sub.add_parser("doctor", parents=[common], help="检查事实库、关键词索引和向量库是否完好、彼此一致；--repair 修复")
    p.add_argument("--repair", action="store_true", help="修复发现的问题（重建索引、删除孤立片段、从原始文件恢复损坏的事实库）")
    p.add_argument("--json", action="store_true", help="输出 JSON")
    p.set_defaults(func=cmd_doctor)
    p = sub.add_parser("eval", parents=[common], help="按评测文件评测：问答准确率（按类型）、数字可追溯性、检索 recall@k 和延迟")
    p.add_argument("golden", type=Path, help="评测文件，如 tests/golden/qa_seed.yaml 或 tests/golden/retrieval.yaml")
    p.add_argument("--k", type=int, default=5, help="recall@k 的 k（默认 5）")
    p.add_argument("--json", action="store_true", help="输出 JSON")
    p.set_defaults(func=cmd_eval)
    p = sub.add_parser("ask", parents=[common], help="提问：答案中的每个数字都来自表格或经核验的计算")
    p.add_argument("question", nargs="?", help="问题，如 “三公经费比上年减少多少？”")
    p.add_argument("--batch", type=Path, metavar="FILE", help="问题文件，每行一个问题；--json 时每行输出一个 JSON 对象")
    p.add_argument("--json", action="store_true", help="输出 JSON（DESIGN.md 约定的格式）")
    p.set_defaults(func=cmd_ask)
    p = sub.add_parser("audit", parents=[common], help="审核已导入文档：表内、表间和说明与表格的一致性")
    p.add_argument("doc", nargs="?", help="只审核这个文档（文档ID前缀，或标题、发布单位、文件名中的文字）")
    p.add_argument("--json", action="store_true", help="输出 JSON")
    p.add_argument("--precision", type=Path, metavar="FILE.yaml",
                   help="按人工核验文件统计各规则的发现数、确认数和准确率（直接解析文件中列出的文档）")
    p.set_defaults(func=cmd_audit)
    p = sub.add_parser("chat", parents=[common], help="在本机 127.0.0.1 上打开聊天界面（Streamlit）")
    p.add_argument("--port", type=int, default=8501, help="端口（默认 8501）")
    p.set_defaults(func=cmd_chat)
    p = sub.add_parser("feedback", parents=[common], help="列出聊天界面中对答案的评价（👍/👎、意见、问题和答案）")
    p.add_argument("--json", action="store_true", help="输出 JSON")
    p.set_defaults(func=cmd_feedback)
    add_bench_parser(sub, common)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = Settings.load(args.home)
    out, err = Console(soft_wrap=True), Console(stderr=True, soft_wrap=True)  # messages unwrapped
    try:
        check_home(settings.home)
        setup_logging(settings.home)
        return args.func(args, settings, out, err)
    except KeyboardInterrupt:
        log.warning("%s interrupted (Ctrl+C)", args.command)
        err.print("已中断（Ctrl+C）。已写入的数据保持完整，各存储一致。", markup=False, highlight=False)
        return 130
    except BudgetQAError as exc:
        log.error("%s failed: %s", args.command, exc.detail)
        err.print(f"[red]错误[/red]：{escape(safe(exc.message))}")
        return 2
    except sqlite3.DatabaseError as exc:  # a store file damaged while in use
        log.exception("%s failed", args.command)
        err.print(f"[red]错误[/red]：数据目录 {escape(safe(settings.home))} 中的数据库无法读写（{escape(safe(exc))}）。"
                  "可运行 budgetqa doctor 检查，budgetqa doctor --repair 修复。")
        return 2
    except OSError as exc:
        log.exception("%s failed", args.command)
        reason = "磁盘空间不足" if exc.errno == 28 else str(exc.strerror or exc)
        err.print(f"[red]错误[/red]：无法读写数据目录 {escape(safe(settings.home))}（{escape(safe(reason))}）。")
        return 2
    except Exception as exc:  # a defect of ours: a Chinese line here, the traceback in the log
        log.exception("%s failed", args.command)
        err.print(f"[red]错误[/red]：出现内部错误（{type(exc).__name__}），详情见 budgetqa.log。")
        return 2


if __name__ == "__main__":
    sys.exit(main())
