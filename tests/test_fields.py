"""Report fields (SCHEMA.md §1 meta): department, fiscal year, report kind and self-assessed score,
read from invented texts, each only where the text says it; and their accuracy on the gold meta."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.document import Document, read_jsonl
from pipeline.fields import FIELDS, fields_accuracy, gold_fields, report_fields

ROOT = Path(__file__).resolve().parent.parent


def test_one_line_title():
    text = "XX县司法局2023年度部门整体支出绩效自评报告\n一、部门基本情况\n经自评，本部门自评得分96.5分，等级为“优”。"
    assert report_fields(text) == {
        "department": "XX县司法局",
        "fiscal_year": 2023,
        "report_kind": "department",
        "self_score": 96.5,
    }


def test_unit_on_its_own_line_and_project_title():
    text = "某县教育局(本级)\n\n2024年度项目支出绩效自评报告\n一、项目基本情况\n"
    assert report_fields(text) == {"department": "某县教育局", "fiscal_year": 2024, "report_kind": "project"}


def test_year_before_the_unit_and_title_over_two_lines():
    text = "2023年度岳阳市应急管理局整体支出\n\n绩效自评报告\n对照评分标准，2023年部门整体绩效评价为99分。"
    assert report_fields(text) == {
        "department": "岳阳市应急管理局",
        "fiscal_year": 2023,
        "report_kind": "department",
        "self_score": 99.0,
    }


def test_the_year_evaluated_not_the_year_of_publication():
    text = "青山县水利局\n2022 年度部门整体支出绩效自评报告\n……\n青山县水利局\n2023年4月10日"
    assert report_fields(text)["fiscal_year"] == 2022
    undated = "青山县水利局部门整体支出绩效自评报告\n……\n青山县水利局\n2023年4月10日"
    assert "fiscal_year" not in report_fields(undated)


def test_title_with_year_but_no_kind_words_on_its_line():
    text = "邑川县住房和城乡建设局\n2024年城镇住房保障家庭租赁补贴资金\n项目支出绩效自评报告\n一、项目概况"
    assert report_fields(text) == {"department": "邑川县住房和城乡建设局", "fiscal_year": 2024, "report_kind": "project"}


def test_project_form_with_tab_cells():
    text = (
        "项目支出绩效自评表\n（2022年度）\n"
        "项目名称\t51092322R000000018836-小型水库维修养护补助资金\n"
        "主管部门\t桐溪县水利局\t实施单位\t桐溪县水库管理所\n"
        "一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t分值\t得分\n"
        "产出指标\t数量指标\t维修养护水库数量\t14座\t14座\t90\t86\n"
        "总分\t100\t95.5\t\n"
    )
    assert report_fields(text) == {
        "department": "桐溪县水利局",
        "fiscal_year": 2022,
        "report_kind": "project",
        "self_score": 95.5,
    }


def test_department_form_with_bar_cells_and_one_cell_per_line_total():
    text = (
        "部门整体支出绩效自评表\n（2023年度）\n单位：万元\n"
        "部门名称|鹤浦县市场监督管理局|||||||\n"
        "总分 |\n100 |\n98.7 |\n注：执行率=全年执行数/全年预算数。\n"
    )
    assert report_fields(text) == {
        "department": "鹤浦县市场监督管理局",
        "fiscal_year": 2023,
        "report_kind": "department",
        "self_score": 98.7,
    }


@pytest.mark.parametrize(
    ("sentence", "score"),
    [
        ("本项目自评综合得分99.6分。", 99.6),
        ("综合评分为92.5分，等级为“优”。", 92.5),
        ("经自评，该项目得分96.2分。", 96.2),
        ("本年度设置绩效指标10项，每项10分，自评得分98分。", 98.0),
        ("自评总分96.8分，等级为“优”。", 96.8),
    ],
)
def test_self_score_in_prose(sentence, score):
    text = f"某县统计局2023年度经济普查经费项目支出绩效自评报告\n{sentence}"
    assert report_fields(text)["self_score"] == score


def test_no_self_score_where_the_report_has_several():
    several = (
        "某市交通运输局\n2023年度项目支出绩效自评报告\n我局对农村公路养护专项资金等3个项目开展了自评。\n"
        "经综合评定，农村公路养护专项资金自评得分94分，城乡客运一体化补贴自评得分92分。"
    )
    assert "self_score" not in report_fields(several)
    listed = (
        "某县市场监督管理局2024年度项目支出绩效自评报告\n"
        "经评价，食品安全抽检经费自评得分98分，特种设备专项97.5分，计量检定补助经费99.5分。"
    )
    assert "self_score" not in report_fields(listed)
    two_tables = "某县文化和旅游局2022年度项目支出绩效自评情况\n总分\t100\t97.7\n总分\t100\t96.2\n"
    assert "self_score" not in report_fields(two_tables)
    item_scores = "某县教育局2023年度部门整体支出绩效自评报告\n1.预算执行率（10分）：实际为97.5%，得10分。"
    assert "self_score" not in report_fields(item_scores)  # an item's score is not the total


def test_nothing_said_nothing_returned():
    assert report_fields("一、基本情况\n本单位全年支出情况良好。") == {}


def test_doc_stands_in_for_text():
    doc = Document("d", "某县教育局2023年度部门整体支出绩效自评报告\n", {}, [], [])
    assert report_fields("", doc)["department"] == "某县教育局"


def test_gold_fields_read_old_and_new_meta_keys():
    assert gold_fields({"department": "A局", "year": 2022, "kind": "部门整体支出绩效自评报告"}) == {
        "department": "A局",
        "fiscal_year": 2022,
        "report_kind": "department",
    }
    assert gold_fields({"year": 2024, "kind": "项目支出"})["report_kind"] == "project"
    new = {"department": "B局", "fiscal_year": 2023, "report_kind": "project", "self_score": 96.7, "year": 1999}
    assert gold_fields(new) == {"department": "B局", "fiscal_year": 2023, "report_kind": "project", "self_score": 96.7}


def test_fields_accuracy_counts_only_what_gold_has():
    right = Document("r", "某县教育局2023年度部门整体支出绩效自评报告\n自评得分96.5分。", {"department": "某县教育局", "fiscal_year": 2023, "report_kind": "department", "self_score": 96.5}, [], [])
    wrong = Document("w", "某县林业局\n2022年度项目支出绩效自评报告\n", {"department": "某县林业局", "year": 2021, "kind": "项目支出"}, [], [])
    result = fields_accuracy([right, wrong])
    assert result["department"] == {"n": 2, "correct": 2, "missing": 0, "misses": [], "accuracy": 1.0}
    assert result["fiscal_year"]["misses"] == [("w", 2021, 2022)] and result["fiscal_year"]["accuracy"] == 0.5
    assert result["self_score"]["n"] == 1 and result["self_score"]["correct"] == 1


def test_gold_corpus_accuracy():
    docs = read_jsonl(sorted((ROOT / "annotations").glob("*.jsonl")), skip_bad=True)
    result = fields_accuracy(docs)
    for field in FIELDS:
        assert result[field]["n"] > 0
        assert result[field]["accuracy"] >= 0.9, (field, result[field]["misses"])
