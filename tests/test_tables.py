"""The table layer (pipeline/tables.py): every flattened layout of one invented 自评表 reads the same.

The form below is invented for these tests. Each layout test writes the same cells the way real
reports arrive (SCHEMA §4a) and checks the facts §4a asks for: the three budget numbers as MONEY
in yuan with roles target/target/actual, the execution rate as PERCENT linked to 执行率, every
value linked to the 项目名称 project, and each indicator row's target and actual linked to its
三级指标.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.read import read_reports
from pipeline.tables import read_tables, split_cells

ROWS = [
    ["项目名称", "51092399R000000012345-乡村公路养护经费"],
    ["项目资金（万元）", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
    ["年度资金总额", "850.00", "900.00", "873.30", "10", "97.03%", "9.7"],
    ["其中：财政拨款", "850.00", "850.00", "830.00", "—", "97.65%", "—"],
    ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"],
    ["产出指标", "质量指标", "路面优良率", "≥85%", "88.4%", "20", "20"],
    ["效益指标", "社会效益指标", "群众出行满意度", "≥90%", "93%", "10", "10"],
    ["总分", "100", "97.7"],
]
TITLE = "某县交通运输局2023年度项目支出绩效自评表"
FOOT = "填报说明：预算执行率未达到90%的需说明原因。"


def layout(name: str) -> str:
    if name == "tab":
        body = "\n".join("\t".join(r) for r in ROWS)
    elif name == "pipe":
        body = "\n".join("|".join(r) + "||||" for r in ROWS)
    elif name == "cell_per_line":
        body = "\n".join(f"{c} |" for r in ROWS for c in r)
    elif name == "blank_line_cells":
        body = "\n\n".join(c for r in ROWS for c in r) + "\n\n\u00a0"
    elif name == "space_row":
        body = "\n".join(" ".join(r) for r in ROWS)
    else:
        raise ValueError(name)
    return f"{TITLE}\n{body}\n{FOOT}\n"


def facts(text: str) -> dict[str, tuple]:
    """surface → (label, value, role, cmp, sorted link surfaces), over every table of the text."""
    out = {}
    for table in read_tables(text):
        for k, s in enumerate(table.spans):
            links = sorted((kind, text[table.spans[b].start : table.spans[b].end]) for a, b, kind in table.links if a == k)
            key = text[s.start : s.end]
            while key in out:
                key += "'"
            out[key] = (s.label, s.value, s.role, s.cmp, links)
    return out


PROJECT = ("project", "乡村公路养护经费")


@pytest.mark.parametrize("name", ["tab", "pipe", "cell_per_line", "blank_line_cells", "space_row"])
def test_every_layout_gives_the_facts_of_the_form(name):
    got = facts(layout(name))
    assert got["乡村公路养护经费"][0] == "PROJECT"  # the budget code in front is left out
    assert got["850.00"] == ("MONEY", 8500000.0, "target", "=", [PROJECT])
    assert got["900.00"] == ("MONEY", 9000000.0, "target", "=", [PROJECT])
    assert got["873.30"] == ("MONEY", 8733000.0, "actual", "=", [PROJECT])
    assert got["97.03%"] == ("PERCENT", 0.9703, "actual", "=", [("indicator", "执行率"), PROJECT])
    assert got["执行率"][0] == "INDICATOR"
    assert got["85%"] == ("PERCENT", 0.85, "target", ">=", [("indicator", "路面优良率"), PROJECT])
    assert got["88.4%"] == ("PERCENT", 0.884, "actual", "=", [("indicator", "路面优良率"), PROJECT])
    assert got["90%"] == ("PERCENT", 0.9, "target", ">=", [("indicator", "群众出行满意度"), PROJECT])
    assert got["93%"] == ("PERCENT", 0.93, "actual", "=", [("indicator", "群众出行满意度"), PROJECT])
    # 分值, 得分, 总分 and the filling instruction give nothing
    surfaces = set(got)
    assert not surfaces & {"10", "20", "9.7", "100", "97.7"}
    assert "90%'" not in surfaces  # the 90% of the 填报说明 is template text


def test_unit_line_before_the_table_scales_bare_numbers():
    text = "单位：元\n项目名称\t办公设备购置\n项目资金\t年初预算数\t全年执行数\n年度资金总额\t12000\t11800\n"
    got = facts(text)
    assert got["12000"][:3] == ("MONEY", 12000.0, "target")
    assert got["11800"][:3] == ("MONEY", 11800.0, "actual")


def test_unit_and_percent_in_the_next_cell_and_comparator_cell():
    text = ("项目名称|防汛物资储备\n"
            "项目资金（万元）|年初预算数|全年执行数|执行率\n"
            "年度资金总额|40|38.5|96.25|%\n"
            "一级指标|二级指标|三级指标|年度指标值|||实际完成值||分值|得分\n"
            "产出指标|数量指标|物资储备达标率|≥|95|%|100|%|10|10\n")
    got = facts(text)
    assert got["96.25"][:3] == ("PERCENT", 0.9625, "actual")
    assert got["95"][:4] == ("PERCENT", 0.95, "target", ">=")
    assert got["100"][:3] == ("PERCENT", 1.0, "actual")


def test_project_column_gives_each_row_its_project():
    text = ("序号\t项目名称\t预算数（万元）\t执行数（万元）\t执行率\n"
            "1\t农村饮水安全维修养护\t120.5\t118.2\t98.09%\n"
            "2\t山洪灾害防治\t80\t64\t80.00%\n"
            "合计\t\t200.5\t182.2\t90.87%\n")
    got = facts(text)
    assert got["120.5"] == ("MONEY", 1205000.0, "target", "=", [("project", "农村饮水安全维修养护")])
    assert got["64"] == ("MONEY", 640000.0, "actual", "=", [("project", "山洪灾害防治")])
    assert got["200.5"][4] == []  # a total row links to no project
    assert "合计" not in got


def test_department_form_has_no_project():
    text = ("部门（单位）名称\t某区统计局\n"
            "年度预算申请（万元）\t年初预算数\t全年预算数\t全年执行数\t分值\t执行率\t得分\n"
            "年度资金总额\t320.00\t335.60\t330.10\t10\t98.36%\t9.8\n")
    got = facts(text)
    assert got["320.00"] == ("MONEY", 3200000.0, "target", "=", [])
    assert got["98.36%"][4] == [("indicator", "执行率")]


def test_prose_is_not_a_table():
    text = "2023年部门预算收入1200万元，其中财政拨款1000万元。全年支出1150万元，执行率95.83%。\n"
    assert read_tables(text) == []


def test_cells_keep_offsets_into_the_text():
    text = layout("pipe")
    for cell in split_cells(text):
        assert text[cell.start : cell.end] == cell.text


SAMPLES = Path(__file__).resolve().parents[1] / "data" / "tables"


@pytest.mark.parametrize("suffix", [".html", ".xlsx", ".docx", ".pdf"])
def test_one_form_in_four_file_formats(suffix):
    """The invented form of scripts/make_table_samples.py, as each reader renders it."""
    report = read_reports(SAMPLES / f"t00_county_legal_aid_form{suffix}")[0]
    got = facts(report.text)
    project = ("project", "青川县法律援助经费")
    assert [got[k][:3] for k in ("120.00", "126.50", "118.20")] == [
        ("MONEY", 1200000.0, "target"), ("MONEY", 1265000.0, "target"), ("MONEY", 1182000.0, "actual")]
    assert all(got[k][4] == [project] for k in ("120.00", "126.50", "118.20"))
    assert got["93.44%"] == ("PERCENT", 0.9344, "actual", "=", [("indicator", "执行率"), project])
    rate = "98.6%" if "98.6%" in got else "98.60%"  # Excel shows the cell's own format
    assert got["95%"] == ("PERCENT", 0.95, "target", ">=", [("indicator", "法律援助案件办结率"), project])
    assert got[rate][:3] == ("PERCENT", 0.986, "actual")
    assert got[rate][4] == [("indicator", "法律援助案件办结率"), project]
    assert got["96%"][4] == [("indicator", "受援群众满意度"), project]


def test_table_spans_are_made_even_inside_a_segmenter_token():
    """jieba reads ``…12345-信访…`` as one word; the table layer splits it at the cell's edge."""
    from pipeline.train import blank_nlp

    nlp = blank_nlp("jieba")
    nlp.add_pipe("perfreport_tables")
    text = ("项目名称|51152223T000007731290-信访积案化解资金\n"
            "项目资金（万元）|年初预算数|全年预算数|全年执行数|分值|执行率|得分\n"
            "年度资金总额|120.00|138.50|131.72|10|95.10%|9.5\n")
    doc = nlp(text)
    ents = {(e.label_, e.text) for e in doc.ents}
    assert ("PROJECT", "信访积案化解资金") in ents
    assert {("MONEY", "120.00"), ("MONEY", "138.50"), ("MONEY", "131.72"), ("PERCENT", "95.10%")} <= ents
    assert doc.text == text  # splitting tokens never changes the text


def test_one_unit_cell_serves_target_and_actual():
    text = ("项目名称|帮扶救助\n一级指标|二级指标|三级指标|年度指标值|||实际完成值|分值|得分\n"
            "产出指标|成本指标|户均帮扶救助标准|≤|5000|元|4511|5|5\n")
    got = facts(text)
    assert got["5000"][:4] == ("MONEY", 5000.0, "target", "<=")
    assert got["4511"][:3] == ("MONEY", 4511.0, "actual")
