"""The analyst's workbook (--xlsx): four sheets, Chinese or English headers, typed numbers, text that
is never a formula; and the rule for 预算数/执行数/执行率 (pipeline.summary)."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook
from test_api import report_doc

from pipeline.document import Document, Relation, Span, validate
from pipeline.summary import budget_figures
from pipeline.workbook import write_workbook

W = 10_000


def money(text: str, surface: str, role: str, after: int = 0, **extra) -> Span:
    start = text.index(surface, after)
    value = float(surface.replace("万元", "").replace(",", "")) * W
    return Span("", start, start + len(surface), "MONEY", role=role, value=value, unit="CNY", cmp="=",
                approx=False, **extra)


def numbered(doc: Document) -> Document:
    for n, span in enumerate(doc.spans, 1):
        old, span.id = span.id, f"T{n}"
        for rel in doc.relations:
            rel.head = span.id if rel.head == old and old else rel.head
            rel.tail = span.id if rel.tail == old and old else rel.tail
    assert validate(doc) == [], validate(doc)
    return doc


def test_four_sheets_with_chinese_headers_and_formats(tmp_path):
    path = tmp_path / "book.xlsx"
    counts = write_workbook([report_doc()], path)
    assert counts == {"summary": 1, "values": 5, "checks": 2, "indicators": 2}
    book = load_workbook(path)
    assert book.sheetnames == ["汇总", "数值", "核对提示", "指标"]
    summary = book["汇总"]
    head = [c.value for c in summary[1]]
    assert head[:11] == ["报告", "单位", "年度", "类型", "预算数", "执行数", "执行率", "指标数", "未达标指标", "核对提示", "自评得分"]
    row = {h: c for h, c in zip(head, summary[2])}
    assert row["单位"].value == "某县应急管理局" and row["年度"].value == 2023 and row["类型"].value == "部门整体支出"
    assert row["预算数"].value == 1000.0 and row["预算数"].number_format == '#,##0.00"万元"'
    assert row["执行率"].value == pytest.approx(0.9) and row["执行率"].number_format == "0.00%"
    assert (row["指标数"].value, row["未达标指标"].value, row["核对提示"].value, row["自评得分"].value) == (2, 1, 2, 92.5)
    values = book["数值"]
    head = [c.value for c in values[1]]
    first = {h: c for h, c in zip(head, values[2])}
    assert first["金额（万元）"].value == 1000.0 and first["金额（元）"].value == 10_000_000
    assert first["角色"].value == "目标" and first["金额（万元）"].number_format == "#,##0.00"
    ratio = {h: c for h, c in zip(head, values[4])}
    assert ratio["比率"].value == 0.95 and ratio["比率"].number_format == "0.00%" and ratio["金额（元）"].value is None
    checks = book["核对提示"]
    rows = [[c.value for c in r] for r in checks.iter_rows(min_row=2)]
    assert {r[1] for r in rows} == {"比率不符", "指标未达标"} and all(r[4] for r in rows)  # each with its sentence
    indicators = [[c.value for c in r] for r in book["指标"].iter_rows(min_row=2)]
    assert ["公众满意度", "≥90%", "88%", "未达标"] in [r[2:6] for r in indicators]
    assert summary.freeze_panes == "A2" and summary.auto_filter.ref


def test_english_headers(tmp_path):
    path = tmp_path / "book.xlsx"
    write_workbook([report_doc()], path, lang="en")
    book = load_workbook(path)
    assert book.sheetnames == ["summary", "values", "checks", "indicators"]
    head = [c.value for c in book["summary"][1]]
    assert head[:7] == ["report", "department", "fiscal year", "kind", "budget (10k yuan)", "spending (10k yuan)",
                        "execution rate"]
    assert {c.value for c in book["checks"]["B"][1:]} == {"rate", "unmet"}


def test_formula_like_text_stays_text(tmp_path):
    doc = report_doc()
    doc.id = "=HYPERLINK(\"x\")"
    path = tmp_path / "book.xlsx"
    write_workbook([doc], path)
    book = load_workbook(path)
    for sheet in book:
        cell = sheet["A2"]
        assert cell.value == '=HYPERLINK("x")' and cell.data_type == "s"


def test_budget_from_document_level_amounts():
    text = "年初预算数2030.06万元，调整预算数为4140.58万元，预算执行数为3362.15万元，执行率81%。"
    doc = numbered(Document("d", text, {}, [money(text, "2030.06万元", "target"), money(text, "4140.58万元", "target"),
                                             money(text, "3362.15万元", "actual")], []))
    figures = budget_figures(doc)
    assert (figures.budget, figures.spent, figures.basis) == (4140.58 * W, 3362.15 * W, "document")
    assert figures.rate == pytest.approx(3362.15 / 4140.58)


def test_budget_added_up_in_its_sentence_and_income_is_no_spending():
    text = "年初预算1685.91万元，年中追加预算1585.62万元，年末决算收入3282.14万元，决算支出3265.52万元。"
    doc = numbered(Document("d", text, {}, [money(text, "1685.91万元", "target"), money(text, "1585.62万元", "target"),
                                             money(text, "3282.14万元", "actual"), money(text, "3265.52万元", "actual")], []))
    figures = budget_figures(doc)
    assert figures.budget == pytest.approx((1685.91 + 1585.62) * W) and figures.spent == 3265.52 * W


def test_budget_summed_over_projects_with_a_budget_of_their_own():
    text = "甲项目预算100.00万元，支出90.00万元；乙项目预算50.00万元，支出50.00万元；其中丙补贴支出20.00万元。"
    spans = [Span("", text.index("甲项目"), text.index("甲项目") + 3, "PROJECT"),
             money(text, "100.00万元", "target"), money(text, "90.00万元", "actual"),
             Span("", text.index("乙项目"), text.index("乙项目") + 3, "PROJECT"),
             money(text, "50.00万元", "target"), money(text, "50.00万元", "actual", after=text.index("支出50")),
             Span("", text.index("丙补贴"), text.index("丙补贴") + 3, "PROJECT"), money(text, "20.00万元", "actual")]
    for n, span in enumerate(spans, 1):
        span.id = f"T{n}"
    links = [("T2", "T1"), ("T3", "T1"), ("T5", "T4"), ("T6", "T4"), ("T8", "T7")]
    doc = Document("d", text, {}, spans, [Relation(h, t, "project") for h, t in links])
    assert validate(doc) == []
    figures = budget_figures(doc)
    assert (figures.budget, figures.spent, figures.basis, figures.projects) == (150 * W, 140 * W, "projects", 2)


def test_budget_from_the_table_total_row():
    text = ("项目资金（万元）\t年初预算数\t全年预算数\t全年执行数\n"
            "年度资金总额\t216.00\t236.50\t228.74\n其中：财政拨款\t216.00\t216.00\t208.24\n")
    spans, cursor = [], 0
    for surface, role in (("216.00", "target"), ("236.50", "target"), ("228.74", "actual"), ("216.00", "target"),
                          ("216.00", "target"), ("208.24", "actual")):
        start = text.index(surface, cursor)
        cursor = start + len(surface)
        spans.append(Span("", start, cursor, "MONEY", role=role, value=float(surface) * W, unit="CNY", cmp="=",
                          approx=False))
    figures = budget_figures(numbered(Document("d", text, {}, spans, [])))
    assert (figures.budget, figures.spent, figures.basis) == (236.5 * W, 228.74 * W, "table")


def test_scopes_that_differ_give_no_rate():
    text = "财政安排项目资金2738.65万元。全年总支出32805.18万元。"
    doc = numbered(Document("d", text, {}, [money(text, "2738.65万元", "target"), money(text, "32805.18万元", "actual")], []))
    figures = budget_figures(doc)
    assert figures.budget and figures.spent and figures.rate is None and not figures.comparable


def test_extract_cli_takes_lang():
    from pipeline.cli.extract import build_parser
    from pipeline.extract import Options

    args = build_parser().parse_args(["r.txt", "-o", "o.jsonl", "--xlsx", "b.xlsx", "--lang", "en"])
    assert Options(**vars(args)).lang == "en"
    assert build_parser().parse_args(["r.txt", "-o", "o.jsonl"]).lang == "zh"
