"""Tests of pipeline.convert: lossless round trips over the whole gold corpus through Label Studio and
doccano, import of hand-written exports in the tools' documented structure, and problem reporting."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.convert import from_doccano, from_label_studio, main, to_doccano, to_label_studio
from pipeline.document import Document, read_jsonl, write_jsonl

ROOT = Path(__file__).resolve().parents[1]
GOLD_FILES = sorted((ROOT / "annotations").glob("*.jsonl"))
SPAN_FIELDS = ("id", "start", "end", "label", "role", "value", "unit", "cmp", "approx", "per", "score")


@pytest.fixture(scope="module")
def gold() -> list[Document]:
    docs = read_jsonl(GOLD_FILES)
    assert len(docs) == len(GOLD_FILES) >= 11
    return docs


def _through_json(records: list[dict]) -> list[dict]:
    # What a tool would read back: only what survives JSON serialisation.
    return json.loads(json.dumps(records, ensure_ascii=False))


def assert_same(before: list[Document], after: list[Document]) -> None:
    assert [d.id for d in after] == [d.id for d in before]
    for a, b in zip(before, after, strict=True):
        assert b.text == a.text
        assert b.meta == a.meta
        spans_a = [tuple(getattr(s, f) for f in SPAN_FIELDS) for s in a.spans]
        spans_b = [tuple(getattr(s, f) for f in SPAN_FIELDS) for s in b.spans]
        assert spans_b == spans_a, a.id
        rels_a = [(r.head, r.tail, r.type, r.score) for r in a.relations]
        rels_b = [(r.head, r.tail, r.type, r.score) for r in b.relations]
        assert rels_b == rels_a, a.id
        assert b.to_line() == a.to_line()


def test_label_studio_round_trip_keeps_the_whole_gold_corpus(gold):
    tasks = _through_json(to_label_studio(gold))
    assert [t["id"] for t in tasks] == list(range(1, len(gold) + 1))
    assert all("annotations" in t and "predictions" not in t for t in tasks)
    back, problems = from_label_studio(tasks)
    assert problems == []
    assert_same(gold, back)


def test_doccano_round_trip_keeps_the_whole_gold_corpus(gold):
    lines = _through_json(to_doccano(gold))
    for line in lines:
        assert all(isinstance(e["id"], int) for e in line["entities"])
        assert {"id", "text", "entities", "relations", "attributes", "doc_id"} <= set(line)
    back, problems = from_doccano(lines)
    assert problems == []
    assert_same(gold, back)


def test_label_studio_structure_of_regions_and_relations(gold):
    doc = gold[0]
    task = to_label_studio([doc])[0]
    assert task["data"] == {"text": doc.text, "doc_id": doc.id, "meta": doc.meta}
    result = task["annotations"][0]["result"]
    value_span = next(s for s in doc.spans if s.is_value)
    mine = [r for r in result if r.get("id") == value_span.id]
    by_name = {r["from_name"]: r for r in mine}
    assert by_name["label"]["type"] == "labels" and by_name["label"]["to_name"] == "text"
    assert by_name["label"]["value"] == {"start": value_span.start, "end": value_span.end,
                                         "text": doc.surface(value_span), "labels": [value_span.label]}
    assert by_name["role"]["type"] == "choices" and by_name["role"]["value"]["choices"] == [value_span.role]
    assert by_name["value"]["type"] == "textarea" and float(by_name["value"]["value"]["text"][0]) == value_span.value
    rel = next(r for r in result if r["type"] == "relation")
    assert rel == {"type": "relation", "from_id": doc.relations[0].head, "to_id": doc.relations[0].tail,
                   "direction": "right", "labels": [doc.relations[0].type]}


def test_predictions_carry_scores_and_model_version(gold):
    doc = read_jsonl(GOLD_FILES[0])[0]
    for i, span in enumerate(doc.spans):
        span.score = (i % 10) / 10
    for rel in doc.relations:
        rel.score = 0.75
    task = _through_json(to_label_studio([doc], model_version="tagger-7", as_predictions=True))[0]
    assert "annotations" not in task
    prediction = task["predictions"][0]
    assert prediction["model_version"] == "tagger-7"
    assert prediction["score"] == pytest.approx(sum(s.score for s in doc.spans) / len(doc.spans))
    labelled = [r for r in prediction["result"] if r["type"] == "labels"]
    assert [r["score"] for r in labelled] == [s.score for s in doc.spans]
    back, problems = from_label_studio([task])
    assert problems == []
    assert_same([doc], back)


# A Label Studio export as documented (JSON export: a list of tasks with annotations whose result holds
# regions and relations), written by hand: ids are Label Studio's random region ids, not ours.
LS_TEXT = "2024年安全生产专项经费年初预算390.88万元，30余万元用于培训。预算执行率不低于95%。"


def ls_export() -> list[dict]:
    def region(rid: str, surface: str, label: str, nth: int = 0) -> dict:
        start = LS_TEXT.index(surface)
        for _ in range(nth):
            start = LS_TEXT.index(surface, start + 1)
        return {"id": rid, "from_name": "label", "to_name": "text", "type": "labels", "origin": "manual",
                "value": {"start": start, "end": start + len(surface), "text": surface, "labels": [label]}}

    def role(rid: str, surface: str, choice: str) -> dict:
        start = LS_TEXT.index(surface)
        return {"id": rid, "from_name": "role", "to_name": "text", "type": "choices", "origin": "manual",
                "value": {"start": start, "end": start + len(surface), "text": surface, "choices": [choice]}}

    result = [
        region("Xq1aB2", "安全生产专项经费", "PROJECT"),
        region("Yt7uPq", "390.88万元", "MONEY"), role("Yt7uPq", "390.88万元", "target"),
        region("Za9kLm", "30余万元", "MONEY"), role("Za9kLm", "30余万元", "actual"),
        region("Wk3nVb", "预算执行率", "INDICATOR"),
        region("Pp0oIi", "95%", "PERCENT"), role("Pp0oIi", "95%", "target"),
        {"from_id": "Yt7uPq", "to_id": "Xq1aB2", "type": "relation", "direction": "right", "labels": ["project"]},
        {"from_id": "Za9kLm", "to_id": "Xq1aB2", "type": "relation", "direction": "right", "labels": []},
        {"from_id": "Pp0oIi", "to_id": "Wk3nVb", "type": "relation", "direction": "right"},
    ]
    return [{
        "id": 101,
        "data": {"text": LS_TEXT},
        "annotations": [
            {"id": 7, "completed_by": 1, "was_cancelled": False, "ground_truth": False,
             "created_at": "2024-05-02T09:00:00.000000Z", "updated_at": "2024-05-02T09:10:00.000000Z",
             "lead_time": 80.5, "result": result},
            # a later annotation that was skipped (cancelled) must not win
            {"id": 8, "completed_by": 2, "was_cancelled": True, "result": [],
             "created_at": "2024-05-03T09:00:00.000000Z", "updated_at": "2024-05-03T09:00:00.000000Z"},
        ],
        "predictions": [],
        "meta": {}, "created_at": "2024-05-01T08:00:00.000000Z", "updated_at": "2024-05-02T09:10:00.000000Z",
        "inner_id": 1, "total_annotations": 1, "cancelled_annotations": 1, "project": 3,
    }]


def test_label_studio_export_imports_with_the_normaliser_filling_values():
    docs, problems = from_label_studio(ls_export())
    assert problems == []
    (doc,) = docs
    assert doc.id == "label-studio-101" and doc.text == LS_TEXT
    spans = {doc.surface(s): s for s in doc.spans}
    money = spans["390.88万元"]
    assert (money.label, money.role, money.value, money.unit, money.cmp, money.approx, money.per) == (
        "MONEY", "target", pytest.approx(3908800.0), "CNY", "=", False, None)
    assert (spans["30余万元"].value, spans["30余万元"].approx) == (pytest.approx(300000.0), True)
    pct = spans["95%"]
    assert (pct.value, pct.unit, pct.cmp, pct.role) == (pytest.approx(0.95), "ratio", ">=", "target")
    assert spans["预算执行率"].value is None and spans["预算执行率"].role is None
    rels = {(doc.surface(doc.span_by_id()[r.head]), doc.surface(doc.span_by_id()[r.tail]), r.type)
            for r in doc.relations}
    # the two relations without a label get their type from the tail's label
    assert rels == {("390.88万元", "安全生产专项经费", "project"), ("30余万元", "安全生产专项经费", "project"),
                    ("95%", "预算执行率", "indicator")}


def test_typed_attributes_win_over_the_normaliser_and_predictions_are_the_fallback():
    task = ls_export()[0]
    start = LS_TEXT.index("95%")
    box = {"start": start, "end": start + 3}
    task["annotations"][0]["result"] += [
        {"id": "Pp0oIi", "from_name": "value", "to_name": "text", "type": "textarea", "value": {**box, "text": ["0.9"]}},
        {"id": "Pp0oIi", "from_name": "cmp", "to_name": "text", "type": "textarea", "value": {**box, "text": ["≥"]}},
    ]
    (doc,), problems = from_label_studio([task])
    assert problems == []
    pct = next(s for s in doc.spans if s.label == "PERCENT")
    assert (pct.value, pct.cmp, pct.approx) == (0.9, ">=", False)
    # no usable annotation: the prediction is taken
    task["predictions"] = [{"model_version": "m1", "score": 0.5, "result": task["annotations"][0]["result"]}]
    task["annotations"] = [{"id": 9, "was_cancelled": True, "result": []}]
    (doc2,), problems = from_label_studio([task])
    assert problems == [] and len(doc2.spans) == len(doc.spans)


def test_bad_regions_are_reported_with_their_task_id_and_the_doc_left_out():
    good = ls_export()[0]
    bad = ls_export()[0]
    bad["id"] = 202
    result = bad["annotations"][0]["result"]
    # a region past the end of the text
    result.append({"id": "Oob001", "from_name": "label", "to_name": "text", "type": "labels",
                   "value": {"start": len(LS_TEXT) + 3, "end": len(LS_TEXT) + 9, "text": "", "labels": ["MONEY"]}})
    result.append({"id": "Oob001", "from_name": "role", "to_name": "text", "type": "choices",
                   "value": {"start": len(LS_TEXT) + 3, "end": len(LS_TEXT) + 9, "choices": ["actual"]}})
    # a relation from an INDICATOR
    result.append({"from_id": "Wk3nVb", "to_id": "Xq1aB2", "type": "relation", "direction": "right",
                   "labels": ["project"]})
    # a value the normaliser cannot read, with no value typed in
    text = LS_TEXT + "另有若干元。"
    bad["data"]["text"] = text
    start = text.index("若干元")
    result.append({"id": "Unread", "from_name": "label", "to_name": "text", "type": "labels",
                   "value": {"start": start, "end": start + 3, "text": "若干元", "labels": ["MONEY"]}})
    result.append({"id": "Unread", "from_name": "role", "to_name": "text", "type": "choices",
                   "value": {"start": start, "end": start + 3, "text": "若干元", "choices": ["other"]}})
    docs, problems = from_label_studio([good, bad])
    assert [d.id for d in docs] == ["label-studio-101"]
    assert problems and all(p.startswith("task 202: ") for p in problems), problems
    joined = "\n".join(problems)
    assert "span Oob001: bad offsets" in joined
    assert "head is INDICATOR" in joined
    assert "若干元" in joined and "cannot fill the value" in joined


def test_missing_role_and_unknown_relation_type_are_problems():
    task = ls_export()[0]
    result = [r for r in task["annotations"][0]["result"] if not (r.get("type") == "choices" and r["id"] == "Yt7uPq")]
    # no label, and the tail is a value: the type cannot be told
    result.append({"from_id": "Yt7uPq", "to_id": "Pp0oIi", "type": "relation", "direction": "right"})
    task["annotations"][0]["result"] = result
    docs, problems = from_label_studio([task])
    assert docs == []
    assert any("Yt7uPq" in p and "role" in p for p in problems), problems
    assert any("Yt7uPq->Pp0oIi" in p and "cannot be told" in p for p in problems), problems
    assert all(p.startswith("task 101: ") for p in problems)


def test_doccano_export_imports_with_the_normaliser_and_reports_problems():
    text = "项目年初预算12.5万元，预算执行率达98.6%。"
    entities = [
        {"id": 11, "label": "MONEY", "start_offset": text.index("12.5万元"), "end_offset": text.index("12.5万元") + 6},
        {"id": 12, "label": "INDICATOR", "start_offset": text.index("预算执行率"), "end_offset": text.index("预算执行率") + 5},
        {"id": 13, "label": "PERCENT", "start_offset": text.index("98.6%"), "end_offset": text.index("98.6%") + 5},
    ]
    line = {"id": 5, "text": text, "entities": entities,
            "relations": [{"id": 1, "from_id": 13, "to_id": 12, "type": "indicator"}],
            "attributes": {"11": {"role": "target"}, "13": {"role": "actual"}}}
    (doc,), problems = from_doccano([line])
    assert problems == []
    assert doc.id == "doccano-5"
    values = [(s.id, s.value, s.cmp, s.approx) for s in doc.spans if s.is_value]
    assert values == [("T11", pytest.approx(125000.0), "=", False), ("T13", pytest.approx(0.986), "=", False)]
    assert [(r.head, r.tail, r.type) for r in doc.relations] == [("T13", "T12", "indicator")]
    bad = json.loads(json.dumps(line))
    bad["id"] = 6
    bad["entities"][0]["end_offset"] = 999
    bad["relations"].append({"id": 2, "from_id": 12, "to_id": 11, "type": "indicator"})
    docs, problems = from_doccano([line, bad])
    assert [d.id for d in docs] == ["doccano-5"]
    assert any("bad offsets" in p for p in problems) and any("head is INDICATOR" in p for p in problems)
    assert all(p.startswith("task 6: ") for p in problems)


def test_cli_round_trip_and_exit_status(tmp_path, gold, capsys):
    src = tmp_path / "gold.jsonl"
    write_jsonl(gold, src)
    tasks, back = tmp_path / "tasks.json", tmp_path / "back.jsonl"
    assert main(["--from", "jsonl", "--to", "label-studio", str(src), "-o", str(tasks)]) == 0
    assert isinstance(json.loads(tasks.read_text(encoding="utf-8")), list)  # Label Studio imports a JSON array
    assert main(["--from", "label-studio", "--to", "jsonl", str(tasks), "-o", str(back)]) == 0
    assert back.read_bytes() == src.read_bytes()
    lines, back2 = tmp_path / "doccano.jsonl", tmp_path / "back2.jsonl"
    assert main(["--from", "jsonl", "--to", "doccano", str(src), "-o", str(lines)]) == 0
    assert main(["--from", "doccano", "--to", "jsonl", str(lines), "-o", str(back2)]) == 0
    assert back2.read_bytes() == src.read_bytes()
    out = capsys.readouterr().out
    assert f"{len(gold)} document(s) written, 0 problem(s)" in out

    bad = ls_export()[0]
    bad["id"] = 303
    bad["annotations"][0]["result"][0]["value"]["end"] = 10_000
    bad_file, bad_out = tmp_path / "bad.json", tmp_path / "bad.jsonl"
    bad_file.write_text(json.dumps([ls_export()[0], bad], ensure_ascii=False), encoding="utf-8")
    assert main(["--from", "label-studio", "--to", "jsonl", str(bad_file), "-o", str(bad_out)]) == 1
    captured = capsys.readouterr()
    assert "1 document(s) written" in captured.out
    assert f"{bad_file}: task 303: " in captured.err
    assert len(read_jsonl(bad_out)) == 1  # the good task is still converted


def test_cli_as_a_module(tmp_path, gold):
    src = tmp_path / "one.jsonl"
    write_jsonl(gold[:1], src)
    out = tmp_path / "pred_tasks.json"
    run = subprocess.run([sys.executable, "-m", "pipeline.convert", "--from", "jsonl", "--to", "label-studio",
                          str(src), "-o", str(out), "--predictions", "--model-version", "v9"],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert json.loads(out.read_text(encoding="utf-8"))[0]["predictions"][0]["model_version"] == "v9"
    run = subprocess.run([sys.executable, "-m", "pipeline.convert", "--from", "doccano", "--to", "jsonl",
                          str(out), "-o", str(tmp_path / "x.jsonl")], cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 1  # a Label Studio file read as doccano: no text, reported, not a crash
    assert "task 1: no text" in run.stderr
