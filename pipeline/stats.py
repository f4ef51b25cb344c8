"""Corpus statistics of the gold annotations (``make stats`` = ``python -m pipeline stats``).

``corpus_stats(docs)`` gathers, as plain data:

- per document: id, origin, characters, spans per label, relations per type;
- totals for real, authored and all documents;
- value roles per label (MONEY, PERCENT);
- for each segmenter of :data:`pipeline.segment.SEGMENTERS`, the share of gold span
  boundaries that fall on token boundaries, per label, over all documents and over the real
  ones. A span start is on a boundary when a token starts there, an end when a token ends
  there; ``both`` is the share of spans with start and end on boundaries, i.e. the spans a
  tagger over that segmenter's tokens can represent exactly.

``format_stats`` renders it as Markdown.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from pipeline.corpus import origin_of
from pipeline.document import LABELS, RELATION_TYPES, ROLE_ORDER, VALUE_LABEL_ORDER, Document
from pipeline.segment import SEGMENTERS, token_offsets

GROUPS = ("real", "authored", "all")


def _doc_row(doc: Document) -> dict[str, Any]:
    labels = Counter(s.label for s in doc.spans)
    types = Counter(r.type for r in doc.relations)
    return {
        "id": doc.id,
        "origin": origin_of(doc) or "?",
        "chars": len(doc.text),
        "spans": {label: labels.get(label, 0) for label in LABELS},
        "relations": {t: types.get(t, 0) for t in RELATION_TYPES},
    }


def _total(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "documents": len(rows),
        "chars": sum(r["chars"] for r in rows),
        "spans": {label: sum(r["spans"][label] for r in rows) for label in LABELS},
        "relations": {t: sum(r["relations"][t] for r in rows) for t in RELATION_TYPES},
    }


def _new_counts() -> dict[str, int]:
    return {"spans": 0, "start": 0, "end": 0, "both": 0}


def boundary_counts(docs: Iterable[Document], segmenter: str) -> dict[str, dict[str, int]]:
    """Per label (and ``ALL``): spans, and how many have start / end / both on token boundaries."""
    counts = {label: _new_counts() for label in (*LABELS, "ALL")}
    for doc in docs:
        offsets = token_offsets(doc.text, segmenter)
        starts = {s for s, _ in offsets}
        ends = {e for _, e in offsets}
        for span in doc.spans:
            ok_start, ok_end = span.start in starts, span.end in ends
            for key in (span.label, "ALL"):
                c = counts.setdefault(key, _new_counts())
                c["spans"] += 1
                c["start"] += ok_start
                c["end"] += ok_end
                c["both"] += ok_start and ok_end
    return counts


def _shares(c: dict[str, int]) -> dict[str, Any]:
    n = c["spans"]
    share = (lambda k: c[k] / n) if n else (lambda k: None)
    # "boundaries": starts and ends pooled (2 per span).
    return {
        "spans": n,
        "start": share("start"),
        "end": share("end"),
        "boundaries": (c["start"] + c["end"]) / (2 * n) if n else None,
        "both": share("both"),
    }


def corpus_stats(docs: Iterable[Document], segmenters: Iterable[str] = SEGMENTERS) -> dict[str, Any]:
    docs = sorted(docs, key=lambda d: d.id)
    rows = [_doc_row(d) for d in docs]
    totals = {
        "real": _total([r for r in rows if r["origin"] == "real"]),
        "authored": _total([r for r in rows if r["origin"] == "authored"]),
        "all": _total(rows),
    }
    roles: dict[str, dict[str, int]] = {}
    for label in VALUE_LABEL_ORDER:
        found = Counter(s.role for d in docs for s in d.spans if s.label == label)
        roles[label] = {role: found.get(role, 0) for role in ROLE_ORDER}
    real = [d for d in docs if origin_of(d) == "real"]
    boundaries: dict[str, dict[str, dict[str, Any]]] = {}
    for seg in segmenters:
        per_group = {"all": boundary_counts(docs, seg), "real": boundary_counts(real, seg)}
        boundaries[seg] = {
            group: {label: _shares(c) for label, c in counts.items()} for group, counts in per_group.items()
        }
    return {"documents": rows, "totals": totals, "roles": roles, "boundaries": boundaries}


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.1f}"


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    out += ["| " + " | ".join(str(x) for x in row) + " |" for row in rows]
    return out


def format_stats(stats: dict[str, Any]) -> str:
    """The statistics of :func:`corpus_stats` as Markdown."""
    lines = ["# Gold corpus statistics", "", "## Documents", ""]
    header = ["id", "origin", "chars", *LABELS, *(f"rel:{t}" for t in RELATION_TYPES)]
    rows = [
        [
            r["id"],
            r["origin"],
            r["chars"],
            *(r["spans"][lb] for lb in LABELS),
            *(r["relations"][t] for t in RELATION_TYPES),
        ]
        for r in stats["documents"]
    ]
    lines += _table(header, rows)
    lines += ["", "## Totals", ""]
    header = ["group", "documents", "chars", *LABELS, "spans", *(f"rel:{t}" for t in RELATION_TYPES), "relations"]
    rows = []
    for group in GROUPS:
        t = stats["totals"][group]
        rows.append(
            [
                group,
                t["documents"],
                t["chars"],
                *(t["spans"][lb] for lb in LABELS),
                sum(t["spans"].values()),
                *(t["relations"][r] for r in RELATION_TYPES),
                sum(t["relations"].values()),
            ]
        )
    lines += _table(header, rows)
    lines += ["", "## Value roles", ""]
    rows = [[label, *(c[r] for r in ROLE_ORDER), sum(c.values())] for label, c in stats["roles"].items()]
    lines += _table(["label", *ROLE_ORDER, "total"], rows)
    lines += [
        "",
        "## Gold span boundaries on token boundaries (%)",
        "",
        "start: a token starts at the span start; end: a token ends at the span end; "
        "boundaries: starts and ends pooled; both: spans whose start and end are both on token boundaries.",
    ]
    for group, title in (("all", "all documents"), ("real", "real documents")):
        lines += ["", f"### {title}", ""]
        rows = []
        for seg, by_group in stats["boundaries"].items():
            for label, s in by_group[group].items():
                rows.append(
                    [seg, label, s["spans"], _pct(s["start"]), _pct(s["end"]), _pct(s["boundaries"]), _pct(s["both"])]
                )
        lines += _table(["segmenter", "label", "spans", "start", "end", "boundaries", "both"], rows)
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """``python -m pipeline stats`` (kept here for callers of the old entry)."""
    from pipeline.cli.stats import main as cli_main

    return cli_main(argv)


if __name__ == "__main__":
    raise SystemExit(main())
