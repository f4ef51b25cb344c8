"""Tests of pipeline.review: every predicted span is highlighted with its label, misses and false
alarms are marked against gold, text is escaped, and (with Chromium) the page renders in a browser."""

from __future__ import annotations

import copy
import subprocess
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest

from pipeline.document import Document, Relation, Span, read_jsonl, write_jsonl
from pipeline.review import LINK_NAMES, SPAN_CLASS, format_value, main, render_review

ROOT = Path(__file__).resolve().parents[1]
GOLD_FILES = sorted((ROOT / "annotations").glob("*.jsonl"))
CHROMIUM = Path("/usr/bin/chromium")


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    text: str = ""
    section: str = ""


@dataclass
class Collector(HTMLParser):
    """Elements whose class contains ``wanted``, with their text content and enclosing section kind."""

    wanted: str = SPAN_CLASS
    found: list[Element] = field(default_factory=list)
    rows: list[Element] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._open: list[tuple[Element, int]] = []
        self._depth = 0
        self._section = ""
        self._row: tuple[Element, int] | None = None

    def handle_starttag(self, tag, attrs):
        self._depth += 1
        attrs_d = {k: v or "" for k, v in attrs}
        classes = attrs_d.get("class", "").split()
        if tag == "div" and "text" in classes:
            self._section = "gold" if "gold" in classes else "pred"
        if self.wanted in classes:
            element = Element(tag, attrs_d, section=self._section)
            self.found.append(element)
            self._open.append((element, self._depth))
        if tag == "tr":
            self._row = (Element(tag, attrs_d), self._depth)
            self.rows.append(self._row[0])

    def handle_endtag(self, tag):
        self._open = [(e, d) for e, d in self._open if d < self._depth]
        if self._row and self._row[1] >= self._depth:
            self._row = None
        self._depth -= 1

    def handle_data(self, data):
        for element, _ in self._open:
            element.text += data
        if self._row:
            self._row[0].text += data + "|"


def collect(markup: str) -> Collector:
    parser = Collector()
    parser.feed(markup)
    parser.close()
    return parser


@pytest.fixture(scope="module")
def gold() -> list[Document]:
    return read_jsonl(GOLD_FILES)


def with_errors(gold: list[Document]) -> tuple[list[Document], dict[str, list[Span]], dict[str, list[Span]]]:
    """Predictions made from gold: some spans dropped (misses), some shifted (a miss and a false alarm)."""
    pred = copy.deepcopy(gold)
    misses: dict[str, list[Span]] = {}
    alarms: dict[str, list[Span]] = {}
    for doc in pred:
        kept = []
        for i, span in enumerate(doc.spans):
            span.score = 0.5 + (i % 5) / 10
            if i % 7 == 3:
                misses.setdefault(doc.id, []).append(span)
                continue
            if i % 11 == 5 and span.end - span.start > 2:
                misses.setdefault(doc.id, []).append(copy.copy(span))
                span.end -= 1  # strictly wrong, overlapping
                alarms.setdefault(doc.id, []).append(span)
            kept.append(span)
        ids = {s.id for s in kept}
        doc.spans = kept
        doc.relations = [r for r in doc.relations if r.head in ids and r.tail in ids]
    return pred, misses, alarms


def test_every_predicted_span_is_highlighted_with_its_label(gold):
    page = render_review(gold)
    found = collect(page).found
    spans = [(d, s) for d in gold for s in d.spans]
    assert len(found) == len(spans)
    # spans come out in document order, text order within a document
    for element, (doc, span) in zip(found, spans, strict=True):
        assert element.attrs["data-label"] == span.label
        assert element.attrs["data-span-id"] == span.id
        assert doc.surface(span) in element.text
        assert span.label in element.text  # displaCy's label tag
    value_doc, value_span = next((d, s) for d, s in spans if s.is_value and s.cmp == ">=")
    element = found[spans.index((value_doc, value_span))]
    assert f"角色 {value_span.role}" in element.attrs["title"]
    assert "比较符 >=" in element.attrs["title"]
    assert f"数值 {format_value(value_span.value)} {value_span.unit}" in element.attrs["title"]
    assert format_value(3908800.0) == "3,908,800.0" and format_value(4.6e-06) == "0.0000046"
    # the value table lists each value with its links
    linked = next(r for r in value_doc.relations if r.head == value_span.id)
    tail = value_doc.span_by_id()[linked.tail]
    assert f"{LINK_NAMES[linked.type]}：{value_doc.surface(tail)}" in element.attrs["title"]


def test_misses_and_false_alarms_are_marked_and_listed(gold):
    pred, misses, alarms = with_errors(gold)
    page = render_review(pred, gold)
    parsed = collect(page)
    pred_elements = [e for e in parsed.found if e.section == "pred"]
    gold_elements = [e for e in parsed.found if e.section == "gold"]
    assert len(pred_elements) == sum(len(d.spans) for d in pred)
    assert len(gold_elements) == sum(len(d.spans) for d in gold)
    n_alarms = sum(len(v) for v in alarms.values())
    n_misses = sum(len(v) for v in misses.values())
    assert n_alarms and n_misses
    assert sum("false-alarm" in e.attrs["class"].split() for e in pred_elements) == n_alarms
    assert sum("miss" in e.attrs["class"].split() for e in gold_elements) == n_misses
    # rows of the misses/false-alarms table (value-table rows of false alarms carry the class too)
    miss_rows = [r for r in parsed.rows if r.attrs.get("class") == "miss" and r.text.startswith("漏标|")]
    alarm_rows = [r for r in parsed.rows if r.attrs.get("class") == "false-alarm" and r.text.startswith("误报|")]
    assert len([r for r in parsed.rows if r.attrs.get("class") == "miss"]) == n_misses
    assert len(miss_rows) == n_misses and len(alarm_rows) == n_alarms
    by_id = {d.id: d for d in gold}
    pred_by_id = {d.id: d for d in pred}
    for doc_id, spans in misses.items():
        for span in spans:
            assert any(f"|{span.label}|{by_id[doc_id].surface(span)}|" in r.text for r in miss_rows)
    for doc_id, spans in alarms.items():
        for span in spans:
            assert any(f"|{span.label}|{pred_by_id[doc_id].surface(span)}|" in r.text for r in alarm_rows)


def test_text_is_escaped_and_the_page_is_self_contained():
    text = '报告<script>alert("x")</script>\n预算执行率为<b>95%</b>&更多。'
    start = text.index("95%")
    ind = text.index("预算执行率")
    doc = Document(id="evil<id>", text=text, meta={"note": "<i>"},
                   spans=[Span("T1", ind, ind + 5, "INDICATOR"),
                          Span("T2", start, start + 3, "PERCENT", role="actual", value=0.95, unit="ratio", cmp="=",
                               approx=False)],
                   relations=[Relation("T2", "T1", "indicator")])
    page = render_review([doc], [doc])
    assert "<script" not in page and "<b>" not in page and "evil<id>" not in page
    assert "&lt;script&gt;" in page and "evil&lt;id&gt;" in page
    for external in ("http://", "https://", "<link", " src=", "@import", "url("):
        assert external not in page
    assert "\ue000" not in page  # every attribute marker was replaced
    assert len(collect(page).found) == 4  # two predicted + two gold renderings


def test_cli_writes_the_page(tmp_path, gold):
    pred, _, _ = with_errors(gold[:2])
    pred_file, gold_file, out = tmp_path / "pred.jsonl", tmp_path / "gold.jsonl", tmp_path / "review.html"
    write_jsonl(pred, pred_file)
    write_jsonl(gold[:2], gold_file)
    assert main([str(pred_file), "--gold", str(gold_file), "-o", str(out)]) == 0
    assert 'class="miss"' in out.read_text(encoding="utf-8")


def _chromium(*args: str, user_dir: Path) -> subprocess.CompletedProcess:
    cmd = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           f"--user-data-dir={user_dir}", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=180)


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is absent (CI installs it: apt-get install -y chromium)")
def test_page_renders_in_headless_chromium(tmp_path, gold):
    page = tmp_path / "review.html"
    page.write_text(render_review(gold), encoding="utf-8")
    dom = _chromium("--dump-dom", page.as_uri(), user_dir=tmp_path / "profile")
    assert dom.returncode == 0, dom.stderr[-2000:]
    found = collect(dom.stdout).found
    assert len(found) == sum(len(d.spans) for d in gold)
    assert {e.attrs["data-label"] for e in found} == {"MONEY", "PERCENT", "INDICATOR", "PROJECT"}
    shot = tmp_path / "shot.png"
    run = _chromium(f"--screenshot={shot}", "--window-size=1200,900", page.as_uri(), user_dir=tmp_path / "profile2")
    assert run.returncode == 0, run.stderr[-2000:]
    data = shot.read_bytes()
    assert len(data) > 1000 and data[:8] == b"\x89PNG\r\n\x1a\n"
