"""One report at a glance: budget, spending, indicators met or missed, findings — what the
workbook's summary and indicators sheets and :func:`pipeline.api.to_frames` show.

**预算数 / 执行数 / 执行率** (:func:`budget_figures`). The amounts considered are MONEY values of
role ``target`` (budget) or ``actual`` (spending) that are exact (not ``approx``), not rates per unit
(``per``), not linked to an INDICATOR (an indicator's money value, 成本 or 补助标准, is no budget),
and above zero. Each has an *owner*: the PROJECT(s) it links to, or the report itself when it links
to none.

1. The report's own figures come first: amounts with no project link. Where the report's
   self-evaluation table has a total row (年度资金总额 / 资金总额 / 合计 / 总计) of such amounts,
   预算数 is its last budget column (全年预算数 after 年初预算数) and 执行数 its first spending column;
   otherwise 预算数 is the largest such budget amount (调整预算 4140.58万元 over 年初预算 2030.06万元)
   and 执行数 the largest such spending amount; when that spending exceeds the budget and the
   budget's sentence states more budget amounts (年初预算1685.91万元，年中追加预算1585.62万元), 预算数
   is their sum. Basis: ``table`` or ``document``.
2. A report with no budget of its own (a project report whose every amount belongs to a project)
   takes, for each project with a budget, the same figures from that project's amounts (its
   table's total row first), and adds them up over those projects; a spending item without a
   budget of its own is a part of another project and is not added. Basis: ``projects`` (with
   their number).
   执行数 is spending: an actual amount introduced as 收入 (income: 收入总计, 决算收入) is not counted.
3. 执行率 = 执行数 ÷ 预算数 when both are known (the rate the report states may differ: that is what
   the ``rate`` check is for), unless spending exceeds the budget by more than 20%: then the two
   are of different scopes (a hospital's total spending beside its project budget) and 执行率 is
   left empty. A figure the report does not give is left empty, never guessed.

The largest amount is a rule of thumb: a report that quotes a bigger budget of another scope (a
three-year total, last year's spending) beside this year's will be misread; the basis column
says which rule gave the figure so that such a row can be checked.

**Indicators** (:func:`indicator_rows`): every target/actual pair the ``unmet`` check judges (same
pairing, same verdict: met, missed, or not judged), then each target or actual linked to an
indicator that has no partner. 指标数 counts the distinct indicator names (per project) of these
rows, 未达标指标 those with a missed pair.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pipeline.document import Document, Span

if TYPE_CHECKING:
    from pipeline.checks import Pair

_TOTAL_ROW = re.compile(r"年度资金总额|资金总额|合\s*计|总\s*计")
# an amount received, not spent: 收入总计1186.54万元, 年末决算收入3282.14万元
_INCOME = re.compile(r"收入(?!.*支出)")
SCOPE_GAP = 1.2  # spending above 120% of the budget: the two figures are of different scopes
_CMP_SIGN = {">=": "≥", ">": "＞", "<=": "≤", "<": "＜", "=": ""}
_SENTENCE_ENDS = frozenset("。；！？!?;\n")


@dataclass
class Budget:
    """预算数 and 执行数 in yuan (None where the report gives none), 执行率, and which rule gave them."""

    budget: float | None
    spent: float | None
    basis: str  # "table", "document", "projects", or "" when there is nothing to go on
    projects: int = 0  # how many projects were added up (basis "projects")

    @property
    def comparable(self) -> bool:
        """Whether budget and spending look like figures of one scope (spending ≤ 120% of the budget)."""
        return bool(self.budget) and self.spent is not None and self.spent <= SCOPE_GAP * float(self.budget)

    @property
    def rate(self) -> float | None:
        """执行数 ÷ 预算数, or None when either is missing or they are of different scopes."""
        if not self.comparable or not self.budget or self.spent is None:
            return None
        return self.spent / self.budget


@dataclass
class IndicatorRow:
    """An indicator's target beside its actual (either may be missing) and whether it is met."""

    document: str
    project: str
    indicator: str
    target: str  # as written, comparator included: ≥95%
    actual: str
    met: bool | None  # None: not judged, or no pair
    target_id: str | None
    actual_id: str | None
    sentence: str


def _links(doc: Document) -> tuple[dict[str, list[str]], dict[str, set[str]]]:
    """value id → linked indicator names, and value id → linked project names."""
    by_id = doc.span_by_id()
    indicators: dict[str, list[str]] = {}
    projects: dict[str, set[str]] = {}
    for rel in doc.relations:
        tail = by_id.get(rel.tail)
        if tail is None:
            continue
        name = re.sub(r"\s", "", doc.surface(tail))
        if rel.type == "indicator":
            indicators.setdefault(rel.head, [])
            if name not in indicators[rel.head]:
                indicators[rel.head].append(name)
        else:
            projects.setdefault(rel.head, set()).add(name)
    return indicators, projects


def _amounts(doc: Document, indicators: dict[str, list[str]]) -> list[Span]:
    return [s for s in doc.spans
            if s.label == "MONEY" and s.role in ("target", "actual") and not s.approx and not s.per
            and isinstance(s.value, (int, float)) and s.value > 0 and s.id not in indicators
            and not (s.role == "actual" and _INCOME.search(_clause_before(doc.text, s.start)))]


def _clause_before(text: str, pos: int) -> str:
    start = pos
    while start > 0 and pos - start < 16 and text[start - 1] not in "，,；;。\n":
        start -= 1
    return text[start:pos]


def _owner_figures(amounts: list[Span], total_rows: list[Any], text: str | None = None
                   ) -> tuple[float | None, float | None, str]:
    """Budget and spending of one owner: its table's total row, else its largest amounts."""
    ids = {a.id for a in amounts}
    for row in total_rows:
        cells = [(col, span) for col, span in sorted(row.money.items()) if span.id in ids]
        targets = [s for _, s in cells if s.role == "target"]
        actuals = [s for _, s in cells if s.role == "actual"]
        if targets or actuals:
            return (float(targets[-1].value) if targets else None,
                    float(actuals[0].value) if actuals else None, "table")
    targets = [a for a in amounts if a.role == "target"]
    actuals = [float(a.value) for a in amounts if a.role == "actual"]
    if not targets:
        return None, max(actuals) if actuals else None, "document"
    biggest = max(targets, key=lambda a: float(a.value))
    budget = float(biggest.value)
    spent = max(actuals) if actuals else None
    if spent is not None and spent > budget and text is not None:
        # 年初预算1685.91万元，年中追加预算1585.62万元: the budget is what the sentence adds up
        start, end = _sentence_bounds(text, biggest.start)
        beside = [float(a.value) for a in targets if start <= a.start < end]
        if len(beside) > 1:
            budget = sum(beside)
    return budget, spent, "document"


def budget_figures(doc: Document, tables: list[Any] | None = None) -> Budget:
    """预算数, 执行数 and 执行率 of a report, by the rule of this module's docstring (``tables``: the
    report's tables when already read)."""
    from pipeline.checks.rows import table_rows
    from pipeline.tables import read_tables

    indicators, projects = _links(doc)
    amounts = _amounts(doc, indicators)
    values = sorted((s for s in doc.spans if s.is_value), key=lambda s: s.start)
    tables = read_tables(doc.text) if tables is None else tables
    rows = [r for r in table_rows(doc.text, tables, values) if r.kind == "budget" and _TOTAL_ROW.search(r.lead)]
    own = [a for a in amounts if not projects.get(a.id)]
    budget, spent, basis = _owner_figures(own, rows, doc.text)
    if budget is not None:
        return Budget(budget, spent, basis)
    names = sorted({name for a in amounts for name in projects.get(a.id, ())})
    budgets, spendings, counted = [], [], 0
    for name in names:
        mine = [a for a in amounts if projects.get(a.id) == {name}]
        b, s, _ = _owner_figures(mine, rows, doc.text)
        if b is None:
            continue  # a spending item with no budget of its own is a part of another project
        counted += 1
        budgets.append(b)
        if s is not None:
            spendings.append(s)
    if budgets:
        return Budget(sum(budgets), sum(spendings) if spendings else None, "projects", counted)
    return Budget(None, spent, "document" if spent is not None else "")


def _sentence_bounds(text: str, pos: int) -> tuple[int, int]:
    left, right = pos, pos
    while left > 0 and text[left - 1] not in _SENTENCE_ENDS:
        left -= 1
    while right < len(text) and text[right] not in _SENTENCE_ENDS:
        right += 1
    return left, right


def _sentence(text: str, start: int, end: int) -> str:
    left, right = _sentence_bounds(text, start)
    if right < len(text) and text[right] != "\n":
        right += 1
    return text[left:right].strip()


def _written(doc: Document, span: Span | None) -> str:
    if span is None:
        return ""
    return _CMP_SIGN.get(span.cmp or "=", "") + doc.surface(span)


def indicator_rows(doc: Document, pairs: list[Pair] | None = None) -> list[IndicatorRow]:
    """Each judged target/actual pair, then each unpaired target or actual linked to an indicator
    (``pairs``: :func:`pipeline.checks.indicator_pairs` of ``doc``, when already worked out)."""
    from pipeline.checks import indicator_pairs

    pairs = indicator_pairs(doc) if pairs is None else pairs
    indicators, projects = _links(doc)
    rows: list[IndicatorRow] = []
    paired: set[str] = set()

    def row(target: Span | None, actual: Span | None, name: str, met: bool | None) -> IndicatorRow:
        spans = [s for s in (target, actual) if s is not None]
        owners = sorted(set().union(*(projects.get(s.id, set()) for s in spans)))
        first = min(spans, key=lambda s: s.start)
        return IndicatorRow(doc.id, "；".join(owners), name, _written(doc, target), _written(doc, actual), met,
                            target.id if target else None, actual.id if actual else None,
                            _sentence(doc.text, first.start, first.end))

    for pair in pairs:
        paired |= {pair.target.id, pair.actual.id}
        name = pair.name or next(iter(indicators.get(pair.target.id, []) + indicators.get(pair.actual.id, [])), "")
        rows.append(row(pair.target, pair.actual, name, pair.met))
    for span in sorted(doc.spans, key=lambda s: s.start):
        if span.id in paired or span.id not in indicators or span.role not in ("target", "actual"):
            continue
        target, actual = (span, None) if span.role == "target" else (None, span)
        rows.append(row(target, actual, indicators[span.id][0], None))
    first_start = {s.id: s.start for s in doc.spans}
    return sorted(rows, key=lambda r: min(first_start.get(i, 0) for i in (r.target_id, r.actual_id) if i))


def indicator_counts(rows: list[IndicatorRow]) -> tuple[int, int]:
    """(指标数, 未达标指标): distinct indicator names per project, and those with a missed pair."""
    names = {(r.project, r.indicator) for r in rows if r.indicator}
    missed = {(r.project, r.indicator) for r in rows if r.indicator and r.met is False}
    return len(names), len(missed)
