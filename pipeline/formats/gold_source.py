"""Compile hand-written span lists (``annotations/src/*.tsv``) into SCHEMA JSONL.

Annotators do not count offsets by hand. They read the report and write one line per
span, in text order; this module finds each surface after the previous one and computes
the offsets. The format (tab-separated, ``#`` lines are headers or comments)::

    #text   data/reports/000_c72fa1dde9b25adf.txt
    #id     000_c72fa1dde9b25adf
    #meta   {"origin": "real", "department": "丰都县应急管理局"}
    m1  MONEY      390.88万元   target  3908800  =  false      p1,i2
    i2  INDICATOR  预算执行率
        PERCENT    年度执行率[[95%]]  target  0.95  >=  false  	i2

Columns: key, label, surface, role, value, cmp, approx, per, links. ``key`` may be empty
for spans nothing links to. ``surface`` may carry context to pick an occurrence:
``前文[[span]]后文``. ``links`` lists keys of the INDICATOR/PROJECT spans a value belongs
to (the relation type follows from the tail's label). Nothing here guesses a value: the
annotator writes value, cmp, approx and per; the normaliser is only compared against them.
A surface writes a line break inside a span as ``\\n`` (PDF text: ``2356.40 万\\n元``).

Compile with ``python -m pipeline build-gold [NAME...] [-v]`` (or ``python -m pipeline.gold_source``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from pipeline.document import LABELS, TAIL_TYPE, UNIT_OF, VALUE_LABELS, Document, Relation, Span, validate
from pipeline.paths import ROOT

SRC_DIR = ROOT / "annotations" / "src"
OUT_DIR = ROOT / "annotations"
COLUMNS = ("key", "label", "surface", "role", "value", "cmp", "approx", "per", "links")
VALUE_CUES = re.compile(r"[万亿千]?元|[万亿]|[%％‰]|百分之")


class SourceError(ValueError):
    pass


def _split_context(surface: str) -> tuple[str, str, str]:
    match = re.fullmatch(r"(.*?)\[\[(.+?)\]\](.*)", surface, flags=re.S)
    if match:
        return match.group(1), match.group(2), match.group(3)
    return "", surface, ""


def compile_source(path: Path) -> Document:
    """Read one ``.tsv`` source and return the annotated Document; errors name file and line."""
    headers: dict[str, str] = {}
    rows: list[tuple[int, list[str]]] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
        if not line.strip():
            continue
        if line.startswith("#"):
            name, _, rest = line[1:].partition("\t")
            headers[name.strip()] = rest.strip()
            continue
        cells = line.split("\t")
        if len(cells) > len(COLUMNS):
            raise SourceError(f"{path}:{number}: {len(cells)} columns, at most {len(COLUMNS)}")
        rows.append((number, cells + [""] * (len(COLUMNS) - len(cells))))
    if "text" not in headers or "id" not in headers:
        raise SourceError(f"{path}: needs '#text' and '#id' header lines")
    text_path = ROOT / headers["text"]
    text = text_path.read_bytes().decode("utf-8")
    meta = json.loads(headers.get("meta", "{}"))
    meta.setdefault("source", headers["text"])

    spans: list[Span] = []
    links: list[tuple[int, str, list[str]]] = []
    key_to_id: dict[str, str] = {}
    cursor = 0
    for number, cells in rows:
        row = dict(zip(COLUMNS, (c.strip() for c in cells)))
        left, surface, right = _split_context(cells[2].replace("\\n", "\n"))
        if not surface:
            raise SourceError(f"{path}:{number}: empty surface")
        pattern = left + surface + right
        found = text.find(pattern, max(0, cursor - len(left)))
        while found != -1 and found + len(left) < cursor:
            found = text.find(pattern, found + 1)
        if found == -1:
            raise SourceError(f"{path}:{number}: {pattern!r} not found after offset {cursor} ({text[cursor:cursor + 30]!r}…)")
        start = found + len(left)
        end = start + len(surface)
        cursor = end
        span_id = f"T{len(spans) + 1}"
        span = Span(id=span_id, start=start, end=end, label=row["label"])
        if row["label"] in VALUE_LABELS:
            try:
                span.role = row["role"] or None
                span.value = float(row["value"])
                span.unit = UNIT_OF[row["label"]]
                span.cmp = row["cmp"] or "="
                span.approx = {"true": True, "false": False, "": False}[row["approx"].lower()]
                span.per = row["per"] or None
            except (ValueError, KeyError) as err:
                raise SourceError(f"{path}:{number}: bad value attributes ({err})") from err
        elif any(row[k] for k in ("role", "value", "cmp", "approx", "per", "links")):
            raise SourceError(f"{path}:{number}: value attributes or links on a {row['label']} span")
        if row["key"]:
            if row["key"] in key_to_id:
                raise SourceError(f"{path}:{number}: key {row['key']!r} used twice")
            key_to_id[row["key"]] = span_id
        spans.append(span)
        if row["links"]:
            links.append((number, span_id, [k.strip() for k in row["links"].split(",") if k.strip()]))

    by_id = {s.id: s for s in spans}
    relations = []
    for number, head, keys in links:
        for key in keys:
            if key not in key_to_id:
                raise SourceError(f"{path}:{number}: link to unknown key {key!r}")
            tail = by_id[key_to_id[key]]
            rel_type = TAIL_TYPE.get(tail.label)
            if rel_type is None:
                raise SourceError(f"{path}:{number}: link to {key!r}, a {tail.label} span")
            relations.append(Relation(head=head, tail=tail.id, type=rel_type))
    doc = Document(id=headers["id"], text=text, meta=meta, spans=spans, relations=relations)
    problems = validate(doc, str(path))
    if problems:
        raise SourceError("\n".join(problems))
    return doc


def uncovered_value_cues(doc: Document) -> list[tuple[int, str]]:
    """Occurrences of 元/万/亿/%/‰/百分之 outside every span, with ±15 characters, for review."""
    covered = [False] * len(doc.text)
    for s in doc.spans:
        for i in range(s.start, s.end):
            covered[i] = True
    out = []
    for m in VALUE_CUES.finditer(doc.text):
        if not covered[m.start()]:
            out.append((m.start(), doc.text[max(0, m.start() - 15) : m.end() + 15].replace("\n", "⏎")))
    return out


def show(doc: Document) -> str:
    """Each span in context, with its attributes and links: the listing a reviewer reads."""
    by_id = doc.span_by_id()
    tails: dict[str, list[str]] = {}
    for r in doc.relations:
        tails.setdefault(r.head, []).append(f"{r.type[0]}:{doc.surface(by_id[r.tail])}")
    lines = []
    for s in doc.spans:
        ctx = doc.text[max(0, s.start - 8) : s.start] + "【" + doc.surface(s) + "】" + doc.text[s.end : s.end + 8]
        attrs = ""
        if s.is_value:
            attrs = f" role={s.role} value={s.value:g} cmp={s.cmp} approx={s.approx}" + (f" per={s.per}" if s.per else "")
        lines.append(f"{s.id}\t{s.label}\t{ctx.replace(chr(10), '⏎')}{attrs}\t{' '.join(tails.get(s.id, []))}")
    return "\n".join(lines)


def counts_by_label(doc: Document) -> dict[str, int]:
    return {lab: sum(s.label == lab for s in doc.spans) for lab in LABELS}
