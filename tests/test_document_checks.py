"""``checks`` on a Document (SCHEMA.md §1): written only when non-empty, read back, validated."""

from __future__ import annotations

import json

import pytest

from pipeline.document import CHECK_KINDS, DocumentError, read_jsonl, write_jsonl

TEXT = "预算执行率98%，目标值≥99%。"


def good_doc() -> dict:
    return {"id": "d1", "text": TEXT, "meta": {},
            "spans": [{"id": "T1", "start": 0, "end": 5, "label": "INDICATOR"},
                      {"id": "T2", "start": 5, "end": 8, "label": "PERCENT", "role": "actual", "value": 0.98,
                       "unit": "ratio", "cmp": "=", "approx": False},
                      {"id": "T3", "start": 13, "end": 16, "label": "PERCENT", "role": "target", "value": 0.99,
                       "unit": "ratio", "cmp": ">=", "approx": False}],
            "relations": [{"head": "T2", "tail": "T1", "type": "indicator"}]}


def write_lines(tmp_path, objs, name="f.jsonl"):
    path = tmp_path / name
    path.write_text("".join(json.dumps(o, ensure_ascii=False) + "\n" for o in objs), encoding="utf-8")
    return path

CHECK = {"kind": "unmet", "spans": ["T2", "T3"], "message": "预算执行率实际完成值98%未达到目标值≥99%"}


def test_checks_round_trip_byte_for_byte(tmp_path):
    obj = good_doc() | {"checks": [CHECK]}
    src = write_lines(tmp_path, [obj])
    docs = read_jsonl(src)
    assert docs[0].checks == [CHECK]
    out = tmp_path / "out.jsonl"
    write_jsonl(docs, out)
    assert out.read_bytes() == src.read_bytes()


def test_no_checks_key_unless_there_are_checks(tmp_path):
    src = write_lines(tmp_path, [good_doc()])
    doc = read_jsonl(src)[0]
    assert doc.checks == [] and "checks" not in doc.to_json()
    assert list(doc.to_json()) == ["id", "text", "meta", "spans", "relations"]
    doc.checks = [CHECK]
    assert list(doc.to_json()) == ["id", "text", "meta", "spans", "relations", "checks"]


BROKEN = [
    ("unknown kind", {"kind": "total", "spans": [], "message": "x"}, "unknown kind 'total'"),
    ("missing span", {"kind": "sum", "spans": ["T9"], "message": "x"}, "names span 'T9'"),
    ("repeated span", {"kind": "sum", "spans": ["T1", "T1"], "message": "x"}, "names a span twice"),
    ("empty message", {"kind": "sum", "spans": [], "message": " "}, "non-empty string"),
    ("missing message", {"kind": "sum", "spans": []}, "missing 'message'"),
    ("unknown field", {"kind": "sum", "spans": [], "message": "x", "score": 1}, "unknown field"),
    ("not an object", "sum", "must be an object"),
]


@pytest.mark.parametrize("name,check,message", BROKEN, ids=[b[0] for b in BROKEN])
def test_bad_checks_are_reported(tmp_path, name, check, message):
    path = write_lines(tmp_path, [good_doc() | {"checks": [check]}])
    with pytest.raises(DocumentError) as err:
        read_jsonl(path)
    assert any(message in p for p in err.value.problems), err.value.problems


def test_kinds_are_those_of_the_json_schema():
    from pipeline.paths import ROOT

    # the project's contract, ../shared/spec/document.schema.json; a copy ships with the tests so that a
    # clean clone checks against it too (the copy is compared with the original where that is present)
    copy = ROOT / "tests" / "data" / "spec" / "document.schema.json"
    original = ROOT.parent / "shared" / "spec" / "document.schema.json"
    if original.exists():
        assert json.loads(original.read_text(encoding="utf-8")) == json.loads(copy.read_text(encoding="utf-8"))
    schema = json.loads(copy.read_text(encoding="utf-8"))
    kinds = schema["properties"]["checks"]["items"]["properties"]["kind"]["enum"]
    assert tuple(kinds) == CHECK_KINDS
