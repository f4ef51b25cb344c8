"""Dataset access: loading, the fixed held-out split, leave-one-report-out folds."""

from __future__ import annotations

import json

import datasets
import pytest

from pipeline.corpus import (
    HELD_OUT,
    HELD_OUT_SECTORS,
    from_row,
    load_corpus,
    load_documents,
    loo_folds,
    to_dataset_dict,
)
from pipeline.document import Document, Relation, Span, write_jsonl


@pytest.fixture(scope="module")
def docs():
    return load_documents()


def _tiny(doc_id: str, origin: str) -> Document:
    text = "预算执行率为98%，年初预算12万元。"
    return Document(
        id=doc_id,
        text=text,
        meta={"origin": origin},
        spans=[
            Span("T1", 0, 5, "INDICATOR"),
            Span("T2", 6, 9, "PERCENT", role="actual", value=0.98, unit="ratio", cmp="=", approx=False),
            Span("T3", 14, 17, "MONEY", role="target", value=120000.0, unit="CNY"),
        ],
        relations=[Relation("T2", "T1", "indicator")],
    )


def test_documents_sorted_and_valid(docs):
    assert docs, "no annotations found"
    assert [d.id for d in docs] == sorted(d.id for d in docs)
    assert len({d.id for d in docs}) == len(docs)


def test_origin_filter(docs):
    real = load_documents(origin="real")
    authored = load_documents(origin="authored")
    assert all(d.meta.get("origin") == "real" for d in real)
    assert all(d.meta.get("origin") == "authored" for d in authored)
    assert {d.id for d in real} | {d.id for d in authored} <= {d.id for d in docs}
    with pytest.raises(ValueError):
        load_documents(origin="synthetic")


def test_load_corpus_fixed_split(docs):
    dd = load_corpus()
    assert set(dd) == {"train", "test"}
    present = {d.id for d in docs}
    held = {d.id for d in docs if d.id in HELD_OUT
            or (d.meta.get("origin") != "real" and d.meta.get("sector") in HELD_OUT_SECTORS)}
    assert set(dd["test"]["id"]) == held
    assert set(dd["train"]["id"]) == present - held
    assert "001_bae6ad46e6b56273" in HELD_OUT and "a04_district_water_bureau" in HELD_OUT
    # no department kind of the test split is in the train split (apart from the real reports' own)
    train_kinds = {d.meta.get("sector") for d in docs if d.id not in held}
    assert not train_kinds & set(HELD_OUT_SECTORS)


def test_load_corpus_origin_filter():
    dd = load_corpus(origin="real")
    assert set(dd["train"]["origin"]) <= {"real"} and set(dd["test"]["origin"]) <= {"real"}
    assert "a04_district_water_bureau" not in dd["test"]["id"]


def test_loo_folds(docs):
    folds = loo_folds(docs)
    real_ids = sorted(d.id for d in docs if d.meta.get("origin") == "real")
    assert [f[0] for f in folds] == real_ids
    for held_id, train, test in folds:
        assert test.id == held_id
        assert held_id not in {d.id for d in train}
        assert len(train) == len(docs) - 1
        assert {d.id for d in train} | {held_id} == {d.id for d in docs}


def test_dataset_dict_from_tiny_documents():
    a, b = _tiny("tiny_a", "authored"), _tiny(HELD_OUT[0], "real")
    b.spans, b.relations = [], []
    dd = to_dataset_dict([a, b])
    assert isinstance(dd, datasets.DatasetDict)
    assert dd["train"]["id"] == ["tiny_a"] and dd["test"]["id"] == [HELD_OUT[0]]
    row = dd["train"][0]
    assert row["origin"] == "authored" and json.loads(row["meta_json"]) == {"origin": "authored"}
    assert set(row["spans"][0]) >= {"id", "start", "end", "label", "role", "value", "unit", "cmp", "approx", "per"}
    assert row["spans"][0]["role"] is None and row["spans"][0]["value"] is None
    assert row["spans"][1]["value"] == pytest.approx(0.98)
    assert row["relations"] == [{"head": "T2", "tail": "T1", "type": "indicator", "score": None}]
    assert dd["test"][0]["spans"] == [] and dd["test"][0]["relations"] == []
    assert from_row(row).to_json() == a.to_json()


def test_empty_and_directory_input(tmp_path):
    dd = to_dataset_dict([])
    assert len(dd["train"]) == 0 and len(dd["test"]) == 0
    write_jsonl([_tiny("x1", "real")], tmp_path / "x1.jsonl")
    write_jsonl([_tiny("x0", "authored")], tmp_path / "x0.jsonl")
    assert [d.id for d in load_documents(tmp_path)] == ["x0", "x1"]
    assert [f[0] for f in loo_folds(load_documents(tmp_path))] == ["x1"]
    assert load_corpus(tmp_path)["train"]["id"] == ["x0", "x1"]
