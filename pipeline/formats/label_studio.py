"""Label Studio: tasks in its import/export JSON structure, for ``annotations/label_studio.xml``.

Exports come back as a JSON array of tasks; the latest non-cancelled annotation of a task is
taken, or its latest prediction when it has none. Label Studio's plain JSON export lists
predictions as ids only (:data:`PREDICTIONS_AS_IDS` says which export keeps them). Label Studio
shows annotators the pre-annotations of one model version per project, so tasks converted with
``--predictions`` go into a project of their own for each ``--model-version``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pipeline.document import (
    LABELS,
    TAIL_TYPE,
    VALUE_LABELS,
    Document,
    Relation,
    Span,
)
from pipeline.formats.common import (
    CMP_ALIASES,
    _Attrs,
    _collect,
    _fill_values,
    _finish,
    _mean,
    _number_text,
    _parse_bool,
    _parse_number,
    _span_order,
)

# from_name of each per-region TextArea in label_studio.xml, in the order they are written.
TEXTAREA_FIELDS = ("value", "cmp", "approx", "per")


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


# Label Studio's JSON export of a project (1.23: Export → JSON, or GET /api/projects/ID/export)
# writes each task's predictions as bare ids, so a task that only has pre-annotations arrives empty.
PREDICTIONS_AS_IDS = (
    "Label Studio's JSON export writes predictions that way. Export a snapshot with their results instead: "
    "POST /api/projects/ID/exports with {\"serialization_options\": {\"predictions\": {\"only_id\": false}}}, "
    "then GET /api/projects/ID/exports/EXPORT_ID/download?exportType=JSON, and convert that file"
)


def _prediction_ids(task: dict) -> list[int]:
    return [p for p in task.get("predictions") or [] if isinstance(p, int) and not isinstance(p, bool)]


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
    if result is None and _prediction_ids(task):
        return None, [f"task {task_id}: no annotation that is not cancelled, and its predictions are listed only as "
                      f"ids {_prediction_ids(task)}, without their regions: {PREDICTIONS_AS_IDS}"]
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


def from_label_studio(tasks: Sequence[Any], source: str = "label-studio") -> tuple[list[Document], list[str]]:
    """Documents from a Label Studio export (list of tasks) and every problem, as ``task <id>: …``."""
    return _collect(tasks, lambda task, number: _task_to_document(task, number, source))
