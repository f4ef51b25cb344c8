"""One self-contained HTML page to review predictions: spans highlighted, values and links listed.

With ``--gold``, misses and false alarms are marked (see :mod:`pipeline.review`).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from pipeline.cli import OK, CommandError, parser, run
from pipeline.document import DocumentError, read_jsonl


def build_parser() -> argparse.ArgumentParser:
    ap = parser("review", __doc__)
    ap.add_argument("pred", metavar="PRED.jsonl")
    ap.add_argument("--gold", metavar="GOLD.jsonl", default=None)
    ap.add_argument("-o", "--output", default="review.html")
    return ap


def main(argv: Sequence[str] | None = None) -> int:
    return run(build_parser(), argv, _review)


def _review(args: argparse.Namespace) -> int:
    from pipeline.review import render_review

    try:
        pred = read_jsonl(args.pred)
        gold = read_jsonl(args.gold) if args.gold else None
    except DocumentError as err:
        raise CommandError("\n".join(err.problems)) from err
    Path(args.output).write_text(render_review(pred, gold), encoding="utf-8")
    print(f"wrote {args.output}: {len(pred)} document(s)")
    return OK


if __name__ == "__main__":
    sys.exit(main())
