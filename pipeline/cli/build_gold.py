"""Compile the annotators' span lists annotations/src/*.tsv into annotations/*.jsonl (``make gold``).

Offsets are computed, never typed (see :mod:`pipeline.formats.gold_source` for the format).
With NAME, only those sources (file stems); ``-v`` lists every span in context and the value
cues no span covers, for review.
"""

from __future__ import annotations

import argparse
import json
import sys

from pipeline.cli import FAILED, OK, parser, run
from pipeline.document import write_jsonl
from pipeline.formats.gold_source import (
    OUT_DIR,
    SRC_DIR,
    SourceError,
    compile_source,
    counts_by_label,
    show,
    uncovered_value_cues,
)


def build_parser() -> argparse.ArgumentParser:
    ap = parser("build-gold", __doc__)
    ap.add_argument("names", nargs="*", metavar="NAME", help="source stems to compile (default: all)")
    ap.add_argument("-v", "--verbose", action="store_true", help="list every span in context and uncovered cues")
    return ap


def main(argv: list[str] | None = None) -> int:
    return run(build_parser(), argv, lambda args: build_all(args.names or None, verbose=args.verbose))


def build_all(names: list[str] | None = None, verbose: bool = False) -> int:
    sources = sorted(SRC_DIR.glob("*.tsv"))
    if names:
        sources = [p for p in sources if p.stem in names]
    failed = 0
    for path in sources:
        try:
            doc = compile_source(path)
        except (SourceError, OSError, json.JSONDecodeError) as err:
            # the whole problem, as compile_source worded it, one source after the other
            print(f"FAILED {path}:\n{err}", file=sys.stderr)
            failed += 1
            continue
        write_jsonl([doc], OUT_DIR / f"{path.stem}.jsonl")
        print(f"{path.stem}: {len(doc.spans)} spans {counts_by_label(doc)}, {len(doc.relations)} relations")
        if verbose:
            print(show(doc))
            for pos, ctx in uncovered_value_cues(doc):
                print(f"  uncovered cue at {pos}: {ctx}")
    return FAILED if failed else OK


if __name__ == "__main__":
    sys.exit(main())
