"""Throughput, latency, load time and peak memory of the extractor (``make bench``).

One process on one core; the corpus reports repeated to ``--min-chars`` characters, compared
with jieba alone (see :mod:`pipeline.bench` for what each figure measures).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipeline.cli import OK, USAGE, CommandError, parser, positive_int, run
from pipeline.paths import DEFAULT_MODEL


def build_parser() -> argparse.ArgumentParser:
    ap = parser("bench", __doc__)
    ap.add_argument("--model", default=DEFAULT_MODEL, help=f"saved pipeline (default {DEFAULT_MODEL})")
    ap.add_argument("--min-chars", type=positive_int, default=1_000_000,
                    help="characters to process (default 1,000,000)")
    ap.add_argument("--batch-size", type=positive_int, default=2,
                    help="nlp.pipe batch size (default 2: bigger batches pad long reports and cost memory)")
    ap.add_argument("--big", action="store_true",
                    help="instead: whole extract runs in fresh processes, with time and peak memory: a report of "
                         "1.27 M characters, 500 short and 60 whole reports, each with --workers 1 and 2 (~7 min)")
    ap.add_argument("--workdir", type=Path, default=Path("out/bench_big"),
                    help="where --big writes its inputs and outputs (default out/bench_big)")
    return ap


def main(argv: list[str] | None = None) -> int:
    return run(build_parser(), argv, _bench)


def _bench(args: argparse.Namespace) -> int:
    from pipeline.bench import benchmark, corpus_texts
    from pipeline.model import model_problem, resolve_model

    model_path = resolve_model(args.model)
    problem = model_problem(model_path)
    if problem:
        raise CommandError(f"{problem}: run `make train` to build the bundled model, or pass --model PATH", USAGE)
    reports = corpus_texts()
    if not reports:
        raise CommandError("no texts in annotations/*.jsonl or data/reports/*.txt", USAGE)
    if args.big:
        return _bench_big(model_path, args.workdir)
    r = benchmark(model_path, reports, args.min_chars, args.batch_size)
    print(f"bench: model {r.model} at {model_path}; pipeline {' → '.join(r.pipe_names)}")
    print(f"bench: {r.n_texts} texts ({r.n_reports} distinct reports repeated), {r.chars:,} characters, "
          f"batch size {r.batch_size}; one process on one core, so per core = total")
    print(f"bench: pipeline {r.pipe.wall:.1f} s wall / {r.pipe.cpu:.1f} s CPU; jieba {r.jieba.wall:.2f} s wall; "
          f"model loads {', '.join(f'{s:.3f}' for s in r.loads)} s")
    print()
    print("| measure | pipeline | jieba alone | pipeline / jieba |")
    print("| --- | ---: | ---: | ---: |")
    for row in r.rows:
        print("| " + " | ".join(row) + " |")
    return OK


if __name__ == "__main__":
    sys.exit(main())


def _bench_big(model_path: Path, workdir: Path) -> int:
    from pipeline.bench import big_benchmark

    runs = big_benchmark(model_path, workdir)
    print(f"bench --big: model at {model_path}; each run a fresh `python -m pipeline extract` (start-up and "
          f"model load included); inputs and outputs in {workdir}")
    print()
    print("| case | files | characters | --workers | wall (s) | chars/s | peak memory, largest process (MB) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in runs:
        print(f"| {r.case} | {r.files} | {r.chars:,} | {r.workers} | {r.seconds:.1f} | {r.chars / r.seconds:,.0f} "
              f"| {r.peak_mb:,.0f} |")
    print()
    for r in runs:
        print(f"{r.case}, --workers {r.workers}: {r.summary}")
    return OK
