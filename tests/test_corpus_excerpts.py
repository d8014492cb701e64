"""Short real excerpts from many provinces: each parses or is refused with a reason; never a crash."""

from __future__ import annotations

import pytest

from ingest.errors import InputError
from ingest.pipeline import parse_file
from tests.conftest import CORPUS, corpus_file

EXCERPTS = sorted(p.name for p in CORPUS.glob("*.txt"))


def test_the_corpus_is_there():
    assert len(EXCERPTS) >= 80


@pytest.mark.parametrize("name", EXCERPTS)
def test_excerpt_parses_or_is_refused_cleanly(name):
    try:
        d = parse_file(corpus_file(name))
    except InputError as exc:
        assert name in exc.message
        return
    assert d.doc_id and d.title
    for fact in d.narrative_facts:
        assert fact.unit and fact.text


@pytest.mark.parametrize("name,title,issuer,year,kind,scope", [
    ("beijing-government-offices-admin-2020-final.txt", "北京市机关事务管理局2020年度部门决算",
     "北京市机关事务管理局", 2020, "决算", "部门"),
    ("guangxi-foreign-affairs-office-2025-budget.txt", "广西壮族自治区外事办公室2025年部门预算",
     "广西壮族自治区外事办公室", 2025, "预算", "部门"),
    ("sichuan-wangcang-agriculture-2023-final.txt", "2023年度旺苍县农业农村局单位决算",
     "旺苍县农业农村局", 2023, "决算", "单位"),
    ("chongqing-changshou-npc-standing-committee-2023-final.txt",
     "重庆市长寿区人民代表大会常务委员会办公室2023年度决算公开说明",
     "重庆市长寿区人民代表大会常务委员会办公室", 2023, "决算", "部门"),
    ("gansu-tianshui-kindergarten-2017-final-traditional.txt", "天水市幼兒園2017年度部門決算公開",
     "天水市幼兒園", 2017, "决算", "部门"),
])
def test_excerpt_metadata_from_the_content(name, title, issuer, year, kind, scope):
    d = parse_file(corpus_file(name))
    assert (d.title, d.issuer, d.year, d.kind, d.scope) == (title, issuer, year, kind, scope)


def test_pinyin_annotations_of_mirror_sites_are_removed():
    d = parse_file(corpus_file("beijing-cppcc-organs-2025-budget-mojibake.txt"))
    assert d.kind == "预算" and d.year == 2025
    titles = [e.title for e in d.catalogue]
    assert titles[:3] == ["收支總表", "收入總表", "支出總表"] and len(titles) == 14
    parts = [f"{s.number}{s.heading}" for s in d.sections if s.number]
    assert parts[0] == "第一部分2025年度部門預算情況說明"
    part_one = next(s for s in d.sections if s.number == "第一部分")
    assert [c.heading for c in part_one.children][:1] == ["部門情況"]
