"""Dataset access: the gold documents of ``annotations/*.jsonl`` as Documents or a DatasetDict.

Split policy (fixed, so that every figure reported on "test" is comparable over time):

- ``load_corpus`` returns splits ``train`` and ``test``. ``test`` is the documents whose id
  is in :data:`HELD_OUT` — the real report ``001_bae6ad46e6b56273`` (璧山区应急管理局,
  部门整体支出) and the authored report ``a04_district_water_bureau`` — and every authored
  document of a department kind in :data:`HELD_OUT_SECTORS`: kinds with no document in
  ``train``, among them the eight table documents n61–n68 written after the table rules were
  (so the table layer was never developed on them). ``train`` is every other document. Nothing
  is chosen at random and the lists change only by editing this module.
- ``loo_folds`` is the other protocol: leave one REAL report out at a time, training on all
  the other documents (authored ones included), so every real report is scored once as
  unseen text.

Each document is one row: ``id``, ``text``, ``origin`` (``meta.origin``), ``meta_json`` (the
whole meta as JSON), ``spans`` and ``relations`` as lists of records with fixed keys
(:data:`SPAN_FIELDS`, :data:`RELATION_FIELDS`); value fields that a span does not have are
None.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import datasets

from pipeline.document import Document, Relation, Span, read_jsonl
from pipeline.paths import ROOT, from_root  # noqa: F401  (ROOT: old import path)

ORIGINS = ("real", "authored")

# The fixed held-out test documents (see the module docstring).
HELD_OUT = ("001_bae6ad46e6b56273", "a04_district_water_bureau")
HELD_OUT_SECTORS = (
    "audit", "commerce", "data_centre", "development_reform", "disabled_federation", "supply_coop", "township",
    "urban_management",
    # the kinds of n61–n68 (tables written after the table layer, never used to develop it)
    "ethnic_religious", "government_affairs", "government_services", "housing_fund", "petitions", "procuratorate",
    "red_cross", "road_maintenance",
)

SPAN_FIELDS = {
    "id": datasets.Value("string"),
    "start": datasets.Value("int32"),
    "end": datasets.Value("int32"),
    "label": datasets.Value("string"),
    "role": datasets.Value("string"),
    "value": datasets.Value("float64"),
    "unit": datasets.Value("string"),
    "cmp": datasets.Value("string"),
    "approx": datasets.Value("bool"),
    "per": datasets.Value("string"),
    "score": datasets.Value("float64"),
}
RELATION_FIELDS = {
    "head": datasets.Value("string"),
    "tail": datasets.Value("string"),
    "type": datasets.Value("string"),
    "score": datasets.Value("float64"),
}
FEATURES = datasets.Features(
    {
        "id": datasets.Value("string"),
        "text": datasets.Value("string"),
        "origin": datasets.Value("string"),
        "meta_json": datasets.Value("string"),
        "spans": datasets.List(SPAN_FIELDS),
        "relations": datasets.List(RELATION_FIELDS),
    }
)


def resolve_dir(annotation_dir: str | Path) -> Path:
    """A relative directory is taken from the working directory, else from the project root."""
    return from_root(annotation_dir, must_be_dir=True)


def origin_of(doc: Document) -> str | None:
    origin = doc.meta.get("origin")
    return origin if isinstance(origin, str) else None


def load_documents(
    annotation_dir: str | Path = "annotations", origin: str | None = None, skip_bad: bool = False
) -> list[Document]:
    """Every document of ``annotation_dir/*.jsonl``, sorted by id, optionally of one origin.

    A file that breaks SCHEMA.md raises DocumentError unless ``skip_bad`` (then its bad lines
    are left out).
    """
    if origin is not None and origin not in ORIGINS:
        raise ValueError(f"origin must be None or one of {ORIGINS}, not {origin!r}")
    files = sorted(resolve_dir(annotation_dir).glob("*.jsonl"))
    docs = read_jsonl(files, skip_bad=skip_bad) if files else []
    if origin is not None:
        docs = [d for d in docs if origin_of(d) == origin]
    return sorted(docs, key=lambda d: d.id)


def _span_row(span: Span) -> dict[str, Any]:
    return {key: getattr(span, key) for key in SPAN_FIELDS}


def _relation_row(rel: Relation) -> dict[str, Any]:
    return {key: getattr(rel, key) for key in RELATION_FIELDS}


def to_rows(docs: Iterable[Document]) -> list[dict[str, Any]]:
    return [
        {
            "id": d.id,
            "text": d.text,
            "origin": origin_of(d),
            "meta_json": json.dumps(d.meta, ensure_ascii=False, sort_keys=True),
            "spans": [_span_row(s) for s in d.spans],
            "relations": [_relation_row(r) for r in d.relations],
        }
        for d in docs
    ]


def to_dataset(docs: Iterable[Document]) -> datasets.Dataset:
    """One row per document (an empty list gives an empty dataset with the same columns)."""
    rows = to_rows(docs)
    columns = {name: [row[name] for row in rows] for name in FEATURES}  # from_list([]) would lose the columns
    return datasets.Dataset.from_dict(columns, features=FEATURES)


def split_documents(docs: Iterable[Document]) -> tuple[list[Document], list[Document]]:
    """(train, test) by the fixed :data:`HELD_OUT` ids and :data:`HELD_OUT_SECTORS` kinds."""
    docs = list(docs)

    def held(d: Document) -> bool:
        return d.id in HELD_OUT or (origin_of(d) != "real" and d.meta.get("sector") in HELD_OUT_SECTORS)

    return [d for d in docs if not held(d)], [d for d in docs if held(d)]


def to_dataset_dict(docs: Iterable[Document]) -> datasets.DatasetDict:
    """Splits ``train`` and ``test`` (test = :func:`split_documents`'s), one row per document."""
    train, test = split_documents(docs)
    return datasets.DatasetDict({"train": to_dataset(train), "test": to_dataset(test)})


def load_corpus(annotation_dir: str | Path = "annotations", origin: str | None = None) -> datasets.DatasetDict:
    """The gold corpus as splits ``train`` and ``test`` (test = :data:`HELD_OUT`, when present)."""
    return to_dataset_dict(load_documents(annotation_dir, origin=origin))


def from_row(row: dict[str, Any]) -> Document:
    """Back from a dataset row to a Document (None fields dropped, as in the JSONL)."""
    return Document(
        id=row["id"],
        text=row["text"],
        meta=json.loads(row["meta_json"]) if row.get("meta_json") else {},
        spans=[Span(**s) for s in row["spans"]],
        relations=[Relation(**r) for r in row["relations"]],
    )


def loo_folds(docs: Iterable[Document]) -> list[tuple[str, list[Document], Document]]:
    """Leave-one-report-out over the REAL reports: (held-out id, all other documents, that report)."""
    docs = sorted(docs, key=lambda d: d.id)
    return [(test.id, [d for d in docs if d.id != test.id], test) for test in docs if origin_of(test) == "real"]


def sector_of(doc: Document) -> str:
    """The kind of department a report comes from (``meta.sector``); its id when none is given."""
    return str(doc.meta.get("sector") or doc.id)


def department_folds(docs: Iterable[Document], k: int = 5) -> list[tuple[str, list[Document], list[Document]]]:
    """Leave-departments-out over the AUTHORED reports: k folds, each holding out every document of
    a group of sectors (real reports of those sectors leave the training set too, and are never
    tested here: the real-report folds test them). Sectors go to folds largest first, each to the
    fold with the fewest documents so far (ties by name), so the split is fixed and balanced.
    """
    docs = sorted(docs, key=lambda d: d.id)
    by_sector: dict[str, list[Document]] = {}
    for d in docs:
        by_sector.setdefault(sector_of(d), []).append(d)
    groups: list[list[str]] = [[] for _ in range(k)]
    sizes = [0] * k
    for sector in sorted(by_sector, key=lambda s: (-len(by_sector[s]), s)):
        target = min(range(k), key=lambda i: (sizes[i], i))
        groups[target].append(sector)
        sizes[target] += len(by_sector[sector])
    folds = []
    for i, sectors in enumerate(groups):
        held = set(sectors)
        test = [d for d in docs if sector_of(d) in held and origin_of(d) != "real"]
        train = [d for d in docs if sector_of(d) not in held]
        if test:
            folds.append((f"departments-{i + 1}", train, test))
    return folds


def table_rules_dev_set(annotation_dir: str | Path = "annotations") -> set[str]:
    """Ids of the table documents the table rules were developed on (``notes/table_rules_dev_set.txt``)."""
    path = resolve_dir(annotation_dir) / "notes" / "table_rules_dev_set.txt"
    return set(path.read_text().split()) if path.exists() else set()


def document_groups(docs: list[Document], dev_tables: set[str]) -> dict[str, list[int]]:
    """Indexes of ``docs`` in each reported group: real reports apart from authored ones, prose
    apart from tables, and the tables the table rules were never developed on."""
    def where(pred) -> list[int]:
        return [i for i, d in enumerate(docs) if pred(d)]

    def is_table(d: Document) -> bool:
        return d.meta.get("layout", "prose") != "prose"

    return {
        "real": where(lambda d: origin_of(d) == "real"),
        "authored prose": where(lambda d: origin_of(d) != "real" and not is_table(d)),
        "authored tables": where(lambda d: origin_of(d) != "real" and is_table(d)),
        "authored tables unseen by the table rules": where(lambda d: origin_of(d) != "real" and is_table(d)
                                                           and d.id not in dev_tables),
    }
