"""Score predictions against gold (SCHEMA §5), or the model on the held-out split.

    python -m pipeline evaluate --gold GOLD.jsonl --pred PRED.jsonl [--json OUT.json]
    python -m pipeline evaluate --gold GOLD.jsonl --link-only [--model models/perfreport]
    python -m pipeline evaluate            # the model on the fixed held-out split (make evaluate)

Prints a Markdown report (spans, values, roles, relations, per document, 95 % bootstrap CIs,
the commonest errors); ``--json`` writes the same figures with the keys documented in
:mod:`pipeline.evaluate`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from pipeline.cli import FAILED, OK, USAGE, CommandError, parser, run
from pipeline.document import Document, DocumentError, read_jsonl, write_jsonl
from pipeline.evaluate import EvaluationError, error_listing, load_pair, markdown_report, score
from pipeline.paths import DEFAULT_MODEL, writable_problem


def build_parser() -> argparse.ArgumentParser:
    ap = parser("evaluate", __doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gold", help="gold JSONL (default: the held-out documents of annotations/)")
    ap.add_argument("--pred", help="prediction JSONL (default: run --model on the gold texts)")
    ap.add_argument("--model", default=DEFAULT_MODEL, help=f"saved pipeline (default {DEFAULT_MODEL})")
    ap.add_argument("--link-only", action="store_true", help="run the model's linker on the gold spans and score it")
    ap.add_argument("--json", help="write all figures as JSON here")
    ap.add_argument("--errors", type=int, default=30, help="error groups to list (0: none)")
    ap.add_argument("--boot", type=int, default=1000, help="bootstrap resamples for the CIs")
    return ap


def main(argv: list[str] | None = None) -> int:
    return run(build_parser(), argv, _evaluate)


def _evaluate(args: argparse.Namespace) -> int:
    # Outputs are checked before the scoring (or the model run) starts, not found bad at its end.
    compare_files = bool(args.gold and args.pred and not args.link_only)  # --pred is then an input
    for option, path in (("--json", args.json), ("--pred", None if compare_files else args.pred)):
        problem = writable_problem(path) if path else None
        if problem:
            raise CommandError(f"{option}: {problem}", USAGE)
    try:
        if compare_files:
            gold, pred = load_pair(args.gold, args.pred)
            given = None
        else:
            gold = read_jsonl(args.gold) if args.gold else held_out()
            nlp = _model(args.model)
            if args.link_only:
                from pipeline.link import link_document

                linker = nlp.get_pipe("perfreport_linker").linker
                pred = [link_document(linker, g) for g in gold]
                given = pred
            else:
                from pipeline.model import predict_documents

                pred = predict_documents(nlp, gold)
                given = None
            if args.pred:
                write_jsonl(pred, args.pred)
        result = score(gold, pred, n_boot=args.boot, given_gold_spans=given)
    except (EvaluationError, DocumentError, OSError) as err:
        raise CommandError(str(err), FAILED) from err
    if args.link_only:
        result["mode"] = "link-only (linker run on the gold spans)"
    errors = error_listing(gold, pred) if args.errors else None
    print(markdown_report(result, errors, top=args.errors))
    result["by_group"] = by_group(gold, pred)
    print(group_table(result["by_group"]))
    if args.json:
        try:
            Path(args.json).parent.mkdir(parents=True, exist_ok=True)
            Path(args.json).write_text(json.dumps(result, ensure_ascii=False, indent=1))
        except OSError as err:
            raise CommandError(f"--json: cannot write {args.json} ({err.strerror or err})", FAILED) from err
        print(f"\nwrote {args.json}")
    return OK


def by_group(gold: list[Document], pred: list[Document]) -> dict[str, dict]:
    """Headline figures for real reports and authored ones apart (prose, tables, unseen tables)."""
    from pipeline.corpus import document_groups, table_rules_dev_set
    from pipeline.evaluate import headline

    groups = document_groups(gold, table_rules_dev_set())
    return {name: {"n_documents": len(index), **headline(score([gold[i] for i in index], [pred[i] for i in index],
                                                                 n_boot=0))}
            for name, index in groups.items() if index}


def group_table(groups: dict[str, dict]) -> str:
    keys = ("spans_strict_micro_f1", "MONEY_strict_f1", "PERCENT_strict_f1", "INDICATOR_strict_f1", "PROJECT_strict_f1",
            "value_accuracy", "role_accuracy", "relations_lenient_micro_f1", "relations_lenient_project_f1")
    lines = ["", "## By group (real reports apart from authored ones)", "",
             "| group | docs | span F1 | MONEY | PERCENT | INDICATOR | PROJECT | value acc | role acc | relations lenient F1"
             " | project links |", "|---" * 11 + "|"]
    for name, h in groups.items():
        lines.append(f"| {name} | {h['n_documents']} | " + " | ".join(
            "–" if h[k] is None else f"{h[k]:.3f}" for k in keys) + " |")
    return "\n".join(lines)


def held_out() -> list[Document]:
    from pipeline.corpus import load_documents, split_documents

    _, test = split_documents(load_documents("annotations"))
    if not test:
        raise EvaluationError("no held-out documents found in annotations/")
    return test


def _model(path: str):
    from pipeline.model import load_model, model_problem, resolve_model

    model_path = resolve_model(path)
    problem = model_problem(model_path)
    if problem:
        raise CommandError(f"{problem}: run `make train` to build the bundled model, or pass --model PATH", USAGE)
    return load_model(model_path)


if __name__ == "__main__":
    sys.exit(main())
