"""Rank documents (or paragraphs) of a prediction file by model uncertainty, most uncertain first.

Used to choose what to annotate or review next. Each scored span and relation contributes
``1 − |2p − 1|`` (0 for p = 0 or 1, 1 for p = 0.5); a unit's uncertainty is the mean over its
scored items plus a small term for the share of values that have no relation at all, since a
value the linker attached to nothing is a likely linker gap even when every score is confident.
Items without a ``score`` cannot say how sure the model was: they are counted as unknown and
reported, never guessed. A unit with no scored item has no uncertainty and is listed last.

CLI::

    python -m pipeline rank runs/pred.jsonl --by paragraph --top 20
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Any

from pipeline.document import Document

# Weight of the share of relation-less values: small, so that scores lead and it breaks near-ties.
ORPHAN_WEIGHT = 0.1
PREVIEW_CHARS = 40


def item_uncertainty(p: float) -> float:
    """1 at p = 0.5, 0 at p = 0 or 1: how far a binary confidence is from a firm decision."""
    return 1.0 - abs(2.0 * p - 1.0)


@dataclass
class Unit:
    """A document or paragraph and what its predicted items say about the model's certainty."""

    doc_id: str
    paragraph: int | None
    start: int
    end: int
    preview: str
    uncertainties: list[float] = field(default_factory=list)
    unscored: int = 0
    values: int = 0
    orphans: int = 0

    @property
    def items(self) -> int:
        return len(self.uncertainties) + self.unscored

    def uncertainty(self) -> float | None:
        if not self.uncertainties:
            return None
        mean = sum(self.uncertainties) / len(self.uncertainties)
        return mean + (ORPHAN_WEIGHT * self.orphans / self.values if self.values else 0.0)

    def to_dict(self) -> dict[str, Any]:
        mean = sum(self.uncertainties) / len(self.uncertainties) if self.uncertainties else None
        return {"doc_id": self.doc_id, "paragraph": self.paragraph, "start": self.start, "end": self.end,
                "preview": self.preview, "uncertainty": self.uncertainty(), "mean_item_uncertainty": mean,
                "scored": len(self.uncertainties), "unscored": self.unscored, "values": self.values,
                "orphans": self.orphans}


def _paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-blank line: the paragraphs of a report as it was read."""
    out, pos = [], 0
    for line in text.split("\n"):
        if line.strip():
            out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return out


def _preview(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= PREVIEW_CHARS else flat[: PREVIEW_CHARS - 1] + "…"


def _units(doc: Document, by: str) -> tuple[list[Unit], dict[str, Unit]]:
    """The units of one document and, per span id, the unit it falls in."""
    if by == "document":
        unit = Unit(doc.id, None, 0, len(doc.text), _preview(doc.text))
        return [unit], {s.id: unit for s in doc.spans}
    units = [Unit(doc.id, n, a, b, _preview(doc.text[a:b])) for n, (a, b) in enumerate(_paragraphs(doc.text), 1)]
    where: dict[str, Unit] = {}
    for span in doc.spans:
        # A span starts on a non-blank character, so it always starts inside a paragraph.
        where[span.id] = next((u for u in units if u.start <= span.start < u.end), units[-1])
    return units, where


def rank_documents(pred: list[Document], by: str = "document") -> list[dict[str, Any]]:
    """Documents (``by="document"``) or paragraphs (``by="paragraph"``) ordered most uncertain first.

    Paragraphs without any predicted item are left out: they say nothing about the model.
    """
    if by not in ("document", "paragraph"):
        raise ValueError(f"by must be 'document' or 'paragraph', not {by!r}")
    units: list[Unit] = []
    for doc in pred:
        doc_units, where = _units(doc, by)
        linked = {r.head for r in doc.relations}
        for span in doc.spans:
            unit = where[span.id]
            if span.score is None:
                unit.unscored += 1
            else:
                unit.uncertainties.append(item_uncertainty(span.score))
            if span.is_value:
                unit.values += 1
                unit.orphans += span.id not in linked
        for rel in doc.relations:
            unit = where.get(rel.head)
            if unit is None:
                continue
            if rel.score is None:
                unit.unscored += 1
            else:
                unit.uncertainties.append(item_uncertainty(rel.score))
        units += doc_units if by == "document" else [u for u in doc_units if u.items]
    # Stable sort: units with no scored item go last, in file order; ties keep file order too.
    order = sorted(range(len(units)), key=lambda i: (units[i].uncertainty() is None, -(units[i].uncertainty() or 0.0)))
    return [units[i].to_dict() for i in order]


def main(argv: list[str] | None = None) -> int:
    """``python -m pipeline rank`` (kept here for callers of the old entry)."""
    from pipeline.cli.rank import main as cli_main

    return cli_main(argv)


if __name__ == "__main__":
    sys.exit(main())
