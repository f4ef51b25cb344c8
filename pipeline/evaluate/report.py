"""The result of :func:`pipeline.evaluate.score` (and the error listing) as Markdown tables."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pipeline.document import LABELS
from pipeline.evaluate.errors import group_errors
from pipeline.evaluate.matching import REL_TYPES


def _f(x: float | None) -> str:
    return "–" if x is None else f"{x:.3f}"


def _ci(ci: dict[str, float] | None) -> str:
    return "–" if ci is None else f"[{ci['low']:.3f}, {ci['high']:.3f}]"


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|")


def _row(cells: Iterable[Any]) -> str:
    return "| " + " | ".join(_cell(c) for c in cells) + " |"


def _prf_cells(m: dict[str, Any]) -> list[str]:
    return [_f(m["precision"]), _f(m["recall"]), _f(m["f1"])]


def _rel_table(block: dict[str, Any], ci_l: Any, ci_s: Any) -> list[str]:
    lines = [
        _row(["type", "lenient P", "R", "F1", "tp/fp/fn", "strict P", "R", "F1", "tp/fp/fn"]),
        _row(["---"] * 9),
    ]
    for key in (*REL_TYPES, "micro"):
        lo, st = block["lenient"][key], block["strict"][key]
        lines.append(
            _row(
                [
                    key,
                    *_prf_cells(lo),
                    f"{lo['tp']}/{lo['fp']}/{lo['fn']}",
                    *_prf_cells(st),
                    f"{st['tp']}/{st['fp']}/{st['fn']}",
                ]
            )
        )
    lines.append(f"\n95 % CI of micro F1: lenient {_ci(ci_l)}, strict {_ci(ci_s)}")
    return lines


def markdown_report(result: dict[str, Any], errors: list[dict[str, Any]] | None = None, top: int = 30) -> str:
    """The result of :func:`score` (and optionally :func:`error_listing`) as Markdown tables."""
    s = result["settings"]
    lines = [
        "# Evaluation",
        "",
        f"{result['n_documents']} documents; 95 % bootstrap intervals over documents "
        f"({s['n_boot']} resamples, seed {s['seed']}). – = no score (nothing in gold or prediction).",
    ]
    lines += _spans_section(result)
    lines += _normalisation_section(result["normalisation"])
    ci = result["ci"]
    lines += ["", "## Relations, end to end", ""]
    lines += _rel_table(result["relations"]["end_to_end"], ci["relations_lenient"], ci["relations_strict"])
    if result["relations"]["given_gold_spans"] is not None:
        lines += ["", "## Relations, given gold spans", ""]
        lines += _rel_table(result["relations"]["given_gold_spans"], ci["given_gold_lenient"], ci["given_gold_strict"])
    lines += _per_document_section(result["per_document"])
    if errors is not None:
        lines += _errors_section(errors, top)
    return "\n".join(lines) + "\n"


def _counts(m: dict[str, Any]) -> str:
    return f"{m['tp']}/{m['fp']}/{m['fn']}"


def _spans_section(result: dict[str, Any]) -> list[str]:
    st, pa = result["spans"]["strict"], result["spans"]["partial"]
    ci = result["ci"]
    lines = [
        "",
        "## Spans",
        "",
        _row(["label", "strict P", "R", "F1", "tp/fp/fn", "partial P", "R", "F1", "tp/fp/fn"]),
        _row(["---"] * 9),
    ]
    for key in (*LABELS, "micro"):
        a, b = st[key], pa[key]
        lines.append(_row([key, *_prf_cells(a), _counts(a), *_prf_cells(b), _counts(b)]))
    lines.append(_row(["macro", *_prf_cells(st["macro"]), "", *_prf_cells(pa["macro"]), ""]))
    lines += ["", f"95 % CI of micro F1: strict {_ci(ci['spans_strict'])}, partial {_ci(ci['spans_partial'])}"]
    return lines


def _normalisation_section(norm: dict[str, Any]) -> list[str]:
    lines = [
        "",
        "## Normalisation (MONEY/PERCENT spans matched strictly)",
        "",
        _row(["label", "n", "value+cmp+approx", "role"]),
        _row(["---"] * 4),
    ]
    for lab, m in norm["by_label"].items():
        lines.append(_row([lab, m["n"], _f(m["value_accuracy"]), _f(m["role_accuracy"])]))
    lines.append(_row(["all", norm["n"], _f(norm["value_accuracy"]), _f(norm["role_accuracy"])]))
    return lines


def _per_document_section(per_document: dict[str, dict[str, Any]]) -> list[str]:
    header = ["document", "spans strict F1", "partial F1", "rel lenient F1", "rel strict F1", "value acc",
              "role acc", "gold/pred spans", "gold/pred relations"]
    lines = ["", "## Per document", "", _row(header), _row(["---"] * 9)]
    for doc_id, m in per_document.items():
        figures = ("spans_strict_f1", "spans_partial_f1", "relations_lenient_f1", "relations_strict_f1",
                   "value_accuracy", "role_accuracy")
        lines.append(_row([doc_id, *(_f(m[k]) for k in figures), f"{m['n_gold_spans']}/{m['n_pred_spans']}",
                           f"{m['n_gold_relations']}/{m['n_pred_relations']}"]))
    return lines


def _errors_section(errors: list[dict[str, Any]], top: int) -> list[str]:
    groups = group_errors(errors)
    lines = [
        "",
        f"## Commonest errors (top {min(top, len(groups))} of {len(groups)} groups, {len(errors)} errors)",
        "",
        _row(["count", "kind", "label", "text", "documents", "example"]),
        _row(["---"] * 6),
    ]
    for grp in groups[:top]:
        docs = ", ".join(grp["docs"][:3]) + (" …" if len(grp["docs"]) > 3 else "")
        lines.append(_row([grp["count"], grp["kind"], grp["label"], grp["text"], docs, grp["examples"][0]]))
    return lines
