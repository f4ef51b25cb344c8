"""Training: the span tagger (spaCy, config.cfg), the role classifier and the linker.

``train_tagger`` runs ``spacy train`` on gold paragraphs; ``build_pipeline`` adds the
non-neural stages after the trained tagger, handing them their trained state through spaCy's
``initialize``, so that ``spacy.load(path)`` gives the whole extractor; ``train_model`` does
both for ``make train`` and ``training_record`` says how a model was made.
(``predict_documents`` lives in :mod:`pipeline.model`, re-exported here.)
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import platform
import random
from collections.abc import Iterable
from importlib.metadata import version
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import DocBin

from pipeline.document import Document
from pipeline.model import predict_documents, register_components  # noqa: F401  (predict_documents: old path)
from pipeline.tag import docbin_from_documents

CONFIG = Path(__file__).resolve().parent / "config.cfg"
CONFIGS = {"ner": CONFIG, "spancat": CONFIG.with_name("config_spancat.cfg")}


def blank_nlp(segmenter: str = "char") -> Language:
    register_components()
    return spacy.blank("zh", config={"nlp": {"tokenizer": {"@tokenizers": "perfreport.tokenizer.v1",
                                                            "segmenter": segmenter}}})


def data_hash(paths: Iterable[Path]) -> str:
    """sha256 over the annotation files' names and bytes, in sorted order."""
    digest = hashlib.sha256()
    for path in sorted(Path(p) for p in paths):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def train_tagger(
    train_docs: list[Document],
    workdir: Path,
    segmenter: str = "char",
    seed: int = 0,
    max_epochs: int | None = None,
    verbose: bool = False,
    component: str = "ner",
) -> Path:
    """Train tok2vec+ner on the documents' paragraphs; returns the trained pipeline's path."""
    from spacy.cli.train import train as spacy_train

    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    nlp = blank_nlp(segmenter)
    train_bin = docbin_from_documents(nlp, train_docs)
    train_bin.to_disk(workdir / "train.spacy")
    # The dev set only feeds spaCy's progress log: training runs a fixed number of epochs and
    # keeps the last model, so no held-out document is ever used to pick a checkpoint.
    docs = list(train_bin.get_docs(nlp.vocab))
    random.Random(seed).shuffle(docs)
    DocBin(docs=docs[:40]).to_disk(workdir / "dev.spacy")
    overrides: dict[str, Any] = {
        "paths.train": str(workdir / "train.spacy"),
        "paths.dev": str(workdir / "dev.spacy"),
        "nlp.tokenizer.segmenter": segmenter,
        "system.seed": seed,
    }
    if max_epochs:
        overrides["training.max_epochs"] = max_epochs
    out = io.StringIO()
    with contextlib.redirect_stdout(out if not verbose else None) if not verbose else contextlib.nullcontext():
        level = logging.getLogger("spacy").level
        logging.getLogger("spacy").setLevel(logging.WARNING if not verbose else level)
        spacy_train(CONFIGS[component], workdir / "tagger", overrides=overrides, use_gpu=-1)
        logging.getLogger("spacy").setLevel(level)
    return workdir / "tagger" / "model-last"


def build_pipeline(tagger_path: Path, role_classifier=None, linker=None, hybrid: bool = True,
                   project_boundaries: bool = False, name_fallback: bool = False, tables: bool = False,
                   project_owner=None, propagate_names: bool = False,
                   propagate_labels: tuple[str, ...] = ("PROJECT",), project_titles: bool = False,
                   drop_organisations: bool = False) -> Language:
    """The full extractor: trained tagger, then rules (hybrid), values and roles, linker.

    ``hybrid``: value patterns fix MONEY/PERCENT; ``project_boundaries``: SCHEMA's year/bracket
    rule for PROJECT titles; ``name_fallback``: the baseline's name cues where the model found nothing;
    ``project_owner``: a fitted ``ProjectOwnerModel`` (names that own an amount become PROJECTs);
    ``propagate_names``: every other mention of a found PROJECT name is marked; ``tables``: the
    table layer (SCHEMA §4a) reads the tables and decides their spans, roles and links.
    """
    register_components()
    nlp = spacy.load(tagger_path)
    if "spancat" in nlp.pipe_names:
        nlp.add_pipe("perfreport_spans_to_ents")
    if hybrid:
        nlp.add_pipe("perfreport_value_patterns", config={"project_boundaries": project_boundaries,
                                                          "name_fallback": name_fallback})
    if project_owner is not None or propagate_names or project_titles or drop_organisations:
        nlp.add_pipe("perfreport_project_owners", config={
            "propagate_names": propagate_names, "propagate_labels": list(propagate_labels), "titles": project_titles,
            "drop_organisations": drop_organisations}).initialize(
            lambda: [], nlp=nlp, model=project_owner)
    if tables:
        nlp.add_pipe("perfreport_tables")
    if "ner" in nlp.pipe_names:
        # off by default (a beam parse costs ~4× the tagger); `extract --span-scores` turns it on
        nlp.add_pipe("perfreport_span_scores")
        nlp.disable_pipe("perfreport_span_scores")
    # The trained stages are fitted on SCHEMA Documents, so they arrive fitted through initialize.
    nlp.add_pipe("perfreport_values").initialize(lambda: [], nlp=nlp, role_classifier=role_classifier)
    nlp.add_pipe("perfreport_linker").initialize(lambda: [], nlp=nlp, linker=linker)
    if tables:
        nlp.add_pipe("perfreport_table_links")
    return nlp


def train_model(train_docs: list[Document], workdir: Path, segmenter: str = "jieba", component: str = "spancat",
                hybrid: bool = True, project_boundaries: bool = True, name_fallback: bool = False,
                roles: str = "learned", linker: str = "learned", seed: int = 0,
                max_epochs: int | None = None, tables: bool = True, project_owners: bool = True,
                propagate_names: bool = True, project_titles: bool = True, drop_organisations: bool = True) -> Language:
    """The whole extractor trained on ``train_docs`` (what ``make train`` ships)."""
    from pipeline.link import LearnedLinker, RuleLinker
    from pipeline.projects import ProjectOwnerModel
    from pipeline.roles import CueRoleClassifier, LearnedRoleClassifier

    tagger = train_tagger(train_docs, workdir, segmenter=segmenter, seed=seed, max_epochs=max_epochs,
                          component=component)
    role_classifier = LearnedRoleClassifier(seed=seed).fit(train_docs) if roles == "learned" else CueRoleClassifier()
    link = LearnedLinker(seed=seed).fit(train_docs) if linker == "learned" else RuleLinker()
    owner = ProjectOwnerModel(threshold=0.7).fit(train_docs) if project_owners else None
    return build_pipeline(tagger, role_classifier, link, hybrid=hybrid, project_boundaries=project_boundaries,
                          name_fallback=name_fallback, tables=tables, project_owner=owner,
                          propagate_names=propagate_names, project_titles=project_titles,
                          drop_organisations=drop_organisations)


def training_record(files: list[Path], train_ids: list[str], held_out_ids: list[str], config: dict[str, Any],
                    component: str, train_seconds: float) -> dict[str, Any]:
    """How a model was made: data (files, hash, split), options, library versions, time."""
    return {
        "data": {"annotation_files": [f.name for f in files], "sha256": data_hash(files),
                 "train_ids": train_ids, "held_out_ids": held_out_ids},
        "config": {**config, "spacy_config": CONFIGS[component].read_text()},
        "versions": {p: version(p) for p in ("spacy", "scikit-learn", "jieba", "spacy-pkuseg", "numpy")}
        | {"python": platform.python_version()},
        "train_seconds": round(train_seconds, 1),
    }
