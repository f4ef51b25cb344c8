"""Value normalisation: from a MONEY/PERCENT surface and its context to value, unit, cmp, approx, per.

Pure functions, no model. Full-width folding (NFKC) happens here, on a copy: the stored
text is never changed. Anything that cannot be read raises :class:`NormaliseError`
naming the surface; a silent wrong number is worse than a gap.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from pipeline.amounts import read_value
from pipeline.numbers import (
    CN_BIG_UNITS,
    CN_DIGITS,
    CN_SMALL_UNITS,
    NormaliseError,
    fold,
    read_money,
    read_numeral,
    read_percent,
)

__all__ = ["NormaliseError", "Normalised", "approximate", "chinese_to_decimal", "comparator", "fold", "normalise",
           "parse_money", "parse_percent", "CN_DIGITS", "CN_SMALL_UNITS", "CN_BIG_UNITS"]

# Longest cues first, so that 不低于 is not read as 低于 and 及以上 not as 以上.
LEFT_CMP = [("大于或等于", ">="), ("大于等于", ">="), ("不低于", ">="), ("不少于", ">="), ("不小于", ">="),
            ("不超过", "<="), ("不高于", "<="), ("不多于", "<="), ("不大于", "<="), ("小于等于", "<="),
            (">=", ">="), ("≥", ">="), ("≧", ">="), ("<=", "<="), ("≤", "<="), ("≦", "<="),
            ("高于", ">"), ("超过", ">"), ("大于", ">"), ("多于", ">"), (">", ">"),
            ("低于", "<"), ("少于", "<"), ("小于", "<"), ("不足", "<"), ("不到", "<"), ("<", "<"), ("=", "=")]
# A cap or floor written right before the amount (每人每年最高2万元); 最高为… reports a maximum reached.
CAP_CMP = [("最高", "<="), ("最多", "<="), ("至多", "<="), ("最低", ">="), ("最少", ">="), ("至少", ">=")]
RIGHT_CMP = [("及以上", ">="), ("以上", ">="), ("以内", "<="), ("以下", "<=")]
LEFT_APPROX = ("大约", "约", "近", "将近", "接近", "大概")
RIGHT_APPROX = ("左右", "上下", "余", "多")


@dataclass(frozen=True)
class Normalised:
    value: float
    unit: str
    cmp: str = "="
    approx: bool = False
    per: str | None = None


def chinese_to_decimal(numeral: str) -> Decimal:
    """三千万 → 30000000, 一百二十 → 120, 十五 → 15, 二点五 → 2.5, 九五 → 95 (digit by digit).

    The numeral grammar of :mod:`pipeline.numbers` (capital, elliptical and mixed forms too)."""
    return read_numeral(numeral)


def parse_money(surface: str) -> tuple[float, bool, str | None]:
    """(yuan, approx word inside the span, per unit) for a MONEY surface such as ``30余万元``."""
    return read_money(surface)


def parse_percent(surface: str) -> float:
    """A fraction for a PERCENT surface: ``97.50%`` → 0.975, ``0.9‰`` → 0.0009, ``百分之九十五`` → 0.95."""
    return read_percent(surface)


# Words that may stand between a cue and its value: 约为…, 不低于每人每年…, 达到…
_FILLER = re.compile(r"(?:每[人户年月天亩项次个件]){0,2}(?:为|是|达到|达|在)?$")
# 约 inside a word is not "about": 节约, 制约, 签约, 合约, 预约
_NOT_APPROX = ("节约", "制约", "签约", "合约", "预约", "简约")


def _strip_filler(left: str) -> str:
    return _FILLER.sub("", left)


_CELL_EDGE = " \t\r\n|\u3000"  # white space and table cell separators (``≥ | 95 | %``)


def comparator(left: str, right: str) -> str:
    """The comparator written around a span: ``left`` is the text before it, ``right`` after."""
    raw = fold(left).rstrip(_CELL_EDGE)
    left, right = _strip_filler(raw), fold(right).lstrip(_CELL_EDGE)
    for cue, cmp in RIGHT_CMP:
        if right.startswith(cue):
            return cmp
    for cue, cmp in CAP_CMP:
        if raw.endswith(cue):
            return cmp
    for cue, cmp in LEFT_CMP:
        if left.endswith(cue):
            return cmp
    # 控制在5.5%以内 is caught above; 控制在…, 为…, 达到… say nothing about the direction.
    return "="


def approximate(left: str, right: str) -> bool:
    left, right = _strip_filler(fold(left).rstrip(_CELL_EDGE)), fold(right).lstrip(_CELL_EDGE)
    return (left.endswith(LEFT_APPROX) and not left.endswith(_NOT_APPROX)) or right.startswith(RIGHT_APPROX)


def normalise(text: str, start: int, end: int, label: str) -> Normalised:
    """Normalise the value span ``text[start:end]`` using up to 10 characters on each side.

    The value is read by the grammar of :mod:`pipeline.numbers` (the one the value patterns find
    amounts with); a bare number takes its unit from its table or a ``单位：万元`` line.
    """
    value, approx_inside, per = read_value(text, start, end, label)
    left, right = text[max(0, start - 10) : start], text[end : end + 6]
    unit = "CNY" if label == "MONEY" else "ratio"
    return Normalised(value, unit, comparator(left, right), approx_inside or approximate(left, right), per)
