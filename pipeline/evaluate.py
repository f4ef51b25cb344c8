"""Score predictions against gold annotations: exactly the metrics of SCHEMA.md §5.

Entry points
------------
``load_pair(gold_path, pred_path)``
    Read both JSONL files with :func:`pipeline.document.read_jsonl` and return
    ``(gold, pred)`` with ``pred`` put in the order of ``gold``.
``score(gold, pred, n_boot=1000, seed=0, given_gold_spans=None) -> dict``
    All metrics as a JSON-serialisable dict (keys below).
``error_listing(gold, pred, context=20) -> list[dict]`` and ``group_errors(errors) -> list[dict]``
    Every false positive / false negative, and the same grouped, commonest first.
``markdown_report(result, errors=None, top=30) -> str``
    The result as Markdown tables.

Conventions for P/R/F1 (one rule everywhere: spans, relations, per label, per document)
-------------------------------------------------------------------------------------
``precision = tp / (tp + fp)`` is ``None`` when nothing was predicted (``tp + fp == 0``);
``recall = tp / (tp + fn)`` is ``None`` when there is nothing to find (``tp + fn == 0``);
``f1 = 2 tp / (2 tp + fp + fn)``, which is the harmonic mean when both exist and 0 when only
one side has items (gold but no predictions → P ``None``, R 0, F1 0).  All three are ``None``
only when gold and prediction are both empty: SCHEMA says such a label "has no score", and a
0 there would drag the macro mean down for a label the test set simply does not contain.
``macro`` is the mean over the labels whose figure is not ``None`` (``labels`` lists the labels
with an F1, i.e. those in the macro F1).

Result keys (stable: every key is always present, ``None`` where a figure is undefined)
------------------------------------------------------------------------------------
::

    n_documents: int
    settings: {n_boot, seed, confidence}
    spans:
      strict | partial:
        MONEY | PERCENT | INDICATOR | PROJECT | micro: {tp, fp, fn, precision, recall, f1}
        macro: {precision, recall, f1, labels}
    normalisation:
      {n, value_correct, role_correct, value_accuracy, role_accuracy,
       by_label: {MONEY | PERCENT: {n, value_correct, role_correct, value_accuracy, role_accuracy}}}
    relations:
      end_to_end:       {lenient | strict: {indicator | project | micro: {tp, fp, fn, precision, recall, f1}}}
      given_gold_spans: same shape as end_to_end, or None when no such predictions were given
    per_document: {doc id: {spans_strict_f1, spans_partial_f1, relations_lenient_f1, relations_strict_f1,
                            given_gold_lenient_f1, given_gold_strict_f1, value_accuracy, role_accuracy,
                            n_value_matched, n_gold_spans, n_pred_spans, n_gold_relations, n_pred_relations}}
    ci: {spans_strict | spans_partial | relations_lenient | relations_strict
         | given_gold_lenient | given_gold_strict: {low, high} or None,
         spans_strict_by_label | spans_partial_by_label: {MONEY | PERCENT | INDICATOR | PROJECT: {low, high} or None}}

Matching rules
--------------
* strict span: same label, start and end.
* partial span (nervaluate ``ent_type``): same label and at least one shared character. Predictions
  are taken in order of start; each takes, among the gold spans of its label that it overlaps and
  that are still free, the one with the closest boundaries (|Δstart| + |Δend|, earlier on a tie) —
  nervaluate's own choice, so our counts equal its per-label counts. Each gold span is matched at
  most once; each match counts 1 (no half credit).
* relations: key = (head label, head start, head end, type, tail) where the tail is its text with
  all white space removed (lenient) or its offsets (strict). Keys are counted as multisets, so each
  gold key is matched at most once.
* normalisation: over MONEY/PERCENT pairs matched strictly. ``value`` equal within
  1e-6 × max(1, |gold|), ``cmp`` equal (missing means ``=``), ``approx`` equal (missing means false).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.document import LABELS, RELATION_TAIL, VALUE_LABELS, Document, Relation, Span, read_jsonl

REL_TYPES: tuple[str, ...] = tuple(RELATION_TAIL)  # ("indicator", "project")
VALUE_LABEL_ORDER: tuple[str, ...] = tuple(lab for lab in LABELS if lab in VALUE_LABELS)
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


class EvaluationError(ValueError):
    """Gold and prediction cannot be compared (missing documents, different texts, bad spans)."""


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


# --------------------------------------------------------------------------- validation and alignment


def _check_docs(docs: Sequence[Document], side: str) -> None:
    """Reject what would make the scores silently wrong (or crash): bad offsets, dangling relations."""
    seen: set[str] = set()
    for doc in docs:
        if doc.id in seen:
            raise EvaluationError(f"{side}: document id {doc.id!r} occurs more than once")
        seen.add(doc.id)
        n = len(doc.text)
        span_ids: set[str] = set()
        for s in doc.spans:
            ok = type(s.start) is int and type(s.end) is int and 0 <= s.start < s.end <= n
            if not ok:
                raise EvaluationError(
                    f"{side} document {doc.id!r}: span {s.id!r} ({s.label} {s.start}..{s.end}) "
                    f"lies outside its text of {n} characters"
                )
            if s.label not in LABELS:
                raise EvaluationError(f"{side} document {doc.id!r}: span {s.id!r} has unknown label {s.label!r}")
            if s.id in span_ids:
                raise EvaluationError(f"{side} document {doc.id!r}: span id {s.id!r} is used twice")
            span_ids.add(s.id)
        for r in doc.relations:
            if r.type not in RELATION_TAIL:
                raise EvaluationError(
                    f"{side} document {doc.id!r}: relation {r.head}->{r.tail} has unknown type {r.type!r}"
                )
            if r.head not in span_ids or r.tail not in span_ids:
                raise EvaluationError(
                    f"{side} document {doc.id!r}: relation {r.head}->{r.tail} names a span that does not exist"
                )


def _first_difference(a: str, b: str) -> int:
    for i, (x, y) in enumerate(zip(a, b, strict=False)):  # unequal lengths: stop at the shorter
        if x != y:
            return i
    return min(len(a), len(b))


def align(
    gold: Sequence[Document], pred: Sequence[Document], what: str = "prediction"
) -> list[tuple[Document, Document]]:
    """Pair documents by id in gold order; any id on one side only, or any text difference, is an error."""
    _check_docs(gold, "gold")
    _check_docs(pred, what)
    by_id = {d.id: d for d in pred}
    gold_ids = [d.id for d in gold]
    missing = [i for i in gold_ids if i not in by_id]
    extra = [d.id for d in pred if d.id not in set(gold_ids)]
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"in gold but not in {what}: {', '.join(map(repr, missing))}")
        if extra:
            parts.append(f"in {what} but not in gold: {', '.join(map(repr, extra))}")
        # SCHEMA §5: a missing document is an error, not a silent zero.
        raise EvaluationError("document ids differ — " + "; ".join(parts))
    pairs = []
    for g in gold:
        p = by_id[g.id]
        if g.text != p.text:
            at = _first_difference(g.text, p.text)
            raise EvaluationError(
                f"document {g.id!r}: gold and {what} texts differ from offset {at} "
                f"(gold {g.text[at : at + 10]!r} vs {what} {p.text[at : at + 10]!r}; "
                f"lengths {len(g.text)}/{len(p.text)})"
            )
        pairs.append((g, p))
    return pairs


def load_pair(gold_path: str | Path, pred_path: str | Path) -> tuple[list[Document], list[Document]]:
    """Read a gold and a prediction file (DocumentError if either breaks SCHEMA) and align them by id."""
    gold = read_jsonl(gold_path)
    pred = read_jsonl(pred_path)
    pairs = align(gold, pred)
    return [g for g, _ in pairs], [p for _, p in pairs]


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


# --------------------------------------------------------------------------- per-document counts


@dataclass
class NormCounts:
    n: int = 0
    value_correct: int = 0
    role_correct: int = 0

    def __add__(self, other: NormCounts) -> NormCounts:
        return NormCounts(
            self.n + other.n, self.value_correct + other.value_correct, self.role_correct + other.role_correct
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "value_correct": self.value_correct,
            "role_correct": self.role_correct,
            "value_accuracy": _ratio(self.value_correct, self.n),
            "role_accuracy": _ratio(self.role_correct, self.n),
        }


@dataclass
class DocScore:
    """Raw counts for one document; every reported figure is derived from sums of these."""

    id: str
    strict: dict[str, Counts] = field(default_factory=dict)
    partial: dict[str, Counts] = field(default_factory=dict)
    norm: dict[str, NormCounts] = field(default_factory=dict)
    rel_lenient: dict[str, Counts] = field(default_factory=dict)
    rel_strict: dict[str, Counts] = field(default_factory=dict)
    gg_lenient: dict[str, Counts] | None = None
    gg_strict: dict[str, Counts] | None = None
    n_gold_spans: int = 0
    n_pred_spans: int = 0
    n_gold_relations: int = 0
    n_pred_relations: int = 0

    def micro(self, metric: str) -> Counts | None:
        """Pooled counts of one CI metric (None when that metric was not computed)."""
        table = {
            "spans_strict": self.strict,
            "spans_partial": self.partial,
            "relations_lenient": self.rel_lenient,
            "relations_strict": self.rel_strict,
            "given_gold_lenient": self.gg_lenient,
            "given_gold_strict": self.gg_strict,
        }[metric]
        return None if table is None else sum(table.values(), Counts())


def score_document(gold: Document, pred: Document, given_gold: Document | None = None) -> DocScore:
    """Counts for one aligned pair (texts assumed equal; :func:`align` checks that)."""
    ds = DocScore(
        id=gold.id,
        n_gold_spans=len(gold.spans),
        n_pred_spans=len(pred.spans),
        n_gold_relations=len(gold.relations),
        n_pred_relations=len(pred.relations),
    )
    g_by, p_by = _by_label(gold.spans), _by_label(pred.spans)
    for label in LABELS:
        gl, pl = g_by.get(label, []), p_by.get(label, [])
        pairs, _, _ = _strict_pairs(gl, pl)
        tp = len(pairs)
        ds.strict[label] = Counts(tp, len(pl) - tp, len(gl) - tp)
        ptp = _partial_tp(gl, pl)
        ds.partial[label] = Counts(ptp, len(pl) - ptp, len(gl) - ptp)
        if label in VALUE_LABELS:
            ds.norm[label] = NormCounts(
                n=tp,
                value_correct=sum(_same_value(g, p) for g, p in pairs),
                role_correct=sum(g.role == p.role for g, p in pairs),
            )
    ds.rel_lenient = _rel_counts(gold, pred, strict=False)
    ds.rel_strict = _rel_counts(gold, pred, strict=True)
    if given_gold is not None:
        ds.gg_lenient = _rel_counts(gold, given_gold, strict=False)
        ds.gg_strict = _rel_counts(gold, given_gold, strict=True)
    return ds


def _check_on_gold_spans(pairs: list[tuple[Document, Document]]) -> None:
    """The 'given gold spans' run must carry exactly the gold spans, else it measures the tagger too."""
    for g, p in pairs:
        gk = Counter((s.label, s.start, s.end) for s in g.spans)
        pk = Counter((s.label, s.start, s.end) for s in p.spans)
        if gk != pk:
            diff = sorted((gk - pk) + (pk - gk))[:3]
            raise EvaluationError(
                f"document {g.id!r}: the given-gold-spans predictions do not carry the gold spans (e.g. {diff})"
            )


# --------------------------------------------------------------------------- bootstrap


def bootstrap_ci(per_doc: np.ndarray, idx: np.ndarray, confidence: float = CONFIDENCE) -> dict[str, float] | None:
    """Percentile CI of pooled micro F1: ``per_doc`` is (docs, 3) tp/fp/fn, ``idx`` is (resamples, docs)."""
    if idx.size == 0 or per_doc.size == 0:
        return None
    sums = per_doc[idx].sum(axis=1)  # (resamples, 3): counts pooled over the resampled documents
    tp, fp, fn = sums[:, 0], sums[:, 1], sums[:, 2]
    den = 2 * tp + fp + fn
    with np.errstate(invalid="ignore", divide="ignore"):
        f1 = np.where(den > 0, 2 * tp / np.where(den > 0, den, 1), np.nan)
    # A resample of only empty documents has no F1 (null, as for the point estimate): leave it out.
    f1 = f1[~np.isnan(f1)]
    if f1.size == 0:
        return None
    alpha = (1 - confidence) / 2 * 100
    low, high = np.percentile(f1, [alpha, 100 - alpha])
    return {"low": float(low), "high": float(high)}


# --------------------------------------------------------------------------- score


def score(
    gold: Sequence[Document],
    pred: Sequence[Document],
    n_boot: int = 1000,
    seed: int = 0,
    given_gold_spans: Sequence[Document] | None = None,
) -> dict[str, Any]:
    """All SCHEMA §5 metrics; ``given_gold_spans`` is the linker's output on the gold spans (optional)."""
    pairs = align(gold, pred)
    gg_by_id: dict[str, Document] = {}
    if given_gold_spans is not None:
        gg_pairs = align(gold, given_gold_spans, what="given-gold-spans prediction")
        _check_on_gold_spans(gg_pairs)
        gg_by_id = {g.id: p for g, p in gg_pairs}
    docs = [score_document(g, p, gg_by_id.get(g.id)) for g, p in pairs]
    have_gg = given_gold_spans is not None

    def pooled(attr: str) -> dict[str, Counts]:
        total: dict[str, Counts] = {}
        for d in docs:
            total = _add_maps(total, getattr(d, attr))
        return total

    norm_by_label = {lab: sum((d.norm[lab] for d in docs), NormCounts()) for lab in VALUE_LABEL_ORDER}
    norm_all = sum(norm_by_label.values(), NormCounts())

    def rel_block(lenient: str, strict: str) -> dict[str, Any]:
        return {
            "lenient": _table(pooled(lenient), REL_TYPES, macro=False),
            "strict": _table(pooled(strict), REL_TYPES, macro=False),
        }

    def f1_of(d: DocScore, metric: str) -> float | None:
        counts = d.micro(metric)
        return None if counts is None else counts.f1

    per_document: dict[str, dict[str, Any]] = {}
    for d in docs:
        norm = sum(d.norm.values(), NormCounts())
        per_document[d.id] = {
            "spans_strict_f1": f1_of(d, "spans_strict"),
            "spans_partial_f1": f1_of(d, "spans_partial"),
            "relations_lenient_f1": f1_of(d, "relations_lenient"),
            "relations_strict_f1": f1_of(d, "relations_strict"),
            "given_gold_lenient_f1": f1_of(d, "given_gold_lenient"),
            "given_gold_strict_f1": f1_of(d, "given_gold_strict"),
            "value_accuracy": _ratio(norm.value_correct, norm.n),
            "role_accuracy": _ratio(norm.role_correct, norm.n),
            "n_value_matched": norm.n,
            "n_gold_spans": d.n_gold_spans,
            "n_pred_spans": d.n_pred_spans,
            "n_gold_relations": d.n_gold_relations,
            "n_pred_relations": d.n_pred_relations,
        }

    # One resample matrix for all metrics: the intervals are then paired (same documents drawn),
    # and the whole result depends on (data, n_boot, seed) only.
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(docs), size=(n_boot, len(docs))) if docs and n_boot > 0 else np.empty((0, 0), int)
    ci: dict[str, Any] = {}
    for metric in CI_METRICS:
        if metric.startswith("given_gold") and not have_gg:
            ci[metric] = None
            continue
        counts = np.array(
            [[c.tp, c.fp, c.fn] for c in (d.micro(metric) for d in docs) if c is not None], dtype=np.int64
        )
        ci[metric] = bootstrap_ci(counts.reshape(-1, 3), idx)
    # per-label intervals (same resamples), for the notebook's per-label plot
    for kind in ("strict", "partial"):
        ci[f"spans_{kind}_by_label"] = {
            lab: bootstrap_ci(np.array([[c.tp, c.fp, c.fn] for c in (getattr(d, kind).get(lab, Counts()) for d in docs)],
                                       dtype=np.int64).reshape(-1, 3), idx)
            for lab in LABELS
        }

    return {
        "n_documents": len(docs),
        "settings": {"n_boot": n_boot, "seed": seed, "confidence": CONFIDENCE},
        "spans": {
            "strict": _table(pooled("strict"), LABELS, macro=True),
            "partial": _table(pooled("partial"), LABELS, macro=True),
        },
        "normalisation": {**norm_all.to_json(), "by_label": {lab: c.to_json() for lab, c in norm_by_label.items()}},
        "relations": {
            "end_to_end": rel_block("rel_lenient", "rel_strict"),
            "given_gold_spans": rel_block("gg_lenient", "gg_strict") if have_gg else None,
        },
        "per_document": per_document,
        "ci": ci,
    }


# --------------------------------------------------------------------------- error listing


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


# --------------------------------------------------------------------------- Markdown


def _f(x: float | None) -> str:
    return "–" if x is None else f"{x:.3f}"


def _ci(ci: dict[str, float] | None) -> str:
    return "–" if ci is None else f"[{ci['low']:.3f}, {ci['high']:.3f}]"


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|")


def _row(cells: Iterable[Any]) -> str:
    return "| " + " | ".join(_cell(c) for c in cells) + " |"


def _prf_cells(m: dict[str, Any]) -> list[str]:
    return [_f(m["precision"]), _f(m["recall"]), _f(m["f1"])]


def _rel_table(block: dict[str, Any], ci_l: Any, ci_s: Any) -> list[str]:
    lines = [
        _row(["type", "lenient P", "R", "F1", "tp/fp/fn", "strict P", "R", "F1", "tp/fp/fn"]),
        _row(["---"] * 9),
    ]
    for key in (*REL_TYPES, "micro"):
        lo, st = block["lenient"][key], block["strict"][key]
        lines.append(
            _row(
                [
                    key,
                    *_prf_cells(lo),
                    f"{lo['tp']}/{lo['fp']}/{lo['fn']}",
                    *_prf_cells(st),
                    f"{st['tp']}/{st['fp']}/{st['fn']}",
                ]
            )
        )
    lines.append(f"\n95 % CI of micro F1: lenient {_ci(ci_l)}, strict {_ci(ci_s)}")
    return lines


def markdown_report(result: dict[str, Any], errors: list[dict[str, Any]] | None = None, top: int = 30) -> str:
    """The result of :func:`score` (and optionally :func:`error_listing`) as Markdown tables."""
    st, pa = result["spans"]["strict"], result["spans"]["partial"]
    ci = result["ci"]
    s = result["settings"]
    lines = [
        "# Evaluation",
        "",
        f"{result['n_documents']} documents; 95 % bootstrap intervals over documents "
        f"({s['n_boot']} resamples, seed {s['seed']}). – = no score (nothing in gold or prediction).",
        "",
        "## Spans",
        "",
        _row(["label", "strict P", "R", "F1", "tp/fp/fn", "partial P", "R", "F1", "tp/fp/fn"]),
        _row(["---"] * 9),
    ]
    for key in (*LABELS, "micro"):
        a, b = st[key], pa[key]
        lines.append(
            _row(
                [
                    key,
                    *_prf_cells(a),
                    f"{a['tp']}/{a['fp']}/{a['fn']}",
                    *_prf_cells(b),
                    f"{b['tp']}/{b['fp']}/{b['fn']}",
                ]
            )
        )
    lines.append(_row(["macro", *_prf_cells(st["macro"]), "", *_prf_cells(pa["macro"]), ""]))
    lines += [
        "",
        f"95 % CI of micro F1: strict {_ci(ci['spans_strict'])}, partial {_ci(ci['spans_partial'])}",
        "",
        "## Normalisation (MONEY/PERCENT spans matched strictly)",
        "",
        _row(["label", "n", "value+cmp+approx", "role"]),
        _row(["---"] * 4),
    ]
    norm = result["normalisation"]
    for lab, m in norm["by_label"].items():
        lines.append(_row([lab, m["n"], _f(m["value_accuracy"]), _f(m["role_accuracy"])]))
    lines.append(_row(["all", norm["n"], _f(norm["value_accuracy"]), _f(norm["role_accuracy"])]))
    lines += ["", "## Relations, end to end", ""]
    lines += _rel_table(result["relations"]["end_to_end"], ci["relations_lenient"], ci["relations_strict"])
    if result["relations"]["given_gold_spans"] is not None:
        lines += ["", "## Relations, given gold spans", ""]
        lines += _rel_table(result["relations"]["given_gold_spans"], ci["given_gold_lenient"], ci["given_gold_strict"])
    lines += [
        "",
        "## Per document",
        "",
        _row(
            [
                "document",
                "spans strict F1",
                "partial F1",
                "rel lenient F1",
                "rel strict F1",
                "value acc",
                "role acc",
                "gold/pred spans",
                "gold/pred relations",
            ]
        ),
        _row(["---"] * 9),
    ]
    for doc_id, m in result["per_document"].items():
        lines.append(
            _row(
                [
                    doc_id,
                    _f(m["spans_strict_f1"]),
                    _f(m["spans_partial_f1"]),
                    _f(m["relations_lenient_f1"]),
                    _f(m["relations_strict_f1"]),
                    _f(m["value_accuracy"]),
                    _f(m["role_accuracy"]),
                    f"{m['n_gold_spans']}/{m['n_pred_spans']}",
                    f"{m['n_gold_relations']}/{m['n_pred_relations']}",
                ]
            )
        )
    if errors is not None:
        groups = group_errors(errors)
        lines += [
            "",
            f"## Commonest errors (top {min(top, len(groups))} of {len(groups)} groups, {len(errors)} errors)",
            "",
            _row(["count", "kind", "label", "text", "documents", "example"]),
            _row(["---"] * 6),
        ]
        for grp in groups[:top]:
            docs = ", ".join(grp["docs"][:3]) + (" …" if len(grp["docs"]) > 3 else "")
            lines.append(_row([grp["count"], grp["kind"], grp["label"], grp["text"], docs, grp["examples"][0]]))
    return "\n".join(lines) + "\n"
