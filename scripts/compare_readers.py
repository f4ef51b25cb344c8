"""Measure the candidate libraries for each input format on the bundled 自评表 samples.

For HTML (inscriptis vs trafilatura), PDF (pdfplumber vs pypdf) and XLSX (openpyxl vs
python-calamine) it prints, per library: the median time of 5 reads, how many table rows came
out as rows (lines of 3 or more cells), whether the page furniture was left out, whether the title
(which names unit, year and kind) was kept, and whether the execution rate reads as shown (``93.44%``). Run: ``python scripts/compare_readers.py``.
"""

from __future__ import annotations

import io
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "tables" / "t00_county_legal_aid_form"


def rows(text: str) -> int:
    return sum(1 for line in text.splitlines() if len([c for c in line.replace("|", "\t").split("\t") if c.strip()]) >= 3)


def timed(read) -> tuple[float, str]:
    times, text = [], ""
    for _ in range(5):
        t0 = time.perf_counter()
        text = read()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), text


def html_candidates(data: bytes):
    import trafilatura

    from pipeline.readers import read_html

    yield "inscriptis (project reader)", lambda: read_html(SAMPLE.with_suffix(".html"), data).text
    yield "trafilatura", lambda: trafilatura.extract(data.decode("utf-8"), include_tables=True) or ""


def pdf_candidates(data: bytes):
    from pypdf import PdfReader

    from pipeline.readers import read_pdf

    yield "pdfplumber (project reader)", lambda: read_pdf(SAMPLE.with_suffix(".pdf"), data).text
    yield "pypdf text layer", lambda: "\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages)


def xlsx_candidates(data: bytes):
    from pipeline.readers import _calamine_sheets, _openpyxl_sheets

    def render(sheets) -> str:
        return "\n".join("\t".join(row) for _, rows_ in sheets for row in rows_)

    yield "openpyxl (project reader)", lambda: render(_openpyxl_sheets(data))
    yield "python-calamine", lambda: render(_calamine_sheets(data))


def main() -> int:
    print("| format | library | median read (ms) | table rows | furniture left out | title kept | rate as shown |")
    print("| --- | --- | ---: | ---: | --- | --- | --- |")
    for suffix, candidates in ((".html", html_candidates), (".pdf", pdf_candidates), (".xlsx", xlsx_candidates)):
        data = SAMPLE.with_suffix(suffix).read_bytes()
        for name, read in candidates(data):
            seconds, text = timed(read)
            furniture = "—" if suffix != ".html" else ("yes" if "网站标识码" not in text and "首页" not in text else "no")
            title = "yes" if "2023年度项目支出绩效自评表" in text else "no"
            print(f"| {suffix} | {name} | {seconds * 1000:.1f} | {rows(text)} | {furniture} | {title} | "
                  f"{'yes' if '93.44%' in text else 'no'} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
