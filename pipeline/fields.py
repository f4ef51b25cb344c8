"""What a report says of itself: department, fiscal year, report kind, self-assessed score.

SCHEMA.md §1 lets a prediction's ``meta`` carry ``department`` (the unit that reports),
``fiscal_year`` (the year evaluated, an int, not the year of publication), ``report_kind``
(``department`` for 部门整体支出, ``project`` for 项目支出) and ``self_score`` (the total
self-assessed score), each only where the text says it. :func:`report_fields` reads them from
the title lines, the form's fields (部门名称、主管部门、实施单位、填报单位), the 总分 row of a
self-evaluation table and prose such as ``自评得分96.5分``; a field the text does not settle is
left out rather than guessed (a report of three projects with three scores has no self_score).

:func:`fields_accuracy` measures it against the gold ``meta``; run
``python -m pipeline.fields annotations/*.jsonl``.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from typing import Any

from pipeline.document import Document, read_jsonl

FIELDS = ("department", "fiscal_year", "report_kind", "self_score")

# The end of a reporting unit's name.
_ORG = (
    r"[\u4e00-\u9fffA-Za-z（）()]{2,30}?"
    r"(?:局|委员会|委|办公室|办事处|中心|馆|院|站|所|厅|大队|支队|队|联合会|联合社|合作社|会|社|人民政府|政府"
    r"|法院|检察院|医院|学校|中学|小学|幼儿园|部|署|处)"
)
_ORG_NAME = re.compile(rf"^{_ORG}$")
_YEAR = r"((?:19|20)\d{2})\s*年"
# 某县教育局2023年度部门整体支出… : the unit before the year
_UNIT_YEAR = re.compile(rf"^\s*({_ORG})\s*{_YEAR}")
# 2023年度岳阳市应急管理局整体支出… : the unit after the year
_YEAR_UNIT = re.compile(rf"^\s*{_YEAR}度?\s*({_ORG})(?:部门)?(?:整体支出|项目支出|绩效)")
_FORM_UNIT = re.compile(
    r"(?:部门（单位）名称|部门\(单位\)名称|部门名称|单位名称|主管部门|填报单位|实施单位)\s*[：:|\t ]\s*\|*\s*"
    rf"({_ORG})(?=[\s|\t（(，,]|$)"
)
_TITLE_WORDS = re.compile(r"绩效|自评|评价报告")
_KIND_WORDS = re.compile(r"整体支出|项目支出")
_CAPTION_YEAR = re.compile(r"[（(]\s*((?:19|20)\d{2})\s*年度?\s*[)）]")
_SCORE = re.compile(
    r"(?:自评|综合|总|项目|绩效|评价)(?:得分|评分|总分)(?:为|是|[：:])?\s*(\d{1,3}(?:\.\d+)?)\s*分"
    r"|(?:绩效)?评价为\s*(\d{1,3}(?:\.\d+)?)\s*分"
)
_TOTAL_ROW = re.compile(r"^\s*\|*\s*总\s*分(?:[\s|\t]+(.*))?$")
_NUMBER_CELL = re.compile(r"^\d{1,3}(?:\.\d+)?$")


def _title_lines(text: str, limit: int = 6) -> list[str]:
    """The first non-empty lines, where a report's title stands."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    return lines[:limit]


def _clean_unit(name: str) -> str:
    name = re.sub(r"\s+", "", name)
    return re.sub(r"[（(]本级[)）]$", "", name)


def _department(text: str) -> str | None:
    lines = _title_lines(text)
    titles = [line for line in lines if _TITLE_WORDS.search(line)]
    for line in titles + [line for line in lines if _KIND_WORDS.search(line) and line not in titles]:
        for pattern, group in ((_UNIT_YEAR, 1), (_YEAR_UNIT, 2)):
            m = pattern.match(re.sub(r"\s+", "", line))
            if m and _ORG_NAME.match(m.group(group)) and not m.group(group).startswith("关于"):
                return _clean_unit(m.group(group))
    # a unit's name on a line of its own above the title (丰都县应急管理局(本级) / 2024年度…)
    for line in lines[:3]:
        name = _clean_unit(line)
        if _ORG_NAME.match(name) and not _TITLE_WORDS.search(name):
            return name
    m = _FORM_UNIT.search(text)
    if m:
        return _clean_unit(m.group(1))
    # the signature: a unit's name alone on a line before the date
    tail = [line.strip() for line in text.split("\n") if line.strip()][-4:]
    for line, after in zip(tail, tail[1:]):
        if _ORG_NAME.match(_clean_unit(line)) and re.match(r"^(?:19|20)\d{2}\s*年", after):
            return _clean_unit(line)
    return None


def _fiscal_year(text: str) -> int | None:
    """The year the title (or the form's caption, （2023年度）) says was evaluated."""
    for line in _title_lines(text):
        m = re.search(_YEAR, line)
        if m and (_TITLE_WORDS.search(line) or _KIND_WORDS.search(line)):
            return int(m.group(1))
    m = _CAPTION_YEAR.search(text)
    if m:
        return int(m.group(1))
    # a title split over lines (邑川县住房和城乡建设局 / 2024年城镇住房保障家庭租赁补贴资金 / 项目支出
    # 绩效自评报告); a date (2024年3月15日) is not the year evaluated
    head = "".join(_title_lines(text, 3))
    if _TITLE_WORDS.search(head):
        m = re.search(rf"{_YEAR}(?!\s*\d{{1,2}}\s*月)", head)
        if m:
            return int(m.group(1))
    return None


def _report_kind(text: str) -> str | None:
    title = "".join(line for line in _title_lines(text, 4) if not line.startswith(("一、", "（一）")))
    title = re.sub(r"\s+", "", title)
    if "整体支出" in title:
        return "department"
    if re.search(r"项目|资金|经费|专项|补助|补贴", title) and _TITLE_WORDS.search(title):
        return "project"
    # no kind in the title (2024年度绩效自评工作报告): the forms it names
    compact = re.sub(r"\s+", "", text)
    whole = len(re.findall(r"整体支出绩效", compact))
    project = len(re.findall(r"项目(?:支出)?绩效自评表|项目支出绩效", compact))
    if whole or project:
        return "department" if whole > project else "project"
    return None


def _table_totals(text: str) -> list[float]:
    """The 得分 of each 总分 row: the last number of the row, whose cells may follow one per line."""
    lines = text.split("\n")
    totals = []
    for i, line in enumerate(lines):
        m = _TOTAL_ROW.match(line)
        if not m:
            continue
        cells = [c.strip() for c in re.split(r"[|\t ]+", m.group(1) or "") if c.strip()]
        if not cells:  # 总分 alone: the cells stand on the lines below (one cell per line)
            for below in lines[i + 1 : i + 12]:
                cell = below.strip().strip("|").strip()
                if cell and not _NUMBER_CELL.match(cell):
                    break
                cells.append(cell)
        numbers = [float(c) for c in cells if _NUMBER_CELL.match(c)]
        if len(numbers) >= 2:
            totals.append(numbers[-1])
    return totals


_CN_COUNT = {"两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_PROJECT_COUNT = re.compile(
    r"(\d+|[两二三四五六七八九十])\s*(?:个|类)(?:[^，。；]{0,6})?(?:项目|专项)|(?:项目|专项)[^，。；]{0,4}?共?\s*(\d+|[两二三四五六七八九十])\s*(?:个|类)"
)


def _several_projects(text: str) -> bool:
    """A project report that evaluates two or more projects (对…3个项目开展了自评, 纳入自评的项目共4个)."""
    for sentence in re.split(r"[。；\n]", text):
        if "自评" not in sentence:
            continue
        for m in _PROJECT_COUNT.finditer(sentence):
            count = m.group(1) or m.group(2)
            if (int(count) if count.isdigit() else _CN_COUNT.get(count, 0)) >= 2:
                return True
    return False


# another score in the same sentence (特种设备专项97.5分); not 每项10分, 扣2分, 满分100分
_OTHER_SCORE = re.compile(r"(?<!每项)(?<!各)(?<!满分)(?<!扣)(?<!分值)(?<!权重)(?<!\d)\d{1,3}(?:\.\d+)?分")


def _self_score(text: str, kind: str | None) -> float | None:
    """The one total score the report states, in prose or in a 总分 row.

    None when it states several, when the score stated stands in a list of scores (…自评得分98分，
    特种设备专项97.5分，…), or when a project report evaluates several projects (each has its own).
    """
    if kind == "project" and _several_projects(text):
        return None
    found = []
    for m in _SCORE.finditer(text):
        start = max(text.rfind(c, 0, m.start()) for c in "。\n")
        end = min((i for i in (text.find(c, m.end()) for c in "。\n") if i >= 0), default=len(text))
        around = text[start + 1 : m.start()] + "。" + text[m.end() : end]
        if _OTHER_SCORE.search(around):
            return None  # one of several scores in a sentence
        found.append(float(m.group(1) or m.group(2)))
    found += _table_totals(text)
    found = [score for score in found if 0 < score <= 100]
    return found[0] if found and len(set(found)) == 1 else None


def report_fields(text: str, doc: Document | None = None) -> dict[str, Any]:
    """The fields the report's own text states; a field it does not settle is left out.

    ``doc`` may stand in for ``text`` (its text is read when ``text`` is empty); the spans are
    not needed: every field is read from the text.
    """
    if not text and doc is not None:
        text = doc.text
    kind = _report_kind(text)
    found: dict[str, Any] = {
        "department": _department(text),
        "fiscal_year": _fiscal_year(text),
        "report_kind": kind,
        "self_score": _self_score(text, kind),
    }
    return {key: value for key, value in found.items() if value is not None}


def gold_fields(meta: dict[str, Any]) -> dict[str, Any]:
    """The fields of a gold ``meta``; older documents say ``year`` and ``kind`` (部门整体支出…/项目支出…)."""
    gold: dict[str, Any] = {}
    if meta.get("department"):
        gold["department"] = meta["department"]
    year = meta.get("fiscal_year", meta.get("year"))
    if year is not None:
        gold["fiscal_year"] = int(year)
    kind = meta.get("report_kind")
    if kind is None and isinstance(meta.get("kind"), str):
        kind = "department" if "部门整体" in meta["kind"] or "整体支出" in meta["kind"] else (
            "project" if "项目" in meta["kind"] else None
        )
    if kind is not None:
        gold["report_kind"] = kind
    if meta.get("self_score") is not None:
        gold["self_score"] = float(meta["self_score"])
    return gold


def _same(field: str, predicted: Any, gold: Any) -> bool:
    if predicted is None:
        return False
    if field == "self_score":
        return abs(float(predicted) - float(gold)) < 1e-6
    return predicted == gold


def fields_accuracy(docs: Iterable[Document]) -> dict[str, dict[str, Any]]:
    """Per field, over the documents whose gold meta has it: how many, how many right, how many left
    out, and the misses as (id, gold, predicted). A field predicted where gold has none is not
    counted (the gold may simply not record it)."""
    result: dict[str, dict[str, Any]] = {f: {"n": 0, "correct": 0, "missing": 0, "misses": []} for f in FIELDS}
    for doc in docs:
        gold = gold_fields(doc.meta)
        predicted = report_fields(doc.text, doc)
        for field, want in gold.items():
            row = result[field]
            row["n"] += 1
            got = predicted.get(field)
            if _same(field, got, want):
                row["correct"] += 1
            else:
                row["missing"] += got is None
                row["misses"].append((doc.id, want, got))
    for row in result.values():
        row["accuracy"] = row["correct"] / row["n"] if row["n"] else None
    return result


def main(argv: list[str]) -> int:
    """``python -m pipeline.fields FILE.jsonl…``: accuracy per field against the gold meta, then the misses."""
    result = fields_accuracy(read_jsonl(argv))
    print("field\tn\tcorrect\tleft out\taccuracy")
    for field in FIELDS:
        row = result[field]
        accuracy = f"{row['accuracy']:.3f}" if row["accuracy"] is not None else "—"
        print(f"{field}\t{row['n']}\t{row['correct']}\t{row['missing']}\t{accuracy}")
    for field in FIELDS:
        for doc_id, want, got in result[field]["misses"]:
            print(f"miss\t{field}\t{doc_id}\tgold={want!r}\tpredicted={got!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
