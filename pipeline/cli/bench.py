"""Throughput, latency, load time and peak memory of the extractor (``make bench``).

One process on one core; the corpus reports repeated to ``--min-chars`` characters, compared
with jieba alone (see :mod:`pipeline.bench` for what each figure measures).
"""

from __future__ import annotations

import argparse
import sys

from pipeline.cli import OK, USAGE, CommandError, parser, positive_int, run
from pipeline.paths import DEFAULT_MODEL


def build_parser() -> argparse.ArgumentParser:
    ap = parser("bench", __doc__)
    ap.add_argument("--model", default=DEFAULT_MODEL, help=f"saved pipeline (default {DEFAULT_MODEL})")
    ap.add_argument("--min-chars", type=positive_int, default=1_000_000,
                    help="characters to process (default 1,000,000)")
    ap.add_argument("--batch-size", type=positive_int, default=2,
                    help="nlp.pipe batch size (default 2: bigger batches pad long reports and cost memory)")
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
