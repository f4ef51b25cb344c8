"""Tests for ``python -m pipeline extract``: inputs of every kind built in tmp_path, error records,
resume after a kill, the value table, and worker processes.

The ``model`` fixture (conftest.py) is the bundled model, or a stand-in trained once per session.
The checks are about structure, records and errors, never accuracy, so either model passes.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import docx
import pytest
from openpyxl import load_workbook
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas
from spacy.language import Language

from pipeline import extract
from pipeline.document import Document, Relation, Span, check_files
from pipeline.extract import VALUE_COLUMNS, errors_path, main, sentence_around, value_rows

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = ROOT / "models" / "perfreport"

REPORT = "2023年项目预算执行率达到95%，年初预算资金390.88万元，实际支出350万元。\n公众满意度≥90%。\n"


def run(capsys, *args: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in args] + ["--quiet"])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def make_docx(path: Path) -> Path:
    document = docx.Document()
    document.add_paragraph("应急救援经费项目绩效自评报告")
    table = document.add_table(rows=2, cols=3)
    for cell, text in zip(table.rows[0].cells, ("三级指标", "年度指标值", "实际完成值"), strict=True):
        cell.text = text
    for cell, text in zip(table.rows[1].cells, ("资金拨付率", "100%", "98.5%"), strict=True):
        cell.text = text
    document.add_paragraph("项目资金共计120万元。")
    document.save(path)
    return path


def make_pdf(path: Path, text: str) -> Path:
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    pdf = canvas.Canvas(str(path))
    pdf.setFont("STSong-Light", 14)
    pdf.drawString(72, 720, text)
    pdf.showPage()
    pdf.save()
    return path


def every_kind(folder: Path, bad: bool = True) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "gbk": folder / "gbk.txt",
        "utf16": folder / "utf16.txt",
        "table": make_docx(folder / "table.docx"),
        "scan": make_pdf(folder / "scan.pdf", "部门预算执行率为97.50%，结余资金6.59万元。"),
    }
    files["gbk"].write_bytes(REPORT.encode("gb18030"))
    files["utf16"].write_bytes(("其中：" + REPORT).encode("utf-16"))
    if bad:
        files["empty"] = folder / "empty.txt"
        files["empty"].write_bytes(b"")
        files["binary"] = folder / "binary.txt"
        files["binary"].write_bytes(bytes(range(256)) * 8)
    return files


def test_every_input_kind(tmp_path, model, capsys):
    files = every_kind(tmp_path / "in")
    out = tmp_path / "out" / "preds.jsonl"
    code, stdout, _ = run(capsys, tmp_path / "in", "-o", out, "--model", model)
    assert code == 1

    docs, problems = check_files(out)  # every line valid per SCHEMA.md (document.validate)
    assert problems == []
    by_id = {d.id: d for d in docs}
    assert list(by_id) == ["gbk", "scan", "table", "utf16"]  # sorted input order, ids = stems
    assert by_id["gbk"].text == REPORT
    assert by_id["utf16"].text == "其中：" + REPORT
    assert "资金拨付率\t100%\t98.5%" in by_id["table"].text
    assert "部门预算执行率为97.50%" in by_id["scan"].text
    assert by_id["gbk"].meta["encoding"] == "gb18030"
    assert by_id["utf16"].meta["encoding"] == "utf-16"
    for doc in docs:
        assert doc.meta["source"] == str(files[doc.id])
        assert doc.meta["model"] == extract.model_name(json.loads((model / "meta.json").read_text()))
        for span in (s for s in doc.spans if s.is_value):
            assert span.role in {"target", "actual", "change", "other"}
            assert span.unit == {"MONEY": "CNY", "PERCENT": "ratio"}[span.label]
        spans = doc.span_by_id()
        for rel in doc.relations:
            assert spans[rel.head].is_value and 0 <= rel.score <= 1
    # Structure, not accuracy: values are there, and one that was found is read right.
    assert any(s.is_value for doc in docs for s in doc.spans)
    gbk_values = {by_id["gbk"].surface(s): s.value for s in by_id["gbk"].spans if s.is_value}
    assert gbk_values.get("390.88万元", 3908800) == pytest.approx(3908800)

    assert lines(errors_path(out)) == [
        {"source": str(files["binary"]), "error": lines_error(files["binary"])},
        {"source": str(files["empty"]), "error": "is empty (0 bytes)"},
    ]
    assert f"FAILED {files['empty']}: is empty (0 bytes)" in stdout
    assert f"FAILED {files['binary']}: looks like a binary file" in stdout
    assert "4 documents" in stdout and "2 failures" in stdout and str(out) in stdout

    files["empty"].unlink()
    files["binary"].unlink()
    code, stdout, _ = run(capsys, tmp_path / "in", "-o", out, "--model", model)
    assert code == 0
    assert len(lines(out)) == 4 and errors_path(out).read_bytes() == b""
    assert "0 failures" in stdout and "FAILED" not in stdout


def lines_error(path: Path) -> str:
    from pipeline.read import ReadError, read_reports

    with pytest.raises(ReadError) as info:
        read_reports(path)
    return info.value.problem


def test_usage_errors(tmp_path, model, capsys):
    (tmp_path / "empty_folder").mkdir()
    code, _, err = run(capsys, tmp_path / "empty_folder", "-o", tmp_path / "o.jsonl", "--model", model)
    assert code == 2 and "no input files found" in err
    code, _, err = run(capsys, tmp_path / "missing.txt", "-o", tmp_path / "o.jsonl", "--model", model)
    assert code == 2 and "does not exist" in err
    (tmp_path / "a.txt").write_text(REPORT, encoding="utf-8")
    code, _, err = run(capsys, tmp_path / "a.txt", "-o", tmp_path / "o.jsonl", "--model", tmp_path / "no_model")
    assert code == 2 and "make train" in err and "--model" in err
    assert not (tmp_path / "o.jsonl").exists()  # nothing written on a usage error
    code, _, _ = run(capsys, tmp_path / "a.txt", "-o", tmp_path / "o.jsonl", "--workers", "0")
    assert code == 2


def test_model_failure_is_recorded_and_run_goes_on(tmp_path, model, capsys, monkeypatch):
    @Language.component("test_extract_boom")
    def boom(doc):
        if "爆炸" in doc.text:
            raise ValueError("boom")
        return doc

    nlp = extract.load_model(model)
    nlp.add_pipe("test_extract_boom")
    monkeypatch.setattr(extract, "load_model", lambda path, span_scores=False: nlp)
    folder = tmp_path / "in"
    folder.mkdir()
    for name, text in (("a", REPORT), ("b", "爆炸" + REPORT), ("c", REPORT)):
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    out = tmp_path / "o.jsonl"
    code, stdout, _ = run(capsys, folder, "-o", out, "--model", model)
    assert code == 1
    assert [d["id"] for d in lines(out)] == ["a", "c"]  # the batch-mates of the bad one survive
    assert lines(errors_path(out)) == [
        {"source": str(folder / "b.txt"), "id": "b", "error": "processing failed (ValueError: boom)"}
    ]
    assert f"FAILED {folder / 'b.txt'}: processing failed (ValueError: boom)" in stdout


def test_id_taken_by_another_file_is_refused(tmp_path, model, capsys):
    # Two files of one name get ids from their paths (test_bad_input.py); a .jsonl document keeps its own
    # id, so one that a file's report already took is refused.
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(REPORT, encoding="utf-8")
    line = {"id": "a", "text": REPORT, "spans": [], "relations": []}
    (tmp_path / "in" / "b.jsonl").write_text(json.dumps(line, ensure_ascii=False) + "\n", encoding="utf-8")
    out = tmp_path / "preds.jsonl"
    code, stdout, _ = run(capsys, tmp_path / "in", "-o", out, "--model", model)
    assert code == 1
    assert [d["meta"]["source"] for d in lines(out)] == [str(tmp_path / "in" / "a.txt")]
    (record,) = lines(errors_path(out))
    assert record == {"source": str(tmp_path / "in" / "b.jsonl"), "id": "a", "line": 1,
                      "error": f"document id 'a' is already used by {tmp_path / 'in' / 'a.txt'}; rename one of them"}


def small_reports(folder: Path, n: int = 6, repeat: int = 1) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (folder / f"r{i}.txt").write_text(f"第{i}号报告。" + REPORT * repeat, encoding="utf-8")
    (folder / "r2_bad.txt").write_bytes(b"")  # a failure in the middle of the order


def test_resume_after_partial_line(tmp_path, model, capsys):
    small_reports(tmp_path / "in")
    whole = tmp_path / "whole.jsonl"
    code_whole, _, _ = run(capsys, tmp_path / "in", "-o", whole, "--model", model, "--batch-size", "1")
    content = whole.read_bytes()
    assert content.count(b"\n") == 6

    # A crash after two complete lines and half of the third, before any error was recorded.
    cut = tmp_path / "cut.jsonl"
    first, second, third = content.split(b"\n")[:3]
    cut.write_bytes(first + b"\n" + second + b"\n" + third[: len(third) // 2])
    errors_path(cut).write_bytes(b"")
    code, stdout, _ = run(capsys, tmp_path / "in", "-o", cut, "--model", model, "--batch-size", "1", "--resume")
    assert cut.read_bytes() == content
    assert errors_path(cut).read_bytes() == errors_path(whole).read_bytes()
    assert code == code_whole == 1
    assert "2 already done" in stdout

    # Resuming a finished run adds nothing and still reports the recorded failure.
    code, stdout, _ = run(capsys, tmp_path / "in", "-o", cut, "--model", model, "--resume")
    assert code == 1 and cut.read_bytes() == content
    assert errors_path(cut).read_bytes() == errors_path(whole).read_bytes()
    assert "0 documents" in stdout and "FAILED" in stdout


@pytest.mark.slow
def test_killed_and_resumed_matches_uninterrupted(tmp_path, model, capsys):
    small_reports(tmp_path / "in", repeat=25)  # ~1,500 characters each: slow enough to be killed midway
    whole = tmp_path / "whole.jsonl"
    run(capsys, tmp_path / "in", "-o", whole, "--model", model, "--batch-size", "1")

    killed = tmp_path / "killed.jsonl"
    cmd = [sys.executable, "-m", "pipeline", "extract", str(tmp_path / "in"), "-o", str(killed),
           "--model", str(model), "--batch-size", "1", "--quiet"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while proc.poll() is None and time.monotonic() < deadline:
        if killed.exists() and killed.read_bytes().count(b"\n") >= 1:
            os.kill(proc.pid, signal.SIGKILL)
            break
        time.sleep(0.01)
    proc.wait()
    assert killed.read_bytes().count(b"\n") < 6 or proc.returncode != -signal.SIGKILL

    run(capsys, tmp_path / "in", "-o", killed, "--model", model, "--batch-size", "1", "--resume")
    assert killed.read_bytes() == whole.read_bytes()
    assert errors_path(killed).read_bytes() == errors_path(whole).read_bytes()


def test_value_table_csv_and_xlsx(tmp_path, model, capsys):
    every_kind(tmp_path / "in", bad=False)
    out, table, sheet = tmp_path / "o.jsonl", tmp_path / "values.csv", tmp_path / "values.xlsx"
    code, stdout, _ = run(capsys, tmp_path / "in", "-o", out, "--model", model, "--csv", table, "--xlsx", sheet)
    assert code == 0 and str(table) in stdout and str(sheet) in stdout
    docs = {d.id: d for d in check_files(out)[0]}
    n_values = sum(1 for d in docs.values() for s in d.spans if s.is_value)
    assert n_values > 0

    assert table.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM: Excel then reads UTF-8
    with table.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        assert tuple(reader.fieldnames or ()) == VALUE_COLUMNS
        rows = list(reader)
    assert len(rows) == n_values
    for row in rows:
        doc = docs[row["document"]]
        start, end = int(row["start"]), int(row["end"])
        assert row["surface"] == doc.text[start:end]
        assert row["surface"] in row["sentence"] and row["unit"] in ("CNY", "ratio")

    book = load_workbook(sheet)  # the workbook (pipeline.workbook): its 数值 sheet is one row per value
    assert book.sheetnames == ["汇总", "数值", "核对提示", "指标"]
    cells = list(book["数值"].iter_rows(values_only=True))
    assert len(cells) - 1 == n_values and len(list(book["汇总"].iter_rows())) - 1 == len(docs)
    assert [str(c[cells[0].index("原文")]) for c in cells[1:]] == [r["surface"] for r in rows]


def test_value_rows_joins_linked_names():
    text = "一、应急救援经费\n预算执行率和资金拨付率达到95%；救援队经费3000元/月，约30余万元。"
    spans = [
        Span("T1", 2, 8, "PROJECT"),
        Span("T2", 9, 14, "INDICATOR"),
        Span("T3", 15, 20, "INDICATOR"),
        Span("T4", 22, 25, "PERCENT", role="actual", value=0.95, unit="ratio", cmp="=", approx=False, score=0.9),
        Span("T5", 26, 31, "PROJECT"),
        Span("T6", 31, 38, "MONEY", role="target", value=3000.0, unit="CNY", cmp="=", approx=False, per="月"),
        Span("T7", 40, 45, "MONEY", role="actual", value=300000.0, unit="CNY", cmp="=", approx=True),
    ]
    relations = [
        Relation("T4", "T2", "indicator"), Relation("T4", "T3", "indicator"), Relation("T4", "T1", "project"),
        Relation("T6", "T5", "project"), Relation("T6", "T1", "project"),
    ]
    doc = Document("d", text, spans=spans, relations=relations)
    assert [doc.surface(s) for s in spans] == [
        "应急救援经费", "预算执行率", "资金拨付率", "95%", "救援队经费", "3000元/月", "30余万元"]
    rows = value_rows(doc)
    assert [tuple(r) for r in rows] == [VALUE_COLUMNS] * 3
    assert rows[0]["indicator"] == "预算执行率；资金拨付率" and rows[0]["project"] == "应急救援经费"
    assert rows[0]["sentence"] == "预算执行率和资金拨付率达到95%；" and rows[0]["score"] == 0.9
    assert rows[1]["project"] == "救援队经费；应急救援经费" and rows[1]["per"] == "月"
    assert rows[2]["project"] == "" and rows[2]["approx"] is True
    assert rows[2]["sentence"] == "救援队经费3000元/月，约30余万元。"
    assert sentence_around("首行\n第二行", 3, 4) == "第二行"


@pytest.mark.slow
def test_two_workers_same_output_as_one(tmp_path, model, capsys):
    every_kind(tmp_path / "in")
    small_reports(tmp_path / "in")
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    code_one, _, _ = run(capsys, tmp_path / "in", "-o", one, "--model", model, "--batch-size", "2")
    code_two, stdout, _ = run(capsys, tmp_path / "in", "-o", two, "--model", model, "--batch-size", "2",
                              "--workers", "2")
    assert code_one == code_two == 1
    assert one.read_bytes() == two.read_bytes() and one.read_bytes().count(b"\n") == 10
    assert errors_path(one).read_bytes() == errors_path(two).read_bytes()
    assert "10 documents" in stdout
