"""Load time, throughput, latency and peak memory of the extractor (``python -m pipeline bench``).

Everything is measured in one process on one core, so "per core" figures are the totals; the
CPU-time column says how much of the wall time the process really computed (a BLAS library
using more threads would show as CPU time above wall time).

- Texts: the corpus reports (``annotations/*.jsonl`` texts, else ``data/reports/*.txt``),
  repeated in order until they hold at least ``--min-chars`` characters.
- Model load: median of 3 ``spacy.load`` calls (the project modules are imported before, so
  imports are not counted).
- Cold start (:func:`cold_starts`): new processes, each the median of 3 after a warm-up run (the
  jieba cache in the user cache folder exists: a start after the first run on the machine):
  ``spacy.load`` + one short text, and the whole ``python -m pipeline extract`` command on the
  shortest corpus report; plus one first run with an empty cache folder.
- Throughput: one ``nlp.pipe`` pass over all the texts, characters per second.
- Latency: ``nlp(text)`` once per distinct report, median and p90 in seconds.
- jieba: ``pipeline.segment.token_offsets(text, "jieba")`` over the same texts after a warm-up,
  as the floor any pipeline that segments words pays; the ratio is pipeline / jieba.
- Peak memory: ``ru_maxrss`` of this process at the end (model, texts and jieba together).

``--big`` (:func:`big_benchmark`) times whole ``python -m pipeline extract`` runs instead, each
in a fresh process (start-up and model load included), with the peak memory of the run's largest
process: a report of 1.27 M characters (the corpus reports one after another; read in pieces),
500 short reports and 60 whole corpus reports, each with one worker and with two (the last two
sets: best of two interleaved runs).
"""

from __future__ import annotations

import itertools
import os
import resource
import statistics
import subprocess
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


def cold_start_seconds(model_path, cache_dir: str | None = None) -> float:
    """What an analyst waits for: a fresh interpreter importing spaCy, loading the model and
    running one short report. ``cache_dir``: the cache folder to use (``PERFREPORT_CACHE_DIR``; an
    empty one is a first run on the machine, when jieba's prefix dictionary is built and cached)."""
    code = ("import time; t = time.perf_counter(); import spacy; nlp = spacy.load(" + repr(str(model_path))
            + "); nlp('预算执行率95%'); print(time.perf_counter() - t)")
    env = dict(os.environ, **({"PERFREPORT_CACHE_DIR": cache_dir} if cache_dir else {}))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    return float(out.stdout.strip().splitlines()[-1])


def command_seconds(model_path, report: str) -> float:
    """Wall time of ``python -m pipeline extract`` on one report file, in a new process: what
    ``perfreport extract report.txt -o out.jsonl`` costs from a cold start."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "report.txt"
        source.write_text(report, encoding="utf-8")
        cmd = [sys.executable, "-m", "pipeline", "extract", str(source), "-o", str(Path(tmp) / "out.jsonl"),
               "--model", str(model_path), "--quiet"]
        start = time.perf_counter()
        subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=ROOT)
        return time.perf_counter() - start


def cold_starts(model_path, report: str) -> dict[str, float]:
    """Cold-start figures (s), each the median of 3 new processes after one warm-up run, so that the
    user cache (jieba's prefix dictionary) exists — a cold start after the first run on the machine;
    ``first run`` is one start with an empty cache folder."""
    import tempfile

    cold_start_seconds(model_path)  # warm-up: fills the cache and the OS file cache
    with tempfile.TemporaryDirectory() as empty:
        first = cold_start_seconds(model_path, empty)
    return {
        "load": statistics.median(cold_start_seconds(model_path) for _ in range(3)),
        "command": statistics.median(command_seconds(model_path, report) for _ in range(3)),
        "first run": first,
    }


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
    cold = cold_starts(model_path, min(reports, key=len))
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
        ("cold start: new process, import + load + first report, median of 3 (s)", f"{cold['load']:.2f}", "–", "–"),
        ("cold start: `perfreport extract` on the shortest report, whole command, median of 3 (s)",
         f"{cold['command']:.2f}", "–", "–"),
        ("cold start, first run on the machine (no jieba cache yet), once (s)", f"{cold['first run']:.2f}", "–", "–"),
        ("peak memory, ru_maxrss (MB)", f"{peak_rss_mb():,.0f}", "(same process)", "–"),
    ]
    return BenchResult(model_name(nlp.meta), list(nlp.pipe_names), len(texts), len(reports), chars, batch_size,
                       pipe, jieba, loads, rows)


def main(argv: list[str] | None = None) -> int:
    """``python -m pipeline bench`` (kept here for callers of the old entry)."""
    from pipeline.cli.bench import main as cli_main

    return cli_main(argv)


# --------------------------------------------------------------------------------------------
# ``bench --big``: whole extract runs, each in a fresh process (issue 14)


@dataclass
class RunFigures:
    """One ``python -m pipeline extract`` run: wall time (model load included) and peak memory."""

    case: str
    workers: int
    files: int
    chars: int
    seconds: float
    peak_mb: float  # ru_maxrss of the run's largest process (wait4 reports the child and its children)
    summary: str


def big_report(min_chars: int, root: Path = ROOT) -> str:
    """The corpus reports one after another (each ends with a line break) up to ``min_chars``."""
    texts, parts, total = corpus_texts(root), [], 0
    while total < min_chars:
        parts.append(texts[len(parts) % len(texts)].rstrip("\n") + "\n")
        total += len(parts[-1])
    return "".join(parts)


def small_reports(count: int, chars: int, root: Path = ROOT) -> list[str]:
    """``count`` short reports: the first lines (about ``chars`` characters) of the corpus reports in turn."""
    texts, out = corpus_texts(root), []
    for i in range(count):
        text = texts[i % len(texts)]
        cut = text.find("\n", chars)
        out.append(f"第{i}号报告。" + (text if cut < 0 else text[: cut + 1]))
    return out


def extract_run(case: str, inputs: list[Path], out: Path, model_path: Path, workers: int) -> RunFigures:
    files = [f for p in inputs for f in (sorted(p.iterdir()) if p.is_dir() else [p])]
    chars = sum(len(f.read_text(encoding="utf-8")) for f in files)
    cmd = [sys.executable, "-m", "pipeline", "extract", *map(str, inputs), "-o", str(out), "--model", str(model_path),
           "--workers", str(workers), "--quiet"]
    log = out.with_suffix(".log")
    started = time.perf_counter()
    with log.open("w") as stdout:
        proc = subprocess.Popen(cmd, stdout=stdout, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    summary = log.read_text().strip().splitlines()[-1] if log.read_text().strip() else ""
    if code != 0:  # a failed run is no measurement: it counts as infinitely slow
        return RunFigures(case, workers, len(files), chars, float("inf"), 0.0, f"FAILED (exit {code}): {summary}")
    return RunFigures(case, workers, len(files), chars, seconds, usage.ru_maxrss / 1024, summary)


def big_benchmark(model_path: Path, work: Path, report_chars: int = 1_270_000, small: int = 500,
                  small_chars: int = 300, full: int = 60, repeat: int = 2) -> list[RunFigures]:
    """The long report, then ``small`` short and ``full`` whole corpus reports, each with 1 and 2 workers
    (the short and whole reports: the best of ``repeat`` interleaved runs each)."""
    work.mkdir(parents=True, exist_ok=True)
    big = work / "big_report.txt"
    big.write_text(big_report(report_chars), encoding="utf-8")
    name = f"one report of {report_chars / 1e6:.2f} M characters"
    runs = [extract_run(name, [big], work / f"big_{w}.jsonl", model_path, w) for w in (1, 2)]
    for name, texts in ((f"{small} small reports", small_reports(small, small_chars)),
                        (f"{full} corpus reports", list(itertools.islice(itertools.cycle(corpus_texts()), full)))):
        folder = work / name.replace(" ", "_")
        folder.mkdir(exist_ok=True)
        for i, text in enumerate(texts):
            (folder / f"r{i:04d}.txt").write_text(text, encoding="utf-8")
        # Interleaved and repeated, the best of each kept: on a shared machine another job's burst
        # would otherwise decide the comparison.
        tries = [extract_run(name, [folder], work / f"{folder.name}_{w}.jsonl", model_path, w)
                 for _ in range(repeat) for w in (1, 2)]
        runs += [min((r for r in tries if r.workers == w), key=lambda r: r.seconds) for w in (1, 2)]
    return runs

