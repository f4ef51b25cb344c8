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

        gk = Counter(_rel_key(g, g.span_by_id(), r, strict=False) for r in g.relations)
        pk = Counter(_rel_key(p, p.span_by_id(), r, strict=False) for r in p.relations)
        matched = gk & pk  # matched keys, consumed as multisets so duplicates are handled
        errs += _unmatched_relations(p, g, Counter(matched), "relation_fp", "value is not a gold span", "gold",
                                     context)
        errs += _unmatched_relations(g, p, Counter(matched), "relation_fn", "value not predicted", "prediction",
                                     context)
        errs.sort(key=lambda e: (e["start"], e["end"], e["kind"]))
        out.extend(errs)
    return out


def _unmatched_relations(side: Document, other: Document, matched: Counter, kind: str, no_head: str, other_name: str,
                         context: int) -> list[dict[str, Any]]:
    """The relations of ``side`` not in ``matched`` (relation_fp for the prediction, relation_fn for
    gold), each with what ``other`` links its value to."""
    spans = side.span_by_id()
    other_heads = {(s.label, s.start, s.end) for s in other.spans}
    out = []
    for r in side.relations:
        key = _rel_key(side, spans, r, strict=False)
        if matched[key]:
            matched[key] -= 1
            continue
        h = spans[r.head]
        head = (h.label, h.start, h.end)
        other_tails = _tails(other, head, r.type)
        note = (no_head if head not in other_heads
                else (f"{other_name} links it elsewhere" if other_tails else f"{other_name} has no {r.type} link for it"))
        tails = {"pred": " | ".join(other_tails) or None, "gold": side.surface(spans[r.tail])}
        if kind == "relation_fp":
            tails = {"pred": side.surface(spans[r.tail]), "gold": " | ".join(other_tails) or None}
        out.append(_error(kind, side, r.type, h, context, note=note, pred_tail=tails["pred"], gold_tail=tails["gold"]))
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
