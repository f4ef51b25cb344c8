"""The trained stages follow scikit-learn's conventions and round-trip through save/load."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.corpus import load_documents
from pipeline.link import LearnedLinker, load_linker
from pipeline.roles import LearnedRoleClassifier, load_role_classifier

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def docs():
    return [d for d in load_documents(ROOT / "annotations") if d.id.startswith(("a01", "a05", "a06"))]


def test_role_classifier_params_and_learned_state(docs, tmp_path):
    clf = LearnedRoleClassifier(seed=3, C=2.0)
    assert clf.get_params() == {"seed": 3, "C": 2.0}
    assert not hasattr(clf, "model_")  # nothing learned before fit
    clf.fit(docs)
    assert clf.chosen_C_ == 2.0
    clf.save(tmp_path)
    back = load_role_classifier(tmp_path)
    assert back.chosen_C_ == 2.0 and back.get_params()["seed"] == 3
    doc = docs[0]
    values = [(s.start, s.end, s.label) for s in doc.spans if s.is_value]
    assert back.predict(doc.text, values) == clf.predict(doc.text, values)
    assert clf.set_params(C=4.0).C == 4.0


def test_linker_params_and_learned_state(docs, tmp_path):
    linker = LearnedLinker(seed=2, threshold=0.4, max_candidates=6)
    assert linker.get_params() == {"seed": 2, "threshold": 0.4, "max_candidates": 6}
    assert not hasattr(linker, "model_")
    linker.fit(docs)
    linker.save(tmp_path)
    back = load_linker(tmp_path)
    assert back.get_params() == linker.get_params()
