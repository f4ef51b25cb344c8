"""Rule patterns: the rules-only baseline tagger, and the value patterns the hybrid tagger uses.

The baseline exists to be measured against: it shows how much the trained tagger adds.
The value patterns are also used after the trained tagger (``perfreport_value_patterns``)
to snap MONEY/PERCENT boundaries and to catch amounts the model missed.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pipeline.amounts import find_amounts
from pipeline.document import Document, Span
from pipeline.numbers import MONEY_RE, PERCENT_RE

# The value patterns are the grammar of pipeline.numbers, the one the normaliser reads values with:
# what is found here can be read there, the same way. MONEY_RE also matches bare 万/亿 amounts
# (6.59万), which value_matches keeps only where the context speaks of money.
__all__ = ["MONEY_RE", "PERCENT_RE", "INDICATOR_RE", "PROJECT_RE", "repair_project", "rule_document", "rule_spans",
           "value_matches"]

# Lexical cues of the rules-only baseline: a run of CJK characters ending in a metric head
# word or a project head word, not crossing punctuation.
INDICATOR_RE = re.compile(r"[\u4e00-\u9fff“”\"]{2,14}?(?:率|度|性|满意度|数量|指数|时长|控制数)(?=[^\u4e00-\u9fff]|达|为|是|在|控制|$)")
PROJECT_RE = re.compile(r"(?:\d{4}年)?[\u4e00-\u9fff（）()]{2,30}?(?:项目|经费|资金|专项)(?![\u4e00-\u9fff]{0,2}(?:项目|经费|资金))")
_NOT_INDICATOR = ("产出指标", "效益指标", "满意度指标", "数量指标", "质量指标")


_BRACKET_AFTER = re.compile(r"[（(][^（）()\n\d]{1,20}[）)](?:项目|资金|经费)?")
_YEAR_BEFORE = re.compile(r"(?:\d{4}年?[-—至~]\d{4}年|\d{4}年度?|\d{4})$")
_LIST_NUMBER = re.compile(r"^\d{1,2}[.、．]")


def repair_project(text: str, start: int, end: int) -> tuple[int, int]:
    """SCHEMA's PROJECT boundaries: a year written directly before and a bracketed qualifier
    (with the 项目 after it) belong to the title; a list number in front does not."""
    number = _LIST_NUMBER.match(text[start:end])
    if number and end - start - number.end() >= 2:
        start += number.end()
    year = _YEAR_BEFORE.search(text[max(0, start - 12) : start])
    if year and not (start - len(year.group()) > 0 and text[start - len(year.group()) - 1].isdigit()):
        start -= len(year.group())
    bracket = _BRACKET_AFTER.match(text, end)
    if bracket:
        end = bracket.end()
    return start, end


def value_matches(text: str) -> list[tuple[int, int, str]]:
    """(start, end, label) of every MONEY/PERCENT amount the grammar finds and can read, outside
    《》 titles, sorted and not overlapping (:func:`pipeline.amounts.find_amounts`)."""
    return list(_value_matches(text))


@lru_cache(maxsize=8)  # the value patterns and the project layer ask for the same report's amounts
def _value_matches(text: str) -> tuple[tuple[int, int, str], ...]:
    return tuple((a.start, a.end, a.label) for a in find_amounts(text))


def rule_spans(text: str) -> list[tuple[int, int, str]]:
    """The rules-only baseline: value patterns first, then lexical INDICATOR/PROJECT cues."""
    taken: list[tuple[int, int, str]] = list(value_matches(text))

    def free(s: int, e: int) -> bool:
        return all(e <= a or s >= b for a, b, _ in taken)

    for regex, label in ((PROJECT_RE, "PROJECT"), (INDICATOR_RE, "INDICATOR")):
        for m in regex.finditer(text):
            s, e = m.start(), m.end()
            while s < e and text[s] in "的和及、与":
                s += 1
            if e - s >= 2 and free(s, e) and text[s:e] not in _NOT_INDICATOR:
                taken.append((s, e, label))
    return sorted(taken)


def rule_document(doc_id: str, text: str) -> Document:
    """A prediction Document from the rules alone (values are filled by the normaliser later)."""
    spans = [Span(id=f"T{i + 1}", start=s, end=e, label=lab) for i, (s, e, lab) in enumerate(rule_spans(text))]
    return Document(id=doc_id, text=text, meta={"model": "rules-only baseline"}, spans=spans)
