"""Tests of pipeline.evaluate: hand-computed figures on small documents, plus a cross-check
against seqeval (strict) and nervaluate (ent_type) on randomly generated documents."""

from __future__ import annotations

import json
import random
import warnings

import pytest
from nervaluate import Evaluator
from seqeval.metrics import classification_report
from seqeval.scheme import IOB2

from pipeline.document import LABELS, Document, Relation, Span
from pipeline.evaluate import EvaluationError, error_listing, group_errors, load_pair, markdown_report, score

approx = pytest.approx


def sp(text: str, surface: str, label: str, sid: str, nth: int = 0, **attrs) -> Span:
    """A span on the nth occurrence of ``surface`` (offsets looked up, so the tests stay readable)."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(surface, start + 1)
    return Span(id=sid, start=start, end=start + len(surface), label=label, **attrs)


def doc(doc_id: str, text: str, spans=(), relations=()) -> Document:
    return Document(id=doc_id, text=text, spans=list(spans), relations=list(relations))


def m(tp, fp, fn, p, r, f1) -> dict:
    return {"tp": tp, "fp": fp, "fn": fn, "precision": p, "recall": r, "f1": f1}


def check(got: dict, want: dict) -> None:
    for key, val in want.items():
        assert got[key] == (val if val is None or isinstance(val, int) else approx(val)), key


# --------------------------------------------------------------------------- spans

T1 = "预算执行率为98.5%，项目资金390.88万元，公众满意度95%。"


def span_docs() -> tuple[list[Document], list[Document]]:
    gold = doc(
        "d1",
        T1,
        [
            sp(T1, "预算执行率", "INDICATOR", "g1"),
            sp(T1, "98.5%", "PERCENT", "g2", role="actual", value=0.985),
            sp(T1, "390.88万元", "MONEY", "g3", role="target", value=3908800.0),
            sp(T1, "公众满意度", "INDICATOR", "g4"),
            sp(T1, "95%", "PERCENT", "g5", role="actual", value=0.95),
        ],
    )
    pred = doc(
        "d1",
        T1,
        [
            sp(T1, "预算执行率", "INDICATOR", "p1"),  # exact
            sp(T1, "98.5%", "PERCENT", "p2", role="actual", value=0.985),  # exact
            sp(T1, "390.88万", "MONEY", "p3", role="target", value=3908800.0),  # boundary error
            sp(T1, "公众", "INDICATOR", "p4"),  # two predictions over
            sp(T1, "满意度", "INDICATOR", "p5"),  # one gold span
            sp(T1, "项目资金", "PROJECT", "p6"),  # spurious; no gold PROJECT
            # 95% missed
        ],
    )
    return [gold], [pred]


def test_spans_strict_hand_computed():
    res = score(*span_docs(), n_boot=50)
    st = res["spans"]["strict"]
    check(st["INDICATOR"], m(1, 2, 1, 1 / 3, 1 / 2, 2 / 5))
    check(st["PERCENT"], m(1, 0, 1, 1.0, 0.5, 2 / 3))
    check(st["MONEY"], m(0, 1, 1, 0.0, 0.0, 0.0))
    # predictions but no gold: recall undefined, precision and F1 are 0
    check(st["PROJECT"], m(0, 1, 0, 0.0, None, 0.0))
    check(st["micro"], m(2, 4, 3, 1 / 3, 2 / 5, 4 / 11))
    # every label has a score: mean of four F1s; recall is left out for PROJECT (None)
    assert st["macro"]["f1"] == approx((2 / 5 + 2 / 3 + 0 + 0) / 4)
    assert st["macro"]["precision"] == approx((1 / 3 + 1 + 0 + 0) / 4)
    assert st["macro"]["recall"] == approx((1 / 2 + 1 / 2 + 0) / 3)
    assert st["macro"]["labels"] == ["MONEY", "PERCENT", "INDICATOR", "PROJECT"]


def test_spans_partial_hand_computed():
    res = score(*span_docs(), n_boot=50)
    pa = res["spans"]["partial"]
    # 公众 and 满意度 both overlap 公众满意度: one match, one false positive
    check(pa["INDICATOR"], m(2, 1, 0, 2 / 3, 1.0, 4 / 5))
    check(pa["PERCENT"], m(1, 0, 1, 1.0, 0.5, 2 / 3))
    # the boundary error counts in partial but not in strict
    check(pa["MONEY"], m(1, 0, 0, 1.0, 1.0, 1.0))
    check(pa["PROJECT"], m(0, 1, 0, 0.0, None, 0.0))
    check(pa["micro"], m(4, 2, 1, 2 / 3, 4 / 5, 8 / 11))
    assert pa["macro"]["f1"] == approx((4 / 5 + 2 / 3 + 1 + 0) / 4)


def test_macro_leaves_out_empty_label():
    text = "资金390万元，执行率高。"
    gold = doc(
        "a",
        text,
        [sp(text, "390万元", "MONEY", "g1", role="target", value=3.9e6), sp(text, "执行率", "INDICATOR", "g2")],
    )
    pred = doc("a", text, [sp(text, "390万元", "MONEY", "p1", role="target", value=3.9e6)])
    st = score([gold], [pred], n_boot=10)["spans"]["strict"]
    check(st["MONEY"], m(1, 0, 0, 1.0, 1.0, 1.0))
    check(st["INDICATOR"], m(0, 0, 1, None, 0.0, 0.0))  # gold but no prediction
    check(st["PERCENT"], m(0, 0, 0, None, None, None))  # neither: no score
    check(st["PROJECT"], m(0, 0, 0, None, None, None))
    assert st["macro"]["labels"] == ["MONEY", "INDICATOR"]
    assert st["macro"]["f1"] == approx(0.5)
    assert st["macro"]["precision"] == approx(1.0)
    assert st["macro"]["recall"] == approx(0.5)


def test_partial_takes_the_closest_gold_like_nervaluate():
    # P1 overlaps both gold spans; it is closer to G2, so G1 stays free and P2 (over G2 only) is a FP.
    text = "ABCDEFGHIJKLMNOP"
    gold = doc("a", text, [Span("g1", 0, 5, "INDICATOR"), Span("g2", 6, 10, "INDICATOR")])
    pred = doc("a", text, [Span("p1", 3, 8, "INDICATOR"), Span("p2", 9, 12, "INDICATOR")])
    check(score([gold], [pred], n_boot=0)["spans"]["partial"]["INDICATOR"], m(1, 1, 1, 0.5, 0.5, 0.5))


# --------------------------------------------------------------------------- normalisation

T2 = "年初预算390.88万元，实际支出约300万元，总投资2.3亿元，执行率不低于95%，增长10%。"


def test_normalisation_value_and_role():
    gold = doc(
        "n",
        T2,
        [
            sp(T2, "390.88万元", "MONEY", "g1", role="target", value=3908800.0, cmp="=", approx=False),
            sp(T2, "300万元", "MONEY", "g2", role="actual", value=3000000.0, approx=True),
            sp(T2, "2.3亿元", "MONEY", "g3", role="target", value=230000000.0),
            sp(T2, "95%", "PERCENT", "g4", role="target", value=0.95, cmp=">="),
            sp(T2, "10%", "PERCENT", "g5", role="change", value=0.1),
        ],
    )
    pred = doc(
        "n",
        T2,
        [
            # off by 1 yuan: within 1e-6 × 3908800 ≈ 3.9; missing cmp/approx mean "=" / false → correct
            sp(T2, "390.88万元", "MONEY", "p1", role="target", value=3908801.0),
            # approx missing (false) but gold says true → value wrong, role right
            sp(T2, "300万元", "MONEY", "p2", role="actual", value=3000000.0),
            # off by 500 yuan: beyond 1e-6 × 2.3e8 = 230 → value wrong, role right
            sp(T2, "2.3亿元", "MONEY", "p3", role="target", value=230000500.0),
            # value right, role wrong
            sp(T2, "95%", "PERCENT", "p4", role="actual", value=0.95, cmp=">="),
            # boundary error: not matched strictly, so not in the normalisation figures
            sp(T2, "长10%", "PERCENT", "p5", role="change", value=0.1),
        ],
    )
    norm = score([gold], [pred], n_boot=10)["normalisation"]
    assert (norm["n"], norm["value_correct"], norm["role_correct"]) == (4, 2, 3)
    assert norm["value_accuracy"] == approx(0.5)
    assert norm["role_accuracy"] == approx(0.75)
    money, percent = norm["by_label"]["MONEY"], norm["by_label"]["PERCENT"]
    assert (money["n"], money["value_accuracy"], money["role_accuracy"]) == (3, approx(1 / 3), approx(1.0))
    assert (percent["n"], percent["value_accuracy"], percent["role_accuracy"]) == (1, approx(1.0), approx(0.0))


# --------------------------------------------------------------------------- relations

T3 = "预算执行率：执行率98%。资金拨付率100%，预算执行率95%。蓝天救援队工作经费20万元。"


def relation_doc1() -> tuple[Document, Document]:
    spans = [
        sp(T3, "预算执行率", "INDICATOR", "i1"),
        sp(T3, "执行率", "INDICATOR", "i2", nth=1),
        sp(T3, "98%", "PERCENT", "v1", role="actual", value=0.98),
        sp(T3, "资金拨付率", "INDICATOR", "i3"),
        sp(T3, "100%", "PERCENT", "v2", role="actual", value=1.0),
        sp(T3, "预算执行率", "INDICATOR", "i4", nth=1),
        sp(T3, "95%", "PERCENT", "v3", role="actual", value=0.95),
        sp(T3, "蓝天救援队工作经费", "PROJECT", "j1"),
        sp(T3, "20万元", "MONEY", "v4", role="target", value=200000.0),
    ]
    gold = doc(
        "r1",
        T3,
        spans,
        [
            Relation("v1", "i2", "indicator"),
            Relation("v2", "i3", "indicator"),
            Relation("v3", "i4", "indicator"),
            Relation("v4", "j1", "project"),
        ],
    )
    pred = doc(
        "r1",
        T3,
        [Span(**{**s.__dict__}) for s in spans],
        [
            Relation("v1", "i2", "indicator"),  # right
            Relation("v2", "i4", "indicator"),  # wrong indicator
            Relation("v3", "i1", "indicator"),  # the other mention of 预算执行率: lenient yes, strict no
            Relation("v4", "j1", "project"),  # right
        ],
    )
    return gold, pred


T4 = "蓝天救援队 工作经费：20万元，追加5万元。\n蓝天救援队工作经费执行完毕。"


def relation_doc2() -> tuple[Document, Document]:
    gold = doc(
        "r2",
        T4,
        [
            sp(T4, "蓝天救援队 工作经费", "PROJECT", "j1"),
            sp(T4, "20万元", "MONEY", "v1", role="target", value=200000.0),
            sp(T4, "5万元", "MONEY", "v2", role="target", value=50000.0),
            sp(T4, "蓝天救援队工作经费", "PROJECT", "j2"),
        ],
        [Relation("v1", "j1", "project"), Relation("v2", "j1", "project")],
    )
    pred = doc(
        "r2",
        T4,
        [
            sp(T4, "蓝天救援队 工作经费", "PROJECT", "j1"),
            sp(T4, "20万元", "MONEY", "v1", role="target", value=200000.0),
            sp(T4, "加5万元", "MONEY", "v2", role="target", value=50000.0),  # head boundary wrong
            sp(T4, "蓝天救援队工作经费", "PROJECT", "j2"),
        ],
        [
            Relation("v1", "j2", "project"),  # same name once white space is removed: lenient only
            Relation("v2", "j1", "project"),  # right tail, but the head is not a gold span
        ],
    )
    return gold, pred


def test_relations_lenient_vs_strict():
    gold, pred = relation_doc1()
    rel = score([gold], [pred], n_boot=10)["relations"]["end_to_end"]
    check(rel["lenient"]["indicator"], m(2, 1, 1, 2 / 3, 2 / 3, 2 / 3))
    check(rel["strict"]["indicator"], m(1, 2, 2, 1 / 3, 1 / 3, 1 / 3))
    check(rel["lenient"]["project"], m(1, 0, 0, 1.0, 1.0, 1.0))
    check(rel["strict"]["project"], m(1, 0, 0, 1.0, 1.0, 1.0))
    check(rel["lenient"]["micro"], m(3, 1, 1, 0.75, 0.75, 0.75))
    check(rel["strict"]["micro"], m(2, 2, 2, 0.5, 0.5, 0.5))


def test_relations_white_space_and_head_boundary():
    gold, pred = relation_doc2()
    res = score([gold], [pred], n_boot=10)
    rel = res["relations"]["end_to_end"]
    check(rel["lenient"]["project"], m(1, 1, 1, 0.5, 0.5, 0.5))
    check(rel["strict"]["project"], m(0, 2, 2, 0.0, 0.0, 0.0))
    check(rel["lenient"]["indicator"], m(0, 0, 0, None, None, None))  # no relation of that type anywhere
    assert res["relations"]["given_gold_spans"] is None


def test_relations_given_gold_spans():
    gold, pred = relation_doc1()
    gold2, _ = relation_doc2()
    # linker on gold spans: doc r1 as predicted above, doc r2 perfect
    linked2 = doc("r2", T4, gold2.spans, gold2.relations)
    res = score([gold, gold2], [pred, linked2], n_boot=20, given_gold_spans=[pred, linked2])
    gg = res["relations"]["given_gold_spans"]
    check(gg["lenient"]["micro"], m(5, 1, 1, 5 / 6, 5 / 6, 5 / 6))
    check(gg["strict"]["micro"], m(4, 2, 2, 4 / 6, 4 / 6, 4 / 6))
    assert res["per_document"]["r2"]["given_gold_strict_f1"] == approx(1.0)
    assert res["ci"]["given_gold_strict"] is not None
    _, bad = relation_doc2()  # carries a span that is not gold
    with pytest.raises(EvaluationError, match="gold spans"):
        score([gold, gold2], [pred, linked2], n_boot=0, given_gold_spans=[pred, bad])


# --------------------------------------------------------------------------- per document, CI, empty cases


def test_per_document_figures():
    g1, p1 = relation_doc1()
    g2, p2 = relation_doc2()
    res = score([g1, g2], [p1, p2], n_boot=10)
    d1, d2 = res["per_document"]["r1"], res["per_document"]["r2"]
    assert list(res["per_document"]) == ["r1", "r2"]
    assert d1["spans_strict_f1"] == approx(1.0)
    assert d1["relations_lenient_f1"] == approx(0.75)
    assert d1["relations_strict_f1"] == approx(0.5)
    assert d1["value_accuracy"] == approx(1.0) and d1["n_value_matched"] == 4
    # r2: 3 of 4 spans right, 加5万元 vs 5万元 wrong: tp 3, fp 1, fn 1
    assert d2["spans_strict_f1"] == approx(6 / 8)
    assert d2["spans_partial_f1"] == approx(1.0)
    assert d2["relations_lenient_f1"] == approx(0.5)
    assert d2["relations_strict_f1"] == approx(0.0)
    assert (d2["n_gold_spans"], d2["n_pred_spans"], d2["n_gold_relations"], d2["n_pred_relations"]) == (4, 4, 2, 2)
    assert d2["given_gold_lenient_f1"] is None
    # pooled micro over both documents: lenient tp 3+1, fp 1+1, fn 1+1
    assert res["relations"]["end_to_end"]["lenient"]["micro"]["f1"] == approx(8 / 12)


def ci_docs() -> tuple[list[Document], list[Document]]:
    golds, preds = [], []
    for k in range(8):
        text = "预算执行率98%，资金拨付率100%，满意度95%。"
        g = doc(
            f"c{k}",
            text,
            [
                sp(text, "预算执行率", "INDICATOR", "a"),
                sp(text, "98%", "PERCENT", "b", role="actual", value=0.98),
                sp(text, "资金拨付率", "INDICATOR", "c"),
                sp(text, "100%", "PERCENT", "d", role="actual", value=1.0),
            ],
            [Relation("b", "a", "indicator"), Relation("d", "c", "indicator")],
        )
        keep = g.spans[: 1 + k % 4]  # documents of varied quality
        extra = [sp(text, "满意度", "INDICATOR", "e")] if k % 3 == 0 else []
        ids = {s.id for s in keep}
        p = doc(g.id, text, [*keep, *extra], [r for r in g.relations if r.head in ids and r.tail in ids])
        golds.append(g)
        preds.append(p)
    return golds, preds


def test_bootstrap_ci_deterministic_and_contains_point():
    gold, pred = ci_docs()
    a = score(gold, pred, n_boot=500, seed=7)
    b = score(gold, pred, n_boot=500, seed=7)
    assert a["ci"] == b["ci"]
    assert json.loads(json.dumps(a)) == a  # JSON-serialisable, nothing numpy-typed left
    point = {
        "spans_strict": a["spans"]["strict"]["micro"]["f1"],
        "spans_partial": a["spans"]["partial"]["micro"]["f1"],
        "relations_lenient": a["relations"]["end_to_end"]["lenient"]["micro"]["f1"],
        "relations_strict": a["relations"]["end_to_end"]["strict"]["micro"]["f1"],
    }
    for key, f1 in point.items():
        ci = a["ci"][key]
        assert ci["low"] <= f1 <= ci["high"], key
        assert ci["low"] < ci["high"], key  # the documents differ, so the interval is not a point
    assert a["ci"]["given_gold_lenient"] is None
    # strict span F1 by hand: tp 1+2+3+4 twice = 20, fn 3+2+1+0 twice = 12, fp 3 (k = 0, 3, 6)
    assert point["spans_strict"] == approx(40 / (40 + 3 + 12))
    assert score(gold, pred, n_boot=500, seed=8)["ci"] != a["ci"]


def test_no_gold():
    text = "资金390万元。"
    pred = doc("a", text, [sp(text, "390万元", "MONEY", "p", role="target", value=3.9e6)])
    res = score([doc("a", text)], [pred], n_boot=20)
    check(res["spans"]["strict"]["MONEY"], m(0, 1, 0, 0.0, None, 0.0))
    check(res["spans"]["strict"]["micro"], m(0, 1, 0, 0.0, None, 0.0))
    check(res["spans"]["partial"]["micro"], m(0, 1, 0, 0.0, None, 0.0))
    assert res["spans"]["strict"]["macro"] == {"precision": 0.0, "recall": None, "f1": 0.0, "labels": ["MONEY"]}
    check(res["relations"]["end_to_end"]["lenient"]["micro"], m(0, 0, 0, None, None, None))
    assert res["normalisation"]["value_accuracy"] is None and res["normalisation"]["n"] == 0
    assert res["ci"]["spans_strict"] == {"low": 0.0, "high": 0.0}
    assert res["ci"]["relations_lenient"] is None
    assert res["per_document"]["a"]["relations_strict_f1"] is None


def test_no_predictions():
    text = "资金390万元。"
    gold = doc("a", text, [sp(text, "390万元", "MONEY", "g", role="target", value=3.9e6)])
    res = score([gold], [doc("a", text)], n_boot=20)
    check(res["spans"]["strict"]["MONEY"], m(0, 0, 1, None, 0.0, 0.0))
    check(res["spans"]["strict"]["micro"], m(0, 0, 1, None, 0.0, 0.0))
    assert res["spans"]["strict"]["macro"] == {"precision": None, "recall": 0.0, "f1": 0.0, "labels": ["MONEY"]}
    assert res["per_document"]["a"]["spans_strict_f1"] == 0.0


def test_both_empty():
    for gold, pred in (([doc("a", "无数字。")], [doc("a", "无数字。")]), ([], [])):
        res = score(gold, pred, n_boot=20)
        for label in (*LABELS, "micro"):
            check(res["spans"]["strict"][label], m(0, 0, 0, None, None, None))
            check(res["spans"]["partial"][label], m(0, 0, 0, None, None, None))
        assert res["spans"]["strict"]["macro"] == {"precision": None, "recall": None, "f1": None, "labels": []}
        assert all(v is None for k, v in res["ci"].items() if not k.endswith("_by_label"))
        assert all(v is None for k, by in res["ci"].items() if k.endswith("_by_label") for v in by.values())
        assert res["normalisation"]["role_accuracy"] is None
        assert res["n_documents"] == len(gold)
        markdown_report(res, error_listing(gold, pred))  # renders without a figure to show


# --------------------------------------------------------------------------- mismatches


def test_mismatch_missing_document():
    with pytest.raises(EvaluationError, match=r"'b'.*'c'") as err:
        score([doc("a", "x"), doc("b", "y")], [doc("a", "x"), doc("c", "z")])
    assert "in gold but not in prediction: 'b'" in str(err.value)
    assert "in prediction but not in gold: 'c'" in str(err.value)


def test_mismatch_different_text():
    with pytest.raises(EvaluationError, match=r"'a'.*offset 3"):
        score([doc("a", "预算执行率")], [doc("a", "预算执r率")])
    with pytest.raises(EvaluationError, match=r"offset 2"):  # one text a prefix of the other
        score([doc("a", "预算")], [doc("a", "预算执行")])


def test_mismatch_span_outside_text():
    pred = doc("a", "资金5万元", [Span("T9", 3, 12, "MONEY", role="target", value=5e4)])
    with pytest.raises(EvaluationError, match=r"'a'.*'T9'.*outside"):
        score([doc("a", "资金5万元")], [pred])


def test_load_pair_aligns_by_id(tmp_path):
    g1, p1 = relation_doc1()
    g2, p2 = relation_doc2()
    (tmp_path / "gold.jsonl").write_text(g1.to_line() + "\n" + g2.to_line() + "\n", encoding="utf-8")
    (tmp_path / "pred.jsonl").write_text(p2.to_line() + "\n" + p1.to_line() + "\n", encoding="utf-8")
    gold, pred = load_pair(tmp_path / "gold.jsonl", tmp_path / "pred.jsonl")
    assert [d.id for d in gold] == [d.id for d in pred] == ["r1", "r2"]
    (tmp_path / "short.jsonl").write_text(p1.to_line() + "\n", encoding="utf-8")
    with pytest.raises(EvaluationError, match="'r2'"):
        load_pair(tmp_path / "gold.jsonl", tmp_path / "short.jsonl")


# --------------------------------------------------------------------------- error listing and report


def test_error_listing():
    g1, p1 = relation_doc1()
    g2, p2 = relation_doc2()
    errors = error_listing([g1, g2], [p1, p2], context=20)
    assert [(e["doc"], e["kind"], e["label"], e["surface"]) for e in errors] == [
        ("r1", "relation_fn", "indicator", "100%"),
        ("r1", "relation_fp", "indicator", "100%"),
        ("r2", "relation_fp", "project", "加5万元"),
        ("r2", "span_fp", "MONEY", "加5万元"),
        ("r2", "relation_fn", "project", "5万元"),
        ("r2", "span_fn", "MONEY", "5万元"),
    ]
    fn1, fp1, rfp2, sfp2, rfn2, sfn2 = errors
    # a missed link whose value was predicted shows where the prediction linked it instead
    assert (fn1["gold_tail"], fn1["pred_tail"]) == ("资金拨付率", "预算执行率")
    assert (fp1["gold_tail"], fp1["pred_tail"]) == ("资金拨付率", "预算执行率")
    assert (rfp2["gold_tail"], rfp2["pred_tail"], rfp2["note"]) == (
        None,
        "蓝天救援队 工作经费",
        "value is not a gold span",
    )
    assert (rfn2["gold_tail"], rfn2["pred_tail"], rfn2["note"]) == ("蓝天救援队 工作经费", None, "value not predicted")
    assert sfp2["note"].startswith("boundary: gold MONEY '5万元'")
    assert (sfn2["start"], sfn2["end"]) == (T4.index("5万元"), T4.index("5万元") + 3)
    assert sfn2["context"] == "蓝天救援队 工作经费：20万元，追加⟦5万元⟧。⏎蓝天救援队工作经费执行完毕。"
    assert error_listing([g1], [p1], context=3)[0]["context"] == "拨付率⟦100%⟧，预算"


def test_group_errors_commonest_first():
    golds, preds = [], []
    for k, extra in enumerate(["满意度", "满意度", "满意度", "执行率"]):
        text = f"满意度高，执行率高。{k}"
        golds.append(doc(f"g{k}", text))
        preds.append(doc(f"g{k}", text, [sp(text, extra, "INDICATOR", "p")]))
    groups = group_errors(error_listing(golds, preds))
    assert [(g["kind"], g["label"], g["text"], g["count"]) for g in groups] == [
        ("span_fp", "INDICATOR", "满意度", 3),
        ("span_fp", "INDICATOR", "执行率", 1),
    ]
    assert groups[0]["docs"] == ["g0", "g1", "g2"]


def test_markdown_report():
    g1, p1 = relation_doc1()
    g2, p2 = relation_doc2()
    res = score([g1, g2], [p1, p2], n_boot=50)
    md = markdown_report(res, error_listing([g1, g2], [p1, p2]), top=2)
    for heading in (
        "## Spans",
        "## Normalisation",
        "## Relations, end to end",
        "## Per document",
        "## Commonest errors",
    ):
        assert heading in md
    # strict spans: r1 all 9 right; r2 3 right and one boundary error (加5万元 for 5万元)
    assert "| micro | 0.923 | 0.923 | 0.923 | 12/1/1 | 1.000 | 1.000 | 1.000 | 13/0/0 |" in md
    assert "top 2 of" in md
    assert "| r2 |" in md


# --------------------------------------------------------------------------- cross-check


def random_docs(n: int, seed: int) -> tuple[list[Document], list[Document]]:
    """Random flat gold spans and predictions made by perturbing them (exact, shifted, relabelled,
    dropped) plus spurious ones; predictions are kept flat so that BIO tags can represent them."""
    rng = random.Random(seed)
    golds, preds = [], []
    for d in range(n):
        length = rng.randint(20, 90)
        text = "".join(rng.choice("预算执行率资金万元项目") for _ in range(length))
        gold_spans, pos = [], 0
        while True:
            pos += rng.randint(0, 6)
            width = rng.randint(1, 8)
            if pos + width > length:
                break
            gold_spans.append(Span(f"g{len(gold_spans)}", pos, pos + width, rng.choice(LABELS)))
            pos += width
        cands = []
        for g in gold_spans:
            roll = rng.random()
            if roll < 0.5:
                cands.append((g.start, g.end, g.label))
            elif roll < 0.7:
                s = min(length - 1, max(0, g.start + rng.randint(-2, 2)))
                e = min(length, max(s + 1, g.end + rng.randint(-2, 2)))
                cands.append((s, e, g.label))
            elif roll < 0.85:
                cands.append((g.start, g.end, rng.choice([lab for lab in LABELS if lab != g.label])))
        for _ in range(rng.randint(0, 3)):
            s = rng.randrange(length)
            cands.append((s, min(length, s + rng.randint(1, 6)), rng.choice(LABELS)))
        pred_spans, last_end = [], 0
        for s, e, lab in sorted(cands):
            if s >= last_end:
                pred_spans.append(Span(f"p{len(pred_spans)}", s, e, lab))
                last_end = e
        golds.append(doc(f"rand{d}", text, gold_spans))
        preds.append(doc(f"rand{d}", text, pred_spans))
    return golds, preds


def bio(document: Document) -> list[str]:
    tags = ["O"] * len(document.text)
    for s in document.spans:
        tags[s.start] = f"B-{s.label}"
        for i in range(s.start + 1, s.end):
            tags[i] = f"I-{s.label}"
    return tags


def test_cross_check_with_seqeval_and_nervaluate():
    gold, pred = random_docs(50, seed=1234)
    res = score(gold, pred, n_boot=0)
    strict, partial = res["spans"]["strict"], res["spans"]["partial"]
    assert strict["micro"]["tp"] > 50 and strict["micro"]["fp"] > 20 and partial["micro"]["tp"] > strict["micro"]["tp"]

    # seqeval, strict IOB2 mode, character-level tags
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = classification_report(
            [bio(d) for d in gold],
            [bio(d) for d in pred],
            mode="strict",
            scheme=IOB2,
            output_dict=True,
            zero_division=0,
        )
    for label in (*LABELS, "micro"):
        ours = strict[label]
        theirs = report["micro avg" if label == "micro" else label]
        assert theirs["support"] == ours["tp"] + ours["fn"], label
        assert theirs["precision"] == approx(ours["precision"] or 0.0), label
        assert theirs["recall"] == approx(ours["recall"] or 0.0), label
        assert theirs["f1-score"] == approx(ours["f1"] or 0.0), label

    # nervaluate ent_type, per label (its entities have inclusive ends); micro = summed label counts
    def ents(docs):
        return [
            [{"label": s.label, "start": s.start, "end": s.end - 1} for s in sorted(d.spans, key=lambda s: s.start)]
            for d in docs
        ]

    results = Evaluator(ents(gold), ents(pred), tags=list(LABELS), loader="dict").evaluate()["entities"]
    total = [0, 0, 0]
    for label in LABELS:
        r = results[label]["ent_type"]
        assert r.partial == 0 and r.incorrect == 0  # one label at a time: only correct/spurious/missed
        assert (partial[label]["tp"], partial[label]["fp"], partial[label]["fn"]) == (r.correct, r.spurious, r.missed)
        assert partial[label]["precision"] == approx(r.precision)
        assert partial[label]["recall"] == approx(r.recall)
        assert partial[label]["f1"] == approx(r.f1)
        total = [total[0] + r.correct, total[1] + r.spurious, total[2] + r.missed]
    assert [partial["micro"][k] for k in ("tp", "fp", "fn")] == total
