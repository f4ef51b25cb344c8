"""Lists of parts under a total: 其中/按…分 lists in prose, bracketed parts, numbered items under a
lead-in, and the budget blocks of tables (rows of :mod:`pipeline.checks.rows`), each in every
reading the text allows. ``sum`` and ``unit`` judge them (:mod:`pipeline.checks.sums`)."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from pipeline.checks.report import (
    _CLAUSE_END,
    _CLOSE,
    _HEADING,
    _ITEM,
    _OPEN,
    MAX_READINGS,
    _amount,
    _cell_index,
    _cells,
    _depth,
    _is_standard,
    _Report,
    _spaced,
)
from pipeline.document import Span

# List openers inside a sentence: 其中 / 按…分(类) / 具体为 / 分项看. A 按 opener needs punctuation
# after it, so that 按学校偏远程度分档发放 is not read as a list.
_INLINE_OPENER = re.compile(
    r"其中[：:，,]?|按[^，。；：:\n]{1,8}?(?:分类|划分|分)(?=[：:，,])[：:，,]?|具体为[：:]?|分(?:项|用途|类别?|来源)看[：:，,]"
)
# A lead-in line whose list follows as numbered items.
_LEAD_IN_END = re.compile(r"(?:其中|如下|具体为|具体是)[：:]\s*$")
_TABLE_TOTAL = re.compile(r"年度资金总额|资金总额|合\s*计|总\s*计")
_TABLE_GROUP = re.compile(r"按.{1,6}分")

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
    openers = [m for m in _INLINE_OPENER.finditer(text)
               if _cells(text, *rep.line(m.start())) is None and not rep.in_row(m.start())]
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
        if not _LEAD_IN_END.search(line) or _cells(text, line_start, line_end) is not None or rep.in_row(line_start):
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
    label: str  # what names the row: its name cells, and a 按…分 / 其中 line standing before it
    money: dict[int, Span]  # column -> MONEY span (not an indicator's value)


def _table_blocks(rep: _Report) -> list[list[_Row]]:
    """The budget blocks of the tables, each row with its MONEY cells by column.

    A table is read as the table layer reads it (rows under one header run form a block), unless
    reading its lines one by one finds more amounts in rows (the layer left a row out: a missing
    part would make a false ``sum`` finding); lines outside every table are read one by one.
    """
    out: list[list[_Row]] = []
    for t, stretch in enumerate(rep.tables):
        blocks: dict[int, list[_Row]] = {}
        for row in rep.rows:
            if row.table == t and row.kind == "budget":
                money = {col: v for col, v in row.money.items() if not rep.indicators.get(v.id)}
                blocks.setdefault(row.block, []).append(_Row(row.start, row.end, row.lead.strip(), money))
        by_line = _line_blocks(rep, rep.lines(stretch))
        layer = list(blocks.values())
        out += by_line if _amounts(by_line) > _amounts(layer) else layer
    return out + _line_blocks(rep, rep.lines())


def _amounts(blocks: list[list[_Row]]) -> int:
    return sum(len(row.money) for block in blocks for row in block)


def _line_blocks(rep: _Report, lines: list[tuple[int, int]]) -> list[list[_Row]]:
    """Runs of consecutive table-like lines (cells split by tabs, bars or spaces), line by line."""
    text = rep.text
    blocks: list[list[_Row]] = []
    current: list[_Row] = []
    for start, end in lines:
        cells = _cells(text, start, end)
        if cells is None or (current and start > current[-1].end + 1):
            if current:
                blocks.append(current)
                current = []
            if cells is None:
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
