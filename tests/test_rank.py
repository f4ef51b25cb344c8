"""Tests of pipeline.rank on hand-made predictions whose uncertainty is known."""

from __future__ import annotations

import pytest

from pipeline.document import Document, Relation, Span, write_jsonl
from pipeline.rank import ORPHAN_WEIGHT, item_uncertainty, main, rank_documents

TEXT = "项目预算12.5万元。\n\n预算执行率达98.6%。\n"


def prediction(doc_id: str, money: float | None, pct: float | None, rel: float | None, linked: bool = True) -> Document:
    """Two values and an indicator; ``None`` leaves that item unscored."""
    m, p, i = TEXT.index("12.5万元"), TEXT.index("98.6%"), TEXT.index("预算执行率")
    spans = [
        Span("T1", m, m + 6, "MONEY", role="target", value=125000.0, unit="CNY", cmp="=", approx=False, score=money),
        Span("T2", i, i + 5, "INDICATOR", score=pct),
        Span("T3", p, p + 5, "PERCENT", role="actual", value=0.986, unit="ratio", cmp="=", approx=False, score=pct),
    ]
    relations = [Relation("T3", "T2", "indicator", score=rel)] if linked else []
    return Document(id=doc_id, text=TEXT, spans=spans, relations=relations)


def test_item_uncertainty():
    assert item_uncertainty(0.5) == 1.0
    assert item_uncertainty(1.0) == item_uncertainty(0.0) == 0.0
    assert item_uncertainty(0.9) == pytest.approx(0.2)


def test_most_uncertain_document_comes_first():
    docs = [
        prediction("sure", 0.99, 0.98, 0.97),
        prediction("unsure", 0.55, 0.45, 0.5),
        prediction("middling", 0.8, 0.3, 0.9),
    ]
    rows = rank_documents(docs)
    assert [r["doc_id"] for r in rows] == ["unsure", "middling", "sure"]
    top = rows[0]
    expected = (0.9 + 0.9 + 0.9 + 1.0) / 4 + ORPHAN_WEIGHT * 1 / 2  # T1 has no relation: 1 orphan of 2 values
    assert top["uncertainty"] == pytest.approx(expected)
    assert (top["scored"], top["unscored"], top["values"], top["orphans"]) == (4, 0, 2, 1)


def test_values_without_relations_break_ties_and_unscored_items_are_reported():
    docs = [
        prediction("linked", 0.9, 0.9, 0.9),
        prediction("orphaned", 0.9, 0.9, None, linked=False),
        prediction("no-scores", None, None, None),
    ]
    rows = rank_documents(docs)
    assert [r["doc_id"] for r in rows] == ["orphaned", "linked", "no-scores"]
    assert rows[-1]["uncertainty"] is None and rows[-1]["unscored"] == 4
    assert rows[1]["unscored"] == 0


def test_paragraphs_are_ranked_on_their_own_items():
    doc = prediction("d", 0.99, 0.5, 0.5)
    rows = rank_documents([doc], by="paragraph")
    # two non-blank lines carry items; the percentage line is the uncertain one
    assert [(r["paragraph"], r["preview"]) for r in rows] == [(2, "预算执行率达98.6%。"), (1, "项目预算12.5万元。")]
    assert rows[0]["uncertainty"] == pytest.approx(1.0)
    with pytest.raises(ValueError):
        rank_documents([doc], by="sentence")


def test_cli_prints_the_table(tmp_path, capsys):
    path = tmp_path / "pred.jsonl"
    write_jsonl([prediction("sure", 0.99, 0.98, 0.97), prediction("unsure", 0.55, 0.45, 0.5)], path)
    assert main([str(path), "--top", "1"]) == 0
    out = capsys.readouterr().out
    table = out.split("\n\n")[0].splitlines()
    assert len(table) == 2 and table[1].split()[:2] == ["1", "0.975"] and "unsure" in table[1].split()
    assert "1 of 2 document(s) shown" in out
    assert main([str(path), "--by", "paragraph"]) == 0
    assert "para" in capsys.readouterr().out
