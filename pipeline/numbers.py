"""One grammar for amounts of money and percentages: it finds them in text and reads their values.

The value patterns (``pipeline.rules.value_matches``, used by the hybrid tagger and the rules
baseline) and the normaliser (``pipeline.normalise``) both go through this module, so that what
is found is exactly what can be read, and read the same way (SCHEMA.md §2–§3).

Forms (all also in full-width digits and, where cheap, traditional script):

- Arabic numbers with thousands separators and decimals: ``1,200元``, ``390.88万元``, ``２．２亿元``;
- Chinese numerals, capital ones too: ``三千万元``, ``壹佰万元``, ``叁佰伍拾万元``, ``七十八万五佰零六元``,
  with 零 gaps (``五亿零六``), 点 decimals (``十五点七元``, ``零点五万元`` = 5000) and the
  elliptical forms (``一万三`` = 13000, ``四百五`` = 450, ``百三`` = 130);
- Arabic digits mixed with 十百千万亿: ``5万4千6百``, ``3万4000``, ``2千零30万``, ``4.78万亿``;
- a sign inside the span: ``-50万元``, ``－3.2%``, ``负3.2%``, ``负三十二元``. ``-``/``－`` sign Arabic
  digits only (before a Chinese numeral a hyphen is more likely a separator); a ``-`` right after a
  digit or letter is a range dash or a code (``5-20%``), and 正负 is not a sign;
- money: number, optional ``余``/``多``, unit (元, 千元, 万元, 亿元 …, white space and one line break
  allowed before the unit: ``2356.40 万\\n元``), optional per-unit (``800元/生·年``, ``4元/生/天``);
  a bare ``万``/``亿`` with no 元 (``6.59万``) only where the context speaks of money;
- percentages: ``97.5%``, ``0.9‰``, ``百分之九十五``, ``百分之22``, ``千分之一``, ``仟分之贰``, ``百分之百``.

A form the grammar cannot read gives no span and raises :class:`NormaliseError` when asked for
its value: never a wrong number. Everything here is a plain function of its arguments.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

__all__ = ["NormaliseError", "MONEY_RE", "PERCENT_RE", "fold", "read_money", "read_numeral", "read_percent"]
# Finding amounts in running text (and reading bare table numbers) is pipeline.amounts, on this grammar.


class NormaliseError(ValueError):
    """A value surface the grammar cannot read; the message names the surface."""


# ------------------------------------------------------------------------------------------
# Characters

#: Chinese digits (lower case, capital, traditional and colloquial forms) and their values.
CN_DIGITS: dict[str, int] = {
    "零": 0, "〇": 0, "○": 0,
    "一": 1, "壹": 1,
    "二": 2, "贰": 2, "貳": 2, "两": 2, "兩": 2, "俩": 2, "倆": 2,
    "三": 3, "叁": 3, "參": 3,
    "四": 4, "肆": 4,
    "五": 5, "伍": 5,
    "六": 6, "陆": 6, "陸": 6,
    "七": 7, "柒": 7,
    "八": 8, "捌": 8,
    "九": 9, "玖": 9,
}
CN_ZEROS = "零〇○"
CN_SMALL_UNITS: dict[str, int] = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
CN_BIG_UNITS: dict[str, int] = {"万": 10**4, "萬": 10**4, "亿": 10**8, "億": 10**8}
CN_POINTS = "点點"
CN_NEGATIVE = "负負"

_CN_DIGIT_CLASS = "".join(CN_DIGITS)
_CN_UNIT_CLASS = "".join(CN_SMALL_UNITS) + "".join(CN_BIG_UNITS)
_D = "0-9０-９"

# ------------------------------------------------------------------------------------------
# The lexical grammar (regular expressions over the unfolded text, so offsets are the text's)

# Arabic number: thousands groups (``,`` between any digits, ``，`` only between full-width
# ones: between half-width digits it is the Chinese list comma) or plain digits; a decimal part.
_ARABIC = (
    rf"(?:[{_D}]{{1,3}}(?:(?:,|(?<=[０-９])，(?=[０-９]))[{_D}]{{3}})+(?![{_D}])|[{_D}]+)"
    rf"(?:[.．][{_D}]+)?"
)
# A numeral: Arabic numbers, Chinese digits and units in any order (the reader checks the
# order), then an optional 点 decimal part and the 万/亿 it multiplies (零点五万).
_NUMERAL = (
    rf"(?:{_ARABIC}|[{_CN_DIGIT_CLASS}十拾百佰千仟])(?:{_ARABIC}|[{_CN_DIGIT_CLASS}{_CN_UNIT_CLASS}])*"
    rf"(?:[{CN_POINTS}](?:[{_CN_DIGIT_CLASS}]+|[0-9]+)[万萬亿億]*)?"
)
# Where a number may start: not inside another number (after a digit, a decimal point, a
# digit and a separator, a numeral unit), not in a code (after a Latin letter), not the base of
# a rate (after ``/``: 152.30/10万), not after words that make a numeral vague (数十万, 上百万).
_START = (
    rf"(?<![{_D}.．{CN_POINTS}A-Za-z/／_])(?<![{_D}][,，])(?<![{_CN_UNIT_CLASS}])(?<![{_CN_UNIT_CLASS}] )"
    rf"(?:(?=[{_D}\-－−﹣{CN_NEGATIVE}])|(?<![{_CN_DIGIT_CLASS}数几上成好第]))"
)
# A sign directly before the number: ``-`` not after a digit or letter (a range, a code), 负 not after 正.
_SIGN = rf"(?:(?<![{_D}A-Za-z.．\-－−])[-－−﹣](?=[{_D}])|(?<!正)[{CN_NEGATIVE}](?=[{_D}{_CN_DIGIT_CLASS}十拾百佰千仟]))"
# White space inside an amount (PDF text): spaces, and at most one line break; never a tab or
# ``|`` (those separate table cells: ``850 | 万元`` is a number and a unit cell).
_WS = r"[ \u3000\xa0]*(?:\r?\n[ \u3000\xa0]*)?"
# A unit multiplier written after the number, when white space or 余/多 stands between them.
_MULT = r"(?:[十拾百佰千仟][万萬亿億]?|[万萬][亿億]?|[亿億])"
_YUAN = r"(?:[元圓](?![化素旦宵件]))"
# Per-units of a rate: 3000元/月, 60元/头, 800元/生·年, 4元/生/天, 38万元/公里.
_PER_UNIT = (
    r"(?:平方米|立方米|平方公里|剂次|人次|车次|架次|台次|件次|户次|场次|班次|批次|例次|人月|人年|人日|床日|公里|千米|"
    r"公斤|千克|小时|分钟|课时|学时|季度|画幅|学生|亩次|"
    r"月|天|日|年|季|周|次|人|户|亩|头|只|吨|米|件|台|套|个|床|座|所|名|生|班|册|家|辆|处|项|场|宗|份|张|株|棵|"
    r"箱|盏|块|间|本|例|篇|节|期|批|趟|斤|羽|窝|口|眼|枚|粒|支|根|片|袋|瓶|盒|包|对|双|部|栋|幢|层|辖|村|镇|乡|"
    r"条|笔|单|票|幅|卷|页|字|首|集|部|宗|起|课|门|科|校|园|站|点|所|"
    r"公顷|㎡|m²|kg|km|"
    r"[\u4e00-\u9fff]{1,2}(?=的|[^\u4e00-\u9fff]|$))"  # any other word of one or two characters that ends there: 元/剂次
)
_PER = rf"(?:[/／](?P<per>{_PER_UNIT}(?:[·・•/／]{_PER_UNIT})*)(?![初度末底份终中内]))"

_MONEY_PATTERN = (
    rf"{_START}(?P<sign>{_SIGN})?(?P<num>{_NUMERAL})"
    rf"(?:{_WS}(?P<approx1>[余多]))?(?:{_WS}(?P<mult>{_MULT}))?(?:{_WS}(?P<approx2>[余多]))?"
    rf"(?:{_WS}(?P<yuan>{_YUAN}){_PER}?)?"
)
_PERCENT_PATTERN = (
    rf"{_START}(?P<sign>{_SIGN})?"
    rf"(?:(?P<num>{_ARABIC})[ \u3000]?(?P<mark>[%％‰])"
    rf"|(?<![{_CN_DIGIT_CLASS}{_CN_UNIT_CLASS}{_D}])(?P<base>百分之|千分之|佰分之|仟分之)(?P<sign2>[{CN_NEGATIVE}])?"
    rf"(?P<cnum>{_NUMERAL}|[百佰](?![{_CN_DIGIT_CLASS}{_CN_UNIT_CLASS}{_D}])))"
)

#: The money grammar. A match with no ``yuan`` group is money only where :func:`find_money` says so.
MONEY_RE = re.compile(_MONEY_PATTERN)
#: The percentage grammar.
PERCENT_RE = re.compile(_PERCENT_PATTERN)

# ------------------------------------------------------------------------------------------
# Reading numerals


def fold(text: str) -> str:
    """NFKC with the full-width percent sign, on a copy of the text (offsets are not kept)."""
    return unicodedata.normalize("NFKC", text).replace("％", "%")


@dataclass(frozen=True)
class _Num:
    value: Decimal
    text: str  # Arabic digits as written (folded), or the Chinese digit

    @property
    def single_digit(self) -> bool:
        return len(self.text) == 1 and 1 <= self.value <= 9


_TOKEN = re.compile(r"(?P<arabic>[0-9]{1,3}(?:,[0-9]{3})+(?![0-9])(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?)|(?P<char>.)", re.S)


def _tokens(numeral: str) -> list[_Num | str]:
    """Numbers as :class:`_Num`, zeros as ``"0"``, units as their character."""
    out: list[_Num | str] = []
    for m in _TOKEN.finditer(numeral):
        if m.group("arabic"):
            out.append(_Num(Decimal(m.group("arabic").replace(",", "")), m.group("arabic")))
            continue
        ch = m.group("char")
        if ch in CN_ZEROS:
            out.append("0")
        elif ch in CN_DIGITS:
            out.append(_Num(Decimal(CN_DIGITS[ch]), ch))
        elif ch in CN_SMALL_UNITS or ch in CN_BIG_UNITS:
            out.append(ch)
        else:
            raise NormaliseError(f"not a numeral character {ch!r} in {numeral!r}")
    return out


# Unit words that may follow an Arabic number as a whole (1,862.5千元, 2.5千万元, 4.78万亿).
_UNIT_WORDS = {"十": 10, "百": 100, "千": 10**3, "万": 10**4, "十万": 10**5, "百万": 10**6, "千万": 10**7,
               "亿": 10**8, "十亿": 10**9, "百亿": 10**10, "千亿": 10**11, "万亿": 10**12}


def _unit_word(units: str) -> int | None:
    plain = units.translate(str.maketrans("拾佰仟萬億", "十百千万亿"))
    return _UNIT_WORDS.get(plain)


def _read_small(tokens: list[_Num | str], numeral: str) -> Decimal:
    """A group below 10000 (no 万/亿): 四百五十, 四百五 (elliptical), 一千零五, 十五, 4千6百, 1千零20."""
    if not tokens:
        raise NormaliseError(f"a unit without a number in {numeral!r}")
    if all(t == "0" for t in tokens):
        return Decimal(0)
    value, last_unit = Decimal(0), 10**4
    pending: _Num | None = None
    after_zero, saw_unit = False, False
    for i, tok in enumerate(tokens):
        if tok == "0":
            if pending is not None:
                raise NormaliseError(f"a digit before 零 in {numeral!r}")
            after_zero = True
            continue
        if isinstance(tok, _Num):
            if pending is not None:
                raise NormaliseError(f"two numbers without a unit between them in {numeral!r}")
            pending = tok
            continue
        unit = CN_SMALL_UNITS[tok]
        if unit >= last_unit:
            raise NormaliseError(f"units out of order in {numeral!r}")
        if pending is None:
            # 十五, 百三, 千三 at the start; 零十 (一百零十) after a zero
            if not (i == 0 or (after_zero and unit == 10)):
                raise NormaliseError(f"{tok} without a digit in {numeral!r}")
            coefficient = Decimal(1)
        else:
            if not pending.single_digit:
                raise NormaliseError(f"{pending.text!r} cannot count {tok} in {numeral!r}")
            coefficient = pending.value
        value += coefficient * unit
        last_unit, pending, after_zero, saw_unit = unit, None, False, True
    if pending is not None:
        if not saw_unit:
            value = pending.value  # a lone number: 2030, 九
        elif after_zero:
            if pending.value >= last_unit or pending.value != pending.value.to_integral_value():
                raise NormaliseError(f"{pending.text!r} does not fit after 零 in {numeral!r}")
            value += pending.value
        else:
            # elliptical: the digit counts the next lower unit (四百五 = 450, 一千陆 = 1600)
            if not pending.single_digit:
                raise NormaliseError(f"ambiguous {pending.text!r} after a unit in {numeral!r}")
            value += pending.value * last_unit / 10
    elif after_zero:
        raise NormaliseError(f"零 at the end of {numeral!r}")
    return value


def _read_integer(tokens: list[_Num | str], numeral: str) -> Decimal:
    """Tokens without a 点 part: big units split the numeral from the highest down."""
    if not tokens:
        raise NormaliseError(f"no number in {numeral!r}")
    # an Arabic number followed by a unit word: 1,862.5千, 2.5千万, 4.78万亿, 2亿
    if isinstance(tokens[0], _Num) and len(tokens) > 1 and all(isinstance(t, str) and t != "0" for t in tokens[1:]):
        scale = _unit_word("".join(tokens[1:]))  # type: ignore[arg-type]
        if scale is not None:
            return tokens[0].value * scale
    for t in tokens:
        if isinstance(t, _Num) and t.value != t.value.to_integral_value() and t is not tokens[0]:
            raise NormaliseError(f"a decimal inside {numeral!r}")
    bigs = [(i, CN_BIG_UNITS[t]) for i, t in enumerate(tokens) if isinstance(t, str) and t in CN_BIG_UNITS]
    if not bigs:
        if isinstance(tokens[0], _Num) and tokens[0].value != tokens[0].value.to_integral_value() and len(tokens) > 1:
            raise NormaliseError(f"a decimal inside {numeral!r}")
        return _read_small(tokens, numeral)
    top = max(b for _, b in bigs)
    i = max(i for i, b in bigs if b == top)
    left, right = tokens[:i], tokens[i + 1 :]
    if not left:
        raise NormaliseError(f"{tokens[i]} without a number in {numeral!r}")
    if any(isinstance(t, str) and t in CN_BIG_UNITS and CN_BIG_UNITS[t] == top for t in left):
        raise NormaliseError(f"{tokens[i]} twice in {numeral!r}")
    head = _read_integer(left, numeral)  # may hold a lower big unit: 4.78万亿, 一万五千亿
    if head != head.to_integral_value() and right:
        raise NormaliseError(f"a decimal before more digits in {numeral!r}")
    if not right:
        return head * top
    if right[0] == "0":
        rest = list(right)
        while rest and rest[0] == "0":
            rest.pop(0)
        if not rest:
            raise NormaliseError(f"零 at the end of {numeral!r}")
        tail = _read_integer(rest, numeral)
    elif len(right) == 1 and isinstance(right[0], _Num) and right[0].single_digit:
        tail = right[0].value * top / 10  # elliptical: 一万三 = 13000, 九十二万四 = 924000
    else:
        if len(right) == 1 and isinstance(right[0], _Num) and right[0].text[0].isdigit() and \
                len(right[0].text) != len(str(top)) - 1:
            raise NormaliseError(f"ambiguous {right[0].text!r} after {tokens[i]} in {numeral!r}")
        tail = _read_integer(right, numeral)
    if tail >= top or tail != tail.to_integral_value():
        raise NormaliseError(f"{numeral!r} does not read as a number")
    return head * top + tail


_CN_TO_ASCII = str.maketrans({ch: str(v) for ch, v in CN_DIGITS.items()})


def read_numeral(numeral: str, digit_strings: bool = True) -> Decimal:
    """The value of an unsigned numeral in any form of this grammar.

    ``三千万`` → 30000000, ``一百二十`` → 120, ``十五`` → 15, ``二点五`` → 2.5, ``九五`` → 95 (digit by
    digit), ``零点五万`` → 5000, ``一万三`` → 13000, ``5万4千6百`` → 54600, ``4.78万亿`` → 4.78e12,
    ``壹佰伍拾`` → 150, ``1,050,000`` → 1050000. Raises :class:`NormaliseError` for anything else.

    Chinese digits without units are read digit by digit (``九五`` → 95, ``二〇二三`` → 2023) only if
    ``digit_strings``: in an amount they are a range (``三五万元`` is 3 to 5万), which has no one value.
    """
    folded = fold(numeral).strip()
    if not folded:
        raise NormaliseError("empty numeral")
    try:
        points = [i for i, ch in enumerate(folded) if ch in CN_POINTS]
        if len(points) > 1:
            raise NormaliseError(f"two decimal points in {numeral!r}")
        if not any(ch.isdigit() or ch in CN_DIGITS for ch in folded) and folded[0] not in "十拾":
            raise NormaliseError(f"no digit in {numeral!r}")  # 百万, 千元: a unit word, not a number
        if not points and len(folded) > 1 and all(ch in CN_DIGITS for ch in folded):
            if not digit_strings:
                raise NormaliseError(f"digits without units in {numeral!r} (a range?)")
            return Decimal(folded.translate(_CN_TO_ASCII))
        if not points:
            return _read_integer(_tokens(folded), numeral)
        whole, frac = folded[: points[0]], folded[points[0] + 1 :]
        frac_digits = frac.rstrip("万萬亿億")
        scale_units = frac[len(frac_digits) :]
        if not whole or not frac_digits:
            raise NormaliseError(f"a decimal point without digits on both sides in {numeral!r}")
        if frac_digits.isdigit():
            digits = frac_digits
        elif all(ch in CN_DIGITS for ch in frac_digits):
            digits = frac_digits.translate(_CN_TO_ASCII)
        else:
            raise NormaliseError(f"bad decimal part in {numeral!r}")
        whole_tokens = _tokens(whole)
        head = _read_integer(whole_tokens, numeral)
        value = head + Decimal("0." + digits)
        if scale_units:
            scale = _unit_word(scale_units)
            if scale is None or any(isinstance(t, str) and t in CN_BIG_UNITS for t in whole_tokens):
                raise NormaliseError(f"cannot scale the decimal in {numeral!r}")
            value *= scale
        return value
    except (InvalidOperation, KeyError) as err:
        raise NormaliseError(f"cannot read the numeral {numeral!r}") from err


# ------------------------------------------------------------------------------------------
# Reading surfaces


def _signed(match: re.Match[str], value: Decimal) -> Decimal:
    sign = (match.group("sign") or "") + (match.groupdict().get("sign2") or "")
    return -value if sign else value


def _money_value(match: re.Match[str], surface: str) -> tuple[Decimal, bool, str | None]:
    """Value, approx word inside, per-unit of a MONEY_RE match."""
    if match.group("approx1") and match.group("approx2"):
        raise NormaliseError(f"two approximation words in {surface!r}")
    num = match.group("num")
    try:
        value = read_numeral(num, digit_strings=False)
    except NormaliseError as err:
        raise NormaliseError(f"cannot read the amount {surface!r}: {err}") from err
    if match.group("mult"):
        scale = _unit_word(match.group("mult"))
        if scale is None:
            raise NormaliseError(f"unknown unit in {surface!r}")
        value *= scale
    if not match.group("yuan") and not re.search(r"[万萬亿億]$", match.group("mult") or num):
        raise NormaliseError(f"not a money amount (no unit): {surface!r}")
    approx = bool(match.group("approx1") or match.group("approx2"))
    return _signed(match, value), approx, match.group("per")


def read_money(surface: str) -> tuple[float, bool, str | None]:
    """(yuan, approx word inside the span, per-unit) for a MONEY surface such as ``30余万元``.

    ``6.59万`` and ``2亿`` (no 元) are read too; whether they are money is the finder's call.
    """
    stripped = surface.strip()
    match = MONEY_RE.fullmatch(stripped)
    if not match:
        raise NormaliseError(f"not a money amount: {surface!r}")
    value, approx, per = _money_value(match, surface)
    return float(value), approx, per


def _percent_value(match: re.Match[str], surface: str) -> Decimal:
    if match.group("num"):
        number = Decimal(fold(match.group("num")).replace(",", ""))
        scale = 1000 if match.group("mark") == "‰" else 100
    else:
        cnum = match.group("cnum")
        scale = 1000 if match.group("base") in ("千分之", "仟分之") else 100
        try:
            number = Decimal(100) if cnum in ("百", "佰") else read_numeral(cnum, digit_strings=False)
        except NormaliseError as err:
            raise NormaliseError(f"cannot read the percentage {surface!r}: {err}") from err
    return _signed(match, number / scale)


def read_percent(surface: str) -> float:
    """A fraction for a PERCENT surface: ``97.50%`` → 0.975, ``0.9‰`` → 0.0009, ``百分之九十五`` → 0.95."""
    match = PERCENT_RE.fullmatch(surface.strip())
    if not match:
        raise NormaliseError(f"not a percentage: {surface!r}")
    try:
        return float(_percent_value(match, surface))
    except InvalidOperation as err:
        raise NormaliseError(f"cannot read the percentage {surface!r}") from err
