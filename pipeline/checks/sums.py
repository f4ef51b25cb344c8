"""``sum`` and ``unit``: parts that do not add up to their total, and amounts a power of ten
thousand away from those they are listed with (the lists of :mod:`pipeline.checks.groups`)."""

from __future__ import annotations

import re
import statistics
import unicodedata

from pipeline.checks.groups import _Group, _table_blocks
from pipeline.checks.report import (
    PARTIAL_SHORTFALL,
    SUM_FLOOR_PER_PART,
    UNIT_FACTOR,
    WAN,
    Check,
    _amount,
    _half_unit,
    _is_standard,
    _Report,
    _yuan,
)
from pipeline.document import Span

_REMAINDER = re.compile(r"其余|其他|剩余|余下|余额|另有|另外")


def _tolerance(rep: _Report, total: Span, parts: list[Span]) -> float:
    rounding = _half_unit(rep, total) + sum(_half_unit(rep, p) for p in parts)
    return max(rounding, SUM_FLOOR_PER_PART * len(parts))


def _fits(rep: _Report, total: Span, parts: list[Span], values: dict[str, float] | None = None) -> bool:
    """Whether the parts add up to the total within the tolerance (``values`` overrides some values)."""
    values = values or {}
    got = sum(values.get(p.id, float(p.value)) for p in parts)
    want = values.get(total.id, float(total.value))
    return abs(got - want) <= _tolerance(rep, total, parts) + 1e-6


def _consistent(rep: _Report, group: _Group) -> bool:
    return any(_fits(rep, t, r) for t in group.totals for r in group.readings)


def _unit_slip(rep: _Report, total: Span, parts: list[Span]) -> Span | None:
    """The one figure that, scaled by 10⁴ either way, makes the parts add up."""
    for span in (total, *parts):
        for factor in (WAN, 1 / WAN):
            fixed = float(span.value) * factor
            # the rescaled part must matter: dropping a small part is no unit slip
            if span.id != total.id and abs(fixed) < 0.01 * abs(float(total.value)):
                continue
            if _fits(rep, total, parts, {span.id: fixed}):
                return span
    return None


def _partial_list(rep: _Report, total: Span, parts: list[Span], got: float) -> bool:
    """A prose list that names only some parts: 其余/其他 follows them, or it falls >10% short.

    其中 often picks out the main items (其中飞机防治作业费…72.5万元；疫木除治…一百零二万元 under
    238.78万元); such a shortfall reads as a partial list, not as an arithmetic slip.
    """
    last = max(parts, key=lambda p: p.end)
    end = last.end
    while end < len(rep.text) and rep.text[end] not in "。\n":
        end += 1
    if _REMAINDER.search(rep.text[last.end : end]):
        return True
    return got < (1 - PARTIAL_SHORTFALL) * float(total.value)


# ---------------------------------------------------------------- sum


def _sum_checks(rep: _Report, groups: list[_Group]) -> list[Check]:
    """Parts listed under a total that do not add up to it beyond rounding.

    A failure that one figure scaled by 10⁴ repairs is left to the unit check.
    """
    found: list[Check] = []
    seen: set[tuple[str, ...]] = set()
    for group in groups:
        if not group.totals or not group.readings or _consistent(rep, group):
            continue
        total, parts = group.totals[0], group.readings[0]
        key = (total.id, *sorted(p.id for p in parts))
        got = sum(float(p.value) for p in parts)
        if key in seen or _unit_slip(rep, total, parts) is not None:
            continue
        if group.kind != "table" and _partial_list(rep, total, parts, got):
            continue
        seen.add(key)
        gap = got - float(total.value)
        listed = "＋".join(rep.surface(p) for p in parts)
        found.append(
            Check(
                "sum",
                [total.id, *(p.id for p in parts)],
                f"分项{listed}合计{_yuan(got)}，{'少于' if gap < 0 else '多于'}总数{rep.surface(total)}"
                f"{_yuan(abs(gap))}（允许舍入误差{_yuan(_tolerance(rep, total, parts))}）",
            )
        )
    return found


# ---------------------------------------------------------------- unit


def _near_power(ratio: float) -> bool:
    """True when ratio lies within UNIT_FACTOR of 10⁴ or of 10⁻⁴."""
    return any(power / UNIT_FACTOR <= ratio <= power * UNIT_FACTOR for power in (WAN, 1 / WAN))


def _unit_message(rep: _Report, span: Span, reference: float, why: str) -> str:
    ratio = abs(float(span.value) / reference)
    surface = rep.surface(span)
    folded = unicodedata.normalize("NFKC", surface)
    if "万" in folded or "亿" in folded:
        guess = "疑为“元”误写为“万元”" if ratio > 1 else "单位有误"
    elif "元" in folded:
        guess = "疑为“万元”误写为“元”" if ratio < 1 else "单位有误"
    else:
        guess = "疑为元与万元填错了单位"
    return f"{surface}与{why}{_yuan(abs(reference))}相差约{max(ratio, 1 / ratio):.0f}倍（接近一万倍），{guess}"


def _unit_checks(rep: _Report, groups: list[_Group]) -> list[Check]:
    """An amount a power of ten thousand away from the amounts it is listed with."""
    flagged: dict[str, Check] = {}

    def flag(span: Span, others: list[Span], reference: float, why: str) -> None:
        if span.id not in flagged and reference:
            ids = [span.id, *dict.fromkeys(o.id for o in others if o.id != span.id)]
            flagged[span.id] = Check("unit", ids, _unit_message(rep, span, reference, why))

    for group in groups:
        # 1. a failed sum that rescaling one figure by 10⁴ repairs
        if group.totals and group.readings and not _consistent(rep, group):
            total, parts = group.totals[0], group.readings[0]
            slip = _unit_slip(rep, total, parts)
            if slip is not None:
                rest = sum(float(p.value) for p in parts if p.id != slip.id)
                reference = rest if slip.id == total.id else float(total.value) - rest
                flag(slip, [total, *parts], reference, "按总数与分项推算应为")
        anchor = group.anchor
        listed = [m for m in group.members if m.value and (anchor is None or m.id != anchor.id)]
        if anchor is not None and anchor.value and _amount(anchor) and not _is_standard(rep, anchor) and listed:
            a = abs(float(anchor.value))
            if all(abs(p.value) > a for p in listed):
                # 2. a total below every part it lists (0.75元 over 0.6万元 and 0.15万元)
                biggest = max(abs(float(p.value)) for p in listed)
                median = statistics.median(abs(float(p.value)) for p in listed)
                if any(p.role == anchor.role for p in listed) and (_near_power(a / biggest) or _near_power(a / median)):
                    flag(anchor, listed, biggest, "其下所列分项中的")
            else:
                # 3. a part ~10⁴ above the total it belongs to, while other parts fit under it
                for part in listed:
                    if abs(part.value) > a and _near_power(abs(float(part.value)) / a) and not _is_standard(rep, part):
                        flag(part, [anchor], float(anchor.value), "所属总数")
        # 4. a part against the median of its siblings
        siblings = [m for m in listed if not _is_standard(rep, m)]
        if len(siblings) >= 3:
            for span in siblings:
                others = [o for o in siblings if o.id != span.id]
                median = statistics.median(abs(float(o.value)) for o in others)
                if _near_power(abs(float(span.value)) / median):
                    flag(span, others, median, "同列分项的中位数")
    # 5. columns of tables: each amount against the median of its column
    for block in _table_blocks(rep):
        columns: dict[int, list[Span]] = {}
        for row in block:
            for col, span in row.money.items():
                if span.value and not _is_standard(rep, span):
                    columns.setdefault(col, []).append(span)
        for spans in columns.values():
            for span in spans if len(spans) >= 3 else []:
                others = [o for o in spans if o.id != span.id]
                median = statistics.median(abs(float(o.value)) for o in others)
                if _near_power(abs(float(span.value)) / median):
                    flag(span, others, median, "同栏金额的中位数")
    return list(flagged.values())
