"""Issuer short names come from the glossary's general rules, not from a list of our documents."""

from __future__ import annotations

import pytest

from app.answer.glossary import abbreviates, issuer_core, issuer_short_names, load_glossary
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def glossary():
    return load_glossary()


@pytest.mark.parametrize("full,shorts", [
    ("重庆市渝北区人民政府外事办公室", ["渝北区外事办公室", "渝北外办", "区外办", "外事办", "外办"]),
    ("上海市普陀区人民政府万里街道办事处", ["万里街道办事处", "万里街道", "万里街道办", "万里"]),
    ("上海市普陀区商务委员会", ["普陀区商务委", "区商务委", "商务委"]),
    ("上海市普陀区人民政府办公室", ["普陀区政府办公室", "区政府办", "区府办", "政府办"]),
    # names no document of ours has
    ("江南市青石区人民政府石桥街道办事处", ["石桥街道", "石桥街道办"]),
    ("江南市青石区文化和旅游局", ["青石区文旅局", "文旅局"]),
    ("江南市青石区人民政府梅园街道办事处(本级)", ["梅园街道", "梅园街道办", "青石区梅园街道"]),
    ("江南市第三高级中学", ["三高", "江南三高", "第三高中"]),
    ("青石县梅园初级中学", ["梅园初中", "梅园中学"]),
    ("江南市第九中学", ["九中", "江南九中"]),
])
def test_short_names_follow_from_the_rules(glossary, full, shorts):
    names, core = issuer_short_names(full, glossary), issuer_core(full, glossary)
    assert [s for s in shorts if not (s in names or abbreviates(s, core))] == []


def test_the_glossary_names_no_particular_issuer():
    text = (ROOT / "app" / "answer" / "glossary.yaml").read_text(encoding="utf-8")
    for name in ("渝北区", "普陀区", "万里街道", "石泉路"):
        assert name not in text, name


def test_an_office_of_an_organ_is_also_named_by_the_organ_and_a_town_government_by_its_town():
    from app.answer.glossary import issuer_short_names, load_glossary

    glossary = load_glossary()
    assert "人大常委会" in issuer_short_names("青岚省人民代表大会常务委员会办公厅", glossary)
    assert "白石镇" in issuer_short_names("青岚县白石镇人民政府", glossary)
    assert "外事" not in issuer_short_names("青岚县人民政府外事办公室", glossary)  # 办公室 stays
