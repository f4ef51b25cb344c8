"""Print statistics of the gold annotations as Markdown (``make stats``).

Documents, spans and relations per document and in total, value roles, and how often gold
span boundaries fall on each segmenter's token boundaries (:mod:`pipeline.stats`).
"""

from __future__ import annotations

import argparse
import sys

from pipeline.cli import OK, parser, run


def build_parser() -> argparse.ArgumentParser:
    ap = parser("stats", __doc__)
    ap.add_argument("annotation_dir", nargs="?", default="annotations")
    return ap


def main(argv: list[str] | None = None) -> int:
    return run(build_parser(), argv, _stats)


def _stats(args: argparse.Namespace) -> int:
    from pipeline.corpus import load_documents, resolve_dir
    from pipeline.document import check_files
    from pipeline.stats import corpus_stats, format_stats

    # Files are being added while others work: report bad lines, count the good ones.
    _, problems = check_files(sorted(resolve_dir(args.annotation_dir).glob("*.jsonl")))
    if problems:
        print(f"warning: {len(problems)} problem(s) in the annotations; those documents are left out:", file=sys.stderr)
        for p in problems[:20]:
            print(f"  {p}", file=sys.stderr)
    docs = load_documents(args.annotation_dir, skip_bad=True)
    print(format_stats(corpus_stats(docs)), end="")
    return OK


if __name__ == "__main__":
    sys.exit(main())
