"""Counts, P/R/F1 under the package's null conventions, and SCHEMA §5's matching rules
(strict and partial spans, values, relation keys). See :mod:`pipeline.evaluate`."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pipeline.document import RELATION_TYPES, VALUE_LABEL_ORDER, Document, Relation, Span

__all__ = ["CI_METRICS", "CONFIDENCE", "REL_TYPES", "VALUE_LABEL_ORDER", "Counts", "prf"]

REL_TYPES: tuple[str, ...] = RELATION_TYPES  # ("indicator", "project")
CONFIDENCE = 0.95
# The metrics that get a bootstrap interval; each names a (per-document) micro count triple.
CI_METRICS: tuple[str, ...] = (
    "spans_strict",
    "spans_partial",
    "relations_lenient",
    "relations_strict",
    "given_gold_lenient",
    "given_gold_strict",
)


# --------------------------------------------------------------------------- counts and P/R/F1


@dataclass(frozen=True)
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    @property
    def f1(self) -> float | None:
        return prf(self)["f1"]


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def prf(c: Counts) -> dict[str, Any]:
    """tp/fp/fn with precision, recall and F1 under the null conventions of the module docstring."""
    if c.tp + c.fp + c.fn == 0:
        f1 = None
    else:
        # 2tp/(2tp+fp+fn) is the harmonic mean of P and R when both exist, and 0 when only one does.
        f1 = 2 * c.tp / (2 * c.tp + c.fp + c.fn)
    return {
        "tp": c.tp,
        "fp": c.fp,
        "fn": c.fn,
        "precision": _ratio(c.tp, c.tp + c.fp),
        "recall": _ratio(c.tp, c.tp + c.fn),
        "f1": f1,
    }


def _mean(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


def _table(by_key: dict[str, Counts], keys: Sequence[str], macro: bool) -> dict[str, Any]:
    """Per-key figures plus micro (pooled counts) and, when asked, macro (mean of the defined figures)."""
    out: dict[str, Any] = {k: prf(by_key.get(k, Counts())) for k in keys}
    total = sum((by_key.get(k, Counts()) for k in keys), Counts())
    out["micro"] = prf(total)
    if macro:
        out["macro"] = {
            "precision": _mean(out[k]["precision"] for k in keys),
            "recall": _mean(out[k]["recall"] for k in keys),
            "f1": _mean(out[k]["f1"] for k in keys),
            "labels": [k for k in keys if out[k]["f1"] is not None],
        }
    return out


def _add_maps(a: dict[str, Counts], b: dict[str, Counts]) -> dict[str, Counts]:
    return {k: a.get(k, Counts()) + b.get(k, Counts()) for k in {*a, *b}}


# --------------------------------------------------------------------------- span matching


def _strict_pairs(gold: list[Span], pred: list[Span]) -> tuple[list[tuple[Span, Span]], list[Span], list[Span]]:
    """(matched gold/pred pairs, unmatched gold, unmatched pred) under exact label+offsets."""
    free: dict[tuple[str, int, int], list[Span]] = defaultdict(list)
    for g in sorted(gold, key=lambda s: (s.start, s.end)):
        free[(g.label, g.start, g.end)].append(g)
    pairs, fps = [], []
    for p in sorted(pred, key=lambda s: (s.start, s.end)):
        bucket = free.get((p.label, p.start, p.end))
        if bucket:
            pairs.append((bucket.pop(0), p))
        else:
            fps.append(p)
    fns = sorted((g for b in free.values() for g in b), key=lambda s: (s.start, s.end))
    return pairs, fns, fps


def _partial_tp(gold: list[Span], pred: list[Span]) -> int:
    """Matches under nervaluate's ent_type scheme, for spans of one label (see module docstring)."""
    golds = sorted(gold, key=lambda s: (s.start, s.end))
    taken = [False] * len(golds)
    tp = 0
    for p in sorted(pred, key=lambda s: (s.start, s.end)):
        best, best_dist = -1, 0
        for i, g in enumerate(golds):
            if taken[i] or not (g.start < p.end and p.start < g.end):
                continue
            dist = abs(p.start - g.start) + abs(p.end - g.end)
            # strict "<": on a tie the earlier gold span wins, as in nervaluate.
            if best < 0 or dist < best_dist:
                best, best_dist = i, dist
        if best >= 0:
            taken[best] = True
            tp += 1
    return tp


def _by_label(spans: Iterable[Span]) -> dict[str, list[Span]]:
    out: dict[str, list[Span]] = defaultdict(list)
    for s in spans:
        out[s.label].append(s)
    return out


def _same_value(g: Span, p: Span) -> bool:
    if g.value is None or p.value is None:
        value_ok = g.value is None and p.value is None
    else:
        value_ok = abs(p.value - g.value) <= 1e-6 * max(1.0, abs(g.value))
    # SCHEMA: cmp "=" when there is no comparator, approx false when not approximate; a missing
    # field says the same thing and must not count as a mistake.
    return value_ok and (g.cmp or "=") == (p.cmp or "=") and bool(g.approx) == bool(p.approx)


# --------------------------------------------------------------------------- relation keys


def _squash(text: str) -> str:
    # str.split() without arguments splits on every Unicode white space, U+3000 included.
    return "".join(text.split())


def _rel_key(doc: Document, spans: dict[str, Span], r: Relation, strict: bool) -> tuple:
    h, t = spans[r.head], spans[r.tail]
    tail: tuple = (t.start, t.end) if strict else (_squash(doc.surface(t)),)
    return (h.label, h.start, h.end, r.type, *tail)


def _rel_counts(gold: Document, pred: Document, strict: bool) -> dict[str, Counts]:
    gs, ps = gold.span_by_id(), pred.span_by_id()
    gk = Counter(_rel_key(gold, gs, r, strict) for r in gold.relations)
    pk = Counter(_rel_key(pred, ps, r, strict) for r in pred.relations)
    out = {}
    for typ in REL_TYPES:
        g = Counter({k: n for k, n in gk.items() if k[3] == typ})
        p = Counter({k: n for k, n in pk.items() if k[3] == typ})
        tp = sum((g & p).values())  # multiset intersection: each gold key matched at most once
        out[typ] = Counts(tp, sum(p.values()) - tp, sum(g.values()) - tp)
    return out
