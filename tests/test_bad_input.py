"""Issue 14: every bad input, bad path and big file handled (one test per case of the issue's table).

Each case ends with the good documents extracted, the bad one an error record naming the file
(and line, for JSONL) and what to do, a summary and a nonzero exit status, and no traceback for
a path or permission problem. The number cases of the issue are in test_numbers.py and
test_peer_suite.py.
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

import pytest
from test_extract import REPORT, lines, run

from pipeline.cli.convert import main as convert_main
from pipeline.cli.evaluate import main as evaluate_main
from pipeline.document import Document, Relation, Span, check_files
from pipeline.extract import errors_path
from pipeline.formats.label_studio import from_label_studio
from pipeline.model import PIECE_CHARS, load_model, piece_bounds, predict_reports
from pipeline.read import MAX_BYTES, RawReport, decode_text, find_inputs, read_file, report_ids
from pipeline.resume import OutputLock
from pipeline.write import value_rows, write_csv

ROOT = Path(__file__).resolve().parents[1]
TRADITIONAL = ("二零二三年度項目績效自評報告\n一、項目基本情況\n本項目年度預算資金為390萬元，實際支出350萬元，"
               "預算執行率為95%。\n二、績效目標完成情況\n公眾滿意度達到90%以上，培訓1200人次，各項指標均已完成。\n")


def folder_with_good_reports(folder: Path, n: int = 2) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"good{i}.txt" for i in range(n)]
    for i, path in enumerate(paths):
        path.write_text(f"第{i}号报告。" + REPORT, encoding="utf-8")
    return paths


def records(out: Path) -> list[dict]:
    return lines(errors_path(out))


def no_traceback(*texts: str) -> None:
    assert not any("Traceback" in t for t in texts)


# ---------------------------------------------------------------------------------------- folders


def test_symlink_loop_in_input_folder(tmp_path, model, capsys):
    good = folder_with_good_reports(tmp_path / "in")
    (tmp_path / "in" / "sub").mkdir()
    (tmp_path / "in" / "sub" / "back").symlink_to(tmp_path / "in")  # a folder link to its parent
    (tmp_path / "in" / "self.txt").symlink_to("self.txt")  # a file link to itself
    (tmp_path / "in" / "gone.txt").symlink_to("missing.txt")  # a broken link
    out = tmp_path / "out" / "o.jsonl"
    code, stdout, err = run(capsys, tmp_path / "in", "-o", out, "--model", model)
    assert code == 1
    assert [d["meta"]["source"] for d in lines(out)] == [str(p) for p in good]
    problems = {r["source"]: r["error"] for r in records(out)}
    assert "symbolic link loop" in problems[str(tmp_path / "in" / "sub" / "back")]
    assert "symbolic link loop" in problems[str(tmp_path / "in" / "self.txt")]
    assert "broken symbolic link" in problems[str(tmp_path / "in" / "gone.txt")]
    assert all("remove the link" in p for p in problems.values())
    assert f"FAILED {tmp_path / 'in' / 'self.txt'}: is a symbolic link loop" in stdout
    assert "2 documents" in stdout and "3 failures" in stdout
    no_traceback(stdout, err)


def test_linked_folder_is_followed_once(tmp_path):
    good = folder_with_good_reports(tmp_path / "real")
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "link").symlink_to(tmp_path / "real")
    files, errors = find_inputs([tmp_path / "in", tmp_path / "real"])
    assert errors == [] and sorted(os.path.realpath(f) for f in files) == [str(p) for p in good]


def test_fifo_named_txt_does_not_hang(tmp_path, model, capsys):
    good = folder_with_good_reports(tmp_path / "in")
    os.mkfifo(tmp_path / "in" / "pipe.txt")  # opening it for reading would wait for a writer forever
    out = tmp_path / "o.jsonl"

    def hung(signum, frame):
        raise TimeoutError("extract hung on a FIFO")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(60)
    try:
        code, stdout, err = run(capsys, tmp_path / "in", "-o", out, "--model", model)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert code == 1
    assert [d["meta"]["source"] for d in lines(out)] == [str(p) for p in good]
    [record] = records(out)
    assert record["source"] == str(tmp_path / "in" / "pipe.txt")
    assert record["error"].startswith("is not a regular file but a named pipe (FIFO); skipped")
    assert "FAILED" in stdout and "1 failures" in stdout
    no_traceback(stdout, err)


# ---------------------------------------------------------------------------------------- encodings


def test_big5_report(tmp_path, model, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "taipei.txt").write_bytes(TRADITIONAL.encode("big5"))
    hk_text = "呢個項目嘅資金" + TRADITIONAL  # 嘅 is a Hong Kong character: Big5-HKSCS only
    (folder / "hongkong.txt").write_bytes(hk_text.encode("big5hkscs"))
    (folder / "mainland.txt").write_bytes(REPORT.encode("gb18030"))
    out = tmp_path / "o.jsonl"
    code, stdout, err = run(capsys, folder, "-o", out, "--model", model)
    assert code == 0, stdout
    docs = {d["id"]: d for d in lines(out)}
    assert docs["taipei"]["text"] == TRADITIONAL and docs["taipei"]["meta"]["encoding"] == "big5"
    assert docs["hongkong"]["text"] == hk_text and docs["hongkong"]["meta"]["encoding"] == "big5hkscs"
    assert docs["mainland"]["text"] == REPORT and docs["mainland"]["meta"]["encoding"] == "gb18030"


@pytest.mark.parametrize("name, data", [
    ("shift_jis.txt", "令和5年度の事業評価報告書。予算執行率は95%です。".encode("shift_jis") * 5),
    ("euc_kr.txt", "2023년 사업 성과 자체평가 보고서 예산 집행률 95%".encode("euc-kr") * 5),
])
def test_decoding_that_is_no_report_is_refused_by_name(tmp_path, model, capsys, name, data):
    folder_with_good_reports(tmp_path / "in")
    (tmp_path / "in" / name).write_bytes(data)  # GB18030 decodes both, into characters no report has
    out = tmp_path / "o.jsonl"
    code, stdout, _ = run(capsys, tmp_path / "in", "-o", out, "--model", model)
    assert code == 1 and len(lines(out)) == 2
    [record] = records(out)
    assert record["source"] == str(tmp_path / "in" / name)
    assert "does not read as a Chinese report in GB18030 or Big5" in record["error"]
    assert "save it as UTF-8" in record["error"]


def test_two_boms_at_the_start_only_the_first_is_dropped(tmp_path):
    assert decode_text(b"\xef\xbb\xbf\xef\xbb\xbf" + "预算".encode()) == ("\ufeff预算", "utf-8-sig")
    assert decode_text(b"\xff\xfe" + "\ufeff预算".encode("utf-16-le")) == ("\ufeff预算", "utf-16")
    path = tmp_path / "two.txt"
    path.write_bytes(b"\xef\xbb\xbf\xef\xbb\xbf" + REPORT.encode())
    [report], _ = read_file(path)
    assert report.text == "\ufeff" + REPORT


# ---------------------------------------------------------------------------------------- JSONL


def jsonl(path: Path, *objects: object) -> Path:
    path.write_text("".join((o if isinstance(o, str) else json.dumps(o, ensure_ascii=False)) + "\n"
                            for o in objects), encoding="utf-8")
    return path


def test_jsonl_with_one_bad_line_and_one_duplicate_id_keeps_the_good_documents(tmp_path, model, capsys):
    source = jsonl(tmp_path / "docs.jsonl",
                   {"id": "a", "text": "一号。" + REPORT},
                   "{not json",
                   {"id": "a", "text": "重复的编号。" + REPORT},
                   {"id": "b", "text": "二号。" + REPORT, "spans": [], "relations": []})
    out = tmp_path / "out" / "o.jsonl"
    code, stdout, err = run(capsys, source, "-o", out, "--model", model)
    assert code == 1
    assert [d["id"] for d in lines(out)] == ["a", "b"]
    assert records(out) == [
        {"source": str(source), "line": 2, "error": "not JSON (Expecting property name enclosed in double quotes "
                                                    "at column 2): fix or remove the line"},
        {"source": str(source), "id": "a", "line": 3,
         "error": "document id 'a' is already used on line 1: give this document another id"},
    ]
    assert f"FAILED {source}:2: not JSON" in stdout and f"FAILED {source}:3 [a]: document id 'a'" in stdout
    assert "2 documents" in stdout and "2 failures" in stdout
    no_traceback(stdout, err)

    # Resume keeps them: nothing is done twice, the failures are still counted.
    before = out.read_bytes(), errors_path(out).read_bytes()
    code, stdout, _ = run(capsys, source, "-o", out, "--model", model, "--resume")
    assert code == 1 and (out.read_bytes(), errors_path(out).read_bytes()) == before
    assert "0 documents" in stdout and "2 failures" in stdout


def test_plain_id_text_jsonl_lines_are_reports(tmp_path, model, capsys):
    source = jsonl(tmp_path / "plain.jsonl",
                   {"id": "r1", "text": REPORT},
                   {"id": 7, "text": "其中：" + REPORT, "title": "某县自评", "meta": {"year": 2023}},
                   {"text": "没有编号"})
    out = tmp_path / "o.jsonl"
    code, stdout, _ = run(capsys, source, "-o", out, "--model", model)
    assert code == 1  # the line without an id
    docs = {d["id"]: d for d in lines(out)}
    assert list(docs) == ["r1", "7"] and docs["r1"]["text"] == REPORT
    assert docs["7"]["meta"]["document_meta"] == {"title": "某县自评", "year": 2023}
    assert any(s["label"] in ("MONEY", "PERCENT") for s in docs["r1"]["spans"])
    assert records(out) == [{"source": str(source), "line": 3, "error": "has no 'id' (a non-empty string): add one"}]


# ---------------------------------------------------------------------------------------- ids


def test_same_file_name_in_two_folders(tmp_path, model, capsys):
    for county in ("县A", "县B"):
        (tmp_path / "in" / county).mkdir(parents=True)
        (tmp_path / "in" / county / "自评报告.txt").write_text(county + REPORT, encoding="utf-8")
    out = tmp_path / "o.jsonl"
    code, stdout, _ = run(capsys, tmp_path / "in", "-o", out, "--model", model)
    assert code == 0 and "2 documents" in stdout
    assert [(d["id"], d["meta"]["source"]) for d in lines(out)] == [
        ("县A/自评报告", str(tmp_path / "in" / "县A" / "自评报告.txt")),
        ("县B/自评报告", str(tmp_path / "in" / "县B" / "自评报告.txt")),
    ]
    assert errors_path(out).read_bytes() == b""


def test_report_ids_are_unique_and_documented():
    files = [Path("a/x.txt"), Path("a/x.docx"), Path("b/y.txt"), Path("c/y.pdf"), Path("z.txt"), Path("d.jsonl")]
    assert report_ids(files) == {Path("a/x.txt"): "x.txt", Path("a/x.docx"): "x.docx", Path("b/y.txt"): "b/y",
                                 Path("c/y.pdf"): "c/y", Path("z.txt"): "z"}


# ---------------------------------------------------------------------------------------- output paths


def refused(capsys, *args) -> str:
    """Run extract, expect a usage error before any work: exit 2, one clear message, no traceback."""
    code, stdout, err = run(capsys, *args)
    assert code == 2, (stdout, err)
    assert err.startswith("python -m pipeline extract: error: ")
    no_traceback(stdout, err)
    return err


def read_only_place(tmp_path: Path) -> Path:
    """A folder this process cannot write: root writes anywhere but in sysfs."""
    if os.geteuid() == 0:
        return Path("/sys")
    folder = tmp_path / "read_only"
    folder.mkdir()
    folder.chmod(0o555)
    return folder


def test_output_into_a_read_only_place(tmp_path, model, capsys):
    folder_with_good_reports(tmp_path / "in")
    target = read_only_place(tmp_path) / "out" / "o.jsonl"
    err = refused(capsys, tmp_path / "in", "-o", target, "--model", model)
    assert f"-o: cannot write {target}" in err and "choose a place you can write to" in err


def test_output_naming_a_folder(tmp_path, model, capsys):
    folder_with_good_reports(tmp_path / "in")
    (tmp_path / "out").mkdir()
    err = refused(capsys, tmp_path / "in", "-o", tmp_path / "out", "--model", model)
    assert f"-o: {tmp_path / 'out'} is a folder: name a file in it" in err
    assert list((tmp_path / "out").iterdir()) == []


def test_csv_unwritable(tmp_path, model, capsys):
    folder_with_good_reports(tmp_path / "in")
    out = tmp_path / "o.jsonl"
    err = refused(capsys, tmp_path / "in", "-o", out, "--csv", read_only_place(tmp_path) / "v.csv", "--model", model)
    assert "--csv: cannot write" in err
    assert not out.exists() and not errors_path(out).exists()  # refused before any work


def test_evaluate_json_unwritable(tmp_path, capsys):
    gold = ROOT / "annotations" / "a01_county_education_bureau.jsonl"
    target = read_only_place(tmp_path) / "e.json"
    assert evaluate_main(["--gold", str(gold), "--pred", str(gold), "--json", str(target), "--boot", "10"]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith(f"python -m pipeline evaluate: error: --json: cannot write {target}")
    assert captured.out == ""  # refused before the scoring, not after it
    no_traceback(captured.out, captured.err)


def test_csv_same_path_as_output(tmp_path, model, capsys):
    folder_with_good_reports(tmp_path / "in")
    out = tmp_path / "o.jsonl"
    err = refused(capsys, tmp_path / "in", "-o", out, "--csv", out, "--model", model)
    assert f"-o and --csv are the same file ({out}): give them different names" in err


def test_output_inside_the_input_folder(tmp_path, model, capsys):
    folder_with_good_reports(tmp_path / "in")
    out = tmp_path / "in" / "preds.jsonl"
    err = refused(capsys, tmp_path / "in", "-o", out, "--model", model)
    assert f"-o {out} is inside the input folder {tmp_path / 'in'}" in err and "e.g. out/" in err
    assert not out.exists()


def test_output_equal_to_an_input_file(tmp_path, model, capsys):
    source = jsonl(tmp_path / "docs.jsonl", {"id": "a", "text": REPORT})
    before = source.read_bytes()
    err = refused(capsys, source, "-o", source, "--model", model)
    assert f"-o {source} is also an input file: it would be overwritten" in err
    assert source.read_bytes() == before


def test_two_runs_at_once_on_the_same_output(tmp_path, model, capsys):
    folder_with_good_reports(tmp_path / "in")
    out = tmp_path / "o.jsonl"
    # Another process holds the run's lock, as a running extract does.
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from pathlib import Path; from pipeline.resume import OutputLock; "
         "assert OutputLock(Path(sys.argv[1])).acquire() is None; print('locked', flush=True); time.sleep(120)",
         str(out)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        err = refused(capsys, tmp_path / "in", "-o", out, "--model", model)
        assert f"another extract run (process {holder.pid}) is writing {out}" in err
        assert not out.exists()
    finally:
        holder.send_signal(signal.SIGKILL)  # kill -9: the kernel drops its lock, no stale lock stays
        holder.wait()
    code, stdout, _ = run(capsys, tmp_path / "in", "-o", out, "--model", model)
    assert code == 0 and len(lines(out)) == 2
    assert not (tmp_path / ".o.jsonl.lock").exists()  # released at the end of the run


def test_output_lock_in_one_process():
    path = Path("/tmp") / f"lock-test-{os.getpid()}.jsonl"
    first, second = OutputLock(path), OutputLock(path)
    assert first.acquire() is None
    assert "another extract run" in (second.acquire() or "")
    first.release()
    assert second.acquire() is None
    second.release()


# ---------------------------------------------------------------------------------------- worker processes


def children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_text()
    except OSError:
        return ""


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0]
    except (FileNotFoundError, IndexError):
        return False
    return state not in "ZX"  # a zombie is dead, only not yet reaped


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_kill_9_of_a_run_with_two_workers_leaves_no_worker(tmp_path, model):
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(200):
        (folder / f"r{i:03d}.txt").write_text(f"第{i}号报告。" + REPORT * 20, encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "extract", str(folder), "-o", str(tmp_path / "o.jsonl"),
                             "--model", str(model), "--workers", "2", "--quiet"], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        workers: list[int] = []
        while time.monotonic() < deadline and not workers:
            # the helper is the child running the pool's spawn_main (not the resource tracker)
            workers = [p for p in children(proc.pid) if "spawn_main" in cmdline(p)]
            time.sleep(0.2)
        assert workers, "no worker process started"
        time.sleep(1)
        proc.kill()  # kill -9
        proc.wait()
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and any(alive(p) for p in workers):
            time.sleep(0.2)
        assert not any(alive(p) for p in workers)
    finally:
        if proc.poll() is None:
            proc.kill()


@pytest.mark.slow
def test_workers_two_on_many_small_files_same_output_as_one(tmp_path, model, capsys):
    # Speed is measured by `python -m pipeline bench --big`, not here; this checks the results.
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(60):
        (folder / f"r{i:03d}.txt").write_text(f"第{i}号报告。" + REPORT, encoding="utf-8")
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    assert run(capsys, folder, "-o", one, "--model", model)[0] == 0
    code, stdout, _ = run(capsys, folder, "-o", two, "--model", model, "--workers", "2")
    assert code == 0 and "60 documents" in stdout
    assert one.read_bytes() == two.read_bytes()


# ---------------------------------------------------------------------------------------- long reports


def long_text(chars: int) -> str:
    """Corpus report texts, one after another, up to ``chars`` characters (cut at a line end)."""
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "data" / "authored").glob("*.txt"))]
    parts, total, n = [], 0, 0
    while total < chars:
        parts.append(texts[n % len(texts)] + "\n")
        total += len(parts[-1])
        n += 1
    return "".join(parts)


def test_piece_bounds_cut_at_blank_lines_then_line_ends():
    text = "甲" * 60 + "\n\n" + "乙" * 70 + "\n" + "丙" * 60 + "。" + "丁" * 80
    bounds = piece_bounds(text, 100)
    assert bounds[0] == (0, 62)  # after the blank line, though a line end comes later in the window
    assert bounds[1] == (62, 133)  # after the line end: no blank line in the second half
    assert bounds[2] == (133, 194)  # after the sentence end: no line end in the second half
    assert bounds[3] == (194, 274)
    assert [text[s:e] for s, e in bounds] and "".join(text[s:e] for s, e in bounds) == text
    assert all(e - s <= 100 for s, e in bounds)
    assert piece_bounds("一行\n" * 10, 1000) == [(0, 30)]
    assert piece_bounds("长" * 250, 100) == [(0, 100), (100, 200), (200, 250)]  # no break at all: at the limit


def test_long_report_is_extracted_in_pieces_with_offsets_into_the_whole(model):
    nlp = load_model(model)
    text = long_text(12_000)
    nlp.max_length = 4_000  # as if the report were longer than spaCy's limit
    [doc] = predict_reports(nlp, [RawReport("long", text, {"source": "long.txt"})], "m", 2)
    assert isinstance(doc, Document) and doc.text == text
    starts = doc.meta["pieces"]
    assert len(starts) >= 3 and starts[0] == 0 and all(text[s - 1] == "\n" for s in starts[1:])  # never inside a line
    # Each piece's spans are those of the piece run alone, shifted to its place in the whole text.
    ends = [*starts[1:], len(text)]
    nlp.max_length = 1_000_000
    for start, end in zip(starts, ends):
        [alone] = predict_reports(nlp, [RawReport("p", text[start:end], {})], "m", 2)
        inside = [(s.start - start, s.end - start, s.label, s.value) for s in doc.spans if start <= s.start < end]
        assert inside == [(s.start, s.end, s.label, s.value) for s in alone.spans]
    assert [s.id for s in doc.spans] == [f"T{i}" for i in range(1, len(doc.spans) + 1)]
    assert PIECE_CHARS < 1_000_000 <= MAX_BYTES  # pieces always fit spaCy's default nlp.max_length


def test_long_report_pieces_are_work_items_of_extract(tmp_path, model, capsys, monkeypatch):
    # extract hands a long report's pieces out as separate work (to every worker), then joins them.
    import pipeline.model

    monkeypatch.setattr(pipeline.model, "PIECE_CHARS", 3_000)
    text = long_text(12_000)
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "long.txt").write_text(text, encoding="utf-8")
    (tmp_path / "in" / "short.txt").write_text(REPORT, encoding="utf-8")
    out = tmp_path / "o.jsonl"
    code, stdout, _ = run(capsys, tmp_path / "in", "-o", out, "--model", model, "--batch-size", "3")
    assert code == 0 and "2 documents" in stdout
    docs, problems = check_files(out)
    assert problems == [] and [d.id for d in docs] == ["long", "short"]
    long_doc = docs[0]
    assert long_doc.text == text and len(long_doc.meta["pieces"]) >= 4
    [alone] = predict_reports(load_model(model), [RawReport("long", text, dict(long_doc.meta))], long_doc.meta["model"], 2)
    assert [(s.start, s.end, s.label, s.value) for s in long_doc.spans] == \
        [(s.start, s.end, s.label, s.value) for s in alone.spans]  # the same as predict_reports' own pieces


@pytest.mark.slow
def test_report_of_1_2_million_characters(tmp_path, model):
    text = long_text(1_270_000)
    source = tmp_path / "big.txt"
    source.write_text(text, encoding="utf-8")
    assert len(text) > 1_000_000 and source.stat().st_size < MAX_BYTES  # over nlp.max_length, under the byte limit
    out = tmp_path / "o.jsonl"
    # Two workers: the report's pieces are shared out (one worker takes ~80 s on an idle core).
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "extract", str(source), "-o", str(out), "--workers", "2",
                             "--model", str(model), "--quiet"], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)  # ru_maxrss: the largest of the run's processes
    assert os.waitstatus_to_exitcode(status) == 0
    peak_mb = usage.ru_maxrss / 1024
    assert peak_mb < 1024, f"peak memory {peak_mb:.0f} MB"
    [doc] = check_files(out)[0]
    assert doc.text == text and len(doc.meta["pieces"]) > 40
    values = [s for s in doc.spans if s.is_value]
    assert len(values) > 1000 and all(text[s.start:s.end] == doc.surface(s) for s in values)


# ---------------------------------------------------------------------------------------- the value table


def test_csv_cell_starting_with_formula_characters_is_guarded(tmp_path):
    text = "=HYPERLINK(1)项目资金-50万元，+3%与@SUM各一。"
    at = {surface: (text.index(surface), text.index(surface) + len(surface)) for surface in ("=HYPERLINK(1)", "-50万元", "+3%")}
    spans = [Span("T1", *at["=HYPERLINK(1)"], "INDICATOR"),
             Span("T2", *at["-50万元"], "MONEY", role="actual", value=-500000.0, unit="CNY", cmp="=", approx=False),
             Span("T3", *at["+3%"], "PERCENT", role="actual", value=0.03, unit="ratio", cmp="=", approx=False)]
    doc = Document("@cmd|x", text, spans=spans, relations=[Relation("T2", "T1", "indicator")])
    path = tmp_path / "v.csv"
    write_csv(value_rows(doc), path)
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [(r["surface"], r["indicator"]) for r in rows] == [("'-50万元", "'=HYPERLINK(1)"), ("'+3%", "")]
    assert {r["document"] for r in rows} == {"'@cmd|x"} and rows[0]["sentence"].startswith("'=HYPERLINK(1)")
    assert rows[0]["value"] == "-500000.0" and rows[0]["cmp"] == "="  # numbers, and a lone "=" that runs nothing
    assert all(len(c) < 2 or not c.startswith(("=", "+", "-", "@")) for r in rows for k, c in r.items() if k != "value")


# ---------------------------------------------------------------------------------------- Label Studio


def label_studio_export() -> list[dict]:
    """Two tasks shaped as Label Studio 1.23's JSON export writes them: predictions as ids."""
    common = {"meta": {}, "created_at": "2025-11-20T08:00:00.000000Z", "updated_at": "2025-11-20T08:10:00.000000Z",
              "inner_id": 1, "total_annotations": 0, "cancelled_annotations": 0, "total_predictions": 1,
              "comment_count": 0, "unresolved_comment_count": 0, "last_comment_updated_at": None, "project": 3,
              "updated_by": None, "file_upload": "tasks.json", "comment_authors": [], "drafts": []}
    annotated = {"id": 1, "data": {"text": "预算执行率95%。", "doc_id": "d1"}, **common,
                 "annotations": [{"id": 11, "result": [
                     {"id": "r1", "from_name": "label", "to_name": "text", "type": "labels",
                      "value": {"start": 5, "end": 8, "text": "95%", "labels": ["PERCENT"]}},
                     {"id": "r1", "from_name": "role", "to_name": "text", "type": "choices",
                      "value": {"start": 5, "end": 8, "text": "95%", "choices": ["actual"]}}],
                     "was_cancelled": False, "ground_truth": False, "lead_time": 12.5}],
                 "predictions": [21]}
    predicted_only = {"id": 2, "data": {"text": "资金390万元。", "doc_id": "d2"}, **common, "annotations": [],
                      "predictions": [22]}
    return [annotated, predicted_only]


def test_label_studio_export_listing_predictions_as_ids(tmp_path, capsys):
    docs, problems = from_label_studio(label_studio_export())
    assert [d.id for d in docs] == ["d1"]  # the annotated task still converts
    [problem] = problems
    assert problem.startswith("task 2: no annotation that is not cancelled, and its predictions are listed only as ids [22]")
    assert "serialization_options" in problem and '"only_id": false' in problem
    export = tmp_path / "export.json"
    export.write_text(json.dumps(label_studio_export()), encoding="utf-8")
    assert convert_main(["--from", "label-studio", "--to", "jsonl", str(export), "-o", str(tmp_path / "g.jsonl")]) == 1
    assert "only_id" in capsys.readouterr().err


def test_several_model_versions_one_project_is_documented(tmp_path, capsys):
    assert convert_main(["--help"]) == 0
    help_text = " ".join(capsys.readouterr().out.split())
    assert "one model version per project" in help_text.lower()
    assert "only_id = false" in help_text
    guidelines = (ROOT / "annotations" / "GUIDELINES.md").read_text(encoding="utf-8")
    assert "One model version per project" in guidelines and "only_id = false" in guidelines
    # Converting predictions of two model versions into one task file warns.
    pred = tmp_path / "pred.jsonl"
    jsonl(pred, *[{"id": i, "text": "预算执行率95%。", "meta": {"model": f"perfreport-{v}"},
                   "spans": [], "relations": []} for i, v in (("a", "1"), ("b", "2"))])
    assert convert_main(["--from", "jsonl", "--to", "label-studio", "--predictions", str(pred),
                         "-o", str(tmp_path / "tasks.json")]) == 0
    assert "2 model versions" in capsys.readouterr().err
