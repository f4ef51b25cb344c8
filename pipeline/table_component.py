"""The table layer on the spaCy ``Doc``: ``doc._.tables`` and what SCHEMA §4a says they mean.

Two registered components, because a table speaks twice in the pipeline:

- ``perfreport_tables`` (after the value patterns, before ``perfreport_values``): reads the
  tables once (``pipeline.tables.read_tables``) into ``doc._.tables``, and makes the table's
  spans the entities where they stand (a bare ``850.00`` under ``（万元）`` becomes MONEY; a
  model span that overlaps a table span gives way). Each table value carries its value, role and
  comparator on ``span._.value/role/cmp`` and ``span._.from_table = True``, so that
  ``perfreport_values`` leaves them as the table says.
- ``perfreport_table_links`` (after ``perfreport_linker``): puts the tables' own relations in
  (``pipeline.tables.table_relations``, which ``link_document`` uses too when the linker runs on
  gold spans).
"""

from __future__ import annotations

import bisect

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from pipeline.extensions import register_extensions
from pipeline.tables import Table, read_tables, table_relations, template_ranges


@Language.factory("perfreport_tables", assigns=["doc.ents", "doc._.tables", "span._.value", "span._.role"])
def make_tables(nlp: Language, name: str) -> TableSpans:
    return TableSpans()


class TableSpans:
    def __init__(self):
        register_extensions()

    def __call__(self, doc: Doc) -> Doc:
        text = doc.text
        tables = read_tables(text)
        doc._.tables = tables
        template = template_ranges(text)
        if template:  # §4a: the form's filling instructions give no spans, whatever the tagger saw
            doc.ents = [e for e in doc.ents if not any(a <= e.start_char < b for a, b in template)]
        if not tables:
            return doc
        # A cell edge inside a token (``…12345-办公运行经费`` read as one word) is split there, so that
        # every table span can be made of whole tokens.
        split_at(doc, {edge for table in tables for ts in table.spans for edge in (ts.start, ts.end)})
        spans: list[Span] = []
        for table in tables:
            for ts in table.spans:
                span = doc.char_span(ts.start, ts.end, label=ts.label)
                if span is None:
                    continue
                if ts.label in ("MONEY", "PERCENT"):
                    span._.value, span._.role, span._.cmp = ts.value, ts.role, ts.cmp
                    span._.unit = "CNY" if ts.label == "MONEY" else "ratio"
                    span._.approx = False
                    span._.from_table = True
                    span._.score = 1.0
                spans.append(span)
        kept = [e for e in doc.ents if all(e.end <= s.start or e.start >= s.end for s in spans)]
        doc.ents = filter_spans(spans + kept)
        return doc


@Language.factory("perfreport_table_links", assigns=["doc._.relations"])
def make_table_links(nlp: Language, name: str) -> TableLinks:
    return TableLinks()


class TableLinks:
    def __init__(self):
        register_extensions()

    def __call__(self, doc: Doc) -> Doc:
        tables: list[Table] = doc._.tables or []
        if tables:
            values = [(e.start_char, e.end_char) for e in doc.ents if e.label_ in ("MONEY", "PERCENT")]
            names = [(e.start_char, e.end_char) for e in doc.ents if e.label_ not in ("MONEY", "PERCENT")]
            doc._.relations = table_relations(tables, values, names, doc._.relations or [])
        return doc


def split_at(doc: Doc, offsets: set[int]) -> None:
    """Split the tokens that have one of ``offsets`` strictly inside them."""
    ordered = sorted(offsets)
    cuts: dict[int, list[int]] = {}
    for token in doc:
        lo = bisect.bisect_right(ordered, token.idx)
        hi = bisect.bisect_left(ordered, token.idx + len(token.text))
        if lo < hi:
            cuts[token.i] = [o - token.idx for o in ordered[lo:hi]]
    if not cuts:
        return
    with doc.retokenize() as retokenizer:
        for i, inner in cuts.items():
            token = doc[i]
            bounds = [0, *inner, len(token.text)]
            orths = [token.text[a:b] for a, b in zip(bounds, bounds[1:])]
            # no parse here: each piece is attached to the first, which the retokenizer requires
            heads = [(token, 0)] * len(orths)
            spaces = [False] * (len(orths) - 1) + [bool(token.whitespace_)]
            retokenizer.split(token, orths, heads=heads, attrs={"SPACY": spaces} if len(orths) else {})
