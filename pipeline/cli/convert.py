"""Convert between SCHEMA JSONL and the annotation tools' formats (Label Studio, doccano).

Problems in the input are listed (one per line, on stderr) and the documents that break
SCHEMA.md are left out; the exit status is 1 when there was any problem.

Label Studio: one model version per project. A project shows annotators the pre-annotations of
one model version only, so tasks made with --predictions under several --model-version values
and imported into one project show only the first version's; import each version's tasks into a
project of their own. Its plain JSON export lists predictions as ids only: to convert tasks that
have predictions but no annotation, export a snapshot with serialization_options.predictions.only_id
= false (POST /api/projects/ID/exports).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from pipeline.cli import FAILED, OK, parser, run
from pipeline.formats import FORMATS, convert_file


def build_parser() -> argparse.ArgumentParser:
    ap = parser("convert", __doc__, epilog=__doc__.split("\n\n", 2)[2].replace("\n", " "))
    ap.add_argument("--from", dest="source", choices=FORMATS, required=True)
    ap.add_argument("--to", dest="target", choices=FORMATS, required=True)
    ap.add_argument("input", metavar="IN")
    ap.add_argument("-o", "--output", required=True, metavar="OUT")
    ap.add_argument("--predictions", action="store_true",
                    help="write Label Studio predictions (pre-annotations with scores) instead of annotations")
    ap.add_argument("--model-version", default=None,
                    help="model_version of Label Studio predictions (default: each document's meta.model); "
                         "one model version per Label Studio project, which shows annotators only one")
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
    if args.target == "label-studio" and args.predictions:
        tasks = json.loads(Path(args.output).read_text(encoding="utf-8"))
        versions = sorted({p.get("model_version") for t in tasks for p in t.get("predictions", [])}, key=str)
        if len(versions) > 1:
            print(f"warning: {args.output} holds predictions of {len(versions)} model versions ({', '.join(map(str, versions))}); "
                  "Label Studio shows one model version per project: import each version's tasks into a project "
                  "of their own, or pass --model-version", file=sys.stderr)
    return FAILED if problems else OK


if __name__ == "__main__":
    sys.exit(main())
