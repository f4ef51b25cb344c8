"""doccano: the relation-extraction JSONL (``entities`` / ``relations``); value attributes, the
span ids and the document id ride along as extra keys, which doccano keeps as metadata."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pipeline.document import (
    TAIL_TYPE,
    VALUE_LABELS,
    Document,
    Relation,
    Span,
)
from pipeline.formats.common import (
    _Attrs,
    _collect,
    _fill_values,
    _finish,
    _span_order,
)


def to_doccano(docs: Sequence[Document]) -> list[dict]:
    """doccano relation-extraction lines; span ids and value attributes kept in ``attributes``."""
    lines = []
    for n, doc in enumerate(docs, 1):
        number = {s.id: i for i, s in enumerate(doc.spans, 1)}  # doccano wants integer entity ids
        entities, attributes = [], {}
        for span in doc.spans:
            eid = number[span.id]
            entities.append({"id": eid, "label": span.label, "start_offset": span.start, "end_offset": span.end})
            extra = {k: v for k, v in span.to_json().items() if k not in ("id", "start", "end", "label")}
            attributes[str(eid)] = {"span_id": span.id, **extra}
        relations = []
        for i, rel in enumerate(doc.relations, 1):
            item: dict[str, Any] = {"id": i, "from_id": number.get(rel.head, rel.head),
                                    "to_id": number.get(rel.tail, rel.tail), "type": rel.type}
            if rel.score is not None:
                item["score"] = rel.score
            relations.append(item)
        line: dict[str, Any] = {"id": n, "text": doc.text, "entities": entities, "relations": relations,
                                "attributes": attributes, "doc_id": doc.id}
        if doc.has_meta or doc.meta:
            line["meta"] = doc.meta
        lines.append(line)
    return lines


def _doccano_attrs(raw: Any, where: str) -> _Attrs:
    attrs = _Attrs()
    if not isinstance(raw, dict):
        return attrs
    for key in ("role", "cmp", "per", "unit"):
        if raw.get(key) is not None:
            setattr(attrs, key, raw[key])
    for key, kinds in (("value", (int, float)), ("approx", (bool,)), ("score", (int, float))):
        val = raw.get(key)
        if val is None:
            continue
        if isinstance(val, kinds) and (key == "approx" or not isinstance(val, bool)):
            setattr(attrs, key, val)
        else:
            attrs.problems.append(f"{where}: bad {key} {val!r}")
    return attrs


def _line_to_document(line: Any, number: int) -> tuple[Document | None, list[str]]:
    if not isinstance(line, dict):
        return None, [f"task #{number}: not a JSON object"]
    task_id = line.get("id", f"#{number}")
    # doccano 1.x exported the text as "data"; newer versions as "text".
    text = line.get("text") if isinstance(line.get("text"), str) else line.get("data")
    if not isinstance(text, str):
        return None, [f"task {task_id}: no text"]
    doc_id = str(line.get("doc_id") or f"doccano-{task_id}")
    raw_meta = line.get("meta")
    meta = dict(raw_meta) if isinstance(raw_meta, dict) else {}
    entities = line.get("entities")
    if entities is None and isinstance(line.get("label"), list):
        # The sequence-labeling export: "label": [[start, end, label], ...], no relations.
        entities = [{"id": i, "start_offset": e[0], "end_offset": e[1], "label": e[2]}
                    for i, e in enumerate(line["label"], 1) if isinstance(e, list) and len(e) == 3]
    problems: list[str] = []
    attributes = line.get("attributes") if isinstance(line.get("attributes"), dict) else {}
    spans: list[Span] = []
    span_id: dict[str, str] = {}
    for ent in entities or []:
        if not isinstance(ent, dict):
            problems.append(f"entity is not an object: {ent!r}")
            continue
        eid = str(ent.get("id"))
        raw_attrs = attributes.get(eid) if isinstance(attributes.get(eid), dict) else {}
        sid = str(raw_attrs.get("span_id") or f"T{eid}")
        if sid in span_id.values():
            sid = f"T{eid}"  # a clash in the kept ids must not merge two entities
        span_id[eid] = sid
        span = Span(id=sid, start=ent.get("start_offset"), end=ent.get("end_offset"), label=ent.get("label"))
        where = f"{doc_id} span {sid}"
        attrs = _doccano_attrs(raw_attrs, where)
        span.score = attrs.score
        if span.label in VALUE_LABELS:
            problems += _fill_values(text, span, attrs, doc_id)
        spans.append(span)
    rels: list[Relation] = []
    by_id = {s.id: s for s in spans}
    for raw in line.get("relations") or []:
        if not isinstance(raw, dict):
            problems.append(f"relation is not an object: {raw!r}")
            continue
        head = span_id.get(str(raw.get("from_id")), f"entity {raw.get('from_id')}")
        tail = span_id.get(str(raw.get("to_id")), f"entity {raw.get('to_id')}")
        rel_type = raw.get("type")
        if not rel_type:
            tail_span = by_id.get(tail)
            rel_type = TAIL_TYPE.get(tail_span.label) if tail_span else None
            if rel_type is None:
                problems.append(f"{doc_id} relation {head}->{tail}: no type, and it cannot be told from the tail")
                continue
        score = raw.get("score") if isinstance(raw.get("score"), (int, float)) else None
        rels.append(Relation(head=head, tail=tail, type=rel_type, score=score))
    doc = Document(id=doc_id, text=text, meta=meta, spans=sorted(spans, key=_span_order), relations=rels,
                   has_meta="meta" in line)
    return _finish(doc, task_id, problems)


def from_doccano(lines: Sequence[Any]) -> tuple[list[Document], list[str]]:
    """Documents from doccano lines (decoded JSON objects) and every problem, as ``task <id>: …``."""
    return _collect(lines, _line_to_document)
