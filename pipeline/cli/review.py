"""Review predictions in the browser: spans highlighted, values, links and findings listed (Chinese interface).

``-o FOLDER`` (the default, ``review/``) writes an index with one row per report and one page per
report; ``-o FILE.html`` puts every report on one page. With ``--gold``, misses and false alarms
are marked, counted and linked (see :mod:`pipeline.review`, :mod:`pipeline.review_pages`).
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
    ap.add_argument("-o", "--output", default="review",
                    help="a folder (index.html + one page per report; default review/) or FILE.html (one page)")
    return ap


def main(argv: Sequence[str] | None = None) -> int:
    return run(build_parser(), argv, _review)


def _review(args: argparse.Namespace) -> int:
    try:
        pred = read_jsonl(args.pred)
        gold = read_jsonl(args.gold) if args.gold else None
    except DocumentError as err:
        raise CommandError("\n".join(err.problems)) from err
    out = Path(args.output)
    if out.suffix.lower() in (".html", ".htm"):
        from pipeline.review import render_review

        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(render_review(pred, gold), encoding="utf-8")
        print(f"wrote {out}: {len(pred)} document(s) on one page")
    else:
        from pipeline.review_pages import write_review_site

        files = write_review_site(pred, gold, out)
        print(f"wrote {out}/index.html and {len(files) - 1} report page(s)")
    return OK


if __name__ == "__main__":
    sys.exit(main())
