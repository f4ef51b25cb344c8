"""``make train``: train the shipped model from ``annotations/`` and record how it was made.

The model is trained on the fixed train split (``pipeline.corpus.HELD_OUT`` is left out), so
that ``make evaluate`` and the before/after figures printed here are held-out scores. The
choices (segmenter, hybrid value patterns, learned roles and linker) are the ones the
leave-one-report-out table of ``make cv`` supports; each can be switched for experiments.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import tempfile
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any

from pipeline.corpus import HELD_OUT, load_documents, resolve_dir, split_documents
from pipeline.evaluate import score
from pipeline.link import LearnedLinker, RuleLinker
from pipeline.roles import CueRoleClassifier, LearnedRoleClassifier

DEFAULT_MODEL = Path("models/perfreport")


def headline(result: dict[str, Any]) -> dict[str, Any]:
    """The few held-out figures printed before/after and stored with the model."""
    s, n = result["spans"]["strict"], result["normalisation"]
    rel = result["relations"]["end_to_end"]
    return {
        "spans_strict_micro_f1": s["micro"]["f1"],
        **{f"{lab}_strict_f1": s[lab]["f1"] for lab in ("MONEY", "PERCENT", "INDICATOR", "PROJECT")},
        "spans_partial_micro_f1": result["spans"]["partial"]["micro"]["f1"],
        "value_accuracy": n["value_accuracy"],
        "role_accuracy": n["role_accuracy"],
        "relations_lenient_micro_f1": rel["lenient"]["micro"]["f1"],
        "relations_strict_micro_f1": rel["strict"]["micro"]["f1"],
    }


def held_out_scores(model_path: Path, test_docs) -> dict[str, Any] | None:
    import spacy

    from pipeline.train import predict_documents

    if not (model_path / "config.cfg").exists() or not test_docs:
        return None
    nlp = spacy.load(model_path)
    return headline(score(test_docs, predict_documents(nlp, test_docs), n_boot=0))


def _fmt(x) -> str:
    return "–" if x is None else f"{x:.3f}"


def main(argv: list[str] | None = None) -> int:
    import pipeline.link  # noqa: F401  (registers the linker factory)
    from pipeline.train import CONFIGS, build_pipeline, data_hash, train_tagger

    ap = argparse.ArgumentParser(prog="python -m pipeline train", description=__doc__.splitlines()[0])
    ap.add_argument("--annotations", default="annotations")
    ap.add_argument("--out", default=str(DEFAULT_MODEL))
    # defaults = the option that scored best in `make cv` (see README, Results)
    ap.add_argument("--segmenter", default="jieba", choices=("char", "jieba", "pkuseg"))
    ap.add_argument("--component", default="spancat", choices=("spancat", "ner"))
    ap.add_argument("--no-hybrid", action="store_true", help="leave out the value-pattern step after the tagger")
    ap.add_argument("--no-project-boundaries", action="store_true", help="leave out SCHEMA's PROJECT boundary rule")
    ap.add_argument("--name-cues", action="store_true", help="add the baseline's name cues where the model found none")
    ap.add_argument("--roles", default="learned", choices=("learned", "cue"))
    ap.add_argument("--linker", default="learned", choices=("learned", "rule"))
    ap.add_argument("--max-epochs", type=int, default=None, help="override config.cfg")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)

    ann_dir = resolve_dir(args.annotations)
    files = sorted(ann_dir.glob("*.jsonl"))
    docs = load_documents(ann_dir)
    train, test = split_documents(docs)
    out = Path(args.out)
    print(f"training on {len(train)} documents ({sum(len(d.text) for d in train):,} characters); "
          f"held out: {', '.join(d.id for d in test) or 'none'}")
    before = held_out_scores(out, test)

    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="perfreport-train-") as tmp:
        tagger = train_tagger(train, Path(tmp), segmenter=args.segmenter, seed=args.seed, max_epochs=args.max_epochs,
                              component=args.component)
        roles = LearnedRoleClassifier(seed=args.seed).fit(train) if args.roles == "learned" else CueRoleClassifier()
        linker = LearnedLinker(seed=args.seed).fit(train) if args.linker == "learned" else RuleLinker()
        nlp = build_pipeline(tagger, roles, linker, hybrid=not args.no_hybrid,
                             project_boundaries=not args.no_project_boundaries, name_fallback=args.name_cues)
        train_seconds = time.perf_counter() - t0
        nlp.meta["name"] = "perfreport"
        nlp.meta["version"] = time.strftime("%Y.%m.%d")
        nlp.meta["description"] = "Spans, values, roles and links for 绩效自评报告 (see training_record.json)"
        record = {
            "data": {"annotation_files": [f.name for f in files], "sha256": data_hash(files),
                     "train_ids": [d.id for d in train], "held_out_ids": list(HELD_OUT)},
            "config": {"segmenter": args.segmenter, "component": args.component,
                       "hybrid_value_patterns": not args.no_hybrid,
                       "project_boundaries": not args.no_project_boundaries, "name_cues": args.name_cues,
                       "roles": args.roles, "linker": args.linker, "seed": args.seed,
                       "max_epochs_override": args.max_epochs,
                       "spacy_config": CONFIGS[args.component].read_text()},
            "versions": {p: version(p) for p in ("spacy", "scikit-learn", "jieba", "spacy-pkuseg", "numpy")}
            | {"python": platform.python_version()},
            "train_seconds": round(train_seconds, 1),
        }
        tmp_out = Path(tmp) / "model"
        nlp.to_disk(tmp_out)
        after = held_out_scores(tmp_out, test)
        record["held_out_scores"] = after
        (tmp_out / "training_record.json").write_text(json.dumps(record, ensure_ascii=False, indent=1))
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
    return 0
