"""Consistency checks on one report: what a careful analyst flags on reading it.

SCHEMA.md §1 lets a prediction carry ``checks``: findings of the kinds ``sum``, ``rate``,
``score``, ``unit`` and ``unmet``, each ``{"kind", "spans", "message"}`` with a Chinese message
that states the numbers. :func:`check_document` computes them from a document's values
(MONEY/PERCENT spans with ``value``, ``role``, ``cmp``, ``approx``, ``per``), their links to
INDICATOR and PROJECT spans, and the text around them (sentences, list openers, table rows).
It runs the same on gold and on predictions, and needs nothing but :mod:`pipeline.document` and
the table layer (:mod:`pipeline.tables`: table rows are read as it reads them, whatever their
layout; lines that look like rows of a table it does not know are read line by line).

Modules: ``report`` (the report as the checks see it, :class:`Check`, the numbers as shown),
``rows`` (table rows from the table layer), ``groups`` (lists of parts under a total), ``sums``
(``sum``, ``unit``), ``rates``, ``scores``, ``unmet``. Run ``python -m pipeline.checks FILE.jsonl…``
for every finding of a file.

The rule throughout is *silence on a consistent report*: where the text allows several
readings (which amount is the total, where a list of parts ends, which budget a rate was
computed from), a finding is made only when no reading is consistent. Each finding is made once.

Tolerances (the constants below; tests/test_checks.py pins them):

- **sum**: parts and total agree when ``|Σparts − total| ≤ max(Σ rounding, 0.01万元 × parts)``.
  "Rounding" is half of the last digit each figure shows (``4140.58万元`` ±0.005万元,
  ``1.27亿元`` ±0.005亿元); whole-万元 figures count as exact to 0.01万元, since budgets are set
  in whole 万元. Approximate figures (``30余万元``) make a list uncheckable. A prose list that
  falls more than 10% short of its total, or says 其余/其他 after its parts, names only some
  parts and is not a finding; parts above their total always are.
- **rate**: the shown rate and the quotient actual ÷ target are each taken as the interval
  their rounding allows; a finding needs the two intervals more than 0.5 percentage points apart
  for every pairing of the amounts beside the rate (a budget may be the sum of those stated:
  年初+追加). A rate under 100% beside spending above every budget in sight is not judged: it
  was computed against a budget adjusted later.
- **score**: a 得分 above its 分值; row scores (or prose item scores) whose sum differs from the
  stated total by more than 0.05 分 (half of the 0.1 分 scores are written to).
- **unit**: an amount whose value × 10⁴ (or ÷ 10⁴) lies within a factor 3 of its siblings'
  median, or a total below every one of its parts by such a factor; or a sum that fails as
  written and holds once one figure is scaled by 10⁴ (reported as ``unit``, not ``sum``).
- **unmet**: exact comparison of the actual with the target's comparator (the actual's own
  comparator widens it: ``85%以上`` may be anything above 85%). A target without a comparator
  (``=``) is met by equal-or-better, where "better" is *lower* for indicators named for something
  bad (事故, 投诉率, 辍学, 不合格, 结余, 成本, 控制率…) and *higher* otherwise (完成率, 执行率,
  满意度…, and every 下降/减少 ratio). Money targets without a comparator (standards, budgets),
  approximate actuals, next year's aims (力争/确保…) and bounds against the indicator's own
  direction (对执行率低于80%的项目…) are not judged.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from pipeline.checks.groups import _groups
from pipeline.checks.rates import _rate_checks
from pipeline.checks.report import (
    KINDS,
    MAX_READINGS,
    PARTIAL_SHORTFALL,
    RATE_SLACK,
    SCORE_TOLERANCE,
    SUM_FLOOR_PER_PART,
    UNIT_FACTOR,
    WAN,
    Check,
    _report,
)
from pipeline.checks.scores import _score_checks
from pipeline.checks.sums import _sum_checks, _unit_checks
from pipeline.checks.unmet import Pair, _pairs, _unmet_checks
from pipeline.document import Document, read_jsonl

if TYPE_CHECKING:
    from pipeline.table_cells import Table

__all__ = ["KINDS", "MAX_READINGS", "PARTIAL_SHORTFALL", "RATE_SLACK", "SCORE_TOLERANCE", "SUM_FLOOR_PER_PART",
           "UNIT_FACTOR", "WAN", "Check", "check_document", "check_rate", "check_score", "check_sum", "check_unit",
           "check_unmet", "checks_and_pairs", "checks_json", "indicator_pairs", "main", "Pair"]


def check_sum(doc: Document, tables: list[Table] | None = None) -> list[Check]:
    """``sum``: parts listed under a total (其中…, 按…分…, numbered items, table rows) that do not add up."""
    rep = _report(doc, tables)
    return _sum_checks(rep, _groups(rep))


def check_rate(doc: Document, tables: list[Table] | None = None) -> list[Check]:
    """``rate``: a 执行率/支付率/拨付率/控制率 that differs from actual ÷ target of its amounts."""
    return _rate_checks(_report(doc, tables))


def check_score(doc: Document, tables: list[Table] | None = None) -> list[Check]:
    """``score``: a 得分 above its 分值, or scores that do not add up to the stated total."""
    return _score_checks(_report(doc, tables))


def check_unit(doc: Document, tables: list[Table] | None = None) -> list[Check]:
    """``unit``: an amount a power of ten thousand away from the amounts it is listed with."""
    rep = _report(doc, tables)
    return _unit_checks(rep, _groups(rep))


def check_unmet(doc: Document, tables: list[Table] | None = None) -> list[Check]:
    """``unmet``: an indicator whose actual value misses its target, comparator respected."""
    return _unmet_checks(_report(doc, tables))


def check_document(doc: Document, tables: list[Table] | None = None) -> list[Check]:
    """Every finding on one report, by kind: sum, rate, score, unit, unmet.

    ``tables``: the report's tables when already read (``doc._.tables`` of the spaCy pipeline);
    read from the text otherwise.
    """
    rep = _report(doc, tables)
    groups = _groups(rep)
    return (
        _sum_checks(rep, groups) + _rate_checks(rep) + _score_checks(rep) + _unit_checks(rep, groups) + _unmet_checks(rep)
    )


def indicator_pairs(doc: Document, tables: list[Table] | None = None) -> list[Pair]:
    """Every target paired with the actual the ``unmet`` check judges it against, with the verdict
    (met, missed, or None: not judged) — what the workbook's indicators sheet lists."""
    return _pairs(_report(doc, tables))


def checks_and_pairs(doc: Document, tables: list[Table] | None = None) -> tuple[list[Check], list[Pair]]:
    """:func:`check_document` and :func:`indicator_pairs` together, reading the report once."""
    rep = _report(doc, tables)
    groups = _groups(rep)
    found = _sum_checks(rep, groups) + _rate_checks(rep) + _score_checks(rep) + _unit_checks(rep, groups)
    return found + _unmet_checks(rep), _pairs(rep)


def checks_json(doc: Document, tables: list[Table] | None = None) -> list[dict[str, Any]]:
    """The ``checks`` list of SCHEMA.md §1 for one document."""
    return [c.to_json() for c in check_document(doc, tables)]


def main(argv: list[str]) -> int:
    """``python -m pipeline.checks FILE.jsonl…``: every finding, then the counts per kind."""
    counts: Counter[str] = Counter()
    for path in argv:
        for doc in read_jsonl(path):
            for check in check_document(doc):
                counts[check.kind] += 1
                print(f"{doc.id}\t{check.kind}\t{','.join(check.spans)}\t{check.message}")
    print("\t".join(f"{kind}={counts[kind]}" for kind in KINDS))
    return 0
