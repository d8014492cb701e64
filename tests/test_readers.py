"""Readers: encodings detected (never assumed), HTML blocks and tables, JSON page dumps."""

from __future__ import annotations

import codecs
import json
from pathlib import Path

import pytest

from ingest.errors import InputError
from ingest.pipeline import parse_bytes
from ingest.readers import RawGrid, RawLine, reader_for
from ingest.readers.decode import decode_text
from ingest.readers.html import HtmlReader
from tests.conftest import SAMPLE, D, corpus_file

TEXT = SAMPLE.read_text(encoding="utf-8")


@pytest.mark.parametrize("encoding,data", [
    ("utf-8", TEXT.encode("utf-8")),
    ("utf-8-sig", codecs.BOM_UTF8 + TEXT.encode("utf-8")),
    ("gb18030", TEXT.encode("gb18030")),
    ("gbk", TEXT.encode("gbk")),
    ("utf-16", TEXT.encode("utf-16")),  # with BOM
    ("utf-16-le", TEXT.encode("utf-16-le")),  # without BOM
    ("utf-16-be", TEXT.encode("utf-16-be")),
])
def test_the_sample_parses_the_same_in_every_encoding(encoding, data):
    assert decode_text(data, "x.txt") == TEXT
    d = parse_bytes(data, Path(f"sample-{encoding}.txt"))
    assert d.issuer == "重庆市渝北区人民政府外事办公室"
    assert len(d.tables) == 21


def test_big5_traditional_text_is_detected():
    text = "北京市政協機關2025年部門預算情況說明\n一、部門職責\n本部門財政撥款收入預算1,234.56萬元。\n"
    assert decode_text(text.encode("big5"), "x.txt") == text


def test_undecodable_bytes_are_refused():
    with pytest.raises(InputError):
        decode_text("预算".encode("utf-8") + b"\xff\xff\xff", "x.txt")


def test_html_reader_expands_spans_into_a_grid():
    html = """<html><body><h2>某局2025年部门预算</h2><p>一、概况<br>本局预算。</p>
    <table><tr><td rowspan="2">科目编码</td><td rowspan="2">科目名称</td><td colspan="2">2025年预算数</td></tr>
    <tr><td>基本支出</td><td>项目支出</td></tr>
    <tr><td>201</td><td>一般公共服务支出</td><td>1,000.00</td><td>20.50</td></tr></table>
    <script>var x = "预算";</script></body></html>""".encode("utf-8")
    raw = HtmlReader().read(Path("a.html"), html)
    lines = [b.text for b in raw.blocks if isinstance(b, RawLine)]
    assert lines[:3] == ["某局2025年部门预算", "一、概况", "本局预算。"]
    assert not any("var x" in line for line in lines)
    grid = next(b for b in raw.blocks if isinstance(b, RawGrid))
    assert grid.rows == [["科目编码", "科目名称", "2025年预算数", ""], ["", "", "基本支出", "项目支出"],
                         ["201", "一般公共服务支出", "1,000.00", "20.50"]]


def test_reader_chosen_by_content_before_suffix():
    page = b"<html><body><p>x</p></body></html>"
    assert reader_for(Path("saved.txt"), page).format == "html"
    pages = json.dumps([{"page": 1, "text": "a"}]).encode()
    assert reader_for(Path("dump.json"), pages).format == "pages-json"
    assert reader_for(Path("plain.txt"), "预算".encode()).format == "txt"


def test_html_disclosure_metadata_and_sections():
    d = parse_bytes(corpus_file("chongqing-transport-commission-2018-budget.html").read_bytes(),
                    Path("chongqing-transport-commission-2018-budget.html"))
    assert (d.title, d.issuer, d.region, d.year, d.kind, d.scope) == (
        "重庆市交通委员会2018年部门预算情况说明", "重庆市交通委员会", "重庆市", 2018, "预算", "部门")
    top = [f"{s.number}{s.heading}" for s in d.sections if s.number]
    assert top == ["一、单位基本情况", "二、部门预算情况说明", "三、“三公”经费情况说明",
                   "四、其他重要事项的情况说明", "五、专业性名词解释"]
    other = d.sections[4]
    assert [c.heading for c in other.children] == ["机关运行经费情况", "政府采购情况", "绩效目标设置情况"]
    duties = d.sections[1].children[0]
    assert duties.heading == "职能职责" and len(duties.paragraphs) == 13
    glossary = d.sections[5].children
    assert glossary[2].heading == "基本支出"
    assert glossary[2].paragraphs[0].text.startswith("指为保障机构正常运转")


def test_html_disclosure_narrative_figures():
    d = parse_bytes(corpus_file("chongqing-transport-commission-2018-budget.html").read_bytes(), Path("t.html"))
    values = {(f.value, f.unit) for f in d.narrative_facts}
    assert (D("3249703200"), "元") in values  # 324970.32万元 财政拨款收入
    assert (D("28006800"), "元") in values  # “三公”经费 2800.68万元
    assert (D("60604100"), "元") in values  # 政府采购预算总额 6060.41万元

