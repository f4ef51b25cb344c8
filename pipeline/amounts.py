"""Amounts in running text, and bare numbers whose unit stands elsewhere, on the one grammar of
:mod:`pipeline.numbers`.

``find_amounts`` is what the value patterns (``pipeline.rules.value_matches``) return: every MONEY
and PERCENT the grammar finds, with its value, minus look-alikes that are not money (counts with
万, rates per 10万, filling instructions). ``read_value`` reads a span's value, a bare table number
included (its unit from the column header, a ``单位：万元`` line or the next cell).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from pipeline.numbers import (
    _ARABIC,
    _CN_DIGIT_CLASS,
    _CN_UNIT_CLASS,
    _D,
    MONEY_RE,
    PERCENT_RE,
    NormaliseError,
    _money_value,
    _percent_value,
    fold,
    read_money,
    read_percent,
)

# ------------------------------------------------------------------------------------------
# Bare numbers whose unit stands elsewhere (SCHEMA §2: tables, 单位：万元 lines, the next cell)

_BARE = re.compile(rf"[-－−]?{_ARABIC}")
_UNIT_SCALE = {"元": 1, "千元": 10**3, "万元": 10**4, "亿元": 10**8}
_HEADER_UNIT = re.compile(r"[（(]\s*(?:单位\s*[：:]\s*)?(万元|千元|亿元|元|%|％)\s*[)）]")
# A unit written for what follows: a bracketed unit (a header), a 单位：万元 line.
# (A closing bracket lost at the end of a line, ``经费支出情况(万元``, still counts.)
_UNIT_MARK = re.compile(r"[（(]\s*(?:单位\s*[：:]\s*)?(万元|千元|亿元|元)\s*(?:[)）]|[ \t|]*$)|"
                        r"单位\s*[：:为]\s*(?:人民币)?\s*(万元|千元|亿元|元)", re.M)
# A note after a table: 金额单位除注明外均为万元, 单位均为万元.
_UNIT_NOTE = re.compile(r"单位[^。\n]{0,10}?为\s*(万元|千元|亿元|元)")
_NEXT_CELL_UNIT = re.compile(r"[ \u3000]*(?:[\t|]|[ \u3000]*\|?\r?\n)[ \u3000|]*(万元|千元|亿元|元|%|％|‰)")
_REACH = 5000  # how far (characters) a unit line or note is looked for around a bare number
_CELL_SEP = re.compile(r"\t|\|")
_VALUE_CELL = re.compile(rf"^(?:[≥≤<>=≧≦＞＜]|不低于|不高于|不超过|不少于)?\s*[-－−]?[{_D}]")
_PLACEHOLDERS = frozenset({"", "—", "——", "-", "－", "/", "／", "–", "无"})


def _line_bounds(text: str, pos: int) -> tuple[int, int]:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return start, len(text) if end < 0 else end


def _cells(line: str) -> list[str]:
    return [c.strip() for c in _CELL_SEP.split(line)]


def _header_of_cell(text: str, start: int) -> tuple[str | None, list[str]]:
    """The header cell above the table cell at ``start`` and its row (right-aligned when the rows
    have different numbers of cells, as merged cells leave them), or (None, [])."""
    a, b = _line_bounds(text, start)
    line = text[a:b]
    if not _CELL_SEP.search(line):
        return None, []
    row = _cells(line)
    index = len(_CELL_SEP.findall(line[: start - a]))
    end = a - 1  # the line break before this row
    for _ in range(20):
        if end < 0:
            break
        begin = text.rfind("\n", 0, end) + 1
        above, end = text[begin:end], begin - 1
        if not _CELL_SEP.search(above):
            if above.strip():
                break  # prose: the table ends here
            continue
        cells = _cells(above)
        j = index if len(cells) == len(row) else len(cells) - (len(row) - index)
        if not 0 <= j < len(cells):
            continue
        cell = cells[j]
        if cell in _PLACEHOLDERS or _VALUE_CELL.match(cell):
            continue
        return cell, cells
    return None, []


def _scale_from_context(text: str, start: int, end: int, label: str) -> Decimal | None:
    """The unit a bare number at ``text[start:end]`` takes from its context, as a factor.

    PERCENT: 1/100, or 1/1000 where the next cell or the column header says ‰. MONEY, in this
    order: the next cell (``850 | 万元``, ``1800 | 元/人``); the unit in its column header
    (``年初预算数（万元）``) or the header row (``项目资金（万元）``); the nearest unit written before
    it (``（万元）``, ``单位：万元``); a note after it (``金额单位除注明外均为万元``). None if there is none.
    """
    after = _NEXT_CELL_UNIT.match(text, end)
    header, row = _header_of_cell(text, start)
    units = [m.group(1) for m in _HEADER_UNIT.finditer(header or "")]
    if label == "PERCENT":
        if (after and after.group(1) == "‰") or (header and "‰" in header):
            return Decimal("0.001")
        return Decimal("0.01")
    if after and after.group(1) in _UNIT_SCALE:
        return Decimal(_UNIT_SCALE[after.group(1)])
    money_units = [u for u in units if u in _UNIT_SCALE]
    if money_units:
        return Decimal(_UNIT_SCALE[money_units[0]])
    if header is not None:
        row_units = {m.group(1) for cell in row for m in _HEADER_UNIT.finditer(cell) if m.group(1) in _UNIT_SCALE}
        if len(row_units) == 1:
            return Decimal(_UNIT_SCALE[row_units.pop()])
    before = [m.group(1) or m.group(2) for m in _UNIT_MARK.finditer(text, max(0, start - _REACH), start)]
    if before:
        return Decimal(_UNIT_SCALE[before[-1]])
    # the unit the same form uses throughout (SCHEMA §4b): a note, or the first unit after it
    note = _UNIT_NOTE.search(text, end, end + _REACH) or _UNIT_MARK.search(text, end, end + _REACH)
    if note:
        return Decimal(_UNIT_SCALE[note.group(1) or note.group(2)])
    return None


def read_value(text: str, start: int, end: int, label: str) -> tuple[float, bool, str | None]:
    """(value, approx word inside, per-unit) of the MONEY or PERCENT span ``text[start:end]``.

    A bare number (``850.00``) takes its unit from its context (:func:`_scale_from_context`); a
    bare number with no unit to be found raises :class:`NormaliseError`.
    """
    surface = text[start:end]
    if label not in ("MONEY", "PERCENT"):
        raise NormaliseError(f"{label} spans carry no value: {surface!r}")
    if _BARE.fullmatch(surface.strip()):
        scale = _scale_from_context(text, start, end, label)
        if scale is None:
            raise NormaliseError(f"no unit for the bare number {surface!r}")
        folded = fold(surface.strip()).replace(",", "").replace("−", "-")
        return float(Decimal(folded) * scale), False, None
    if label == "MONEY":
        return read_money(surface)
    return read_percent(surface), False, None


# ------------------------------------------------------------------------------------------
# Finding amounts


@dataclass(frozen=True)
class Amount:
    """A MONEY or PERCENT span the grammar found, with the value it reads."""

    start: int
    end: int
    label: str  # "MONEY" or "PERCENT"
    value: float
    approx: bool = False
    per: str | None = None


# Words that say an amount without 元 is money (in its sentence, near it).
_MONEY_CUE = re.compile(r"资金|预算|支出|经费|决算|拨付|拨款|到位|配套|资助|补助|补贴|贴息|投入|投资|金额|余额|结余|结转|"
                        r"收入|发放|支付|付款|费用|[费款元]|质保金|保证金|奖励|奖金|造价|成本|税|债")
# What may follow a bare 万/亿 amount directly (a money noun or a word that ends the phrase).
_AFTER_BARE_MONEY = ("资金", "经费", "质保金", "保证金", "款", "费", "因", "用于", "已", "未", "全部", "主要", "系", "为", "是",
                     "待", "将", "于", "均", "全额", "由", "拨", "支", "作", "结转", "尚", "暂", "以上", "以内", "以下", "左右")
# A bare 万/亿 after these counts people, things or areas (惠及65万农村人口, 受益群众2.3万).
_COUNT_BEFORE = re.compile(r"(?:惠及|覆盖|受益|带动|服务|培训|接待|吸纳|帮扶|群众|人口|人数|人次|游客|农户|户数|学生|观众|用户|"
                           r"居民|人员|职工|就业|面积|数量|产量|里程|总量|亩|吨)(?:达到|达|为|约|近|超|共|计|累计|逾)?$")
_SENTENCE_END = "。！？!?；;\n"


def _bare_is_money(text: str, start: int, end: int, num: str) -> bool:
    """Whether an amount with 万/亿 and no 元 (``6.59万``) is money, from its context."""
    if not re.search(rf"[{_D}]", num):
        return False  # 三千万 without 元 may count anything
    nxt = text[end : end + 1]
    if nxt and (re.match(rf"[{_D}{_CN_DIGIT_CLASS}{_CN_UNIT_CLASS}A-Za-z/／·.．]", nxt)):
        return False
    if nxt and "\u4e00" <= nxt <= "\u9fff" and not text.startswith(_AFTER_BARE_MONEY, end):
        return False
    a = max(text.rfind(ch, 0, start) for ch in _SENTENCE_END) + 1
    ends = [i for i in (text.find(ch, end) for ch in _SENTENCE_END) if i >= 0]
    b = min(ends) if ends else len(text)
    if _COUNT_BEFORE.search(text[max(a, start - 12) : start]):
        return False
    return bool(_MONEY_CUE.search(text[max(a, start - 40) : start]) or _MONEY_CUE.search(text[end : min(b, end + 30)]))


def find_money(text: str) -> list[Amount]:
    """Every amount of money the grammar can read, with its value (not overlapping)."""
    found: list[Amount] = []
    pos = 0
    while True:
        m = MONEY_RE.search(text, pos)
        if m is None:
            break
        ok = False
        try:
            value, approx, per = _money_value(m, m.group())
            ok = bool(m.group("yuan")) or _bare_is_money(text, m.start(), m.end(), m.group("num"))
        except NormaliseError:
            pass
        if ok and text.startswith(("GDP", "国内生产总值", "生产总值"), m.end()):
            ok = False  # 亿元GDP: part of a rate's name
        if ok:
            found.append(Amount(m.start(), m.end(), "MONEY", float(value), approx, per))
            pos = m.end()
        else:
            pos = m.start() + 1  # a form it cannot read: no span here, look further on
    return found


def find_percent(text: str) -> list[Amount]:
    """Every percentage (and per-mille) the grammar can read, with its value (not overlapping)."""
    found: list[Amount] = []
    pos = 0
    while True:
        m = PERCENT_RE.search(text, pos)
        if m is None:
            break
        try:
            value = _percent_value(m, m.group())
        except (NormaliseError, InvalidOperation):
            pos = m.start() + 1
            continue
        found.append(Amount(m.start(), m.end(), "PERCENT", float(value)))
        pos = m.end()
    return found


# Filling instructions of the form (SCHEMA §4a: template text is not marked): 执行率低于90%的，须在偏差原因
# 分析栏说明原因; 未达到90%或指标未完成的，需…说明; 执行率=执行数/预算数×100%.
_INSTRUCTION_AFTER = re.compile(r"的[，,]?(?:须|需|应|要)|或(?:绩效)?指标未完成|的项目[，,]?(?:应|须|需)")


def _is_instruction(text: str, a: Amount) -> bool:
    if a.label != "PERCENT":
        return False
    if text[a.start - 1 : a.start] == "×":
        return True
    ends = [i for i in (text.find(ch, a.end, a.end + 80) for ch in "。；;\n") if i >= 0]
    tail = text[a.end : min(ends) if ends else a.end + 80]
    return bool(_INSTRUCTION_AFTER.match(tail)) and "说明" in tail


def find_amounts(text: str) -> list[Amount]:
    """MONEY and PERCENT amounts in ``text``, sorted, not overlapping, outside 《》 titles and the
    form's filling instructions."""
    titles = [(m.start(), m.end()) for m in re.finditer(r"《[^》\n]*》", text)]
    amounts = sorted(find_money(text) + find_percent(text), key=lambda a: (a.start, -a.end))
    kept: list[Amount] = []
    for a in amounts:
        if any(s <= a.start < e for s, e in titles) or _is_instruction(text, a):
            continue
        if kept and a.start < kept[-1].end:
            continue
        kept.append(a)
    return kept
