"""Retrieval in the answer path (app/answer/related.py): every answer's `related` comes from the hybrid
index — keyword and dense rankings fused — over the documents in question, with the embedded Chroma
store and with a `chroma run` server; text answers read the top hits' sections first.
"""

from __future__ import annotations

from pathlib import Path


from tests.chroma_server import chroma_server
from tests.conftest import SAMPLE



def _ingest(home: Path):
    from app.library import ingest_paths
    from app.settings import Settings
    from index.facts import FactStore
    from index.store import ChunkIndex

    index = ChunkIndex.from_settings(Settings.load(home))
    try:
        report = ingest_paths([SAMPLE], FactStore(home), index=index)
    finally:
        index.close()
    assert len(report.documents) == 1 and not report.skipped
    return report.documents[0].doc_id


def _check_related_is_the_hybrid_ranking(home: Path, doc_id: str) -> None:
    from app.answer.related import AmongDocuments, sections_for
    from app.engine import Engine
    from app.settings import Settings
    from index.facts import FactStore
    from index.retrieve import HYBRID, Retriever
    from index.store import ChunkIndex

    engine = Engine(FactStore(home))
    figure = engine.ask("因公出国（境）费预算是多少？")
    text = engine.ask("为什么“三公”经费减少？")
    nothing = engine.ask("人均住房面积是多少平方米？")
    index = ChunkIndex.from_settings(Settings.load(home))
    try:
        for answer in (figure, text, nothing):
            assert answer.related, (answer.status, answer.text)
            payload = answer.to_dict()["related"]
            assert [set(r) for r in payload] == [{"doc_id", "title", "locator", "snippet", "score"}] * len(payload)
            # the same search, made directly on the hybrid index, ranks the same chunks first
            question = engine._search_text(answer.question, None)
            hits = Retriever(index).search(question, 8, AmongDocuments(doc_ids=(doc_id,)), HYBRID)
            from app.answer.related import locator

            assert [r["locator"] for r in answer.related] == [locator(h.chunk) for h in hits[:len(answer.related)]]
            assert all(r["doc_id"] == doc_id for r in answer.related)
            assert [r["score"] for r in answer.related] == sorted((r["score"] for r in answer.related), reverse=True)
        hits = sections_for(home).search(figure.question, [doc_id])
        assert hits and all(h.method == HYBRID for h in hits)
        assert any(set(h.ranks) == {"keyword", "dense"} for h in hits), "both rankings took part"
        assert nothing.status == "no_answer" and nothing.related[0]["snippet"]  # the nearest words, not a bare refusal
    finally:
        index.close()


def test_related_comes_from_the_hybrid_index_in_the_embedded_store(tmp_path):
    doc_id = _ingest(tmp_path)
    assert (tmp_path / "chroma").is_dir()
    _check_related_is_the_hybrid_ranking(tmp_path, doc_id)


def test_related_comes_from_a_chroma_server(tmp_path, monkeypatch):
    with chroma_server(tmp_path / "server") as url:
        monkeypatch.setenv("BUDGETQA_CHROMA_URL", url)
        home = tmp_path / "home"
        doc_id = _ingest(home)
        assert not (home / "chroma").exists(), "the vectors went to the server, not an embedded store"
        _check_related_is_the_hybrid_ranking(home, doc_id)


def test_a_data_directory_without_a_chunk_index_gives_no_related_and_still_answers(tmp_path):
    from app.engine import Engine
    from index.facts import FactStore
    from ingest.pipeline import parse_file

    store = FactStore(tmp_path)
    store.add(parse_file(SAMPLE))
    answer = Engine(store).ask("因公出国（境）费预算是多少？")
    assert answer.status == "answered" and answer.related == []
    assert answer.to_dict()["related"] == []
    assert not (tmp_path / "keywords").exists() and not (tmp_path / "chroma").exists(), "no index made by asking"


def test_text_answers_read_the_top_hits_sections_first(tmp_path):
    """A document cut to its top hits' sections holds the quoted passage of a text answer."""
    from app.answer.related import sections_for, within_hits
    from app.engine import Engine
    from index.facts import FactStore

    doc_id = _ingest(tmp_path)
    engine = Engine(FactStore(tmp_path))
    answer = engine.ask("什么是基本支出？")
    assert answer.status == "answered" and answer.passages
    hits = sections_for(tmp_path).search(engine._search_text(answer.question, None), [doc_id])
    cut = within_hits(engine.disclosure(doc_id), hits)
    assert cut is not None and len(cut.sections) < sum(1 for top in engine.disclosure(doc_id).sections
                                                       for _ in top.walk())
    quoted = answer.passages[0]["snippet"]
    assert any(quoted in "".join(p.text for s in top.walk() for p in s.paragraphs).replace("\n", "")
               or quoted[:12] in "".join(p.text for s in top.walk() for p in s.paragraphs)
               for top in cut.sections)


def test_the_printed_ask_does_not_search_the_index_and_the_json_one_does(tmp_path, capsys):
    import json

    from app.cli import main

    _ingest(tmp_path)
    assert main(["ask", "三公经费比上年减少多少？", "--json", "--home", str(tmp_path)]) == 0
    assert json.loads(capsys.readouterr().out)["related"]  # the contract's field, from the index
    from app.engine import Engine
    from index.facts import FactStore

    plain = Engine(FactStore(tmp_path), with_related=False).ask("三公经费比上年减少多少？")
    assert plain.status == "answered" and plain.related == []  # budgetqa ask without --json shows none
