"""Document metadata from titles and first lines (names here are invented: the rules are general)."""

from __future__ import annotations

import pytest

from ingest.metadata import issuer_from_duties, parse_title


@pytest.mark.parametrize("title,issuer,year", [
    ("2023年江南省财政厅一般公共预算财政拨款“三公”经费支出决算情况说明", "江南省财政厅", 2023),
    ("2024年度青石县农业农村局单位决算", "青石县农业农村局", 2024),
    ("江南市青石区文化和旅游局2025年部门预算", "江南市青石区文化和旅游局", 2025),
    ("2024年江南市政府性基金预算", "江南市", 2024),  # only a region: the pipeline does not take it as issuer
])
def test_the_issuer_a_title_names(title, issuer, year):
    assert parse_title(title) == (issuer, year)


@pytest.mark.parametrize("lines,issuer", [
    (["一、主要职能", "青山县青山初级中学主要职能是:实施九年义务教育。"], "青山县青山初级中学"),
    (["（一）部门职责", "江南市青石区档案馆的主要职责是收集、保管档案。"], "江南市青石区档案馆"),
    (["本部门主要职能是:负责全区的统计工作。"], None),
    (["2024年收入预算1,000万元。"], None),
])
def test_an_untitled_text_names_its_issuer_by_its_duties(lines, issuer):
    assert issuer_from_duties(lines) == issuer
