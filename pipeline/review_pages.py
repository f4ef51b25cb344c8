"""Review pages for many reports: an index and one page per report (or one page for a whole run).

:func:`write_review_site` writes ``index.html`` — one row per report with its counts per label,
relations, consistency findings (核对提示, listed under the row) and, with gold, correct / missed /
false alarms with links that jump to the first miss and false alarm — and one page per report
(:func:`pipeline.review.document_section`) with links to the previous and next report. Every page
has a label filter (金额 / 比率 / 指标 / 项目: untick one to hide its highlights and table rows),
made in CSS alone (checkboxes before the content), so the pages hold no script and no link to
anything outside the folder.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from pipeline.document import LABELS, Document
from pipeline.review import CHECK_NAMES, LABEL_COLOURS, LABEL_NAMES, diff, document_section

CSS = """
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "PingFang SC",
       "Microsoft YaHei", sans-serif; margin: 0 2rem 1.5rem; color: #222; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.15rem; margin-top: 2.5rem; border-bottom: 2px solid #ccc; }
h3 { font-size: 1rem; color: #555; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; font-size: 0.85rem; }
th, td { border: 1px solid #ddd; padding: 2px 6px; text-align: left; vertical-align: top; }
th { background: #f4f4f4; } td.n { text-align: right; }
.text { border: 1px solid #eee; padding: 0.5rem 1rem; max-height: none; }
/* displaCy's label tag is wider than a short span such as 90%: keep neighbouring tags from overlapping */
.displacy-span { min-width: 3.4em; }
.displacy-span.false-alarm, .displacy-span.miss { outline: 2px dashed #d00; outline-offset: 1px; }
:target { outline: 3px solid #d00 !important; }
tr.miss td { background: #fff0f0; } tr.false-alarm td { background: #fff8e6; }
.note { color: #777; font-size: 0.85rem; } .jump a { margin-right: 0.3rem; }
ul.checks { font-size: 0.9rem; } li.check b { color: #a40; }
nav.docs { display: flex; flex-wrap: wrap; gap: 0.2rem 0.8rem; }
.bar { position: sticky; top: 0; background: #fff; padding: 0.5rem 0; border-bottom: 1px solid #ddd; z-index: 10; }
.bar label { padding: 2px 8px; margin-right: 6px; border-radius: 3px; cursor: pointer; background: #ddd;
             color: #888; text-decoration: line-through; }
input.filter { position: absolute; opacity: 0; pointer-events: none; }
"""


def _filter_css() -> str:
    """Checked: the label's chip is coloured; unchecked: its highlights and rows are hidden."""
    rules = []
    for label, colour in LABEL_COLOURS.items():
        rules.append(f"#f-{label}:checked ~ .bar label[for=f-{label}] "
                     f"{{ background: {colour}; color: #222; text-decoration: none; }}")
        rules.append(f'#f-{label}:not(:checked) ~ main [data-label="{label}"] > span, '
                     f'#f-{label}:not(:checked) ~ main mark[data-label="{label}"] > small '
                     "{ display: none; }")
        rules.append(f'#f-{label}:not(:checked) ~ main mark[data-label="{label}"] {{ background: none !important; }}')
        rules.append(f'#f-{label}:not(:checked) ~ main tr[data-label="{label}"] {{ display: none; }}')
    return "\n".join(rules)


def _page(title: str, bar: str, body: str) -> str:
    inputs = "".join(f'<input class="filter" type="checkbox" id="f-{label}" checked>' for label in LABELS)
    chips = "".join(f'<label for="f-{label}">{LABEL_NAMES[label]} {label}</label>' for label in LABELS)
    return ("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{html.escape(title)}</title>\n<style>{CSS}\n{_filter_css()}</style>\n</head>\n<body>\n"
            f'{inputs}\n<div class="bar">按标签筛选：{chips} {bar}</div>\n<main>\n{body}\n</main>\n</body>\n</html>\n')


def render_single_page(pred: list[Document], gold: list[Document] | None = None) -> str:
    """Every report of a run on one page (``review -o review.html``)."""
    gold_by_id = {d.id: d for d in gold} if gold is not None else {}
    body = ["<h1>抽取结果审阅</h1>",
            f'<p class="note">共 {len(pred)} 份报告，{sum(len(d.spans) for d in pred)} 个预测标注。'
            "鼠标停在高亮处可看数值、角色和关联。</p>"]
    if gold is not None:
        missing = [d.id for d in gold if d.id not in {p.id for p in pred}]
        if missing:
            body.append(f'<p class="note miss-docs">没有预测的人工标注报告：{html.escape("、".join(missing))}</p>')
    body.append('<nav class="docs">' + "".join(f'<a href="#doc-{n}">{html.escape(d.id)}</a>'
                                             for n, d in enumerate(pred, 1)) + "</nav>")
    for n, doc in enumerate(pred, 1):
        if gold is not None and doc.id not in gold_by_id:
            body.append(f'<p class="note">{html.escape(doc.id)}：没有人工标注。</p>')
        body.append(document_section(n, doc, gold_by_id.get(doc.id)))
    return _page("抽取结果审阅", "", "\n".join(body))


def page_name(n: int, doc_id: str) -> str:
    """The file of report n: numbered, so that ids differing only in characters outside [A-Za-z0-9._-] stay apart."""
    return f"{n:03d}-{re.sub(r'[^A-Za-z0-9._-]+', '_', doc_id)[:60]}.html"


def _check_kinds(doc: Document) -> str:
    kinds: dict[str, int] = {}
    for check in doc.checks:
        kinds[check.get("kind", "")] = kinds.get(check.get("kind", ""), 0) + 1
    return "、".join(f"{CHECK_NAMES.get(k, k)}×{c}" for k, c in kinds.items())


def _index_row(n: int, doc: Document, gold: Document | None, columns: int) -> str:
    name = page_name(n, doc.id)
    meta = doc.meta
    cells = [f'<a href="{name}">{html.escape(doc.id)}</a>', html.escape(str(meta.get("department") or "")),
             html.escape(str(meta.get("fiscal_year") or ""))]
    cells += [str(sum(s.label == label for s in doc.spans)) for label in LABELS]
    cells += [str(len(doc.relations)), f"{len(doc.checks)} {html.escape(_check_kinds(doc))}".strip()]
    if gold is not None:
        misses, alarms = diff(doc, gold)
        correct = len(doc.spans) - len(alarms)
        p = correct / len(doc.spans) if doc.spans else 0.0
        r = correct / len(gold.spans) if gold.spans else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        miss = f'<a href="{name}#d{n}g-{html.escape(misses[0].id)}">{len(misses)}</a>' if misses else "0"
        alarm = f'<a href="{name}#d{n}p-{html.escape(alarms[0].id)}">{len(alarms)}</a>' if alarms else "0"
        cells += [str(correct), miss, alarm, f"{f1:.3f}"]
    row = "<tr>" + "".join(f'<td class="{"n" if i >= 3 else ""}">{c}</td>' for i, c in enumerate(cells)) + "</tr>"
    if doc.checks:
        items = "".join(f"<li><b>{html.escape(CHECK_NAMES.get(c['kind'], c['kind']))}</b> "
                        f"{html.escape(c['message'])}</li>" for c in doc.checks)
        row += f'<tr class="checks"><td></td><td colspan="{columns - 1}"><ul class="checks">{items}</ul></td></tr>'
    return row


def render_index(pred: list[Document], gold: list[Document] | None = None) -> str:
    """The index: one row per report (counts, findings, and against gold: correct, missed, false alarms)."""
    gold_by_id = {d.id: d for d in gold} if gold is not None else {}
    head = ["报告", "单位", "年度", *(LABEL_NAMES[label] for label in LABELS), "关系", "核对提示"]
    if gold is not None:
        head += ["正确", "漏标", "误报", "F1"]
    rows = [_index_row(n, d, gold_by_id.get(d.id) if gold is not None else None, len(head))
            for n, d in enumerate(pred, 1)]
    if gold is not None:
        missing = [d.id for d in gold if d.id not in {p.id for p in pred}]
        note = f'<p class="note miss-docs">没有预测的人工标注报告：{html.escape("、".join(missing))}</p>' if missing else ""
    else:
        note = ""
    body = ("<h1>抽取结果审阅：目录</h1>"
            f'<p class="note">共 {len(pred)} 份报告，{sum(len(d.spans) for d in pred)} 个预测标注，'
            f'{sum(len(d.checks) for d in pred)} 条核对提示。点报告名看全文；点漏标、误报的数目跳到第一处。</p>'
            f"{note}<table class=\"index\"><tr>" + "".join(f"<th>{h}</th>" for h in head) + "</tr>"
            + "".join(rows) + "</table>")
    return _page("抽取结果审阅：目录", "", body)


def render_report_page(n: int, pred: list[Document], gold: Document | None) -> str:
    """Report n (1-based) of the run on a page of its own, with links to the index and its neighbours."""
    doc = pred[n - 1]
    links = ['<a href="index.html">目录</a>']
    if n > 1:
        links.append(f'<a href="{page_name(n - 1, pred[n - 2].id)}">上一份</a>')
    if n < len(pred):
        links.append(f'<a href="{page_name(n + 1, pred[n].id)}">下一份</a>')
    return _page(f"审阅：{doc.id}", " ".join(links), document_section(n, doc, gold, "h1"))


def write_review_site(pred: list[Document], gold: list[Document] | None, folder: str | Path) -> list[Path]:
    """Write ``index.html`` and one page per report into ``folder`` (created); returns the files."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    gold_by_id = {d.id: d for d in gold} if gold is not None else {}
    written = [folder / "index.html"]
    written[0].write_text(render_index(pred, gold), encoding="utf-8")
    for n, doc in enumerate(pred, 1):
        path = folder / page_name(n, doc.id)
        path.write_text(render_report_page(n, pred, gold_by_id.get(doc.id)), encoding="utf-8")
        written.append(path)
    return written
