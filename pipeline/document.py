"""The document model: read, validate and write the JSONL format of SCHEMA.md.

One line per report. The stored ``text`` is never altered: offsets are code-point
indices into exactly the string that was decoded from the file.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Every label, role and relation name of SCHEMA.md lives here; the other modules import them.
LABELS = ("MONEY", "PERCENT", "INDICATOR", "PROJECT")
VALUE_LABELS = frozenset({"MONEY", "PERCENT"})
VALUE_LABEL_ORDER = ("MONEY", "PERCENT")  # VALUE_LABELS in LABELS order, for tables
NAME_LABELS = ("INDICATOR", "PROJECT")  # what a value links to, in the order links are made
ROLE_ORDER = ("target", "actual", "change", "other")
ROLES = frozenset(ROLE_ORDER)
CMPS = frozenset({"=", ">=", ">", "<=", "<"})
RELATION_TAIL = {"indicator": "INDICATOR", "project": "PROJECT"}  # relation type → label of its tail
RELATION_TYPES = tuple(RELATION_TAIL)  # ("indicator", "project")
TAIL_TYPE = {label: rel_type for rel_type, label in RELATION_TAIL.items()}  # tail label → relation type
UNIT_OF = {"MONEY": "CNY", "PERCENT": "ratio"}
VALUE_FIELDS = ("role", "value", "unit", "cmp", "approx", "per")
# Kinds of the consistency findings a prediction may carry (SCHEMA.md §1 ``checks``).
CHECK_KINDS = ("sum", "rate", "score", "unit", "unmet")
_DOC_KEYS = {"id", "text", "meta", "spans", "relations", "checks"}
_CHECK_KEYS = {"kind", "spans", "message"}
_SPAN_KEYS = {"id", "start", "end", "label", "score", *VALUE_FIELDS}
_REL_KEYS = {"head", "tail", "type", "score"}


class DocumentError(ValueError):
    """A file that breaks SCHEMA.md; ``problems`` lists every violation as ``file:line: problem``."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        shown = "\n".join(problems[:20])
        more = f"\n… and {len(problems) - 20} more" if len(problems) > 20 else ""
        super().__init__(f"{len(problems)} problem(s):\n{shown}{more}")


@dataclass
class Span:
    id: str
    start: int
    end: int
    label: str
    role: str | None = None
    value: float | None = None
    unit: str | None = None
    cmp: str | None = None
    approx: bool | None = None
    per: str | None = None
    score: float | None = None

    @property
    def is_value(self) -> bool:
        return self.label in VALUE_LABELS

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "start": self.start, "end": self.end, "label": self.label}
        for key in (*VALUE_FIELDS, "score"):
            val = getattr(self, key)
            if val is not None:
                out[key] = val
        return out


@dataclass
class Relation:
    head: str
    tail: str
    type: str
    score: float | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"head": self.head, "tail": self.tail, "type": self.type}
        if self.score is not None:
            out["score"] = self.score
        return out


@dataclass
class Document:
    id: str
    text: str
    meta: dict[str, Any] = field(default_factory=dict)
    spans: list[Span] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    # meta was absent in the file: kept so that a round trip does not add it.
    has_meta: bool = True
    # Predictions only (SCHEMA.md §1): {"kind", "spans", "message"} findings; written when non-empty.
    checks: list[dict[str, Any]] = field(default_factory=list)

    def surface(self, span: Span) -> str:
        return self.text[span.start : span.end]

    def span_by_id(self) -> dict[str, Span]:
        return {s.id: s for s in self.spans}

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "text": self.text}
        if self.has_meta or self.meta:
            out["meta"] = self.meta
        out["spans"] = [s.to_json() for s in self.spans]
        out["relations"] = [r.to_json() for r in self.relations]
        if self.checks:
            out["checks"] = [dict(c) for c in self.checks]
        return out

    def to_line(self) -> str:
        return json.dumps(self.to_json(), ensure_ascii=False)


def _type_problems(obj: dict, allowed: set[str], where: str) -> list[str]:
    extra = sorted(set(obj) - allowed)
    return [f"{where}: unknown field(s) {', '.join(extra)}"] if extra else []


def parse_document(obj: Any, where: str = "<doc>") -> tuple[Document | None, list[str]]:
    """Build a Document from decoded JSON, returning it with every rule it breaks."""
    if not isinstance(obj, dict):
        return None, [f"{where}: a line must be a JSON object, not {type(obj).__name__}"]
    problems: list[str] = []
    for key in ("id", "text", "spans", "relations"):
        if key not in obj:
            problems.append(f"{where}: missing '{key}'")
    if problems:
        return None, problems
    problems += _type_problems(obj, _DOC_KEYS, where)
    if not isinstance(obj["id"], str) or not obj["id"]:
        problems.append(f"{where}: 'id' must be a non-empty string")
    if not isinstance(obj["text"], str):
        return None, [*problems, f"{where}: 'text' must be a string"]
    if not isinstance(obj.get("meta", {}), dict):
        problems.append(f"{where}: 'meta' must be an object")
    if not isinstance(obj["spans"], list) or not isinstance(obj["relations"], list):
        return None, [*problems, f"{where}: 'spans' and 'relations' must be lists"]
    spans = []
    for raw in obj["spans"]:
        if not isinstance(raw, dict):
            problems.append(f"{where}: span is not an object: {raw!r}")
            continue
        problems += _type_problems(raw, _SPAN_KEYS, f"{where} span {raw.get('id')}")
        try:
            spans.append(Span(**{k: raw[k] for k in raw if k in _SPAN_KEYS}))
        except TypeError as err:
            problems.append(f"{where} span {raw.get('id')}: {err}")
    relations = []
    for raw in obj["relations"]:
        if not isinstance(raw, dict):
            problems.append(f"{where}: relation is not an object: {raw!r}")
            continue
        problems += _type_problems(raw, _REL_KEYS, f"{where} relation {raw.get('head')}->{raw.get('tail')}")
        try:
            relations.append(Relation(**{k: raw[k] for k in raw if k in _REL_KEYS}))
        except TypeError as err:
            problems.append(f"{where} relation: {err}")
    checks = obj.get("checks", [])
    if not isinstance(checks, list):
        problems.append(f"{where}: 'checks' must be a list")
        checks = []
    for raw in checks:
        if isinstance(raw, dict):
            problems += _type_problems(raw, _CHECK_KEYS, f"{where} check {raw.get('kind')}")
    doc = Document(
        id=obj["id"],
        text=obj["text"],
        meta=obj.get("meta") if isinstance(obj.get("meta"), dict) else {},
        spans=spans,
        relations=relations,
        has_meta="meta" in obj,
        checks=checks,
    )
    return doc, problems + validate(doc, where)


def validate(doc: Document, where: str = "<doc>") -> list[str]:
    """Every SCHEMA.md rule this document breaks (empty when it holds)."""
    problems: list[str] = []
    say = problems.append
    text = doc.text
    ids: dict[str, Span] = {}
    for s in doc.spans:
        w = f"{where} span {s.id}"
        if not isinstance(s.id, str) or not s.id:
            say(f"{w}: span id must be a non-empty string")
        if s.id in ids:
            say(f"{w}: duplicate span id")
        ids[s.id] = s
        if s.label not in LABELS:
            say(f"{w}: unknown label {s.label!r}")
        ok_offsets = (
            type(s.start) is int and type(s.end) is int and 0 <= s.start < s.end <= len(text)
        )
        if not ok_offsets:
            say(f"{w}: bad offsets {s.start}..{s.end} for a text of {len(text)} characters")
            continue
        surface = text[s.start : s.end]
        if surface != surface.strip():
            say(f"{w}: surface {surface!r} has outer white space")
        if s.score is not None and not (isinstance(s.score, (int, float)) and 0 <= s.score <= 1):
            say(f"{w}: score {s.score!r} is not in 0..1")
        if s.label in VALUE_LABELS:
            if s.role not in ROLES:
                say(f"{w}: value span {surface!r} without a valid role ({s.role!r})")
            if isinstance(s.value, bool) or not isinstance(s.value, (int, float)):
                say(f"{w}: value span {surface!r} without a numeric 'value'")
            if s.cmp is not None and s.cmp not in CMPS:
                say(f"{w}: bad cmp {s.cmp!r}")
            if s.unit is not None and s.unit != UNIT_OF[s.label]:
                say(f"{w}: unit {s.unit!r} should be {UNIT_OF[s.label]}")
            if s.approx is not None and not isinstance(s.approx, bool):
                say(f"{w}: approx must be true or false")
            if s.per is not None and not isinstance(s.per, str):
                say(f"{w}: per must be a string")
        elif s.label in LABELS:
            for key in VALUE_FIELDS:
                if getattr(s, key) is not None:
                    say(f"{w}: '{key}' belongs only on MONEY/PERCENT spans")
    # spans whose offsets are already reported as bad are not reported again as overlaps
    placed = sorted(
        (s for s in doc.spans if type(s.start) is int and type(s.end) is int and 0 <= s.start < s.end <= len(text)),
        key=lambda s: (s.start, s.end),
    )
    for a, b in zip(placed, placed[1:]):
        if b.start < a.end:
            say(f"{where}: spans {a.id} and {b.id} overlap")
    seen = set()
    for r in doc.relations:
        w = f"{where} relation {r.head}->{r.tail}"
        if r.type not in RELATION_TAIL:
            say(f"{w}: unknown type {r.type!r}")
            continue
        head, tail = ids.get(r.head), ids.get(r.tail)
        if head is None or tail is None:
            say(f"{w}: names a span that does not exist")
            continue
        if head.label not in VALUE_LABELS:
            say(f"{w}: head is {head.label}, not MONEY/PERCENT")
        if tail.label != RELATION_TAIL[r.type]:
            say(f"{w}: tail is {tail.label}, not {RELATION_TAIL[r.type]}")
        if r.score is not None and not (isinstance(r.score, (int, float)) and 0 <= r.score <= 1):
            say(f"{w}: score {r.score!r} is not in 0..1")
        key = (r.head, r.tail, r.type)
        if key in seen:
            say(f"{w}: duplicate relation")
        seen.add(key)
    problems += _check_problems(doc.checks, ids, where)
    return problems


def _check_problems(checks: list[Any], ids: dict[str, Span], where: str) -> list[str]:
    """SCHEMA.md §1 ``checks``: a known kind, existing span ids without repeats, a message."""
    problems: list[str] = []
    for n, check in enumerate(checks, 1):
        w = f"{where} check {n}"
        if not isinstance(check, dict):
            problems.append(f"{w}: a check must be an object, not {type(check).__name__}")
            continue
        for key in sorted(_CHECK_KEYS - set(check)):
            problems.append(f"{w}: missing '{key}'")
        if "kind" in check and check["kind"] not in CHECK_KINDS:
            problems.append(f"{w}: unknown kind {check['kind']!r} (one of {', '.join(CHECK_KINDS)})")
        spans = check.get("spans", [])
        if not isinstance(spans, list) or not all(isinstance(s, str) for s in spans):
            problems.append(f"{w}: 'spans' must be a list of span ids")
        else:
            for sid in sorted(set(spans) - set(ids)):
                problems.append(f"{w}: names span {sid!r}, which does not exist")
            if len(spans) != len(set(spans)):
                problems.append(f"{w}: names a span twice")
        if "message" in check and (not isinstance(check["message"], str) or not check["message"].strip()):
            problems.append(f"{w}: 'message' must be a non-empty string")
    return problems


def iter_jsonl(path: str | Path) -> Iterator[tuple[int, Document | None, list[str]]]:
    """Yield (line number, document or None, problems) for each non-blank line of a file."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as err:
        yield 0, None, [f"{path}: cannot read ({err.strerror or err})"]
        return
    try:
        content = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        yield 0, None, [f"{path}: not UTF-8 ({err.reason} at byte {err.start})"]
        return
    # Split on \n only: a text may hold \r or U+2028, which str.splitlines would cut.
    for number, line in enumerate(content.split("\n"), 1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as err:
            yield number, None, [f"{where}: not JSON ({err.msg} at column {err.colno})"]
            continue
        doc, problems = parse_document(obj, where)
        yield number, doc, problems


def read_jsonl(paths: str | Path | Iterable[str | Path], skip_bad: bool = False) -> list[Document]:
    """Load documents; raise DocumentError listing every problem unless ``skip_bad``.

    With ``skip_bad`` the lines that break a rule are left out and the good ones returned;
    the problems are still available from :func:`check_files`.
    """
    docs, problems = check_files(paths)
    if problems and not skip_bad:
        raise DocumentError(problems)
    return docs


def check_files(paths: str | Path | Iterable[str | Path]) -> tuple[list[Document], list[str]]:
    """Load every valid document of the files and list every problem (duplicate ids too)."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    docs: list[Document] = []
    problems: list[str] = []
    first_seen: dict[str, str] = {}
    for path in paths:
        for number, doc, doc_problems in iter_jsonl(path):
            if doc is not None and doc.id in first_seen:
                doc_problems = [*doc_problems, f"{path}:{number}: document id {doc.id!r} already used at {first_seen[doc.id]}"]
            if doc is not None:
                first_seen.setdefault(doc.id, f"{path}:{number}")
            problems += doc_problems
            if doc is not None and not doc_problems:
                docs.append(doc)
    return docs, problems


def write_jsonl(docs: Iterable[Document], path: str | Path) -> None:
    """Write documents atomically: the file is either the old one or complete."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            for doc in docs:
                out.write(doc.to_line() + "\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
