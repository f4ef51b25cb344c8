"""The table layer: recover the national 自评表 (and tables like it) from a report's text.

Reports reach us with their tables flattened in many ways (SCHEMA §4a): tab- or ``|``-separated
cells, runs of ``||`` for merged cells, one cell per line (ending in `` |`` or separated by blank
lines), a whole row on one space-separated line. :func:`read_tables` turns all of them into one
structure — :class:`Table`: header rows, rows of :class:`Cell` with their column headers, the unit
— and reads what SCHEMA §4a says the table means:

- bare numbers under a money header are MONEY, scaled by the unit of the header, the block, a
  ``单位：万元`` line, or the next cell; the role comes from the column (预算数 → target,
  执行数 → actual); the ``执行率`` header is an INDICATOR and its rates are PERCENT, role actual;
- in indicator rows the 三级指标 cell is an INDICATOR, and values under 年度指标值 / 实际完成值 are
  its target / actual (a comparator may stand in a cell of its own);
- the ``项目名称`` cell is the PROJECT that owns every value of its table (a 项目名称 *column*
  gives each row its own project); 分值, 得分 and template text give nothing.

The reading is by rule, on purpose: the form is national and fixed, its vocabulary small, and a
rule that knows it reads the tables of departments no training document came from. Everything
here is a pure function of the text; the spaCy component that puts it on the ``Doc`` lives in
``pipeline.table_component``.
"""

from __future__ import annotations

import re

from pipeline.table_cells import (
    _AMOUNT_CELL,
    _BUDGET_CODE,
    _DEPARTMENT_FIELD,
    _MONEY_UNIT_CELL,
    _PERCENT_CELL,
    _PROJECT_FIELD,
    _SENTENCE_PUNCT,
    _TABLE_END,
    _TITLE,
    _UNIT_LINE,
    _UNIT_SCALE,
    Cell,
    Table,
    TableRow,
    TableSpan,
    _cell_unit,
    _header_kind,
    _header_run,
    _is_header,
    _is_number,
    _is_percent,
    _is_placeholder,
    _is_table_end,
    _is_value_cell,
    _number_value,
    _percent_value,
    indicator_name_bounds,
    split_cells,
)
from pipeline.table_indicators import read_indicator_rows

# ------------------------------------------------------------------------------------------
# Reading


def read_tables(text: str) -> list[Table]:
    """Every table of the text, read as SCHEMA §4a reads it."""
    cells = split_cells(text)
    tables: list[Table] = []
    doc_unit: str | None = None
    project: TableSpan | None = None
    table: Table | None = None
    i = 0
    while i < len(cells):
        cell = cells[i]
        unit_line = _UNIT_LINE.search(cell.text)
        if unit_line:
            doc_unit = unit_line.group(1)
        if _TITLE.search(cell.text) or _TABLE_END.match(cell.text):
            project, table = None, None
            i += 1
            continue
        if _DEPARTMENT_FIELD.match(cell.text):
            project, table = None, None
            i += 1
            continue
        if _PROJECT_FIELD.match(cell.text) and i + 1 < len(cells) and _header_kind(cells[i + 1].text) is None:
            table = _new_table(tables, cells[i], doc_unit)
            project = _project_span(cells[i + 1])
            table.project = project
            table.add(project)
            table.rows.append(TableRow("project", cells[i], [cells[i + 1]], ["项目名称"]))
            i += 2
            continue
        header, after = _header_run(cells, i)
        if header:
            if table is None:
                table = _new_table(tables, cell, doc_unit)
                if project is not None:
                    table.project = project
                    table.add(project)
            kinds = [_header_kind(c.text) for c in header]
            table.header_rows.append(header)
            if "target_value" in kinds or "actual_value" in kinds or kinds.count("level") >= 2:
                i = read_indicator_rows(cells, after, header, table)
            else:
                i = _read_budget_rows(cells, after, header, table, doc_unit)
            table.end = max(table.end, cells[i - 1].end)
            continue
        i += 1
    return [t for t in tables if t.spans]


def _new_table(tables: list[Table], first: Cell, doc_unit: str | None) -> Table:
    table = Table(start=first.start, end=first.end, unit=doc_unit or "万元")
    tables.append(table)
    return table


def _project_span(cell: Cell) -> TableSpan:
    code = _BUDGET_CODE.match(cell.text)
    start = cell.start + (code.end() if code else 0)
    return TableSpan(start, cell.end, "PROJECT")


def _read_budget_rows(cells: list[Cell], j: int, header: list[Cell], table: Table, doc_unit: str | None) -> int:
    """Rows ``label value value …`` under a budget header; returns the index after the block."""
    block_unit = next((u for c in header if (u := _cell_unit(c.text)) in _UNIT_SCALE), None)
    columns = [c for c in header if _header_kind(c.text) is not None]
    project_col = any(_header_kind(c.text) == "project" for c in columns)
    value_columns = [c for c in columns if _header_kind(c.text) != "project"]
    while value_columns and _header_kind(value_columns[0].text) == "skip":
        value_columns.pop(0)  # 序号 stands before the row's name, not among its values
    rate_indicator = None
    for c in value_columns:
        if _header_kind(c.text) == "rate":
            s, e = indicator_name_bounds(c)
            rate_indicator = table.add(TableSpan(s, e, "INDICATOR"))
    if block_unit is None and doc_unit is None:
        # SCHEMA §4b: a money column with no unit takes the form's unit; the national form's is 万元.
        block_unit = table.unit
    unit = block_unit or doc_unit or "万元"
    table.unit = unit
    first_row = True
    while j < len(cells):
        cell = cells[j]
        if _is_header(cells, j) or _is_table_end(cell):
            break
        numbered = cell.row_start and re.fullmatch(r"\d{1,3}", cell.text) and j + 1 < len(cells) \
            and cells[j + 1].line == cell.line and cells[j + 1].text and not _is_value_cell(cells[j + 1])
        if numbered:
            j += 1  # a 序号 cell in front of the row's name
            cell = cells[j]
        elif not cell.text or (_is_value_cell(cell) and not first_row):
            j += 1  # a value with no row label: nothing says what it is
            continue
        first_row = False
        labels = [cell] if not _is_value_cell(cell) else []
        j += 1 if labels else 0
        while j < len(cells) and (not cells[j].text or not _is_value_cell(cells[j])) and not cells[j].row_start \
                and not _is_table_end(cells[j]) and not _is_header(cells, j):
            if cells[j].text:
                labels.append(cells[j])
            j += 1
        values: list[Cell] = []
        while j < len(cells) and (_is_value_cell(cells[j]) or not cells[j].text) and not (values and cells[j].row_start):
            values.append(cells[j])
            j += 1
        while values and not values[-1].text:
            values.pop()  # trailing empty cells: the row ends there
        if not values:
            if labels and len(labels[-1].text) > 40 or _SENTENCE_PUNCT.search(labels[-1].text):
                break  # prose: the block is over
            continue
        row_project = None
        if project_col:
            name = next((c for c in labels if not _is_number(c.text)), None)
            if name is not None and not re.match(r"^(?:合计|总计|小计)", name.text):
                row_project = table.add(_project_span(name))
        _place_values(table, labels[-1] if labels else None, _merge_unit_cells(values), value_columns, unit, rate_indicator, row_project)
    return j


def _merge_unit_cells(values: list[Cell]) -> list[list[Cell]]:
    """Group a unit cell (``%``, ``万元``) with the number before it: ``100 | %`` is one value."""
    groups: list[list[Cell]] = []
    for c in values:
        if (c.text in _PERCENT_CELL or c.text in _MONEY_UNIT_CELL) and groups:
            groups[-1].append(c)
        elif c.text in _PERCENT_CELL or c.text in _MONEY_UNIT_CELL:
            continue
        else:
            groups.append([c])
    return groups


def _place_values(table: Table, label: Cell | None, groups: list[list[Cell]], columns: list[Cell], unit: str,
                  rate_indicator: int | None, row_project: int | None) -> None:
    if len(groups) > len(columns):
        return  # more values than columns: the row is not aligned with this header
    table.rows.append(TableRow("budget", label, [g[0] for g in groups], [c.text for c in columns[: len(groups)]]))
    owner = row_project if row_project is not None else table.project_index()
    if label is not None and re.match(r"^(?:合计|总计)", label.text) and row_project is None:
        owner = table.project_index() if table.project is not None else None
    for group, column in zip(groups, columns):
        cell = group[0]
        if _is_placeholder(cell.text):
            continue
        kind = _header_kind(column.text)
        col_unit = _cell_unit(column.text)
        after = group[1].text if len(group) > 1 else None
        if kind == "rate" or col_unit == "%" or _is_percent(cell.text) or after in _PERCENT_CELL:
            if kind in ("skip",):
                continue
            value = _percent_value(cell.text)
            span = table.add(TableSpan(cell.start, cell.end, "PERCENT", value, "actual", "=", column.text))
            table.link(span, rate_indicator if kind == "rate" else None, "indicator")
            table.link(span, owner, "project")
        elif kind in ("target", "actual", "other") and (_is_number(cell.text) or _AMOUNT_CELL.match(cell.text)):
            own = _AMOUNT_CELL.match(cell.text)
            if own:  # the cell carries its own unit: ``10528.00万元``
                number, scale = own.group(1), _UNIT_SCALE[own.group(2) if own.group(2) != "万" else "万元"]
            else:
                number = cell.text
                scale = _UNIT_SCALE.get(after or "") or _UNIT_SCALE.get(col_unit or "") or _UNIT_SCALE[unit]
            value = round(_number_value(number) * scale, 6)
            span = table.add(TableSpan(cell.start, cell.end, "MONEY", value, kind, "=", column.text))
            table.link(span, owner, "project")


# Filling instructions printed by the form (SCHEMA §4a: template text, never data).
_TEMPLATE_LINE = re.compile(r"^\s*(?:填报说明|填表说明)|需说明原因|须说明原因|应说明原因|请说明原因|"
                            r"[=＝]\s*[\u4e00-\u9fff（）()]*数\s*[/÷]|按.{0,8}填列|填写.{0,6}(?:说明|要求)")


def template_ranges(text: str) -> list[tuple[int, int]]:
    """(start, end) of every line that is the form's own instruction, not the report's content."""
    out, pos = [], 0
    for line in text.split("\n"):
        if _TEMPLATE_LINE.search(line):
            out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return out


Relation = dict  # {"head": (start, end), "tail": (start, end), "type": str, "score": float}


def table_relations(tables: list[Table], values: list[tuple[int, int]], names: list[tuple[int, int]],
                    relations: list[Relation]) -> list[Relation]:
    """The linker's relations with the tables' own put in (SCHEMA §4a).

    A table value links to what its row and column say (its 三级指标, the 执行率 header, the
    项目名称 project) instead of what the linker guessed; any other value inside a project's
    table (a 年度总体目标 cell) that the linker gave no project is linked to the table's project,
    which owns it. Only spans that exist (``values``, ``names``: (start, end)) are linked.
    """
    present = set(values) | set(names)
    table_heads: set[tuple[int, int]] = set()
    added: list[Relation] = []
    for table in tables:
        for head, tail, kind in table.links:
            h, t = table.spans[head], table.spans[tail]
            if (h.start, h.end) in present and (t.start, t.end) in present:
                table_heads.add((h.start, h.end))
                added.append({"head": (h.start, h.end), "tail": (t.start, t.end), "type": kind, "score": 1.0})
    kept = [r for r in relations if tuple(r["head"]) not in table_heads]
    has_project = {tuple(r["head"]) for r in kept if r["type"] == "project"}
    for table in tables:
        owner = (table.project.start, table.project.end) if table.project else None
        if owner is None or owner not in present:
            continue
        for value in values:
            if value in table_heads or value in has_project or not table.start <= value[0] < table.end:
                continue
            kept.append({"head": value, "tail": owner, "type": "project", "score": 0.9})
            has_project.add(value)
    return sorted(kept + added, key=lambda r: (tuple(r["head"]), tuple(r["tail"])))
