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

CLI::

    python -m pipeline.convert --from label-studio --to jsonl export.json -o gold.jsonl
    python -m pipeline.convert --from jsonl --to label-studio pred.jsonl -o tasks.json --predictions
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.document import (
    LABELS,
    RELATION_TAIL,
    UNIT_OF,
    VALUE_LABELS,
    Document,
    Relation,
    Span,
    check_files,
    validate,
    write_jsonl,
)
from pipeline.normalise import NormaliseError, normalise

FORMATS = ("label-studio", "doccano", "jsonl")
# from_name of each per-region TextArea in label_studio.xml, in the order they are written.
TEXTAREA_FIELDS = ("value", "cmp", "approx", "per")
TAIL_TYPE = {label: rel_type for rel_type, label in RELATION_TAIL.items()}
# Comparators an annotator may type in a free-text box, mapped to SCHEMA.md's ASCII forms.
CMP_ALIASES = {"≥": ">=", "≧": ">=", "＞": ">", "≤": "<=", "≦": "<=", "＜": "<", "＝": "=", "==": "="}


# ---------------------------------------------------------------------------------------------
# Shared helpers
# ---------------------------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------------------------
# Label Studio
# ---------------------------------------------------------------------------------------------


def _region_results(doc: Document, span: Span, with_score: bool) -> list[dict[str, Any]]:
    where = {"start": span.start, "end": span.end}
    surface = doc.surface(span)

    def result(from_name: str, kind: str, value: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {"id": span.id, "from_name": from_name, "to_name": "text", "type": kind, "value": value}
        if with_score and span.score is not None:
            out["score"] = span.score
        return out

    results = [result("label", "labels", {**where, "text": surface, "labels": [span.label]})]
    if not span.is_value:
        return results
    if span.role is not None:
        results.append(result("role", "choices", {**where, "text": surface, "choices": [span.role]}))
    boxes = {
        "value": None if span.value is None else _number_text(span.value),
        "cmp": span.cmp,
        "approx": None if span.approx is None else ("true" if span.approx else "false"),
        "per": span.per,
    }
    for name in TEXTAREA_FIELDS:
        if boxes[name] is not None:
            results.append(result(name, "textarea", {**where, "text": [boxes[name]]}))
    return results


def to_label_studio(docs: Sequence[Document], model_version: str | None = None, as_predictions: bool = False) -> list[dict]:
    """Label Studio tasks for ``label_studio.xml``: annotations, or predictions (pre-annotations) with scores."""
    tasks = []
    for n, doc in enumerate(docs, 1):
        data: dict[str, Any] = {"text": doc.text, "doc_id": doc.id}
        if doc.has_meta or doc.meta:
            data["meta"] = doc.meta
        result: list[dict[str, Any]] = []
        for span in doc.spans:
            result += _region_results(doc, span, with_score=True)
        for rel in doc.relations:
            item: dict[str, Any] = {
                "type": "relation", "from_id": rel.head, "to_id": rel.tail, "direction": "right", "labels": [rel.type]
            }
            if rel.score is not None:
                item["score"] = rel.score
            result.append(item)
        task: dict[str, Any] = {"id": n, "data": data}
        if as_predictions:
            version = model_version or str(doc.meta.get("model_version") or doc.meta.get("model") or "unknown")
            prediction: dict[str, Any] = {"model_version": version, "result": result}
            score = _mean(s.score for s in doc.spans if s.score is not None)
            if score is not None:
                prediction["score"] = score
            task["predictions"] = [prediction]
        else:
            task["annotations"] = [{"result": result}]
        tasks.append(task)
    return tasks


def _pick_result(task: dict) -> list | None:
    """The result list to import: latest non-cancelled annotation, else latest prediction."""

    def latest(items: list) -> dict | None:
        # Label Studio exports carry updated_at/created_at (ISO strings sort in time order) and ids
        # that grow; without either, list order is the order they were made.
        keyed = [(str(a.get("updated_at") or a.get("created_at") or ""), i) for i, a in enumerate(items)]
        return items[max(keyed)[1]] if keyed else None

    annotations = [a for a in task.get("annotations") or [] if isinstance(a, dict) and not a.get("was_cancelled")]
    chosen = latest(annotations)
    if chosen is not None:
        return chosen.get("result")
    predictions = [p for p in task.get("predictions") or [] if isinstance(p, dict)]
    chosen = latest(predictions)
    if chosen is not None:
        return chosen.get("result")
    return None


def _ls_attrs(results: list[dict], where: str) -> _Attrs:
    """Read the per-region choices/textarea results of one region into value attributes."""
    attrs = _Attrs()
    for res in results:
        value = res.get("value") or {}
        name = res.get("from_name")
        if res.get("type") == "choices":
            choices = value.get("choices") or []
            if len(choices) != 1:
                attrs.problems.append(f"{where}: role needs exactly one choice, got {choices!r}")
            elif name == "role":
                attrs.role = choices[0]
            continue
        if res.get("type") != "textarea" or name not in TEXTAREA_FIELDS:
            continue
        texts = value.get("text")
        if isinstance(texts, str):
            texts = [texts]
        # A TextArea may hold several submissions; the last one is the annotator's final word.
        raw = next((t for t in reversed(texts or []) if isinstance(t, str) and t.strip()), None)
        if raw is None:
            continue
        try:
            if name == "value":
                attrs.value = _parse_number(raw)
            elif name == "cmp":
                attrs.cmp = CMP_ALIASES.get(raw.strip(), raw.strip())
            elif name == "approx":
                attrs.approx = _parse_bool(raw)
            else:
                attrs.per = raw.strip()
        except ValueError as err:
            attrs.problems.append(f"{where}: bad {name} {raw!r} ({err})")
    return attrs


def _task_to_document(task: Any, number: int, source: str) -> tuple[Document | None, list[str]]:
    if not isinstance(task, dict):
        return None, [f"task #{number}: not a JSON object"]
    task_id = task.get("id", f"#{number}")
    data = task.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("text"), str):
        return None, [f"task {task_id}: no data.text"]
    text = data["text"]
    # Tasks made in Label Studio itself have no doc_id: name them after the tool and the task.
    doc_id = str(data.get("doc_id") or f"{source}-{task_id}")
    meta = dict(data["meta"]) if isinstance(data.get("meta"), dict) else {}
    result = _pick_result(task)
    if result is None:
        return None, [f"task {task_id}: no annotation that is not cancelled, and no prediction"]
    if not isinstance(result, list):
        return None, [f"task {task_id}: 'result' is not a list"]
    problems: list[str] = []
    regions: dict[str, list[dict]] = {}
    relations: list[dict] = []
    for res in result:
        if not isinstance(res, dict):
            problems.append(f"result is not an object: {res!r}")
        elif res.get("type") == "relation":
            relations.append(res)
        elif "id" in res:
            regions.setdefault(str(res["id"]), []).append(res)
        else:
            problems.append(f"result without a region id: {res.get('type')!r} from {res.get('from_name')!r}")
    spans: list[Span] = []
    for region_id, results in regions.items():
        where = f"{doc_id} span {region_id}"
        labelled = [r for r in results if r.get("type") == "labels"]
        if len(labelled) != 1:
            problems.append(f"{where}: region has {len(labelled)} 'labels' results, needs one")
            continue
        value = labelled[0].get("value") or {}
        labels = value.get("labels") or []
        if len(labels) != 1:
            problems.append(f"{where}: region needs exactly one label, got {labels!r}")
            continue
        start, end = value.get("start"), value.get("end")
        span = Span(id=region_id, start=start, end=end, label=labels[0])
        scores = [r["score"] for r in results if isinstance(r.get("score"), (int, float))]
        span.score = scores[0] if scores else None
        ok = type(start) is int and type(end) is int and 0 <= start < end <= len(text)
        if ok and isinstance(value.get("text"), str) and value["text"] != text[start:end]:
            # Label Studio stores the surface beside the offsets; a mismatch means the offsets are off.
            problems.append(f"{where}: region text {value['text']!r} is not the text at {start}..{end} "
                            f"({text[start:end]!r})")
        attrs = _ls_attrs(results, where)
        if span.label in VALUE_LABELS:
            problems += _fill_values(text, span, attrs, doc_id)
        elif span.label in LABELS and (attrs.role or attrs.value is not None or attrs.cmp or attrs.per):
            problems.append(f"{where}: value attributes on a {span.label} region")
        spans.append(span)
    by_id = {s.id: s for s in spans}
    rels: list[Relation] = []
    for res in relations:
        head, tail = res.get("from_id"), res.get("to_id")
        if res.get("direction") == "left":  # the arrow points at from_id: the value is to_id
            head, tail = tail, head
        head, tail = str(head), str(tail)
        types = res.get("labels") or []
        if not types:
            tail_span = by_id.get(tail)
            inferred = TAIL_TYPE.get(tail_span.label) if tail_span else None
            if inferred is None:
                what = f"a {tail_span.label} region" if tail_span else "no region"
                problems.append(f"{doc_id} relation {head}->{tail}: no label, and the tail is {what}, "
                                "so its type cannot be told")
                continue
            types = [inferred]
        score = res.get("score") if isinstance(res.get("score"), (int, float)) else None
        rels += [Relation(head=head, tail=tail, type=t, score=score) for t in types]
    doc = Document(id=doc_id, text=text, meta=meta, spans=sorted(spans, key=_span_order), relations=rels,
                   has_meta="meta" in data)
    return _finish(doc, task_id, problems)


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


def from_label_studio(tasks: Sequence[Any], source: str = "label-studio") -> tuple[list[Document], list[str]]:
    """Documents from a Label Studio export (list of tasks) and every problem, as ``task <id>: …``."""
    return _collect(tasks, lambda task, number: _task_to_document(task, number, source))


# ---------------------------------------------------------------------------------------------
# doccano
# ---------------------------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------------------------
# Files and CLI
# ---------------------------------------------------------------------------------------------


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


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.convert", description=__doc__.split("\n\n")[0])
    parser.add_argument("--from", dest="source", choices=FORMATS, required=True)
    parser.add_argument("--to", dest="target", choices=FORMATS, required=True)
    parser.add_argument("input", metavar="IN")
    parser.add_argument("-o", "--output", required=True, metavar="OUT")
    parser.add_argument("--predictions", action="store_true",
                        help="write Label Studio predictions (pre-annotations with scores) instead of annotations")
    parser.add_argument("--model-version", default=None, help="model_version of Label Studio predictions")
    args = parser.parse_args(argv)
    count, problems = convert_file(args.input, args.output, args.source, args.target, args.predictions,
                                   args.model_version)
    print(f"{args.input} ({args.source}) -> {args.output} ({args.target}): {count} document(s) written, "
          f"{len(problems)} problem(s)")
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
