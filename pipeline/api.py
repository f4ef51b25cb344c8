"""A Python API for notebooks: extract reports, get DataFrames.

    >>> from pipeline import extract_text, to_frames
    >>> doc = extract_text("……预算执行率为95%……", id="demo")
    >>> frames = to_frames([doc])          # values, indicators, checks, summary

:func:`extract_text`, :func:`extract_file` and :func:`extract_files` return
:class:`pipeline.document.Document` objects exactly as ``perfreport extract`` writes them: spans
with values and roles, relations, ``meta`` (source, model, and department / fiscal_year /
report_kind / self_score where the text states them) and ``checks``. They run the one prediction
path of the command line (:func:`pipeline.model.predict_reports`). The model is loaded on first
use and kept, one per path (:func:`load`); nothing is loaded at import.

:func:`to_frames` needs pandas (``pip install 'perfreport-extract[frames]'``); the rest does not.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pipeline.document import Document
from pipeline.paths import DEFAULT_MODEL

__all__ = ["ExtractionError", "extract_file", "extract_files", "extract_text", "load", "to_frames"]

_models: dict[str, Any] = {}
_lock = threading.Lock()


class ExtractionError(RuntimeError):
    """A report the model could not turn into a valid document (the message says why)."""


def load(model: str | Path = DEFAULT_MODEL) -> Any:
    """The spaCy pipeline at ``model``, loaded once per path and kept for later calls."""
    from pipeline.model import load_model, model_problem, resolve_model

    path = resolve_model(model)
    key = str(path.resolve())
    with _lock:
        if key not in _models:
            problem = model_problem(path)
            if problem:
                raise FileNotFoundError(f"{problem}: run `make train`, or pass model=PATH")
            _models[key] = load_model(path)
        return _models[key]


def _predict(reports: list[Any], model: str | Path, batch_size: int) -> list[Document]:
    from pipeline.model import model_name, predict_reports

    nlp = load(model)
    results = predict_reports(nlp, reports, model_name(nlp.meta), batch_size)
    out = []
    for report, result in zip(reports, results, strict=True):
        if isinstance(result, str):
            raise ExtractionError(f"{report.meta.get('source', report.id)}: {result}")
        out.append(result)
    return out


def extract_text(text: str, id: str = "report", *, meta: dict[str, Any] | None = None,
                 model: str | Path = DEFAULT_MODEL) -> Document:
    """One report given as text → its Document (spans, relations, meta, checks)."""
    from pipeline.read import RawReport

    if not isinstance(text, str) or not text.strip():
        raise ValueError("text is empty")
    return _predict([RawReport(id, text, dict(meta or {}))], model, batch_size=1)[0]


def extract_files(paths: str | Path | Iterable[str | Path], *, model: str | Path = DEFAULT_MODEL,
                  batch_size: int = 2) -> list[Document]:
    """Every report in the files and folders (as ``perfreport extract`` finds them) → Documents.

    A file that cannot be read raises :class:`pipeline.read.ReadError`; use the command line
    (``perfreport extract``) to go on past bad files and collect them in an errors file.
    """
    from pipeline.read import find_inputs, read_reports

    if isinstance(paths, (str, Path)):
        paths = [paths]
    files, problems = find_inputs(list(paths))
    if problems:
        raise problems[0]
    reports = [report for path in files for report in read_reports(path)]
    docs: list[Document] = []
    for start in range(0, len(reports), batch_size):
        docs += _predict(reports[start : start + batch_size], model, batch_size)
    return docs


def extract_file(path: str | Path, *, model: str | Path = DEFAULT_MODEL) -> Document:
    """One report file (.txt .docx .pdf .html .xlsx …) → its Document."""
    docs = extract_files([path], model=model)
    if len(docs) != 1:
        raise ValueError(f"{path} holds {len(docs)} reports; use extract_files() for several")
    return docs[0]


def to_frames(docs: Iterable[Document], lang: str = "en") -> dict[str, Any]:
    """pandas DataFrames ``values``, ``indicators``, ``checks`` and ``summary`` — the workbook's
    sheets (:mod:`pipeline.sheets`). ``lang="en"`` (default) names the columns by their keys
    (``budget``, ``spent``: 万元; ``rate``: a fraction) and keeps English codes in cells; ``"zh"``
    gives the workbook's Chinese headers and words."""
    try:
        import pandas as pd
    except ImportError as err:  # pandas is an optional dependency
        raise ImportError("to_frames needs pandas: pip install 'perfreport-extract[frames]'") from err
    from pipeline.sheets import COLUMNS, sheet_rows

    rows = sheet_rows(list(docs), lang)
    frames = {}
    for sheet in ("values", "indicators", "checks", "summary"):
        columns = COLUMNS[sheet]
        frame = pd.DataFrame(rows[sheet], columns=[c.key for c in columns])
        if lang != "en":
            frame = frame.rename(columns={c.key: c.header(lang) for c in columns})
        frames[sheet] = frame
    return frames
