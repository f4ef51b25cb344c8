"""``unmet``: an indicator whose actual value misses its target, comparator respected."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.checks.report import _HEADING, _ITEM, Check, _indicator_ids, _Report
from pipeline.document import Span

_SCOPE_WORDS = re.compile(r"^(?:全年|年度|本年度|本年|当年|全区|全县|全市|全省|全局)")
_AMBIGUOUS_DIRECTION = re.compile(r"变动率|变化率|偏差率")
# …a ratio of reduction is better when higher (亿元GDP事故死亡率下降比例)
_REDUCTION = re.compile(r"下降|降低|减少|压减|减幅|降幅")
_NEGATED = re.compile(r"不合格|不达标|未达标|未完成")
# The head noun decides: 投诉人满意度 is a satisfaction rate, 受灾群众投诉率 a complaint rate.
_GOOD_HEAD = re.compile(
    r"(?:满意度|满意率|完成率|执行率|办结率|整改率|合格率|达标率|覆盖率|及时率|准确率|到位率|知晓率|处置率"
    r"|通过率|优良率|保存率|利用率|普及率|巩固率|验收率|签收率|兑现率|兑付率|发放率|拨付率|支付率|在线率|完好率"
    r"|受检率|检验率|参与率|入园率|留用率|就业率|消除率|回收率|公开率|响应率|救助率|扑灭率)$"
)
# An indicator named for something bad: lower is better when its target has no comparator.
_LOWER_BETTER = re.compile(
    r"辍学|死亡|事故|投诉|发生率|不合格|返工|损耗|逾期|失业|结余|结转|差错|错误|误报|漏报|超标|违规|违法"
    r"|受害|成灾|空置|闲置|流失|债务|负债|控制率|控制数|成本|费用|损失|发病|感染"
)
_FUTURE = re.compile(r"力争|争取|确保|下一步|今后|下年度|明年|以后年度")
_MISS_WORDS = re.compile(r"未达|低于|未完成|不足")
_CMP_SIGN = {">=": "≥", ">": "＞", "<=": "≤", "<": "＜", "=": ""}


def _name(rep: _Report, span: Span) -> str:
    name = re.sub(r"[\s“”\"‘’'《》]", "", rep.surface(span))
    return _SCOPE_WORDS.sub("", name)


def _higher_is_better(name: str) -> bool | None:
    """The direction of an indicator, from its name (None: cannot tell)."""
    if _AMBIGUOUS_DIRECTION.search(name):
        return None
    if _REDUCTION.search(name):
        return True
    if _NEGATED.search(name):
        return False
    if _GOOD_HEAD.search(name):
        return True
    return not _LOWER_BETTER.search(name)


def _meets(target: Span, actual: Span, name: str) -> bool | None:
    """Whether the actual meets the target (None when it cannot be judged)."""
    t = float(target.value)
    cmp = target.cmp or "="
    higher = _higher_is_better(name)
    if (higher is True and cmp in ("<", "<=")) or (higher is False and cmp in (">", ">=")):
        return None  # a bound against the indicator's direction is a condition (对执行率低于80%的项目…)
    if cmp == "=":
        if target.label == "MONEY":
            return None  # a standard or a budget: spending less is not a miss
        if t == 0:
            higher = False
        if higher is None:
            return None
        cmp = ">=" if higher else "<="
    # the actual as the range it states: 85%以上 is anything from 85% up
    lo = float("-inf") if actual.cmp in ("<=", "<") else float(actual.value)
    hi = float("inf") if actual.cmp in (">=", ">") else float(actual.value)
    eps = 1e-9 * max(1.0, abs(t))
    if cmp == ">=":
        return hi >= t - eps
    if cmp == ">":
        return hi > t + eps
    if cmp == "<=":
        return lo <= t + eps
    return lo < t - eps  # "<"


def _compatible(a: str, b: str) -> int:
    """2 for the same name, 1 when one is the short form of the other (执行率, 预算执行率), else 0."""
    if a == b:
        return 2
    short, long = sorted((a, b), key=len)
    return 1 if len(short) >= 3 and long.endswith(short) else 0


def _item_bounds(rep: _Report, pos: int) -> tuple[int, int] | None:
    """The numbered prose item (``8. 预算执行率（10分）：…``) that contains pos."""
    text = rep.text
    start = None
    for s in reversed([s for s in rep.line_starts if s <= pos]):
        if _HEADING.match(text[s : s + 12]):
            return None
        if _ITEM.match(text[s : s + 6]):
            start = s
            break
    if start is None:
        return None
    later = [s for s in rep.line_starts if s > start and (_HEADING.match(text[s : s + 12]) or _ITEM.match(text[s : s + 6]))]
    return start, later[0] if later else len(text)


def _future(rep: _Report, span: Span) -> bool:
    """A value stated as a later aim (力争…, 确保…, 下一步…), not as this report's target."""
    start, _ = rep.sentence(span.start)
    return bool(_FUTURE.search(rep.text[start : span.start]))


def _pair_edges(rep: _Report) -> list[tuple[int, int, Span, Span, str]]:
    """Candidate (strength, distance, target, actual, indicator name) pairs.

    4: both link to the same INDICATOR span (a table row). 3/2: linked to mentions of the same
    name / one the short form of the other (执行率 of 预算执行率), in the same section, or for the
    same project where the target's sentence states the miss (执行率未达到95%的目标). 2: a change
    against the target of its split name (亿元GDP事故死亡率下降24% against 亿元GDP事故死亡率
    下降比例≥5%). 1: the one PERCENT target and the one PERCENT actual of a numbered item headed
    by an indicator (``1. 监管执法完成率（10分）：…≥99%…执行计划任务完成率100%``).
    Values of different projects never pair.
    """
    edges = []
    targets = [v for v in rep.values if v.role == "target"]
    for actual in rep.values:
        if actual.role not in ("actual", "change") or actual.approx:
            continue
        a_inds = rep.indicators.get(actual.id, [])
        a_ids = {i.id for i in a_inds}
        a_proj = rep.projects.get(actual.id, set())
        count = len(edges)
        for target in targets:
            if target.label != actual.label or (target.per or None) != (actual.per or None):
                continue
            t_proj = rep.projects.get(target.id, set())
            if a_proj and t_proj and not a_proj & t_proj:
                continue
            t_inds = rep.indicators.get(target.id, [])
            same_section = rep.section(target.start) == rep.section(actual.start)
            strength, name = 0, ""
            if actual.role == "change":
                for ti in t_inds:
                    for ai in a_inds:
                        tn, an = _name(rep, ti), _name(rep, ai)
                        if same_section and tn != an and tn.startswith(an) and _REDUCTION.search(tn[len(an) :]):
                            strength, name = 2, tn
            elif a_ids & {i.id for i in t_inds}:
                strength, name = 4, _name(rep, next(i for i in t_inds if i.id in a_ids))
            elif _future(rep, target):
                continue
            elif same_section or (a_proj & t_proj and _MISS_WORDS.search(rep.text[slice(*rep.sentence(target.start))])):
                for ti in t_inds:
                    for ai in a_inds:
                        c = _compatible(_name(rep, ti), _name(rep, ai))
                        if c and c + 1 > strength:
                            strength, name = c + 1, max(_name(rep, ti), _name(rep, ai), key=len)
            if strength:
                edges.append((strength, abs(target.start - actual.start), target, actual, name))
        if len(edges) == count and actual.label == "PERCENT" and actual.role == "actual":
            bounds = _item_bounds(rep, actual.start)
            if bounds is None:
                continue
            inside = rep.values_in(*bounds, "PERCENT")
            ts = [v for v in inside if v.role == "target" and rep.indicators.get(v.id)]
            acts = [v for v in inside if v.role == "actual" and rep.indicators.get(v.id)]
            bracket = rep.text.find("（", bounds[0], bounds[1])
            headed = bracket > 0 and _indicator_ids(rep, bounds[0], bracket)
            if headed and len(ts) == 1 and acts == [actual]:
                edges.append((1, abs(ts[0].start - actual.start), ts[0], actual, _name(rep, rep.indicators[ts[0].id][0])))
    return edges


@dataclass
class Pair:
    """A target and the actual it is judged against, the indicator's name, and whether it is met
    (None: not judged — a money standard, an approximate actual, a direction the name does not tell)."""

    target: Span
    actual: Span
    name: str
    met: bool | None


def _pairs(rep: _Report) -> list[Pair]:
    """Targets and actuals paired one to one, strongest and nearest first, so that a target already
    met in its own table row is not compared with another row's value."""
    used: set[str] = set()
    out = []
    for _, _, target, actual, name in sorted(_pair_edges(rep), key=lambda e: (-e[0], e[1])):
        if target.id in used or actual.id in used:
            continue
        used |= {target.id, actual.id}
        out.append(Pair(target, actual, name, _meets(target, actual, name)))
    return out


def _unmet_checks(rep: _Report) -> list[Check]:
    """An indicator whose actual value misses its target, comparator respected.

    Targets and actuals pair as :func:`_pairs` says. The same miss told twice (table row and
    prose) is one finding naming the spans of both.
    """
    found: dict[tuple[str, float, float], Check] = {}
    for pair in _pairs(rep):
        target, actual, name = pair.target, pair.actual, pair.name
        if pair.met is not False:
            continue
        key = (name, round(float(target.value), 9), round(float(actual.value), 9))
        ind_ids = [i.id for i in rep.indicators.get(actual.id, []) + rep.indicators.get(target.id, [])]
        if key in found:
            found[key].spans = list(dict.fromkeys([*found[key].spans, target.id, actual.id, *ind_ids]))
            continue
        rule = ""
        if (target.cmp or "=") == "=":
            lower = _higher_is_better(name) is False or float(target.value) == 0
            rule = f"（目标未写比较符，按{'越低越好' if lower else '越高越好'}判断）"
        projects = sorted(rep.projects.get(actual.id, set()) | rep.projects.get(target.id, set()))
        where = f"（{'、'.join(projects)}）" if projects else ""
        found[key] = Check(
            "unmet",
            list(dict.fromkeys([target.id, actual.id, *ind_ids])),
            f"{name or '指标'}{where}实际完成值{rep.surface(actual)}未达到目标值"
            f"{_CMP_SIGN.get(target.cmp or '=', '')}{rep.surface(target)}{rule}",
        )
    return list(found.values())
