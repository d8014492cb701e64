"""Reliability battery, slow part: hostile inputs at full size, kills, Ctrl+C, a full disk, parallel questions.

    .venv/bin/python bench/reliability_battery.py [--quick] [--keep DIR]

Every case runs the real `budgetqa` command in its own data directory under a temporary folder
and is judged the same way: no traceback on stdout or stderr, the exit code expected, each bad
input refused with a Chinese reason, documents stored before are still there ("data lost"), and
`budgetqa doctor` finds every store complete and in agreement afterwards ("stores disagree").
Peak memory is the sum of RSS over the command's process tree, sampled every 50 ms; a process
that outlives a killed parent by more than 5 s is a crash. Ends with one line:

    bad inputs tried N, crashes 0, data lost 0, stores disagree 0

and exit 1 if any count is not 0. --quick skips the 1.5 GB sheet and the full-disk and chat cases.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conftest import CORPUS, SAMPLE  # noqa: E402
from bench.battery_procs import group_alive, rss_mb, tree, workers_of  # noqa: E402
from tests.hostile_files import big_sheet, hostile_batch, html_spans, sparse_text, xlsx_bomb, xlsx_far_cell  # noqa: E402

BUDGETQA = [sys.executable, "-m", "app.cli"]
RSS_LIMIT_MB = 1024
OUTLIVE_S = 5.0
PDFS = sorted(CORPUS.glob("shanghai-putuo-*-unit-budget.pdf"))[:3]  # ~150 KB each, a few seconds to parse


class Tally:
    def __init__(self):
        self.tried = self.crashes = self.lost = self.disagree = 0

    def bad(self, kind: str, what: str) -> None:
        setattr(self, kind, getattr(self, kind) + 1)
        print(f"  !! {kind}: {what}")


T = Tally()


def log_reached(home: Path, pattern: str, count: int):
    """A kill moment: when this run has logged `pattern` `count` times (parsing, a write, the next file)."""
    log = home / "budgetqa.log"
    start = log.stat().st_size if log.exists() else 0

    def reached(pid: int) -> bool:
        try:
            with open(log, "rb") as f:
                f.seek(start)
                return f.read().decode(errors="replace").count(pattern) >= count
        except OSError:
            return False
    return reached


def run(args: list[str], home: Path, *, timeout: float = 900, kill_when=None,
        sig: int = signal.SIGKILL, env: dict | None = None) -> dict:
    """One budgetqa command in its own process group: rc, out, err, peak RSS, seconds, survivors."""
    proc = subprocess.Popen(BUDGETQA + args + ["--home", str(home)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            cwd=ROOT, start_new_session=True, env=env)
    start, peak, survivors = time.time(), 0.0, []
    outs: dict[str, bytes] = {}
    reader = threading.Thread(target=lambda: outs.update(zip(("out", "err"), proc.communicate())))
    reader.start()
    while reader.is_alive() and time.time() - start < timeout:
        peak = max(peak, rss_mb(tree(proc.pid)))
        if kill_when is not None and kill_when(proc.pid):
            if sig == signal.SIGKILL:
                os.kill(proc.pid, sig)  # kill -9 of the parent alone: its workers must follow it
            else:
                os.killpg(proc.pid, sig)  # Ctrl+C reaches the whole foreground group
            killed = time.time()
            reader.join(60)
            while time.time() - killed < OUTLIVE_S + 1 and group_alive(proc.pid):
                time.sleep(0.1)
            survivors = group_alive(proc.pid)
            break
        time.sleep(0.05)
    if reader.is_alive():
        os.killpg(proc.pid, signal.SIGKILL)
        reader.join()
        T.bad("crashes", f"{' '.join(args)} hung past {timeout:.0f} s")
    out, err = outs.get("out", b"").decode(errors="replace"), outs.get("err", b"").decode(errors="replace")
    for text in (out, err):
        if "Traceback" in text:
            T.bad("crashes", f"traceback from {' '.join(args[:2])}: {text[text.index('Traceback'):][:300]}")
    if survivors:
        T.bad("crashes", f"{len(survivors)} processes outlived the killed parent by {OUTLIVE_S} s")
        for p in survivors:
            os.kill(p, signal.SIGKILL)
    return {"rc": proc.returncode, "out": out, "err": err, "rss": peak, "s": time.time() - start}


def doctor(home: Path, label: str, repair: bool = False) -> dict:
    result = run(["doctor", "--json"] + (["--repair"] if repair else []), home)
    try:
        report = json.loads(result["out"])
    except ValueError:
        T.bad("crashes", f"{label}: doctor printed no JSON: {result['err'][:200]}")
        return {}
    if not report.get("ok"):
        T.bad("disagree", f"{label}: {json.dumps(report, ensure_ascii=False)[:400]}")
    return report


def stored(home: Path) -> set[str]:
    result = run(["docs", "--json"], home)
    return {d["doc_id"] for d in json.loads(result["out"] or "[]")}


def expect_refused(report: dict, name: str, words: str | None, label: str) -> None:
    T.tried += 1
    reasons = {Path(s["path"]).name: s["reason"] for s in report.get("skipped", [])}
    ingested = {Path(d["path"]).name for d in report.get("documents", [])}
    if words is None:
        if name not in reasons and name not in ingested:
            T.bad("crashes", f"{label}: {name} neither ingested nor skipped")
    elif name not in reasons or words not in reasons[name]:
        T.bad("crashes", f"{label}: {name}: expected a reason with {words!r}, got {reasons.get(name)!r}")


def case_bombs(work: Path, quick: bool) -> None:
    print("== bombs, one per ingest: refused, peak RSS of the process tree, then ask and audit stay fast")
    folder = work / "bombs"
    folder.mkdir()
    makers = [lambda f: xlsx_bomb(f, 2_000_000), xlsx_far_cell, lambda f: html_spans(f), lambda f: sparse_text(f)]
    if not quick:
        makers.append(big_sheet)
    home = work / "bombs-home"
    run(["ingest", str(SAMPLE), "--json"], home)
    for make in makers:
        name, words = make(folder)
        result = run(["ingest", str(folder / name), "--json"], home)
        report = json.loads(result["out"] or "{}")
        expect_refused(report, name, words, "bomb")
        size = (folder / name).stat().st_size
        print(f"  {name}: {size / 1e6:.2f} MB on disk, rc {result['rc']}, {result['s']:.1f} s, peak RSS {result['rss']:.0f} MB")
        if result["rss"] > RSS_LIMIT_MB:
            T.bad("crashes", f"{name}: peak RSS {result['rss']:.0f} MB > {RSS_LIMIT_MB} MB")
    upload = run_python(f"from pathlib import Path\nfrom app.chat.uploads import ingest_upload\nfrom index.facts import FactStore\n"
                        f"p = Path({str(folder / 'bomb.xlsx')!r})\ntry:\n    ingest_upload(p.name, p.read_bytes(), "
                        f"Path({str(work / 'uploads')!r}), FactStore(Path({str(home)!r})), None)\nexcept Exception as e:\n"
                        f"    print(getattr(e, 'message', repr(e)))\n")
    T.tried += 1
    print(f"  upload of bomb.xlsx: {upload['out'].strip()[:90]} (peak RSS {upload['rss']:.0f} MB)")
    if "过大" not in upload["out"] or upload["rss"] > RSS_LIMIT_MB:
        T.bad("crashes", "upload of the XLSX bomb not refused within the memory limit")
    for args in (["ask", "外事办2024年出国经费多少？", "--json"], ["audit", "--json"]):
        result = run(args, home, timeout=120)
        print(f"  {args[0]} after the bombs: rc {result['rc']}, {result['s']:.1f} s, peak RSS {result['rss']:.0f} MB")
    doctor(home, "bombs")


def run_python(code: str) -> dict:
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    peak = 0.0
    while proc.poll() is None:
        peak = max(peak, rss_mb(tree(proc.pid)))
        time.sleep(0.05)
    out, err = proc.communicate()
    if b"Traceback" in err:
        T.bad("crashes", f"traceback: {err.decode()[-300:]}")
    return {"out": out.decode(), "err": err.decode(), "rss": peak}


def case_mixed_batch(work: Path) -> None:
    print("== one batch: good files around every hostile file (2M-cell bomb, truncated and overwritten PDFs …)")
    folder = work / "mixed"
    expected = hostile_batch(folder, bomb_cells=2_000_000)
    shutil.copy(SAMPLE, folder / "00-good.txt")
    shutil.copy(CORPUS / "chongqing-transport-commission-2018-budget.html", folder / "zz-[red]\x1b[31mlast\n.html")
    home = work / "mixed-home"
    result = run(["ingest", str(folder), "--json"], home)
    report = json.loads(result["out"] or "{}")
    for name, words in expected.items():
        expect_refused(report, name, words, "batch")
    names = {Path(d["path"]).name for d in report.get("documents", [])}
    if not {"00-good.txt", "zz-[red]\x1b[31mlast\n.html"} <= names:
        T.bad("lost", f"good files of the batch not ingested: {sorted(names)}")
    print(f"  rc {result['rc']}, {len(report.get('documents', []))} ingested, {len(report.get('skipped', []))} skipped, "
          f"{result['s']:.1f} s, peak RSS {result['rss']:.0f} MB")
    wide = dict(os.environ, COLUMNS="400")  # no folding inside a name
    table = run(["ingest", str(folder)], home, env=wide)  # the summary table and the skipped files' names
    docs = run(["docs"], home, env=wide)  # the source file names: escapes shown as \x1b, markup as text
    T.tried += 1
    if "\x1b" in table["out"] + docs["out"] or "[red]" not in docs["out"]:
        T.bad("crashes", "terminal escapes or markup in file names reached the terminal")
    doctor(home, "mixed batch")


def pdf_folder(work: Path, name: str) -> Path:
    folder = work / name
    folder.mkdir()
    for pdf in PDFS:
        shutil.copy(pdf, folder / pdf.name)
    shutil.copy(SAMPLE, folder / "sample.txt")
    return folder


def case_kills(work: Path) -> None:
    print("== kill -9 of ingest at several moments; Ctrl+C at several moments; a parse worker killed")
    folder = pdf_folder(work, "kill-in")
    moments = [("while the workers parse", None, 0),  # nothing written yet
               ("right after the first keyword index swap", "keyword index rebuilt", 1),
               ("after the first document", "ingested ", 1),
               ("right after the third document was indexed", "indexed ", 3)]
    for i, (label, pattern, count) in enumerate(moments):
        home = work / f"kill-{i}"
        run(["ingest", str(SAMPLE), "--json"], home)
        before = stored(home)
        T.tried += 1
        when = log_reached(home, pattern, count) if pattern else lambda pid: bool(workers_of(pid))
        result = run(["ingest", str(folder), "--json"], home, kill_when=when)
        after_kill = doctor_quiet(home)
        again = run(["ingest", str(folder), "--json"], home)  # the next ingest completes and repairs
        if not before <= stored(home):
            T.bad("lost", f"kill -9 {label} lost documents stored before")
        print(f"  kill -9 {label}: rc {result['rc']}; right after: stores "
              f"{'agree' if after_kill else 'disagree (repaired by the next ingest)'}; next ingest rc {again['rc']}")
        doctor(home, f"after kill -9 {label} and a new ingest")
    for i, (label, pattern, count) in enumerate(moments[1:]):
        home = work / f"int-{i}"
        T.tried += 1
        result = run(["ingest", str(folder), "--json"], home, kill_when=log_reached(home, pattern, count),
                     sig=signal.SIGINT)
        ok = result["rc"] == 130 and "已中断" in result["err"]
        print(f"  Ctrl+C {label}: rc {result['rc']}, {result['err'].strip()[:40]!r}")
        if not ok and result["rc"] != 0:  # 0: it had finished already
            T.bad("crashes", f"Ctrl+C {label}: rc {result['rc']} {result['err'][:200]}")
        doctor(home, f"right after Ctrl+C {label}")
    home = work / "worker-kill"
    proc = subprocess.Popen(BUDGETQA + ["ingest", str(folder), "--json", "--home", str(home)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, cwd=ROOT, start_new_session=True)
    T.tried += 1
    workers: list[int] = []
    for _ in range(600):
        workers = workers_of(proc.pid)
        if workers:
            break
        time.sleep(0.1)
    time.sleep(3)
    if workers:
        os.kill(workers[0], signal.SIGKILL)
    out, err = proc.communicate(timeout=900)
    report = json.loads(out or b"{}")
    print(f"  a parse worker killed: rc {proc.returncode}, {len(report.get('documents', []))} of {len(PDFS) + 1} "
          f"ingested, skipped {[s['reason'][:30] for s in report.get('skipped', [])]}")
    if proc.returncode != 0 or b"Traceback" in err:
        T.bad("crashes", f"a killed worker stopped the batch: rc {proc.returncode} {err.decode()[-300:]}")
    doctor(home, "after a worker was killed")


def doctor_quiet(home: Path) -> bool:
    result = run(["doctor", "--json"], home)
    try:
        return bool(json.loads(result["out"]).get("ok"))
    except ValueError:
        return False


def case_disk_full(work: Path) -> None:
    print("== a full disk during ingest (tmpfs of a few sizes; root only): what the report says is what is stored")
    if os.geteuid() != 0:
        print("  skipped: needs root to mount a tmpfs")
        return
    import hashlib

    folder = pdf_folder(work, "full-in")
    ids = {p.name: hashlib.sha256(p.read_bytes()).hexdigest()[:12] for p in folder.iterdir()}
    for size_mb in (2, 3, 4, 6, 8, 16):
        mount = work / f"full-{size_mb}"
        mount.mkdir()
        if subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_mb}m", "tmpfs", str(mount)]).returncode:
            print("  skipped: cannot mount a tmpfs")
            return
        try:
            home = mount / "home"
            T.tried += 1
            result = run(["ingest", str(folder), "--json"], home)
            report = json.loads(result["out"]) if result["out"].strip().startswith("{") else None
            if report is None and "错误" not in result["err"]:
                T.bad("crashes", f"disk full at {size_mb} MB: neither a report nor a Chinese error")
            subprocess.run(["mount", "-o", "remount,size=256m", str(mount)])  # space freed: now look
            found = doctor_report(home)
            present = {d["doc_id"] for d in found.get("documents", [])}
            claimed = {d["doc_id"] for d in report["documents"]} if report else set()
            partial = {ids[Path(s["path"]).name] for s in (report or {}).get("skipped", []) if "未能完全撤销" in s["reason"]}
            refused = {ids[Path(s["path"]).name] for s in (report or {}).get("skipped", [])} - partial
            stray = (refused & present) | (refused & set(found.get("orphans", {})))
            shaky = {d["doc_id"] for d in found.get("documents", []) if not d["ok"]} - partial
            print(f"  {size_mb:2d} MB: rc {result['rc']}, reported {len(claimed)} stored, {len(refused)} not stored, "
                  f"{len(partial)} partly (said so); with space again the fact store holds {len(present)}")
            if claimed - present:
                T.bad("lost", f"disk full at {size_mb} MB: reported stored but missing: {claimed - present}")
            if stray or shaky:
                T.bad("disagree", f"disk full at {size_mb} MB: reported not stored but present {stray}, "
                                  f"undisclosed mismatch {shaky}")
            doctor(home, f"disk full at {size_mb} MB, then doctor --repair", repair=True)
        finally:
            subprocess.run(["umount", "-l", str(mount)])


def doctor_report(home: Path) -> dict:
    try:
        return json.loads(run(["doctor", "--json"], home)["out"])
    except ValueError:
        T.bad("crashes", "doctor printed no JSON")
        return {}


def case_parallel_asks(work: Path) -> None:
    print("== 20 parallel asks equal the same asks one after another; asks during an ingest")
    home = work / "ask-home"
    run(["ingest", str(SAMPLE), str(CORPUS / "chongqing-transport-commission-2018-budget.html"), "--json"], home)
    questions = ["外事办2024年出国经费多少？", "外事办2024年公务接待费多少？", "交通委员会2018年一般公共预算支出多少？",
                 "外事办三公经费比上年减少多少？", "外事办2024年机关运行经费是多少？"] * 4
    distinct = list(dict.fromkeys(questions))
    sequential = {q: json.loads(run(["ask", q, "--json"], home)["out"] or "{}") for q in distinct}  # one at a time
    procs = [subprocess.Popen(BUDGETQA + ["ask", q, "--json", "--home", str(home)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, cwd=ROOT) for q in questions]
    parallel = [json.loads(p.communicate(timeout=900)[0] or b"{}") for p in procs]
    T.tried += 1
    # `related` (the hybrid index's sections) is left out when the index lock is busy past the read
    # timeout: an answer is still given, so it is compared apart from the answer itself
    core = lambda a: {k: v for k, v in a.items() if k != "related"}  # noqa: E731
    same = sum(core(a) == core(sequential[q]) for q, a in zip(questions, parallel))
    related = sum(a.get("related") == sequential[q].get("related") for q, a in zip(questions, parallel))
    print(f"  {same}/20 answers identical to the same question asked alone; related sections identical in {related}/20")
    if same != 20:
        differ = [(q, k) for q, a in zip(questions, parallel) for k in core(a) if a.get(k) != sequential[q].get(k)]
        T.bad("crashes", f"parallel asks differ from sequential ones: {differ[:4]}")
    ingest = subprocess.Popen(BUDGETQA + ["ingest", str(pdf_folder(work, "during")), "--json", "--home", str(home)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    during = [json.loads(run(["ask", q, "--json"], home)["out"] or "{}") for q in questions[:5]]
    ingest.communicate(timeout=900)
    T.tried += 1
    ok = sum(a.get("status") == sequential[q]["status"] and a.get("result") == sequential[q]["result"]
             for q, a in zip(questions, during))
    print(f"  {ok}/5 asks during an ingest gave the same answer")
    if ok != 5:
        T.bad("crashes", "asks during an ingest differ")
    doctor(home, "after parallel asks and an ingest")


def case_chat_loopback(work: Path) -> None:
    print("== the chat listens on loopback only")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(BUDGETQA + ["chat", "--port", str(port), "--home", str(work / "ask-home")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT, start_new_session=True)
    T.tried += 1
    try:
        listening = []
        for _ in range(300):
            listening = [line.split()[1] for line in Path("/proc/net/tcp").read_text().splitlines()[1:]
                         if line.split()[3] == "0A" and int(line.split()[1].split(":")[1], 16) == port]
            listening += [line.split()[1] for line in Path("/proc/net/tcp6").read_text().splitlines()[1:]
                          if line.split()[3] == "0A" and int(line.split()[1].split(":")[1], 16) == port]
            if listening:
                break
            time.sleep(0.1)
        print(f"  port {port}: listening on {listening}")
        if listening != ["0100007F:" + f"{port:04X}"]:
            T.bad("crashes", f"the chat listens beyond loopback: {listening}")
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the 1.5 GB sheet, the full disk and the chat")
    parser.add_argument("--keep", type=Path, help="work here and keep the data directories")
    parser.add_argument("--only", nargs="+", choices=["bombs", "batch", "kills", "disk", "asks", "chat"],
                        help="run only these cases")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="budgetqa-battery-"))
    work.mkdir(parents=True, exist_ok=True)
    started = time.time()
    cases = {"bombs": lambda: case_bombs(work, args.quick), "batch": lambda: case_mixed_batch(work),
             "kills": lambda: case_kills(work), "disk": lambda: case_disk_full(work),
             "asks": lambda: case_parallel_asks(work), "chat": lambda: case_chat_loopback(work)}
    chosen = args.only or [c for c in cases if not (args.quick and c in ("disk", "chat"))]
    try:
        for name in chosen:
            cases[name]()
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(f"({time.time() - started:.0f} s)")
    print(f"bad inputs tried {T.tried}, crashes {T.crashes}, data lost {T.lost}, stores disagree {T.disagree}")
    return 1 if T.crashes or T.lost or T.disagree else 0


if __name__ == "__main__":
    sys.exit(main())
