"""Convert between the project's JSONL (SCHEMA.md) and the annotation tools' formats.

- Label Studio: tasks in its import/export JSON structure, for ``annotations/label_studio.xml``.
  Exports come back as a JSON array of tasks; the latest non-cancelled annotation of a task is
  taken, or its latest prediction when it has none.
- doccano: the relation-extraction JSONL (``entities`` / ``relations``); value attributes, the
  span ids and the document id ride along as extra keys, which doccano keeps as metadata.

Imports never raise on bad data: every problem is returned as ``task <id>: …`` and the documents
that break SCHEMA.md are left out, so that one careless region does not hide the rest of an export.
Value attributes an annotator left empty (value, cmp, approx) are filled by :func:`normalise`;
roles are never guessed, since a missing role is an annotation gap the annotator must close.

Modules: ``label_studio``, ``doccano``, ``common`` (shared helpers, file reading/writing) and
``gold_source`` (the annotators' TSV span lists, compiled by ``python -m pipeline build-gold``).

CLI::

    python -m pipeline convert --from label-studio --to jsonl export.json -o gold.jsonl
    python -m pipeline convert --from jsonl --to label-studio pred.jsonl -o tasks.json --predictions
"""

from __future__ import annotations

from pipeline.document import check_files, write_jsonl
from pipeline.formats.common import read_records, write_records
from pipeline.formats.doccano import from_doccano, to_doccano
from pipeline.formats.label_studio import from_label_studio, to_label_studio

__all__ = ["FORMATS", "convert_file", "from_doccano", "from_label_studio", "read_records", "to_doccano",
           "to_label_studio", "write_records"]

FORMATS = ("label-studio", "doccano", "jsonl")


def convert_file(src: str, dst: str, source_format: str, target_format: str, predictions: bool = False,
                 model_version: str | None = None) -> tuple[int, list[str]]:
    """Convert one file; returns (documents written, problems). Problems do not stop the good documents."""
    problems: list[str]
    if source_format == "jsonl":
        # check_files already prefixes each problem with path:line.
        docs, problems = check_files(src)
    else:
        records, read_problems = read_records(src)
        if source_format == "label-studio":
            docs, problems = from_label_studio(records)
        else:
            docs, problems = from_doccano(records)
        problems = [f"{src}: {p}" for p in read_problems + problems]
    if target_format == "jsonl":
        write_jsonl(docs, dst)
    elif target_format == "label-studio":
        write_records(to_label_studio(docs, model_version=model_version, as_predictions=predictions), dst, True)
    else:
        write_records(to_doccano(docs), dst, False)
    return len(docs), problems
