"""``score``: every SCHEMA §5 figure as a JSON-serialisable dict (keys in :mod:`pipeline.evaluate`),
with paired bootstrap intervals over documents; ``headline``: the few figures quoted elsewhere."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from pipeline.document import LABELS, VALUE_LABELS, Document
from pipeline.evaluate.align import EvaluationError, align
from pipeline.evaluate.matching import (
    CI_METRICS,
    CONFIDENCE,
    REL_TYPES,
    VALUE_LABEL_ORDER,
    Counts,
    _add_maps,
    _by_label,
    _partial_tp,
    _ratio,
    _rel_counts,
    _same_value,
    _strict_pairs,
    _table,
)


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
    norm_by_label = {lab: sum((d.norm[lab] for d in docs), NormCounts()) for lab in VALUE_LABEL_ORDER}
    norm_all = sum(norm_by_label.values(), NormCounts())
    return {
        "n_documents": len(docs),
        "settings": {"n_boot": n_boot, "seed": seed, "confidence": CONFIDENCE},
        "spans": {
            "strict": _table(_pooled(docs, "strict"), LABELS, macro=True),
            "partial": _table(_pooled(docs, "partial"), LABELS, macro=True),
        },
        "normalisation": {**norm_all.to_json(), "by_label": {lab: c.to_json() for lab, c in norm_by_label.items()}},
        "relations": {
            "end_to_end": _rel_block(docs, "rel_lenient", "rel_strict"),
            "given_gold_spans": _rel_block(docs, "gg_lenient", "gg_strict") if have_gg else None,
        },
        "per_document": {d.id: _document_row(d) for d in docs},
        "ci": _intervals(docs, n_boot, seed, have_gg),
    }


def _pooled(docs: list[DocScore], attr: str) -> dict[str, Counts]:
    total: dict[str, Counts] = {}
    for d in docs:
        total = _add_maps(total, getattr(d, attr))
    return total


def _rel_block(docs: list[DocScore], lenient: str, strict: str) -> dict[str, Any]:
    return {
        "lenient": _table(_pooled(docs, lenient), REL_TYPES, macro=False),
        "strict": _table(_pooled(docs, strict), REL_TYPES, macro=False),
    }


def _f1_of(d: DocScore, metric: str) -> float | None:
    counts = d.micro(metric)
    return None if counts is None else counts.f1


def _document_row(d: DocScore) -> dict[str, Any]:
    norm = sum(d.norm.values(), NormCounts())
    return {
        "spans_strict_f1": _f1_of(d, "spans_strict"),
        "spans_partial_f1": _f1_of(d, "spans_partial"),
        "relations_lenient_f1": _f1_of(d, "relations_lenient"),
        "relations_strict_f1": _f1_of(d, "relations_strict"),
        "given_gold_lenient_f1": _f1_of(d, "given_gold_lenient"),
        "given_gold_strict_f1": _f1_of(d, "given_gold_strict"),
        "value_accuracy": _ratio(norm.value_correct, norm.n),
        "role_accuracy": _ratio(norm.role_correct, norm.n),
        "n_value_matched": norm.n,
        "n_gold_spans": d.n_gold_spans,
        "n_pred_spans": d.n_pred_spans,
        "n_gold_relations": d.n_gold_relations,
        "n_pred_relations": d.n_pred_relations,
    }


def _intervals(docs: list[DocScore], n_boot: int, seed: int, have_gg: bool) -> dict[str, Any]:
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
    return ci


def headline(result: dict[str, Any]) -> dict[str, Any]:
    """The few figures quoted outside the full report: the training record, ``make train``'s
    before/after table, the cv per-fold rows and the learning curve all use these names."""
    s, n = result["spans"]["strict"], result["normalisation"]
    rel = result["relations"]["end_to_end"]
    return {
        "spans_strict_micro_f1": s["micro"]["f1"],
        **{f"{lab}_strict_f1": s[lab]["f1"] for lab in LABELS},
        "spans_partial_micro_f1": result["spans"]["partial"]["micro"]["f1"],
        "value_accuracy": n["value_accuracy"],
        "role_accuracy": n["role_accuracy"],
        "relations_lenient_micro_f1": rel["lenient"]["micro"]["f1"],
        "relations_strict_micro_f1": rel["strict"]["micro"]["f1"],
        "relations_lenient_indicator_f1": rel["lenient"]["indicator"]["f1"],
        "relations_lenient_project_f1": rel["lenient"]["project"]["f1"],
    }
