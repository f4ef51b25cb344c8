"""Fixtures shared by the extraction tests (test_extract.py, test_bad_input.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = ROOT / "models" / "perfreport"


@pytest.fixture(scope="session")
def model(tmp_path_factory) -> Path:
    """The bundled model ``models/perfreport`` when it exists; otherwise a small stand-in trained once
    per session (one epoch on two gold documents)."""
    from pipeline.model import model_problem

    if model_problem(BUNDLED) is None:
        return BUNDLED
    from pipeline.corpus import load_documents
    from pipeline.train import build_pipeline, train_tagger

    docs = [d for d in load_documents(ROOT / "annotations") if d.id in ("000_c72fa1dde9b25adf", "a01_county_education_bureau")]
    work = tmp_path_factory.mktemp("standin")
    nlp = build_pipeline(train_tagger(docs, work, segmenter="char", max_epochs=1))
    nlp.to_disk(work / "model")
    return work / "model"
