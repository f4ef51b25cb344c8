"""Write stage: spaCy Docs → SCHEMA Documents, and Documents → the flat value table (CSV/XLSX).

- :func:`doc_to_document`: the prediction Document for a processed Doc, with the report's own
  fields in ``meta`` and its consistency ``checks`` (:func:`with_report_facts`).
- :func:`value_rows`: one row per MONEY/PERCENT span (:data:`VALUE_COLUMNS`), with the names of
  its linked projects and indicators and the sentence it came from;
  :func:`write_csv` / :func:`write_xlsx` write them atomically.

JSONL itself is written by :func:`pipeline.document.write_jsonl` (whole files) and by
``pipeline.extract`` (line by line, for resumable runs).
"""

from __future__ import annotations

import csv
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.document import VALUE_LABELS, Document, Relation, Span

if TYPE_CHECKING:  # spaCy is imported only to convert a Doc: the tables need no model
    from spacy.tokens import Doc

VALUE_COLUMNS = (
    "document", "project", "indicator", "role", "value", "unit", "cmp", "approx", "per",
    "surface", "sentence", "start", "end", "score",
)
# Sentence ends for the table's context column: the same set SCHEMA.md uses for linking.
SENTENCE_ENDS = frozenset("。；！？!?;\n")
_XLSX_CELL_MAX = 32_767  # Excel refuses longer cell texts


def doc_to_document(doc: Doc, doc_id: str, meta: dict[str, Any] | None = None) -> Document:
    """The prediction Document for a processed Doc: entities with value attributes, relations."""
    from pipeline.extensions import register_extensions

    register_extensions()  # a pipeline without our components still reads as "no values"
    spans: list[Span] = []
    by_offsets: dict[tuple[int, int], str] = {}
    text = doc.text
    for ent in doc.ents:
        # SCHEMA forbids outer white space; a tagger may put a line break at a span's edge
        start, end = ent.start_char, ent.end_char
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start == end:
            continue
        span = Span(id=f"T{len(spans) + 1}", start=start, end=end, label=ent.label_)
        if ent.label_ in VALUE_LABELS:
            if ent._.value is None:
                continue  # the normaliser could not read it: reported in meta, not guessed
            span.role = ent._.role or "other"
            span.value, span.unit, span.cmp = ent._.value, ent._.unit, ent._.cmp
            span.approx, span.per = ent._.approx, ent._.per
        if ent._.score is not None:
            span.score = round(float(ent._.score), 4)
        by_offsets[(ent.start_char, ent.end_char)] = span.id
        spans.append(span)
    relations = []
    for rel in doc._.relations or []:
        head, tail = by_offsets.get(tuple(rel["head"])), by_offsets.get(tuple(rel["tail"]))
        if head and tail:
            relations.append(Relation(head=head, tail=tail, type=rel["type"], score=round(float(rel["score"]), 4)))
    meta = dict(meta or {})
    if doc._.normalise_errors:
        meta["normalise_errors"] = list(doc._.normalise_errors)
    document = Document(id=doc_id, text=text, meta=meta, spans=spans, relations=relations)
    return with_report_facts(document, doc._.tables)


def with_report_facts(document: Document, tables: list[Any] | None = None) -> Document:
    """``document`` with what the report says of itself in ``meta`` (department, fiscal_year,
    report_kind, self_score: :func:`pipeline.fields.report_fields`, where the text states them; a
    key the reader already set is kept) and its consistency ``checks`` (:mod:`pipeline.checks`,
    reading ``tables`` when the pipeline has read them, ``doc._.tables``). Every prediction gets
    them here, so extract, evaluate, the API and the workbook see the same."""
    from pipeline.checks import checks_json
    from pipeline.fields import report_fields

    for key, value in report_fields(document.text).items():
        document.meta.setdefault(key, value)
    document.checks = checks_json(document, tables)
    return document


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


# Excel and LibreOffice run a CSV cell that starts with one of these as a formula (=HYPERLINK(…),
# +cmd|…, -2+3, @SUM(…)); a text from a report must never become one.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A CSV cell: None as empty, a text that a spreadsheet would run as a formula behind a ``'``.

    The XLSX marks such cells as text; a CSV cannot, so the apostrophe (what Excel itself shows
    for a typed-in text) keeps it inert. Numbers (value, start, end, score) are written as they are.
    """
    if value is None:
        return ""
    if isinstance(value, str) and len(value) > 1 and value.startswith(_FORMULA_STARTS):
        return "'" + value  # (a lone "=", the cmp column's, runs nothing and stays as it is)
    return value


def write_csv(rows: list[dict[str, Any]], path: str | Path) -> None:
    """CSV in UTF-8 with a BOM: without it Excel guesses the ANSI code page and garbles Chinese."""

    def write(tmp: Path) -> None:
        with tmp.open("w", encoding="utf-8-sig", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=VALUE_COLUMNS)
            writer.writeheader()
            for row in rows:
                writer.writerow({k: csv_cell(row.get(k)) for k in VALUE_COLUMNS})

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
