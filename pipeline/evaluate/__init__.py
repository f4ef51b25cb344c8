"""Score predictions against gold annotations: exactly the metrics of SCHEMA.md §5.

Modules: ``align`` (pair gold and prediction documents), ``matching`` (counts, P/R/F1 and the
matching rules below), ``scoring`` (``score``: all figures as data, bootstrap intervals,
``headline``), ``errors`` (the error listing), ``report`` (Markdown). Printing is the command's
(:mod:`pipeline.cli.evaluate`).

Entry points
------------
``load_pair(gold_path, pred_path)``
    Read both JSONL files with :func:`pipeline.document.read_jsonl` and return
    ``(gold, pred)`` with ``pred`` put in the order of ``gold``.
``score(gold, pred, n_boot=1000, seed=0, given_gold_spans=None) -> dict``
    All metrics as a JSON-serialisable dict (keys below).
``error_listing(gold, pred, context=20) -> list[dict]`` and ``group_errors(errors) -> list[dict]``
    Every false positive / false negative, and the same grouped, commonest first.
``markdown_report(result, errors=None, top=30) -> str``
    The result as Markdown tables.
``headline(result) -> dict``
    The few figures quoted everywhere (training record, cv folds, learning curve), one naming scheme.

Conventions for P/R/F1 (one rule everywhere: spans, relations, per label, per document)
-------------------------------------------------------------------------------------
``precision = tp / (tp + fp)`` is ``None`` when nothing was predicted (``tp + fp == 0``);
``recall = tp / (tp + fn)`` is ``None`` when there is nothing to find (``tp + fn == 0``);
``f1 = 2 tp / (2 tp + fp + fn)``, which is the harmonic mean when both exist and 0 when only
one side has items (gold but no predictions → P ``None``, R 0, F1 0).  All three are ``None``
only when gold and prediction are both empty: SCHEMA says such a label "has no score", and a
0 there would drag the macro mean down for a label the test set simply does not contain.
``macro`` is the mean over the labels whose figure is not ``None`` (``labels`` lists the labels
with an F1, i.e. those in the macro F1).

Result keys (stable: every key is always present, ``None`` where a figure is undefined)
------------------------------------------------------------------------------------
::

    n_documents: int
    settings: {n_boot, seed, confidence}
    spans:
      strict | partial:
        MONEY | PERCENT | INDICATOR | PROJECT | micro: {tp, fp, fn, precision, recall, f1}
        macro: {precision, recall, f1, labels}
    normalisation:
      {n, value_correct, role_correct, value_accuracy, role_accuracy,
       by_label: {MONEY | PERCENT: {n, value_correct, role_correct, value_accuracy, role_accuracy}}}
    relations:
      end_to_end:       {lenient | strict: {indicator | project | micro: {tp, fp, fn, precision, recall, f1}}}
      given_gold_spans: same shape as end_to_end, or None when no such predictions were given
    per_document: {doc id: {spans_strict_f1, spans_partial_f1, relations_lenient_f1, relations_strict_f1,
                            given_gold_lenient_f1, given_gold_strict_f1, value_accuracy, role_accuracy,
                            n_value_matched, n_gold_spans, n_pred_spans, n_gold_relations, n_pred_relations}}
    ci: {spans_strict | spans_partial | relations_lenient | relations_strict
         | given_gold_lenient | given_gold_strict: {low, high} or None,
         spans_strict_by_label | spans_partial_by_label: {MONEY | PERCENT | INDICATOR | PROJECT: {low, high} or None}}

Matching rules
--------------
* strict span: same label, start and end.
* partial span (nervaluate ``ent_type``): same label and at least one shared character. Predictions
  are taken in order of start; each takes, among the gold spans of its label that it overlaps and
  that are still free, the one with the closest boundaries (|Δstart| + |Δend|, earlier on a tie) —
  nervaluate's own choice, so our counts equal its per-label counts. Each gold span is matched at
  most once; each match counts 1 (no half credit).
* relations: key = (head label, head start, head end, type, tail) where the tail is its text with
  all white space removed (lenient) or its offsets (strict). Keys are counted as multisets, so each
  gold key is matched at most once.
* normalisation: over MONEY/PERCENT pairs matched strictly. ``value`` equal within
  1e-6 × max(1, |gold|), ``cmp`` equal (missing means ``=``), ``approx`` equal (missing means false).
"""

from pipeline.evaluate.align import EvaluationError, align, load_pair
from pipeline.evaluate.errors import error_listing, group_errors
from pipeline.evaluate.matching import CI_METRICS, CONFIDENCE, REL_TYPES, VALUE_LABEL_ORDER, Counts, prf
from pipeline.evaluate.report import markdown_report
from pipeline.evaluate.scoring import DocScore, NormCounts, bootstrap_ci, headline, score, score_document

__all__ = [
    "CI_METRICS", "CONFIDENCE", "REL_TYPES", "VALUE_LABEL_ORDER", "Counts", "DocScore", "EvaluationError",
    "NormCounts", "align", "bootstrap_ci", "error_listing", "group_errors", "headline", "load_pair",
    "markdown_report", "prf", "score", "score_document",
]
