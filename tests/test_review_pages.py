"""The review site: an index with one row per report (counts, findings, misses and false alarms
linked to where they are) and one page per report; label filter in CSS; Chinese interface."""

from __future__ import annotations

import copy
import html
import re
from pathlib import Path

import pytest

from pipeline.cli.review import main
from pipeline.document import Document, read_jsonl, write_jsonl
from pipeline.review_pages import page_name, render_index, write_review_site

ROOT = Path(__file__).resolve().parents[1]
IDS = re.compile(r'\sid="([^"]+)"')
HREFS = re.compile(r'href="([^"]*)"')


@pytest.fixture(scope="module")
def gold() -> list[Document]:
    files = [ROOT / "annotations" / f"{name}.jsonl" for name in ("001_bae6ad46e6b56273", "a16_county_rural_revitalization_project")]
    return read_jsonl(files)


@pytest.fixture(scope="module")
def pred(gold) -> list[Document]:
    """Gold with one span dropped (a miss) and one shortened (a miss and a false alarm), and checks."""
    from pipeline.checks import checks_json

    out = copy.deepcopy(gold)
    for doc in out:
        dropped = doc.spans.pop(3)
        doc.relations = [r for r in doc.relations if dropped.id not in (r.head, r.tail)]
        span = next(s for s in doc.spans if s.end - s.start > 3 and s.label == "INDICATOR")
        span.end -= 1
        doc.checks = checks_json(doc)
    return out


def test_index_and_one_page_per_report(tmp_path, pred, gold):
    files = write_review_site(pred, gold, tmp_path / "site")
    assert [f.name for f in files] == ["index.html", *(page_name(n, d.id) for n, d in enumerate(pred, 1))]
    index = files[0].read_text(encoding="utf-8")
    assert 'lang="zh-CN"' in index and "目录" in index and "漏标" in index and "误报" in index
    for n, doc in enumerate(pred, 1):
        assert f'href="{page_name(n, doc.id)}"' in index
    # every link of every page points to a file of the site and, after #, to an element that exists
    pages = {f.name: f.read_text(encoding="utf-8") for f in files}
    for name, page in pages.items():
        assert "<script" not in page and "http" not in page and " src=" not in page
        for href in HREFS.findall(page):
            target, _, anchor = href.partition("#")
            target_page = pages[target] if target else page
            if anchor:
                assert anchor in IDS.findall(target_page), (name, href)


def test_misses_and_false_alarms_are_counted_and_linked(tmp_path, pred, gold):
    files = write_review_site(pred, gold, tmp_path / "site")
    index = files[0].read_text(encoding="utf-8")
    first = files[1].read_text(encoding="utf-8")
    # one miss dropped and one shortened: two misses, one false alarm per report
    assert re.search(r'<td class="n"><a href="001-[^"]+#d1g-T\d+">2</a></td><td class="n"><a href="001-[^"]+#d1p-T\d+">1</a>', index)
    assert "跳到漏标" in first and "跳到误报" in first
    assert first.count('class="displacy-span miss"') == 2 and first.count('class="displacy-span false-alarm"') == 1


def test_checks_are_listed_with_links_to_their_spans(tmp_path, pred, gold):
    files = write_review_site(pred, None, tmp_path / "site")
    index = files[0].read_text(encoding="utf-8")
    report = next(d for d in pred if d.id.startswith("001_"))
    assert report.checks and "合计不符" in index
    page = files[1].read_text(encoding="utf-8")
    for check in report.checks:
        assert html.escape(check["message"]) in page
        for span in check["spans"]:
            assert f'href="#d1p-{span}"' in page and f'id="d1p-{span}"' in page


def test_label_filter_is_css_over_data_labels(tmp_path, pred):
    page = write_review_site(pred[:1], None, tmp_path / "site")[1].read_text(encoding="utf-8")
    for label in ("MONEY", "PERCENT", "INDICATOR", "PROJECT"):
        assert f'<input class="filter" type="checkbox" id="f-{label}" checked>' in page
        assert f'#f-{label}:not(:checked) ~ main tr[data-label="{label}"] {{ display: none; }}' in page
    assert '<tr class="" data-label="MONEY">' in page or 'data-label="MONEY"><td>' in page


def test_index_without_gold_has_no_gold_columns(pred):
    index = render_index(pred)
    assert "<th>F1</th>" not in index and "<th>核对提示</th>" in index


def test_cli_folder_or_single_page(tmp_path, pred, gold, capsys):
    pred_file, gold_file = tmp_path / "pred.jsonl", tmp_path / "gold.jsonl"
    write_jsonl(pred, pred_file)
    write_jsonl(gold, gold_file)
    assert main([str(pred_file), "--gold", str(gold_file), "-o", str(tmp_path / "site")]) == 0
    assert (tmp_path / "site" / "index.html").exists() and len(list((tmp_path / "site").glob("*.html"))) == 3
    assert main([str(pred_file), "-o", str(tmp_path / "one.html")]) == 0
    page = (tmp_path / "one.html").read_text(encoding="utf-8")
    assert 'id="doc-2"' in page and "抽取结果审阅" in page


CHROMIUM = Path("/usr/bin/chromium")


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is absent (CI installs it: apt-get install -y chromium)")
def test_report_page_renders_and_gives_the_readme_screenshot(tmp_path, pred, gold):
    """The page of a report with misses and false alarms, in headless Chromium. With
    PERFREPORT_SCREENSHOT=1 the screenshot is kept as docs/review.png (the README's picture)."""
    import os
    import shutil
    import subprocess

    page = write_review_site(pred, gold, tmp_path / "site")[1]
    shot = tmp_path / "review.png"
    cmd = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
           "--disable-background-networking", f"--user-data-dir={tmp_path / 'profile'}",
           f"--screenshot={shot}", "--window-size=1280,1000", page.as_uri()]
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    if os.environ.get("PERFREPORT_SCREENSHOT"):
        (ROOT / "docs").mkdir(exist_ok=True)
        shutil.copy2(shot, ROOT / "docs" / "review.png")
