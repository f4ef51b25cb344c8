"""Role of a value (target / actual / change / other) from its context.

Two classifiers with one interface, ``predict(text, values) -> roles``:
- ``CueRoleClassifier``: the cue-word rule baseline (nearest cue before the value wins);
- ``LearnedRoleClassifier``: logistic regression over character n-grams of the context
  windows and the cue features, trained on the gold roles.
``make train`` measures both by leave-one-report-out and keeps the better one.
"""

from __future__ import annotations

import bisect
import re
from functools import lru_cache
from pathlib import Path

from sklearn.base import BaseEstimator
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from pipeline.document import Document
from pipeline.persist import load_kind, save_kind

ROLE_CUES: dict[str, tuple[str, ...]] = {
    "change": ("同比", "增长", "下降", "减少", "增加", "比上年", "较上年", "降低", "提高", "上升", "增幅", "降幅"),
    "other": ("占", "结余", "结转", "罚款", "处罚", "损失", "比重", "比例为"),
    "target": ("预算", "目标", "设定值", "计划", "下达", "安排", "标准", "不低于", "不少于", "≥", "拟", "指标值",
               "控制在", "追加", "调整", "补助", "每人每月", "批复"),
    "actual": ("实际", "支付", "支出", "完成", "达到", "达", "决算", "执行", "到位", "拨付", "发放", "兑现", "为",
               "使用", "实现", "累计", "共计"),
}
_CLAUSE_END = re.compile(r"[，,。；;！？!?\n：:]")
MODEL_FILE = "role_model.pkl"
_VALUE_LIKE = re.compile(r"[0-9]+(?:\.[0-9]+)?(?:万元|元|%|亿元)")


def _left_clause(text: str, start: int, max_chars: int = 30) -> str:
    """The text before a value back to the previous clause break (at most ``max_chars``)."""
    window = text[max(0, start - max_chars) : start]
    parts = _CLAUSE_END.split(window)
    return parts[-1] if parts else ""


def cue_role(text: str, start: int, end: int) -> str:
    left = _left_clause(text, start)
    if "占" in left:
        return "other"  # a share: whatever stands between 占 and the value is its base
    best, best_pos = "actual", -1
    for role, cues in ROLE_CUES.items():
        for cue in cues:
            pos = left.rfind(cue)
            # a later (nearer) cue wins; at equal positions the longer cue wins
            if pos != -1 and pos + len(cue) > best_pos:
                best, best_pos = role, pos + len(cue)
    right = text[end : end + 4]
    if right.startswith(("以上", "及以上")) and best == "actual" and "设定" in left:
        best = "target"
    return best


class CueRoleClassifier:
    name = "cue-word rules"

    def predict(self, text: str, values: list[tuple[int, int, str]]) -> list[str]:
        return [cue_role(text, s, e) for s, e, _ in values]

    def save(self, path: str | Path) -> None:
        save_kind(path, MODEL_FILE, "cue")


def context_features(text: str, start: int, end: int, label: str) -> dict[str, float]:
    feats: dict[str, float] = {f"label={label}": 1.0, f"cue={cue_role(text, start, end)}": 1.0}
    left = _left_clause(text, start, 24)
    near, far = left[-6:], left[:-6]
    right = text[end : end + 6]
    for name, chunk in (("ln", near), ("lf", far), ("r", right)):
        for n in (1, 2, 3):
            for i in range(len(chunk) - n + 1):
                feats[f"{name}{n}={chunk[i:i + n]}"] = 1.0
    feats["left_empty"] = float(not left.strip())
    # Breakdowns inherit the role of the sentence's lead-in (年初预算数X万元，其中：A Y万元…),
    # and a bare amount followed by 已支付… is the budget of the pair.
    sent_start = max(text.rfind(ch, 0, start) for ch in "。；;\n") + 1
    lead = text[sent_start:start]
    first = min(((lead.find(c), role) for role, cues in ROLE_CUES.items() for c in cues if c in lead), default=None)
    if first:
        feats[f"sentence_first_cue={first[1]}"] = 1.0
    if "其中" in lead:
        feats["after_qizhong"] = 1.0
    right_clause = _CLAUSE_END.split(text[end : end + 16])
    nxt = right_clause[1] if len(right_clause) > 1 else ""
    for role, cues in ROLE_CUES.items():
        if any(c in nxt[:6] for c in cues):
            feats[f"next_clause_cue={role}"] = 1.0
    n_before = min(len(_VALUE_LIKE.findall(lead)), 3)
    feats[f"values_before_in_sentence={n_before}"] = 1.0
    # The section a value sits in says much of its role (``三、绩效指标完成情况`` vs ``二、绩效目标``):
    # bigrams of the nearest heading above it.
    heading = _heading_above(text, start)
    for i in range(len(heading) - 1):
        feats[f"hd2={heading[i:i + 2]}"] = 1.0
    return feats


_HEADING = re.compile(r"(?m)^[ \t\u3000]*(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十]+[）)]|第[一二三四五六七八九十]+[部章节])"
                      r"[^\n。；]{1,30}$")


def _heading_above(text: str, start: int, reach: int = 3000) -> str:
    """The nearest heading line before ``start`` (within ``reach`` characters), or ''."""
    starts, lines = _headings(text)
    i = bisect.bisect_right(starts, start - 1) - 1
    if i < 0 or starts[i] < start - reach:
        return ""
    return lines[i]


@lru_cache(maxsize=4)  # every value of a text asks for the same headings
def _headings(text: str) -> tuple[list[int], list[str]]:
    found = [(m.start(), m.group(0).strip()[-20:]) for m in _HEADING.finditer(text)]
    return [p for p, _ in found], [h for _, h in found]


class LearnedRoleClassifier(BaseEstimator):
    """scikit-learn conventions: ``__init__`` stores parameters, ``fit`` sets ``model_`` and
    ``chosen_C_``; ``get_params``/``set_params`` come from ``BaseEstimator``."""

    name = "logistic regression over context n-grams"

    C_GRID = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0)

    def __init__(self, seed: int = 0, C: float | None = None):
        """``C=None`` picks the regularisation by grouped cross-validation on the training documents."""
        self.seed = seed
        self.C = C

    def _pipeline(self, C: float):
        return make_pipeline(DictVectorizer(), LogisticRegression(C=C, max_iter=2000, random_state=self.seed))

    def fit(self, docs: list[Document]) -> LearnedRoleClassifier:
        X, y, groups = [], [], []
        for doc in docs:
            for s in doc.spans:
                if s.is_value and s.role:
                    X.append(context_features(doc.text, s.start, s.end, s.label))
                    y.append(s.role)
                    groups.append(doc.id)
        C = self.C
        if C is None:
            # folds never split a document, so the choice is made on reports the fold did not see
            from sklearn.model_selection import GroupKFold, cross_val_score

            n_splits = min(5, len(set(groups)))
            if n_splits >= 2:
                scores = {c: cross_val_score(self._pipeline(c), X, y, groups=groups, cv=GroupKFold(n_splits)).mean()
                          for c in self.C_GRID}
                C = max(scores, key=lambda c: (scores[c], -c))
            else:
                C = 1.0
        self.chosen_C_ = C
        self.model_ = self._pipeline(C).fit(X, y)
        return self

    def predict(self, text: str, values: list[tuple[int, int, str]]) -> list[str]:
        if not values:
            return []
        return list(self.model_.predict([context_features(text, s, e, lab) for s, e, lab in values]))

    def save(self, path: str | Path) -> None:
        # The file holds only the fitted scikit-learn pipeline (the format of every saved model);
        # seed and chosen C are read back from it, so they need no field of their own.
        save_kind(path, MODEL_FILE, "learned", model=self.model_)

    @classmethod
    def from_fitted(cls, model) -> LearnedRoleClassifier:
        """A classifier around a fitted pipeline, with its learned and constructor state restored."""
        lr = model[-1]
        clf = cls(seed=lr.random_state)
        clf.model_ = model
        clf.chosen_C_ = lr.C
        return clf


def load_role_classifier(path: str | Path) -> CueRoleClassifier | LearnedRoleClassifier:
    data = load_kind(path, MODEL_FILE)
    if data["kind"] == "cue":
        return CueRoleClassifier()
    return LearnedRoleClassifier.from_fitted(data["model"])


def role_accuracy(clf, docs: list[Document]) -> tuple[int, int]:
    """(correct, total) over the gold value spans of ``docs``."""
    correct = total = 0
    for doc in docs:
        values = [s for s in doc.spans if s.is_value]
        pred = clf.predict(doc.text, [(s.start, s.end, s.label) for s in values])
        correct += sum(p == s.role for p, s in zip(pred, values))
        total += len(values)
    return correct, total
