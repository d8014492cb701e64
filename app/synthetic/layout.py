"""How a document prints its tables: numbering, titles, header words, code columns, unit line.

One `Style` per document, drawn from the variants real disclosures use: 表一 / 表1-1 / 公开01表,
titles with the issuer, the district or neither, 合计 or 总计, 2024年预算数 or 本年预算数, subject
codes joined (2010301), spaced (201 03 01) or split into 类/款/项 columns, 单位：万元 on its
own line or beside the issuer line.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from app.synthetic.model import LEFT, UP

_CN = "一二三四五六七八九十"

# standard table → (预算 title, 决算 title); 部门 is replaced by 单位 in a 单位 disclosure
TITLES = {
    "income_expense": (["部门收支总表", "部门收支预算总表"], ["部门收入支出决算总表"]),
    "income": (["部门收入总表", "部门收入预算总表"], ["部门收入决算表"]),
    "expense": (["部门支出总表", "部门支出预算总表"], ["部门支出决算表"]),
    "fiscal": (["部门财政拨款收支总表", "部门财政拨款收支预算总表"], ["部门财政拨款收入支出决算总表"]),
    "general": (["部门一般公共预算支出表", "部门一般公共预算财政拨款支出预算表"],
                ["部门一般公共预算财政拨款支出决算表"]),
    "basic": (["部门一般公共预算基本支出表", "部门一般公共预算财政拨款基本支出预算表"],
              ["部门一般公共预算财政拨款基本支出决算表"]),
    "sangong": (["部门一般公共预算“三公”经费支出表", "部门一般公共预算“三公”经费支出预算表"],
                ["部门财政拨款“三公”经费支出决算表"]),
    "fund": (["部门政府性基金预算支出表", "部门政府性基金预算财政拨款支出预算表"],
             ["部门政府性基金预算财政拨款收入支出决算表"]),
    "capital": (["部门国有资本经营预算支出表"], ["部门国有资本经营预算财政拨款支出决算表"]),
}
STANDARD = list(TITLES)
OPTIONAL = ("income", "fiscal", "capital")  # a document may leave these out


def chinese_numeral(n: int) -> str:
    if n <= 10:
        return _CN[n - 1]
    if n < 20:
        return "十" + _CN[n - 11]
    return _CN[n // 10 - 1] + "十" + (_CN[n % 10 - 1] if n % 10 else "")


@dataclass
class Style:
    numbering: str  # catalogue (numbers only in the 目录) | prefix (表一 before the title) | above (公开01表 line)
    numerals: str  # chinese 表一 | arabic 表1 | dash 表1-1
    title: str  # region | issuer | bare
    meta_key: str  # 部门全称 | 编制单位 | 单位名称 | 部门名称
    unit_place: str  # own_line | with_meta | before_meta
    total: str  # 合计 | 总计
    subtotal: str  # 小计 | 合计
    relative_years: bool  # 本年预算数 / 上年预算数 instead of 2024年预算数
    codes: str  # joined | spaced | split
    rate_column: bool
    sangong_rows: bool  # the 三公 table as rows (项目 | 本年 | 上年) instead of one wide row
    basic_pairs: bool  # a 决算's 基本支出 table as two column groups: 人员经费 | 公用经费, each code/name/决算数
    empty_note: str

    def code_cells(self, code: str | None) -> list[str]:
        width = 3 if self.codes == "split" else 1
        if not code:
            return [""] * width
        parts = [code[:3]] + [code[i:i + 2] for i in range(3, len(code), 2)]
        if self.codes == "split":
            return parts + [""] * (3 - len(parts))
        return [" ".join(parts) if self.codes == "spaced" else code]

    def code_header(self, group: str) -> list[list[str]]:
        """Header rows over the code and name columns: [group ‹ …], [科目编码 …, 科目名称], [类 款 项]."""
        if self.codes == "split":
            return [[group, LEFT, LEFT, LEFT], ["科目编码", LEFT, LEFT, "科目名称"], ["类", "款", "项", UP]]
        return [[group, LEFT], ["科目编码", "科目名称"]]

    def label_width(self) -> int:
        return 4 if self.codes == "split" else 2


def make_style(rng: random.Random) -> Style:
    return Style(
        numbering=rng.choice(["catalogue", "prefix", "prefix", "above"]),
        numerals=rng.choice(["chinese", "arabic", "dash"]),
        title=rng.choice(["region", "issuer", "bare"]),
        meta_key=rng.choice(["部门全称", "编制单位", "单位名称", "部门名称"]),
        unit_place=rng.choice(["own_line", "own_line", "with_meta", "before_meta"]),
        total=rng.choice(["合计", "合计", "总计"]),
        subtotal=rng.choice(["小计", "合计"]),
        relative_years=rng.random() < 0.25,
        codes=rng.choice(["joined", "joined", "spaced", "split"]),
        rate_column=rng.random() < 0.4,
        sangong_rows=rng.random() < 0.3,
        basic_pairs=rng.random() < 0.5,
        empty_note=rng.choice(["本部门无{x}支出，故本表为空表。", "注：本单位无{x}收支，故此表无数据。",
                               "备注：{issuer}{year}年无{x}安排的支出，此表为空。"]),
    )


def number_label(style: Style, position: int) -> str:
    """The printed number of the table at `position` (1-based) in the document."""
    if style.numbering == "above":
        return f"公开{position:02d}表"
    if style.numerals == "chinese":
        return f"表{chinese_numeral(position)}"
    if style.numerals == "arabic":
        return f"表{position}"
    major = (position + 1) // 2
    return f"表{major}" if position % 2 else f"表{major}-1"


def title_for(style: Style, standard: str, kind: str, scope: str, issuer: str, district: str, year: int,
              rng: random.Random) -> str:
    words = rng.choice(TITLES[standard][0 if kind == "预算" else 1])
    if scope == "单位":
        words = words.replace("部门", "单位", 1)
    if style.title == "issuer":
        return f"{issuer}{year}年{words}"
    if style.title == "region":
        return f"{year}年{district}{words}"
    return f"{year}年度{words}" if kind == "决算" else f"{year}年{words}"


def year_label(style: Style, year: int, doc_year: int, kind: str) -> str:
    word = "预算数" if kind == "预算" else "决算数"
    if style.relative_years:
        return ("本年" if year == doc_year else "上年") + word
    return f"{year}年{word}"
