"""Run the model over report files and folders (``python -m pipeline extract``, :mod:`pipeline.cli.extract`).

Inputs are found with :func:`pipeline.read.find_inputs` (folders recursively, following links,
sorted) and read with :func:`pipeline.read.read_file`; every report is predicted with ``nlp.pipe``
in batches (long ones in pieces, :mod:`pipeline.model`) and written as one SCHEMA.md line.

Ids: a file's report is named by its file name without the extension, or, when inputs share that
name (县A/自评报告.txt, 县B/自评报告.txt), by its path from their common folder (县A/自评报告;
:func:`pipeline.read.report_ids`). A .jsonl document keeps its id; an id taken twice fails the later.

Outputs

- ``OUT`` holds only valid SCHEMA documents, so it can be scored as it is.
- ``OUT.errors.jsonl`` (``preds.jsonl`` → ``preds.errors.jsonl``, always written): one record per
  failure, ``{"source": path, "error": problem}``, with ``"line"`` for a bad line of a .jsonl input
  and ``"id"`` when one document failed in the model, broke the schema or reused an id.
- ``--csv``: one row per MONEY/PERCENT value (:func:`pipeline.write.value_rows`); ``--xlsx``: the
  analyst's workbook (:mod:`pipeline.workbook`: summary, values, checks, indicators; ``--lang``);
  both built from the whole of ``OUT`` at the end of the run.
- The summary lists every failure as ``FAILED path: problem``. Before any work, outputs that cannot
  be written, are inputs, lie in an input folder, name one file twice or that another run is
  writing (``.OUT.lock``, :func:`pipeline.resume.output_problems`, ``OutputLock``) are a usage error.

Writing is incremental (in input order, one ``write`` per line, synced per batch): a crash leaves
complete lines and at most one partial one, which ``--resume`` cuts before it skips what is recorded
and appends the rest, so a killed-and-resumed run ends byte for byte like an uninterrupted one.

``--workers N``: this process and N-1 helpers (spawn; each loads its own model and dies with its
parent, :func:`pipeline.model.die_with_parent`) predict batches, a long report's pieces included;
this one also reads the files, writes in input order, and works while the helpers start.

:func:`run` does it all and returns a :class:`Summary`; printing is :mod:`pipeline.cli.extract`'s.
"""

from __future__ import annotations

import json
import sys
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tqdm import tqdm

from pipeline.document import Document, read_jsonl
from pipeline.model import (  # noqa: F401  (resolve_model, model_problem: the old import path)
    DEFAULT_MODEL,
    WorkerModelError,
    assemble_pieces,
    load_model,
    model_name,
    model_problem,
    piece_reports,
    predict_reports,
    resolve_model,
    start_helpers,
    worker_predict,
)
from pipeline.read import MAX_BYTES, RawReport, ReadError, find_inputs, read_file, report_ids
from pipeline.resume import Done, LineWriter, OutputLock, errors_path, failure_label, load_done, output_problems
from pipeline.workbook import workbook_writer
from pipeline.write import VALUE_COLUMNS, sentence_around, value_rows, write_csv, write_xlsx  # noqa: F401

predict_batch = predict_reports  # the old name of the batch predictor, for callers of pipeline.extract


def main(argv: list[str] | None = None) -> int:
    """``python -m pipeline extract`` (kept here for callers of the old entry)."""
    from pipeline.cli.extract import main as cli_main

    return cli_main(argv)


# --------------------------------------------------------------------------------------------
# Work items: documents to predict and failures found while reading, in input order


@dataclass
class Item:
    source: str
    report: RawReport | None = None  # None: the failure below happened before the model
    error: str | None = None
    doc_id: str | None = None  # set for document-level failures (duplicate id, bad JSONL line)
    line: int | None = None  # the JSONL line of the document or failure
    ends_file: bool = False  # the last item of its input file (drives the progress bar)
    whole: RawReport | None = None  # ``report`` is a piece of this long report, from ``start`` on
    start: int = 0

    @property
    def key(self) -> tuple[str, str | None, int | None]:  # how a failure is recorded (resume.FailureKey)
        return self.source, self.doc_id or (self.report.id if self.report else None), self.line


@dataclass
class Batch:
    items: list[Item] = field(default_factory=list)

    @property
    def reports(self) -> list[RawReport]:
        return [i.report for i in self.items if i.report is not None]


def iter_items(files: list[Path], done: Done, max_bytes: int, skipped: list[int]) -> Iterator[Item]:
    """Read the files lazily, in order; skip what ``done`` holds and refuse ids already taken."""
    ids = report_ids(files)
    owner: dict[str, str] = dict(done.ids)  # id → source that took it first
    for src, doc_id, _ in done.failed:  # in record order, so the earliest source owns the id
        if doc_id is not None:
            owner.setdefault(doc_id, src)
    for path in files:
        source = str(path)
        file_id = ids.get(path)  # None for .jsonl: its documents have ids of their own
        # A file whose one report is finished (or failed) is skipped without reading it.
        if (source, None, None) in done.failed or (file_id is not None and (
                done.ids.get(file_id) == source or (source, file_id, None) in done.failed)):
            skipped[0] += 1
            continue
        try:
            reports, problems = read_file(path, max_bytes=max_bytes)
        except ReadError as err:
            yield Item(source, error=err.problem, ends_file=True)
            continue
        except Exception as err:  # a reader bug must not end the run either
            yield Item(source, error=f"cannot be read ({type(err).__name__}: {err})", ends_file=True)
            continue
        found: list[Item] = [Item(source, error=p.problem, doc_id=p.doc_id, line=p.line) for p in problems]
        for report in reports:
            if file_id is not None:
                report.id = file_id
            found.append(Item(source, report=report, line=report.line))
        items = []
        for item in sorted(found, key=lambda i: i.line or 0):  # bad lines among the documents, in line order
            if item.key in done.failed or (item.report and done.ids.get(item.report.id) == source):
                skipped[0] += 1
                continue
            if item.report is not None and item.report.id in owner:
                item.doc_id, item.report = item.report.id, None
                item.error = f"document id {item.doc_id!r} is already used by {owner[item.doc_id]}; rename one of them"
            elif item.report is not None:
                owner[item.report.id] = source
                # A long report goes as its pieces, one item each: they spread over the workers.
                pieces = piece_reports(item.report)
                items += [Item(source, report=piece, line=item.line, whole=item.report if len(pieces) > 1 else None,
                               start=start) for start, piece in pieces]
                continue
            items.append(item)
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
    source, doc_id, line = item.key
    record: dict[str, Any] = {"source": source}
    if doc_id is not None:
        record["id"] = doc_id
    if line is not None:
        record["line"] = line
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
    lang: str = "zh"  # headers of the --xlsx workbook: zh or en
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
    pieces: list[tuple[int, Document | str]] = field(default_factory=list)  # of the long report being done


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
    if not files:
        raise UsageError("no input files found (supported: .txt .docx .pdf .html .xlsx .jsonl …)",
                         [str(e) for e in find_errors])
    outputs = {"-o": out, "the errors file": errors, "--csv": opts.csv, "--xlsx": opts.xlsx}
    problems = output_problems({k: Path(v) for k, v in outputs.items() if v is not None}, opts.paths, files)
    if problems:
        raise UsageError(problems[-1], problems[:-1])
    lock, pool = OutputLock(out), None
    problem = lock.acquire()
    if problem:
        raise UsageError(problem)
    try:
        # Helpers start first: they load their models while this process loads its own.
        pool = start_helpers(model_path, opts.span_scores, opts.workers - 1) if opts.workers > 1 else None
        return _locked_run(opts, files, find_errors, model_path, started, pool)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
        lock.release()


def _locked_run(opts: Options, files: list[Path], find_errors: list[ReadError], model_path: Path,
                started: float, pool: ProcessPoolExecutor | None) -> Summary:
    out = Path(opts.output)
    errors = errors_path(out)
    try:
        done = load_done(out, errors) if opts.resume else Done()
    except (ValueError, OSError) as err:  # not our file, or one we may not read
        raise UsageError(str(err)) from err
    try:
        nlp = load_model(model_path, opts.span_scores)
    except Exception as err:
        raise UsageError(f"cannot load the model at {model_path} ({type(err).__name__}: {err})") from err
    model = model_name(nlp.meta)
    load_seconds = time.perf_counter() - started

    try:
        out_file = LineWriter(out, truncate=not opts.resume)
        err_file = LineWriter(errors, truncate=not opts.resume)
    except OSError as err:  # checked before, but the place may have changed since
        raise UsageError(f"cannot write {err.filename}: {err.strerror or err}") from err
    tally, skipped, interrupted = Tally(failures=list(done.failures)), [0], None
    progress = tqdm(total=len(files), unit="file", disable=opts.quiet or not sys.stderr.isatty(), dynamic_ncols=True,
                    leave=False)
    try:
        # Failures of paths given on the command line come first, as find_inputs saw them.
        for err in find_errors:
            if (str(err.path), None, None) not in done.failed:
                _emit(Item(str(err.path), error=err.problem), None, out_file, err_file, tally)
        err_file.sync()
        work = batches(iter_items(files, done, opts.max_bytes, skipped), opts.batch_size)
        if pool is None:
            for batch in work:
                results = predict_reports(nlp, batch.reports, model, opts.batch_size)
                _write_batch(batch, results, out_file, err_file, tally, progress)
        else:
            _run_pool(work, nlp, pool, model, opts, out_file, err_file, tally, progress)
    except KeyboardInterrupt:
        interrupted = "interrupted"
    except (BrokenProcessPool, WorkerModelError) as err:
        interrupted = f"a worker process died ({err})" if isinstance(err, BrokenProcessPool) else str(err)
    except OSError as err:  # the disk filled up, the folder went away…
        interrupted = f"cannot write ({err.strerror or err}: {err.filename or out})"
    finally:
        progress.close()
        out_file.close()
        err_file.close()

    tables = []
    if interrupted is None and (opts.csv or opts.xlsx):
        docs = read_jsonl(out)
        rows = [row for doc in docs for row in value_rows(doc)]
        workbook = workbook_writer(docs, opts.lang)  # the four-sheet workbook (pipeline.workbook)
        for kind, path, write in (("CSV", opts.csv, write_csv), ("XLSX", opts.xlsx, workbook)):
            if path is None:
                continue
            try:
                write(rows, path)
                tables.append(f"{kind} {path}")
            except OSError as err:
                tally.failures.append((str(path), f"cannot write the {kind} table ({err.strerror or err})"))
    return Summary(out, errors, model, tally, skipped[0], load_seconds, time.perf_counter() - started, tables,
                   interrupted)


_MAX_HELD_CHARS = 2_000_000  # results held while waiting for a helper's earlier batch, in characters


def _run_pool(work: Iterator[Batch], nlp: Any, pool: ProcessPoolExecutor, model: str, opts: Options,
              out_file: LineWriter, err_file: LineWriter, tally: Tally, progress: Any) -> None:
    """Batches to this process and ``workers - 1`` helpers, results written in input order. A batch goes
    to a helper when one has fewer than two in hand, else this process does it, so nothing waits for
    the helpers' start-up (spawn, import spaCy, load the model: a few seconds)."""
    helpers = opts.workers - 1
    pending: deque[tuple[Batch, Future | list]] = deque()

    def write_ready(block: bool) -> None:
        while pending and (block or not isinstance(pending[0][1], Future) or pending[0][1].done()):
            batch, result = pending.popleft()
            _write_batch(batch, result.result() if isinstance(result, Future) else result,
                         out_file, err_file, tally, progress)

    for batch in work:
        busy = sum(1 for _, r in pending if isinstance(r, Future) and not r.done())
        if busy < 2 * helpers:
            pending.append((batch, pool.submit(worker_predict, batch.reports, model, opts.batch_size)))
        else:
            pending.append((batch, predict_reports(nlp, batch.reports, model, opts.batch_size)))
        write_ready(block=False)
        write_ready(block=sum(len(r.text) for b, _ in pending for r in b.reports) > _MAX_HELD_CHARS)
    # The end: a batch still queued for a busy helper is taken back and done here.
    for n, (batch, result) in enumerate(pending):
        if isinstance(result, Future) and result.cancel():
            pending[n] = (batch, predict_reports(nlp, batch.reports, model, opts.batch_size))
    write_ready(block=True)


def _write_batch(batch: Batch, results: list[Document | str], out_file: LineWriter, err_file: LineWriter,
                 tally: Tally, progress: Any) -> None:
    predicted = iter(results)
    for item in batch.items:
        result = next(predicted) if item.report is not None else None
        if item.whole is not None:  # a piece: the report is written with its last piece
            tally.pieces.append((item.start, result))
            if item.start + len(item.report.text) < len(item.whole.text):
                continue
            result, item.report, tally.pieces = assemble_pieces(tally.pieces, item.whole), item.whole, []
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
        source, doc_id, line = item.key
        tally.failures.append((failure_label(source, doc_id, line), item.error or "unknown problem"))
        return
    out_file.write(document.to_line())
    tally.documents += 1
    tally.values += sum(1 for s in document.spans if s.is_value)
    tally.relations += len(document.relations)
    tally.chars += len(document.text)
