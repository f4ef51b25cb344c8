"""Write ``notebooks/error_analysis.ipynb`` (run: ``python notebooks/make_notebook.py``).

The notebook is generated from this script so that a change to it is reviewed as code; edit
the cells here, re-run the script and commit both files. The notebook is stored without outputs.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

OUT = Path(__file__).resolve().parent / "error_analysis.ipynb"


def md(text: str):
    return new_markdown_cell(text.strip())


def code(text: str):
    return new_code_cell(text.strip())


CELLS = [
    md(
        """
# Error analysis of the span tagger

Where does the extractor go wrong on the held-out reports? This notebook shows

1. per-label span F1 with its 95 % bootstrap interval,
2. which label a gold span is confused with,
3. the commonest false positives and false negatives,
4. the learning curve: F1 against the number of training reports.

## Inputs

Every input is an environment variable with a default; relative paths are taken from the
repository root (the parent of `notebooks/`, or `REPO_ROOT` when set).

| variable | default | made by |
|---|---|---|
| `EVAL_JSON` | `out/evaluate.json` | `make evaluate` (computed here from gold and predictions if missing) |
| `GOLD_JSONL` | the held-out documents of `annotations/` | `pipeline.corpus.split_documents` |
| `PRED_JSONL` | `out/heldout_predictions.jsonl` | `make evaluate` |
| `CURVE_JSON` | `out/learning_curve.json` | `python -m pipeline cv --learning-curve` |
"""
    ),
    code(
        """
import json
import os
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

ROOT = Path(os.environ.get("REPO_ROOT") or Path.cwd().resolve().parent)
if not (ROOT / "pipeline").is_dir() and (Path.cwd() / "pipeline").is_dir():
    ROOT = Path.cwd().resolve()  # started from the repository root instead of notebooks/


def setting(name, default=None):
    value = os.environ.get(name) or default
    return None if value is None else ROOT / value  # an absolute value stays as it is


EVAL_JSON = setting("EVAL_JSON", "out/evaluate.json")
GOLD_JSONL = setting("GOLD_JSONL")
PRED_JSONL = setting("PRED_JSONL", "out/heldout_predictions.jsonl")
CURVE_JSON = setting("CURVE_JSON", "out/learning_curve.json")
print(f"root {ROOT}\\neval {EVAL_JSON}\\ngold {GOLD_JSONL or 'held-out split of annotations/'}\\n"
      f"pred {PRED_JSONL}\\ncurve {CURVE_JSON}")
warnings.filterwarnings("ignore", message="IProgress not found")  # tqdm's note, when datasets is imported
"""
    ),
    md(
        """
Gold and predictions are paired by document id (an id on one side only, or a different text,
is an error). The scores come from `EVAL_JSON`; without that file they are computed here with
`pipeline.evaluate.score` (the same function `make evaluate` uses).
"""
    ),
    code(
        """
from pipeline.corpus import load_documents, split_documents
from pipeline.document import LABELS, read_jsonl
from pipeline.evaluate import align, error_listing, group_errors, score

if not PRED_JSONL.exists():
    raise FileNotFoundError(f"{PRED_JSONL}: run `make evaluate` first, or set PRED_JSONL")
if GOLD_JSONL:
    gold = read_jsonl(GOLD_JSONL)
else:
    gold = split_documents(load_documents(ROOT / "annotations"))[1]
pairs = align(gold, read_jsonl(PRED_JSONL))
gold, pred = [g for g, _ in pairs], [p for _, p in pairs]
result = json.loads(EVAL_JSON.read_text()) if EVAL_JSON.exists() else score(gold, pred)
print(f"{len(pairs)} documents: {', '.join(g.id for g in gold)}")
print(f"{sum(len(g.spans) for g in gold)} gold spans, {sum(len(p.spans) for p in pred)} predicted spans")
"""
    ),
    md(
        """
## 1. F1 per label

**Strict**: same label, start and end. **Partial**: same label and at least one shared
character. The error bars are the 95 % bootstrap intervals over documents
(`ci.spans_strict_by_label`, `ci.spans_partial_by_label`); with few held-out reports they are wide.
"""
    ),
    code(
        """
def f1_and_err(mode):
    # F1 per label (0 where undefined) and the distances to the CI ends, as bar(yerr=...) wants them
    f1, err = [], []
    for lab in LABELS:
        f = result["spans"][mode][lab]["f1"] or 0.0
        ci = (result["ci"].get(f"spans_{mode}_by_label") or {}).get(lab) or {"low": f, "high": f}
        f1.append(f)
        err.append((max(f - ci["low"], 0), max(ci["high"] - f, 0)))
    return f1, np.array(err).T


x = np.arange(len(LABELS))
fig, ax = plt.subplots(figsize=(7, 3.5))
for shift, mode in ((-0.2, "strict"), (0.2, "partial")):
    f1, err = f1_and_err(mode)
    ax.bar(x + shift, f1, width=0.4, yerr=err, capsize=4, label=mode)
ax.set_xticks(x, LABELS)
ax.set_ylim(0, 1.05)
ax.set_ylabel("span F1")
ax.set_title("F1 per label (95 % bootstrap CI)")
ax.legend(loc="upper left", bbox_to_anchor=(1, 1))
plt.show()
"""
    ),
    code(
        """
def fmt(v):
    return "–" if v is None else f"{v:.3f}"


def ci_text(c):
    return "–" if not c or c.get("low") is None else f"[{c['low']:.3f}, {c['high']:.3f}]"


print("| label | mode | tp | fp | fn | P | R | F1 | 95 % CI |")
print("|---|---|---:|---:|---:|---:|---:|---:|---|")
for mode in ("strict", "partial"):
    spans = result["spans"][mode]
    cis = {**(result["ci"].get(f"spans_{mode}_by_label") or {}), "micro": result["ci"][f"spans_{mode}"]}
    for lab in (*LABELS, "micro"):
        m = spans[lab]
        print(f"| {lab} | {mode} | {m['tp']} | {m['fp']} | {m['fn']} | {fmt(m['precision'])} "
              f"| {fmt(m['recall'])} | {fmt(m['f1'])} | {ci_text(cis.get(lab))} |")
    print(f"| macro | {mode} | | | | {fmt(spans['macro']['precision'])} | {fmt(spans['macro']['recall'])} "
          f"| {fmt(spans['macro']['f1'])} | |")
"""
    ),
    md(
        """
## 2. Confusion between labels

Rows are gold labels, columns predicted labels. Each gold span is counted once, under the label
of the predicted span that overlaps it most (ties: the closest boundaries), or under `none` when
no prediction touches it. Each predicted span that overlaps no gold span adds one to row `none`.
The diagonal counts boundary errors as well as exact matches.
"""
    ),
    code(
        """
NAMES = [*LABELS, "none"]


def overlap(a, b):
    return min(a.end, b.end) - max(a.start, b.start)


confusion = {(g, p): 0 for g in NAMES for p in NAMES}
for g_doc, p_doc in pairs:
    for g in g_doc.spans:
        hits = [p for p in p_doc.spans if overlap(g, p) > 0]
        best = max(hits, key=lambda p: (overlap(g, p), -abs(p.start - g.start) - abs(p.end - g.end)), default=None)
        confusion[g.label, best.label if best else "none"] += 1
    for p in p_doc.spans:
        if not any(overlap(g, p) > 0 for g in g_doc.spans):
            confusion["none", p.label] += 1

print("| gold \\\\ pred | " + " | ".join(NAMES) + " |")
print("|---|" + "---:|" * len(NAMES))
for g in NAMES:
    print(f"| {g} | " + " | ".join(str(confusion[g, p]) for p in NAMES) + " |")
"""
    ),
    code(
        """
matrix = np.array([[confusion[g, p] for p in NAMES] for g in NAMES])
fig, ax = plt.subplots(figsize=(5, 4.5))
ax.imshow(np.log1p(matrix), cmap="Blues")
for i in range(len(NAMES)):
    for j in range(len(NAMES)):
        ax.text(j, i, matrix[i, j], ha="center", va="center")
ax.set_xticks(range(len(NAMES)), NAMES, rotation=30)
ax.set_yticks(range(len(NAMES)), NAMES)
ax.set_xlabel("predicted")
ax.set_ylabel("gold")
ax.set_title("gold vs. predicted label (largest overlap)")
plt.show()
"""
    ),
    md(
        """
## 3. Commonest errors

`group_errors(error_listing(gold, pred))`: strict span false positives (`span_fp`) and false
negatives (`span_fn`) grouped by label and surface text, relation errors grouped by type and
tail; the 20 largest groups. In the contexts the erroneous span is marked ⟦…⟧ and line breaks are ⏎.
"""
    ),
    code(
        """
groups = group_errors(error_listing(gold, pred))
print(f"{sum(g['count'] for g in groups)} errors in {len(groups)} groups\\n")
print("| kind | label | count | text | examples |")
print("|---|---|---:|---|---|")
for grp in groups[:20]:
    text, examples = (s.replace("|", "\\\\|") for s in (grp["text"], " / ".join(grp["examples"])))
    print(f"| {grp['kind']} | {grp['label']} | {grp['count']} | {text} | {examples} |")
"""
    ),
    md(
        """
## 4. Learning curve

Span micro F1 (strict) on the held-out split against the number of training reports, and F1 per
label, from `CURVE_JSON` — made by `python -m pipeline cv --learning-curve`
(`pipeline.cv.learning_curve`: one model trained per size, so it takes a while). If the curve
still rises at the right-hand end, more annotated reports should help.
"""
    ),
    code(
        """
if CURVE_JSON.exists():
    points = json.loads(CURVE_JSON.read_text())["points"]
    n = [p["n_train_docs"] for p in points]
    fig, ax = plt.subplots(figsize=(7, 3.5))
    ax.plot(n, [p["micro_f1"] or 0.0 for p in points], "o-", lw=2.5, color="black", label="micro")
    for lab in LABELS:
        ax.plot(n, [np.nan if p["by_label"].get(lab) is None else p["by_label"][lab] for p in points],
                ".--", label=lab)
    ax.set_xlabel("training reports")
    ax.set_ylabel("span F1 (strict)")
    ax.set_ylim(0, 1.05)
    ax.set_title("learning curve")
    ax.legend(loc="upper left", bbox_to_anchor=(1, 1), fontsize="small")
    plt.show()
    for p in points:
        print(f"{p['n_train_docs']:>3} reports ({p['n_train_chars']} chars): micro F1 {fmt(p['micro_f1'])}")
else:
    print(f"No learning curve at {CURVE_JSON}: make one with `python -m pipeline cv --learning-curve`\\n"
          "(and set CURVE_JSON if it is written elsewhere). Skipping the plot.")
"""
    ),
]


def build() -> nbformat.NotebookNode:
    nb = new_notebook(cells=CELLS)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def main() -> None:
    nb = build()
    nbformat.validate(nb)
    nbformat.write(nb, OUT)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
