"""The ``._`` attributes the pipeline writes on spaCy objects, registered explicitly.

``Span._.value/unit/cmp/approx/per/role/score`` carry a value's attributes and confidence;
``Doc._.relations`` the links (dicts ``{"head": (start, end), "tail": (start, end), "type",
"score"}``), ``Doc._.normalise_errors`` the surfaces the normaliser could not read, and
``Doc._.tables`` the tables of the text (``pipeline.tables.Table``), read once for every stage;
``Span._.from_table`` marks a value whose attributes its table gave.

:func:`register_extensions` is idempotent; every component that writes these calls it when it
is built, so a model loaded through the entry points (plain ``spacy.load``) has them without
importing any module for its side effects.
"""

from __future__ import annotations

from spacy.tokens import Doc, Span

SPAN_EXTENSIONS = ("value", "unit", "cmp", "approx", "per", "role", "score")
DOC_EXTENSIONS = ("relations", "normalise_errors", "tables")


def register_extensions() -> None:
    for name in SPAN_EXTENSIONS:
        if not Span.has_extension(name):
            Span.set_extension(name, default=None)
    for name in DOC_EXTENSIONS:
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=None)
    # A value read from a table (pipeline.table_component): its value and role are the table's.
    if not Span.has_extension("from_table"):
        Span.set_extension("from_table", default=False)
