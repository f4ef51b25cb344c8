"""The document model: byte-for-byte round trips and every SCHEMA.md rule reported with its line."""

import json

import pytest

from pipeline.document import DocumentError, check_files, read_jsonl, write_jsonl

TEXT = "年初预算项目资金390.88万元，预算执行率达98%。\r\n蓝天救援队工作经费　30万元"


def good_doc(doc_id="d1"):
    return {
        "id": doc_id,
        "text": TEXT,
        "meta": {"source": "x.txt"},
        "spans": [
            {"id": "T1", "start": 8, "end": 16, "label": "MONEY", "role": "target", "value": 3908800.0,
             "unit": "CNY", "cmp": "=", "approx": False},
            {"id": "T2", "start": 17, "end": 22, "label": "INDICATOR"},
            {"id": "T3", "start": 23, "end": 26, "label": "PERCENT", "role": "actual", "value": 0.98,
             "unit": "ratio", "cmp": "=", "approx": False},
            {"id": "T4", "start": 29, "end": 38, "label": "PROJECT"},
        ],
        "relations": [{"head": "T3", "tail": "T2", "type": "indicator"}],
    }


def write_lines(tmp_path, objs, name="f.jsonl"):
    path = tmp_path / name
    path.write_text("".join(json.dumps(o, ensure_ascii=False) + "\n" for o in objs), encoding="utf-8")
    return path


def test_offsets_of_fixture_are_right():
    doc = good_doc()
    assert [TEXT[s["start"]:s["end"]] for s in doc["spans"]] == ["390.88万元", "预算执行率", "98%", "蓝天救援队工作经费"]


def test_valid_document_round_trips_byte_for_byte(tmp_path):
    src = write_lines(tmp_path, [good_doc("a"), good_doc("b")])
    docs = read_jsonl(src)
    out = tmp_path / "out.jsonl"
    write_jsonl(docs, out)
    assert out.read_bytes() == src.read_bytes()
    assert docs[0].text == TEXT  # \r\n and the full-width space kept as read


def test_document_without_meta_round_trips(tmp_path):
    doc = good_doc()
    del doc["meta"]
    src = write_lines(tmp_path, [doc])
    out = tmp_path / "out.jsonl"
    write_jsonl(read_jsonl(src), out)
    assert out.read_bytes() == src.read_bytes()


BROKEN = [
    ("offset outside text", lambda d: d["spans"][0].update(end=999), "bad offsets"),
    ("surface with outer space", lambda d: d["spans"][3].update(start=28), "outer white space"),
    ("overlap", lambda d: d["spans"][1].update(start=15), "overlap"),
    ("value span without role", lambda d: d["spans"][0].pop("role"), "without a valid role"),
    ("value span without value", lambda d: d["spans"][2].pop("value"), "without a numeric 'value'"),
    ("bad cmp", lambda d: d["spans"][0].update(cmp="≥"), "bad cmp"),
    ("wrong unit", lambda d: d["spans"][2].update(unit="CNY"), "should be ratio"),
    ("value field on INDICATOR", lambda d: d["spans"][1].update(role="actual"), "belongs only on MONEY/PERCENT"),
    ("unknown label", lambda d: d["spans"][1].update(label="DATE"), "unknown label"),
    ("duplicate span id", lambda d: d["spans"][1].update(id="T1"), "duplicate span id"),
    ("relation from indicator", lambda d: d["relations"].append({"head": "T2", "tail": "T4", "type": "project"}),
     "head is INDICATOR"),
    ("relation to wrong label", lambda d: d["relations"].append({"head": "T1", "tail": "T2", "type": "project"}),
     "tail is INDICATOR, not PROJECT"),
    ("relation to missing span", lambda d: d["relations"].append({"head": "T1", "tail": "T9", "type": "project"}),
     "does not exist"),
    ("duplicate relation", lambda d: d["relations"].append({"head": "T3", "tail": "T2", "type": "indicator"}),
     "duplicate relation"),
    ("unknown relation type", lambda d: d["relations"].append({"head": "T3", "tail": "T2", "type": "owner"}),
     "unknown type"),
    ("missing text", lambda d: d.pop("text"), "missing 'text'"),
    ("unknown field", lambda d: d.update(extra=1), "unknown field"),
]


@pytest.mark.parametrize("name,mutate,message", BROKEN, ids=[b[0] for b in BROKEN])
def test_each_rule_violation_is_reported_with_its_line(tmp_path, name, mutate, message):
    bad = good_doc("bad")
    mutate(bad)
    path = write_lines(tmp_path, [good_doc("a"), bad])
    with pytest.raises(DocumentError) as err:
        read_jsonl(path)
    assert any(p.startswith(f"{path}:2") and message in p for p in err.value.problems), err.value.problems


def test_every_violation_is_listed_not_only_the_first(tmp_path):
    bad = good_doc()
    bad["spans"][0]["end"] = 999
    bad["spans"][2].pop("role")
    bad["relations"].append({"head": "T2", "tail": "T4", "type": "project"})
    _, problems = check_files(write_lines(tmp_path, [bad]))
    assert len(problems) == 3


def test_duplicate_document_id_across_lines(tmp_path):
    _, problems = check_files(write_lines(tmp_path, [good_doc("a"), good_doc("a")]))
    assert len(problems) == 1 and ":2: document id 'a' already used at" in problems[0]


def test_malformed_line_among_good_ones_is_reported_and_good_ones_load_with_skip(tmp_path):
    path = tmp_path / "mixed.jsonl"
    path.write_text(
        json.dumps(good_doc("a"), ensure_ascii=False) + "\n{not json\n" + json.dumps(good_doc("c"), ensure_ascii=False) + "\n",
        encoding="utf-8")
    with pytest.raises(DocumentError) as err:
        read_jsonl(path)
    assert err.value.problems[0].startswith(f"{path}:2: not JSON")
    assert [d.id for d in read_jsonl(path, skip_bad=True)] == ["a", "c"]


def test_unreadable_and_non_utf8_files_are_named(tmp_path):
    missing = tmp_path / "nope.jsonl"
    _, problems = check_files(missing)
    assert problems[0].startswith(f"{missing}: cannot read")
    gbk = tmp_path / "gbk.jsonl"
    gbk.write_bytes(json.dumps(good_doc(), ensure_ascii=False).encode("gb18030"))
    _, problems = check_files(gbk)
    assert problems[0].startswith(f"{gbk}: not UTF-8")


def test_corpus_files_pass_our_loader():
    from pathlib import Path

    files = sorted(Path(__file__).resolve().parent.parent.joinpath("annotations").glob("*.jsonl"))
    docs, problems = check_files(files)
    assert problems == [] and len(docs) == len(files) >= 11
