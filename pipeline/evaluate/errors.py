"""Every false positive and false negative, and the same grouped, commonest first."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from pipeline.document import Document, Span
from pipeline.evaluate.align import align
from pipeline.evaluate.matching import _rel_key, _squash, _strict_pairs


def _context(text: str, start: int, end: int, width: int) -> str:
    left, right = text[max(0, start - width) : start], text[end : end + width]
    shown = f"{left}⟦{text[start:end]}⟧{right}"
    # One line per error: line breaks would break tables and grep; tabs are table cells here.
    return shown.replace("\r\n", "⏎").replace("\n", "⏎").replace("\r", "⏎").replace("\t", "⇥")


def _overlapping(spans: list[Span], s: Span) -> list[Span]:
    return [o for o in spans if o.start < s.end and s.start < o.end]


def _span_note(doc: Document, s: Span, others: list[Span], other_side: str, alone: str) -> str:
    """Why a span is an error: a boundary or label confusion with the other side, or nothing there."""
    hits = _overlapping(others, s)
    if not hits:
        return alone
    o = min(hits, key=lambda o: abs(o.start - s.start) + abs(o.end - s.end))
    kind = "boundary" if o.label == s.label else "label"
    return f"{kind}: {other_side} {o.label} {doc.surface(o)!r} {o.start}..{o.end}"


def _error(kind: str, doc: Document, label: str, s: Span, context: int, **extra: Any) -> dict[str, Any]:
    return {
        "kind": kind,
        "doc": doc.id,
        "label": label,
        "surface": doc.surface(s),
        "start": s.start,
        "end": s.end,
        "context": _context(doc.text, s.start, s.end, context),
        "note": extra.get("note"),
        "pred_tail": extra.get("pred_tail"),
        "gold_tail": extra.get("gold_tail"),
    }


def _tails(doc: Document, head: tuple[str, int, int], typ: str) -> list[str]:
    spans = doc.span_by_id()
    return [
        doc.surface(spans[r.tail])
        for r in doc.relations
        if r.type == typ and (spans[r.head].label, spans[r.head].start, spans[r.head].end) == head
    ]


def error_listing(gold: Sequence[Document], pred: Sequence[Document], context: int = 20) -> list[dict[str, Any]]:
    """Every strict span FP/FN and every lenient relation FP/FN, in document and text order.

    Each item: ``kind`` (span_fp, span_fn, relation_fp, relation_fn), ``doc``, ``label`` (span label, or
    relation type for relations), ``surface`` (the span, or the relation's value span), ``start``,
    ``end``, ``context`` (±``context`` characters, the item in ⟦⟧, line breaks as ⏎), ``note`` (what
    the other side has there), ``pred_tail`` / ``gold_tail`` (relations: the tail texts each side links
    that value to with that type, joined by " | "; None when there are none).
    """
    out: list[dict[str, Any]] = []
    for g, p in align(gold, pred):
        errs: list[dict[str, Any]] = []
        _, fns, fps = _strict_pairs(g.spans, p.spans)
        for s in fps:
            errs.append(_error("span_fp", p, s.label, s, context, note=_span_note(p, s, g.spans, "gold", "spurious")))
        for s in fns:
            errs.append(_error("span_fn", g, s.label, s, context, note=_span_note(g, s, p.spans, "pred", "missed")))

        gs, ps = g.span_by_id(), p.span_by_id()
        gold_heads = {(s.label, s.start, s.end) for s in g.spans}
        pred_heads = {(s.label, s.start, s.end) for s in p.spans}
        gk = Counter(_rel_key(g, gs, r, strict=False) for r in g.relations)
        pk = Counter(_rel_key(p, ps, r, strict=False) for r in p.relations)
        left = gk & pk  # matched keys, consumed below so duplicates are handled as multisets
        left_g = Counter(left)
        for r in p.relations:
            key = _rel_key(p, ps, r, strict=False)
            if left[key]:
                left[key] -= 1
                continue
            h = ps[r.head]
            head = (h.label, h.start, h.end)
            gold_tails = _tails(g, head, r.type)
            note = (
                "value is not a gold span"
                if head not in gold_heads
                else ("gold links it elsewhere" if gold_tails else f"gold has no {r.type} link for it")
            )
            errs.append(
                _error(
                    "relation_fp",
                    p,
                    r.type,
                    h,
                    context,
                    note=note,
                    pred_tail=p.surface(ps[r.tail]),
                    gold_tail=" | ".join(gold_tails) or None,
                )
            )
        for r in g.relations:
            key = _rel_key(g, gs, r, strict=False)
            if left_g[key]:
                left_g[key] -= 1
                continue
            h = gs[r.head]
            head = (h.label, h.start, h.end)
            pred_tails = _tails(p, head, r.type)
            note = (
                "value not predicted"
                if head not in pred_heads
                else ("prediction links it elsewhere" if pred_tails else f"prediction has no {r.type} link for it")
            )
            errs.append(
                _error(
                    "relation_fn",
                    g,
                    r.type,
                    h,
                    context,
                    note=note,
                    pred_tail=" | ".join(pred_tails) or None,
                    gold_tail=g.surface(gs[r.tail]),
                )
            )
        errs.sort(key=lambda e: (e["start"], e["end"], e["kind"]))
        out.extend(errs)
    return out


def group_errors(errors: Iterable[dict[str, Any]], examples: int = 3) -> list[dict[str, Any]]:
    """Group errors, commonest first.

    Spans group by (kind, label, surface). Relations group by (kind, type, tail), the tail being the
    predicted one for a false positive and the gold one for a false negative: a linker mistake is
    about *which* indicator or project, while the value surface (``100%``) says little.
    Each group: ``kind``, ``label``, ``text``, ``count``, ``docs`` (sorted ids), ``examples`` (contexts).
    """
    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for e in errors:
        if e["kind"] == "relation_fp":
            text = e.get("pred_tail") or ""
        elif e["kind"] == "relation_fn":
            text = e.get("gold_tail") or ""
        else:
            text = e["surface"]
        groups[(e["kind"], e["label"], _squash(text))].append(e)
    out = [
        {
            "kind": kind,
            "label": label,
            "text": text,
            "count": len(items),
            "docs": sorted({e["doc"] for e in items}),
            "examples": [e["context"] for e in items[:examples]],
        }
        for (kind, label, text), items in groups.items()
    ]
    out.sort(key=lambda grp: (-grp["count"], grp["kind"], grp["label"], grp["text"]))
    return out
