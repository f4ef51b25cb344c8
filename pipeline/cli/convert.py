"""Convert between SCHEMA JSONL and the annotation tools' formats (Label Studio, doccano).

Problems in the input are listed (one per line, on stderr) and the documents that break
SCHEMA.md are left out; the exit status is 1 when there was any problem.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from pipeline.cli import FAILED, OK, parser, run
from pipeline.formats import FORMATS, convert_file


def build_parser() -> argparse.ArgumentParser:
    ap = parser("convert", __doc__)
    ap.add_argument("--from", dest="source", choices=FORMATS, required=True)
    ap.add_argument("--to", dest="target", choices=FORMATS, required=True)
    ap.add_argument("input", metavar="IN")
    ap.add_argument("-o", "--output", required=True, metavar="OUT")
    ap.add_argument("--predictions", action="store_true",
                    help="write Label Studio predictions (pre-annotations with scores) instead of annotations")
    ap.add_argument("--model-version", default=None, help="model_version of Label Studio predictions")
    return ap


def main(argv: Sequence[str] | None = None) -> int:
    return run(build_parser(), argv, _convert)


def _convert(args: argparse.Namespace) -> int:
    count, problems = convert_file(args.input, args.output, args.source, args.target, args.predictions,
                                   args.model_version)
    print(f"{args.input} ({args.source}) -> {args.output} ({args.target}): {count} document(s) written, "
          f"{len(problems)} problem(s)")
    for problem in problems:
        print(problem, file=sys.stderr)
    return FAILED if problems else OK


if __name__ == "__main__":
    sys.exit(main())
