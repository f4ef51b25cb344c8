"""Helpers shared by the annotation-tool formats: number/boolean parsing, imported value
attributes (filled by the normaliser where the annotator left them empty), validation and
collection of imported documents, and reading/writing the tools' JSON files."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.document import (
    UNIT_OF,
    Document,
    Span,
    validate,
)
from pipeline.normalise import NormaliseError, normalise

# Comparators an annotator may type in a free-text box, mapped to SCHEMA.md's ASCII forms.
CMP_ALIASES = {"≥": ">=", "≧": ">=", "＞": ">", "≤": "<=", "≦": "<=", "＜": "<", "＝": "=", "==": "="}


def _number_text(value: float) -> str:
    # repr gives the shortest string that reads back to the same float, so the round trip is exact.
    return repr(value)


def _parse_number(raw: str) -> int | float:
    text = raw.strip().replace(",", "")
    try:
        return int(text)
    except ValueError:
        return float(text)  # ValueError propagates to the caller, which reports it


def _parse_bool(raw: str) -> bool:
    text = raw.strip().lower()
    if text in ("true", "1", "yes", "y", "是"):
        return True
    if text in ("false", "0", "no", "n", "否"):
        return False
    raise ValueError(f"not true/false: {raw!r}")


@dataclass
class _Attrs:
    """Value attributes of one span as imported, each None when the tool had no value for it."""

    role: str | None = None
    value: float | None = None
    cmp: str | None = None
    approx: bool | None = None
    per: str | None = None
    unit: str | None = None
    score: float | None = None
    problems: list[str] = field(default_factory=list)


def _fill_values(text: str, span: Span, attrs: _Attrs, where: str) -> list[str]:
    """Copy imported attributes onto a value span and let the normaliser fill what is missing.

    ``per`` is filled only when ``value`` is missing too: an annotator who typed a value and left
    ``per`` empty has said there is no per-unit, which is the common case.
    """
    problems = list(attrs.problems)
    span.role, span.value, span.cmp, span.approx, span.per = attrs.role, attrs.value, attrs.cmp, attrs.approx, attrs.per
    span.unit = attrs.unit or UNIT_OF[span.label]
    if None not in (span.value, span.cmp, span.approx):
        return problems
    if not (type(span.start) is int and type(span.end) is int and 0 <= span.start < span.end <= len(text)):
        return problems  # bad offsets: validate() reports them, there is nothing to read
    try:
        norm = normalise(text, span.start, span.end, span.label)
    except NormaliseError as err:
        problems.append(f"{where} span {span.id}: cannot fill the value of {text[span.start:span.end]!r}: {err}")
        return problems
    if span.value is None:
        span.value = norm.value
        if span.per is None:
            span.per = norm.per
    if span.cmp is None:
        span.cmp = norm.cmp
    if span.approx is None:
        span.approx = norm.approx
    return problems


def _finish(doc: Document, task_id: Any, problems: list[str]) -> tuple[Document | None, list[str]]:
    """Validate an imported document; problems are prefixed with the task id and the doc is dropped if any."""
    problems = problems + validate(doc, doc.id)
    if problems:
        return None, [f"task {task_id}: {p}" for p in problems]
    return doc, []


def _mean(values: Iterable[float]) -> float | None:
    items = list(values)
    return sum(items) / len(items) if items else None


def _span_order(span: Span) -> tuple:
    # Keep regions in text order; bad offsets sort last instead of raising on a comparison.
    ok = type(span.start) is int and type(span.end) is int
    return (0, span.start, span.end) if ok else (1, 0, 0)


def _collect(items: list[dict[str, Any]], convert) -> tuple[list[Document], list[str]]:
    """Convert every task/line, keep the valid documents, and refuse a document id used twice."""
    docs: list[Document] = []
    problems: list[str] = []
    seen: dict[str, Any] = {}
    for number, item in enumerate(items, 1):
        doc, item_problems = convert(item, number)
        problems += item_problems
        if doc is None:
            continue
        task_id = item.get("id", f"#{number}")
        if doc.id in seen:
            problems.append(f"task {task_id}: document id {doc.id!r} already used by task {seen[doc.id]}")
            continue
        seen[doc.id] = task_id
        docs.append(doc)
    return docs, problems


def read_records(path: str | Path) -> tuple[list[Any], list[str]]:
    """JSON objects of a file: a JSON array (Label Studio's export), a single object, or JSON Lines."""
    path = Path(path)
    try:
        content = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        return [], [f"cannot read: {err}"]
    stripped = content.lstrip()
    if stripped.startswith("["):
        try:
            records = json.loads(content)
        except json.JSONDecodeError as err:
            return [], [f"not JSON ({err.msg} at line {err.lineno} column {err.colno})"]
        return records, []
    records, problems = [], []
    # Split on \n only, as document.iter_jsonl does: a text may hold \r or U+2028.
    for number, line in enumerate(content.split("\n"), 1):
        if not line.strip():
            continue
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError as err:
            problems.append(f"line {number}: not JSON ({err.msg} at column {err.colno})")
    return records, problems


def write_records(records: list[dict], path: str | Path, as_array: bool) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if as_array:
        path.write_text(json.dumps(records, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    else:
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
