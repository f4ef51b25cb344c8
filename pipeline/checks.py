"""Consistency checks on one report: what a careful analyst flags on reading it.

SCHEMA.md §1 lets a prediction carry ``checks``: findings of the kinds ``sum``, ``rate``,
``score``, ``unit`` and ``unmet``, each ``{"kind", "spans", "message"}`` with a Chinese message
that states the numbers. :func:`check_document` computes them from a document's values
(MONEY/PERCENT spans with ``value``, ``role``, ``cmp``, ``approx``, ``per``), their links to
INDICATOR and PROJECT spans, and the text around them (sentences, list openers, table rows).
It runs the same on gold and on predictions, and needs nothing but :mod:`pipeline.document`.

The rule throughout is *silence on a consistent report*: where the text allows several
readings (which amount is the total, where a list of parts ends, which budget a rate was
computed from), a finding is made only when no reading is consistent. Each finding is made once.

Tolerances (the constants below; tests/test_checks.py pins them):

- **sum**: parts and total agree when ``|Σparts − total| ≤ max(Σ rounding, 0.01万元 × parts)``.
  "Rounding" is half of the last digit each figure shows (``4140.58万元`` ±0.005万元,
  ``1.27亿元`` ±0.005亿元); whole-万元 figures count as exact to 0.01万元, since budgets are set
  in whole 万元. Approximate figures (``30余万元``) make a list uncheckable. A prose list that
  falls more than 10% short of its total, or says 其余/其他 after its parts, names only some
  parts and is not a finding; parts above their total always are.
- **rate**: the shown rate and the quotient actual ÷ target are each taken as the interval
  their rounding allows; a finding needs the two intervals more than 0.5 percentage points apart
  for every pairing of the amounts beside the rate (a budget may be the sum of those stated:
  年初+追加). A rate under 100% beside spending above every budget in sight is not judged: it
  was computed against a budget adjusted later.
- **score**: a 得分 above its 分值; row scores (or prose item scores) whose sum differs from the
  stated total by more than 0.05 分 (half of the 0.1 分 scores are written to).
- **unit**: an amount whose value × 10⁴ (or ÷ 10⁴) lies within a factor 3 of its siblings'
  median, or a total below every one of its parts by such a factor; or a sum that fails as
  written and holds once one figure is scaled by 10⁴ (reported as ``unit``, not ``sum``).
- **unmet**: exact comparison of the actual with the target's comparator (the actual's own
  comparator widens it: ``85%以上`` may be anything above 85%). A target without a comparator
  (``=``) is met by equal-or-better, where "better" is *lower* for indicators named for something
  bad (事故, 投诉率, 辍学, 不合格, 结余, 成本, 控制率…) and *higher* otherwise (完成率, 执行率,
  满意度…, and every 下降/减少 ratio). Money targets without a comparator (standards, budgets),
  approximate actuals, next year's aims (力争/确保…) and bounds against the indicator's own
  direction (对执行率低于80%的项目…) are not judged.
"""

from __future__ import annotations

import bisect
import itertools
import re
import statistics
import sys
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from pipeline.document import Document, Span, read_jsonl

KINDS = ("sum", "rate", "score", "unit", "unmet")

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

# List openers inside a sentence: 其中 / 按…分(类) / 具体为 / 分项看. A 按 opener needs punctuation
# after it, so that 按学校偏远程度分档发放 is not read as a list.
_INLINE_OPENER = re.compile(
    r"其中[：:，,]?|按[^，。；：:\n]{1,8}?(?:分类|划分|分)(?=[：:，,])[：:，,]?|具体为[：:]?|分(?:项|用途|类别?|来源)看[：:，,]"
)
# A lead-in line whose list follows as numbered items.
_LEAD_IN_END = re.compile(r"(?:其中|如下|具体为|具体是)[：:]\s*$")
_HEADING = re.compile(r"^\s*(?:[一二三四五六七八九十]+\s*[、.．]|[（(][一二三四五六七八九十]+[)）]|附\s*[件表])")
# 4.2023年自然灾害救灾资金 is item 4; 1.2万亩… at a line start is a number, not an item.
_ITEM = re.compile(r"^\s*(?:\d{1,2}\s*[.．、](?!\d+(?:\.\d+)?\s*[万亿元千%％‰个人户次])|[（(]\d{1,2}[)）])")
_TABLE_TOTAL = re.compile(r"年度资金总额|资金总额|合\s*计|总\s*计")
_TABLE_GROUP = re.compile(r"按.{1,6}分")
_REMAINDER = re.compile(r"其余|其他|剩余|余下|余额|另有|另外")
_STANDARD_BEFORE = re.compile(r"每[^，。；：\n]{0,6}$|标准为?$|按$")
_STANDARD_AFTER = re.compile(r"^的?标准")
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
_NUMBER_TOKEN = re.compile(r"^(?:[≥≤<>=＞＜]?[-−]?\d[\d,]*(?:\.\d+)?[%％‰]?|[—–/-])$")
_NUMERIC_CELL = re.compile(r"^\s*\d+(?:\.\d+)?\s*$")

_RATE_NAME = re.compile(r"执行率|支付率|拨付率|控制率")

_PROSE_ITEM = re.compile(r"^\s*\d{1,2}\s*[.．、]\s*([^（(\n：:]{2,40}?)[（(](各)?(\d+(?:\.\d+)?)分[)）]")
_ITEM_SCORE = re.compile(r"得(?:分为?)?\s*(\d+(?:\.\d+)?)\s*分")
_STATED_TOTAL = re.compile(r"(?:自评得分|综合得分|评价得分|自评总分|总得分|综合评分)(?:为)?\s*(\d+(?:\.\d+)?)\s*分")
_TOTAL_ROW = re.compile(r"总\s*分|合\s*计|总\s*计")

_SCOPE_WORDS = re.compile(r"^(?:全年|年度|本年度|本年|当年|全区|全县|全市|全省|全局)")
_AMBIGUOUS_DIRECTION = re.compile(r"变动率|变化率|偏差率")
# …a ratio of reduction is better when higher (亿元GDP事故死亡率下降比例)
_REDUCTION = re.compile(r"下降|降低|减少|压减|减幅|降幅")
_NEGATED = re.compile(r"不合格|不达标|未达标|未完成")
# The head noun decides: 投诉人满意度 is a satisfaction rate, 受灾群众投诉率 a complaint rate.
_GOOD_HEAD = re.compile(
    r"(?:满意度|满意率|完成率|执行率|办结率|整改率|合格率|达标率|覆盖率|及时率|准确率|到位率|知晓率|处置率"
    r"|通过率|优良率|保存率|利用率|普及率|巩固率|验收率|签收率|兑现率|兑付率|发放率|拨付率|支付率|在线率|完好率"
    r"|受检率|检验率|参与率|入园率|留用率|就业率|消除率|回收率|公开率|响应率|救助率|扑灭率)$"
)
# An indicator named for something bad: lower is better when its target has no comparator.
_LOWER_BETTER = re.compile(
    r"辍学|死亡|事故|投诉|发生率|不合格|返工|损耗|逾期|失业|结余|结转|差错|错误|误报|漏报|超标|违规|违法"
    r"|受害|成灾|空置|闲置|流失|债务|负债|控制率|控制数|成本|费用|损失|发病|感染"
)
_FUTURE = re.compile(r"力争|争取|确保|下一步|今后|下年度|明年|以后年度")
_MISS_WORDS = re.compile(r"未达|低于|未完成|不足")
_CMP_SIGN = {">=": "≥", ">": "＞", "<=": "≤", "<": "＜", "=": ""}


@dataclass
class Check:
    """One finding: its kind, the ids of the spans involved, and what is wrong, in Chinese."""

    kind: str
    spans: list[str]
    message: str

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "spans": list(self.spans), "message": self.message}


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


def _report(doc: Document) -> _Report:
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
    return _Report(doc, text, values, line_starts, indicators, projects, headings, soft)


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


# ---------------------------------------------------------------- lists of parts under a total


@dataclass
class _Group:
    """A total with the parts listed under it, in every reading the text allows."""

    kind: str  # inline (其中/按…分), paren (A x万元（B…，C…）), items (numbered list), table
    where: int  # offset of the opener
    totals: list[Span]  # candidate totals, the nearest first
    readings: list[list[Span]]  # candidate part lists, the plainest reading first
    members: list[Span] = field(default_factory=list)  # the amounts listed, for the unit check
    anchor: Span | None = None  # the amount the list hangs from, for the unit check


def _clause_end(text: str, pos: int, end: int) -> int:
    while pos < end and text[pos] not in _CLAUSE_END:
        pos += 1
    return pos


def _opener_extents(rep: _Report, openers: list[re.Match[str]]) -> list[tuple[int, int]]:
    """Where each inline list runs: to the sentence end, or to the next 按… list, or, for a list
    opened inside another (…；就业创业扶持支出56.36万元，其中…9万元；…), to its clause end."""
    text = rep.text
    extents: list[tuple[int, int]] = []
    for i, m in enumerate(openers):
        end = m.end()
        line_end = rep.line(m.start())[1]
        while end < line_end and text[end] not in "。！？!?\n":
            end += 1
        for later in openers[i + 1 :]:
            if later.start() >= end:
                break
            if later.group().startswith("按") and _depth(text, m.end(), later.start()) == 0:
                end = later.start()
                break
        for outer_start, outer_end in extents:
            if outer_start <= m.start() < outer_end and _depth(text, outer_start, m.start()) == 0:
                end = _clause_end(text, m.end(), end)
                break
        extents.append((m.end(), end))
    return extents


def _clause_readings(text: str, start: int, end: int, flat: list[Span], raw: list[Span]) -> list[list[Span]]:
    """The part lists a 其中 list may mean, the plainest first ([] when it has no two parts).

    The plainest: the parts of the first clause, then one part per following clause
    (其中：A…；B…；C…); a clause with two amounts (年中调减13.40万元，全年预算254.60万元) is no
    longer an item. The others: the whole sentence, and the parts up to each ；. ``flat`` leaves
    out the parts of lists nested in this one, ``raw`` keeps them.
    """
    bounds = [start] + [p + 1 for p in range(start, end) if text[p] in _CLAUSE_END] + [end]
    clauses = list(zip(bounds, bounds[1:]))

    def by_clause(parts: list[Span]) -> list[Span]:
        reading = [v for v in parts if clauses[0][0] <= v.start < clauses[0][1]]
        for a, b in clauses[1:]:
            here = [v for v in parts if a <= v.start < b]
            if len(here) != 1:
                break
            reading.append(here[0])
        return reading

    primary = by_clause(flat)
    if len(primary) < 2:
        return []
    readings = [primary, by_clause(raw), flat, raw]
    for pos in bounds[1:-1]:
        readings += [[v for v in raw if v.start < pos], [v for v in flat if v.start < pos]]
    unique: list[list[Span]] = []
    for reading in readings:
        if len(reading) >= 2 and reading not in unique:
            unique.append(reading)
    return unique


def _inline_groups(rep: _Report) -> list[_Group]:
    """``总数…，其中A…、B…`` / ``按…分：A…，B…`` / ``具体为：…`` / ``分项看：…`` inside a paragraph."""
    text = rep.text
    openers = [m for m in _INLINE_OPENER.finditer(text) if _cells(text, *rep.line(m.start())) is None]
    extents = _opener_extents(rep, openers)
    groups: list[_Group] = []
    closed: list[tuple[int, set[str]]] = []  # (end, part ids) of earlier lists: not totals of later ones
    for i, (m, (start, end)) in enumerate(zip(openers, extents)):
        if not text[start:end].strip():
            continue  # 其中： at the end of a line: a numbered list follows, see _item_groups
        inside = [v for v in rep.values_in(start, end) if _depth(text, start, v.start) == 0]
        eligible = [v for v in inside if _amount(v) and not _is_standard(rep, v)]
        # the first part stands in the first clause, or the 其中 is about something else
        # (资助参保支出3,215.60万元，其中特困人员按400元/人·年全额资助…；门诊和住院救助支出…)
        if not eligible or eligible[0].start >= _clause_end(text, start, end):
            continue
        role = eligible[0].role
        raw = [v for v in eligible if v.role == role]
        if any(v.approx for v in raw):
            continue
        nested = [
            (other.start(), _clause_end(text, other_start, end))
            for (other_start, _), other in zip(extents[i + 1 :], openers[i + 1 :])
            if other.start() < end and _depth(text, start, other.start()) == 0
        ]
        flat = [v for v in raw if not any(a <= v.start < b for a, b in nested)]
        line_start = rep.line(m.start())[0]
        done = set().union(*(ids for e, ids in closed if e <= m.start()))
        before = [
            v
            for v in reversed(rep.values_in(line_start, m.start(), "MONEY"))
            if _amount(v) and v.id not in done and not v.approx and not _is_standard(rep, v)
        ]
        closed.append((end, {v.id for v in raw}))
        groups.append(
            _Group(
                "inline",
                m.start(),
                totals=[v for v in before if v.role == role],
                readings=_clause_readings(text, start, end, flat, raw),
                members=[v for v in inside if v.label == "MONEY" and not v.per and v.value],
                anchor=before[0] if before else None,
            )
        )
    return groups


def _paren_groups(rep: _Report) -> list[_Group]:
    """``基本支出2,381.05万元（人员经费2,047.36万元，公用经费333.69 万元）``: the bracket lists the parts."""
    text = rep.text
    groups = []
    for total in rep.values:
        if not _amount(total) or total.approx:
            continue
        pos = total.end
        while pos < len(text) and pos - total.end < 2 and text[pos] not in _OPEN:
            pos += 1
        if pos >= len(text) or text[pos] not in _OPEN:
            continue
        depth, end = 0, pos
        while end < len(text) and text[end] != "\n":
            depth += text[end] in _OPEN
            depth -= text[end] in _CLOSE
            end += 1
            if depth == 0:
                break
        inside = [v for v in rep.values_in(pos + 1, end) if _depth(text, pos + 1, v.start) == 0]
        parts = [v for v in inside if _amount(v) and v.role == total.role and not _is_standard(rep, v)]
        if len(parts) >= 2 and not any(v.approx for v in parts):
            groups.append(_Group("paren", pos, [total], [parts], members=parts, anchor=total))
    return groups


def _item_groups(rep: _Report) -> list[_Group]:
    """A lead-in line with a total (``…合计2,171.39万元，分项目情况如下：``) and numbered items under it.

    Each item contributes one of its amounts of the total's role, or the sum of them for an item
    that covers two budget lines; the list is consistent when some choice adds up. A lead-in
    that says 主要 (主要项目如下) lists only the main items and is not checked.
    """
    text = rep.text
    groups = []
    for i, line_start in enumerate(rep.line_starts):
        line_end = rep.line(line_start)[1]
        line = text[line_start:line_end]
        if not _LEAD_IN_END.search(line) or _cells(text, line_start, line_end) is not None:
            continue
        if "主要" in line[line.rfind("，") + 1 :]:
            continue
        lead = [v for v in rep.values_in(line_start, line_end, "MONEY") if _amount(v) and not _is_standard(rep, v)]
        if not lead or lead[-1].approx:
            continue
        total = lead[-1]
        items: list[tuple[int, int]] = []
        for start in rep.line_starts[i + 1 :]:
            end = rep.line(start)[1]
            body = text[start:end]
            if _HEADING.match(body[:12]) or _cells(text, start, end) is not None:
                break
            if _ITEM.match(body):
                items.append((start, end))
            elif items:
                items[-1] = (items[-1][0], end)  # a wrapped line or a page number belongs to its item
            elif body.strip():
                break
        choices: list[list[list[Span]]] = []
        for a, b in items:
            own = [
                v
                for v in rep.values_in(a, b, "MONEY")
                if _amount(v) and v.role == total.role and not _is_standard(rep, v) and not v.approx
            ]
            if not own:  # an item without an amount: the list cannot be checked
                choices = []
                break
            choices.append([[v] for v in own] + ([own] if len(own) > 1 else []))
        if len(choices) < 2:
            continue
        readings = [
            [v for option in combo for v in option]
            for combo in itertools.islice(itertools.product(*choices), MAX_READINGS)
        ]
        members = [options[0][0] for options in choices]
        groups.append(_Group("items", line_start, [total], readings, members=members, anchor=total))
    return groups


@dataclass
class _Row:
    start: int
    end: int
    label: str  # the text of the cells before the first amount
    money: dict[int, Span]  # column -> MONEY span (not an indicator's value)


def _table_blocks(rep: _Report) -> list[list[_Row]]:
    """Runs of consecutive table rows, each with its MONEY cells by column."""
    text = rep.text
    blocks: list[list[_Row]] = []
    current: list[_Row] = []
    for start in rep.line_starts:
        end = rep.line(start)[1]
        cells = _cells(text, start, end)
        if cells is None:
            if current:
                blocks.append(current)
                current = []
            continue
        money: dict[int, Span] = {}
        first = len(cells)
        # space-separated rows drop empty cells on the left: their columns count from the right
        shift = -len(cells) if _spaced(text, start, end) else 0
        for v in rep.values_in(start, end, "MONEY"):
            idx = _cell_index(cells, v.start)
            if idx is not None and not rep.indicators.get(v.id):
                money[idx + shift] = v
                first = min(first, idx)
        label = "".join(text[a:b] for a, b in cells[:first]).strip()
        current.append(_Row(start, end, label, money))
    if current:
        blocks.append(current)
    return blocks


def _part_sets(block: list[_Row], r: int) -> list[list[_Row]]:
    """The sets of part rows of the total row ``block[r]``.

    Below a 年度资金总额 row: the rows that follow, a new set at each 按…分 row (按收入性质分 /
    按支出性质分) and at a 其中 row after a filled set. Above a 合计 row: the rows back to the header.
    """
    below = block[r + 1 :]
    if below and (below[0].money or _TABLE_GROUP.search(below[0].label)):
        sets: list[list[_Row]] = []
        current: list[_Row] = []
        after_marker = False
        for row in below:
            marker = bool(_TABLE_GROUP.search(row.label))
            if not row.money and not marker:
                break
            if (marker or ("其中" in row.label and not after_marker)) and current:
                sets.append(current)
                current = []
            after_marker = marker and not row.money
            if row.money:
                current.append(row)
        return [*sets, current] if current else sets
    above: list[_Row] = []
    for row in reversed(block[:r]):
        if not row.money:
            break
        above.insert(0, row)
    return [above]


def _table_groups(rep: _Report) -> list[_Group]:
    """Budget blocks of tables, column by column: a total row against each set of its part rows."""
    groups = []
    for block in _table_blocks(rep):
        for r, row in enumerate(block):
            if not row.money or not _TABLE_TOTAL.search(row.label):
                continue
            for rows in _part_sets(block, r):
                if any("小计" in p.label for p in rows):
                    continue  # subtotals among the rows: which rows add up to what is not plain
                for col, total in row.money.items():
                    parts = [p.money[col] for p in rows if col in p.money]
                    if len(parts) < 2 or not _amount(total) or total.approx:
                        continue
                    if all(_amount(p) and p.role == total.role and not p.approx for p in parts):
                        groups.append(
                            _Group("table", total.start, [total], [parts], members=[total, *parts], anchor=total)
                        )
    return groups


def _groups(rep: _Report) -> list[_Group]:
    groups = _inline_groups(rep) + _paren_groups(rep) + _item_groups(rep) + _table_groups(rep)
    return sorted(groups, key=lambda g: g.where)


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


# ---------------------------------------------------------------- rate


def _rate_named(rep: _Report, span: Span) -> bool:
    """A PERCENT linked to 执行率/支付率/拨付率/控制率, or standing in a table column headed 执行率."""
    names = [rep.surface(i) for i in rep.indicators.get(span.id, [])]
    if names:
        return any(_RATE_NAME.search(n) for n in names)
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
    if _cells(text, line_start, line_end) is not None:
        near = [v for v in rep.values_in(line_start, line_end, "MONEY") if _amount(v)]
        before = near
        sentence_targets: list[Span] = []
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


# ---------------------------------------------------------------- score


def _number(cell: str) -> float | None:
    return float(cell) if _NUMERIC_CELL.match(cell) else None


def _row_scores(texts: list[str], columns: tuple[int, int, int] | None, spaced: bool) -> tuple[float, float] | None:
    """(分值, 得分) of a table row, read under the header's columns."""
    if columns is None:
        return None
    points_col, score_col, width = columns
    # left-aligned, then right-aligned (rows whose merged cells were dropped);
    # space-separated rows only right-aligned
    for shift in (len(texts) - width,) if spaced else (0, len(texts) - width):
        i, j = points_col + shift, score_col + shift
        if 0 <= i < len(texts) and 0 <= j < len(texts):
            a, b = _number(texts[i]), _number(texts[j])
            if a is not None and b is not None:
                return a, b
    if spaced:  # the last two adjacent bare numbers, with only words after them
        for i in range(len(texts) - 2, -1, -1):
            a, b = _number(texts[i]), _number(texts[i + 1])
            if a is not None and b is not None:
                return (a, b) if not any(_NUMBER_TOKEN.match(t) for t in texts[i + 2 :]) else None
    return None


def _table_scores(rep: _Report) -> list[Check]:
    """Self-evaluation tables: each row's 得分 against its 分值, and the rows against the 总分 row."""
    text = rep.text
    found: list[Check] = []
    columns: tuple[int, int, int] | None = None  # (分值 column, 得分 column, header width)
    rows: list[tuple[float, float]] = []
    for start in rep.line_starts:
        end = rep.line(start)[1]
        cells = _cells(text, start, end)
        if cells is None:
            if _HEADING.match(text[start : start + 12]):
                columns, rows = None, []
            continue
        # a cell holding a MONEY or PERCENT span is a value, never a 分值 or 得分
        texts = ["" if rep.values_in(a, b) else text[a:b].strip() for a, b in cells]
        has_numbers = any(_number(t) is not None or t.endswith("%") for t in texts)
        if not has_numbers and not rep.values_in(start, end) and sum(1 for t in texts if t) >= 3:
            has_both = "分值" in texts and "得分" in texts
            columns = (texts.index("分值"), texts.index("得分"), len(texts)) if has_both else None
            continue
        first = next((t for t in texts if t), "")
        if _TOTAL_ROW.fullmatch(first):
            numbers = [n for n in (_number(t) for t in texts) if n is not None]
            if len(numbers) >= 2 and rows:
                points, score = numbers[-2], numbers[-1]
                sum_points, sum_scores = sum(r[0] for r in rows), sum(r[1] for r in rows)
                wrong = []
                if abs(sum_scores - score) > SCORE_TOLERANCE:
                    wrong.append(f"各行得分合计{_points(sum_scores)}分，与总分行得分{_points(score)}分不符")
                if abs(sum_points - points) > SCORE_TOLERANCE:
                    wrong.append(f"各行分值合计{_points(sum_points)}分，与总分行分值{_points(points)}分不符")
                if wrong:
                    where = f"（{len(rows)}行，总分行在字符{start}–{end}）"
                    found.append(Check("score", [], "自评表" + "；".join(wrong) + where))
            rows = []
            continue
        pair = _row_scores(texts, columns, _spaced(text, start, end))
        if pair is None:
            continue
        points, score = pair
        if score > points + 1e-9:
            label = "".join(t for t in texts if t and _number(t) is None)[:30]
            found.append(
                Check(
                    "score",
                    _indicator_ids(rep, start, end),
                    f"自评表“{label}”一行得分{_points(score)}分高于分值{_points(points)}分（字符{start}–{end}）",
                )
            )
        rows.append(pair)
    return found


def _prose_scores(rep: _Report) -> list[Check]:
    """Numbered items ``N. 指标（10分）：……得9分``, and the stated total they should add up to.

    The total is compared only when every item states its score, their 分值 add up to 100 and
    the report states one total (自评得分…分).
    """
    text = rep.text
    found: list[Check] = []
    items: list[tuple[float, float | None, int, int]] = []
    complete = True
    starts = [s for s in rep.line_starts if _PROSE_ITEM.match(text[s : rep.line(s)[1]])]
    for n, start in enumerate(starts):
        m = _PROSE_ITEM.match(text[start : rep.line(start)[1]])
        assert m is not None
        end = starts[n + 1] if n + 1 < len(starts) else rep.line(start)[1]
        for s in rep.line_starts:  # the item runs to the next item or heading
            if start < s < end and (_HEADING.match(text[s : s + 12]) or _ITEM.match(text[s : s + 6])):
                end = s
                break
        if m.group(2):  # （各10分）: several indicators share one heading
            complete = False
            continue
        points = float(m.group(3))
        scores = list(_ITEM_SCORE.finditer(text, start + m.end(), end))
        score = float(scores[-1].group(1)) if scores else None
        if score is None:
            complete = False
        elif score > points + 1e-9:
            found.append(
                Check(
                    "score",
                    _indicator_ids(rep, start + m.start(1), start + m.end(1)),
                    f"“{m.group(1).strip()}”得分{_points(score)}分高于分值{_points(points)}分（字符{start}–{end}）",
                )
            )
        items.append((points, score, start, end))
    stated = {float(m.group(1)) for m in _STATED_TOTAL.finditer(text)}
    if items and complete and len(stated) == 1 and abs(sum(i[0] for i in items) - 100) < 1e-6:
        total = stated.pop()
        got = sum(i[1] or 0.0 for i in items)
        if abs(got - total) > SCORE_TOLERANCE:
            found.append(
                Check(
                    "score",
                    [],
                    f"各项指标得分合计{_points(got)}分（{len(items)}项，字符{items[0][2]}–{items[-1][3]}），"
                    f"与自评得分{_points(total)}分不符",
                )
            )
    return found


def _score_checks(rep: _Report) -> list[Check]:
    """A 得分 above its 分值, or scores that do not add up to the stated total (tables and prose)."""
    return _table_scores(rep) + _prose_scores(rep)


# ---------------------------------------------------------------- unmet


def _name(rep: _Report, span: Span) -> str:
    name = re.sub(r"[\s“”\"‘’'《》]", "", rep.surface(span))
    return _SCOPE_WORDS.sub("", name)


def _higher_is_better(name: str) -> bool | None:
    """The direction of an indicator, from its name (None: cannot tell)."""
    if _AMBIGUOUS_DIRECTION.search(name):
        return None
    if _REDUCTION.search(name):
        return True
    if _NEGATED.search(name):
        return False
    if _GOOD_HEAD.search(name):
        return True
    return not _LOWER_BETTER.search(name)


def _meets(target: Span, actual: Span, name: str) -> bool | None:
    """Whether the actual meets the target (None when it cannot be judged)."""
    t = float(target.value)
    cmp = target.cmp or "="
    higher = _higher_is_better(name)
    if (higher is True and cmp in ("<", "<=")) or (higher is False and cmp in (">", ">=")):
        return None  # a bound against the indicator's direction is a condition (对执行率低于80%的项目…)
    if cmp == "=":
        if target.label == "MONEY":
            return None  # a standard or a budget: spending less is not a miss
        if t == 0:
            higher = False
        if higher is None:
            return None
        cmp = ">=" if higher else "<="
    # the actual as the range it states: 85%以上 is anything from 85% up
    lo = float("-inf") if actual.cmp in ("<=", "<") else float(actual.value)
    hi = float("inf") if actual.cmp in (">=", ">") else float(actual.value)
    eps = 1e-9 * max(1.0, abs(t))
    if cmp == ">=":
        return hi >= t - eps
    if cmp == ">":
        return hi > t + eps
    if cmp == "<=":
        return lo <= t + eps
    return lo < t - eps  # "<"


def _compatible(a: str, b: str) -> int:
    """2 for the same name, 1 when one is the short form of the other (执行率, 预算执行率), else 0."""
    if a == b:
        return 2
    short, long = sorted((a, b), key=len)
    return 1 if len(short) >= 3 and long.endswith(short) else 0


def _item_bounds(rep: _Report, pos: int) -> tuple[int, int] | None:
    """The numbered prose item (``8. 预算执行率（10分）：…``) that contains pos."""
    text = rep.text
    start = None
    for s in reversed([s for s in rep.line_starts if s <= pos]):
        if _HEADING.match(text[s : s + 12]):
            return None
        if _ITEM.match(text[s : s + 6]):
            start = s
            break
    if start is None:
        return None
    later = [s for s in rep.line_starts if s > start and (_HEADING.match(text[s : s + 12]) or _ITEM.match(text[s : s + 6]))]
    return start, later[0] if later else len(text)


def _future(rep: _Report, span: Span) -> bool:
    """A value stated as a later aim (力争…, 确保…, 下一步…), not as this report's target."""
    start, _ = rep.sentence(span.start)
    return bool(_FUTURE.search(rep.text[start : span.start]))


def _pair_edges(rep: _Report) -> list[tuple[int, int, Span, Span, str]]:
    """Candidate (strength, distance, target, actual, indicator name) pairs.

    4: both link to the same INDICATOR span (a table row). 3/2: linked to mentions of the same
    name / one the short form of the other (执行率 of 预算执行率), in the same section, or for the
    same project where the target's sentence states the miss (执行率未达到95%的目标). 2: a change
    against the target of its split name (亿元GDP事故死亡率下降24% against 亿元GDP事故死亡率
    下降比例≥5%). 1: the one PERCENT target and the one PERCENT actual of a numbered item headed
    by an indicator (``1. 监管执法完成率（10分）：…≥99%…执行计划任务完成率100%``).
    Values of different projects never pair.
    """
    edges = []
    targets = [v for v in rep.values if v.role == "target"]
    for actual in rep.values:
        if actual.role not in ("actual", "change") or actual.approx:
            continue
        a_inds = rep.indicators.get(actual.id, [])
        a_ids = {i.id for i in a_inds}
        a_proj = rep.projects.get(actual.id, set())
        count = len(edges)
        for target in targets:
            if target.label != actual.label or (target.per or None) != (actual.per or None):
                continue
            t_proj = rep.projects.get(target.id, set())
            if a_proj and t_proj and not a_proj & t_proj:
                continue
            t_inds = rep.indicators.get(target.id, [])
            same_section = rep.section(target.start) == rep.section(actual.start)
            strength, name = 0, ""
            if actual.role == "change":
                for ti in t_inds:
                    for ai in a_inds:
                        tn, an = _name(rep, ti), _name(rep, ai)
                        if same_section and tn != an and tn.startswith(an) and _REDUCTION.search(tn[len(an) :]):
                            strength, name = 2, tn
            elif a_ids & {i.id for i in t_inds}:
                strength, name = 4, _name(rep, next(i for i in t_inds if i.id in a_ids))
            elif _future(rep, target):
                continue
            elif same_section or (a_proj & t_proj and _MISS_WORDS.search(rep.text[slice(*rep.sentence(target.start))])):
                for ti in t_inds:
                    for ai in a_inds:
                        c = _compatible(_name(rep, ti), _name(rep, ai))
                        if c and c + 1 > strength:
                            strength, name = c + 1, max(_name(rep, ti), _name(rep, ai), key=len)
            if strength:
                edges.append((strength, abs(target.start - actual.start), target, actual, name))
        if len(edges) == count and actual.label == "PERCENT" and actual.role == "actual":
            bounds = _item_bounds(rep, actual.start)
            if bounds is None:
                continue
            inside = rep.values_in(*bounds, "PERCENT")
            ts = [v for v in inside if v.role == "target" and rep.indicators.get(v.id)]
            acts = [v for v in inside if v.role == "actual" and rep.indicators.get(v.id)]
            bracket = rep.text.find("（", bounds[0], bounds[1])
            headed = bracket > 0 and _indicator_ids(rep, bounds[0], bracket)
            if headed and len(ts) == 1 and acts == [actual]:
                edges.append((1, abs(ts[0].start - actual.start), ts[0], actual, _name(rep, rep.indicators[ts[0].id][0])))
    return edges


def _unmet_checks(rep: _Report) -> list[Check]:
    """An indicator whose actual value misses its target, comparator respected.

    Targets and actuals pair one to one, strongest and nearest first, so that a target already
    met in its own table row is not compared with another row's value. The same miss told twice
    (table row and prose) is one finding naming the spans of both.
    """
    used: set[str] = set()
    found: dict[tuple[str, float, float], Check] = {}
    for _, _, target, actual, name in sorted(_pair_edges(rep), key=lambda e: (-e[0], e[1])):
        if target.id in used or actual.id in used:
            continue
        used |= {target.id, actual.id}
        if _meets(target, actual, name) is not False:
            continue
        key = (name, round(float(target.value), 9), round(float(actual.value), 9))
        ind_ids = [i.id for i in rep.indicators.get(actual.id, []) + rep.indicators.get(target.id, [])]
        if key in found:
            found[key].spans = list(dict.fromkeys([*found[key].spans, target.id, actual.id, *ind_ids]))
            continue
        rule = ""
        if (target.cmp or "=") == "=":
            lower = _higher_is_better(name) is False or float(target.value) == 0
            rule = f"（目标未写比较符，按{'越低越好' if lower else '越高越好'}判断）"
        projects = sorted(rep.projects.get(actual.id, set()) | rep.projects.get(target.id, set()))
        where = f"（{'、'.join(projects)}）" if projects else ""
        found[key] = Check(
            "unmet",
            list(dict.fromkeys([target.id, actual.id, *ind_ids])),
            f"{name or '指标'}{where}实际完成值{rep.surface(actual)}未达到目标值"
            f"{_CMP_SIGN.get(target.cmp or '=', '')}{rep.surface(target)}{rule}",
        )
    return list(found.values())


# ---------------------------------------------------------------- all together


def check_sum(doc: Document) -> list[Check]:
    """``sum``: parts listed under a total (其中…, 按…分…, numbered items, table rows) that do not add up."""
    rep = _report(doc)
    return _sum_checks(rep, _groups(rep))


def check_rate(doc: Document) -> list[Check]:
    """``rate``: a 执行率/支付率/拨付率/控制率 that differs from actual ÷ target of its amounts."""
    return _rate_checks(_report(doc))


def check_score(doc: Document) -> list[Check]:
    """``score``: a 得分 above its 分值, or scores that do not add up to the stated total."""
    return _score_checks(_report(doc))


def check_unit(doc: Document) -> list[Check]:
    """``unit``: an amount a power of ten thousand away from the amounts it is listed with."""
    rep = _report(doc)
    return _unit_checks(rep, _groups(rep))


def check_unmet(doc: Document) -> list[Check]:
    """``unmet``: an indicator whose actual value misses its target, comparator respected."""
    return _unmet_checks(_report(doc))


def check_document(doc: Document) -> list[Check]:
    """Every finding on one report, by kind: sum, rate, score, unit, unmet."""
    rep = _report(doc)
    groups = _groups(rep)
    return (
        _sum_checks(rep, groups) + _rate_checks(rep) + _score_checks(rep) + _unit_checks(rep, groups) + _unmet_checks(rep)
    )


def checks_json(doc: Document) -> list[dict[str, Any]]:
    """The ``checks`` list of SCHEMA.md §1 for one document."""
    return [c.to_json() for c in check_document(doc)]


def main(argv: list[str]) -> int:
    """``python -m pipeline.checks FILE.jsonl…``: every finding, then the counts per kind."""
    counts: Counter[str] = Counter()
    for path in argv:
        for doc in read_jsonl(path):
            for check in check_document(doc):
                counts[check.kind] += 1
                print(f"{doc.id}\t{check.kind}\t{','.join(check.spans)}\t{check.message}")
    print("\t".join(f"{kind}={counts[kind]}" for kind in KINDS))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
