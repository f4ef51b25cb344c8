"""The peer conformance suite (Recognizers-Text's Chinese number, percent and CNY specs) end to end.

Each case of ``tests/data/peer/recognizers-text-zh.jsonl`` (a copy of the shared peer suite,
MIT-licensed cases from microsoft/Recognizers-Text; see the README beside it) is put in a sentence
of a report and run through the value patterns (:func:`pipeline.rules.value_matches`) and the
normaliser (:func:`pipeline.normalise.normalise`), the two steps every extraction goes through:

- ``number``: ``本年度该项目资金为<text>元。`` → one MONEY span ``<text>元`` worth ``value`` yuan;
- ``currency`` (the text already ends in 元/万元/亿元): ``本年度该项目资金为<text>。`` → MONEY ``<text>``;
- ``percent``: ``完成率为<text>。`` → one PERCENT span ``<text>`` worth ``value`` (a fraction).

A case is *right* when exactly that span comes out with exactly that value, *wrong* when any span
over the expression comes out with a value that is not that (a silent wrong number), *missed*
otherwise (no span, or a span the normaliser refuses). Run as a script for the breakdown::

    .venv/bin/python tests/test_peer_suite.py
"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # when run as a script
    sys.path.insert(0, str(ROOT))

from pipeline.normalise import NormaliseError, normalise  # noqa: E402
from pipeline.rules import value_matches  # noqa: E402

SUITE = Path(os.environ.get("PEER_SUITE", ROOT / "tests" / "data" / "peer" / "recognizers-text-zh.jsonl"))


@dataclass(frozen=True)
class Case:
    kind: str
    text: str
    value: float
    tags: tuple[str, ...]

    @property
    def script(self) -> str:
        return "traditional" if "traditional" in self.tags else "mainland"

    def sentence(self) -> tuple[str, int, int, str]:
        """(sentence, start, end, label) of the expected span."""
        if self.kind == "percent":
            lead, surface, label = "完成率为", self.text, "PERCENT"
        else:
            lead, label = "本年度该项目资金为", "MONEY"
            surface = self.text if self.kind == "currency" else self.text + "元"
        return lead + surface + "。", len(lead), len(lead) + len(surface), label


def load_cases() -> list[Case]:
    cases = []
    for line in SUITE.read_text(encoding="utf-8").splitlines():
        if line.strip():
            d = json.loads(line)
            cases.append(Case(d["kind"], d["text"], float(d["value"]), tuple(d.get("tags", ()))))
    return cases


CASES = load_cases()


def judge(case: Case) -> tuple[str, str]:
    """('right' | 'wrong' | 'missed', what came out)."""
    sentence, start, end, label = case.sentence()
    outcome, seen = "missed", []
    for s, e, lab in value_matches(sentence):
        if e <= start or s >= end:
            continue  # not over the expression
        try:
            value = normalise(sentence, s, e, lab).value
        except NormaliseError as err:
            seen.append(f"{sentence[s:e]!r} {lab}: NormaliseError {err}")
            continue
        seen.append(f"{sentence[s:e]!r} {lab} = {value!r}")
        exact = (s, e, lab) == (start, end, label) and abs(value - case.value) <= 1e-9 * max(1.0, abs(case.value))
        if not exact:
            return "wrong", "; ".join(seen)
        outcome = "right"
    return outcome, "; ".join(seen) or "no span"


@pytest.mark.parametrize("case", CASES, ids=[f"{c.kind}-{c.text}" for c in CASES])
def test_peer_case(case):
    sentence, start, end, _ = case.sentence()
    outcome, seen = judge(case)
    assert outcome == "right", f"{sentence}: expected {sentence[start:end]!r} = {case.value!r}, got {seen}"


def test_peer_suite_share_right_and_nothing_silently_wrong():
    tally = Counter(judge(c)[0] for c in CASES)
    assert tally["wrong"] == 0, tally
    assert tally["right"] / len(CASES) >= 0.98, tally


def main() -> None:
    tally: Counter[tuple[str, str]] = Counter()
    for case in CASES:
        outcome, seen = judge(case)
        tally[case.script, outcome] += 1
        if outcome != "right":
            print(f"{outcome:6} {case.kind:8} {case.text!r} = {case.value!r}: {seen}")
    for script in ("mainland", "traditional"):
        n = sum(v for (sc, _), v in tally.items() if sc == script)
        print(f"{script:11} {n:3} cases: right {tally[script, 'right']}, wrong {tally[script, 'wrong']}, "
              f"missed {tally[script, 'missed']}")


if __name__ == "__main__":
    main()
