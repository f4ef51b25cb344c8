"""PROJECT candidates that own an amount (pipeline/projects.py), on invented sentences."""

from __future__ import annotations

from pipeline.document import Document, Span
from pipeline.projects import ProjectOwnerModel, candidates, propagate


def names(text: str) -> list[str]:
    return [text[c.start : c.end] for c in candidates(text)]


def test_chain_of_items_before_their_targets():
    text = "普法宣传绩效目标18万元，人民调解员补贴绩效目标9万元，法律援助值班补贴绩效目标3万元，实际支出2.6万元。"
    assert names(text)[:3] == ["普法宣传", "人民调解员补贴", "法律援助值班补贴"]


def test_lead_words_budget_codes_and_spending_are_left_out():
    text = "其中：孤儿保障资金3.60万元；51092399R000000012345-敬老院运行经费18.20万元；冬春生活救助支出1.95万元。"
    assert names(text) == ["孤儿保障资金", "敬老院运行经费", "冬春生活救助"]  # SCHEMA: 资金 is part of a title, 支出 is not


def test_no_candidate_across_punctuation():
    assert names("全年共下达，50万元") == []


def _doc(text: str, projects: list[str]) -> Document:
    spans = []
    for k, p in enumerate(projects):
        start = text.index(p)
        spans.append(Span(id=f"T{k}", start=start, end=start + len(p), label="PROJECT"))
    return Document(id="x", text=text, spans=spans)


def test_model_learns_which_candidates_are_projects():
    train = [
        _doc("敬老院运行经费18万元；孤儿保障资金3万元；人员经费120万元。", ["敬老院运行经费", "孤儿保障资金"]),
        _doc("婚姻登记服务绩效目标6万元，基本支出300万元。", ["婚姻登记服务"]),
        _doc("殡葬改革奖补绩效目标40万元，公用经费80万元。", ["殡葬改革奖补"]),
    ] * 3
    model = ProjectOwnerModel(threshold=0.5).fit(train)
    text = "流浪乞讨救助绩效目标5万元，人员经费90万元。"
    found = {text[s:e] for s, e, _ in model.predict(text)}
    assert "流浪乞讨救助" in found
    assert "人员经费" not in found


def test_model_round_trips(tmp_path):
    model = ProjectOwnerModel().fit([_doc("敬老院运行经费18万元；人员经费120万元。", ["敬老院运行经费"])] * 2)
    model.save(tmp_path)
    back = ProjectOwnerModel.load(tmp_path)
    text = "敬老院运行经费20万元。"
    assert back.predict(text) == model.predict(text)


def test_propagate_marks_other_mentions():
    text = "一、乡村公路养护经费\n乡村公路养护经费全年执行98%。"
    added = propagate(text, [(2, 10, "PROJECT")], [(2, 10)])
    assert added == [(11, 19, "PROJECT")]


def test_form_and_attachment_titles_name_their_project():
    from pipeline.projects import title_projects

    def found(t: str) -> list[str]:
        return [t[s:e] for s, e in title_projects(t)]

    assert found("17.2022年中央自然灾害救灾资金（旱灾）项目绩效自评表") == ["2022年中央自然灾害救灾资金（旱灾）项目"]
    assert found("农村义务教育学生营养改善计划项目支出绩效自评表") == ["农村义务教育学生营养改善计划"]
    assert found("附件2：丰都县综合应急救援支队过渡性营房及临时库房装修项目绩效自评表") == [
        "丰都县综合应急救援支队过渡性营房及临时库房装修项目"]
    assert found("现将某县农业农村局高标准农田建设补助资金项目绩效自评情况报告如下") == ["高标准农田建设补助资金项目"]
    assert found("青川县司法局2023年度项目支出绩效自评表") == []  # a form title with no project in it
    assert found("某县应急管理局2022年度部门整体支出绩效自评报告") == []


def test_a_unit_is_a_project_only_where_it_owns_an_amount():
    from pipeline.projects import is_organisation

    text = "所属事业单位为县公证处和县法律援助中心。县公证处绩效目标14万元"
    assert is_organisation(text, 7, 11)  # 县公证处 as an organisation
    assert not is_organisation(text, 21, 25)  # 县公证处 as a spending item
