"""``python -m pipeline evaluate``: score predictions, or the model on the held-out split.

    python -m pipeline evaluate --gold GOLD.jsonl --pred PRED.jsonl [--json OUT.json]
    python -m pipeline evaluate --gold GOLD.jsonl --link-only [--model models/perfreport]
    python -m pipeline evaluate            # the model on the fixed held-out split (make evaluate)

Prints a Markdown report (spans, values, roles, relations, per document, 95 % bootstrap CIs,
the commonest errors); ``--json`` writes the same figures with the keys documented in
``pipeline/evaluate.py``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from pipeline.document import DocumentError, read_jsonl
from pipeline.evaluate import EvaluationError, error_listing, load_pair, markdown_report, score


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m pipeline evaluate", description=__doc__.splitlines()[0])
    ap.add_argument("--gold", help="gold JSONL (default: the held-out documents of annotations/)")
    ap.add_argument("--pred", help="prediction JSONL (default: run --model on the gold texts)")
    ap.add_argument("--model", default="models/perfreport")
    ap.add_argument("--link-only", action="store_true", help="run the model's linker on the gold spans and score it")
    ap.add_argument("--json", help="write all figures as JSON here")
    ap.add_argument("--errors", type=int, default=30, help="error groups to list (0: none)")
    ap.add_argument("--boot", type=int, default=1000, help="bootstrap resamples for the CIs")
    args = ap.parse_args(argv)

    try:
        if args.gold and args.pred and not args.link_only:
            gold, pred = load_pair(args.gold, args.pred)
            given = None
        else:
            gold = read_jsonl(args.gold) if args.gold else _held_out()
            nlp = _load_model(args.model)
            if args.link_only:
                from pipeline.link import link_document

                linker = nlp.get_pipe("perfreport_linker").linker
                pred = [link_document(linker, g) for g in gold]
                given = pred
            else:
                from pipeline.train import predict_documents

                pred = predict_documents(nlp, gold)
                given = None
            if args.pred:
                from pipeline.document import write_jsonl

                write_jsonl(pred, args.pred)
        result = score(gold, pred, n_boot=args.boot, given_gold_spans=given)
    except (EvaluationError, DocumentError, OSError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    if args.link_only:
        result["mode"] = "link-only (linker run on the gold spans)"
    errors = error_listing(gold, pred) if args.errors else None
    print(markdown_report(result, errors, top=args.errors))
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(result, ensure_ascii=False, indent=1))
        print(f"\nwrote {args.json}")
    return 0


def _held_out():
    from pipeline.corpus import load_documents, split_documents

    _, test = split_documents(load_documents("annotations"))
    if not test:
        raise EvaluationError("no held-out documents found in annotations/")
    return test


def _load_model(path: str):
    import spacy

    if not (Path(path) / "config.cfg").exists():
        raise EvaluationError(f"{path}: no trained model there; run `make train` or pass --model")
    return spacy.load(path)
