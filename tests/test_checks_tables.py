"""The checks read table rows through the table layer (``pipeline.tables``): the layouts it reads
(one cell per line above all) give the same findings as tab-separated rows, and a table the layer
reads only in part is read line by line instead, so that a missing row is no false finding."""

from __future__ import annotations

from pipeline.checks import check_document
from pipeline.document import Document, Relation, Span, validate
from pipeline.tables import read_tables

UNIT_OF = {"MONEY": "CNY", "PERCENT": "ratio"}
W = 10_000


def doc_of(text: str, spans: list[tuple], links: list[tuple[str, str]] = ()) -> Document:
    """(id, surface, label[, role, value[, cmp]]) in text order; links (value id, tail id)."""
    out, cursor = [], 0
    for sid, surface, label, *rest in spans:
        start = text.index(surface, cursor)
        cursor = start + len(surface)
        span = Span(sid, start, cursor, label)
        if label in UNIT_OF:
            span = Span(sid, start, cursor, label, role=rest[0], value=float(rest[1]), unit=UNIT_OF[label],
                        cmp=rest[2] if len(rest) > 2 else "=", approx=False)
        out.append(span)
    by_id = {s.id: s for s in out}
    relations = [Relation(h, t, "indicator" if by_id[t].label == "INDICATOR" else "project") for h, t in links]
    doc = Document("t", text, {}, out, relations)
    assert validate(doc) == []
    return doc


def one_cell_per_line(rows: list[list[str]]) -> str:
    """The layout of tables pasted from Word: every cell on its own line, blank lines between."""
    return "\n\n".join(cell for row in rows for cell in row) + "\n"


SCORE_ROWS = [
    ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"],
    ["产出指标", "数量指标", "培训人数完成率", "≥95%", "97.3%", "30", "30"],
    ["产出指标", "质量指标", "培训考核合格率", "≥90%", "95.6%", "30", "{row}"],
    ["满意度指标", "满意度指标", "参训人员满意度", "≥90%", "93.5%", "40", "38"],
    ["总分", "100", "{total}"],
]


def score_doc(text: str) -> Document:
    spans = []
    for n, (name, target, actual) in enumerate(
        [("培训人数完成率", "95%", "97.3%"), ("培训考核合格率", "90%", "95.6%"), ("参训人员满意度", "90%", "93.5%")]
    ):
        spans += [(f"I{n}", name, "INDICATOR"), (f"T{n}", target, "PERCENT", "target", float(target[:-1]) / 100, ">="),
                  (f"A{n}", actual, "PERCENT", "actual", float(actual[:-1]) / 100)]
    return doc_of(text, spans, [(f"{k}{n}", f"I{n}") for n in range(3) for k in "TA"])


def score_text(row: str, total: str, layout: str) -> str:
    rows = [[c.format(row=row, total=total) for c in r] for r in SCORE_ROWS]
    if layout == "cells":
        return one_cell_per_line(rows)
    return "".join("\t".join(r) + "\n" for r in rows)


def test_score_table_one_cell_per_line():
    found = check_document(score_doc(score_text("32", "100", "cells")))
    assert [c.kind for c in found] == ["score"]
    assert "得分32分高于分值30分" in found[0].message and found[0].spans == ["I1"]
    found = check_document(score_doc(score_text("29", "98", "cells")))
    assert [c.message.split("（")[0] for c in found] == ["自评表各行得分合计97分，与总分行得分98分不符"]
    assert check_document(score_doc(score_text("29", "97", "cells"))) == []


def test_both_layouts_give_the_same_findings():
    for row, total in (("32", "100"), ("29", "98"), ("29", "97")):
        tabs = [c.kind for c in check_document(score_doc(score_text(row, total, "tabs")))]
        cells = [c.kind for c in check_document(score_doc(score_text(row, total, "cells")))]
        assert tabs == cells


BUDGET_ROWS = [
    ["项目资金（万元）", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
    ["年度资金总额", "216.00", "236.50", "228.74", "10", "{rate}", "9.7"],
    ["其中：财政拨款", "216.00", "216.00", "208.24", "—", "96.41%", "—"],
    ["上年结转资金", "0.00", "{other}", "20.50", "—", "—", "—"],
]


def budget_doc(other: str = "20.50", rate: str = "96.72%") -> Document:
    text = one_cell_per_line([[c.format(other=other, rate=rate) for c in r] for r in BUDGET_ROWS])
    cells = ["216.00", "236.50", "228.74", "216.00", "216.00", "208.24", "0.00", other, "20.50"]
    roles = ["target", "target", "actual"] * 3
    spans = [(f"M{n}", cell, "MONEY", role, float(cell) * W) for n, (cell, role) in enumerate(zip(cells, roles))]
    spans.insert(3, ("P1", rate, "PERCENT", "actual", float(rate[:-1]) / 100))
    spans.insert(7, ("P2", "96.41%", "PERCENT", "actual", 0.9641))
    return doc_of(text, spans)


def test_sum_of_budget_rows_one_cell_per_line():
    assert check_document(budget_doc()) == []
    found = check_document(budget_doc(other="25.50"))
    assert [c.kind for c in found] == ["sum"] and found[0].spans == ["M1", "M4", "M7"]


def test_rate_in_a_budget_row_one_cell_per_line():
    found = check_document(budget_doc(rate="92.72%"))
    assert [c.kind for c in found] == ["rate"] and found[0].spans == ["P1", "M2", "M1"]


def test_tables_already_read_give_the_same_findings():
    doc = budget_doc(other="25.50")
    assert check_document(doc, read_tables(doc.text)) == check_document(doc)


def test_a_row_the_table_layer_leaves_out_is_no_false_finding():
    # the layer does not take 12345热线… for an indicator name (it starts with digits): reading this
    # table by its rows alone would miss 8 points and flag the 总分 row
    text = (
        "一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t分值\t得分\n"
        "产出指标\t数量指标\t网格化管理覆盖率\t100%\t100%\t50\t50\n"
        "产出指标\t质量指标\t12345热线工单按期办结率\t≥95%\t97.2%\t50\t48\n"
        "总分\t\t\t\t\t100\t98\n"
    )
    spans = [("I0", "网格化管理覆盖率", "INDICATOR"), ("T0", "100%", "PERCENT", "target", 1.0),
             ("A0", "100%", "PERCENT", "actual", 1.0), ("T1", "95%", "PERCENT", "target", 0.95, ">="),
             ("A1", "97.2%", "PERCENT", "actual", 0.972)]
    assert check_document(doc_of(text, spans)) == []
    wrong = text.replace("\t100\t98\n", "\t100\t99\n")
    assert [c.kind for c in check_document(doc_of(wrong, spans))] == ["score"]
