"""The model: find it, check it, load it, name it, and run it over texts.

Every command that uses a saved pipeline goes through here (extract, evaluate, train, bench,
cv), so a model is loaded and run the same way everywhere.

Long reports are run in pieces (:data:`PIECE_CHARS`): cut after a blank line or a line break,
never inside a line when a line break is near, each piece run on its own and the pieces' spans
shifted back into the whole text, so offsets always index the report as read. A value and a name
in different pieces are not linked (``meta.pieces`` lists where the pieces start).
"""

from __future__ import annotations

import ctypes
import json
import os
import re
import signal
import sys
import threading
import time
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

from pipeline.document import Document, Relation, validate
from pipeline.extensions import register_extensions
from pipeline.paths import DEFAULT_MODEL, from_root
from pipeline.read import RawReport

__all__ = ["DEFAULT_MODEL", "PIECE_CHARS", "WorkerModelError", "assemble_pieces", "init_worker", "load_model",
           "model_meta", "model_name", "model_problem", "piece_bounds", "piece_reports", "predict_documents",
           "predict_reports", "register_components", "resolve_model", "start_helpers", "worker_predict"]

# The most characters given to the model at once. Memory grows with the characters in flight
# (batch size x piece) and time faster than linearly (0.99 M characters in one piece took 117 s and
# 5.5 GB). Measured with the shipped model on 120,000 characters of corpus reports: pieces of
# 10,000 / 20,000 / 30,000 characters took 8.8 / 9.9 / 13.4 s and peaked at 458 / 578 / 676 MB,
# with the same spans and 2,888 / 2,884 / 2,885 relations. The corpus reports are read whole.
PIECE_CHARS = 20_000


def resolve_model(model: str | Path) -> Path:
    """A relative model path is taken from the working directory, else from the project root."""
    return from_root(model)


def model_problem(path: Path) -> str | None:
    """Why ``path`` is not a saved pipeline (None when it looks like one)."""
    path = Path(path)
    if not path.exists():
        return f"no model at {path}"
    if not (path / "config.cfg").is_file() or not (path / "meta.json").is_file():
        return f"{path} is not a saved spaCy pipeline (config.cfg or meta.json missing)"
    return None


def register_components() -> None:
    """Register the project's factories, tokenizer and ``._`` attributes.

    The installed entry points do this for a plain ``spacy.load``; importing the modules here
    makes it independent of how (or whether) the package was installed.
    """
    import pipeline.link_component  # noqa: F401  (perfreport_linker)
    import pipeline.project_component  # noqa: F401  (perfreport_project_owners)
    import pipeline.table_component  # noqa: F401  (perfreport_tables, perfreport_table_links)
    import pipeline.tag  # noqa: F401  (value patterns, spans to ents, span scores, name suggester)
    import pipeline.tokenize  # noqa: F401  (perfreport.tokenizer.v1)
    import pipeline.values  # noqa: F401  (perfreport_values)

    register_extensions()


def load_model(path: str | Path, span_scores: bool = False) -> Any:
    """``spacy.load`` after registering the project's pieces.

    ``span_scores`` turns on the beam-based span confidences (off in the saved model: ~4× slower).
    """
    import spacy

    register_components()
    nlp = spacy.load(path)
    if span_scores and "perfreport_span_scores" in nlp.disabled:
        nlp.enable_pipe("perfreport_span_scores")
    return nlp


def model_meta(path: str | Path) -> dict[str, Any]:
    """meta.json of a saved pipeline, without loading it."""
    return json.loads((Path(path) / "meta.json").read_text(encoding="utf-8"))


def model_name(meta: dict[str, Any]) -> str:
    return f"{meta.get('name', 'unknown')}-{meta.get('version', '0.0.0')}"


def predict_documents(nlp: Any, docs: Iterable[Document], batch_size: int = 2) -> list[Document]:
    """Run the pipeline on each document's text; ids and ``meta.source`` are kept, gold spans ignored."""
    from pipeline.write import doc_to_document

    docs = list(docs)
    return [doc_to_document(spacy_doc, doc.id, {"source": doc.meta.get("source")})
            for doc, spacy_doc in zip(docs, nlp.pipe((d.text for d in docs), batch_size=batch_size))]


def predict_reports(nlp: Any, reports: list[RawReport], model: str, batch_size: int) -> list[Document | str]:
    """One valid Document per report, or the problem (str) for a report the model could not process.

    Reports longer than :data:`PIECE_CHARS` (or ``nlp.max_length``) are run in pieces, so that
    any text the reader accepts is extracted with bounded memory.
    """
    limit = min(PIECE_CHARS, nlp.max_length)
    plans = [piece_bounds(r.text, limit) for r in reports]
    jobs = [(i, start, end) for i, bounds in enumerate(plans) for start, end in bounds]
    parts: list[list[Document]] = [[] for _ in reports]
    failed: dict[int, str] = {}
    try:
        texts = (reports[i].text[start:end] for i, start, end in jobs)
        # Each piece's Doc becomes a Document at once: the Docs of a long report never pile up.
        for (i, _, _), doc in zip(jobs, nlp.pipe(texts, batch_size=batch_size), strict=True):
            parts[i].append(_piece_document(doc, reports[i], model))
    except Exception:
        # One bad document must not sink the rest of its batch: redo them one by one to find it.
        parts = [[] for _ in reports]
        for i, start, end in jobs:
            if i in failed:
                continue
            try:
                parts[i].append(_piece_document(nlp(reports[i].text[start:end]), reports[i], model))
            except Exception as err:
                failed[i] = f"processing failed ({type(err).__name__}: {err})"
    return [failed.get(i) or _assemble(parts[i], [start for start, _ in plans[i]], raw) for i, raw in enumerate(reports)]


_BLANK_LINE = re.compile(r"\n[^\S\n]*\n")


def piece_bounds(text: str, limit: int = PIECE_CHARS) -> list[tuple[int, int]]:
    """(start, end) of the pieces of ``text``, each at most ``limit`` characters, covering it in order.

    A piece ends after the last blank line of its second half, else after its last line break,
    else (a single line longer than half a piece) after its last sentence end, else at the limit.
    """
    bounds: list[tuple[int, int]] = []
    start = 0
    while len(text) - start > limit:
        low, high = start + limit // 2, start + limit
        blanks = list(_BLANK_LINE.finditer(text, low, high))
        if blanks:
            end = blanks[-1].end()
        else:
            cuts = [text.rfind(mark, low, high) + 1 for mark in ("\n", "。", "；", "！", "？")]
            end = next((cut for cut in cuts if cut > 0), high)
        bounds.append((start, end))
        start = end
    bounds.append((start, len(text)))
    return bounds


def _piece_document(doc: Any, raw: RawReport, model: str) -> Document:
    from pipeline.write import doc_to_document

    return doc_to_document(doc, raw.id, raw.meta | {"model": model})


def piece_reports(report: RawReport) -> list[tuple[int, RawReport]]:
    """(start, piece) for each piece of a report, itself alone when it is short (``extract`` runs the
    pieces of a long report as separate work, so that they spread over the worker processes)."""
    bounds = piece_bounds(report.text, PIECE_CHARS)
    if len(bounds) == 1:
        return [(0, report)]
    return [(start, replace(report, text=report.text[start:end])) for start, end in bounds]


def assemble_pieces(parts: list[tuple[int, Document | str]], raw: RawReport) -> Document | str:
    """The Document of ``raw`` from the results of its pieces (:func:`piece_reports`), or the first problem."""
    problem = next((result for _, result in parts if isinstance(result, str)), None)
    if problem is not None:
        return problem
    return _assemble([doc for _, doc in parts if isinstance(doc, Document)], [start for start, _ in parts], raw)


def _assemble(parts: list[Document], starts: list[int], raw: RawReport) -> Document | str:
    """The report's Document from its pieces' (one piece: as it is), checked against SCHEMA.md."""
    document = parts[0] if len(parts) == 1 else _merge(parts, starts)
    # Offsets index the stored text: a tokenizer that altered it would make every span wrong.
    if document.text != raw.text:
        return "processing failed (the pipeline changed the text, so offsets would not match)"
    problems = validate(document, raw.id)
    if problems:
        # OUT must stay scorable: a document that breaks the schema is a failure, not a line.
        return f"model output breaks SCHEMA.md: {'; '.join(problems[:3])}"
    return document


def _merge(parts: list[Document], starts: list[int]) -> Document:
    """One Document from consecutive pieces: spans shifted by their piece's start and renumbered T1…

    The pieces' consistency checks are kept, their span ids renamed: redone over the whole text
    they would cost time that grows faster than the text (minutes for 150,000 characters).
    """
    spans, relations, checks, errors = [], [], [], []
    for part, offset in zip(parts, starts, strict=True):
        renamed: dict[str, str] = {}
        for span in part.spans:
            renamed[span.id] = f"T{len(spans) + 1}"
            spans.append(replace(span, id=renamed[span.id], start=span.start + offset, end=span.end + offset))
        relations += [Relation(renamed[r.head], renamed[r.tail], r.type, r.score) for r in part.relations]
        checks += [{**c, "spans": [renamed[i] for i in c.get("spans", [])]} for c in part.checks]
        errors += part.meta.get("normalise_errors", [])
    meta = {k: v for k, v in parts[0].meta.items() if k != "normalise_errors"}
    if errors:
        meta["normalise_errors"] = errors
    meta["pieces"] = starts
    return Document(parts[0].id, "".join(p.text for p in parts), meta, spans, relations, checks=checks)


# --------------------------------------------------------------------------------------------
# Worker processes (extract --workers N): each loads the model once and dies with its parent


class WorkerModelError(RuntimeError):
    """A worker process has no model: every batch would fail, so the run stops."""


_worker_nlp: Any = None
_worker_error: str | None = None
_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def init_worker(model_path: str, span_scores: bool = False, parent_pid: int | None = None) -> None:
    """Process-pool initializer: tie the worker to its parent, then load the model."""
    global _worker_nlp, _worker_error
    if parent_pid is not None:
        die_with_parent(parent_pid)
    try:
        _worker_nlp = load_model(model_path, span_scores)
        _worker_nlp("预算执行率95%。")  # lazy set-up (the jieba dictionary) now, not in the first batch
    except Exception as err:  # reported by the first task: an initializer exception only says "broken pool"
        _worker_error = f"{type(err).__name__}: {err}"


def start_helpers(model_path: Path, span_scores: bool, count: int) -> Any:
    """A pool of ``count`` helper processes (spawn: no forked copies of BLAS threads or model state),
    started now: each loads the model and warms it up before its first batch arrives."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(count, mp_context=multiprocessing.get_context("spawn"), initializer=init_worker,
                               initargs=(str(model_path), span_scores, os.getpid()))
    for _ in range(count):  # each submit starts one process (Python 3.11+), which runs the initializer
        pool.submit(os.getpid)
    return pool


def worker_predict(reports: list[RawReport], model: str, batch_size: int) -> list[Document | str]:
    if _worker_nlp is None:
        raise WorkerModelError(f"the model could not be loaded in a worker process ({_worker_error})")
    return predict_reports(_worker_nlp, reports, model, batch_size)


def die_with_parent(parent_pid: int, poll_seconds: float = 1.0) -> None:
    """End this process when ``parent_pid`` ends, even by ``kill -9`` (which runs no clean-up there).

    On Linux the kernel sends SIGKILL at once (prctl PR_SET_PDEATHSIG); everywhere a daemon thread
    also polls os.getppid(), which changes when the parent is gone and the orphan is adopted.
    Without this a killed run left its workers computing, ~700 MB each.
    """
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass  # no libc prctl: the thread below still does it
    if os.getppid() != parent_pid:  # the parent died before the line above
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(poll_seconds)
        os._exit(1)

    threading.Thread(target=watch, name="die-with-parent", daemon=True).start()
