"""Rank documents (or paragraphs) of a prediction file by model uncertainty, most uncertain first.

Used to choose what to annotate or review next; how uncertainty is measured is in
:mod:`pipeline.rank`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from pipeline.cli import OK, CommandError, parser, run
from pipeline.document import DocumentError, read_jsonl
from pipeline.rank import ORPHAN_WEIGHT, rank_documents


def format_table(rows: list[dict[str, Any]], by: str) -> str:
    def num(val: float | None) -> str:
        return "n/a" if val is None else f"{val:.3f}"

    header = ["rank", "uncertainty", "mean", "scored", "unscored", "orphans", "document"]
    if by == "paragraph":
        header.append("para")
    header.append("text")
    lines = [header]
    for rank, row in enumerate(rows, 1):
        line = [str(rank), num(row["uncertainty"]), num(row["mean_item_uncertainty"]), str(row["scored"]),
                str(row["unscored"]), f"{row['orphans']}/{row['values']}", row["doc_id"]]
        if by == "paragraph":
            line.append(str(row["paragraph"]))
        line.append(row["preview"])
        lines.append(line)
    widths = [max(len(line[i]) for line in lines) for i in range(len(header) - 1)]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=False)) + "  " + line[-1]
                     for line in lines)


def build_parser() -> argparse.ArgumentParser:
    ap = parser("rank", __doc__)
    ap.add_argument("pred", metavar="PRED.jsonl")
    ap.add_argument("--by", choices=("document", "paragraph"), default="document")
    ap.add_argument("--top", type=int, default=None, metavar="N", help="show only the N most uncertain")
    return ap


def main(argv: Sequence[str] | None = None) -> int:
    return run(build_parser(), argv, _rank)


def _rank(args: argparse.Namespace) -> int:
    try:
        docs = read_jsonl(args.pred)
    except DocumentError as err:
        raise CommandError("\n".join(err.problems)) from err
    rows = rank_documents(docs, by=args.by)
    shown = rows[: args.top] if args.top is not None else rows
    print(format_table(shown, args.by))
    unscored = sum(r["unscored"] for r in rows)
    no_score = sum(r["uncertainty"] is None for r in rows)
    print(f"\n{len(shown)} of {len(rows)} {args.by}(s) shown; uncertainty = mean of 1-|2p-1| over scored spans and "
          f"relations + {ORPHAN_WEIGHT} x share of values without a relation")
    if unscored:
        print(f"{unscored} item(s) have no score and count as unknown; {no_score} {args.by}(s) have no scored "
              "item at all and are listed last (n/a)")
    return OK


if __name__ == "__main__":
    sys.exit(main())
