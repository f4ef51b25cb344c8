"""Tests for pipeline.read: every input is built on the fly in tmp_path."""

from __future__ import annotations

import json
import os
import pickle
import random
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader, PdfWriter
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from pipeline.read import RawReport, ReadError, decode_text, find_inputs, read_reports

CHINESE = "2023年项目预算执行率达到95%，资金到位390.88万元。\n绩效目标：完成培训1200人次。\n"


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def read_error(path: Path, **kwargs) -> ReadError:
    with pytest.raises(ReadError) as info:
        read_reports(path, **kwargs)
    err = info.value
    assert err.path == path
    assert str(err) == f"{path}: {err.problem}"
    return err


# ---------------------------------------------------------------------------------------- .txt


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (CHINESE.encode("gb18030"), "gb18030"),
        (CHINESE.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + CHINESE.encode("utf-8"), "utf-8-sig"),
        (CHINESE.encode("utf-16"), "utf-16"),  # with BOM (native order)
        (b"\xfe\xff" + CHINESE.encode("utf-16-be"), "utf-16"),
        (CHINESE.encode("utf-16-le"), "utf-16-le"),  # no BOM: found by the NUL pattern
        (CHINESE.encode("utf-16-be"), "utf-16-be"),
    ],
    ids=["gb18030", "utf8", "utf8-bom", "utf16-bom", "utf16be-bom", "utf16le-nobom", "utf16be-nobom"],
)
def test_txt_encodings(tmp_path, data, encoding):
    path = write(tmp_path, "report.txt", data)
    assert read_reports(path) == [
        RawReport("report", CHINESE, {"source": str(path), "format": "txt", "encoding": encoding})
    ]
    # The recorded codec gives the text back (apart from the BOM, which is not content).
    assert data.decode(encoding).removeprefix("\ufeff") == CHINESE


def test_utf8_bom_dropped_and_crlf_kept_exactly(tmp_path):
    text = "  第一行\r\n第二行\r\n\r\n"
    path = write(tmp_path, "crlf.txt", b"\xef\xbb\xbf" + text.encode("utf-8"))
    [report] = read_reports(path)
    assert report.text == text  # no stripping, no newline conversion
    assert not report.text.startswith("\ufeff")


def test_utf16_without_bom_with_many_yi(tmp_path):
    # 一 (U+4E00) puts its NUL on the "wrong" side; the ASCII majority still decides.
    text = "一一一一一二三\n第1项: 一般公共预算 100万元\n"
    assert decode_text(text.encode("utf-16-le")) == (text, "utf-16-le")
    assert decode_text(text.encode("utf-16-be")) == (text, "utf-16-be")


def test_gbk_only_when_utf8_fails():
    # Pure ASCII is UTF-8 (and GBK) — the first strict decode wins.
    assert decode_text(b"abc 123\n") == ("abc 123\n", "utf-8")
    assert decode_text("经费".encode("gbk")) == ("经费", "gb18030")


@pytest.mark.parametrize(
    ("name", "data", "problem"),
    [
        ("empty.txt", b"", "is empty (0 bytes)"),
        ("blank.txt", b" \r\n\t\n", "is empty (only white space)"),
        ("blank16.txt", "\u3000 \n".encode("utf-16"), "is empty (only white space)"),
        ("undecodable.txt", b"\x80\x81\xff abc", "cannot be decoded as UTF-8, UTF-16, GB18030 or Big5"),
        ("bad-bom.txt", b"\xef\xbb\xbf\xff\xfe", "starts with a UTF-8 byte-order mark but is not valid UTF-8"),
    ],
)
def test_txt_errors(tmp_path, name, data, problem):
    err = read_error(write(tmp_path, name, data))
    assert err.problem.startswith(problem)


def test_binary_file(tmp_path):
    rng = random.Random(7)
    data = bytes(rng.randrange(256) for _ in range(4000)) + b"\x00\x00\x01\x00"
    err = read_error(write(tmp_path, "blob.txt", data))
    assert err.problem.startswith("looks like a binary file")
    assert "NUL" in err.problem


def test_control_characters_are_binary():
    with pytest.raises(ValueError, match="binary"):
        decode_text(bytes(range(1, 32)) * 10)


def test_oversized_file(tmp_path):
    path = write(tmp_path, "big.txt", "预算".encode() * 100)
    err = read_error(path, max_bytes=100)
    assert err.problem == "is too large (600 bytes; the limit is 100 bytes)"
    assert read_reports(path, max_bytes=600)[0].text == "预算" * 100


def test_unreadable(tmp_path):
    folder = tmp_path / "folder.txt"
    folder.mkdir()
    err = read_error(folder)
    assert err.problem.startswith("cannot be read (")
    missing = tmp_path / "missing.txt"
    assert read_error(missing).problem == "cannot be read (No such file or directory)"


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs a non-root POSIX user")
def test_permission_denied(tmp_path):
    path = write(tmp_path, "secret.txt", b"text")
    path.chmod(0)
    try:
        assert read_error(path).problem == "cannot be read (Permission denied)"
    finally:
        path.chmod(0o644)


def test_unsupported_suffix(tmp_path):
    err = read_error(write(tmp_path, "report.csv", b"text"))
    assert err.problem.startswith("unsupported file type '.csv'")


@pytest.mark.parametrize("name, advice", [
    ("report.doc", "save it as .docx"), ("report.wps", "save it as .docx from WPS"),
    ("report.ofd", "convert it to PDF"), ("scan.jpg", "needs OCR"), ("bundle.zip", "unpack it"),
])
def test_unreadable_types_say_what_to_do(tmp_path, name, advice):
    assert advice in read_error(write(tmp_path, name, b"text")).problem


def test_read_error_pickles(tmp_path):
    err = ReadError(tmp_path / "a.txt", "is empty (0 bytes)")
    back = pickle.loads(pickle.dumps(err))
    assert (back.path, back.problem, str(back)) == (err.path, err.problem, str(err))


# ---------------------------------------------------------------------------------------- .docx


def test_docx_paragraphs_and_table_in_order(tmp_path):
    document = docx.Document()
    document.add_paragraph("一、部门基本情况")
    table = document.add_table(rows=2, cols=3)
    for r, row in enumerate([("指标", "目标值", "实际值"), ("预算执行率", "95%", "98.5%")]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    document.add_paragraph("二、绩效目标完成情况")
    path = tmp_path / "report.docx"
    document.save(path)
    assert read_reports(path) == [
        RawReport(
            "report",
            "一、部门基本情况\n指标\t目标值\t实际值\n预算执行率\t95%\t98.5%\n二、绩效目标完成情况",
            {"source": str(path), "format": "docx"},
        )
    ]


def test_docx_merged_cell_not_repeated(tmp_path):
    document = docx.Document()
    table = document.add_table(rows=2, cols=3)
    table.cell(0, 0).merge(table.cell(0, 2)).text = "项目支出绩效"
    table.cell(1, 0).text = "a"
    path = tmp_path / "merged.docx"
    document.save(path)
    assert read_reports(path)[0].text == "项目支出绩效\na\t\t"


def test_truncated_docx(tmp_path):
    document = docx.Document()
    document.add_paragraph("文本")
    full = tmp_path / "full.docx"
    document.save(full)
    path = write(tmp_path, "truncated.docx", full.read_bytes()[:2000])
    assert read_error(path).problem == "not a valid .docx (corrupt or truncated)"


def test_ole2_docx(tmp_path):
    path = write(tmp_path, "locked.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)
    assert read_error(path).problem == "password-protected or legacy Word file; save it as .docx without a password"


def test_empty_docx(tmp_path):
    path = tmp_path / "blank.docx"
    docx.Document().save(path)
    assert read_error(path).problem == "is empty (no text in the document body)"


# ---------------------------------------------------------------------------------------- .pdf


def make_pdf(path: Path, pages: list[str | None]) -> Path:
    """One page per entry: Chinese text drawn with the CID font, or (None) just a rectangle."""
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    pdf = canvas.Canvas(str(path))
    for text in pages:
        if text is None:
            pdf.rect(100, 100, 200, 100, fill=1)
        else:
            pdf.setFont("STSong-Light", 14)
            pdf.drawString(72, 720, text)
        pdf.showPage()
    pdf.save()
    return path


def test_pdf_chinese_text_layer(tmp_path):
    path = make_pdf(tmp_path / "report.pdf", ["部门整体支出绩效自评报告", "预算执行率95%"])
    assert read_reports(path) == [
        RawReport(
            "report",
            # pypdf ends each page text with "\n"; pages are joined with "\n" and nothing is stripped.
            "部门整体支出绩效自评报告\n\n预算执行率95%\n",
            {"source": str(path), "format": "pdf", "pages": 2, "pdf_reader": "pdfplumber"},
        )
    ]


def test_pdf_without_text_needs_ocr(tmp_path):
    path = make_pdf(tmp_path / "scan.pdf", [None])
    assert read_error(path).problem == "has no text layer; it needs OCR first"


def encrypt(source: Path, target: Path, user: str, owner: str | None = None) -> Path:
    writer = PdfWriter(clone_from=PdfReader(source))
    writer.encrypt(user_password=user, owner_password=owner, algorithm="RC4-128")
    with target.open("wb") as out:
        writer.write(out)
    return target


def test_pdf_password_protected(tmp_path):
    plain = make_pdf(tmp_path / "plain.pdf", ["绩效"])
    path = encrypt(plain, tmp_path / "locked.pdf", user="secret")
    assert read_error(path).problem == "password-protected PDF"


def test_pdf_owner_password_only_is_readable(tmp_path):
    plain = make_pdf(tmp_path / "plain.pdf", ["绩效"])
    path = encrypt(plain, tmp_path / "restricted.pdf", user="", owner="owner")
    assert read_reports(path)[0].text == "绩效\n"


def test_invalid_pdf(tmp_path):
    path = write(tmp_path, "broken.pdf", b"%PDF-1.4\nthis is not really a pdf\n")
    assert read_error(path).problem.startswith("not a valid PDF (")


# ---------------------------------------------------------------------------------------- .jsonl


def jsonl_line(doc_id: str, text: str, **extra) -> str:
    return json.dumps({"id": doc_id, "text": text, "spans": [], "relations": [], **extra}, ensure_ascii=False)


def test_jsonl_documents(tmp_path):
    lines = [jsonl_line("a", "第一份\r\n报告", meta={"source": "x"}), "", jsonl_line("b", "第二份")]
    path = write(tmp_path, "docs.jsonl", "\n".join(lines).encode())
    assert read_reports(path) == [
        RawReport("a", "第一份\r\n报告", {"source": str(path), "format": "jsonl", "document_meta": {"source": "x"}}),
        RawReport("b", "第二份", {"source": str(path), "format": "jsonl", "document_meta": {}}),
    ]


def test_jsonl_bad_line(tmp_path):
    path = write(tmp_path, "docs.jsonl", (jsonl_line("a", "好") + "\n{not json\n").encode())
    err = read_error(path)
    assert err.problem.startswith("1 problem(s) in the JSONL file: ")
    assert f"{path}:2: not JSON" in err.problem


def test_jsonl_without_documents(tmp_path):
    assert read_error(write(tmp_path, "blank.jsonl", b"\n\n")).problem == "is empty (no documents)"


# ---------------------------------------------------------------------------------------- find_inputs


def test_find_inputs(tmp_path):
    for name in ["b.txt", "a.PDF", "sub/c.docx", "sub/deep/d.jsonl", "sub/notes.md", "sub/~$c.docx",
                 ".hidden/e.txt", "image.png"]:
        write(tmp_path / "in", name, b"x")
    single = write(tmp_path, "single.txt", b"x")
    other = write(tmp_path, "other.csv", b"x")
    missing = tmp_path / "missing"
    files, errors = find_inputs([tmp_path / "in", single, str(single), tmp_path / "in" / "b.txt", missing, other])
    root = tmp_path / "in"
    assert files == sorted(
        [root / "a.PDF", root / "b.txt", root / "sub/c.docx", root / "sub/deep/d.jsonl", single], key=str
    )
    # Files in a folder that no reader handles are errors too, never skipped in silence.
    assert [(e.path, e.problem) for e in errors] == [
        (root / "image.png", "is an image (.png): it needs OCR first; extract the OCR text as .txt"),
        (root / "sub/notes.md", "unsupported file type '.md' (supported: .txt .docx .pdf .html .htm .xlsx .xls .ods .jsonl)"),
        (missing, "does not exist"),
        (other, "unsupported file type '.csv' (supported: .txt .docx .pdf .html .htm .xlsx .xls .ods .jsonl)"),
    ]
    assert str(errors[2]) == f"{missing}: does not exist"
