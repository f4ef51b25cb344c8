"""``score``: a 得分 above its 分值, or scores that do not add up to the stated total — in the
self-evaluation tables (rows as the table layer reads them) and in numbered prose items."""

from __future__ import annotations

import re

from pipeline.checks.report import (
    _HEADING,
    _ITEM,
    _NUMBER_TOKEN,
    _NUMERIC_CELL,
    SCORE_TOLERANCE,
    Check,
    _cells,
    _indicator_ids,
    _points,
    _Report,
    _spaced,
)

_PROSE_ITEM = re.compile(r"^\s*\d{1,2}\s*[.．、]\s*([^（(\n：:]{2,40}?)[（(](各)?(\d+(?:\.\d+)?)分[)）]")
_ITEM_SCORE = re.compile(r"得(?:分为?)?\s*(\d+(?:\.\d+)?)\s*分")
_STATED_TOTAL = re.compile(r"(?:自评得分|综合得分|评价得分|自评总分|总得分|综合评分)(?:为)?\s*(\d+(?:\.\d+)?)\s*分")
_TOTAL_ROW = re.compile(r"总\s*分|合\s*计|总\s*计")


def _total_message(rows: list[tuple[float, float]], points: float, score: float, where: str) -> str | None:
    """What is wrong with scored rows against their 总分 row (None when they add up)."""
    sum_points, sum_scores = sum(r[0] for r in rows), sum(r[1] for r in rows)
    wrong = []
    if abs(sum_scores - score) > SCORE_TOLERANCE:
        wrong.append(f"各行得分合计{_points(sum_scores)}分，与总分行得分{_points(score)}分不符")
    if abs(sum_points - points) > SCORE_TOLERANCE:
        wrong.append(f"各行分值合计{_points(sum_points)}分，与总分行分值{_points(points)}分不符")
    return "自评表" + "；".join(wrong) + where if wrong else None


def _above(rep: _Report, label: str, points: float, score: float, start: int, end: int) -> Check:
    return Check(
        "score",
        _indicator_ids(rep, start, end),
        f"自评表“{label}”一行得分{_points(score)}分高于分值{_points(points)}分（字符{start}–{end}）",
    )


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
    """Scored tables: each as the table layer reads it, unless reading its lines one by one finds
    more scored rows (the layer left a row out, and the rows would not add up to the 总分 row);
    then the score tables outside every table the layer read, line by line."""
    found: list[Check] = []
    for t, stretch in enumerate(rep.tables):
        layer, n_layer = _layer_scores(rep, t)
        by_line, n_lines = _line_scores(rep, rep.lines(stretch))
        found += by_line if n_lines > n_layer else layer
    return found + _line_scores(rep, rep.lines())[0]


def _layer_scores(rep: _Report, table: int) -> tuple[list[Check], int]:
    """One table as the table layer reads it: each scored row, then the rows against its 总分 row;
    with the number of scored rows.

    A 分值 or 得分 cell that holds a MONEY or PERCENT span is a value, never a score: such a row
    is left out.
    """
    found: list[Check] = []
    rows = [r for r in rep.rows if r.table == table and r.scores is not None
            and not any(rep.values_in(a, b) for a, b in r.score_cells)]
    for row in rows:
        assert row.scores is not None
        points, score = row.scores
        if score > points + 1e-9:
            found.append(_above(rep, row.label[:30], points, score, row.start, row.end))
    total = next((t for t in rep.totals if t.table == table), None)
    if total is not None and rows:
        message = _total_message([r.scores for r in rows if r.scores], total.points, total.score,
                                 f"（{len(rows)}行，总分行在字符{total.start}–{total.end}）")
        if message:
            found.append(Check("score", [], message))
    return found, len(rows)


def _line_scores(rep: _Report, lines: list[tuple[int, int]]) -> tuple[list[Check], int]:
    """Score tables read line by line (cells split by tabs, bars or spaces): each row's 得分
    against its 分值, and the rows against the 总分 row; with the number of scored rows."""
    text = rep.text
    found: list[Check] = []
    columns: tuple[int, int, int] | None = None  # (分值 column, 得分 column, header width)
    rows: list[tuple[float, float]] = []
    scored = 0
    previous_end = -1
    for start, end in lines:
        if start > previous_end + 1:  # a table the layer read lies between: it closes the one before
            columns, rows = None, []
        previous_end = end
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
                message = _total_message(rows, numbers[-2], numbers[-1], f"（{len(rows)}行，总分行在字符{start}–{end}）")
                if message:
                    found.append(Check("score", [], message))
            rows = []
            continue
        pair = _row_scores(texts, columns, _spaced(text, start, end))
        if pair is None:
            continue
        points, score = pair
        if score > points + 1e-9:
            label = "".join(t for t in texts if t and _number(t) is None)[:30]
            found.append(_above(rep, label, points, score, start, end))
        rows.append(pair)
        scored += 1
    return found, scored


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
