"""Run the extractor over report files/folders (.txt .docx .pdf .jsonl) → SCHEMA JSONL.

Exit status: 0 when every input succeeded, 1 when any failed (the others are still written) or
the run stopped early, 2 for usage errors before anything is written (bad options, no inputs
found, no model; an output that cannot be written, is a folder, is an input or inside an input
folder, names the same file as another output, or is being written by another run), 130 when
interrupted. See :mod:`pipeline.extract` for the files written.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipeline.cli import FAILED, INTERRUPTED, OK, USAGE, error, parser, positive_int, run
from pipeline.paths import DEFAULT_MODEL
from pipeline.read import MAX_BYTES


def build_parser() -> argparse.ArgumentParser:
    ap = parser("extract", __doc__)
    ap.add_argument("paths", nargs="+", metavar="PATH", help="files or folders (searched recursively)")
    ap.add_argument("-o", "--output", required=True, type=Path, metavar="OUT.jsonl",
                    help="predictions; failures go to OUT.errors.jsonl")
    ap.add_argument("--model", default=DEFAULT_MODEL, help=f"saved pipeline (default {DEFAULT_MODEL})")
    ap.add_argument("--csv", type=Path, help="also write one row per value as CSV (UTF-8 with BOM)")
    ap.add_argument("--xlsx", type=Path, help="also write the workbook: summary per report, values, checks, indicators")
    ap.add_argument("--lang", choices=("zh", "en"), default="zh", help="headers of the --xlsx workbook (default zh)")
    ap.add_argument("--workers", type=positive_int, default=1,
                    help="processes, this one included, each with its own model (~350 MB; default 1); a long "
                         "report's pieces are shared out too. Worth it with N idle cores: each helper takes ~5 s of "
                         "a core to start, and this process works meanwhile. On 2 idle cores (bench --big) 2 workers "
                         "took 13.4 s instead of 14.4 for 500 short reports, 8.8 instead of 13.8 for 60 whole ones, "
                         "92 instead of 156 for one report of 1.27 M characters; on a busy machine 2 can be slower")
    ap.add_argument("--span-scores", action="store_true",
                    help="add a confidence to every span (beam search over the tagger; about 4x slower)")
    ap.add_argument("--batch-size", type=positive_int, default=2,
                    help="documents per nlp.pipe batch (default 2; bigger batches pad long reports, cost memory)")
    ap.add_argument("--resume", action="store_true",
                    help="keep what OUT already holds and append the rest (after a crash or kill)")
    ap.add_argument("--max-bytes", type=positive_int, default=MAX_BYTES,
                    help=f"refuse input files larger than this, and texts longer than this many characters once "
                         f"read (default {MAX_BYTES:,}); any text within it is extracted, in pieces if long")
    ap.add_argument("--quiet", action="store_true", help="no progress bar (failures and the summary are still printed)")
    return ap


def main(argv: list[str] | None = None) -> int:
    ap = build_parser()

    def body(args: argparse.Namespace) -> int:
        from pipeline.extract import Options, UsageError
        from pipeline.extract import run as extract

        try:
            s = extract(Options(**vars(args)))
        except UsageError as err:
            for line in err.details:
                error(ap.prog, line)
            error(ap.prog, str(err))
            return USAGE
        for source, problem in s.tally.failures:
            print(f"FAILED {source}: {problem}")
        t = s.tally
        resumed = f" ({s.skipped} already done, skipped)" if args.resume else ""
        print(
            f"extract: {t.documents} documents{resumed}, {t.values} values, {t.relations} relations, "
            f"{len(t.failures)} failures in {s.seconds:.1f} s (model {s.model}, loaded in {s.load_seconds:.1f} s; "
            f"{s.chars_per_second:,.0f} chars/s) → {s.out}, errors → {s.errors}"
            + "".join(f", {table}" for table in s.tables)
        )
        if s.interrupted:
            error(ap.prog, f"stopped: {s.interrupted}; every finished document is in {s.out}; "
                           "rerun with --resume to continue")
            return INTERRUPTED if s.interrupted == "interrupted" else FAILED
        return FAILED if t.failures else OK

    return run(ap, argv, body)


if __name__ == "__main__":
    sys.exit(main())
