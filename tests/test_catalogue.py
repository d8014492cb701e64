"""Table titles and numbers in the ways disclosures print them."""

from __future__ import annotations

import pytest

from ingest.catalogue import entry_from_line, looks_like_table_title, match_entry, ordinal, split_number, strip_leaders
from ingest.model import CatalogueEntry


@pytest.mark.parametrize("text,number,title,n", [
    ("表十七 2024年渝北区部门一般项目绩效目标表", "表十七", "2024年渝北区部门一般项目绩效目标表", 17),
    ("表1-1 收入支出决算总表", "表1-1", "收入支出决算总表", 1),
    ("表3 部门支出总表", "表3", "部门支出总表", 3),
    ("1. 2025年部门财务收支预算总表", "1", "2025年部门财务收支预算总表", 1),
    ("4．2025年预算单位财政拨款收支预算总表", "4", "2025年预算单位财政拨款收支预算总表", 4),
    ("（公开01表）收入支出决算总表", "（公开01表）", "收入支出决算总表", 1),
    ("收入支出决算总表（公开08表）", "（公开08表）", "收入支出决算总表", 8),
    ("十一、财政拨款“三公”经费支出表", "十一", "财政拨款“三公”经费支出表", 11),
    ("《部门收支总表》", None, "部门收支总表", None),
])
def test_numbers_and_titles(text, number, title, n):
    assert split_number(text) == (number, title)
    assert ordinal(number) == n
    assert looks_like_table_title(text)


@pytest.mark.parametrize("text", ["一、部门主要职能", "2024年一般公共预算财政拨款收入2,375,070.89元。", "附表", "目录"])
def test_not_table_titles(text):
    assert not looks_like_table_title(text)


def test_catalogue_lines_with_leader_dots_and_page_ranges():
    assert strip_leaders("一、收支总表……………………14-15") == "一、收支总表"
    assert strip_leaders("二、收入决算表 PAGEREF _Toc25831 h 3") == "二、收入决算表"
    entry = entry_from_line("3. 2024年部门支出预算总表 ......................... 12")
    assert (entry.number, entry.title, entry.ordinal) == ("3", "2024年部门支出预算总表", 3)
    assert entry_from_line("五、部门预算表") is None  # a part heading of the catalogue, not a table


def test_body_titles_match_catalogue_entries_despite_printing_differences():
    catalogue = [CatalogueEntry("表六", "2024年渝北区部门一般公共预算财政拨款基本支出预算表（部门预算支出经济分类科目）", 6),
                 CatalogueEntry("表七", "2024年渝北区部门一般公共预算财政拨款基本支出预算表（政府预算支出经济分类科目）", 7)]
    body = "2024年渝北区部门一般公共预算财政拨款基本支出预算表(政府预算支出经济分类科目)"
    assert match_entry(body, catalogue).number == "表七"
    assert match_entry("2024年渝北区部门政府采购预算明细表", catalogue) is None
