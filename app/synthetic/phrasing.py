"""How people word questions: templates per operation, everyday words for official terms, and the
names a question may call an issuer by. Written for the generator, not copied from any golden file."""

from __future__ import annotations

import random

# official term → everyday wordings (what the public says); the expected answer is the official figure
EVERYDAY = {
    "因公出国（境）费": ["出国经费", "出国的钱", "出国（境）的费用", "公费出国的钱"],
    "公务接待费": ["招待费", "接待费", "公务招待的钱"],
    "公务用车购置及运行费": ["公车经费", "公车的钱", "公务车费用"],
    "公务用车运行费": ["养车的钱", "公车运行维护的钱"],
    "公务用车购置费": ["买车的钱", "购车费"],
    "人员经费": ["养人的钱", "人头费"],
    "“三公”经费": ["三公", "三公费用", "三公开支"],
}

LOOKUP_BUDGET = ["{n}{y}年{item}预算数是多少？", "{n}{y}年{item}预算安排了多少？", "{y}年{n}的{item}预算是多少？",
                 "{n}{y}年{scope}预算中{item}是多少？", "{n}{y}年{item}预算是多少万元？",
                 "请问{n}{y}年{item}的预算数", "{n}{y}年预算里{item}有多少？"]
LOOKUP_FINAL = ["{n}{y}年{item}决算数是多少？", "{n}{y}年度{item}决算支出多少？", "{y}年{n}{item}实际支出多少（决算）？",
                "{n}{y}年{item}决算支出了多少万元？", "请问{n}{y}年度{item}的决算数", "{n}{y}年决算中{item}是多少？"]
PARAPHRASE_BUDGET = ["{n}{y}年{item}预算多少钱？", "{y}年{n}{item}预算打算花多少？", "{n}{y}年的{item}预算有多少",
                     "{n}{y}年预算里{item}给了多少钱？"]
PARAPHRASE_FINAL = ["{n}{y}年{item}实际花了多少钱（决算）？", "{n}{y}年决算{item}花了多少",
                    "{n}{y}年度决算里{item}用了多少钱？"]
CHANGE_AMOUNT = ["{n}{y}年{item}预算比上年{dir}了多少？", "{n}{y}年{item}预算与上年相比{dir}多少？",
                 "{n}{y}年{item}预算数较{py}年{dir}了多少钱？", "{n}{y}年{item}预算同比{dir}多少？",
                 "和{py}年比，{n}{y}年{item}预算{dir}了多少？"]
CHANGE_RATE = ["{n}{y}年{item}预算比上年{dir}了百分之几？", "{n}{y}年{item}预算比上年的增长率是多少？",
               "{n}{y}年{item}预算较上年{dir}了多少百分比？", "{n}{y}年{item}预算同比{dir}幅度是多少？",
               "{n}{y}年{item}预算比{py}年{dir}百分之多少？"]
SHARE = ["{n}{y}年{kind}{part}占{whole}的比重是多少？", "{n}{y}年{part}{kind}占{whole}的百分之几？",
         "{n}{y}年{kind}中{part}占{whole}的比例是多少？", "{n}{y}年{kind}{whole}里{part}占多大比例？"]
SUM = ["{n}{y}年{kind}{items}一共多少？", "{n}{y}年{items}{kind}合计是多少？", "{n}{y}年{items}加起来{kind}多少钱？",
       "{n}{y}年{kind}{items}总共是多少？"]
BREAKDOWN = ["{n}{y}年{kind}{item}包括哪些？", "{n}{y}年{item}{kind}由哪些部分构成？", "{n}{y}年{kind}{item}具体有哪几项？"]
EXTREME = ["{n}{y}年{kind}{whole}中哪一项最多？", "{n}{y}年{whole}{kind}里哪项花钱最多？",
           "{n}{y}年{kind}{whole}里金额最大的是哪一项？"]
YESNO_FUND = ["{n}{y}年有没有政府性基金{kind}支出？", "{n}{y}年有政府性基金{kind}拨款支出吗？",
              "{n}{y}年{kind}用了政府性基金的钱吗？"]
YESNO_CAR = ["{n}{y}年{kind}有没有安排公务用车购置费？", "{n}{y}年{kind}有没有买车的钱？",
             "{n}{y}年{kind}安排了公务用车购置费吗？"]
ABSENT_ITEM = ["{n}{y}年{item}{kind}是多少？", "{n}{y}年{kind}安排了多少{item}？", "{n}{y}年{kind}中{item}有多少？"]
FOLLOW_ITEM = ["那{item}呢？", "{item}呢？", "那{item}是多少？", "{item}又是多少？"]
FOLLOW_YEAR = ["那上一年呢？", "那{py}年呢？", "上年的呢？", "{py}年的呢？"]

def issuer_name(rng: random.Random, full: str, district_name: str, unique_district: bool) -> str:
    """The full name, or the name without its city when no other issuer in the corpus shares it."""
    return district_name if unique_district and rng.random() < 0.25 else full


def pick(rng: random.Random, templates: list[str], **words) -> str:
    return rng.choice(templates).format(**words)
