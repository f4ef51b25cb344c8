"""Leave-one-report-out cross-validation over the real reports (``make cv``).

Each fold trains on every other document (authored ones included) and predicts the held-out
real report. Every option is scored on the same folds: tokenizers × (trained ner, hybrid
ner + value patterns), the rules-only baseline, role classifiers (cue rules vs learned) and
linkers (rule vs learned), the linkers both end to end and on gold spans. Predictions are
pooled over folds and scored once with ``pipeline.evaluate.score``; per-fold rows are
``pipeline.evaluate.headline``. The table is printed by :mod:`pipeline.cli.cv`.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from pipeline.corpus import load_documents, loo_folds
from pipeline.document import LABELS, Document, write_jsonl
from pipeline.evaluate import headline, score
from pipeline.link import LearnedLinker, RuleLinker, link_document
from pipeline.roles import CueRoleClassifier, LearnedRoleClassifier
from pipeline.rules import rule_document
from pipeline.values import fill_values, with_roles  # noqa: F401  (fill_values, with_roles: old import path)

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

    from pipeline.model import predict_documents
    from pipeline.train import build_pipeline

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
        results[option]["folds"] = {d.id: headline(score([g], [d], n_boot=0)) for g, d in zip(gold, docs_pred)}
    out_dir = workdir
    out_dir.mkdir(parents=True, exist_ok=True)
    for option, docs_pred in preds.items():
        write_jsonl(docs_pred, out_dir / "predictions" / (option.replace(" ", "_").replace("|", "").replace("/", "") + ".jsonl"))
    return {"options": results, "timings_s": timings, "folds": [f[0] for f in folds],
            "protocol": "leave-one-report-out over the real reports; train = all other documents, authored included"}


def main(argv: list[str] | None = None) -> int:
    """``python -m pipeline cv`` (kept here for callers of the old entry)."""
    from pipeline.cli.cv import main as cli_main

    return cli_main(argv)


def learning_curve(sizes: list[int], max_epochs: int | None = None, segmenter: str = "jieba", component: str = "spancat",
                   workdir: Path = Path("models/_curve"), annotation_dir: str = "annotations", seed: int = 0,
                   log=print) -> dict[str, Any]:
    """Span micro F1 on the fixed held-out split against the number of training reports.

    For each size k the tagger is trained on k documents drawn (seeded) from the train split,
    real reports first so that small sizes still see the genre's main source.
    """
    import random

    from pipeline.corpus import split_documents
    from pipeline.model import predict_documents
    from pipeline.train import build_pipeline, train_tagger

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
        h = headline(score(test, predict_documents(nlp, test), n_boot=0))
        # the notebook reads these keys (micro_f1, by_label): the figures are headline's strict span F1s
        points.append({"n_train_docs": k, "n_train_chars": sum(len(d.text) for d in order[:k]),
                       "micro_f1": h["spans_strict_micro_f1"],
                       "by_label": {lab: h[f"{lab}_strict_f1"] for lab in LABELS}})
        log(f"  {k} training reports: span micro F1 {points[-1]['micro_f1']}")
    return {"points": points, "test_ids": [d.id for d in test], "segmenter": segmenter, "component": component,
            "max_epochs": max_epochs}
