"""Table rows as the checks read them, from the project's one table layer (:mod:`pipeline.tables`).

:func:`pipeline.tables.read_tables` recovers every table whatever its layout (tabs, ``|``, one
cell per line, space-separated PDF rows) into rows of cells under column headers. The checks need
three things from a row: the MONEY amounts by column (``sum``, ``unit``), the amounts beside a rate
(``rate``) and the (分值, 得分) pair (``score``); :func:`table_rows` gives them for each row, and
:func:`total_rows` the 总分/合计 row that closes a scored table. The national form's vocabulary (what
a column header means) is the table layer's; nothing here parses cells itself.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from pipeline.document import Span
from pipeline.table_cells import Cell, Table, TableRow, _header_kind, split_cells

_NUMERIC = re.compile(r"^\s*\d+(?:\.\d+)?\s*$")
_TOTAL_CELL = re.compile(r"^\s*(?:总\s*分|合\s*计|总\s*计)[：:]?\s*$")
# what may follow a value in its own cell: ``95 | %``, ``38 | 个``, ``42.6 | 万亩``, ``3 | 次/年``
_UNIT_CELL = re.compile(r"^(?:[%％‰]|[\u4e00-\u9fff/·]{1,4})$")


@dataclass
class TRow:
    """One row of a table: where it stands, what introduces it, and its cells by column."""

    table: int  # index of its table in the report's tables
    block: int  # which header run of the table it stands under
    kind: str  # "budget" or "indicator" (the table layer's row kinds)
    start: int  # its name cell, else its first value cell
    end: int  # the end of its last cell (the 得分 cell where it has one)
    lead: str  # the text from the previous row (or the header) to its first value: names, 其中, 按…分
    label: str  # its name cell
    cells: list[tuple[int, int]]  # value cells, one per column
    columns: list[str]  # the header of each value cell
    money: dict[int, Span] = field(default_factory=dict)  # column → the document's MONEY span there
    scores: tuple[float, float] | None = None  # (分值, 得分)
    score_cells: list[tuple[int, int]] = field(default_factory=list)  # where 分值 and 得分 stand

    def spans_in(self, values: list[Span]) -> list[Span]:
        """The values that stand in this row's cells."""
        return [v for v in values if any(a <= v.start < b for a, b in self.cells)]


@dataclass
class TotalRow:
    """The 总分/合计 row closing a scored table: its (分值, 得分) and where it stands."""

    table: int
    start: int
    end: int
    points: float
    score: float


def _number(text: str) -> float | None:
    return float(text) if _NUMERIC.match(text) else None


def _block(table: Table, pos: int) -> int:
    starts = [h[0].start for h in table.header_rows if h]
    return max(0, bisect.bisect_right(starts, pos) - 1)


def _header_after(table: Table, block: int) -> int:
    header = table.header_rows[block] if block < len(table.header_rows) else []
    return max((c.end for c in header), default=table.start)


def _score_columns(header: list[Cell]) -> tuple[int, int] | None:
    """Positions of 分值 and 得分 in a header run (None unless it has both)."""
    texts = [c.text for c in header if c.text]
    points = next((i for i, t in enumerate(texts) if t.startswith("分值")), None)
    score = next((i for i, t in enumerate(texts) if t.startswith("得分")), None)
    return None if points is None or score is None else (points, score)


def _indicator_scores(stream: list[Cell], index: dict[int, int], row: TableRow, header: list[Cell],
                      limit: int) -> tuple[tuple[float, float], list[Cell]] | None:
    """(分值, 得分) of an indicator row and their cells, where the header puts 分值 and 得分 right
    after 实际完成值: the last two adjacent numbers after the actual value, with only words (the
    偏差原因 cell) after them. Reading from the right keeps a unit cell the layer did not join to
    its value (``42.6 | 万亩``) from shifting the scores."""
    columns = _score_columns(header)
    texts = [c.text for c in header if c.text]
    actual = next((i for i, c in enumerate(texts) if _header_kind(c) == "actual_value"), None)
    if columns is None or actual is None or sorted(columns) != [actual + 1, actual + 2] or not row.cells:
        return None
    k = index.get(row.cells[-1].start)
    if k is None:
        return None
    after: list[Cell] = []
    one_line = row.label is not None and row.label.line == stream[k].line  # a row on one line ends with it
    for cell in stream[k + 1 :]:
        if cell.start >= limit or _TOTAL_CELL.match(cell.text) or (one_line and cell.line != stream[k].line):
            break
        if cell.text:
            after.append(cell)
    for i in range(len(after) - 2, -1, -1):
        first, second = _number(after[i].text), _number(after[i + 1].text)
        if first is not None and second is not None:
            if any(_number(c.text) is not None for c in after[i + 2 :]):
                return None
            pair = (first, second) if columns[0] < columns[1] else (second, first)
            return pair, [after[i], after[i + 1]]
    return None


def table_rows(text: str, tables: list[Table], values: list[Span]) -> list[TRow]:
    """Every budget and indicator row of the tables, in text order, with the document's values."""
    stream = split_cells(text)
    index = {c.start: k for k, c in enumerate(stream) if c.text}
    money = [v for v in values if v.label == "MONEY"]
    rows: list[TRow] = []
    for t, table in enumerate(tables):
        kept = [r for r in table.rows if r.kind in ("budget", "indicator") and r.cells]
        kept.sort(key=lambda r: (r.label or r.cells[0]).start)
        previous: dict[int, int] = {}
        for n, row in enumerate(kept):
            first = row.cells[0]
            start = (row.label or first).start
            block = _block(table, start)
            lead_from = previous.get(block, _header_after(table, block))
            limit = (kept[n + 1].label or kept[n + 1].cells[0]).start if n + 1 < len(kept) else table.end
            cells = [(c.start, c.end) for c in row.cells]
            out = TRow(t, block, row.kind, start, max(b for _, b in cells), text[lead_from:first.start],
                       row.label.text if row.label else "", cells, list(row.columns))
            for i, (a, b) in enumerate(cells):
                here = [v for v in money if a <= v.start < b]
                if len(here) == 1:
                    out.money[i] = here[0]
            if row.kind == "budget":
                pos = {_column_name(c): i for i, c in enumerate(out.columns)}
                if pos.get("分值", len(cells)) < len(cells) and pos.get("得分", len(cells)) < len(cells):
                    at = [cells[pos["分值"]], cells[pos["得分"]]]
                    a_num, b_num = (_number(text[a:b]) for a, b in at)
                    if a_num is not None and b_num is not None:
                        out.scores, out.score_cells = (a_num, b_num), at
            elif block < len(table.header_rows):
                got = _indicator_scores(stream, index, row, table.header_rows[block], limit)
                if got is not None:
                    out.scores = got[0]
                    out.score_cells = [(c.start, c.end) for c in got[1]]
                    out.end = got[1][-1].end
            previous[block] = out.end
            rows.append(out)
    return sorted(rows, key=lambda r: r.start)


def _column_name(header: str) -> str:
    return "分值" if header.startswith("分值") else "得分" if header.startswith("得分") else header


def total_rows(text: str, tables: list[Table], rows: list[TRow]) -> list[TotalRow]:
    """The 总分/合计 row after the last scored row of each table (its last two numbers: 分值, 得分)."""
    stream = split_cells(text)
    starts = [c.start for c in stream]
    out = []
    for t in range(len(tables)):
        scored = [r for r in rows if r.table == t and r.scores is not None]
        if not scored:
            continue
        k = bisect.bisect_left(starts, scored[-1].end)
        for j in range(k, min(k + 12, len(stream))):
            if not _TOTAL_CELL.match(stream[j].text):
                continue
            numbers: list[tuple[float, int]] = []
            for cell in stream[j + 1 : j + 12]:
                if not cell.text:
                    continue
                value = _number(cell.text)
                if value is None:
                    break
                numbers.append((value, cell.end))
            if len(numbers) >= 2:
                (points, _), (score, end) = numbers[-2], numbers[-1]
                out.append(TotalRow(t, stream[j].start, end, points, score))
            break
    return out


def covered(tables: list[Table], rows: list[TRow], totals: list[TotalRow]) -> list[tuple[int, int]]:
    """The stretch of text each table takes up (by table index), its rows and total row included."""
    out = []
    for t, table in enumerate(tables):
        ends = [table.end, *(r.end for r in rows if r.table == t), *(r.end for r in totals if r.table == t)]
        out.append((table.start, max(ends)))
    return out
