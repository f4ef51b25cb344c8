"""Value normalisation: from a MONEY/PERCENT surface and its context to value, unit, cmp, approx, per.

Pure functions, no model. Full-width folding (NFKC) happens here, on a copy: the stored
text is never changed. Anything that cannot be read raises :class:`NormaliseError`
naming the surface; a silent wrong number is worse than a gap.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

CN_DIGITS = {"零": 0, "〇": 0, "○": 0, "一": 1, "壹": 1, "二": 2, "贰": 2, "两": 2, "三": 3, "叁": 3, "四": 4, "肆": 4,
             "五": 5, "伍": 5, "六": 6, "陆": 6, "七": 7, "柒": 7, "八": 8, "捌": 8, "九": 9, "玖": 9}
CN_SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
CN_BIG_UNITS = {"万": 10**4, "亿": 10**8}
CN_NUMERAL_CHARS = "".join(CN_DIGITS) + "".join(CN_SMALL_UNITS) + "".join(CN_BIG_UNITS) + "点"

MONEY_UNITS = {"元": 1, "千元": 10**3, "万元": 10**4, "十万元": 10**5, "百万元": 10**6, "千万元": 10**7,
               "亿元": 10**8, "万亿元": 10**12, "万": 10**4, "亿": 10**8}
_MONEY_RE = re.compile(
    r"(?P<num>[0-9][0-9,]*(?:\.[0-9]+)?|[" + CN_NUMERAL_CHARS + r"]+?)\s*(?P<approx>余|多)?\s*"
    r"(?P<unit>万亿元|千万元|百万元|十万元|亿元|万元|千元|元|万|亿)(?:/(?P<per>[^\s/]{1,4}))?"
)
_PERCENT_RE = re.compile(r"(?P<num>[0-9]+(?:\.[0-9]+)?)\s*(?P<sign>%|‰)")
_CN_PERCENT_RE = re.compile(r"百分之(?P<num>[" + CN_NUMERAL_CHARS + r"]+)")

# Longest cues first, so that 不低于 is not read as 低于 and 及以上 not as 以上.
LEFT_CMP = [("大于或等于", ">="), ("大于等于", ">="), ("不低于", ">="), ("不少于", ">="), ("不小于", ">="),
            ("不超过", "<="), ("不高于", "<="), ("不多于", "<="), ("不大于", "<="), ("小于等于", "<="),
            (">=", ">="), ("≥", ">="), ("≧", ">="), ("<=", "<="), ("≤", "<="), ("≦", "<="),
            ("高于", ">"), ("超过", ">"), ("大于", ">"), ("多于", ">"), (">", ">"),
            ("低于", "<"), ("少于", "<"), ("小于", "<"), ("不足", "<"), ("不到", "<"), ("<", "<"), ("=", "=")]
RIGHT_CMP = [("及以上", ">="), ("以上", ">="), ("以内", "<="), ("以下", "<=")]
LEFT_APPROX = ("大约", "约", "近", "将近", "接近", "大概")
RIGHT_APPROX = ("左右", "上下", "余", "多")


class NormaliseError(ValueError):
    """A value surface the normaliser cannot read; the message names the surface."""


@dataclass(frozen=True)
class Normalised:
    value: float
    unit: str
    cmp: str = "="
    approx: bool = False
    per: str | None = None


def fold(text: str) -> str:
    """NFKC with the full-width percent sign, on a copy of the text (offsets are not kept)."""
    return unicodedata.normalize("NFKC", text).replace("％", "%")


def chinese_to_decimal(numeral: str) -> Decimal:
    """三千万 → 30000000, 一百二十 → 120, 十五 → 15, 二点五 → 2.5, 九五 → 95 (digit by digit)."""
    if not numeral or any(ch not in CN_NUMERAL_CHARS for ch in numeral):
        raise NormaliseError(f"not a Chinese numeral: {numeral!r}")
    if "点" in numeral:
        whole, _, frac = numeral.partition("点")
        if not frac or any(ch not in CN_DIGITS for ch in frac):
            raise NormaliseError(f"bad decimal part in {numeral!r}")
        head = chinese_to_decimal(whole) if whole else Decimal(0)
        return head + Decimal("0." + "".join(str(CN_DIGITS[c]) for c in frac))
    if all(ch in CN_DIGITS for ch in numeral):
        return Decimal("".join(str(CN_DIGITS[c]) for c in numeral))
    total, section, digit = Decimal(0), Decimal(0), None
    for ch in numeral:
        if ch in "零〇○":
            continue  # a placeholder (一百零五): it only says a unit is skipped
        if ch in CN_DIGITS:
            if digit is not None:
                raise NormaliseError(f"two digits without a unit in {numeral!r}")
            digit = CN_DIGITS[ch]
        elif ch in CN_SMALL_UNITS:
            section += (1 if digit is None else digit) * CN_SMALL_UNITS[ch]
            digit = None
        else:  # 万 / 亿 multiply everything read so far in this group
            section += digit or 0
            digit = None
            if section == 0 and total == 0:
                raise NormaliseError(f"{ch} without a number in {numeral!r}")
            big = CN_BIG_UNITS[ch]
            if big == 10**8:
                total = (total + section) * big
            else:
                total += section * big
            section = Decimal(0)
    return total + section + (digit or 0)


def _to_decimal(num: str, surface: str) -> Decimal:
    if num[0].isdigit():
        cleaned = num.replace(",", "")
        if re.search(r",(?!\d{3}(?:[,.]|$))", num):
            raise NormaliseError(f"misplaced thousands separator in {surface!r}")
        try:
            return Decimal(cleaned)
        except InvalidOperation as err:
            raise NormaliseError(f"cannot read the number in {surface!r}") from err
    return chinese_to_decimal(num)


def parse_money(surface: str) -> tuple[float, bool, str | None]:
    """(yuan, approx word inside the span, per unit) for a MONEY surface such as ``30余万元``."""
    folded = fold(surface).strip()
    match = _MONEY_RE.fullmatch(folded)
    if not match:
        raise NormaliseError(f"not a money amount: {surface!r}")
    num, unit = match.group("num"), match.group("unit")
    try:
        if num[0].isdigit():
            value = _to_decimal(num, surface) * MONEY_UNITS[unit]
        else:
            # 一百二十万元 / 三千万元: 十百千万亿 belong to the numeral; only 元 is the unit
            value = chinese_to_decimal(num + unit.removesuffix("元"))
    except NormaliseError as err:
        raise NormaliseError(f"cannot read the amount {surface!r}: {err}") from err
    return float(value), match.group("approx") is not None, match.group("per")


def parse_percent(surface: str) -> float:
    """A fraction for a PERCENT surface: ``97.50%`` → 0.975, ``0.9‰`` → 0.0009, ``百分之九十五`` → 0.95."""
    folded = fold(surface).strip()
    match = _PERCENT_RE.fullmatch(folded)
    if match:
        scale = 100 if match.group("sign") == "%" else 1000
        return float(Decimal(match.group("num")) / scale)
    match = _CN_PERCENT_RE.fullmatch(folded)
    if match:
        num = match.group("num")
        value = Decimal(100) if num == "百" else chinese_to_decimal(num)
        return float(value / 100)
    raise NormaliseError(f"not a percentage: {surface!r}")


# Words that may stand between a cue and its value: 约为…, 不低于每人每年…, 达到…
_FILLER = re.compile(r"(?:每[人户年月天亩项次个件]){0,2}(?:为|是|达到|达|在)?$")
# 约 inside a word is not "about": 节约, 制约, 签约, 合约, 预约
_NOT_APPROX = ("节约", "制约", "签约", "合约", "预约", "简约")


def _strip_filler(left: str) -> str:
    return _FILLER.sub("", left)


def comparator(left: str, right: str) -> str:
    """The comparator written around a span: ``left`` is the text before it, ``right`` after."""
    left, right = _strip_filler(fold(left).rstrip()), fold(right).lstrip()
    for cue, cmp in RIGHT_CMP:
        if right.startswith(cue):
            return cmp
    for cue, cmp in LEFT_CMP:
        if left.endswith(cue):
            return cmp
    # 控制在5.5%以内 is caught above; 控制在…, 为…, 达到… say nothing about the direction.
    return "="


def approximate(left: str, right: str) -> bool:
    left, right = _strip_filler(fold(left).rstrip()), fold(right).lstrip()
    return (left.endswith(LEFT_APPROX) and not left.endswith(_NOT_APPROX)) or right.startswith(RIGHT_APPROX)


def normalise(text: str, start: int, end: int, label: str) -> Normalised:
    """Normalise the value span ``text[start:end]`` using up to 10 characters on each side."""
    surface = text[start:end]
    left, right = text[max(0, start - 10) : start], text[end : end + 6]
    if label == "MONEY":
        value, approx_inside, per = parse_money(surface)
        return Normalised(value, "CNY", comparator(left, right), approx_inside or approximate(left, right), per)
    if label == "PERCENT":
        return Normalised(parse_percent(surface), "ratio", comparator(left, right), approximate(left, right))
    raise NormaliseError(f"{label} spans carry no value: {surface!r}")
