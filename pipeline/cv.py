"""Cross-validation (``make cv``) under two protocols, every option side by side.

- ``reports``: leave-one-report-out over the real reports (each fold trains on every other
  document, authored ones included);
- ``departments``: leave-departments-out over the authored reports — each fold holds out every
  document of a group of department kinds, so a choice that only suits the departments seen in
  training shows up as such.

Every option is scored on the same folds: the trained taggers with the rules that may follow
them (value patterns, PROJECT boundaries, the table layer, project owners, name propagation),
the rules-only baseline, role classifiers and linkers on gold spans. Predictions are pooled over
folds and scored once with ``pipeline.evaluate.score``, and again per subset (prose documents,
table documents, table documents the table rules were not developed on). The tables are printed
by :mod:`pipeline.cli.cv`.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from pipeline.corpus import department_folds, document_groups, load_documents, loo_folds, table_rules_dev_set
from pipeline.document import LABELS, Document, write_jsonl
from pipeline.evaluate import headline, score
from pipeline.link import LearnedLinker, RuleLinker, link_document
from pipeline.roles import CueRoleClassifier, LearnedRoleClassifier
from pipeline.rules import rule_document
from pipeline.values import fill_values, with_roles  # noqa: F401  (fill_values, with_roles: old import path)

# What may follow the trained tagger, measured side by side on the same trained taggers. The
# first is the option shipped before the table layer; the last is what ships now.
RULE_VARIANTS = (
    {"name": " + value patterns + project boundaries",
     "options": {"hybrid": True, "project_boundaries": True}},
    {"name": " + … + tables",
     "options": {"hybrid": True, "project_boundaries": True, "tables": True}},
    {"name": " + … + tables + project owners",
     "options": {"hybrid": True, "project_boundaries": True, "tables": True, "owners": True}},
    {"name": " + … + tables + project owners + name propagation",
     "options": {"hybrid": True, "project_boundaries": True, "tables": True, "owners": True, "propagate_names": True}},
    {"name": " + … + tables + project owners + name propagation (indicators too)",
     "options": {"hybrid": True, "project_boundaries": True, "tables": True, "owners": True, "propagate_names": True,
                 "propagate_labels": ("PROJECT", "INDICATOR")}},
    {"name": " + … + tables + project owners + name propagation + form titles + no organisations",
     "options": {"hybrid": True, "project_boundaries": True, "tables": True, "owners": True, "propagate_names": True,
                 "project_titles": True, "drop_organisations": True}},
)
TAGGERS = (("jieba", "spancat"),)
ALL_TAGGERS = (("char", "ner"), ("jieba", "ner"), ("pkuseg", "ner"), ("jieba", "spancat"))
PROTOCOLS = {
    "reports": "leave-one-report-out over the 3 real reports; train = every other document, authored included",
    "departments": "leave-departments-out over the authored reports: 5 folds, each holding out every document "
                   "of a group of department kinds (meta.sector); train = the documents of all other kinds",
}


def _train_task(task: tuple) -> tuple[str, str, str, str, float]:
    """One (fold, segmenter, component) training, run in a worker process."""
    from pipeline.train import train_tagger

    fold, seg, comp, train, workdir, max_epochs = task
    t0 = time.perf_counter()
    path = train_tagger(train, Path(workdir) / fold / f"{seg}_{comp}", segmenter=seg, max_epochs=max_epochs,
                        component=comp)
    return fold, seg, comp, str(path), time.perf_counter() - t0


def cv_folds(docs: list[Document], protocols: tuple[str, ...]) -> list[tuple[str, str, list[Document], list[Document]]]:
    """(protocol, fold name, train, test) for every fold of the chosen protocols."""
    out = []
    if "reports" in protocols:
        out += [("reports", fold, train, [test]) for fold, train, test in loo_folds(docs)]
    if "departments" in protocols:
        out += [("departments", fold, train, test) for fold, train, test in department_folds(docs)]
    return out


def run_cv(taggers=TAGGERS, workdir: Path = Path("models/_cv"), max_epochs: int | None = None,
           annotation_dir: str = "annotations", jobs: int = 2, reuse: bool = False,
           protocols: tuple[str, ...] = ("reports", "departments"), log=print) -> dict[str, Any]:
    import multiprocessing as mp

    from pipeline.model import predict_documents
    from pipeline.projects import ProjectOwnerModel
    from pipeline.train import build_pipeline

    docs = load_documents(annotation_dir)
    folds = cv_folds(docs, protocols)
    dev_tables = table_rules_dev_set(annotation_dir)
    preds: dict[str, dict[str, list[Document]]] = {p: {} for p in protocols}
    gold: dict[str, list[Document]] = {p: [] for p in protocols}
    timings: dict[str, float] = {}

    trained: dict[tuple[str, str, str], str] = {}
    tasks = []
    for _, fold, train, _ in folds:
        for seg, comp in taggers:
            done = workdir / fold / f"{seg}_{comp}" / "tagger" / "model-last"
            if reuse and (done / "config.cfg").exists():
                trained[(fold, seg, comp)] = str(done)  # same data and config: only the later stages changed
            else:
                tasks.append((fold, seg, comp, train, str(workdir), max_epochs))
    log(f"{len(folds)} folds × {len(taggers)} taggers: {len(tasks)} trainings to run, {jobs} at a time"
        + (f", {len(trained)} reused" if trained else ""))
    # spawn: each worker starts clean (no forked spaCy/BLAS state), one core each
    with mp.get_context("spawn").Pool(jobs, maxtasksperchild=1) as pool:
        for fold, seg, comp, path, seconds in pool.imap_unordered(_train_task, tasks):
            trained[(fold, seg, comp)] = path
            timings[f"{fold}/{seg}_{comp}"] = round(seconds, 1)
            log(f"  trained {seg} {comp} for fold {fold} in {seconds:.0f} s")

    for protocol, fold, train, tests in folds:
        add = preds[protocol].setdefault
        gold[protocol] += tests
        role_learned = LearnedRoleClassifier().fit(train)
        linker_learned = LearnedLinker().fit(train)
        owner = ProjectOwnerModel(threshold=0.7).fit(train)
        for test in tests:
            # components measured on gold spans
            add("roles: cue rules (gold spans)", []).append(with_roles(test, CueRoleClassifier()))
            add("roles: learned (gold spans)", []).append(with_roles(test, role_learned))
            add("linker: rule (gold spans)", []).append(link_document(RuleLinker(), test))
            add("linker: learned (gold spans)", []).append(link_document(linker_learned, test))
            # rules-only baseline end to end
            base = fill_values(rule_document(test.id, test.text), CueRoleClassifier())
            add("rules-only baseline", []).append(link_document(RuleLinker(), base))
        for seg, comp in taggers:
            tagger = Path(trained[(fold, seg, comp)])
            for rules in RULE_VARIANTS:
                options = dict(rules["options"])
                if options.pop("owners", False):
                    options["project_owner"] = owner
                nlp = build_pipeline(tagger, role_learned, linker_learned, **options)
                add(f"{seg} {comp}{rules['name']}", []).extend(predict_documents(nlp, tests))
    results: dict[str, Any] = {}
    for protocol in protocols:
        results[protocol] = {}
        subsets = document_groups(gold[protocol], dev_tables)
        for option, docs_pred in preds[protocol].items():
            entry = score(gold[protocol], docs_pred)
            entry["folds"] = {d.id: headline(score([g], [d], n_boot=0)) for g, d in zip(gold[protocol], docs_pred)}
            entry["subsets"] = {
                name: headline(score([gold[protocol][i] for i in index], [docs_pred[i] for i in index], n_boot=0))
                for name, index in subsets.items() if index}
            entry["subset_sizes"] = {name: len(index) for name, index in subsets.items()}
            results[protocol][option] = entry
        for option, docs_pred in preds[protocol].items():
            name = option.replace(" ", "_").replace("|", "").replace("/", "").replace("…", "")
            write_jsonl(docs_pred, workdir / "predictions" / protocol / f"{name}.jsonl")
    return {"protocols": {p: {"description": PROTOCOLS[p], "options": results[p],
                              "folds": [f for pr, f, _, _ in folds if pr == p]} for p in protocols},
            "timings_s": timings, "table_rules_dev_set": sorted(dev_tables)}


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
