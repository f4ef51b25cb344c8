"""Run the model over report files and folders (``python -m pipeline extract``, :mod:`pipeline.cli.extract`).

Inputs are found with :func:`pipeline.read.find_inputs` (folders recursively, sorted) and read
with :func:`pipeline.read.read_reports`; every report is predicted with ``nlp.pipe`` in batches
and written as one SCHEMA.md line (spans with value attributes and roles, relations with
scores; ``meta`` keeps the reader's source/format/encoding plus the model name and version).

Outputs

- ``OUT`` holds only valid SCHEMA documents, so it can be scored as it is.
- ``OUT.errors.jsonl`` (``preds.jsonl`` → ``preds.errors.jsonl``) holds one record per failure:
  ``{"source": path, "error": problem}`` for a file that cannot be found or read, with an
  ``"id"`` too when one document of a readable file failed in the model, broke the schema, or
  reused an id already taken by an earlier file. It exists (maybe empty) after every run.
- ``--csv`` / ``--xlsx``: one row per MONEY/PERCENT value (:func:`pipeline.write.value_rows`), built
  from the whole of ``OUT`` at the end of the run.
- The summary lists every failure as ``FAILED path: problem``. Exit status: 0 when every input
  succeeded, 1 when any failed (the others are still written), 2 for usage errors (bad options,
  no inputs found, no model) before anything is written.

Writing is incremental. Results go out in input order (files sorted, documents in file
order), each line with one ``write`` call on an unbuffered file, and both files are flushed
and fsynced after every batch, so a crash leaves complete lines plus at most one partial last
line. Without ``--resume`` both files are truncated at the start and filled as the run goes
(they are not swapped in atomically at the end: a long run shows its progress and keeps what
it finished). With ``--resume`` a trailing partial line is cut off, documents whose id is
already in ``OUT`` for the same source and failures already recorded are skipped, and the rest
is appended, so a killed-and-resumed run ends with the same lines in the same order as an
uninterrupted one (and the same exit status: recorded failures still count). Resume assumes
the same inputs, model and options as the run it continues; it does not retry recorded failures
(start without ``--resume``, or delete their lines from the errors file, to retry them).

``--workers N`` starts N processes (spawn: no forked copies of BLAS threads or model state),
each loading the model once in its initializer and running whole batches through ``nlp.pipe``;
the parent reads the files, hands out batches and writes the results in input order.

:func:`run` does all of it and returns a :class:`Summary`; printing and exit statuses are the
command's (:mod:`pipeline.cli.extract`).
"""

from __future__ import annotations

import json
import multiprocessing
import sys
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.document import Document, read_jsonl
from pipeline.model import (  # noqa: F401  (resolve_model, model_problem: the old import path)
    DEFAULT_MODEL,
    load_model,
    model_meta,
    model_name,
    model_problem,
    predict_reports,
    resolve_model,
)
from pipeline.read import MAX_BYTES, RawReport, ReadError, find_inputs, read_reports
from pipeline.resume import Done, LineWriter, errors_path, failure_label, load_done  # noqa: F401  (old import path)
from pipeline.write import VALUE_COLUMNS, sentence_around, value_rows, write_csv, write_xlsx  # noqa: F401

# The old name of the batch predictor, kept for callers of pipeline.extract.
predict_batch = predict_reports


def main(argv: list[str] | None = None) -> int:
    """``python -m pipeline extract`` (kept here for callers of the old entry)."""
    from pipeline.cli.extract import main as cli_main

    return cli_main(argv)


# --------------------------------------------------------------------------------------------
# Prediction in worker processes (--workers N > 1)


class WorkerModelError(RuntimeError):
    """A worker process has no model: every batch would fail, so the run stops."""


_worker_nlp: Any = None
_worker_error: str | None = None


def _init_worker(model_path: str, span_scores: bool = False) -> None:
    global _worker_nlp, _worker_error
    try:
        _worker_nlp = load_model(model_path, span_scores)
    except Exception as err:  # reported by the first task: an initializer exception only says "broken pool"
        _worker_error = f"{type(err).__name__}: {err}"


def _worker_predict(reports: list[RawReport], model: str, batch_size: int) -> list[Document | str]:
    if _worker_nlp is None:
        raise WorkerModelError(f"the model could not be loaded in a worker process ({_worker_error})")
    return predict_reports(_worker_nlp, reports, model, batch_size)


# --------------------------------------------------------------------------------------------
# Work items: documents to predict and failures found while reading, in input order


@dataclass
class Item:
    source: str
    report: RawReport | None = None  # None: the failure below happened before the model
    error: str | None = None
    doc_id: str | None = None  # set for document-level failures (duplicate id)
    ends_file: bool = False  # the last item of its input file (drives the progress bar)


@dataclass
class Batch:
    items: list[Item] = field(default_factory=list)

    @property
    def reports(self) -> list[RawReport]:
        return [i.report for i in self.items if i.report is not None]


def iter_items(files: list[Path], done: Done, max_bytes: int, skipped: list[int]) -> Iterator[Item]:
    """Read the files lazily, in order; skip what ``done`` holds and refuse duplicate ids."""
    owner: dict[str, str] = dict(done.ids)  # id → source that took it first
    for src, doc_id in done.failed:  # in record order, so the earliest source owns the id
        if doc_id is not None:
            owner.setdefault(doc_id, src)
    for path in files:
        source = str(path)
        if (source, None) in done.failed:
            skipped[0] += 1
            continue
        # .txt/.docx/.pdf give one report named by the stem: skip finished files without reading them.
        if path.suffix.lower() != ".jsonl" and (
            done.ids.get(path.stem) == source or (source, path.stem) in done.failed
        ):
            skipped[0] += 1
            continue
        try:
            reports = read_reports(path, max_bytes=max_bytes)
        except ReadError as err:
            yield Item(source, error=err.problem, ends_file=True)
            continue
        except Exception as err:  # a reader bug must not end the run either
            yield Item(source, error=f"cannot be read ({type(err).__name__}: {err})", ends_file=True)
            continue
        items = []
        for report in reports:
            if done.ids.get(report.id) == source or (source, report.id) in done.failed:
                skipped[0] += 1
                continue
            if report.id in owner:
                problem = f"document id {report.id!r} is already used by {owner[report.id]}; rename one of them"
                items.append(Item(source, error=problem, doc_id=report.id))
                continue
            owner[report.id] = source
            items.append(Item(source, report=report))
        if items:
            items[-1].ends_file = True
        yield from items


def batches(items: Iterator[Item], batch_size: int) -> Iterator[Batch]:
    """Items grouped so that each batch has ``batch_size`` documents; failures ride along in order."""
    batch = Batch()
    count = 0
    for item in items:
        batch.items.append(item)
        if item.report is not None:
            count += 1
            if count == batch_size:
                yield batch
                batch, count = Batch(), 0
    if batch.items:
        yield batch


def error_record(item: Item) -> str:
    record: dict[str, Any] = {"source": item.source}
    doc_id = item.doc_id or (item.report.id if item.report else None)
    if doc_id is not None:
        record["id"] = doc_id
    record["error"] = item.error
    return json.dumps(record, ensure_ascii=False)


# --------------------------------------------------------------------------------------------
# The run


class UsageError(Exception):
    """Bad options or inputs, found before anything is written; ``details`` are printed first."""

    def __init__(self, message: str, details: list[str] | None = None):
        super().__init__(message)
        self.details = details or []


@dataclass
class Options:
    paths: list[str]
    output: Path
    model: str | Path = DEFAULT_MODEL
    csv: Path | None = None
    xlsx: Path | None = None
    workers: int = 1
    span_scores: bool = False
    batch_size: int = 2
    resume: bool = False
    max_bytes: int = MAX_BYTES
    quiet: bool = False


@dataclass
class Tally:
    documents: int = 0
    values: int = 0
    relations: int = 0
    chars: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Summary:
    """What a run did: counts, failures (label, problem), files written, and why it stopped early."""

    out: Path
    errors: Path
    model: str
    tally: Tally
    skipped: int
    load_seconds: float
    seconds: float
    tables: list[str] = field(default_factory=list)  # "CSV path", "XLSX path"
    interrupted: str | None = None

    @property
    def chars_per_second(self) -> float:
        return self.tally.chars / max(self.seconds - self.load_seconds, 1e-9)


def run(opts: Options) -> Summary:
    """Predict every input into ``opts.output``; raises UsageError before writing anything."""
    started = time.perf_counter()
    out = Path(opts.output)
    errors = errors_path(out)
    model_path = resolve_model(opts.model)
    problem = model_problem(model_path)
    if problem:
        raise UsageError(f"{problem}: run `make train` to build the bundled model, or pass --model PATH")

    files, find_errors = find_inputs(opts.paths)
    # Never read our own outputs back in (OUT inside an input folder would be truncated, then read).
    ours = {Path(p).resolve() for p in (out, errors, opts.csv, opts.xlsx) if p is not None}
    files = [f for f in files if f.resolve() not in ours]
    if not files:
        raise UsageError("no input files found (supported: .txt .docx .pdf .jsonl)", [str(e) for e in find_errors])

    try:
        done = load_done(out, errors) if opts.resume else Done()
    except ValueError as err:
        raise UsageError(str(err)) from err

    nlp = None
    if opts.workers == 1:
        try:
            nlp = load_model(model_path, opts.span_scores)
        except Exception as err:
            raise UsageError(f"cannot load the model at {model_path} ({type(err).__name__}: {err})") from err
        meta = nlp.meta
    else:
        meta = model_meta(model_path)
    model = model_name(meta)
    load_seconds = time.perf_counter() - started

    out_file = LineWriter(out, truncate=not opts.resume)
    err_file = LineWriter(errors, truncate=not opts.resume)
    tally = Tally(failures=list(done.failures))
    skipped = [0]
    interrupted: str | None = None
    progress = _progress(len(files), disabled=opts.quiet or not sys.stderr.isatty())
    try:
        # Failures of paths given on the command line come first, as find_inputs saw them.
        for err in find_errors:
            if (str(err.path), None) not in done.failed:
                _emit(Item(str(err.path), error=err.problem), None, out_file, err_file, tally)
        err_file.sync()
        work = batches(iter_items(files, done, opts.max_bytes, skipped), opts.batch_size)
        if nlp is not None:
            for batch in work:
                results = predict_reports(nlp, batch.reports, model, opts.batch_size)
                _write_batch(batch, results, out_file, err_file, tally, progress)
        else:
            _run_pool(work, model_path, model, opts, out_file, err_file, tally, progress)
    except KeyboardInterrupt:
        interrupted = "interrupted"
    except BrokenProcessPool as err:
        interrupted = f"a worker process died ({err})"
    except WorkerModelError as err:
        interrupted = str(err)
    finally:
        progress.close()
        out_file.close()
        err_file.close()

    tables = []
    if interrupted is None and (opts.csv or opts.xlsx):
        rows = [row for doc in read_jsonl(out) for row in value_rows(doc)]
        if opts.csv:
            write_csv(rows, opts.csv)
            tables.append(f"CSV {opts.csv}")
        if opts.xlsx:
            write_xlsx(rows, opts.xlsx)
            tables.append(f"XLSX {opts.xlsx}")
    return Summary(out, errors, model, tally, skipped[0], load_seconds, time.perf_counter() - started, tables,
                   interrupted)


def _progress(total: int, disabled: bool) -> Any:
    from tqdm import tqdm

    return tqdm(total=total, unit="file", disable=disabled, dynamic_ncols=True, leave=False)


def _run_pool(work: Iterator[Batch], model_path: Path, model: str, opts: Options,
              out_file: LineWriter, err_file: LineWriter, tally: Tally, progress: Any) -> None:
    """Batches to the worker processes, results written in input order.

    At most two batches per worker are in flight, so the parent reads files only a little
    ahead of the model instead of loading a whole folder into memory.
    """
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(opts.workers, mp_context=context, initializer=_init_worker,
                             initargs=(str(model_path), opts.span_scores)) as pool:
        pending: deque[tuple[Batch, Future]] = deque()
        for batch in work:
            pending.append((batch, pool.submit(_worker_predict, batch.reports, model, opts.batch_size)))
            if len(pending) >= 2 * opts.workers:
                done_batch, future = pending.popleft()
                _write_batch(done_batch, future.result(), out_file, err_file, tally, progress)
        while pending:
            done_batch, future = pending.popleft()
            _write_batch(done_batch, future.result(), out_file, err_file, tally, progress)


def _write_batch(batch: Batch, results: list[Document | str], out_file: LineWriter, err_file: LineWriter,
                 tally: Tally, progress: Any) -> None:
    predicted = iter(results)
    for item in batch.items:
        result = next(predicted) if item.report is not None else None
        if isinstance(result, str):
            item.error = result
        _emit(item, result if isinstance(result, Document) else None, out_file, err_file, tally)
        if item.ends_file:
            progress.update(1)
    # Durable once per batch: fsync per line would cost more than the model on small reports.
    out_file.sync()
    err_file.sync()


def _emit(item: Item, document: Document | None, out_file: LineWriter, err_file: LineWriter, tally: Tally) -> None:
    if document is None:
        err_file.write(error_record(item))
        doc_id = item.doc_id or (item.report.id if item.report else None)
        tally.failures.append((failure_label(item.source, doc_id), item.error or "unknown problem"))
        return
    out_file.write(document.to_line())
    tally.documents += 1
    tally.values += sum(1 for s in document.spans if s.is_value)
    tally.relations += len(document.relations)
    tally.chars += len(document.text)
