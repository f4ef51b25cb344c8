"""Issue 11's acceptance case end to end: one invented 自评表 as .html, .xlsx, .docx and .pdf,
through the shipped model (reader → tagger → table layer → values → linker)."""

from __future__ import annotations

from pathlib import Path

import pytest

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "tables"
PROJECT = "青川县法律援助经费"


@pytest.mark.slow
@pytest.mark.parametrize("suffix", [".html", ".xlsx", ".docx", ".pdf"])
def test_the_form_in_every_file_format(suffix):
    from pipeline.api import extract_file

    doc = extract_file(SAMPLES / f"t00_county_legal_aid_form{suffix}")
    by_id = {s.id: s for s in doc.spans}

    def surface(span) -> str:
        return doc.text[span.start : span.end]

    links: dict[str, set[tuple[str, str]]] = {}
    for r in doc.relations:
        links.setdefault(surface(by_id[r.head]), set()).add((r.type, surface(by_id[r.tail])))
    values = {surface(s): (s.label, s.value, s.role) for s in doc.spans if s.is_value}
    # the three budget numbers, in yuan, target / target / actual, owned by the 项目名称 project
    assert values["120.00"] == ("MONEY", 1200000.0, "target")
    assert values["126.50"] == ("MONEY", 1265000.0, "target")
    assert values["118.20"] == ("MONEY", 1182000.0, "actual")
    for amount in ("120.00", "126.50", "118.20"):
        assert links[amount] == {("project", PROJECT)}
    # the execution rate, linked to 执行率 and the project
    assert values["93.44%"] == ("PERCENT", 0.9344, "actual")
    assert links["93.44%"] == {("indicator", "执行率"), ("project", PROJECT)}
    # both indicator rows: target and actual linked to their 三级指标
    actual = "98.6%" if "98.6%" in values else "98.60%"  # Excel shows the cell's own format
    assert values["95%"][2] == "target" and values[actual][2] == "actual"
    assert ("indicator", "法律援助案件办结率") in links["95%"] and ("indicator", "法律援助案件办结率") in links[actual]
    assert values["90%"][2] == "target" and values["96%"][2] == "actual"
    assert ("indicator", "受援群众满意度") in links["90%"] and ("indicator", "受援群众满意度") in links["96%"]
    # report fields from the title line
    assert (doc.meta["department"], doc.meta["fiscal_year"], doc.meta["report_kind"]) == ("青川县司法局", 2023, "project")
