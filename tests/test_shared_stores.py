"""Two BudgetQA processes on shared stores: one PostgreSQL fact store and one `chroma run` server.

Each process has its own data directory (its keyword index, logs). A document ingested through
the first is answered through the second: the facts come from PostgreSQL, the vectors from the
Chroma server, and the second's keyword index follows the fact store's generation (index/follow.py)
— documents added and removed through the first appear in and leave the second's related sections.
Everything is real: `budgetqa` processes, a PostgreSQL server and a Chroma server on loopback.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from index.facts import DATABASE_URL_VARIABLE
from index.keywords import KeywordIndex
from tests.chroma_server import chroma_server
from tests.conftest import SAMPLE
from tests.postgres_server import binaries, running_postgres

BUDGETQA = Path(sys.executable).with_name("budgetqa")
ISSUER = "重庆市渝北区人民政府外事办公室"
INVENTED = "重庆市渝北区虚构河道养护中心"  # an invented second issuer: the seed's text under another name


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory):
    with chroma_server(tmp_path_factory.mktemp("chroma-server")) as url:
        yield url


@pytest.fixture(scope="module")
def shared(chroma_url):
    if binaries() is None:
        pytest.skip("PostgreSQL binaries (initdb, pg_ctl) are not installed: Debian's postgresql package")
    with running_postgres() as server:
        yield dict(os.environ, **{DATABASE_URL_VARIABLE: server.fresh_database(), "BUDGETQA_CHROMA_URL": chroma_url})


def _budgetqa(env: dict, home: Path, *args: str) -> dict:
    done = subprocess.run([str(BUDGETQA), *args, "--home", str(home), "--json"], env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def _keyword_documents(home: Path) -> set[str]:
    return set(KeywordIndex(home).documents())


def test_ingest_through_one_server_and_answer_through_the_other(shared, tmp_path):
    first, second = tmp_path / "server-1", tmp_path / "server-2"
    (doc,) = _budgetqa(shared, first, "ingest", str(SAMPLE))["documents"]
    assert not (first / "facts.sqlite3").exists()  # the facts went to PostgreSQL

    reply = _budgetqa(shared, second, "ask", f"{ISSUER}2024年因公出国（境）费预算是多少？")
    assert reply["status"] == "answered" and reply["verified"], reply["answer"]
    assert {f["doc_id"] for f in reply["facts"]} == {doc["doc_id"]}
    assert reply["related"] and {r["doc_id"] for r in reply["related"]} == {doc["doc_id"]}
    assert _keyword_documents(second) == {doc["doc_id"]}  # followed the store, nothing ingested here
    assert json.loads((second / "vectors.json").read_text()) == json.loads((first / "vectors.json").read_text())

    invented = tmp_path / "invented-2024-budget.txt"
    invented.write_text(SAMPLE.read_text(encoding="utf-8").replace(ISSUER, INVENTED), encoding="utf-8")
    (other,) = _budgetqa(shared, first, "ingest", str(invented))["documents"]
    reply = _budgetqa(shared, second, "ask", f"{INVENTED}2024年因公出国（境）费预算是多少？")
    assert reply["status"] == "answered" and {f["doc_id"] for f in reply["facts"]} == {other["doc_id"]}
    assert {r["doc_id"] for r in reply["related"]} == {other["doc_id"]}
    assert _keyword_documents(second) == {doc["doc_id"], other["doc_id"]}

    _budgetqa(shared, first, "remove", other["doc_id"])
    reply = _budgetqa(shared, second, "ask", f"{INVENTED}2024年因公出国（境）费预算是多少？")
    assert other["doc_id"] not in {f["doc_id"] for f in reply["facts"]}
    assert _keyword_documents(second) == {doc["doc_id"]}  # the removal reached the second server's index


CHAT_SERVER = r"""
import json, sys
from pathlib import Path
from app.chat.service import ChatService, Scope
from app.settings import Settings
service = ChatService(Settings.load(sys.argv[1]))
for line in sys.stdin:
    command = json.loads(line)
    if command["do"] == "upload":
        path = Path(command["path"])
        outcomes = service.upload([(path.name, path.read_bytes())])
        reply = {"doc_ids": [o.document.doc_id for o in outcomes if o.document], "errors": [o.error for o in outcomes if o.error]}
    elif command["do"] == "remove":
        reply = {"title": service.remove(command["doc_id"])}
    else:
        turn, _ = service.ask(command["q"], None, Scope(), service.documents())
        answer = turn.answer.to_dict()
        reply = {"status": answer["status"], "facts": sorted({f["doc_id"] for f in answer["facts"]}),
                 "related": sorted({r["doc_id"] for r in answer["related"]})}
    print("@@" + json.dumps(reply, ensure_ascii=False), flush=True)
"""


class ChatProcess:
    """A chat server's service (app/chat/service.py, what the Streamlit page calls) in its own process,
    kept running between requests, as a chat server is."""

    def __init__(self, env: dict, home: Path):
        self.proc = subprocess.Popen([sys.executable, "-c", CHAT_SERVER, str(home)], env=env, text=True,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     cwd=str(Path(__file__).resolve().parents[1]))

    def __call__(self, **command) -> dict:
        self.proc.stdin.write(json.dumps(command, ensure_ascii=False) + "\n")
        self.proc.stdin.flush()
        for line in self.proc.stdout:
            if line.startswith("@@"):
                return json.loads(line[2:])
        raise AssertionError(f"chat process ended (exit {self.proc.wait(timeout=30)})")

    def close(self) -> None:
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)


def test_two_running_chat_servers_upload_through_one_and_answer_through_the_other(shared, tmp_path):
    env = dict(shared, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    first, second = ChatProcess(env, tmp_path / "chat-1"), ChatProcess(env, tmp_path / "chat-2")
    try:
        question = f"{INVENTED}2024年因公出国（境）费预算是多少？"
        before = second(do="ask", q=question)  # the second server is running before anything is ingested
        assert before["status"] != "answered" and before["facts"] == []
        invented = tmp_path / "invented-2024-budget.txt"
        invented.write_text(SAMPLE.read_text(encoding="utf-8").replace(ISSUER, INVENTED), encoding="utf-8")
        uploaded = first(do="upload", path=str(invented))
        assert not uploaded["errors"] and len(uploaded["doc_ids"]) == 1
        doc_id = uploaded["doc_ids"][0]
        after = second(do="ask", q=question)
        assert after["status"] == "answered" and after["facts"] == [doc_id] and after["related"] == [doc_id]
        (seed,) = first(do="upload", path=str(SAMPLE))["doc_ids"]
        first(do="remove", doc_id=doc_id)
        gone = second(do="ask", q=question)
        assert doc_id not in gone["facts"] and doc_id not in gone["related"]
        assert second(do="ask", q=f"{ISSUER}2024年因公出国（境）费预算是多少？")["facts"] == [seed]
        assert _keyword_documents(tmp_path / "chat-2") == {seed}  # the removal reached its keyword index
    finally:
        first.close()
        second.close()
