"""Review pages of a run: the predicted spans highlighted in each report's text (Chinese interface).

For each document the text is rendered with displaCy's span style (``manual=True``), one colour
per label, and every value is listed in a table with its normalised value, cmp, approx, role,
links and score. With gold, misses (漏标: gold spans not predicted strictly) and false alarms (误报:
predicted spans not in gold) are marked in the text and listed, each row linking to its place in
the text. The report's consistency findings (核对提示) are listed with links to their spans.

This module renders one report (:func:`document_section`); :mod:`pipeline.review_pages` puts
sections into pages: one page for a whole run (:func:`render_review`), or a folder with an index
and one page per report (:func:`pipeline.review_pages.write_review_site`). Pages have no external
CSS, JS or fonts (no script at all: the label filter is CSS), so they can be mailed as files.

CLI::

    perfreport review runs/pred.jsonl --gold annotations/gold.jsonl -o review/       # index + pages
    perfreport review runs/pred.jsonl -o review.html                                  # one page
"""

from __future__ import annotations

import html
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise

from spacy import displacy
from spacy.displacy.templates import TPL_ENT, TPL_SPAN, TPL_SPAN_SLICE, TPL_SPAN_START

from pipeline.document import LABELS, Document, Span

LABEL_COLOURS = {"MONEY": "#7aecec", "PERCENT": "#feca74", "INDICATOR": "#aa9cfc", "PROJECT": "#bfe1d9"}
LABEL_NAMES = {"MONEY": "金额", "PERCENT": "比率", "INDICATOR": "指标", "PROJECT": "项目"}
ROLE_NAMES = {"target": "目标", "actual": "实际", "change": "变化", "other": "其他"}
LINK_NAMES = {"indicator": "指标", "project": "项目"}
CHECK_NAMES = {"sum": "合计不符", "rate": "比率不符", "score": "得分不符", "unit": "单位疑误", "unmet": "指标未达标"}
# displaCy's span style gives its per-token elements no class of their own; this one is added through
# its template option so that the page (and its tests) can find each highlighted span.
SPAN_CLASS = "displacy-span"
# A private-use marker put into displaCy's template and replaced by each span's attributes afterwards:
# the span renderer has no per-span template parameters, so titles cannot be passed through it.
_MARK = "\ue000span-attrs\ue000"
_SPAN_OPEN = '<span style="font-weight: bold;'
_ENT_OPEN = '<mark class="entity"'

@dataclass
class Block:
    """A paragraph (non-blank line, or lines joined by a span that crosses them) and its spans."""

    start: int
    end: int
    spans: list[Span]


def _blocks(doc: Document, spans: list[Span]) -> list[Block]:
    """Split the text into non-blank lines so that paragraphs stay visible in the rendering.

    displaCy's span style drops line breaks, so each line is rendered on its own; a span that
    crosses a line break keeps the lines it covers together.
    """
    ordered = sorted(spans, key=lambda s: s.start)
    merged: list[list[int]] = []
    pos, joined = 0, False
    for line in doc.text.split("\n"):
        end = pos + len(line)
        if joined:
            merged[-1][1] = end
        else:
            merged.append([pos, end])
        # The break at ``end`` lies inside a span: the next line belongs to this block.
        joined = any(s.start <= end < s.end for s in ordered)
        pos = end + 1
    blocks = []
    for start, end in merged:
        inside = [s for s in ordered if start <= s.start and s.end <= end]
        if doc.text[start:end].strip() or inside:
            blocks.append(Block(start, end, inside))
    return blocks


def _span_attrs(span: Span, classes: str, links: dict[str, list[str]], prefix: str) -> str:
    title = [f"{LABEL_NAMES.get(span.label, span.label)} {span.label} {span.id}"]
    if span.is_value:
        value = "?" if span.value is None else format_value(span.value)
        title.append(f"数值 {value} {span.unit or ''}".rstrip())
        approx = {True: "是", False: "否"}.get(span.approx, "?") if span.approx is not None else "?"
        title.append(f"比较符 {span.cmp or '?'}　约数 {approx}　角色 {span.role or '?'}（{ROLE_NAMES.get(span.role, '?')}）")
        if span.per:
            title.append(f"每 {span.per}")
    for line in links.get(span.id, []):
        title.append(line)
    if span.score is not None:
        title.append(f"置信度 {span.score:.3f}")
    return (f'class="{SPAN_CLASS} {html.escape(classes)}" data-label="{html.escape(span.label)}" '
            f'id="{prefix}-{html.escape(span.id)}" data-span-id="{html.escape(span.id)}" '
            f'title="{html.escape(chr(10).join(title))}"')


def _fill_marks(markup: str, attrs: list[str]) -> str | None:
    """Put each span's attributes in place of the markers, in order; None if the count is off."""
    parts = markup.split(_MARK)
    if len(parts) != len(attrs) + 1:
        return None
    out = [parts[0]]
    for attr, rest in zip(attrs, parts[1:], strict=True):
        out += [attr, rest]
    return "".join(out)


def _render_span_style(text: str, block: Block, attrs: list[str]) -> str | None:
    """displaCy span style on one block; each span is made one token so that it is one element."""
    cuts = {block.start, block.end}
    for s in block.spans:
        cuts |= {s.start, s.end}
    bounds = sorted(cuts)
    tokens = [text[a:b] for a, b in pairwise(bounds)]
    index = {a: i for i, a in enumerate(bounds)}
    parsed = {
        "text": text[block.start:block.end],
        "tokens": tokens,
        "spans": [{"start_token": index[s.start], "end_token": index[s.end], "label": html.escape(s.label)}
                  for s in block.spans],
    }
    if _SPAN_OPEN not in TPL_SPAN:
        return None
    template = {"span": TPL_SPAN.replace(_SPAN_OPEN, f"<span {_MARK} " + _SPAN_OPEN[6:], 1),
                "slice": TPL_SPAN_SLICE, "start": TPL_SPAN_START}
    markup = displacy.render(parsed, style="span", manual=True, page=False,
                             options={"colors": LABEL_COLOURS, "template": template})
    return _fill_marks(markup, attrs)


def _render_ent_style(text: str, block: Block, attrs: list[str]) -> str | None:
    if _ENT_OPEN not in TPL_ENT:
        return None
    template = TPL_ENT.replace(_ENT_OPEN, f"<mark {_MARK}", 1)
    parsed = {"text": text[block.start:block.end],
              "ents": [{"start": s.start - block.start, "end": s.end - block.start, "label": html.escape(s.label)}
                       for s in block.spans]}
    markup = displacy.render(parsed, style="ent", manual=True, page=False,
                             options={"colors": LABEL_COLOURS, "template": template})
    return _fill_marks(markup, attrs)


def _render_plain(text: str, block: Block, attrs: list[str]) -> str:
    # Last resort, so that a page is always written: the spans as plain <mark>s.
    out, pos = [], block.start
    for span, attr in zip(block.spans, attrs, strict=True):
        out.append(html.escape(text[pos:span.start]))
        colour = LABEL_COLOURS.get(span.label, "#ddd")
        out.append(f'<mark {attr} style="background: {colour}">{html.escape(text[span.start:span.end])} '
                   f'<small>{html.escape(span.label)}</small></mark>')
        pos = span.end
    out.append(html.escape(text[pos:block.end]))
    return f'<div class="plain">{"".join(out)}</div>'


def render_text(doc: Document, spans: list[Span], classes: dict[str, str], links: dict[str, list[str]],
                prefix: str = "p") -> str:
    """The document text with ``spans`` highlighted, one element of class SPAN_CLASS per span,
    with the id ``{prefix}-{span id}`` (links from the tables below jump to it; the section of
    report n uses ``d{n}p`` for predictions and ``d{n}g`` for gold, so ids stay unique on a page)."""
    parts = []
    for block in _blocks(doc, spans):
        attrs = [_span_attrs(s, classes.get(s.id, ""), links, prefix) for s in block.spans]
        markup = None
        for renderer in (_render_span_style, _render_ent_style):
            try:
                markup = renderer(doc.text, block, attrs)
            except Exception:  # any displaCy failure falls back to the next style
                markup = None
            if markup is not None:
                break
        parts.append(markup if markup is not None else _render_plain(doc.text, block, attrs))
    return "\n".join(parts)


def _links(doc: Document) -> tuple[dict[str, list[str]], dict[str, dict[str, list[str]]]]:
    """Per span id: tooltip lines for its relations, and the tails grouped by type for the table."""
    by_id = doc.span_by_id()
    lines: dict[str, list[str]] = {}
    tails: dict[str, dict[str, list[str]]] = {}
    for rel in doc.relations:
        head, tail = by_id.get(rel.head), by_id.get(rel.tail)
        if head is None or tail is None:
            continue
        score = "" if rel.score is None else f" ({rel.score:.2f})"
        tail_text = f"{doc.surface(tail)} [{tail.id}]{score}"
        lines.setdefault(head.id, []).append(f"{LINK_NAMES.get(rel.type, rel.type)}：{tail_text}")
        lines.setdefault(tail.id, []).append(f"所属数值 {doc.surface(head)} [{head.id}]")
        tails.setdefault(head.id, {}).setdefault(rel.type, []).append(tail_text)
    return lines, tails


def _key(span: Span) -> tuple[str, int, int]:
    return (span.label, span.start, span.end)


def format_value(value: float) -> str:
    """A number as written for a reviewer: exact, grouped, never in exponent form (1.44e+08 hides digits)."""
    return format(Decimal(repr(value)), ",f")


def _fmt(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return format_value(value)
    return str(value)


def _row(cells: list[str], css: str = "", label: str = "", first_link: str = "") -> str:
    attrs = (f' class="{css}"' if css else "") + (f' data-label="{html.escape(label)}"' if label else "")
    shown = [html.escape(c) for c in cells]
    if first_link:
        shown[0] = f'<a href="#{html.escape(first_link)}">{shown[0]}</a>'
    return f"<tr{attrs}>" + "".join(f"<td>{c}</td>" for c in shown) + "</tr>"


def _table(css: str, head: list[str], rows: list[str]) -> str:
    return (f'<table class="{css}"><tr>' + "".join(f"<th>{h}</th>" for h in head) + "</tr>" + "".join(rows)
            + "</table>")


def _value_table(doc: Document, tails: dict[str, dict[str, list[str]]], classes: dict[str, str], prefix: str) -> str:
    rows = []
    for s in doc.spans:
        if not s.is_value:
            continue
        links = tails.get(s.id, {})
        cells = [s.id, doc.surface(s), s.label, _fmt(s.value), _fmt(s.unit), _fmt(s.cmp), _fmt(s.approx), _fmt(s.per),
                 f"{_fmt(s.role)}（{ROLE_NAMES.get(s.role or '', '?')}）", "；".join(links.get("indicator", [])),
                 "；".join(links.get("project", [])), "" if s.score is None else f"{s.score:.3f}"]
        rows.append(_row(cells, classes.get(s.id, ""), s.label, f"{prefix}-{s.id}"))
    if not rows:
        return '<p class="note">没有金额或比率。</p>'
    head = ["编号", "原文", "标签", "数值", "单位", "比较符", "约数", "每", "角色", "指标", "项目", "置信度"]
    return _table("values", head, rows)


def diff(pred: Document, gold: Document) -> tuple[list[Span], list[Span]]:
    """(misses, false alarms): gold spans not predicted strictly, predicted spans not in gold."""
    gold_keys = {_key(s) for s in gold.spans}
    pred_keys = {_key(s) for s in pred.spans}
    return ([s for s in gold.spans if _key(s) not in pred_keys], [s for s in pred.spans if _key(s) not in gold_keys])


def _diff_table(pred: Document, gold: Document, misses: list[Span], alarms: list[Span], n: int) -> str:
    if not misses and not alarms:
        return '<p class="note">没有漏标和误报：每个预测标注都与人工标注完全一致。</p>'

    def overlapping(span: Span, other: Document) -> str:
        hits = [o for o in other.spans if o.start < span.end and span.start < o.end]
        return "；".join(f"{o.label} {other.surface(o)} [{o.start}:{o.end}]" for o in hits)

    rows = []
    for kind, css, doc, other, spans, prefix in (("漏标", "miss", gold, pred, misses, f"d{n}g"),
                                                 ("误报", "false-alarm", pred, gold, alarms, f"d{n}p")):
        for s in spans:
            cells = [kind, s.label, doc.surface(s), f"{s.start}:{s.end}", overlapping(s, other)]
            rows.append(_row(cells, css, s.label, f"{prefix}-{s.id}"))
    return _table("diff", ["", "标签", "原文", "位置", "另一侧的重叠标注"], rows)


def _checks_list(doc: Document, prefix: str) -> str:
    if not doc.checks:
        return '<p class="note">没有核对提示。</p>'
    items = []
    for check in doc.checks:
        spans = " ".join(f'<a href="#{prefix}-{html.escape(i)}">{html.escape(i)}</a>' for i in check.get("spans", []))
        kind = CHECK_NAMES.get(check.get("kind", ""), check.get("kind", ""))
        items.append(f'<li class="check"><b>{html.escape(kind)}</b> {html.escape(check.get("message", ""))} {spans}</li>')
    return '<ul class="checks">' + "".join(items) + "</ul>"


def counts_line(doc: Document) -> str:
    counts = "，".join(f"{LABEL_NAMES[label]} {sum(s.label == label for s in doc.spans)}" for label in LABELS)
    return f"{counts}；关系 {len(doc.relations)}；核对提示 {len(doc.checks)}"


def _jumps(kind: str, css: str, prefix: str, spans: list[Span]) -> str:
    if not spans:
        return ""
    links = " ".join(f'<a href="#{prefix}-{html.escape(s.id)}">{n}</a>' for n, s in enumerate(spans, 1))
    return f'<p class="jump {css}">跳到{kind}：{links}</p>'


def document_section(n: int, pred: Document, gold: Document | None, heading: str = "h2") -> str:
    """One report: counts, jumps to misses and false alarms, highlighted text, values, findings, diff."""
    links, tails = _links(pred)
    out = [f'<section class="document" id="doc-{n}"><{heading}>{html.escape(pred.id)}</{heading}>',
           f'<p class="note">{counts_line(pred)}</p>']
    pred_classes: dict[str, str] = {}
    misses: list[Span] = []
    alarms: list[Span] = []
    if gold is not None:
        misses, alarms = diff(pred, gold)
        pred_classes = {s.id: "false-alarm" for s in alarms}
        out.append(f'<p class="note">对照人工标注：正确 {len(pred.spans) - len(alarms)}，'
                   f'漏标 {len(misses)}，误报 {len(alarms)}</p>')
        out.append(_jumps("漏标", "miss", f"d{n}g", misses) + _jumps("误报", "false-alarm", f"d{n}p", alarms))
    out.append('<h3>预测标注</h3><div class="text pred">')
    out.append(render_text(pred, pred.spans, pred_classes, links, f"d{n}p"))
    out.append("</div><h3>数值</h3>")
    out.append(_value_table(pred, tails, pred_classes, f"d{n}p"))
    out.append("<h3>核对提示</h3>")
    out.append(_checks_list(pred, f"d{n}p"))
    if gold is not None:
        out.append("<h3>漏标与误报</h3>")
        out.append(_diff_table(pred, gold, misses, alarms, n))
        gold_links, _ = _links(gold)
        out.append('<h3>人工标注（漏标加框）</h3><div class="text gold">')
        out.append(render_text(gold, gold.spans, {s.id: "miss" for s in misses}, gold_links, f"d{n}g"))
        out.append("</div>")
    out.append("</section>")
    return "\n".join(out)


def render_review(pred: Sequence[Document], gold: Sequence[Document] | None = None) -> str:
    """The review page for a whole run (and its gold, when given) as one HTML string."""
    from pipeline.review_pages import render_single_page

    return render_single_page(list(pred), None if gold is None else list(gold))


def main(argv: list[str] | None = None) -> int:
    """``python -m pipeline review`` (kept here for callers of the old entry)."""
    from pipeline.cli.review import main as cli_main

    return cli_main(argv)


if __name__ == "__main__":
    sys.exit(main())
