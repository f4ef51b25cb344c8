"""``rate``: a 执行率/支付率/拨付率/控制率 that differs from actual ÷ target of the amounts beside it
(in a table row, the row's amounts, as the table layer reads the row)."""

from __future__ import annotations

import re

from pipeline.checks.report import (
    RATE_SLACK,
    Check,
    _amount,
    _cell_index,
    _cells,
    _half_unit,
    _interval,
    _is_standard,
    _pct,
    _Report,
)
from pipeline.document import Span

_RATE_NAME = re.compile(r"执行率|支付率|拨付率|控制率")


def _rate_named(rep: _Report, span: Span) -> bool:
    """A PERCENT linked to 执行率/支付率/拨付率/控制率, or standing in a table column headed 执行率."""
    names = [rep.surface(i) for i in rep.indicators.get(span.id, [])]
    if names:
        return any(_RATE_NAME.search(n) for n in names)
    row = rep.row_of(span)
    if row is not None:
        col = next(i for i, (a, b) in enumerate(row.cells) if a <= span.start < b)
        return col < len(row.columns) and bool(_RATE_NAME.search(row.columns[col]))
    start, end = rep.line(span.start)
    cells = _cells(rep.text, start, end)
    idx = _cell_index(cells, span.start) if cells else None
    if idx is None:
        return False
    for header_start in reversed([s for s in rep.line_starts if s < start]):
        header_end = rep.line(header_start)[1]
        header = _cells(rep.text, header_start, header_end)
        if header is None:
            return False
        if not rep.values_in(header_start, header_end):  # the nearest row above without values
            return idx < len(header) and "执行率" in rep.text[slice(*header[idx])]
    return False


def _rate_options(rep: _Report, rate: Span) -> list[tuple[float, Span, list[Span], float]] | None:
    """Every (gap, actual, budget, quotient) the amounts beside a rate allow, the closest first;
    None when no actual and target amounts stand beside it.

    In a table row the amounts are those of the row; in prose, the actual and target amounts
    before the rate in its paragraph, one of them in its own sentence. The budget may be one
    target or the sum of those stated (年初预算150万元，年中追加30万元 → 180万元).
    """
    text = rep.text
    line_start, line_end = rep.line(rate.start)
    row = rep.row_of(rate)
    if row is not None:
        near = [v for v in row.spans_in(rep.values) if v.label == "MONEY" and _amount(v)]
        before = near
        sentence_targets: list[Span] = []
    elif _cells(text, line_start, line_end) is not None:
        near = [v for v in rep.values_in(line_start, line_end, "MONEY") if _amount(v)]
        before = near
        sentence_targets = []
    else:
        s_start, s_end = rep.sentence(rate.start)
        before = [v for v in rep.values_in(line_start, rate.start, "MONEY") if _amount(v) and not _is_standard(rep, v)]
        near = [v for v in before if s_start <= v.start < s_end]
        sentence_targets = [v for v in near if v.role == "target"]
    actuals = [v for v in before if v.role == "actual"]
    targets = [v for v in before if v.role == "target"]
    if not actuals or not targets or not near:
        return None
    bases: list[list[Span]] = [[t] for t in targets]
    for extra in (sentence_targets, targets):
        if len(extra) > 1 and extra not in bases:
            bases.append(extra)
    r_lo, r_hi = _interval(rep, rate)
    if rate.cmp in (">=", ">"):
        r_hi = float("inf")
    elif rate.cmp in ("<=", "<"):
        r_lo = float("-inf")
    options = []
    for actual in actuals:
        a_lo, a_hi = _interval(rep, actual)
        for base in bases:
            t = sum(float(b.value) for b in base)
            dt = sum(_half_unit(rep, b) for b in base)
            if t - dt <= 0:
                continue
            q_lo, q_hi = a_lo / (t + dt), a_hi / (t - dt)
            options.append((max(0.0, q_lo - r_hi, r_lo - q_hi), actual, base, float(actual.value) / t))
    return sorted(options, key=lambda o: o[0]) or None


def _rate_checks(rep: _Report) -> list[Check]:
    """A 执行率/支付率/拨付率/控制率 that differs from actual ÷ target of the amounts beside it.

    Amounts that another rate of the same sentence is computed from are not this rate's
    (``预算执行率98.22%，项目支出执行率为92.56%``: the amounts before belong to the first). A
    rate below 100% beside spending above every budget stated is left alone: its budget is one
    adjusted later and not in sight.
    """
    rates = [v for v in rep.values if v.label == "PERCENT" and v.role == "actual" and _rate_named(rep, v)]
    options = {r.id: _rate_options(rep, r) for r in rates}
    claimed: dict[tuple[int, int], set[tuple[str, ...]]] = {}
    for rate in rates:
        opts = options[rate.id]
        if opts and opts[0][0] <= RATE_SLACK:
            claimed.setdefault(rep.sentence(rate.start), set()).add((opts[0][1].id, *(b.id for b in opts[0][2])))
    found: dict[tuple[float, float, float], Check] = {}
    for rate in rates:
        opts = options[rate.id]
        if not opts or opts[0][0] <= RATE_SLACK:
            continue
        taken = claimed.get(rep.sentence(rate.start), set())
        opts = [o for o in opts if (o[1].id, *(b.id for b in o[2])) not in taken]
        if not opts:
            continue
        _, actual, base, quotient = opts[0]
        if quotient > 1 >= float(rate.value):
            # spending above the only budget in sight: the rate was computed against a budget
            # adjusted later (年初预算2030.06万元 … 执行率81% of the 调整预算4140.58万元)
            continue
        key = (round(float(rate.value), 6), round(float(actual.value)), round(sum(float(b.value) for b in base)))
        if key in found:  # the same rate in prose and in the table
            continue
        name = next((rep.surface(i) for i in rep.indicators.get(rate.id, [])), "执行率")
        base_text = "＋".join(rep.surface(b) for b in base)
        found[key] = Check(
            "rate",
            [rate.id, actual.id, *(b.id for b in base)],
            f"{name}{rep.surface(rate)}与金额不符：{rep.surface(actual)}÷{base_text}={_pct(quotient)}，"
            f"相差{abs(float(rate.value) - quotient) * 100:.2f}个百分点（允许各数舍入误差外加0.5个百分点）",
        )
    return list(found.values())
