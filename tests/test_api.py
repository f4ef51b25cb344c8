"""The notebook API (pipeline.api): the prediction path fills meta and checks, to_frames gives the
workbook's four tables as DataFrames, and the README's example runs as written."""

from __future__ import annotations

import contextlib
import io
import re
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.document import Document, Span, validate

ROOT = Path(__file__).resolve().parents[1]
W = 10_000


def report_doc() -> Document:
    """An invented report as the model would give it: a rate that disagrees with its amounts and a
    missed indicator."""
    text = ("某县应急管理局2023年度部门整体支出绩效自评报告\n"
            "2023年调整预算数1000.00万元，全年执行数900.00万元，预算执行率为95%。\n"
            "公众满意度年度指标值≥90%，实际完成值为88%。\n"
            "经评价，本部门整体支出绩效自评得分92.5分。\n")

    def at(surface: str, label: str, **values) -> Span:
        start = text.index(surface)
        return Span("", start, start + len(surface), label, **values)

    spans = [at("1000.00万元", "MONEY", role="target", value=1000 * W, unit="CNY", cmp="=", approx=False),
             at("900.00万元", "MONEY", role="actual", value=900 * W, unit="CNY", cmp="=", approx=False),
             at("预算执行率", "INDICATOR"),
             at("95%", "PERCENT", role="actual", value=0.95, unit="ratio", cmp="=", approx=False),
             at("公众满意度", "INDICATOR"),
             at("90%", "PERCENT", role="target", value=0.9, unit="ratio", cmp=">=", approx=False),
             at("88%", "PERCENT", role="actual", value=0.88, unit="ratio", cmp="=", approx=False)]
    for n, span in enumerate(spans, 1):
        span.id = f"T{n}"
    from pipeline.document import Relation

    doc = Document("demo", text, {"source": "demo.txt"}, spans,
                   [Relation("T4", "T3", "indicator"), Relation("T6", "T5", "indicator"), Relation("T7", "T5", "indicator")])
    assert validate(doc) == []
    return doc


def spacy_doc(document: Document):
    """The spaCy Doc the pipeline would hand to write.doc_to_document for ``document``."""
    from spacy.tokens import Doc
    from spacy.vocab import Vocab

    from pipeline.extensions import register_extensions

    register_extensions()
    text = document.text
    words = [ch for ch in text]
    doc = Doc(Vocab(), words=words, spaces=[False] * len(words))
    ents = []
    for s in document.spans:
        span = doc.char_span(s.start, s.end, label=s.label)
        if s.is_value:
            span._.value, span._.role, span._.unit, span._.cmp, span._.approx = s.value, s.role, s.unit, s.cmp, s.approx
        ents.append(span)
    doc.ents = ents
    by_id = document.span_by_id()
    doc._.relations = [{"head": (by_id[r.head].start, by_id[r.head].end), "tail": (by_id[r.tail].start, by_id[r.tail].end),
                        "type": r.type, "score": 0.9} for r in document.relations]
    return doc


def test_prediction_path_fills_report_fields_and_checks():
    from pipeline.write import doc_to_document

    document = doc_to_document(spacy_doc(report_doc()), "demo", {"source": "demo.txt"})
    assert document.meta == {"source": "demo.txt", "department": "某县应急管理局", "fiscal_year": 2023,
                             "report_kind": "department", "self_score": 92.5}
    assert sorted(c["kind"] for c in document.checks) == ["rate", "unmet"]
    assert validate(document) == []
    line = document.to_json()
    assert list(line) == ["id", "text", "meta", "spans", "relations", "checks"]


def test_reader_meta_is_kept_over_report_fields():
    from pipeline.write import doc_to_document

    document = doc_to_document(spacy_doc(report_doc()), "demo", {"department": "as the reader says"})
    assert document.meta["department"] == "as the reader says" and document.meta["fiscal_year"] == 2023


def test_to_frames_gives_the_four_tables():
    from pipeline.api import to_frames

    frames = to_frames([report_doc()])
    assert list(frames) == ["values", "indicators", "checks", "summary"]
    summary = frames["summary"].iloc[0]
    assert summary["department"] == "某县应急管理局" and summary["fiscal_year"] == 2023
    assert summary["budget"] == 1000.0 and summary["spent"] == 900.0 and summary["rate"] == pytest.approx(0.9)
    assert summary["indicators"] == 2 and summary["unmet"] == 1 and summary["checks"] == 2
    assert summary["self_score"] == 92.5
    values = frames["values"]
    assert list(values["wan"].dropna()) == [1000.0, 900.0] and list(values["ratio"].dropna()) == [0.95, 0.9, 0.88]
    indicators = frames["indicators"].set_index("indicator")
    assert indicators.loc["公众满意度", "met"] == "missed" and indicators.loc["公众满意度", "target"] == "≥90%"
    assert set(frames["checks"]["kind"]) == {"rate", "unmet"}
    assert frames["checks"]["sentence"].str.len().min() > 0


def test_to_frames_in_chinese():
    from pipeline.api import to_frames

    frames = to_frames([report_doc()], lang="zh")
    assert list(frames["summary"].columns[:11]) == ["报告", "单位", "年度", "类型", "预算数", "执行数", "执行率", "指标数",
                                                   "未达标指标", "核对提示", "自评得分"]
    assert frames["summary"].iloc[0]["类型"] == "部门整体支出"
    assert set(frames["checks"]["类型"]) == {"比率不符", "指标未达标"}


def test_importing_the_api_loads_no_model_and_no_pandas():
    code = ("import sys, pipeline, pipeline.api, pipeline.sheets, pipeline.workbook, pipeline.summary;"
            "print(sorted(m for m in ('spacy', 'sklearn', 'pandas', 'openpyxl', 'jieba') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


def readme_example() -> str:
    """The Python block under the README's "Python API" heading, exactly as written there."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Python API", 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_readme_example_is_the_api():
    code = readme_example()
    assert "from pipeline import extract_text, to_frames" in code and "to_frames(" in code


@pytest.mark.slow
def test_readme_example_runs(monkeypatch):
    monkeypatch.chdir(ROOT)
    out = io.StringIO()
    namespace: dict = {}
    with contextlib.redirect_stdout(out):
        exec(compile(readme_example(), "README.md", "exec"), namespace)
    printed = out.getvalue()
    assert "某县应急管理局 2023 95.0" in printed
    assert "unmet 公众满意度实际完成值88%未达到目标值≥90%" in printed  # a table row: read by rule, not by the model
    assert set(namespace["frames"]) == {"values", "indicators", "checks", "summary"}
    doc = namespace["doc"]
    assert validate(doc) == [] and doc.spans and doc.meta["model"]


@pytest.mark.slow
def test_extract_file_and_text_agree_and_the_model_loads_once():
    from pipeline import api

    path = ROOT / "data" / "authored" / "a01_county_education_bureau.txt"
    from_file = api.extract_file(path)
    from_text = api.extract_text(path.read_text(encoding="utf-8"), id=path.stem)
    assert from_file.spans == from_text.spans and from_file.checks == from_text.checks
    assert from_file.meta["source"] == str(path) and "department" in from_file.meta
    assert len(api._models) == 1
