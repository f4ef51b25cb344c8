"""Write stage: spaCy Docs → SCHEMA Documents (and, in extract, JSONL/CSV/XLSX)."""

from __future__ import annotations

from typing import Any

from spacy.tokens import Doc

from pipeline.document import Document, Relation, Span


def doc_to_document(doc: Doc, doc_id: str, meta: dict[str, Any] | None = None) -> Document:
    """The prediction Document for a processed Doc: entities with value attributes, relations."""
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
        if ent.label_ in ("MONEY", "PERCENT"):
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
    return Document(id=doc_id, text=text, meta=meta, spans=spans, relations=relations)
