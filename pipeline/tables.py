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
from dataclasses import dataclass, field

# ------------------------------------------------------------------------------------------
# Vocabulary of the forms

# Budget-block columns: header word → role of the money under it.
_TARGET_HEADS = ("年初预算数", "全年预算数", "调整预算数", "调整后预算数", "预算数", "预算金额", "年初预算", "全年预算",
                 "批复数", "下达数", "安排数", "计划数", "预算")
_ACTUAL_HEADS = ("全年执行数", "执行数", "实际执行数", "预算执行数", "决算数", "实际支出", "支出数", "实际支付", "已支付",
                 "到位数", "拨付数", "完成数", "执行金额", "支出金额", "执行")
_RATE_HEADS = ("预算执行率", "执行率", "资金执行率", "支付率", "到位率", "完成率")
_SKIP_HEADS = ("分值", "得分", "权重", "评分", "扣分", "偏差", "原因", "备注", "序号", "说明", "总分")
_OTHER_MONEY_HEADS = ("结余", "结转", "差额")
# Indicator-block columns.
_LEVEL_HEADS = ("一级指标", "二级指标", "三级指标", "绩效指标")
_TARGET_VALUE_HEADS = ("年度指标值", "预期指标值", "年度目标值", "指标值", "目标值", "预期值", "计划值")
_ACTUAL_VALUE_HEADS = ("实际完成值", "全年实际值", "实际完成", "完成值", "实际值")
# Category cells of the indicator system (SCHEMA §2: not indicators).
_CATEGORY = re.compile(r"^(?:产出|效益|满意度|成本|数量|质量|时效|经济效益|社会效益|生态效益|可持续影响|服务对象满意度|"
                       r"效果|影响|管理|过程|决策|履职|预算配置|预算执行|预算管理|资产管理|绩效|项目|部门)?(?:指标)?$")
_PROJECT_FIELD = re.compile(r"^项目名称[：:]?$")
_DEPARTMENT_FIELD = re.compile(r"^(?:部门（单位）名称|部门\(单位\)名称|部门名称|单位名称|预算单位|预算部门)[：:]?$")
_BUDGET_CODE = re.compile(r"^[0-9A-Za-z]{8,}\s*[-—－_–]\s*")
# ``项目名称：X`` or ``项目名称 X`` on a line of its own: a field and its value, two cells.
_FIELD_LINE = re.compile(r"^\s*(项目名称|部门（单位）名称|部门名称|单位名称|主管部门|实施单位)(?:[：:]\s*|[ \u3000\u00a0]+)(\S.*?)\s*$")
_UNIT_WORD = re.compile(r"[（(]\s*(万元|元|千元|亿元|%|％)\s*[)）]?")
_UNIT_LINE = re.compile(r"(?:单位|金额单位)\s*[：:]\s*(万元|元|千元|亿元)")
_UNIT_SCALE = {"元": 1.0, "千元": 1e3, "万元": 1e4, "亿元": 1e8}
_NUMBER = re.compile(r"^[-－−]?\d{1,3}(?:[,，]\d{3})+(?:\.\d+)?$|^[-－−]?\d+(?:\.\d+)?$")
_PLACEHOLDER = frozenset({"—", "-", "/", "／", "——", "－", "–", "无", "\\", "——/", "－－"})
_COMPARATOR_CELL = {"≥": ">=", "≧": ">=", ">=": ">=", "＞=": ">=", "不低于": ">=", "不少于": ">=", "≤": "<=", "≦": "<=",
                    "<=": "<=", "不高于": "<=", "不超过": "<=", ">": ">", "＞": ">", "<": "<", "＜": "<", "=": "=", "＝": "="}
_PERCENT_CELL = frozenset({"%", "％", "‰"})
_MONEY_UNIT_CELL = frozenset({"万元", "元", "千元", "亿元"})
# Lines that end a table: a new form's title, filling instructions, numbered prose headings.
_TABLE_END = re.compile(r"^(?:填报说明|说明[：:]|注[：:]|备注[：:]|联系人|填表人|[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|附件|附表)")
_TITLE = re.compile(r"(?:绩效自评表|自评表|绩效自评报告)\s*$")
_SENTENCE_PUNCT = re.compile(r"[。；！？]")


@dataclass
class Cell:
    start: int
    end: int
    text: str
    line: int
    row_start: bool  # first cell of a line that holds several cells (a row whose end is known)


@dataclass
class TableSpan:
    start: int
    end: int
    label: str  # MONEY, PERCENT, INDICATOR, PROJECT
    value: float | None = None
    role: str | None = None
    cmp: str = "="
    column: str = ""  # the header the value stands under


@dataclass
class TableRow:
    kind: str  # "budget", "indicator", "project"
    label: Cell | None  # the row's name cell (budget line, 三级指标, project)
    cells: list[Cell]
    columns: list[str]  # the column header of each cell in ``cells``


@dataclass
class Table:
    start: int
    end: int
    unit: str  # the money unit of its budget block
    header_rows: list[list[Cell]] = field(default_factory=list)
    rows: list[TableRow] = field(default_factory=list)
    project: TableSpan | None = None
    spans: list[TableSpan] = field(default_factory=list)
    # (index of a value span, index of an INDICATOR/PROJECT span, relation type), into ``spans``
    links: list[tuple[int, int, str]] = field(default_factory=list)

    def add(self, span: TableSpan) -> int:
        self.spans.append(span)
        return len(self.spans) - 1

    def link(self, value: int, tail: int | None, kind: str) -> None:
        if tail is not None and (value, tail, kind) not in self.links:
            self.links.append((value, tail, kind))


# ------------------------------------------------------------------------------------------
# Cells


def _looks_like_row(line: str) -> bool:
    """A space-separated line that is a table row, not prose with a space in it."""
    tokens = [t for t in re.split(r"[ \u00a0\u3000]+", line.strip()) if t]
    if len(tokens) < 3 or _SENTENCE_PUNCT.search(line):
        return False
    known = sum(_is_number(t) or _is_placeholder(t) or _header_kind(t) is not None or _is_percent(t) for t in tokens)
    return known >= 2


def split_cells(text: str) -> list[Cell]:
    """Every cell of the text, in order, whatever the layout; prose lines are one cell each."""
    cells: list[Cell] = []
    pos = 0
    for number, line in enumerate(text.split("\n")):
        line_start, pos = pos, pos + len(line) + 1
        if not line.strip():
            continue
        if not line.strip(" \u00a0\u3000\t|\r"):
            # A line of non-breaking spaces (or a bare ``|``) is an empty cell: it holds a place.
            cells.append(Cell(line_start, line_start, "", number, False))
            continue
        field_line = _FIELD_LINE.match(line)
        if "\t" in line:
            pieces = _pieces(line, "\t")
        elif field_line and "|" not in line:
            pieces = [field_line.span(1), field_line.span(2)]
        elif "|" in line:
            pieces = _pieces(line, "|")
        elif _looks_like_row(line):
            pieces = [(m.start(), m.end()) for m in re.finditer(r"[^ \u00a0\u3000]+", line)]
        else:
            pieces = [(0, len(line))]
        row = [_trim(line, a, b) for a, b in pieces]
        while row and row[-1][0] == row[-1][1]:
            row.pop()  # trailing empty cells hold no place (``…|9.7||``, a line ending in `` |``)
        several = sum(a < b for a, b in row) > 1
        for k, (a, b) in enumerate(row):
            cells.append(Cell(line_start + a, line_start + b, line[a:b], number, k == 0 and several))
    return cells


def _pieces(line: str, sep: str) -> list[tuple[int, int]]:
    out, start = [], 0
    for i, ch in enumerate(line):
        if ch == sep:
            out.append((start, i))
            start = i + 1
    out.append((start, len(line)))
    return out


def _trim(line: str, a: int, b: int) -> tuple[int, int]:
    while a < b and line[a] in " \u00a0\u3000\r":
        a += 1
    while b > a and line[b - 1] in " \u00a0\u3000\r":
        b -= 1
    return a, b


# ------------------------------------------------------------------------------------------
# Cell kinds


def _is_number(text: str) -> bool:
    return bool(_NUMBER.match(text))


def _is_percent(text: str) -> bool:
    return bool(re.fullmatch(r"[-－−]?\d+(?:\.\d+)?\s*[%％‰]", text))


def _is_placeholder(text: str) -> bool:
    return text in _PLACEHOLDER or not text


def _number_value(text: str) -> float:
    return float(text.replace(",", "").replace("，", "").replace("－", "-").replace("−", "-"))


def _header_kind(text: str) -> str | None:
    """What a header cell says about the values under it, or None when it is no header word."""
    name = _UNIT_WORD.sub("", text).strip().strip("：:")
    name = re.sub(r"[（(][A-Za-z/×*+\-\s]*[)）]$", "", name)  # 执行率(B/A)
    if not name or len(name) > 12:
        return None
    if name in _TARGET_VALUE_HEADS:
        return "target_value"
    if name in _ACTUAL_VALUE_HEADS:
        return "actual_value"
    if name in _LEVEL_HEADS:
        return "level"
    if any(name.endswith(h) or name == h for h in _RATE_HEADS):
        return "rate"
    if any(h in name for h in _SKIP_HEADS):
        return "skip"
    if any(name.endswith(h) for h in _ACTUAL_HEADS):
        return "actual"
    if any(name.endswith(h) for h in _TARGET_HEADS):
        return "target"
    if any(h in name for h in _OTHER_MONEY_HEADS) and name.endswith("数"):
        return "other"
    if name in ("项目名称", "项目", "任务名称", "子项目名称", "资金名称"):
        return "project"
    if name in ("总额", "财政拨款", "金额", "资金总额", "小计"):
        return "target"
    return None


def _cell_unit(text: str) -> str | None:
    match = _UNIT_WORD.search(text)
    return match.group(1).replace("％", "%") if match else None


def indicator_name_bounds(cell: Cell) -> tuple[int, int]:
    """The metric name inside a header or 三级指标 cell: units, formulas and points left out."""
    text = cell.text
    end = len(text)
    trailing = re.search(r"(?:[（(][^（）()]*[)）]|[（(][^（）()]*$)+$", text)
    if trailing and trailing.start() >= 2:
        end = trailing.start()
    start = 0
    while start < end and text[start] in "0123456789.、．）) ":
        start += 1
    return cell.start + start, cell.start + end


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
                i = _read_indicator_rows(cells, after, header, table)
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


def _is_header(cells: list[Cell], i: int) -> bool:
    return bool(_header_run(cells, i)[0])


def _header_run(cells: list[Cell], i: int) -> tuple[list[Cell], int]:
    """The header cells starting at ``i`` (a label cell such as 项目资金（万元） may lead) and the
    index after them, or ([], i)."""
    run: list[Cell] = []
    j = i
    while j < len(cells):
        if not cells[j].text and run:
            j += 1  # a merged or empty header cell
            continue
        kind = _header_kind(cells[j].text)
        leading_label = not run and kind is None and _cell_unit(cells[j].text) and len(cells[j].text) <= 16
        if kind is None and not leading_label:
            break
        if run and cells[j].row_start and kind is None:
            break
        run.append(cells[j])
        j += 1
    while run and not run[-1].text:
        run.pop()
    kinds = [_header_kind(c.text) for c in run]
    money = sum(k in ("target", "actual") for k in kinds)
    indicator = ("target_value" in kinds or "actual_value" in kinds) and ("level" in kinds or "skip" in kinds)
    if money >= 2 or (money >= 1 and ("rate" in kinds or "project" in kinds)) or indicator or kinds.count("level") >= 2:
        return run, cells.index(run[-1], i) + 1
    return [], i


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


def _is_table_end(cell: Cell) -> bool:
    return bool(_TABLE_END.match(cell.text) or _TITLE.search(cell.text) or _PROJECT_FIELD.match(cell.text)
                or _DEPARTMENT_FIELD.match(cell.text) or re.match(r"^(?:年度总体目标|总体目标|绩效指标)", cell.text))


def _is_value_cell(cell: Cell) -> bool:
    t = cell.text
    if not t:
        return False
    return _is_number(t) or _is_percent(t) or _is_placeholder(t) or t in _PERCENT_CELL or t in _MONEY_UNIT_CELL


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
    owner = row_project if row_project is not None else _project_index(table)
    if label is not None and re.match(r"^(?:合计|总计)", label.text) and row_project is None:
        owner = _project_index(table) if table.project is not None else None
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
        elif kind in ("target", "actual", "other") and _is_number(cell.text):
            scale = _UNIT_SCALE.get(after or "", None) or _UNIT_SCALE.get(col_unit or "", None) or _UNIT_SCALE[unit]
            value = round(_number_value(cell.text) * scale, 6)
            span = table.add(TableSpan(cell.start, cell.end, "MONEY", value, kind, "=", column.text))
            table.link(span, owner, "project")


def _project_index(table: Table) -> int | None:
    if table.project is None:
        return None
    return table.spans.index(table.project)


def _percent_value(text: str) -> float:
    number = re.sub(r"\s*[%％‰]$", "", text)
    scale = 1000 if text.endswith("‰") else 100
    return round(_number_value(number) / scale, 10)


# ------------------------------------------------------------------------------------------
# Indicator rows


def _read_indicator_rows(cells: list[Cell], i: int, header: list[Cell], table: Table) -> int:
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
    for group, role, head in ((target, "target", heads[0]), (actual, "actual", heads[1])):
        if not group:
            continue
        for span in _values_in(group, role, head):
            index = table.add(span)
            table.link(index, name, "indicator")
            table.link(index, _project_index(table), "project")


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


def _values_in(group: list[Cell], role: str, head: Cell | None) -> list[TableSpan]:
    """MONEY/PERCENT spans in a target/actual logical cell; counts and words give none."""
    from pipeline.normalise import NormaliseError, normalise
    from pipeline.rules import value_matches

    cmp = next((_COMPARATOR_CELL[c.text] for c in group if c.text in _COMPARATOR_CELL), None)
    main = next(c for c in group if c.text not in _COMPARATOR_CELL)
    unit_cell = group[-1].text if len(group) > 1 and group[-1] is not main else None
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
