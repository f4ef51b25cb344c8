"""Consistency checks (SCHEMA.md §1 ``checks``): each kind trips on an invented report and stays
silent on its consistent twin; the issue's combined report is flagged once per finding."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.checks import (
    KINDS,
    RATE_SLACK,
    Check,
    check_document,
    checks_json,
)
from pipeline.document import Document, Relation, Span, read_jsonl, validate

ROOT = Path(__file__).resolve().parent.parent
UNIT_OF = {"MONEY": "CNY", "PERCENT": "ratio"}


def doc_of(text: str, spans: list[tuple], links: list[tuple[str, str]] = ()) -> Document:
    """A document as the extractor would give it.

    ``spans`` lists (id, surface, label[, role, value[, cmp[, extra]]]) in text order; each surface
    is looked up after the previous span. ``links`` are (value id, tail id); the relation type
    follows the tail's label.
    """
    out: list[Span] = []
    cursor = 0
    for spec in spans:
        sid, surface, label, *rest = spec
        start = text.index(surface, cursor)
        end = start + len(surface)
        cursor = end
        span = Span(sid, start, end, label)
        if label in UNIT_OF:
            role, value = rest[0], rest[1]
            cmp = rest[2] if len(rest) > 2 else "="
            extra = rest[3] if len(rest) > 3 else {}
            span = Span(sid, start, end, label, role=role, value=float(value), unit=UNIT_OF[label], cmp=cmp,
                        approx=extra.get("approx", False), per=extra.get("per"))
        out.append(span)
    by_id = {s.id: s for s in out}
    relations = [Relation(h, t, "indicator" if by_id[t].label == "INDICATOR" else "project") for h, t in links]
    doc = Document("test", text, {}, out, relations)
    assert validate(doc) == []
    return doc


def kinds(doc: Document) -> list[str]:
    return sorted(c.kind for c in check_document(doc))


def only(doc: Document, kind: str) -> Check:
    found = check_document(doc)
    assert [c.kind for c in found] == [kind], [c.to_json() for c in found]
    return found[0]


W = 10_000  # yuan per 万元


# ---------------------------------------------------------------- sum


def sum_report(last_part: str) -> Document:
    text = (
        f"2023年调整预算数1000.00万元，其中：人员经费300.00万元，公用经费450.00万元，"
        f"项目支出{last_part}万元。"
    )
    return doc_of(
        text,
        [
            ("T1", "1000.00万元", "MONEY", "target", 1000 * W),
            ("T2", "300.00万元", "MONEY", "target", 300 * W),
            ("T3", "450.00万元", "MONEY", "target", 450 * W),
            ("T4", f"{last_part}万元", "MONEY", "target", float(last_part) * W),
        ],
    )


def test_sum_parts_that_do_not_add_up():
    check = only(sum_report("220.00"), "sum")
    assert check.spans == ["T1", "T2", "T3", "T4"]
    assert "970.00万元" in check.message and "1000.00万元" in check.message and "30.00万元" in check.message


def test_sum_consistent_twin():
    assert check_document(sum_report("250.00")) == []


@pytest.mark.parametrize(
    ("last_part", "flagged"),
    [
        ("249.99", False),  # 0.01万元 off: rounding of four figures shown to 0.01万元
        ("249.97", False),  # 0.03万元 = 0.01万元 × 3 parts: the floor of the tolerance
        ("249.96", True),  # 0.04万元: beyond
        ("250.05", True),
    ],
)
def test_sum_tolerance_is_rounding_of_the_shown_figures(last_part, flagged):
    assert (kinds(sum_report(last_part)) == ["sum"]) is flagged


def test_sum_tolerance_follows_the_precision_shown():
    # 1.27亿元 is shown to 0.01亿元: parts within ±0.005亿元 (50万元) agree with it
    text = "合计安排资金1.27亿元，其中：中央资金8,000万元、省级资金4,690万元。"
    spans = [("T1", "1.27亿元", "MONEY", "target", 1.27e8), ("T2", "8,000万元", "MONEY", "target", 8000 * W),
             ("T3", "4,690万元", "MONEY", "target", 4690 * W)]
    assert check_document(doc_of(text, spans)) == []
    text_off = text.replace("4,690", "4,760")
    spans_off = [*spans[:2], ("T3", "4,760万元", "MONEY", "target", 4760 * W)]
    assert kinds(doc_of(text_off, spans_off)) == ["sum"]


def test_sum_partial_lists_are_not_findings():
    # 其中 names only the main items: more than 10% short, or 其余 after the parts
    short = "全年支出238.78万元。其中飞机防治作业费72.5万元；疫木除治支出102万元。"
    spans = [("T1", "238.78万元", "MONEY", "actual", 238.78 * W), ("T2", "72.5万元", "MONEY", "actual", 72.5 * W),
             ("T3", "102万元", "MONEY", "actual", 102 * W)]
    assert check_document(doc_of(short, spans)) == []
    rest = "预算106.25万元，其中差旅42万元；咨询12万元；培训50万元；其余为办公耗材。"
    spans = [("T1", "106.25万元", "MONEY", "target", 106.25 * W), ("T2", "42万元", "MONEY", "target", 42 * W),
             ("T3", "12万元", "MONEY", "target", 12 * W), ("T4", "50万元", "MONEY", "target", 50 * W)]
    assert check_document(doc_of(rest, spans)) == []


def test_sum_parts_above_their_total_are_always_a_finding():
    text = "预算268.00万元，其中中央资金150.00万元、县级配套130.00万元。"
    spans = [("T1", "268.00万元", "MONEY", "target", 268 * W), ("T2", "150.00万元", "MONEY", "target", 150 * W),
             ("T3", "130.00万元", "MONEY", "target", 130 * W)]
    assert "多于总数" in only(doc_of(text, spans), "sum").message


def test_sum_same_role_only_and_nested_lists():
    # the actual and the balance are not parts of the budget; 基本支出's own 其中 is nested
    text = (
        "决算数4,086.15万元，比上年增加312.48万元。按支出性质划分：基本支出2,731.08万元，"
        "其中人员经费2,398.56万元、公用经费332.52万元；项目支出1,355.07万元。年末结转结余124.22万元。"
    )
    spans = [
        ("T1", "4,086.15万元", "MONEY", "actual", 4086.15 * W),
        ("T2", "312.48万元", "MONEY", "change", 312.48 * W),
        ("T3", "2,731.08万元", "MONEY", "actual", 2731.08 * W),
        ("T4", "2,398.56万元", "MONEY", "actual", 2398.56 * W),
        ("T5", "332.52万元", "MONEY", "actual", 332.52 * W),
        ("T6", "1,355.07万元", "MONEY", "actual", 1355.07 * W),
        ("T7", "124.22万元", "MONEY", "other", 124.22 * W),
    ]
    assert check_document(doc_of(text, spans)) == []
    broken = text.replace("332.52", "352.52")
    spans[4] = ("T5", "352.52万元", "MONEY", "actual", 352.52 * W)
    check = only(doc_of(broken, spans), "sum")
    assert check.spans == ["T3", "T4", "T5"]  # the nested list, not the outer one


def test_sum_numbered_list_under_a_lead_in():
    text = (
        "本年度共实施项目3个，调整后项目预算合计700.00万元，分项目情况如下：\n"
        "1.执法经费。年初安排100.00万元，追加20.00万元，调整后120.00万元，全年支出118.00万元。\n"
        "2.防汛资金。调整后预算300.00万元，其中上级补助180万元。\n"
        "3.救援经费。预算280.00万元，支出270.00万元。\n"
    )
    spans = [
        ("T1", "700.00万元", "MONEY", "target", 700 * W),
        ("T2", "100.00万元", "MONEY", "target", 100 * W),
        ("T3", "20.00万元", "MONEY", "target", 20 * W),
        ("T4", "120.00万元", "MONEY", "target", 120 * W),
        ("T5", "118.00万元", "MONEY", "actual", 118 * W),
        ("T6", "300.00万元", "MONEY", "target", 300 * W),
        ("T7", "180万元", "MONEY", "target", 180 * W),
        ("T8", "280.00万元", "MONEY", "target", 280 * W),
        ("T9", "270.00万元", "MONEY", "actual", 270 * W),
    ]
    assert check_document(doc_of(text, spans)) == []  # 120 + 300 + 280
    short = text.replace("280.00万元，支出", "290.00万元，支出")
    spans[7] = ("T8", "290.00万元", "MONEY", "target", 290 * W)
    assert kinds(doc_of(short, spans)) == ["sum"]


def table_report(other: str) -> Document:
    text = (
        "项目资金（万元）\t年初预算数\t全年预算数\t全年执行数\t分值\t执行率\t得分\n"
        "年度资金总额\t216.00\t236.50\t228.74\t10\t96.72%\t9.7\n"
        "其中：财政拨款\t216.00\t216.00\t208.24\t—\t96.41%\t—\n"
        f"上年结转资金\t0.00\t{other}\t20.50\t—\t—\t—\n"
    )
    cells = ["216.00", "236.50", "228.74", "216.00", "216.00", "208.24", "0.00", other, "20.50"]
    roles = ["target", "target", "actual"] * 3
    spans = [(f"M{n}", cell, "MONEY", role, float(cell) * W) for n, (cell, role) in enumerate(zip(cells, roles))]
    spans.insert(3, ("P1", "96.72%", "PERCENT", "actual", 0.9672))
    spans.insert(7, ("P2", "96.41%", "PERCENT", "actual", 0.9641))
    return doc_of(text, spans)


def test_sum_table_rows_under_the_total_row():
    assert check_document(table_report("20.50")) == []
    check = only(table_report("25.50"), "sum")
    assert check.spans == ["M1", "M4", "M7"]  # 全年预算数: 216.00 + 25.50 against 236.50


# ---------------------------------------------------------------- rate


def rate_report(rate: str) -> Document:
    text = f"全年调整预算500.00万元，实际支出450.00万元，预算执行率为{rate}%。"
    return doc_of(
        text,
        [
            ("T1", "500.00万元", "MONEY", "target", 500 * W),
            ("T2", "450.00万元", "MONEY", "actual", 450 * W),
            ("T3", "预算执行率", "INDICATOR"),
            ("T4", f"{rate}%", "PERCENT", "actual", float(rate) / 100),
        ],
        [("T4", "T3")],
    )


def test_rate_that_differs_from_its_amounts():
    check = only(rate_report("95.00"), "rate")
    assert check.spans == ["T4", "T2", "T1"]
    assert "450.00万元÷500.00万元=90.00%" in check.message and "5.00个百分点" in check.message


def test_rate_consistent_twin():
    assert check_document(rate_report("90.00")) == []


@pytest.mark.parametrize(("rate", "flagged"), [("90.5", False), ("89.5", False), ("90.6", True), ("89.4", True), ("91", False), ("92", True)])
def test_rate_tolerance_is_half_a_point_beyond_rounding(rate, flagged):
    # 90.5% may stand for 90.45–90.55%: within 0.5 points of 90%; 91% for 90.5–91.5%
    assert RATE_SLACK == 0.005
    assert (kinds(rate_report(rate)) == ["rate"]) is flagged


def test_rate_budget_may_be_the_sum_of_those_stated():
    # 171.6 / (150 + 30) = 95.33%
    text = "该项目年初预算150万元，年中追加30万元，全年执行171.6万元，预算执行率95.33%。"
    spans = [("T1", "150万元", "MONEY", "target", 150 * W), ("T2", "30万元", "MONEY", "target", 30 * W),
             ("T3", "171.6万元", "MONEY", "actual", 171.6 * W), ("T4", "预算执行率", "INDICATOR"),
             ("T5", "95.33%", "PERCENT", "actual", 0.9533)]
    assert check_document(doc_of(text, spans, [("T5", "T4")])) == []


def test_rate_amounts_of_another_rate_are_not_its_own():
    text = "全年预算数402.30万元，全年执行数395.12万元，预算执行率98.22%，项目支出执行率为92.56%。"
    spans = [("T1", "402.30万元", "MONEY", "target", 402.30 * W), ("T2", "395.12万元", "MONEY", "actual", 395.12 * W),
             ("T3", "预算执行率", "INDICATOR"), ("T4", "98.22%", "PERCENT", "actual", 0.9822),
             ("T5", "项目支出执行率", "INDICATOR"), ("T6", "92.56%", "PERCENT", "actual", 0.9256)]
    assert check_document(doc_of(text, spans, [("T4", "T3"), ("T6", "T5")])) == []


def test_rate_in_a_table_row():
    assert check_document(table_report("20.50")) == []  # 228.74 / 236.50 = 96.72%, 208.24 / 216 = 96.41%
    text = "资金\t年初预算数\t全年预算数\t全年执行数\t执行率\n年度资金总额\t216.00\t236.50\t228.74\t92.72%\n"
    spans = [("M1", "216.00", "MONEY", "target", 216 * W), ("M2", "236.50", "MONEY", "target", 236.5 * W),
             ("M3", "228.74", "MONEY", "actual", 228.74 * W), ("P1", "92.72%", "PERCENT", "actual", 0.9272)]
    check = only(doc_of(text, spans), "rate")  # no link: the column header says 执行率
    assert check.spans == ["P1", "M3", "M2"]


# ---------------------------------------------------------------- score


def score_table(row_score: str, total: str) -> Document:
    text = (
        "一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t分值\t得分\n"
        "产出指标\t数量指标\t培训人数完成率\t≥95%\t97.3%\t30\t30\n"
        f"产出指标\t质量指标\t培训考核合格率\t≥90%\t95.6%\t30\t{row_score}\n"
        "满意度指标\t满意度指标\t参训人员满意度\t≥90%\t93.5%\t40\t38\n"
        f"总分\t\t\t\t\t100\t{total}\n"
    )
    spans = []
    for n, (name, target, actual) in enumerate(
        [("培训人数完成率", "95%", "97.3%"), ("培训考核合格率", "90%", "95.6%"), ("参训人员满意度", "90%", "93.5%")]
    ):
        spans += [(f"I{n}", name, "INDICATOR"), (f"T{n}", target, "PERCENT", "target", float(target[:-1]) / 100, ">="),
                  (f"A{n}", actual, "PERCENT", "actual", float(actual[:-1]) / 100)]
    links = [(f"{k}{n}", f"I{n}") for n in range(3) for k in "TA"]
    return doc_of(text, spans, links)


def test_score_above_its_points_and_rows_that_do_not_add_up():
    found = check_document(score_table("32", "100"))
    assert sorted(c.kind for c in found) == ["score"]
    assert "得分32分高于分值30分" in found[0].message and found[0].spans == ["I1"]
    found = check_document(score_table("29", "98"))
    assert [c.kind for c in found] == ["score"]
    assert "各行得分合计97分，与总分行得分98分不符" in found[0].message and found[0].spans == []


def test_score_consistent_twin():
    assert check_document(score_table("29", "97")) == []


def test_score_in_prose_items():
    def report(last: str, total: str) -> Document:
        text = (
            "1.预算执行率（50分）：年初指标设定值≥95%。预算执行率为97.50%，得50分。\n"
            f"2.家长满意度（50分）：年初指标设定值≥90%。满意度为93.8%，得{last}分。\n"
            f"综上，本部门2023年度整体支出绩效自评得分{total}分。\n"
        )
        return doc_of(text, [])

    assert check_document(report("49.5", "99.5")) == []
    found = check_document(report("49.5", "98.5"))
    assert [c.kind for c in found] == ["score"] and "合计99.5分" in found[0].message
    assert "得分52分高于分值50分" in only(report("52", "102"), "score").message


# ---------------------------------------------------------------- unit


def unit_report(slip: str, unit: str) -> Document:
    text = f"项目支出30.55万元，其中：设备购置12.50万元，维修支出{slip}{unit}，培训费8.30万元。"
    value = float(slip) * (W if unit == "万元" else 1)
    return doc_of(
        text,
        [
            ("T1", "30.55万元", "MONEY", "actual", 30.55 * W),
            ("T2", "12.50万元", "MONEY", "actual", 12.5 * W),
            ("T3", f"{slip}{unit}", "MONEY", "actual", value),
            ("T4", "8.30万元", "MONEY", "actual", 8.3 * W),
        ],
    )


def test_unit_slip_among_parts_is_a_unit_finding_not_a_sum_finding():
    check = only(unit_report("9.75", "元"), "unit")
    assert check.spans[0] == "T3" and set(check.spans) == {"T1", "T2", "T3", "T4"}
    assert "“万元”误写为“元”" in check.message


def test_unit_consistent_twin():
    assert check_document(unit_report("9.75", "万元")) == []


def test_unit_total_below_every_part():
    # 001: 倒塌房屋恢复重建、损坏房屋维修支出0.75元。其中：…补助资金0.6万元；…每间0.15万元。
    text = "损坏房屋维修支出0.75元。其中：严重损坏房屋2户4间，补助资金0.6万元；一般损坏房屋2户3间，每间0.15万元。"
    spans = [("T1", "0.75元", "MONEY", "actual", 0.75), ("T2", "0.6万元", "MONEY", "actual", 6000.0),
             ("T3", "0.15万元", "MONEY", "target", 1500.0)]
    check = only(doc_of(text, spans), "unit")
    assert check.spans[0] == "T1"
    ok = text.replace("0.75元", "0.75万元")
    spans[0] = ("T1", "0.75万元", "MONEY", "actual", 7500.0)
    assert check_document(doc_of(ok, spans)) == []


@pytest.mark.parametrize(("value", "flagged"), [("3.2", False), ("3.4", True), ("10", True), ("29", True), ("31", False)])
def test_unit_window_is_a_factor_three_around_ten_thousand(value, flagged):
    # siblings 10万元 and 10万元: x元 is flagged when x × 10⁴ lies within 10万元 ÷ 3 … × 3
    text = f"其中：A经费10.00万元，B经费{value}元，C经费10.00万元。"
    spans = [("T1", "10.00万元", "MONEY", "actual", 10 * W), ("T2", f"{value}元", "MONEY", "actual", float(value)),
             ("T3", "10.00万元", "MONEY", "actual", 10 * W)]
    assert (kinds(doc_of(text, spans)) == ["unit"]) is flagged


def test_unit_ignores_rate_standards():
    text = "其中：扑火队员值勤补助按每人每天120元发放，装备购置46.00万元，培训费38.00万元，宣传费40.00万元。"
    spans = [("T1", "120元", "MONEY", "target", 120.0), ("T2", "46.00万元", "MONEY", "actual", 46 * W),
             ("T3", "38.00万元", "MONEY", "actual", 38 * W), ("T4", "40.00万元", "MONEY", "actual", 40 * W)]
    assert check_document(doc_of(text, spans)) == []


# ---------------------------------------------------------------- unmet


def unmet_report(name: str, target: str, cmp: str, actual: str, actual_cmp: str = "=") -> Document:
    sign = {">=": "≥", "<=": "≤", "=": "=", ">": ">", "<": "<"}[cmp] if cmp != "none" else ""
    text = f"{name}年度指标值{sign}{target}，实际完成值{actual}。"
    value = {"%": 100, "‰": 1000}

    def frac(s: str) -> float:
        return float(s[:-1]) / value[s[-1]]

    return doc_of(
        text,
        [
            ("I1", name, "INDICATOR"),
            ("T1", target, "PERCENT", "target", frac(target), "=" if cmp == "none" else cmp),
            ("A1", actual, "PERCENT", "actual", frac(actual), actual_cmp),
        ],
        [("T1", "I1"), ("A1", "I1")],
    )


@pytest.mark.parametrize(
    ("name", "target", "cmp", "actual", "met"),
    [
        ("验收合格率", "95%", ">=", "98.6%", True),
        ("验收合格率", "95%", ">=", "94.9%", False),
        ("结余率", "5%", "<=", "7%", False),
        ("结余率", "5%", "<=", "5%", True),
        ("预决算公开率", "100%", "=", "99.5%", False),
        ("预决算公开率", "100%", "=", "100%", True),
        ("培训合格率", "90%", ">", "90%", False),
        # no comparator: equal-or-better, better being higher …
        ("补贴到位率", "100%", "none", "96.41%", False),
        ("新能源车辆占比", "60%", "none", "62.5%", True),
        # … or lower for what should be low
        ("受灾群众投诉率", "0.5‰", "none", "0.3‰", True),
        ("受灾群众投诉率", "0.5‰", "none", "0.8‰", False),
        ("投诉人满意度", "90%", "none", "92.4%", True),
        ("事故发生率", "0%", "none", "0.1%", False),
    ],
)
def test_unmet_comparators(name, target, cmp, actual, met):
    found = check_document(unmet_report(name, target, cmp, actual))
    assert [c.kind for c in found] == ([] if met else ["unmet"])
    if not met:
        assert found[0].spans == ["T1", "A1", "I1"] and actual in found[0].message and target in found[0].message


def test_unmet_actual_stated_as_a_bound():
    # 85%以上 may be anything above 85%: not shown to miss ≥90%; 0.1%以内 meets ≤1%
    assert check_document(unmet_report("知晓率", "90%", ">=", "85%", ">=")) == []
    assert check_document(unmet_report("投诉率", "1%", "<=", "0.1%", "<=")) == []


def test_unmet_short_form_of_the_name_in_the_same_numbered_item():
    text = "8.预算执行率（10分）：年初指标设定值为全年预算执行率≥95%。预算执行数为3362.15万元，执行率81%。"
    spans = [("I1", "预算执行率", "INDICATOR"), ("I2", "预算执行率", "INDICATOR"), ("T1", "95%", "PERCENT", "target", 0.95, ">="),
             ("I3", "执行率", "INDICATOR"), ("A1", "81%", "PERCENT", "actual", 0.81)]
    check = only(doc_of(text, spans, [("T1", "I2"), ("A1", "I3")]), "unmet")
    assert check.spans[:2] == ["T1", "A1"] and "81%" in check.message and "≥95%" in check.message


def test_unmet_next_years_aims_and_conditions_are_not_targets():
    text = "二、问题\n预算执行率为88.0%。下一步力争预算执行率达到95%以上，对执行率低于80%的项目暂停安排。"
    spans = [("I1", "预算执行率", "INDICATOR"), ("A1", "88.0%", "PERCENT", "actual", 0.88),
             ("I2", "预算执行率", "INDICATOR"), ("T1", "95%", "PERCENT", "target", 0.95, ">="),
             ("I3", "执行率", "INDICATOR"), ("T2", "80%", "PERCENT", "target", 0.80, "<")]
    assert check_document(doc_of(text, spans, [("A1", "I1"), ("T1", "I2"), ("T2", "I3")])) == []


def test_unmet_table_row_pairs_its_own_values_and_is_told_once():
    text = (
        "三级指标\t年度指标值\t实际完成值\t分值\t得分\n"
        "查档群众满意度\t≥95%\t93.2%\t10\t9.8\n"
        "二、问题\n查档群众满意度为93.2%，未达到95%的年度目标。\n"
    )
    spans = [("I1", "查档群众满意度", "INDICATOR"), ("T1", "95%", "PERCENT", "target", 0.95, ">="),
             ("A1", "93.2%", "PERCENT", "actual", 0.932), ("I2", "查档群众满意度", "INDICATOR"),
             ("A2", "93.2%", "PERCENT", "actual", 0.932), ("T2", "95%", "PERCENT", "target", 0.95)]
    check = only(doc_of(text, spans, [("T1", "I1"), ("A1", "I1"), ("A2", "I2"), ("T2", "I2")]), "unmet")
    assert set(check.spans) == {"T1", "A1", "I1", "T2", "A2", "I2"}


def test_unmet_values_of_different_projects_do_not_pair():
    text = "A项目资金执行率目标≥95%。B项目资金执行率为80%。"
    spans = [("P1", "A项目", "PROJECT"), ("I1", "资金执行率", "INDICATOR"), ("T1", "95%", "PERCENT", "target", 0.95, ">="),
             ("P2", "B项目", "PROJECT"), ("I2", "资金执行率", "INDICATOR"), ("A1", "80%", "PERCENT", "actual", 0.80)]
    links = [("T1", "I1"), ("T1", "P1"), ("A1", "I2"), ("A1", "P2")]
    assert check_document(doc_of(text, spans, links)) == []


# ---------------------------------------------------------------- the combined report


def combined_report(consistent: bool) -> Document:
    """Issue 13: a total and parts that don't add up, a 执行率 that disagrees with its amounts,
    an unmet indicator and a 元/万元 slip — or none of them."""
    parts = ("1,200.00", "2,300.00") if consistent else ("1,200.00", "2,200.00")
    rate = "90.00" if consistent else "95.00"
    actual = "91.5" if consistent else "88.0"
    slip = ("4.20万元", 4.2 * W) if consistent else ("4.20元", 4.2)
    text = (
        "某县司法局2023年度部门整体支出绩效自评报告\n"
        "一、部门预算及执行情况\n"
        f"2023年年初预算数3,500.00万元，其中基本支出{parts[0]}万元，项目支出{parts[1]}万元。\n"
        f"调整预算数4,000.00万元，决算数3,600.00万元，预算执行率为{rate}%。\n"
        f"法律援助经费支出12.60万元，其中：律师补贴5.00万元，办案补助{slip[0]}，宣传费3.40万元。\n"
        "二、绩效指标完成情况\n"
        f"1.公众满意度（10分）：年初指标设定值为公众满意度≥90%，实际满意度为{actual}%，得10分。\n"
    )
    spans = [
        ("T1", "3,500.00万元", "MONEY", "target", 3500 * W),
        ("T2", f"{parts[0]}万元", "MONEY", "target", float(parts[0].replace(",", "")) * W),
        ("T3", f"{parts[1]}万元", "MONEY", "target", float(parts[1].replace(",", "")) * W),
        ("T4", "4,000.00万元", "MONEY", "target", 4000 * W),
        ("T5", "3,600.00万元", "MONEY", "actual", 3600 * W),
        ("T6", "预算执行率", "INDICATOR"),
        ("T7", f"{rate}%", "PERCENT", "actual", float(rate) / 100),
        ("T8", "法律援助经费", "PROJECT"),
        ("T9", "12.60万元", "MONEY", "actual", 12.6 * W),
        ("T10", "5.00万元", "MONEY", "actual", 5 * W),
        ("T11", slip[0], "MONEY", "actual", slip[1]),
        ("T12", "3.40万元", "MONEY", "actual", 3.4 * W),
        ("T13", "公众满意度", "INDICATOR"),
        ("T14", "公众满意度", "INDICATOR"),
        ("T15", "90%", "PERCENT", "target", 0.90, ">="),
        ("T16", "满意度", "INDICATOR"),
        ("T17", f"{actual}%", "PERCENT", "actual", float(actual) / 100),
    ]
    links = [("T7", "T6"), ("T9", "T8"), ("T10", "T8"), ("T11", "T8"), ("T12", "T8"), ("T15", "T14"), ("T17", "T16")]
    return doc_of(text, spans, links)


def test_combined_report_flags_each_finding_once():
    found = {c.kind: c for c in check_document(combined_report(consistent=False))}
    assert sorted(c.kind for c in check_document(combined_report(consistent=False))) == ["rate", "sum", "unit", "unmet"]
    assert found["sum"].spans == ["T1", "T2", "T3"]
    assert "3400.00万元" in found["sum"].message and "100.00万元" in found["sum"].message
    assert found["rate"].spans == ["T7", "T5", "T4"]
    assert "3,600.00万元÷4,000.00万元=90.00%" in found["rate"].message
    assert found["unit"].spans[0] == "T11" and "4.20元" in found["unit"].message
    assert found["unmet"].spans[:2] == ["T15", "T17"] and "88.0%" in found["unmet"].message


def test_combined_report_consistent_twin_flags_nothing():
    assert check_document(combined_report(consistent=True)) == []


def test_checks_json_matches_the_schema_shape():
    for item in checks_json(combined_report(consistent=False)):
        assert set(item) == {"kind", "spans", "message"}
        assert item["kind"] in KINDS and item["message"] and all(isinstance(s, str) for s in item["spans"])


# ---------------------------------------------------------------- the gold corpus


def gold_docs() -> list[Document]:
    return read_jsonl(sorted((ROOT / "annotations").glob("*.jsonl")), skip_bad=True)


def test_gold_report_001_inconsistencies_are_found():
    doc = next(d for d in gold_docs() if d.id.startswith("001_"))
    found = check_document(doc)
    sums = [c for c in found if c.kind == "sum"]
    assert any("4111.05万元" in c.message and "4140.58万元" in c.message for c in sums)
    assert [c.spans[0] for c in found if c.kind == "unit"] == [
        next(s.id for s in doc.spans if doc.surface(s) == "0.75元")
    ]


def test_gold_checks_are_well_formed_and_not_duplicated():
    for doc in gold_docs():
        ids = {s.id for s in doc.spans}
        found = check_document(doc)
        keys = [(c.kind, tuple(c.spans), c.message) for c in found]
        assert len(keys) == len(set(keys)), doc.id
        for check in found:
            assert check.kind in KINDS and check.message and set(check.spans) <= ids, (doc.id, check)
            assert len(check.spans) == len(set(check.spans)), (doc.id, check)


def test_rate_against_a_budget_adjusted_later_is_not_judged():
    # the 年初 budget is below the spending: the 81% was computed against a budget not in sight
    text = "2022年年初预算数2030.06万元，预算执行数为3362.15万元，执行率81%。"
    spans = [("T1", "2030.06万元", "MONEY", "target", 2030.06 * W), ("T2", "3362.15万元", "MONEY", "actual", 3362.15 * W),
             ("T3", "执行率", "INDICATOR"), ("T4", "81%", "PERCENT", "actual", 0.81)]
    assert check_document(doc_of(text, spans, [("T4", "T3")])) == []


def test_sum_table_rows_over_a_total_row_and_subtotals():
    def table(second: str, subtotal: bool = False) -> Document:
        rows = [("农村供水保障工程", "2,860.00万元"), ("中小河流治理项目", f"{second}万元")]
        if subtotal:
            rows.append(("小计", "4,810.00万元"))
        text = "项目名称\t调整预算数\n" + "".join(f"{a}\t{b}\n" for a, b in rows) + "合计\t4,810.00万元\n"
        spans = [(f"M{n}", b, "MONEY", "target", float(b[:-2].replace(",", "")) * W) for n, (_, b) in enumerate(rows)]
        spans.append(("MT", "4,810.00万元", "MONEY", "target", 4810 * W))
        return doc_of(text, spans)

    assert check_document(table("1,950.00")) == []
    assert only(table("1,900.00"), "sum").spans == ["MT", "M0", "M1"]
    assert check_document(table("1,950.00", subtotal=True)) == []  # 小计 rows: not checked


def test_one_function_per_kind_makes_up_check_document():
    from pipeline.checks import check_rate, check_score, check_sum, check_unit, check_unmet

    doc = combined_report(consistent=False)
    by_kind = check_sum(doc) + check_rate(doc) + check_score(doc) + check_unit(doc) + check_unmet(doc)
    assert [c.to_json() for c in by_kind] == [c.to_json() for c in check_document(doc)]
    assert [c.kind for c in check_unit(doc)] == ["unit"] and [c.kind for c in check_sum(doc)] == ["sum"]
