"""One self-contained HTML page to review a run: the predicted spans highlighted in the text.

For each document the text is rendered with displaCy's span style (``manual=True``), one colour
per label, and every value is listed in a table with its normalised value, cmp, approx, role,
links and score. With gold, misses (gold spans not predicted strictly) and false alarms
(predicted spans not in gold) are marked in the text and listed. The page has no external CSS,
JS or fonts, so it can be mailed or attached to an issue as one file.

CLI::

    python -m pipeline review runs/pred.jsonl --gold annotations/gold.jsonl -o review.html
"""

from __future__ import annotations

import html
import sys
from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise

from spacy import displacy
from spacy.displacy.templates import TPL_ENT, TPL_SPAN, TPL_SPAN_SLICE, TPL_SPAN_START

from pipeline.document import LABELS, Document, Span

LABEL_COLOURS = {"MONEY": "#7aecec", "PERCENT": "#feca74", "INDICATOR": "#aa9cfc", "PROJECT": "#bfe1d9"}
# displaCy's span style gives its per-token elements no class of their own; this one is added through
# its template option so that the page (and its tests) can find each highlighted span.
SPAN_CLASS = "displacy-span"
# A private-use marker put into displaCy's template and replaced by each span's attributes afterwards:
# the span renderer has no per-span template parameters, so titles cannot be passed through it.
_MARK = "\ue000span-attrs\ue000"
_SPAN_OPEN = '<span style="font-weight: bold;'
_ENT_OPEN = '<mark class="entity"'

CSS = """
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "PingFang SC",
       "Microsoft YaHei", sans-serif; margin: 1.5rem 2rem; color: #222; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.15rem; margin-top: 2.5rem; border-bottom: 2px solid #ccc; }
h3 { font-size: 1rem; color: #555; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; font-size: 0.85rem; }
th, td { border: 1px solid #ddd; padding: 2px 6px; text-align: left; vertical-align: top; }
th { background: #f4f4f4; }
.legend span { padding: 2px 8px; margin-right: 6px; border-radius: 3px; }
.text { border: 1px solid #eee; padding: 0.5rem 1rem; max-height: none; }
/* displaCy's label tag is wider than a short span such as 90%: keep neighbouring tags from overlapping */
.displacy-span { min-width: 3.4em; }
.displacy-span.false-alarm, .displacy-span.miss { outline: 2px dashed #d00; outline-offset: 1px; }
tr.miss td { background: #fff0f0; } tr.false-alarm td { background: #fff8e6; }
.note { color: #777; font-size: 0.85rem; }
nav { display: flex; flex-wrap: wrap; gap: 0.2rem 0.8rem; }
"""


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


def _span_attrs(span: Span, classes: str, links: dict[str, list[str]]) -> str:
    title = [f"{span.label} {span.id}"]
    if span.is_value:
        value = "?" if span.value is None else format_value(span.value)
        title.append(f"value {value} {span.unit or ''}".rstrip())
        title.append(f"cmp {span.cmp or '?'}  approx {span.approx}  role {span.role or '?'}")
        if span.per:
            title.append(f"per {span.per}")
    for line in links.get(span.id, []):
        title.append(line)
    if span.score is not None:
        title.append(f"score {span.score:.3f}")
    return (f'class="{SPAN_CLASS} {html.escape(classes)}" data-label="{html.escape(span.label)}" '
            f'data-span-id="{html.escape(span.id)}" title="{html.escape(chr(10).join(title))}"')


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


def render_text(doc: Document, spans: list[Span], classes: dict[str, str], links: dict[str, list[str]]) -> str:
    """The document text with ``spans`` highlighted, one element of class SPAN_CLASS per span."""
    parts = []
    for block in _blocks(doc, spans):
        attrs = [_span_attrs(s, classes.get(s.id, ""), links) for s in block.spans]
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
        lines.setdefault(head.id, []).append(f"{rel.type}: {tail_text}")
        lines.setdefault(tail.id, []).append(f"value of {doc.surface(head)} [{head.id}]")
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


def _value_table(doc: Document, tails: dict[str, dict[str, list[str]]], classes: dict[str, str]) -> str:
    rows = []
    for s in doc.spans:
        if not s.is_value:
            continue
        links = tails.get(s.id, {})
        cells = [s.id, doc.surface(s), s.label, _fmt(s.value), _fmt(s.unit), _fmt(s.cmp), _fmt(s.approx), _fmt(s.per),
                 _fmt(s.role), "; ".join(links.get("indicator", [])), "; ".join(links.get("project", [])),
                 "" if s.score is None else f"{s.score:.3f}"]
        cls = classes.get(s.id, "")
        rows.append(f'<tr class="{cls}">' + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
    if not rows:
        return '<p class="note">No MONEY or PERCENT spans.</p>'
    head = ["id", "surface", "label", "value", "unit", "cmp", "approx", "per", "role", "indicator(s)", "project(s)",
            "score"]
    return ('<table class="values"><tr>' + "".join(f"<th>{h}</th>" for h in head) + "</tr>" + "".join(rows)
            + "</table>")


def _diff_table(pred: Document, gold: Document, misses: list[Span], alarms: list[Span]) -> str:
    if not misses and not alarms:
        return '<p class="note">No misses and no false alarms: every span matches gold strictly.</p>'

    def overlapping(span: Span, other: Document) -> str:
        hits = [o for o in other.spans if o.start < span.end and span.start < o.end]
        return "; ".join(f"{o.label} {other.surface(o)} [{o.start}:{o.end}]" for o in hits)

    rows = []
    for kind, css, doc, other, spans in (("miss", "miss", gold, pred, misses),
                                         ("false alarm", "false-alarm", pred, gold, alarms)):
        for s in spans:
            cells = [kind, s.label, doc.surface(s), f"{s.start}:{s.end}", overlapping(s, other)]
            rows.append(f'<tr class="{css}">' + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
    head = ["", "label", "surface", "offsets", "overlaps on the other side"]
    return ('<table class="diff"><tr>' + "".join(f"<th>{h}</th>" for h in head) + "</tr>" + "".join(rows)
            + "</table>")


def _document_section(n: int, pred: Document, gold: Document | None) -> str:
    links, tails = _links(pred)
    counts = ", ".join(f"{label} {sum(s.label == label for s in pred.spans)}" for label in LABELS)
    out = [f'<section class="document" id="doc-{n}"><h2>{html.escape(pred.id)}</h2>',
           f'<p class="note">{counts}; relations {len(pred.relations)}</p>']
    pred_classes: dict[str, str] = {}
    if gold is not None:
        gold_keys = {_key(s) for s in gold.spans}
        pred_keys = {_key(s) for s in pred.spans}
        alarms = [s for s in pred.spans if _key(s) not in gold_keys]
        misses = [s for s in gold.spans if _key(s) not in pred_keys]
        pred_classes = {s.id: "false-alarm" for s in alarms}
        out.append(f'<p class="note">against gold: {len(pred.spans) - len(alarms)} correct, '
                   f'{len(misses)} missed, {len(alarms)} false alarm(s)</p>')
    out.append('<h3>Predicted spans</h3><div class="text pred">')
    out.append(render_text(pred, pred.spans, pred_classes, links))
    out.append("</div><h3>Values</h3>")
    out.append(_value_table(pred, tails, pred_classes))
    if gold is not None:
        out.append("<h3>Misses and false alarms</h3>")
        out.append(_diff_table(pred, gold, misses, alarms))
        gold_links, _ = _links(gold)
        out.append('<h3>Gold spans (misses outlined)</h3><div class="text gold">')
        out.append(render_text(gold, gold.spans, {s.id: "miss" for s in misses}, gold_links))
        out.append("</div>")
    out.append("</section>")
    return "\n".join(out)


def render_review(pred: list[Document], gold: list[Document] | None = None) -> str:
    """The review page for a run (and its gold, when given) as one HTML string."""
    gold_by_id = {d.id: d for d in gold} if gold is not None else {}
    legend = "".join(f'<span style="background: {c}">{label}</span>' for label, c in LABEL_COLOURS.items())
    body = ["<h1>Extraction review</h1>",
            f'<p class="legend">{legend}</p>',
            f'<p class="note">{len(pred)} document(s), {sum(len(d.spans) for d in pred)} predicted span(s). '
            "Hover a highlighted span for its value, role and links.</p>"]
    if gold is not None:
        missing = [d.id for d in gold if d.id not in {p.id for p in pred}]
        if missing:
            body.append(f'<p class="note miss-docs">Gold documents with no prediction: '
                        f'{html.escape(", ".join(missing))}</p>')
    body.append("<nav>" + "".join(f'<a href="#doc-{n}">{html.escape(d.id)}</a>' for n, d in enumerate(pred, 1))
                + "</nav>")
    for n, doc in enumerate(pred, 1):
        if gold is not None and doc.id not in gold_by_id:
            body.append(f'<p class="note">{html.escape(doc.id)}: not in gold.</p>')
        body.append(_document_section(n, doc, gold_by_id.get(doc.id)))
    return ("<!DOCTYPE html>\n<html lang=\"zh\">\n<head>\n<meta charset=\"utf-8\">\n<title>Extraction review</title>\n"
            f"<style>{CSS}</style>\n</head>\n<body>\n" + "\n".join(body) + "\n</body>\n</html>\n")


def main(argv: list[str] | None = None) -> int:
    """``python -m pipeline review`` (kept here for callers of the old entry)."""
    from pipeline.cli.review import main as cli_main

    return cli_main(argv)


if __name__ == "__main__":
    sys.exit(main())
