"""Indicator rows of the 自评表: ``三级指标 | 年度指标值 | 实际完成值 | 分值 | 得分`` (SCHEMA §4a).

The 三级指标 cell is an INDICATOR; a money or percent value under 年度指标值 is its target, under
实际完成值 its actual; a comparator may stand in a cell of its own (``≥ | 95 | %``). Counts and
words are not marked.
"""

from __future__ import annotations

import re

from pipeline.table_cells import (
    _CATEGORY,
    _COMPARATOR_CELL,
    _MONEY_UNIT_CELL,
    _PERCENT_CELL,
    _SENTENCE_PUNCT,
    _UNIT_SCALE,
    Cell,
    Table,
    TableRow,
    TableSpan,
    _cell_unit,
    _header_kind,
    _is_header,
    _is_number,
    _is_table_end,
    _is_value_cell,
    _number_value,
    _percent_value,
    indicator_name_bounds,
)


def read_indicator_rows(cells: list[Cell], i: int, header: list[Cell], table: Table) -> int:
    kinds = [_header_kind(c.text) for c in header]
    heads = (header[kinds.index("target_value")] if "target_value" in kinds else None,
             header[kinds.index("actual_value")] if "actual_value" in kinds else None)
    scored = "skip" in kinds  # 分值/得分 columns follow the values: two numbers anchor each row
    j = i
    while j < len(cells):
        cell = cells[j]
        if _is_table_end(cell) and not re.match(r"^绩效指标", cell.text) or _is_header(cells, j) \
                or re.match(r"^(?:总分|合计|总计)", cell.text):
            break
        if cell.row_start:
            # A row whose cells share a line: its name is its first name-like cell, its values follow.
            end = j + 1
            while end < len(cells) and cells[end].line == cell.line:
                end += 1
            row = cells[j:end]
            q = next((k for k, c in enumerate(row) if _name_candidate(c)), None)
            if q is not None:
                target, k = _logical_value(row, q + 1)
                actual, _ = _logical_value(row, k)
                _indicator_row(table, row[q], target, actual, heads)
            j = end
            continue
        # One cell per line: the row is ``name target actual 分值 得分``; the two score numbers
        # (or, without score columns, digits in the values) tell a name from a 偏差原因 cell.
        if not _name_candidate(cell):
            j += 1
            continue
        target, k = _logical_value(cells, j + 1)
        actual, m = _logical_value(cells, k)
        anchor = m < len(cells) and _is_number(cells[m].text)
        has_digits = any(re.search(r"\d", c.text) for c in target + actual)
        if not target or not actual or not (anchor if scored else has_digits):
            j += 1
            continue
        _indicator_row(table, cell, target, actual, heads)
        j = m
    return j


def _indicator_row(table: Table, name_cell: Cell, target: list[Cell], actual: list[Cell],
                   heads: tuple[Cell | None, Cell | None]) -> None:
    s, e = indicator_name_bounds(name_cell)
    name = table.add(TableSpan(s, e, "INDICATOR"))
    firsts = [g[0] for g in (target, actual) if g]
    table.rows.append(TableRow("indicator", name_cell, firsts, [h.text if h else "" for h in heads][: len(firsts)]))
    # One unit cell may serve both values: ``≤ | 5000 | 元 | 4511`` (the actual is in 元 too).
    shared = target[-1].text if len(target) > 1 and target[-1].text in _PERCENT_CELL | _MONEY_UNIT_CELL else None
    for group, role, head in ((target, "target", heads[0]), (actual, "actual", heads[1])):
        if not group:
            continue
        for span in _values_in(group, role, head, shared if role == "actual" else None):
            index = table.add(span)
            table.link(index, name, "indicator")
            table.link(index, table.project_index(), "project")


def _name_candidate(cell: Cell) -> bool:
    t = cell.text
    if len(t) < 2 or len(t) > 40 or _SENTENCE_PUNCT.search(t) or _CATEGORY.match(t):
        return False
    if _is_value_cell(cell) or t in _COMPARATOR_CELL or _header_kind(t) not in (None, "rate", "target", "actual"):
        return False
    return bool(re.search(r"[\u4e00-\u9fff]", t)) and not re.search(r"\d", t[:1])


def _logical_value(cells: list[Cell], k: int) -> tuple[list[Cell], int]:
    """One logical cell from ``k``: a comparator cell, the value, a unit cell (``≥ | 95 | %``)."""
    while k < len(cells) and not cells[k].text:
        k += 1
    if k >= len(cells):
        return [], k
    group = []
    if cells[k].text in _COMPARATOR_CELL and k + 1 < len(cells):
        group.append(cells[k])
        k += 1
    group.append(cells[k])
    k += 1
    if k < len(cells) and (cells[k].text in _PERCENT_CELL or cells[k].text in _MONEY_UNIT_CELL
                           or re.fullmatch(r"[个件人次户家所项场篇部台辆套座条天日月年小时分钟亩吨公里]+", cells[k].text)):
        group.append(cells[k])
        k += 1
    return group, k


def _values_in(group: list[Cell], role: str, head: Cell | None, shared_unit: str | None = None) -> list[TableSpan]:
    """MONEY/PERCENT spans in a target/actual logical cell; counts and words give none."""
    from pipeline.normalise import NormaliseError, normalise
    from pipeline.rules import value_matches

    cmp = next((_COMPARATOR_CELL[c.text] for c in group if c.text in _COMPARATOR_CELL), None)
    main = next(c for c in group if c.text not in _COMPARATOR_CELL)
    unit_cell = group[-1].text if len(group) > 1 and group[-1] is not main else shared_unit
    column = head.text if head else ""
    if _is_number(main.text) and (unit_cell in _PERCENT_CELL or (head and _cell_unit(head.text) == "%")):
        sign = unit_cell if unit_cell in _PERCENT_CELL else "%"
        return [TableSpan(main.start, main.end, "PERCENT", _percent_value(main.text + sign), role, cmp or "=", column)]
    if _is_number(main.text) and unit_cell in _MONEY_UNIT_CELL:
        value = round(_number_value(main.text) * _UNIT_SCALE[unit_cell], 6)
        return [TableSpan(main.start, main.end, "MONEY", value, role, cmp or "=", column)]
    spans = []
    for s, e, label in value_matches(main.text):
        try:
            norm = normalise(main.text, s, e, label)
        except NormaliseError:
            continue
        spans.append(TableSpan(main.start + s, main.start + e, label, norm.value, role, cmp or norm.cmp, column))
    return spans
