"""``python -m pipeline extract PATH... -o OUT.jsonl``: run the model over report files and folders.

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
- ``--csv`` / ``--xlsx``: one row per MONEY/PERCENT value (:func:`value_rows`), built from the
  whole of ``OUT`` at the end of the run.
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
"""

from __future__ import annotations

import argparse
import csv
import json
import multiprocessing
import os
import sys
import tempfile
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.document import Document, validate
from pipeline.read import MAX_BYTES, RawReport, ReadError, find_inputs, read_reports

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_MODEL = "models/perfreport"
VALUE_COLUMNS = (
    "document", "project", "indicator", "role", "value", "unit", "cmp", "approx", "per",
    "surface", "sentence", "start", "end", "score",
)
# Sentence ends for the table's context column: the same set SCHEMA.md uses for linking.
SENTENCE_ENDS = frozenset("。；！？!?;\n")
_XLSX_CELL_MAX = 32_767  # Excel refuses longer cell texts


# --------------------------------------------------------------------------------------------
# Model


def resolve_model(model: str | Path) -> Path:
    """A relative model path is taken from the working directory, else from the project root."""
    path = Path(model)
    if not path.is_absolute() and not path.exists() and (ROOT / path).exists():
        return ROOT / path
    return path


def model_problem(path: Path) -> str | None:
    """Why ``path`` is not a saved pipeline (None when it looks like one)."""
    if not path.exists():
        return f"no model at {path}"
    if not (path / "config.cfg").is_file() or not (path / "meta.json").is_file():
        return f"{path} is not a saved spaCy pipeline (config.cfg or meta.json missing)"
    return None


def load_model(path: str | Path, span_scores: bool = False) -> Any:
    """``spacy.load`` after importing the modules that register the project's factories.

    ``span_scores`` turns on the beam-based span confidences (off in the saved model: ~4× slower).
    """
    import spacy

    import pipeline.link  # noqa: F401  (perfreport_linker)
    import pipeline.tag  # noqa: F401  (value patterns, values, extensions)
    import pipeline.tokenize  # noqa: F401  (perfreport.tokenizer.v1)

    nlp = spacy.load(path)
    if span_scores and "perfreport_span_scores" in nlp.disabled:
        nlp.enable_pipe("perfreport_span_scores")
    return nlp


def model_name(meta: dict[str, Any]) -> str:
    return f"{meta.get('name', 'unknown')}-{meta.get('version', '0.0.0')}"


# --------------------------------------------------------------------------------------------
# Prediction (runs in the parent with --workers 1, in the worker processes otherwise)


def predict_batch(nlp: Any, reports: list[RawReport], model: str, batch_size: int) -> list[Document | str]:
    """One Document per report, or the problem (str) for a report the model could not process."""
    texts = [r.text for r in reports]
    try:
        docs: list[Any] = list(nlp.pipe(texts, batch_size=batch_size))
    except Exception:
        # One bad document must not sink the rest of its batch: redo them one by one to find it.
        docs = []
        for text in texts:
            try:
                docs.append(nlp(text))
            except Exception as err:
                docs.append(f"processing failed ({type(err).__name__}: {err})")
    return [_to_document(doc, raw, model) for doc, raw in zip(docs, reports, strict=True)]


def _to_document(doc: Any, raw: RawReport, model: str) -> Document | str:
    from pipeline.write import doc_to_document

    if isinstance(doc, str):
        return doc
    try:
        document = doc_to_document(doc, raw.id, raw.meta | {"model": model})
    except Exception as err:
        return f"processing failed ({type(err).__name__}: {err})"
    # Offsets index the stored text: a tokenizer that altered it would make every span wrong.
    if document.text != raw.text:
        return "processing failed (the pipeline changed the text, so offsets would not match)"
    problems = validate(document, raw.id)
    if problems:
        # OUT must stay scorable: a document that breaks the schema is a failure, not a line.
        return f"model output breaks SCHEMA.md: {'; '.join(problems[:3])}"
    return document


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
    return predict_batch(_worker_nlp, reports, model, batch_size)


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


@dataclass
class Done:
    """What OUT and the errors file already hold (``--resume``)."""

    ids: dict[str, str] = field(default_factory=dict)  # document id → source
    # (source, id or None for a whole file) → True, in the order recorded (a dict keeps it).
    failed: dict[tuple[str, str | None], bool] = field(default_factory=dict)
    failures: list[tuple[str, str]] = field(default_factory=list)  # (label, problem) for the summary


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


# --------------------------------------------------------------------------------------------
# Output files


def errors_path(out: Path) -> Path:
    base = out.name[: -len(".jsonl")] if out.name.endswith(".jsonl") else out.name
    return out.with_name(base + ".errors.jsonl")


def _complete_lines(path: Path) -> list[bytes]:
    """The complete lines of ``path``, after cutting off a trailing partial line in place."""
    if not path.exists():
        return []
    data = path.read_bytes()
    keep = data.rfind(b"\n") + 1
    if keep != len(data):
        # A crash mid-write left a line without its newline: it is incomplete, so it goes.
        with path.open("r+b") as f:
            f.truncate(keep)
            os.fsync(f.fileno())
    return [line for line in data[:keep].split(b"\n") if line.strip()]


def load_done(out: Path, errors: Path) -> Done:
    """What a previous run wrote (``--resume``); raises ValueError when a file is not ours."""
    done = Done()
    for number, line in enumerate(_complete_lines(out), 1):
        try:
            obj = json.loads(line)
            doc_id, source = obj["id"], obj.get("meta", {}).get("source")
        except (ValueError, KeyError, TypeError, AttributeError) as err:
            raise ValueError(f"{out}:{number} is not a document line ({err}); cannot resume into this file") from err
        done.ids[doc_id] = source
    for number, line in enumerate(_complete_lines(errors), 1):
        try:
            obj = json.loads(line)
            source, problem = obj["source"], obj["error"]
        except (ValueError, KeyError, TypeError) as err:
            raise ValueError(f"{errors}:{number} is not an error record ({err}); cannot resume") from err
        done.failed[(source, obj.get("id"))] = True
        done.failures.append((failure_label(source, obj.get("id")), problem))
    return done


class LineWriter:
    """Appends whole lines with one write call each; ``sync`` makes them durable."""

    def __init__(self, path: Path, truncate: bool):
        path.parent.mkdir(parents=True, exist_ok=True)
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | (os.O_TRUNC if truncate else 0)
        self.fd = os.open(path, flags, 0o644)

    def write(self, line: str) -> None:
        data = (line + "\n").encode("utf-8")
        # os.write on an unbuffered descriptor: a full line goes out in one system call, never
        # split by a buffer boundary. A short write (disk full) is finished off; if we die
        # in between, resume cuts the partial line.
        while data:
            data = data[os.write(self.fd, data) :]

    def sync(self) -> None:
        os.fsync(self.fd)

    def close(self) -> None:
        os.close(self.fd)


def failure_label(source: str, doc_id: str | None) -> str:
    """``path``, or ``path [id]`` when the failed document is one of several in the file."""
    return source if doc_id is None or Path(source).stem == doc_id else f"{source} [{doc_id}]"


def error_record(item: Item) -> str:
    record: dict[str, Any] = {"source": item.source}
    doc_id = item.doc_id or (item.report.id if item.report else None)
    if doc_id is not None:
        record["id"] = doc_id
    record["error"] = item.error
    return json.dumps(record, ensure_ascii=False)


# --------------------------------------------------------------------------------------------
# The flat value table


def sentence_around(text: str, start: int, end: int) -> str:
    """The sentence holding text[start:end]: from after the previous end mark to the next one (kept)."""
    left = start
    while left > 0 and text[left - 1] not in SENTENCE_ENDS:
        left -= 1
    right = end
    while right < len(text) and text[right] not in SENTENCE_ENDS:
        right += 1
    if right < len(text) and text[right] != "\n":
        right += 1  # keep the sentence's own punctuation, not the line break
    return text[left:right].strip()


def value_rows(doc: Document) -> list[dict[str, Any]]:
    """One row per MONEY/PERCENT span, with the names of its linked projects and indicators."""
    by_id = doc.span_by_id()
    linked: dict[tuple[str, str], list[str]] = {}
    for rel in doc.relations:
        tail = by_id.get(rel.tail)
        if tail is None:
            continue
        names = linked.setdefault((rel.head, rel.type), [])
        name = doc.surface(tail)
        if name not in names:  # two mentions of one name read as one
            names.append(name)
    rows = []
    for span in sorted(doc.spans, key=lambda s: s.start):
        if not span.is_value:
            continue
        rows.append({
            "document": doc.id,
            "project": "；".join(linked.get((span.id, "project"), [])),
            "indicator": "；".join(linked.get((span.id, "indicator"), [])),
            "role": span.role,
            "value": span.value,
            "unit": span.unit,
            "cmp": span.cmp,
            "approx": span.approx,
            "per": span.per,
            "surface": doc.surface(span),
            "sentence": sentence_around(doc.text, span.start, span.end),
            "start": span.start,
            "end": span.end,
            "score": span.score,
        })
    return rows


def _replace_atomically(path: Path, write: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_csv(rows: list[dict[str, Any]], path: str | Path) -> None:
    """CSV in UTF-8 with a BOM: without it Excel guesses the ANSI code page and garbles Chinese."""

    def write(tmp: Path) -> None:
        with tmp.open("w", encoding="utf-8-sig", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=VALUE_COLUMNS)
            writer.writeheader()
            for row in rows:
                writer.writerow({k: "" if row.get(k) is None else row[k] for k in VALUE_COLUMNS})

    _replace_atomically(Path(path), write)


def write_xlsx(rows: list[dict[str, Any]], path: str | Path) -> None:
    """One sheet ``values`` with a bold, frozen header row and a filter."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "values"
    sheet.append(list(VALUE_COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for r, row in enumerate(rows, 2):
        for c, key in enumerate(VALUE_COLUMNS, 1):
            value = row.get(key)
            if isinstance(value, str):
                # openpyxl refuses control characters (a text may hold \x0b or \x0c) and Excel
                # cells hold at most 32,767 characters; this is a display copy, OUT keeps the text.
                value = ILLEGAL_CHARACTERS_RE.sub(" ", value)[:_XLSX_CELL_MAX]
            cell = sheet.cell(row=r, column=c, value=value)
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # text, not a formula
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    widths = {"document": 24, "project": 30, "indicator": 24, "surface": 14, "sentence": 60}
    for c, key in enumerate(VALUE_COLUMNS, 1):
        sheet.column_dimensions[sheet.cell(row=1, column=c).column_letter].width = widths.get(key, 10)
    _replace_atomically(Path(path), lambda tmp: book.save(tmp))


# --------------------------------------------------------------------------------------------
# Command line


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m pipeline extract",
        description="Run the extractor over report files/folders (.txt .docx .pdf .jsonl) → SCHEMA JSONL.",
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="files or folders (searched recursively)")
    parser.add_argument("-o", "--output", required=True, type=Path, metavar="OUT.jsonl",
                        help="predictions; failures go to OUT.errors.jsonl")
    parser.add_argument("--model", default=DEFAULT_MODEL, help=f"saved pipeline (default {DEFAULT_MODEL})")
    parser.add_argument("--csv", type=Path, help="also write one row per value as CSV (UTF-8 with BOM)")
    parser.add_argument("--xlsx", type=Path, help="also write one row per value as an Excel sheet")
    parser.add_argument("--workers", type=int, default=1, help="processes, each with its own model (default 1)")
    parser.add_argument("--span-scores", action="store_true",
                        help="add a confidence to every span (beam search over the tagger; about 4x slower)")
    parser.add_argument("--batch-size", type=int, default=2, help="documents per nlp.pipe batch (default 2; bigger batches pad long reports, cost memory)")
    parser.add_argument("--resume", action="store_true",
                        help="keep what OUT already holds and append the rest (after a crash or kill)")
    parser.add_argument("--max-bytes", type=int, default=MAX_BYTES,
                        help=f"refuse input files larger than this (default {MAX_BYTES:,})")
    parser.add_argument("--quiet", action="store_true",
                        help="no progress bar (failures and the summary are still printed)")
    args = parser.parse_args(argv)
    for name in ("workers", "batch_size", "max_bytes"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    return args


def usage_error(message: str) -> int:
    print(f"extract: {message}", file=sys.stderr)
    return 2


@dataclass
class Tally:
    documents: int = 0
    values: int = 0
    relations: int = 0
    chars: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)


def main(argv: list[str] | None = None) -> int:
    try:
        args = parse_args(list(sys.argv[1:] if argv is None else argv))
    except SystemExit as exc:  # argparse: --help (0) or a usage error (2)
        return exc.code if isinstance(exc.code, int) else 2
    started = time.perf_counter()

    out: Path = args.output
    errors = errors_path(out)
    model_path = resolve_model(args.model)
    problem = model_problem(model_path)
    if problem:
        return usage_error(f"{problem}: run `make train` to build the bundled model, or pass --model PATH")

    files, find_errors = find_inputs(args.paths)
    # Never read our own outputs back in (OUT inside an input folder would be truncated, then read).
    ours = {p.resolve() for p in (out, errors, args.csv, args.xlsx) if p is not None}
    files = [f for f in files if f.resolve() not in ours]
    if not files:
        for err in find_errors:
            print(f"extract: {err}", file=sys.stderr)
        return usage_error("no input files found (supported: .txt .docx .pdf .jsonl)")

    try:
        done = load_done(out, errors) if args.resume else Done()
    except ValueError as err:
        return usage_error(str(err))

    nlp = None
    if args.workers == 1:
        try:
            nlp = load_model(model_path, args.span_scores)
        except Exception as err:
            return usage_error(f"cannot load the model at {model_path} ({type(err).__name__}: {err})")
        meta = nlp.meta
    else:
        meta = json.loads((model_path / "meta.json").read_text(encoding="utf-8"))
    model = model_name(meta)
    load_seconds = time.perf_counter() - started

    out_file = LineWriter(out, truncate=not args.resume)
    err_file = LineWriter(errors, truncate=not args.resume)
    tally = Tally(failures=list(done.failures))
    skipped = [0]
    interrupted: str | None = None
    progress = _progress(len(files), disabled=args.quiet or not sys.stderr.isatty())
    try:
        # Failures of paths given on the command line come first, as find_inputs saw them.
        for err in find_errors:
            if (str(err.path), None) not in done.failed:
                _emit(Item(str(err.path), error=err.problem), None, out_file, err_file, tally)
        err_file.sync()
        work = batches(iter_items(files, done, args.max_bytes, skipped), args.batch_size)
        if nlp is not None:
            for batch in work:
                results = predict_batch(nlp, batch.reports, model, args.batch_size)
                _write_batch(batch, results, out_file, err_file, tally, progress)
        else:
            _run_pool(work, model_path, model, args, out_file, err_file, tally, progress)
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
    if interrupted is None and (args.csv or args.xlsx):
        from pipeline.document import read_jsonl

        rows = [row for doc in read_jsonl(out) for row in value_rows(doc)]
        if args.csv:
            write_csv(rows, args.csv)
            tables.append(f"CSV {args.csv}")
        if args.xlsx:
            write_xlsx(rows, args.xlsx)
            tables.append(f"XLSX {args.xlsx}")

    seconds = time.perf_counter() - started
    work_seconds = max(seconds - load_seconds, 1e-9)
    for source, problem in tally.failures:
        print(f"FAILED {source}: {problem}")
    resumed = f" ({skipped[0]} already done, skipped)" if args.resume else ""
    print(
        f"extract: {tally.documents} documents{resumed}, {tally.values} values, {tally.relations} relations, "
        f"{len(tally.failures)} failures in {seconds:.1f} s (model {model}, loaded in {load_seconds:.1f} s; "
        f"{tally.chars / work_seconds:,.0f} chars/s) → {out}, errors → {errors}"
        + "".join(f", {t}" for t in tables)
    )
    if interrupted:
        print(f"extract: stopped: {interrupted}; every finished document is in {out}; "
              f"rerun with --resume to continue", file=sys.stderr)
        return 130 if interrupted == "interrupted" else 1
    return 1 if tally.failures else 0


def _progress(total: int, disabled: bool) -> Any:
    from tqdm import tqdm

    return tqdm(total=total, unit="file", disable=disabled, dynamic_ncols=True, leave=False)


def _run_pool(work: Iterator[Batch], model_path: Path, model: str, args: argparse.Namespace,
              out_file: LineWriter, err_file: LineWriter, tally: Tally, progress: Any) -> None:
    """Batches to the worker processes, results written in input order.

    At most two batches per worker are in flight, so the parent reads files only a little
    ahead of the model instead of loading a whole folder into memory.
    """
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(args.workers, mp_context=context, initializer=_init_worker,
                             initargs=(str(model_path), args.span_scores)) as pool:
        pending: deque[tuple[Batch, Future]] = deque()
        for batch in work:
            pending.append((batch, pool.submit(_worker_predict, batch.reports, model, args.batch_size)))
            if len(pending) >= 2 * args.workers:
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
