"""Cross-validation (``make cv``): leave-one-report-out over the real reports and leave-departments-out
over the authored ones, every option side by side.

Also ``--learning-curve``: span F1 on the held-out split against the number of training reports.
Writes ``--json`` and a Markdown table beside it (``out/cv.md``); the work is :mod:`pipeline.cv`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from pipeline.cli import OK, parser, positive_int, run
from pipeline.cv import PROTOCOLS, TAGGERS
from pipeline.document import LABELS, RELATION_TYPES


def _f(x) -> str:
    return "–" if x is None else f"{x:.3f}"


def build_parser() -> argparse.ArgumentParser:
    ap = parser("cv", __doc__)
    ap.add_argument("--taggers", default=",".join(f"{s}:{c}" for s, c in TAGGERS),
                    help="segmenter:component pairs to compare")
    ap.add_argument("--protocols", default=",".join(PROTOCOLS),
                    help="reports (leave-one-real-report-out), departments (leave-departments-out), or both")
    ap.add_argument("--jobs", type=positive_int, default=2, help="trainings run in parallel (one core each)")
    ap.add_argument("--reuse-taggers", action="store_true",
                    help="reuse taggers already trained in --workdir (after changing only roles/linker/patterns)")
    ap.add_argument("--learning-curve", action="store_true",
                    help="instead: span F1 on the held-out split against the number of training reports")
    ap.add_argument("--max-epochs", type=int, default=None, help="override config.cfg (for quick runs)")
    ap.add_argument("--workdir", default="models/_cv")
    ap.add_argument("--json", default="out/cv.json")
    ap.add_argument("--annotations", default="annotations")
    return ap


def main(argv: list[str] | None = None) -> int:
    return run(build_parser(), argv, _cv)


def _cv(args: argparse.Namespace) -> int:
    from pipeline.cv import learning_curve, run_cv

    if args.learning_curve:
        curve = learning_curve([2, 5, 10, 100], args.max_epochs, annotation_dir=args.annotations)
        out = Path(args.json).with_name("learning_curve.json")
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(curve, ensure_ascii=False, indent=1))
        print("\n".join(f"{p['n_train_docs']:>3} reports  micro F1 {_f(p['micro_f1'])}" for p in curve["points"]))
        print(f"wrote {out}")
        return OK
    taggers = tuple(tuple(t.split(":")) for t in args.taggers.split(","))
    protocols = tuple(p for p in args.protocols.split(",") if p)
    unknown = [p for p in protocols if p not in PROTOCOLS]
    if unknown:
        raise ValueError(f"unknown protocol(s) {', '.join(unknown)}; choose from {', '.join(PROTOCOLS)}")
    cv = run_cv(taggers, Path(args.workdir), args.max_epochs, args.annotations, jobs=args.jobs,
                reuse=args.reuse_taggers, protocols=protocols)
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(cv, ensure_ascii=False, indent=1))
    table = format_table(cv)
    Path(args.json).with_suffix(".md").write_text(table + "\n")
    print(table)
    print(f"\nwrote {args.json} and {Path(args.json).with_suffix('.md')}")
    return OK


def format_table(cv: dict[str, Any]) -> str:
    return "\n\n".join(_protocol_table(name, p) for name, p in cv["protocols"].items()) + (
        "\n\nTraining time per fold (s): " + ", ".join(f"{k} {v}" for k, v in cv["timings_s"].items())
        if cv.get("timings_s") else "")


def _protocol_table(name: str, protocol: dict[str, Any]) -> str:
    cols = list(LABELS)
    options = protocol["options"]
    lines = [f"## {name}: {protocol['description']}", "", f"Folds: {', '.join(protocol['folds'])}.", "",
             "| option | " + " | ".join(f"{c} F1" for c in cols)
             + " | micro strict P/R/F1 [95% CI] | micro partial F1 | value acc | role acc | rel lenient P/R/F1 [95% CI] |"
             + " rel strict F1 | indicator / project links (lenient) |",
             "|---" * 12 + "|"]
    for option, r in options.items():
        s, p, n = r["spans"]["strict"], r["spans"]["partial"], r["normalisation"]
        rel = r["relations"]["end_to_end"]
        ci = r["ci"]["spans_strict"] or {}
        rci = r["ci"]["relations_lenient"] or {}
        m, lm = s["micro"], rel["lenient"]["micro"]
        lines.append(
            f"| {option} | " + " | ".join(_f(s[c]["f1"]) for c in cols)
            + f" | {_f(m['precision'])}/{_f(m['recall'])}/{_f(m['f1'])} [{_f(ci.get('low'))}, {_f(ci.get('high'))}]"
            + f" | {_f(p['micro']['f1'])} | {_f(n['value_accuracy'])} | {_f(n['role_accuracy'])}"
            + f" | {_f(lm['precision'])}/{_f(lm['recall'])}/{_f(lm['f1'])} [{_f(rci.get('low'))}, {_f(rci.get('high'))}]"
            + f" | {_f(rel['strict']['micro']['f1'])} | "
            + " / ".join(_f(rel["lenient"][t]["f1"]) for t in RELATION_TYPES) + " |")
    subsets = sorted({k for r in options.values() for k in r.get("subsets", {})})
    if subsets:
        sizes = next(iter(options.values())).get("subset_sizes", {})
        lines += ["", "By group (strict span F1 · MONEY · PERCENT · INDICATOR · PROJECT · role acc · relations lenient F1"
                  " · project links lenient F1):", "",
                  "| option | " + " | ".join(f"{k} ({sizes.get(k, '?')} docs)" for k in subsets) + " |",
                  "|---" * (len(subsets) + 1) + "|"]
        for option, r in options.items():
            cells = []
            for k in subsets:
                h = r["subsets"].get(k)
                cells.append("–" if h is None else " · ".join(_f(h[x]) for x in (
                    "spans_strict_micro_f1", "MONEY_strict_f1", "PERCENT_strict_f1", "INDICATOR_strict_f1",
                    "PROJECT_strict_f1", "role_accuracy", "relations_lenient_micro_f1",
                    "relations_lenient_project_f1")))
            lines.append(f"| {option} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
