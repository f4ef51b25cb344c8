"""Leave-one-report-out cross-validation over the real reports (``make cv``).

Each fold trains on every other document (authored ones included) and predicts the held-out
real report. Every option is scored on the same folds: tokenizers × (trained ner, hybrid
ner + value patterns), the rules-only baseline, role classifiers (cue rules vs learned) and
linkers (rule vs learned), the linkers both end to end and on gold spans. Predictions are
pooled over folds and scored once with ``pipeline.evaluate.score``.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from pipeline.corpus import load_documents, loo_folds
from pipeline.document import Document, write_jsonl
from pipeline.evaluate import score
from pipeline.link import LearnedLinker, RuleLinker, link_document
from pipeline.normalise import NormaliseError, normalise
from pipeline.roles import CueRoleClassifier, LearnedRoleClassifier
from pipeline.rules import rule_document


def fill_values(doc: Document, role_classifier) -> Document:
    """Normalise and give roles to the value spans of a rule-made Document (drops unreadable ones)."""
    kept = []
    values = [s for s in doc.spans if s.is_value]
    roles = role_classifier.predict(doc.text, [(s.start, s.end, s.label) for s in values])
    role_of = {s.id: r for s, r in zip(values, roles)}
    for s in doc.spans:
        if s.is_value:
            try:
                n = normalise(doc.text, s.start, s.end, s.label)
            except NormaliseError:
                continue
            s.value, s.unit, s.cmp, s.approx, s.per, s.role = n.value, n.unit, n.cmp, n.approx, n.per, role_of[s.id]
        kept.append(s)
    doc.spans = kept
    return doc


def with_roles(doc: Document, role_classifier) -> Document:
    """A copy of a gold doc whose value roles are predicted (to score role classifiers alone)."""
    values = [s for s in doc.spans if s.is_value]
    roles = role_classifier.predict(doc.text, [(s.start, s.end, s.label) for s in values])
    role_of = {s.id: r for s, r in zip(values, roles)}
    spans = [replace(s, role=role_of.get(s.id, s.role)) for s in doc.spans]
    return Document(id=doc.id, text=doc.text, meta=dict(doc.meta), spans=spans, relations=list(doc.relations))


# the rules that may follow the trained tagger (the hybrid options measured side by side)
RULE_VARIANTS = (
    {"name": "", "options": {"hybrid": False}},
    {"name": " + value patterns", "options": {"hybrid": True}},
    {"name": " + value patterns + project boundaries", "options": {"hybrid": True, "project_boundaries": True}},
    {"name": " + value patterns + project boundaries + name cues",
     "options": {"hybrid": True, "project_boundaries": True, "name_fallback": True}},
)
TAGGERS = (("char", "ner"), ("jieba", "ner"), ("pkuseg", "ner"), ("jieba", "spancat"))


def _train_task(task: tuple) -> tuple[str, str, str, str, float]:
    """One (fold, segmenter, component) training, run in a worker process."""
    from pipeline.train import train_tagger

    held_out, seg, comp, train, workdir, max_epochs = task
    t0 = time.perf_counter()
    path = train_tagger(train, Path(workdir) / held_out / f"{seg}_{comp}", segmenter=seg, max_epochs=max_epochs,
                        component=comp)
    return held_out, seg, comp, str(path), time.perf_counter() - t0


def run_cv(taggers=TAGGERS, workdir: Path = Path("models/_cv"), max_epochs: int | None = None,
           annotation_dir: str = "annotations", jobs: int = 2, reuse: bool = False, log=print) -> dict[str, Any]:
    import multiprocessing as mp

    from pipeline.train import build_pipeline, predict_documents

    docs = load_documents(annotation_dir)
    folds = loo_folds(docs)
    preds: dict[str, list[Document]] = {}
    gold: list[Document] = [test for _, _, test in folds]
    timings: dict[str, float] = {}

    def add(option: str, doc: Document) -> None:
        preds.setdefault(option, []).append(doc)

    trained: dict[tuple[str, str, str], str] = {}
    tasks = []
    for held_out, train, _ in folds:
        for seg, comp in taggers:
            done = workdir / held_out / f"{seg}_{comp}" / "tagger" / "model-last"
            if reuse and (done / "config.cfg").exists():
                trained[(held_out, seg, comp)] = str(done)  # same data and config: only the later stages changed
            else:
                tasks.append((held_out, seg, comp, train, str(workdir), max_epochs))
    log(f"{len(folds)} folds × {len(taggers)} taggers: {len(tasks)} trainings to run, {jobs} at a time"
        + (f", {len(trained)} reused" if trained else ""))
    # spawn: each worker starts clean (no forked spaCy/BLAS state), one core each
    with mp.get_context("spawn").Pool(jobs, maxtasksperchild=1) as pool:
        for held_out, seg, comp, path, seconds in pool.imap_unordered(_train_task, tasks):
            trained[(held_out, seg, comp)] = path
            timings[f"{held_out}/{seg}_{comp}"] = round(seconds, 1)
            log(f"  trained {seg} {comp} for fold {held_out} in {seconds:.0f} s")

    for held_out, train, test in folds:
        role_learned = LearnedRoleClassifier().fit(train)
        linker_learned = LearnedLinker().fit(train)
        # components measured on gold spans
        add("roles: cue rules (gold spans)", with_roles(test, CueRoleClassifier()))
        add("roles: learned (gold spans)", with_roles(test, role_learned))
        add("linker: rule (gold spans)", link_document(RuleLinker(), test))
        add("linker: learned (gold spans)", link_document(linker_learned, test))
        # rules-only baseline end to end
        base = fill_values(rule_document(test.id, test.text), CueRoleClassifier())
        add("rules-only baseline", link_document(RuleLinker(), base))
        for seg, comp in taggers:
            tagger = Path(trained[(held_out, seg, comp)])
            for rules in RULE_VARIANTS:
                name = f"{seg} {comp}{rules['name']}"
                nlp = build_pipeline(tagger, role_learned, linker_learned, **rules["options"])
                add(name + " | learned roles+linker", predict_documents(nlp, [test])[0])
            nlp_rule = build_pipeline(tagger, CueRoleClassifier(), RuleLinker(), **RULE_VARIANTS[-1]["options"])
            add(f"{seg} {comp}{RULE_VARIANTS[-1]['name']} | cue roles + rule linker",
                predict_documents(nlp_rule, [test])[0])
    results = {}
    for option, docs_pred in preds.items():
        results[option] = score(gold, docs_pred)
        results[option]["folds"] = {d.id: _fold_row(score([g], [d], n_boot=0)) for g, d in zip(gold, docs_pred)}
    out_dir = workdir
    out_dir.mkdir(parents=True, exist_ok=True)
    for option, docs_pred in preds.items():
        write_jsonl(docs_pred, out_dir / "predictions" / (option.replace(" ", "_").replace("|", "").replace("/", "") + ".jsonl"))
    return {"options": results, "timings_s": timings, "folds": [f[0] for f in folds],
            "protocol": "leave-one-report-out over the real reports; train = all other documents, authored included"}


def _f(x) -> str:
    return "–" if x is None else f"{x:.3f}"


def _fold_row(r: dict) -> dict:
    s, n, rel = r["spans"]["strict"], r["normalisation"], r["relations"]["end_to_end"]
    return {"micro_strict_f1": s["micro"]["f1"], "micro_partial_f1": r["spans"]["partial"]["micro"]["f1"],
            **{f"{lab}_f1": s[lab]["f1"] for lab in ("MONEY", "PERCENT", "INDICATOR", "PROJECT")},
            "value_acc": n["value_accuracy"], "role_acc": n["role_accuracy"],
            "rel_lenient_f1": rel["lenient"]["micro"]["f1"], "rel_strict_f1": rel["strict"]["micro"]["f1"]}


def format_table(cv: dict[str, Any]) -> str:
    cols = ["MONEY", "PERCENT", "INDICATOR", "PROJECT"]
    lines = [f"Protocol: {cv['protocol']}. Folds: {', '.join(cv['folds'])}.", "",
             "| option | " + " | ".join(f"{c} F1" for c in cols)
             + " | micro strict P/R/F1 [95% CI] | micro partial F1 | value acc | role acc | rel lenient P/R/F1 | rel strict F1 |",
             "|---" * 11 + "|"]
    for option, r in cv["options"].items():
        s, p, n = r["spans"]["strict"], r["spans"]["partial"], r["normalisation"]
        rel = r["relations"]["end_to_end"]
        ci = r["ci"]["spans_strict"] or {}
        m = s["micro"]
        lines.append(
            f"| {option} | " + " | ".join(_f(s[c]["f1"]) for c in cols)
            + f" | {_f(m['precision'])}/{_f(m['recall'])}/{_f(m['f1'])} [{_f(ci.get('low'))}, {_f(ci.get('high'))}]"
            + f" | {_f(p['micro']['f1'])} | {_f(n['value_accuracy'])} | {_f(n['role_accuracy'])}"
            + f" | {_f(rel['lenient']['micro']['precision'])}/{_f(rel['lenient']['micro']['recall'])}/{_f(rel['lenient']['micro']['f1'])}"
            + f" | {_f(rel['strict']['micro']['f1'])} |")
    lines += ["", "Relations per type (lenient F1 / strict F1):", "",
              "| option | indicator | project | micro lenient [95% CI] |", "|---|---|---|---|"]
    for option, r in cv["options"].items():
        rel = r["relations"]["end_to_end"]
        ci = r["ci"]["relations_lenient"] or {}
        lines.append(f"| {option} | " + " | ".join(
            f"{_f(rel['lenient'][t]['f1'])} / {_f(rel['strict'][t]['f1'])}" for t in ("indicator", "project"))
            + f" | {_f(rel['lenient']['micro']['f1'])} [{_f(ci.get('low'))}, {_f(ci.get('high'))}] |")
    lines += ["", "Per fold:", "", "| option | fold | micro strict F1 | MONEY | PERCENT | INDICATOR | PROJECT | value acc | role acc | rel lenient F1 |",
              "|---" * 10 + "|"]
    for option, r in cv["options"].items():
        for fold, row in r["folds"].items():
            lines.append(f"| {option} | {fold} | {_f(row['micro_strict_f1'])} | " + " | ".join(
                _f(row[f"{c}_f1"]) for c in cols) + f" | {_f(row['value_acc'])} | {_f(row['role_acc'])} | {_f(row['rel_lenient_f1'])} |")
    if cv.get("timings_s"):
        lines += ["", "Training time per fold (s): " + ", ".join(f"{k} {v}" for k, v in cv["timings_s"].items())]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m pipeline cv", description=__doc__.splitlines()[0])
    ap.add_argument("--taggers", default=",".join(f"{s}:{c}" for s, c in TAGGERS),
                    help="segmenter:component pairs to compare")
    ap.add_argument("--jobs", type=int, default=2, help="trainings run in parallel (one core each)")
    ap.add_argument("--reuse-taggers", action="store_true",
                    help="reuse taggers already trained in --workdir (after changing only roles/linker/patterns)")
    ap.add_argument("--learning-curve", action="store_true",
                    help="instead: span F1 on the held-out split against the number of training reports")
    ap.add_argument("--max-epochs", type=int, default=None, help="override config.cfg (for quick runs)")
    ap.add_argument("--workdir", default="models/_cv")
    ap.add_argument("--json", default="out/cv.json")
    ap.add_argument("--annotations", default="annotations")
    args = ap.parse_args(argv)
    if args.learning_curve:
        curve = learning_curve([2, 5, 10, 100], args.max_epochs, annotation_dir=args.annotations)
        out = Path(args.json).with_name("learning_curve.json")
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(curve, ensure_ascii=False, indent=1))
        print("\n".join(f"{p['n_train_docs']:>3} reports  micro F1 {_f(p['micro_f1'])}" for p in curve["points"]))
        print(f"wrote {out}")
        return 0
    taggers = tuple(tuple(t.split(":")) for t in args.taggers.split(","))
    cv = run_cv(taggers, Path(args.workdir), args.max_epochs, args.annotations, jobs=args.jobs,
                reuse=args.reuse_taggers)
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(cv, ensure_ascii=False, indent=1))
    table = format_table(cv)
    Path(args.json).with_suffix(".md").write_text(table + "\n")
    print(table)
    print(f"\nwrote {args.json} and {Path(args.json).with_suffix('.md')}")
    return 0


def learning_curve(sizes: list[int], max_epochs: int | None = None, segmenter: str = "jieba", component: str = "spancat",
                   workdir: Path = Path("models/_curve"), annotation_dir: str = "annotations", seed: int = 0,
                   log=print) -> dict[str, Any]:
    """Span micro F1 on the fixed held-out split against the number of training reports.

    For each size k the tagger is trained on k documents drawn (seeded) from the train split,
    real reports first so that small sizes still see the genre's main source.
    """
    import random

    from pipeline.corpus import split_documents
    from pipeline.train import build_pipeline, predict_documents, train_tagger

    train, test = split_documents(load_documents(annotation_dir))
    real = [d for d in train if d.meta.get("origin") == "real"]
    authored = [d for d in train if d.meta.get("origin") != "real"]
    random.Random(seed).shuffle(authored)
    order = real + authored
    points = []
    for k in sorted({min(k, len(order)) for k in sizes}):
        tagger = train_tagger(order[:k], workdir / f"n{k}", segmenter=segmenter, seed=seed, max_epochs=max_epochs,
                              component=component)
        nlp = build_pipeline(tagger, hybrid=True, project_boundaries=True)
        result = score(test, predict_documents(nlp, test), n_boot=0)
        strict = result["spans"]["strict"]
        points.append({"n_train_docs": k, "n_train_chars": sum(len(d.text) for d in order[:k]),
                       "micro_f1": strict["micro"]["f1"],
                       "by_label": {lab: strict[lab]["f1"] for lab in ("MONEY", "PERCENT", "INDICATOR", "PROJECT")}})
        log(f"  {k} training reports: span micro F1 {points[-1]['micro_f1']}")
    return {"points": points, "test_ids": [d.id for d in test], "segmenter": segmenter, "component": component,
            "max_epochs": max_epochs}
