"""PROJECT spans that own an amount, and every mention of a found name.

The span tagger learns titles that look like titles (``…项目``, ``…资金``, ``…经费``). Real reports
also name spending items that own an amount and nothing else marks them: ``婚姻登记服务绩效目标
6万元``, ``冬春生活救助支出1.95万元``, ``孤儿保障资金3.60万元；敬老院运行经费18.20万元``. This
module proposes, for every amount, the name written directly before it (a *candidate*), and a
logistic regression over the candidate's own characters and its link to the amount (the filler
between them: ``绩效目标``, ``支出``, ``预算``…) says whether it is a PROJECT (SCHEMA §2: "a named
spending item that has an amount of its own"). It is trained from the gold corpus with the
tagger, and measured with and without in ``make cv``.

:func:`propagate` then marks the other mentions of each found name (SCHEMA: every mention is a span).
"""

from __future__ import annotations

import pickle
import re
from dataclasses import dataclass
from pathlib import Path

from pipeline.rules import value_matches

# What stands between a name and its amount (longest first).
_FILLERS = ("绩效目标为", "绩效目标", "年初预算", "全年预算", "实际支出", "全年支出", "累计支出", "预算", "支出",
            "安排", "下达", "共计", "合计", "共", "计", "为", "达", "")
_NAME = r"[\u4e00-\u9fff（）()“”\"A-Za-z0-9·]"
_LEFT = re.compile(rf"({_NAME}{{2,40}}?)(" + "|".join(f for f in _FILLERS if f) + r")?[\s:：]*$")
# Words that open a clause before the name; they are not part of it.
_LEAD = re.compile(r"^(?:其中|用于|包括|主要用于|安排|下达|拨付|支付|兑付|发放|完成|实际|全年|本年度?|年初|当年|我局|本局|本部门|"
                   r"另|及|和|与|对|向|为|将|是|按|共|已|均|分别|以及|另有|此外|中央|省级?|市级?|县级?)+")
_DIGIT_START = re.compile(r"^[0-9A-Za-z]+")
_HEADS = ("项目", "资金", "经费", "补助", "补贴", "奖励", "奖补", "专项", "工程", "建设", "服务", "救助", "保障", "运行", "维护",
          "购置", "培训", "宣传", "改造", "工作", "费")
_BUDGET_LINES = ("人员经费", "公用经费", "基本支出", "项目支出", "财政拨款", "一般公共预算", "政府性基金", "上年结转", "结转", "结余",
                 "三公", "预算", "决算", "收入", "支出合计", "总额", "合计", "本级", "部门", "单位")


@dataclass(frozen=True)
class Candidate:
    start: int
    end: int
    filler: str  # the words between the name and its amount
    amount: tuple[int, int]


def candidates(text: str) -> list[Candidate]:
    """For each MONEY amount, the name written directly before it, if any."""
    out = []
    for a_start, a_end, label in value_matches(text):
        if label != "MONEY":
            continue
        left_start = max(0, a_start - 60)
        left = text[left_start:a_start]
        # the name does not cross punctuation, a line break or another number
        cut = max(left.rfind(ch) for ch in "，。；、：:,;\n\t|（(）)") + 1
        piece = left[cut:]
        match = _LEFT.search(piece)
        if not match:
            continue
        start = left_start + cut + match.start(1)
        end = left_start + cut + match.end(1)
        name = text[start:end]
        lead = _LEAD.match(name)
        if lead:
            start += lead.end()
        digits = _DIGIT_START.match(text[start:end])
        if digits:  # a budget code or list number in front
            start += digits.end()
            while start < end and text[start] in "-—_.、 ":
                start += 1
        if end - start >= 2:
            out.append(Candidate(start, end, match.group(2) or "", (a_start, a_end)))
    return out


def features(text: str, c: Candidate) -> dict[str, float]:
    name = text[c.start : c.end]
    f = {
        "filler=" + c.filler: 1.0,
        "last1=" + name[-1:]: 1.0,
        "last2=" + name[-2:]: 1.0,
        "first1=" + name[:1]: 1.0,
        "first2=" + name[:2]: 1.0,
        "prev=" + text[c.start - 1 : c.start]: 1.0,
        "len=" + str(min(len(name), 16) // 3): 1.0,
        "head": float(any(name.endswith(h) for h in _HEADS)),
        "has_head": float(any(h in name for h in _HEADS)),
        "budget_line": float(any(w in name for w in _BUDGET_LINES)),
        "list": float(text[c.start - 1 : c.start] in "；;、" or text[c.amount[1] : c.amount[1] + 1] in "；;、"),
        "qizhong": float("其中" in text[max(0, c.start - 30) : c.start]),
        "org": float(bool(re.search(r"(?:局|委|办|中心|政府|委员会|所|站|院|队)$", name))),
    }
    return f


class ProjectOwnerModel:
    """Logistic regression over candidate features; ``fit`` learns from gold documents."""

    def __init__(self, threshold: float = 0.5, C: float = 1.0):
        self.threshold = threshold
        self.C = C

    def fit(self, docs) -> ProjectOwnerModel:
        from sklearn.feature_extraction import DictVectorizer
        from sklearn.linear_model import LogisticRegression

        X, y = [], []
        for doc in docs:
            gold = {(s.start, s.end) for s in doc.spans if s.label == "PROJECT"}
            for c in candidates(doc.text):
                X.append(features(doc.text, c))
                y.append(int((c.start, c.end) in gold))
        self.vectorizer_ = DictVectorizer()
        self.model_ = LogisticRegression(C=self.C, max_iter=2000, class_weight="balanced", random_state=0)
        if len(set(y)) < 2:
            self.model_ = None
            return self
        self.model_.fit(self.vectorizer_.fit_transform(X), y)
        return self

    def predict(self, text: str) -> list[tuple[int, int, float]]:
        if getattr(self, "model_", None) is None:
            return []
        found = candidates(text)
        if not found:
            return []
        probs = self.model_.predict_proba(self.vectorizer_.transform([features(text, c) for c in found]))[:, 1]
        return [(c.start, c.end, float(p)) for c, p in zip(found, probs) if p >= self.threshold]

    def save(self, path: str | Path) -> None:
        Path(path).mkdir(parents=True, exist_ok=True)
        with open(Path(path) / "project_owner.pkl", "wb") as f:
            pickle.dump(self, f)

    @staticmethod
    def load(path: str | Path) -> ProjectOwnerModel:
        with open(Path(path) / "project_owner.pkl", "rb") as f:
            return pickle.load(f)


def propagate(text: str, names: list[tuple[int, int, str]], taken: list[tuple[int, int]],
              min_length: int = 4) -> list[tuple[int, int, str]]:
    """Other mentions of the INDICATOR/PROJECT names found, where no span stands yet."""
    added: list[tuple[int, int, str]] = []
    occupied = sorted(taken)
    seen = set()
    for start, end, label in names:
        name = text[start:end]
        if len(name) < min_length or (name, label) in seen:
            continue
        seen.add((name, label))
        for m in re.finditer(re.escape(name), text):
            s, e = m.start(), m.end()
            if any(s < b and a < e for a, b in occupied):
                continue
            # a mention inside a longer CJK word is a different name (…资金 inside …资金项目 is fine)
            if s > 0 and re.match(r"[\u4e00-\u9fff]", text[s - 1]) and label == "INDICATOR":
                continue
            added.append((s, e, label))
            occupied.append((s, e))
    return added


# A form or attachment title names the project it evaluates (SCHEMA §4b: the span ends at 项目;
# ``…项目支出绩效自评表`` loses 项目支出 too): ``17.2022年中央自然灾害救灾资金（旱灾）项目绩效自评表``.
_FORM_TITLE = re.compile(r"(?m)^[ \t\u3000]*(?:附件|附表)?\s*\d{0,3}[.、．:：]?\s*(?P<name>[^\n，。；;]{2,60}?)"
                         r"(?:项目支出)?(?:绩效)?自评(?:表|报告|情况)")
_WHOLE_UNIT = ("部门整体", "单位整体", "整体支出", "部门（单位）", "部门预算")
# A reporting unit in front of the title: ``某县农业农村局2023年度…``.
# (a department, not a subordinate unit: ``…应急救援支队…装修项目`` is the project's own title)
_UNIT_PREFIX = re.compile(r"^.{1,20}?(?:局|委员会|委|办公室|政府|办事处|联合会)(?=\d{4}|[\u4e00-\u9fff]{2})")
_ORG_END = re.compile(r"(?:局|委员会|委|办公室|中心|院|政府|办事处|联合会|馆|队|站|所|处|股|室|科)$")
_OWNS_AMOUNT = re.compile(r"^(?:绩效目标|支出|预算|共|合计|安排|下达|实际支出)?[\s：:]*[-－负]?[0-9零〇一二两三四五六七八九十百千万壹贰叁肆伍陆柒捌玖拾佰仟]")


def title_projects(text: str) -> list[tuple[int, int]]:
    """The projects named by form and attachment titles."""
    out = []
    for m in _FORM_TITLE.finditer(text):
        start, end = m.span("name")
        name = text[start:end]
        if any(w in name for w in _WHOLE_UNIT):
            continue
        prefix = _UNIT_PREFIX.match(name)
        if prefix and not re.search(r"项目|资金|经费|专项|补助|补贴", name[: prefix.end()]):
            start += prefix.end()
        name = text[start:end]
        name = re.sub(r"^\d{4}年度?(?=项目$)", "", name)
        if len(name) < 4 or name.endswith(("年度", "年")) or _ORG_END.search(name) or name in ("项目", "项目支出"):
            continue
        out.append((start, end))
    return out


def is_organisation(text: str, start: int, end: int) -> bool:
    """A unit's name used as a name (its duties, its structure), not as a spending item: SCHEMA §2
    makes a subordinate unit a PROJECT only where it owns an amount (``…中心绩效目标14万元``)."""
    name = text[start:end]
    if not _ORG_END.search(name) or re.search(r"项目|资金|经费|专项|补助|补贴|建设|工程", name):
        return False
    return not _OWNS_AMOUNT.match(text[end : end + 12])
