"""Execute notebooks/error_analysis.ipynb on a small, deterministic run built in tmp_path."""

from __future__ import annotations

import copy
import importlib.util
import json
import os
import sys
from pathlib import Path

import nbformat
import pytest

from pipeline.corpus import load_documents, split_documents
from pipeline.document import LABELS, Document, Span, write_jsonl
from pipeline.evaluate import score

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "error_analysis.ipynb"
# the held-out split, so that the notebook's default gold matches the predictions
GOLD_IDS = tuple(d.id for d in split_documents(load_documents(ROOT / "annotations"))[1])


def perturb(doc: Document, k: int) -> Document:
    """A prediction from gold: drop every 5th span (and its relations), shift one boundary, relabel one, add one."""
    pred = copy.deepcopy(doc)
    dropped = {s.id for i, s in enumerate(pred.spans) if i % 5 == k % 5}
    pred.spans = [s for s in pred.spans if s.id not in dropped]
    pred.relations = [r for r in pred.relations if r.head not in dropped and r.tail not in dropped]
    # a boundary error, on the first span that stays a valid span when cut by one character
    cut = next(s for s in pred.spans if s.end - s.start >= 2 and not doc.text[s.end - 2].isspace())
    cut.end -= 1
    other = next(s for s in pred.spans[1:] if s.label == "INDICATOR")
    other.label = "PROJECT"  # a label confusion; relations with it as tail now break the schema
    pred.relations = [r for r in pred.relations if other.id not in (r.head, r.tail)]
    # a spurious span on two characters no gold span touches
    start = next(i for i in range(len(doc.text) - 1) if doc.text[i : i + 2].strip() == doc.text[i : i + 2]
                 and not any(s.start < i + 2 and i < s.end for s in doc.spans))
    pred.spans.append(Span(id="spurious", start=start, end=start + 2, label="INDICATOR"))
    return pred


@pytest.fixture(scope="module")
def kernel_env(tmp_path_factory):
    """A 'python3' kernelspec running this interpreter (the venv), found first through JUPYTER_PATH."""
    from ipykernel.kernelspec import install

    prefix = tmp_path_factory.mktemp("kernel")
    install(kernel_name="python3", prefix=str(prefix))
    spec = json.loads((prefix / "share/jupyter/kernels/python3/kernel.json").read_text())
    assert spec["argv"][0] == sys.executable
    return {"JUPYTER_PATH": str(prefix / "share" / "jupyter")}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("run")
    gold = [d for d in load_documents(ROOT / "annotations") if d.id in GOLD_IDS]
    assert len(gold) == len(GOLD_IDS) >= 2 and all(d.spans[0].end - d.spans[0].start >= 2 for d in gold)
    pred = [perturb(d, k) for k, d in enumerate(gold)]
    write_jsonl(gold, tmp / "gold.jsonl")
    write_jsonl(pred, tmp / "pred.jsonl")
    result = score(gold, pred, n_boot=200)
    (tmp / "evaluate.json").write_text(json.dumps(result, ensure_ascii=False))
    points = [
        {"n_train_docs": n, "n_train_chars": 3000 * n, "micro_f1": f,
         "by_label": {lab: round(f - 0.05 * i, 2) for i, lab in enumerate(LABELS)}}
        for n, f in ((2, 0.41), (8, 0.73))
    ]
    (tmp / "curve.json").write_text(json.dumps({"points": points, "test_ids": list(GOLD_IDS)}))
    return tmp, result


def execute(env: dict[str, str | None], workdir: Path) -> nbformat.NotebookNode:
    """Run the notebook in ``workdir`` with ``env`` set (None: unset) in the kernel's environment."""
    from nbclient import NotebookClient

    nb = nbformat.read(NOTEBOOK, as_version=4)
    old = {key: os.environ.get(key) for key in env}
    for key, val in env.items():  # the kernel process inherits the environment at start-up
        if val is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = val
    try:
        NotebookClient(nb, kernel_name="python3", timeout=120, resources={"metadata": {"path": str(workdir)}}).execute()
    finally:
        for key, val in old.items():
            if val is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = val
    return nb


def outputs(nb: nbformat.NotebookNode) -> tuple[str, int]:
    """All text output (stream and text/plain) and the number of PNG images."""
    text, images = [], 0
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            assert out.output_type != "error", out
            if out.output_type == "stream":
                text.append(out.text)
            data = out.get("data", {})
            text.append(data.get("text/plain", ""))
            images += "image/png" in data
    return "".join(text), images


def env_for(tmp: Path, kernel_env: dict[str, str], curve: str) -> dict[str, str]:
    return {
        **kernel_env,
        "REPO_ROOT": str(ROOT),
        "EVAL_JSON": str(tmp / "evaluate.json"),
        "GOLD_JSONL": str(tmp / "gold.jsonl"),
        "PRED_JSONL": str(tmp / "pred.jsonl"),
        "CURVE_JSON": str(tmp / curve),
    }


def test_notebook_is_up_to_date():
    """The stored notebook is what notebooks/make_notebook.py writes (re-run the script after editing it)."""
    spec = importlib.util.spec_from_file_location("make_notebook", ROOT / "notebooks" / "make_notebook.py")
    make_notebook = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_notebook)
    stored = nbformat.read(NOTEBOOK, as_version=4)
    assert [c.source for c in stored.cells] == [c.source for c in make_notebook.build().cells]


@pytest.mark.slow
def test_notebook_runs(run, kernel_env):
    tmp, result = run
    nb = execute(env_for(tmp, kernel_env, "curve.json"), ROOT / "notebooks")
    text, images = outputs(nb)
    for lab in LABELS:
        assert lab in text
        assert f"{result['spans']['strict'][lab]['f1']:.3f}" in text
    lo = result["ci"]["spans_strict_by_label"]["MONEY"]["low"]
    assert f"{lo:.3f}" in text
    assert f"{len(GOLD_IDS)} documents" in text
    assert "| span_fn |" in text  # the commonest-errors table (every 5th span was dropped)
    assert "micro F1 0.730" in text  # the learning-curve summary
    # confusion: the relabelled INDICATOR shows up as gold INDICATOR / predicted PROJECT
    rows = {line.split("|")[1].strip(): line.split("|")[2:-1] for line in text.splitlines() if line.count("|") == 7}
    assert int(rows["INDICATOR"][3]) == len(GOLD_IDS)  # gold INDICATOR predicted as PROJECT, once per document
    assert int(rows["none"][2]) == len(GOLD_IDS)  # the spurious INDICATOR spans, one per document
    assert images == 3  # F1 bars, confusion matrix, learning curve


@pytest.mark.slow
def test_notebook_runs_without_curve_on_defaults(run, kernel_env):
    """No curve file; gold is the held-out split of annotations/ and the scores are computed in the notebook."""
    tmp, result = run
    env = {**env_for(tmp, kernel_env, "missing_curve.json"), "REPO_ROOT": None, "GOLD_JSONL": None,
           "EVAL_JSON": str(tmp / "missing_evaluate.json")}
    nb = execute(env, ROOT / "notebooks")  # the root is found as the parent of notebooks/
    text, images = outputs(nb)
    assert f"root {ROOT}\n" in text
    assert "held-out split of annotations/" in text
    assert f"| MONEY | strict | {result['spans']['strict']['MONEY']['tp']} |" in text
    assert "No learning curve" in text and "python -m pipeline cv --learning-curve" in text
    assert images == 2
