"""Load time, throughput, latency and peak memory of the extractor (``python -m pipeline bench``).

Everything is measured in one process on one core, so "per core" figures are the totals; the
CPU-time column says how much of the wall time the process really computed (a BLAS library
using more threads would show as CPU time above wall time).

- Texts: the corpus reports (``annotations/*.jsonl`` texts, else ``data/reports/*.txt``),
  repeated in order until they hold at least ``--min-chars`` characters.
- Model load: median of 3 ``spacy.load`` calls (the project modules are imported before, so
  imports are not counted).
- Throughput: one ``nlp.pipe`` pass over all the texts, characters per second.
- Latency: ``nlp(text)`` once per distinct report, median and p90 in seconds.
- jieba: ``pipeline.segment.token_offsets(text, "jieba")`` over the same texts after a warm-up,
  as the floor any pipeline that segments words pays; the ratio is pipeline / jieba.
- Peak memory: ``ru_maxrss`` of this process at the end (model, texts and jieba together).
"""

from __future__ import annotations

import resource
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.model import load_model, model_name, register_components
from pipeline.paths import ROOT


@dataclass
class Timing:
    wall: float
    cpu: float


def corpus_texts(root: Path = ROOT) -> list[str]:
    """The distinct report texts: gold annotations first, raw reports when there are none."""
    from pipeline.document import read_jsonl

    files = sorted((root / "annotations").glob("*.jsonl"))
    if files:
        return [doc.text for doc in read_jsonl(files, skip_bad=True)]
    from pipeline.read import read_reports

    return [r.text for path in sorted((root / "data" / "reports").glob("*.txt")) for r in read_reports(path)]


def repeat_to(texts: list[str], min_chars: int) -> list[str]:
    out: list[str] = []
    total = 0
    while total < min_chars:
        for text in texts:
            out.append(text)
            total += len(text)
            if total >= min_chars:
                break
    return out


def timed(fn: Callable[[], object]) -> Timing:
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return Timing(time.perf_counter() - wall, time.process_time() - cpu)


def p90(values: list[float]) -> float:
    ordered = sorted(values)
    # nearest rank: the smallest value with at least 90 % of the values at or below it
    return ordered[max(0, -(-9 * len(ordered) // 10) - 1)]


def peak_rss_mb() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 1024 / 1024 if sys.platform == "darwin" else rss / 1024  # bytes on macOS, KiB on Linux


def cold_start_seconds(model_path) -> float:
    """What an analyst waits for: a fresh interpreter importing spaCy, loading the model and
    running one short report (jieba's dictionary is built on first use)."""
    import subprocess

    code = ("import time; t = time.perf_counter(); import spacy; nlp = spacy.load(" + repr(str(model_path))
            + "); nlp('预算执行率95%'); print(time.perf_counter() - t)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


@dataclass
class BenchResult:
    """The figures of one run: ``rows`` are (measure, pipeline, jieba alone, ratio) table cells."""

    model: str
    pipe_names: list[str]
    n_texts: int
    n_reports: int
    chars: int
    batch_size: int
    pipe: Timing
    jieba: Timing
    loads: list[float]
    rows: list[tuple[str, str, str, str]] = field(default_factory=list)


def benchmark(model_path: Path, reports: list[str], min_chars: int, batch_size: int) -> BenchResult:
    """Measure the model at ``model_path`` on ``reports`` repeated to ``min_chars`` characters."""
    texts = repeat_to(reports, min_chars)
    chars = sum(map(len, texts))

    register_components()  # imports are not part of the load time
    from pipeline.segment import jieba_tokenizer, token_offsets

    loads = [timed(lambda: load_model(model_path)).wall for _ in range(3)]
    cold = [cold_start_seconds(model_path) for _ in range(3)]
    nlp = load_model(model_path)
    nlp(reports[0])  # warm-up: first-call allocations are not throughput
    pipe = timed(lambda: [None for _ in nlp.pipe(texts, batch_size=batch_size)])
    latency = [timed(lambda t=text: nlp(t)).wall for text in reports]

    jieba_tokenizer()
    token_offsets(reports[0], "jieba")  # warm-up: the prefix dictionary is built lazily
    jieba = timed(lambda: [token_offsets(t, "jieba") for t in texts])
    jieba_latency = [timed(lambda t=text: token_offsets(t, "jieba")).wall for text in reports]

    pipe_rate, jieba_rate = chars / pipe.wall, chars / jieba.wall
    rows = [
        ("throughput, chars/s per core (wall)", f"{pipe_rate:,.0f}", f"{jieba_rate:,.0f}",
         f"{pipe_rate / jieba_rate:.4f}"),
        ("throughput, chars per CPU-second", f"{chars / pipe.cpu:,.0f}", f"{chars / jieba.cpu:,.0f}",
         f"{(chars / pipe.cpu) / (chars / jieba.cpu):.4f}"),
        ("latency per report, median (s)", f"{statistics.median(latency):.3f}",
         f"{statistics.median(jieba_latency):.4f}",
         f"{statistics.median(latency) / statistics.median(jieba_latency):.1f}"),
        ("latency per report, p90 (s)", f"{p90(latency):.3f}", f"{p90(jieba_latency):.4f}",
         f"{p90(latency) / p90(jieba_latency):.1f}"),
        ("model load, modules already imported, median of 3 (s)", f"{statistics.median(loads):.3f}", "–", "–"),
        ("cold start: new process, import + load + first report, median of 3 (s)",
         f"{statistics.median(cold):.2f}", "–", "–"),
        ("peak memory, ru_maxrss (MB)", f"{peak_rss_mb():,.0f}", "(same process)", "–"),
    ]
    return BenchResult(model_name(nlp.meta), list(nlp.pipe_names), len(texts), len(reports), chars, batch_size,
                       pipe, jieba, loads, rows)


def main(argv: list[str] | None = None) -> int:
    """``python -m pipeline bench`` (kept here for callers of the old entry)."""
    from pipeline.cli.bench import main as cli_main

    return cli_main(argv)
