"""The four tables an analyst reads, as plain rows: summary (one row per report), values (one per
MONEY/PERCENT value), checks (one per finding, with its sentence) and indicators (target beside
actual, met or not). :mod:`pipeline.workbook` writes them to .xlsx, :func:`pipeline.api.to_frames`
turns them into pandas DataFrames; both take the columns from :data:`COLUMNS`.

Headers and the words in cells (roles, kinds, verdicts) come in Chinese (``zh``, the default) or
English (``en``); numbers are typed (yuan, 万元, fractions, scores) and formatted by the writer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pipeline.document import Document

if TYPE_CHECKING:
    from pipeline.summary import Budget, IndicatorRow

LANGS = ("zh", "en")
SHEETS = ("summary", "values", "checks", "indicators")
SHEET_TITLES = {"zh": {"summary": "汇总", "values": "数值", "checks": "核对提示", "indicators": "指标"},
                "en": {"summary": "summary", "values": "values", "checks": "checks", "indicators": "indicators"}}
WAN = 10_000.0


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    en: str
    kind: str = "text"  # text, int, wan (万元, the unit not in the header), amount, ratio, score
    width: int = 12

    def header(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


C = Column
COLUMNS: dict[str, tuple[Column, ...]] = {
    "summary": (
        C("document", "报告", "report", width=28), C("department", "单位", "department", width=24),
        C("fiscal_year", "年度", "fiscal year", "int", 8), C("report_kind", "类型", "kind", width=12),
        C("budget", "预算数", "budget", "wan", 14), C("spent", "执行数", "spending", "wan", 14),
        C("rate", "执行率", "execution rate", "ratio", 10), C("indicators", "指标数", "indicators", "int", 8),
        C("unmet", "未达标指标", "indicators missed", "int", 10), C("checks", "核对提示", "findings", "int", 9),
        C("self_score", "自评得分", "self-assessed score", "score", 9),
        C("basis", "预算口径", "budget basis", width=26), C("source", "来源", "source", width=30),
    ),
    "values": (
        C("document", "报告", "report", width=24), C("project", "项目", "project", width=28),
        C("indicator", "指标", "indicator", width=22), C("role", "角色", "role", width=8),
        C("label", "类别", "label", width=8), C("yuan", "金额（元）", "amount (yuan)", "amount", 16),
        C("wan", "金额（万元）", "amount (10k yuan)", "amount", 14), C("ratio", "比率", "ratio", "ratio", 10),
        C("cmp", "比较符", "cmp", width=7), C("approx", "约数", "approx", width=6), C("per", "每", "per", width=6),
        C("surface", "原文", "surface", width=14), C("sentence", "所在句", "sentence", width=60),
        C("start", "起", "start", "int", 7), C("end", "止", "end", "int", 7), C("score", "置信度", "score", "score", 8),
    ),
    "checks": (
        C("document", "报告", "report", width=24), C("kind", "类型", "kind", width=12),
        C("message", "提示", "message", width=60), C("surfaces", "涉及原文", "surfaces", width=30),
        C("sentence", "所在句", "sentence", width=60), C("spans", "标注", "spans", width=14),
        C("start", "起", "start", "int", 7),
    ),
    "indicators": (
        C("document", "报告", "report", width=24), C("project", "项目", "project", width=28),
        C("indicator", "指标", "indicator", width=26), C("target", "目标值", "target", width=12),
        C("actual", "实际值", "actual", width=12), C("met", "是否达标", "met", width=10),
        C("sentence", "所在句", "sentence", width=60),
    ),
}

WORDS = {
    "zh": {"target": "目标", "actual": "实际", "change": "变化", "other": "其他", "MONEY": "金额", "PERCENT": "比率",
           "department": "部门整体支出", "project": "项目支出", True: "是", False: "否",
           "sum": "合计不符", "rate": "比率不符", "score": "得分不符", "unit": "单位疑误", "unmet": "指标未达标",
           "met": "达标", "missed": "未达标", "not judged": "未判断", "no actual": "缺实际值", "no target": "缺目标值",
           "table": "自评表合计行", "document": "全文金额", "projects": "项目合计（{n}个）",
           "scopes differ": "；执行数超出预算数两成以上，口径不一，未算执行率"},
    "en": {True: "yes", False: "no", "MONEY": "money", "PERCENT": "percent", "table": "table total row",
           "document": "document-level amounts", "projects": "sum over {n} projects",
           "scopes differ": "; spending exceeds the budget by over 20%: different scopes, no rate"},
}
_CMP_SIGN = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "=": "="}
_OFFSETS = re.compile(r"字符(\d+)[–-](\d+)")


def word(lang: str, key: Any) -> Any:
    """A cell word in ``lang`` (English keeps the codes: target, sum, met…)."""
    return WORDS[lang].get(key, key)


def _check_lang(lang: str) -> None:
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; choose one of {', '.join(LANGS)}")


@dataclass
class View:
    """What the sheets show of one report, worked out once: its fields, findings, budget figures and
    indicator rows (from the prediction where it has them, else from the text: gold, old files)."""

    doc: Document
    fields: dict[str, Any]
    checks: list[dict[str, Any]]
    budget: Budget
    indicators: list[IndicatorRow]


def view(doc: Document) -> View:
    from pipeline.checks import checks_and_pairs
    from pipeline.fields import FIELDS, report_fields
    from pipeline.summary import budget_figures, indicator_rows
    from pipeline.tables import read_tables

    fields = {k: doc.meta[k] for k in FIELDS if doc.meta.get(k) is not None} or report_fields(doc.text)
    tables = read_tables(doc.text)
    found, pairs = checks_and_pairs(doc, tables)
    checks = doc.checks or [c.to_json() for c in found]
    return View(doc, fields, checks, budget_figures(doc, tables), indicator_rows(doc, pairs))


def _views(docs: Iterable[Document | View]) -> list[View]:
    return [d if isinstance(d, View) else view(d) for d in docs]


def summary_rows(docs: Iterable[Document | View], lang: str = "zh") -> list[dict[str, Any]]:
    """One row per report: unit, year, kind, budget and spending (万元), rate, indicators, findings."""
    from pipeline.summary import indicator_counts

    _check_lang(lang)
    rows = []
    for v in _views(docs):
        doc, fields, checks, money = v.doc, v.fields, v.checks, v.budget
        n_indicators, n_unmet = indicator_counts(v.indicators)
        basis = str(word(lang, money.basis)).format(n=money.projects) if money.basis else ""
        if money.budget and money.spent is not None and not money.comparable:
            basis += word(lang, "scopes differ")
        rows.append({
            "document": doc.id, "department": fields.get("department"), "fiscal_year": fields.get("fiscal_year"),
            "report_kind": word(lang, fields["report_kind"]) if fields.get("report_kind") else None,
            "budget": None if money.budget is None else money.budget / WAN,
            "spent": None if money.spent is None else money.spent / WAN,
            "rate": money.rate, "indicators": n_indicators, "unmet": n_unmet, "checks": len(checks),
            "self_score": fields.get("self_score"), "basis": basis, "source": doc.meta.get("source"),
        })
    return rows


def value_rows(docs: Iterable[Document | View], lang: str = "zh") -> list[dict[str, Any]]:
    """One row per value: yuan and 万元 for money, the fraction for percentages, and its sentence."""
    from pipeline.write import value_rows as flat_rows

    _check_lang(lang)
    rows = []
    for doc in (d.doc if isinstance(d, View) else d for d in docs):
        labels = {(s.start, s.end): s.label for s in doc.spans}
        for flat in flat_rows(doc):
            label = labels[(flat["start"], flat["end"])]
            money = label == "MONEY"
            value = flat["value"]
            rows.append({
                "document": flat["document"], "project": flat["project"], "indicator": flat["indicator"],
                "role": word(lang, flat["role"]), "label": word(lang, label),
                "yuan": value if money else None, "wan": value / WAN if money and value is not None else None,
                "ratio": None if money else value, "cmp": _CMP_SIGN.get(flat["cmp"] or "=", flat["cmp"]),
                "approx": word(lang, bool(flat["approx"])), "per": flat["per"], "surface": flat["surface"],
                "sentence": flat["sentence"], "start": flat["start"], "end": flat["end"], "score": flat["score"],
            })
    return rows


def _line_at(text: str, start: int, end: int) -> str:
    left = text.rfind("\n", 0, start) + 1
    right = text.find("\n", end)
    return text[left : right if right >= 0 else len(text)].strip()


def check_rows(docs: Iterable[Document | View], lang: str = "zh") -> list[dict[str, Any]]:
    """One row per finding, with the surfaces it names and the sentence (or table line) it is about."""
    from pipeline.write import sentence_around

    _check_lang(lang)
    rows = []
    for v in _views(docs):
        doc = v.doc
        by_id = doc.span_by_id()
        for check in v.checks:
            spans = [by_id[i] for i in check["spans"] if i in by_id]
            if spans:
                first = min(spans, key=lambda s: s.start)
                start, sentence = first.start, sentence_around(doc.text, first.start, first.end)
            else:  # a finding about a whole table (score totals) names where it is in the text
                m = _OFFSETS.search(check["message"])
                start = int(m.group(1)) if m else None
                sentence = _line_at(doc.text, int(m.group(1)), int(m.group(2))) if m else ""
            rows.append({
                "document": doc.id, "kind": word(lang, check["kind"]), "message": check["message"],
                "surfaces": "；".join(doc.surface(s) for s in spans), "sentence": sentence,
                "spans": ",".join(check["spans"]), "start": start,
            })
    return rows


def indicator_table_rows(docs: Iterable[Document | View], lang: str = "zh") -> list[dict[str, Any]]:
    """One row per indicator target/actual pair (or lone target or actual), met or not."""
    _check_lang(lang)
    rows = []
    for v in _views(docs):
        for r in v.indicators:
            if r.target_id and r.actual_id:
                verdict = {True: "met", False: "missed", None: "not judged"}[r.met]
            else:
                verdict = "no actual" if r.target_id else "no target"
            rows.append({"document": r.document, "project": r.project, "indicator": r.indicator,
                         "target": r.target, "actual": r.actual, "met": word(lang, verdict), "sentence": r.sentence})
    return rows


def sheet_rows(docs: Iterable[Document], lang: str = "zh") -> dict[str, list[dict[str, Any]]]:
    """All four sheets' rows, by sheet name (:data:`SHEETS`); each report is worked out once."""
    views = _views(docs)
    return {"summary": summary_rows(views, lang), "values": value_rows(views, lang),
            "checks": check_rows(views, lang), "indicators": indicator_table_rows(views, lang)}
