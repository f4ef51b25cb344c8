"""Pair gold and prediction documents by id, refusing what would make scores silently wrong."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pipeline.document import LABELS, RELATION_TAIL, Document, read_jsonl


class EvaluationError(ValueError):
    """Gold and prediction cannot be compared (missing documents, different texts, bad spans)."""


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
