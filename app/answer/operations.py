"""What a question asks to compute, read from what the question is made of.

The glossary's `operations` section holds the vocabulary (comparison words, rate words, change
verbs, share words …); this module is the one place that says how those words combine and which
family wins when several are present. Precedence, first match wins:

  1. reason       a why word (为什么, 原因 …): a why question is never answered with a figure
  2. definition   a definition word (什么是, 是指, 什么意思 …) and no amount word (多少, 几)
  3. text         a duties / purpose / structure / contact / performance word and no amount word
  4. execution    a completion word (完成, 执行率, 用掉, 花完 …) with a rate word or a rate noun
                  (执行率, 完成率): 决算 ÷ 预算
  5. change       a comparison (比上年, 比2023年, 同比, 跟2022年比呢), a change noun (增减, 变化),
                  or a change verb (增加, 下降 …) asked about by an amount word, a rate word or a
                  yes/no form; with a rate word it asks for the rate (wants_percent)
  6. share        a share word (占, 比重, 比例, 份额), or a rate word with no comparison
                  (是总支出的百分之几)
  7. yes_no       a yes/no form (…吗, 有没有, 是不是, 是否, 花没花, …了没有) and no wh-word
                  (多少, 几, 什么, 哪, 怎么): 能告诉我三公经费是多少吗 asks for a figure
  8. count        几 / 多少 + a counting unit (个, 辆, 人 …; 百分点 is a rate), not after 哪
  9. extreme      a superlative (最多, 最大, 最少 …), a which-of (A和B哪个大, A还是B), or 主要 +
                  a where-spent word (钱主要花在哪), but 主要 with a breakdown word (主要包括哪些)
                  stays a breakdown; a superlative of a change (降幅最大) is extreme_change
 10. breakdown    a breakdown word (包括, 构成, 哪些, 哪几, 明细, 分别 …) or a where-spent word
                  without 主要 (项目的钱花在哪)
 11. sum          a total word (合计, 一共, 加起来 …); with fewer than two items the engine reads
                  it as the one item's figure (三公一共多少 = the 三公 total)
 12. lookup       anything else
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.answer.glossary import Glossary, norm

PRECEDENCE = ("reason", "definition", "text", "execution", "change", "share", "yes_no", "count", "extreme",
              "breakdown", "sum", "lookup")

# Structural patterns (not vocabulary): a comparison with a year, yes/no forms, wh-words.
# 比2023年 / 较上年 / 跟2022年比: 与/和/跟 + a year compares only when 比 (相比, 对比) follows;
# 23年和24年加起来 is two years summed
_COMPARED_YEAR = re.compile(r"(?:比|较)(?:(?:19|20)?\d{2}年|上年|去年|上一年|前一年|前年|上年度)"
                            r"|(?:与|和|跟|同)(?:(?:19|20)?\d{2}年|上年|去年|上一年|前一年|前年|上年度).{0,3}(?:比|相比|对比)")
# 基本支出和项目支出哪个大 / 主要用在A还是B: a comparison among the items the question names
_WHICH_OF = re.compile(r"(?:哪个|哪一个|哪项|哪一项|谁)(?:更|比较)?(?:大|多|高|少|小|低)|还是")
_A_NOT_A = re.compile(r"(.)[没不]\1|有没有|是不是|有无|是否|(?:了|过)?没有?[?？]?$|了没[?？]?$")
_ENDS_MA = re.compile(r"吗[?？!！。]*$")
_WH = re.compile(r"多少|几|什么|哪|怎么|怎样|如何|啥")
_AMOUNT = re.compile(r"多少|几|金额|数额|是多|有多")
_COUNT = re.compile(r"(?<!哪)(?:几|多少)(个|辆|台|套|项|人|名|次|家|册|所|座|位|条|批)(?!百分点|点)")
_SCOPE_NOTE = re.compile(r"[(（](?:含|包括|包含|不含|其中)[^)）]*[)）]")


@dataclass(frozen=True)
class Reading:
    operation: str
    wants_percent: bool = False  # change: the rate, not the amount
    count_unit: str | None = None
    among: bool = False  # extreme: among the items the question names (A和B哪个大), not within one


def scope_note(text: str) -> str:
    """A bracketed scope note (含基本支出和项目支出) qualifies the figure; it names no parts to add."""
    return _SCOPE_NOTE.sub(" ", text)


def _words(glossary: Glossary, family: str, key: str = "cues") -> list[str]:
    spec = glossary.operations.get(family)
    if isinstance(spec, dict):
        return [norm(w) for w in spec.get(key, []) if isinstance(w, str)]
    if isinstance(spec, list):
        return [norm(w) for w in spec if isinstance(w, str)]
    return []


def _has(text: str, words: list[str]) -> bool:
    return any(w and w in text for w in words)


def read_operation(text: str, glossary: Glossary) -> Reading:
    """The operation family of a normalised question (see the module docstring for the order)."""
    text = scope_note(text)
    rate = _has(text, _words(glossary, "rate"))
    amount = bool(_AMOUNT.search(text))
    compared = bool(_COMPARED_YEAR.search(text)) or _has(text, _words(glossary, "comparison"))
    change_verb = _has(text, _words(glossary, "change"))
    change_noun = _has(text, _words(glossary, "change", "nouns"))
    yes_no_form = bool(_ENDS_MA.search(text) or _A_NOT_A.search(text))
    wh = bool(_WH.search(text))

    if _has(text, _words(glossary, "reason")):
        return Reading("reason")
    if _has(text, _words(glossary, "definition")) and not amount:
        return Reading("definition")
    text_other = glossary.operations.get("text_other", {})
    if not amount and any(_has(text, [norm(w) for w in words]) for words in text_other.values()):
        return Reading("text")
    completion = _has(text, _words(glossary, "completion"))
    if completion and (rate or _has(text, _words(glossary, "completion", "rates"))):
        return Reading("execution")
    superlative = _has(text, _words(glossary, "extreme"))
    if superlative and (change_verb or change_noun or rate) and not compared:
        return Reading("extreme_change")  # 哪一项降幅最大: the extreme of changes (not computed yet)
    if compared or change_noun or (change_verb and (amount or rate or yes_no_form)):
        return Reading("change", wants_percent=rate)
    if _has(text, _words(glossary, "share")) or rate:
        return Reading("share")
    if yes_no_form and not wh:
        return Reading("yes_no")
    count = _COUNT.search(text)
    if count:
        return Reading("count", count_unit=count.group(1))
    breakdown = _has(text, _words(glossary, "breakdown"))
    spent_where = _has(text, _words(glossary, "extreme", "spent_where"))
    if superlative or _WHICH_OF.search(text) or ("主要" in text and spent_where and not breakdown):
        return Reading("extreme", among=bool(_WHICH_OF.search(text)))
    if breakdown or spent_where:
        return Reading("breakdown")
    if _has(text, _words(glossary, "sum")):
        return Reading("sum")
    return Reading("lookup")
