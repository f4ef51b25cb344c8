"""The analyst's workbook (``extract --xlsx``): four sheets from :mod:`pipeline.sheets`.

- 汇总 / summary: one row per report — 单位, 年度, 类型, 预算数, 执行数 (万元), 执行率, 指标数, 未达标指标,
  核对提示 (number of findings), 自评得分, and the rule that gave the budget figures
  (:mod:`pipeline.summary`);
- 数值 / values: one row per MONEY/PERCENT value, with yuan and 万元 columns for money and a
  percentage column for rates (each number formatted as such), and the sentence it came from;
- 核对提示 / checks: one row per finding (SCHEMA.md §1 ``checks``), with its sentence;
- 指标 / indicators: each indicator's target beside its actual, met or not.

Headers are Chinese by default (``lang="en"`` for English). Every header row is bold and frozen
with a filter. A text cell is always stored as text: a cell starting with ``=`` (or ``+ - @``) is
never a formula, whatever the report says; control characters openpyxl refuses are replaced by
spaces and cells are cut at Excel's 32,767 characters (the JSONL keeps the text as it is).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from pipeline.document import Document
from pipeline.sheets import COLUMNS, SHEET_TITLES, SHEETS, sheet_rows

NUMBER_FORMATS = {
    "wan": '#,##0.00"万元"',  # 预算数 4,140.58万元: the header does not say the unit
    "amount": "#,##0.00",
    "ratio": "0.00%",
    "score": "0.0#",
    "int": "0",
}
_EN_FORMATS = {"wan": "#,##0.00"}  # the English header says the unit: budget (10k yuan)
_EN_HEADERS = {"budget": "budget (10k yuan)", "spent": "spending (10k yuan)"}
_XLSX_CELL_MAX = 32_767


def header(sheet: str, key: str, lang: str) -> str:
    column = next(c for c in COLUMNS[sheet] if c.key == key)
    if lang == "en" and sheet == "summary" and key in _EN_HEADERS:
        return _EN_HEADERS[key]
    return column.header(lang)


def write_workbook(docs: Iterable[Document], path: str | Path, lang: str = "zh") -> dict[str, int]:
    """Write the four sheets for ``docs`` to ``path`` (atomically); returns the rows per sheet."""
    from openpyxl import Workbook

    from pipeline.write import _replace_atomically

    docs = list(docs)
    rows = sheet_rows(docs, lang)
    book = Workbook()
    book.remove(book.active)
    for sheet in SHEETS:
        _fill(book.create_sheet(SHEET_TITLES[lang][sheet]), sheet, rows[sheet], lang)
    _replace_atomically(Path(path), lambda tmp: book.save(tmp))
    return {sheet: len(rows[sheet]) for sheet in SHEETS}


def workbook_writer(docs: list[Document], lang: str = "zh") -> Callable[[Any, str | Path], None]:
    """``write(rows, path)`` for ``extract --xlsx``, beside ``write_csv``: the workbook of ``docs``
    (the flat ``rows`` the CSV is made of are not needed)."""

    def write(_rows: Any, path: str | Path) -> None:
        write_workbook(docs, path, lang)

    return write


def _text(value: str) -> str:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub(" ", value)[:_XLSX_CELL_MAX]


def _fill(ws: Any, sheet: str, rows: list[dict[str, Any]], lang: str) -> None:
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    columns = COLUMNS[sheet]
    ws.append([header(sheet, c.key, lang) for c in columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for r, row in enumerate(rows, 2):
        for c, column in enumerate(columns, 1):
            value = row.get(column.key)
            if isinstance(value, str):
                value = _text(value)
            cell = ws.cell(row=r, column=c, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # text, never a formula (=SUM(…) in a report stays text)
                if column.width >= 40:
                    cell.alignment = wrap
            elif value is not None and column.kind in NUMBER_FORMATS:
                cell.number_format = (_EN_FORMATS.get(column.kind) if lang == "en" else None) \
                    or NUMBER_FORMATS[column.kind]
    for c, column in enumerate(columns, 1):
        ws.column_dimensions[get_column_letter(c)].width = column.width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
