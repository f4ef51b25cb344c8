"""Train the shipped model from annotations/ (``make train``) and record how it was made.

The model is trained on the fixed train split (``pipeline.corpus.HELD_OUT`` is left out), so
that ``make evaluate`` and the before/after figures printed here are held-out scores. The
choices (segmenter, hybrid value patterns, learned roles and linker) are the ones the
leave-one-report-out table of ``make cv`` supports; each can be switched for experiments.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from pipeline.cli import OK, parser, run
from pipeline.paths import DEFAULT_MODEL


def build_parser() -> argparse.ArgumentParser:
    ap = parser("train", __doc__)
    ap.add_argument("--annotations", default="annotations")
    ap.add_argument("--out", default=DEFAULT_MODEL)
    # defaults = the option that scored best in `make cv` (see README, Results)
    ap.add_argument("--segmenter", default="jieba", choices=("char", "jieba", "pkuseg"))
    ap.add_argument("--component", default="spancat", choices=("spancat", "ner"))
    ap.add_argument("--no-hybrid", action="store_true", help="leave out the value-pattern step after the tagger")
    ap.add_argument("--no-project-boundaries", action="store_true", help="leave out SCHEMA's PROJECT boundary rule")
    ap.add_argument("--name-cues", action="store_true", help="add the baseline's name cues where the model found none")
    ap.add_argument("--no-tables", action="store_true", help="leave out the table layer (SCHEMA §4a)")
    ap.add_argument("--no-project-owners", action="store_true",
                    help="leave out the project layer: names that own an amount, form titles, name propagation, "
                         "dropping units named as units")
    ap.add_argument("--roles", default="learned", choices=("learned", "cue"))
    ap.add_argument("--linker", default="learned", choices=("learned", "rule"))
    ap.add_argument("--max-epochs", type=int, default=None, help="override config.cfg")
    ap.add_argument("--seed", type=int, default=0)
    return ap


def main(argv: list[str] | None = None) -> int:
    return run(build_parser(), argv, _train)


def held_out_scores(model_path: Path, test_docs) -> dict[str, Any] | None:
    """The headline figures of a saved model on the held-out documents (None when there is no model)."""
    from pipeline.evaluate import headline, score
    from pipeline.model import load_model, model_problem, predict_documents

    if model_problem(model_path) or not test_docs:
        return None
    return headline(score(test_docs, predict_documents(load_model(model_path), test_docs), n_boot=0))


def _fmt(x) -> str:
    return "–" if x is None else f"{x:.3f}"


def _train(args: argparse.Namespace) -> int:
    from pipeline.corpus import load_documents, resolve_dir, split_documents
    from pipeline.train import train_model, training_record

    ann_dir = resolve_dir(args.annotations)
    files = sorted(ann_dir.glob("*.jsonl"))
    train, test = split_documents(load_documents(ann_dir))
    out = Path(args.out)
    print(f"training on {len(train)} documents ({sum(len(d.text) for d in train):,} characters); "
          f"held out: {', '.join(d.id for d in test) or 'none'}")
    before = held_out_scores(out, test)

    config = {"segmenter": args.segmenter, "component": args.component, "hybrid_value_patterns": not args.no_hybrid,
              "project_boundaries": not args.no_project_boundaries, "name_cues": args.name_cues,
              "roles": args.roles, "linker": args.linker, "seed": args.seed, "max_epochs_override": args.max_epochs,
              "tables": not args.no_tables, "project_owners": not args.no_project_owners,
              "propagate_names": not args.no_project_owners, "project_titles": not args.no_project_owners,
              "drop_organisations": not args.no_project_owners}
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="perfreport-train-") as tmp:
        nlp = train_model(train, Path(tmp), segmenter=args.segmenter, component=args.component,
                          hybrid=not args.no_hybrid, project_boundaries=not args.no_project_boundaries,
                          name_fallback=args.name_cues, roles=args.roles, linker=args.linker, seed=args.seed,
                          max_epochs=args.max_epochs, tables=not args.no_tables,
                          project_owners=not args.no_project_owners, propagate_names=not args.no_project_owners,
                          project_titles=not args.no_project_owners, drop_organisations=not args.no_project_owners)
        train_seconds = time.perf_counter() - t0
        nlp.meta["name"] = "perfreport"
        nlp.meta["version"] = time.strftime("%Y.%m.%d")
        nlp.meta["description"] = "Spans, values, roles and links for 绩效自评报告 (see training_record.json)"
        record = training_record(files, [d.id for d in train], [d.id for d in test], config, args.component, train_seconds)
        tmp_out = Path(tmp) / "model"
        nlp.to_disk(tmp_out)
        after = held_out_scores(tmp_out, test)
        record["held_out_scores"] = after
        (tmp_out / "training_record.json").write_text(json.dumps(record, ensure_ascii=False, indent=1))
        if (out / "README.md").is_file():  # the model card is written by hand: it outlives a retrain
            shutil.copy2(out / "README.md", tmp_out / "README.md")
        if out.exists():
            shutil.rmtree(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(tmp_out, out)
    size_mb = sum(p.stat().st_size for p in out.rglob("*") if p.is_file()) / 1e6
    print(f"trained in {train_seconds:.0f} s; model {size_mb:.1f} MB saved to {out}")
    print("\nheld-out scores (train split → held-out documents):\n")
    print("| figure | before | after |\n|---|---|---|")
    for key in (after or {}):
        print(f"| {key} | {_fmt((before or {}).get(key))} | {_fmt(after[key])} |")
    return OK


if __name__ == "__main__":
    sys.exit(main())
