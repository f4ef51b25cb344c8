"""The report as the checks see it: its values, links, lines, sentences and sections, the numbers
as shown (rounding intervals), and the :class:`Check` a finding is."""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pipeline.checks.rows import TotalRow, TRow, covered, table_rows, total_rows
from pipeline.document import CHECK_KINDS, Document, Span

if TYPE_CHECKING:
    from pipeline.table_cells import Table

KINDS = CHECK_KINDS

WAN = 10_000.0
SUM_FLOOR_PER_PART = 100.0  # 0.01万元 per part, in yuan
PARTIAL_SHORTFALL = 0.10  # a prose list this far short of its total names only some parts
RATE_SLACK = 0.005  # 0.5 percentage points, as a fraction
SCORE_TOLERANCE = 0.05 + 1e-9
UNIT_FACTOR = 3.0  # how far from exactly 10⁴ a slip may land
MAX_READINGS = 5000  # cap on the part combinations tried for a numbered list

_SENT_END = set("。；！？;!?\n")
_CLAUSE_END = set("；;")
_OPEN = "（("
_CLOSE = "）)"
_HEADING = re.compile(r"^\s*(?:[一二三四五六七八九十]+\s*[、.．]|[（(][一二三四五六七八九十]+[)）]|附\s*[件表])")
# 4.2023年自然灾害救灾资金 is item 4; 1.2万亩… at a line start is a number, not an item.
_ITEM = re.compile(r"^\s*(?:\d{1,2}\s*[.．、](?!\d+(?:\.\d+)?\s*[万亿元千%％‰个人户次])|[（(]\d{1,2}[)）])")
_STANDARD_BEFORE = re.compile(r"每[^，。；：\n]{0,6}$|标准为?$|按$")
_STANDARD_AFTER = re.compile(r"^的?标准")
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
_NUMBER_TOKEN = re.compile(r"^(?:[≥≤<>=＞＜]?[-−]?\d[\d,]*(?:\.\d+)?[%％‰]?|[—–/-])$")
_NUMERIC_CELL = re.compile(r"^\s*\d+(?:\.\d+)?\s*$")


@dataclass
class Check:
    """One finding: its kind, the ids of the spans involved, and what is wrong, in Chinese."""

    kind: str
    spans: list[str]
    message: str

    def to_json(self) -> dict[str, Any]:
        # SCHEMA.md §1: each span named once, in the order the finding names them
        return {"kind": self.kind, "spans": list(dict.fromkeys(self.spans)), "message": self.message}


# ---------------------------------------------------------------- the report as the checks see it


@dataclass
class _Report:
    doc: Document
    text: str
    values: list[Span]  # MONEY and PERCENT spans with a numeric value, by position
    line_starts: list[int]
    indicators: dict[str, list[Span]]  # value id -> linked INDICATOR spans
    projects: dict[str, set[str]]  # value id -> names of the linked PROJECTs
    headings: list[int]  # start offsets of section heading lines
    soft_breaks: set[int] = field(default_factory=set)  # line breaks inside value spans
    rows: list[TRow] = field(default_factory=list)  # table rows, from the table layer
    totals: list[TotalRow] = field(default_factory=list)  # 总分/合计 rows closing scored tables
    tables: list[tuple[int, int]] = field(default_factory=list)  # the stretch of each table, by index

    def in_table(self, start: int, end: int) -> bool:
        """Whether text[start:end] overlaps a table the table layer read (or its total row)."""
        return any(a < end and start < b for a, b in self.tables) or self.in_row(start, end)

    def lines(self, within: tuple[int, int] | None = None) -> list[tuple[int, int]]:
        """(start, end) of the lines that overlap ``within``, or, without it, of the lines outside every table."""
        out = []
        for start in self.line_starts:
            end = self.line(start)[1]
            inside = start < within[1] and within[0] < end if within else not self.in_table(start, end)
            if inside:
                out.append((start, end))
        return out

    def in_row(self, start: int, end: int | None = None) -> bool:
        """Whether a position (or stretch) lies inside a table row, its name cell included."""
        end = start + 1 if end is None else end
        return any(r.start < end and start < r.end for r in self.rows)

    def row_of(self, span: Span) -> TRow | None:
        """The table row whose cells hold the span."""
        return next((r for r in self.rows if any(a <= span.start < b for a, b in r.cells)), None)

    def line(self, pos: int) -> tuple[int, int]:
        """The line around pos; a line break inside a value (``2356.40 万\\n元``) does not end it."""
        i = bisect.bisect_right(self.line_starts, pos) - 1
        j = i
        while i > 0 and self.line_starts[i] - 1 in self.soft_breaks:
            i -= 1
        while j + 1 < len(self.line_starts) and self.line_starts[j + 1] - 1 in self.soft_breaks:
            j += 1
        end = self.line_starts[j + 1] - 1 if j + 1 < len(self.line_starts) else len(self.text)
        return self.line_starts[i], end

    def sentence(self, pos: int) -> tuple[int, int]:
        """The sentence around pos: up to 。；！？ or a line break (not one inside a value)."""
        text = self.text
        start = pos
        while start > 0 and (text[start - 1] not in _SENT_END or start - 1 in self.soft_breaks):
            start -= 1
        end = pos
        while end < len(text) and (text[end] not in _SENT_END or end in self.soft_breaks):
            end += 1
        return start, end

    def section(self, pos: int) -> int:
        """Which section (between headings such as 三、 （二） 附表1) pos lies in."""
        return bisect.bisect_right(self.headings, pos)

    def surface(self, span: Span) -> str:
        return self.text[span.start : span.end].strip()

    def values_in(self, start: int, end: int, label: str | None = None) -> list[Span]:
        return [v for v in self.values if start <= v.start and v.end <= end and (label is None or v.label == label)]


def _report(doc: Document, tables: list[Table] | None = None) -> _Report:
    """The report of ``doc``; ``tables`` are its tables when already read (``doc._.tables``)."""
    text = doc.text
    values = sorted(
        (s for s in doc.spans if s.is_value and isinstance(s.value, (int, float)) and not isinstance(s.value, bool)),
        key=lambda s: s.start,
    )
    by_id = doc.span_by_id()
    indicators: dict[str, list[Span]] = {}
    projects: dict[str, set[str]] = {}
    for rel in doc.relations:
        tail = by_id.get(rel.tail)
        if tail is None:
            continue
        if rel.type == "indicator":
            indicators.setdefault(rel.head, []).append(tail)
        elif rel.type == "project":
            # by name: two mentions of one project are two spans
            projects.setdefault(rel.head, set()).add(re.sub(r"\s", "", text[tail.start : tail.end]))
    line_starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
    headings = [s for s in line_starts if _HEADING.match(text[s : s + 12])]
    soft = {i for v in values for i in range(v.start, v.end) if text[i] == "\n"}
    if tables is None:
        from pipeline.tables import read_tables

        tables = read_tables(text)
    rows = table_rows(text, tables, values)
    totals = total_rows(text, tables, rows)
    return _Report(doc, text, values, line_starts, indicators, projects, headings, soft, rows, totals,
                   covered(tables, rows, totals))


def _depth(text: str, start: int, end: int) -> int:
    """Bracket depth at ``end`` counted from ``start`` (never below zero)."""
    depth = 0
    for ch in text[start:end]:
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE and depth:
            depth -= 1
    return depth


def _spaced(text: str, start: int, end: int) -> bool:
    """A row whose cells are separated by spaces (PDF text), not by tabs or bars."""
    line = text[start:end]
    return "\t" not in line and line.count("|") < 2


def _cells(text: str, start: int, end: int) -> list[tuple[int, int]] | None:
    """The cells of a flattened table row, or None for prose.

    Cells are tab- or ``|``-separated, or, in text taken from PDF, separated by spaces: a line of
    three or more space-separated pieces, two of them numbers, or a header naming 分值 and 得分.
    """
    line = text[start:end]
    sep = "\t" if "\t" in line else "|" if line.count("|") >= 2 else None
    if sep is None:
        tokens = list(re.finditer(r"\S+", line))
        words = [t.group() for t in tokens]
        numbers = sum(1 for w in words if _NUMBER_TOKEN.match(w))
        if len(tokens) >= 3 and (numbers >= 2 or ("分值" in words and "得分" in words)):
            return [(start + t.start(), start + t.end()) for t in tokens]
        return None
    cells, pos = [], start
    for part in line.split(sep):
        cells.append((pos, pos + len(part)))
        pos += len(part) + 1
    return cells


def _cell_index(cells: list[tuple[int, int]], pos: int) -> int | None:
    for i, (a, b) in enumerate(cells):
        if a <= pos < b:
            return i
    return None


def _indicator_ids(rep: _Report, start: int, end: int) -> list[str]:
    return [s.id for s in rep.doc.spans if s.label == "INDICATOR" and start <= s.start and s.end <= end]


# ---------------------------------------------------------------- numbers as shown


def _shown(surface: str) -> tuple[float | None, int]:
    """The Arabic number a surface shows and its decimals; (None, 0) for Chinese numerals."""
    m = _NUMBER.search(unicodedata.normalize("NFKC", surface))
    if not m:
        return None, 0
    raw = m.group().replace(",", "")
    return float(raw), len(raw.split(".")[1]) if "." in raw else 0


def _unit_scale(surface: str, label: str) -> float:
    folded = unicodedata.normalize("NFKC", surface)
    for mark, scale in (("亿", 1e8), ("万", 1e4), ("千", 1e3), ("‰", 1e-3), ("%", 1e-2)):
        if mark in folded:
            return scale
    return WAN if label == "MONEY" else 1e-2


def _half_unit(rep: _Report, span: Span) -> float:
    """Half of the last digit the span shows, in its value's unit: how far rounding may reach."""
    surface = rep.surface(span)
    number, decimals = _shown(surface)
    value = float(span.value or 0.0)
    if number is None:  # 一百二十万元: written out, exact
        half = 0.0
    else:
        scale = abs(value) / number if number else _unit_scale(surface, span.label)
        if span.label == "MONEY" and abs(scale - WAN) < 1e-6 and decimals < 2:
            decimals = 2  # whole 万元: budgets are set in whole 万元
        half = 0.5 * 10.0**-decimals * scale
    if span.approx:
        half = max(half, 0.05 * abs(value))
    return half


def _interval(rep: _Report, span: Span) -> tuple[float, float]:
    half = _half_unit(rep, span)
    return float(span.value) - half, float(span.value) + half


def _yuan(value: float) -> str:
    """An amount for a message: 万元 with two decimals, or 元 below one 万元."""
    if abs(value) >= WAN:
        return f"{value / WAN:.2f}万元"
    return f"{value:.2f}".rstrip("0").rstrip(".") + "元"


def _pct(value: float) -> str:
    return f"{value * 100:.2f}%"


def _points(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _is_standard(rep: _Report, span: Span) -> bool:
    """A rate standard (每人每天120元, 按1000元/人的标准, 3000元/月): not a budget line."""
    if span.per:
        return True
    before = rep.text[max(0, span.start - 8) : span.start]
    after = rep.text[span.end : span.end + 6]
    return bool(_STANDARD_BEFORE.search(before) or _STANDARD_AFTER.match(after))


def _amount(span: Span) -> bool:
    """A MONEY value that can be a total or a part: a target or actual, not a rate per unit."""
    return span.label == "MONEY" and span.role in ("target", "actual") and not span.per

