"""Cells of flattened tables and the vocabulary of the national 自评表 (used by ``pipeline.tables``).

:func:`split_cells` cuts a report's text into cells whatever the layout (tabs, ``|``, one cell per
line, space-separated rows), each with its offsets; the ``_header_kind`` family says what a
header cell means for the values under it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

# ------------------------------------------------------------------------------------------
# Vocabulary of the forms

# Budget-block columns: header word → role of the money under it.
_TARGET_HEADS = ("年初预算数", "全年预算数", "调整预算数", "调整后预算数", "预算数", "预算金额", "年初预算", "全年预算",
                 "批复数", "下达数", "安排数", "计划数")
_ACTUAL_HEADS = ("全年执行数", "执行数", "实际执行数", "预算执行数", "决算数", "实际支出", "支出数", "实际支付", "已支付",
                 "到位数", "拨付数", "完成数", "执行金额", "支出金额")
_RATE_HEADS = ("预算执行率", "执行率", "资金执行率", "支付率", "到位率", "完成率")
_SKIP_HEADS = ("分值", "得分", "权重", "评分", "扣分", "偏差", "原因", "备注", "序号", "说明", "总分")
_OTHER_MONEY_HEADS = ("结余", "结转", "差额")
# Indicator-block columns.
_LEVEL_HEADS = ("一级指标", "二级指标", "三级指标", "绩效指标")
_TARGET_VALUE_HEADS = ("年度指标值", "预期指标值", "年度目标值", "指标值", "目标值", "预期值", "计划值")
_ACTUAL_VALUE_HEADS = ("实际完成值", "全年实际值", "实际完成", "完成值", "实际值")
# Category cells of the indicator system (SCHEMA §2: not indicators).
_CATEGORY = re.compile(r"^(?:产出|效益|满意度|成本|数量|质量|时效|经济效益|社会效益|生态效益|可持续影响|服务对象满意度|"
                       r"效果|影响|管理|过程|决策|履职|预算配置|预算执行|预算管理|资产管理|绩效|项目|部门)?(?:指标)?$"
                       r"|^[\u4e00-\u9fff]{0,6}指标$")  # 经济成本指标, 安全效益指标: categories of any name
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


# ------------------------------------------------------------------------------------------
# Cells


def _looks_like_row(line: str) -> bool:
    """A space-separated line that is a table row, not prose with a space in it."""
    tokens = [t for t in re.split(r"[ \u00a0\u3000]+", line.strip()) if t]
    if len(tokens) < 3 or _SENTENCE_PUNCT.search(line):
        return False
    known = sum(_is_number(t) or _is_placeholder(t) or _header_kind(t) is not None or _is_percent(t) for t in tokens)
    return known >= 2


@lru_cache(maxsize=4)  # the table layer, the linker and the checks each ask for the same text's cells
def split_cells(text: str) -> tuple[Cell, ...]:
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
    return tuple(cells)


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


@lru_cache(maxsize=4096)
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


@lru_cache(maxsize=4096)
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


def _is_table_end(cell: Cell) -> bool:
    return bool(_TABLE_END.match(cell.text) or _TITLE.search(cell.text) or _PROJECT_FIELD.match(cell.text)
                or _DEPARTMENT_FIELD.match(cell.text) or re.match(r"^(?:年度总体目标|总体目标|绩效指标)", cell.text))


# A cell that is one amount with its own unit: ``10528.00万元`` in a budget column.
_AMOUNT_CELL = re.compile(r"^([-－−]?\d{1,3}(?:[,，]\d{3})+(?:\.\d+)?|[-－−]?\d+(?:\.\d+)?)\s*(万元|元|千元|亿元|万)$")


def _is_value_cell(cell: Cell) -> bool:
    t = cell.text
    if not t:
        return False
    if _AMOUNT_CELL.match(t):
        return True
    return _is_number(t) or _is_percent(t) or _is_placeholder(t) or t in _PERCENT_CELL or t in _MONEY_UNIT_CELL


def _percent_value(text: str) -> float:
    number = re.sub(r"\s*[%％‰]$", "", text)
    scale = 1000 if text.endswith("‰") else 100
    return round(_number_value(number) / scale, 10)


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

    def project_index(self) -> int | None:
        return None if self.project is None else self.spans.index(self.project)
