"""Link stage: attach each MONEY/PERCENT value to its INDICATOR(s) and PROJECT(s).

- ``Layout``: the report's structure (sentences, clauses, lines, numbered items, table rows
  and column headers), computed once per text.
- ``candidates``: for a value, the mentions it could belong to: its own sentence, earlier
  mentions in its line, numbered item and the items enclosing it, its table row/column.
- ``RuleLinker``: SCHEMA.md's "which mention" rule taken literally (nearest mention in the
  sentence, else the nearest earlier one up the item tree) — the baseline.
- ``LearnedLinker``: logistic regression over pair features, decoded with the structure:
  one best mention per type, plus mentions coordinated with it (、/和/及), one per name.
- ``perfreport_linker`` (``pipeline.link_component``): the spaCy component that runs either.
"""

from __future__ import annotations

import bisect
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from sklearn.base import BaseEstimator
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from pipeline.document import NAME_LABELS, TAIL_TYPE, Document, Relation
from pipeline.persist import load_kind, save_kind
from pipeline.table_cells import split_cells
from pipeline.tables import read_tables, table_relations

SENTENCE_END = set("。；！？;!?\n")
CLAUSE_END = SENTENCE_END | set("，,：:")
CUES = ("共", "合计", "其中", "分别", "为", "达", "总计", "累计", "用于", "支付", "预算", "占")
# Numbered-item markers, outermost first: 一、  （一）  1. / 1、  （1）  ①  一是
ITEM_MARKERS = [
    re.compile(r"[一二三四五六七八九十]+[、.．]"),
    re.compile(r"[（(][一二三四五六七八九十]+[）)]"),
    re.compile(r"\d{1,2}(?:[.．、](?!\d)|\s)"),
    re.compile(r"[（(]\d{1,2}[）)]"),
    re.compile(r"[①②③④⑤⑥⑦⑧⑨⑩]"),
]
MODEL_FILE = "linker.pkl"


@dataclass
class Mention:
    start: int
    end: int
    label: str
    text: str


@dataclass
class Layout:
    """Where each character sits: sentence, clause, line, numbered item path, table cell."""

    text: str
    sentence_starts: list[int] = field(default_factory=list)
    clause_starts: list[int] = field(default_factory=list)
    line_starts: list[int] = field(default_factory=list)
    # per line: item path as a tuple of line indexes of the enclosing item heads (outermost first)
    line_items: list[tuple[int, ...]] = field(default_factory=list)
    line_level: list[int | None] = field(default_factory=list)
    # per line: index of the first line of its table block, or None; and its cells' starts. Rows
    # come from the table layer (pipeline.table_cells), so tab, | and space-separated rows count alike.
    table_head: list[int | None] = field(default_factory=list)
    cell_starts: dict[int, list[int]] = field(default_factory=dict)

    @classmethod
    def of(cls, text: str) -> Layout:
        lay = cls(text)
        lay.sentence_starts = [0] + [i + 1 for i, ch in enumerate(text) if ch in SENTENCE_END]
        lay.clause_starts = [0] + [i + 1 for i, ch in enumerate(text) if ch in CLAUSE_END]
        lay.line_starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
        for cell in split_cells(text):
            lay.cell_starts.setdefault(cell.line, []).append(cell.start)
        stack: list[tuple[int, int]] = []  # (level, line index)
        block_head = None
        for n, start in enumerate(lay.line_starts):
            end = text.find("\n", start)
            stripped = text[start : end if end != -1 else len(text)].lstrip()
            level = next((lv for lv, rx in enumerate(ITEM_MARKERS) if rx.match(stripped)), None)
            if level is not None:
                while stack and stack[-1][0] >= level:
                    stack.pop()
                stack.append((level, n))
            lay.line_level.append(level)
            lay.line_items.append(tuple(ln for _, ln in stack))
            is_row = len(lay.cell_starts.get(n, ())) > 1
            block_head = (n if block_head is None else block_head) if is_row else None
            lay.table_head.append(block_head)
        return lay

    def index(self, starts: list[int], pos: int) -> int:
        return bisect.bisect_right(starts, pos) - 1

    def sentence(self, pos: int) -> int:
        return self.index(self.sentence_starts, pos)

    def clause(self, pos: int) -> int:
        return self.index(self.clause_starts, pos)

    def line(self, pos: int) -> int:
        return self.index(self.line_starts, pos)

    def column(self, pos: int) -> int:
        return max(0, self.index(self.cell_starts.get(self.line(pos), []), pos))

    def item_path(self, pos: int) -> tuple[int, ...]:
        return self.line_items[self.line(pos)]


def in_scope(lay: Layout, value: Mention, m: Mention) -> bool:
    """SCHEMA §4's reach: the value's sentence, else earlier text in its item or an enclosing item."""
    if lay.sentence(m.start) == lay.sentence(value.start):
        return True
    if m.start > value.start:
        return False
    v_line, m_line = lay.line(value.start), lay.line(m.start)
    if v_line == m_line:
        return True
    v_path, m_line_path = lay.item_path(value.start), lay.item_path(m.start)
    v_head = lay.table_head[v_line]
    if v_head is not None and m_line == v_head:
        return True  # a column header of the value's table
    if m_line in v_path:
        return True  # the heading line of an enclosing item
    # an earlier line inside the same innermost item (or an earlier sibling within the enclosing item)
    return bool(v_path) and bool(m_line_path) and m_line_path[: len(v_path) - 1] == v_path[:-1] and (
        m_line_path[-1] >= (v_path[-2] if len(v_path) > 1 else 0)) and m_line >= v_path[0]


def candidates(lay: Layout, value: Mention, mentions: list[Mention], max_distance: int = 1500) -> list[Mention]:
    return [m for m in mentions if abs(m.start - value.start) <= max_distance and in_scope(lay, value, m)]


def _between(text: str, a: Mention, b: Mention) -> str:
    lo, hi = (a.end, b.start) if a.start < b.start else (b.end, a.start)
    return text[lo:hi] if hi > lo else ""


def _count_between(starts: list[int], lo: int, hi: int) -> int:
    """How many of the sorted ``starts`` lie strictly between lo and hi."""
    return max(0, bisect.bisect_left(starts, hi) - bisect.bisect_right(starts, lo))


def pair_features(lay: Layout, value: Mention, role: str | None, m: Mention, value_starts: list[int],
                  same_type: list[Mention]) -> dict[str, float]:
    text = lay.text
    lo, hi = min(value.start, m.start), max(value.end, m.end)
    type_starts = sorted(o.start for o in same_type)
    before = m.start < value.start
    dist = value.start - m.end if before else m.start - value.end
    between = _between(text, value, m)
    vs, ms = lay.sentence(value.start), lay.sentence(m.start)
    v_line, m_line = lay.line(value.start), lay.line(m.start)
    feats: dict[str, float] = {
        f"type={m.label}": 1.0,
        f"type_vlabel={m.label}_{value.label}": 1.0,
        f"type_role={m.label}_{role}": 1.0,
        "before": float(before),
        "log_dist": math.log1p(max(dist, 0)),
        "same_sentence": float(vs == ms),
        "same_clause": float(lay.clause(value.start) == lay.clause(m.start)),
        "same_line": float(v_line == m_line),
        "sentence_gap": float(min(abs(vs - ms), 10)),
        "line_gap": float(min(abs(v_line - m_line), 10)),
        "heading_of_item": float(m_line in lay.item_path(value.start) and m_line != v_line),
        "mention_line_is_item_head": float(lay.line_level[m_line] is not None),
        "values_between": float(min(_count_between(value_starts, lo, hi) - (lo < value.start < hi), 5)),
        "same_type_between": float(min(_count_between(type_starts, lo, hi) - (lo < m.start < hi), 5)),
        "n_comma_between": float(min(between.count("，") + between.count(","), 5)),
        "stop_between": float(any(ch in between for ch in "。；;")),
        "newline_between": float("\n" in between),
        "mention_in_quotes": float(text[max(0, m.start - 1) : m.start] in "“\"‘"),
    }
    for cue in CUES:
        if cue in between:
            feats[f"cue_between={cue}"] = 1.0
    left_of_value = text[max(0, value.start - 4) : value.start]
    for cue in ("共", "合计", "总计", "分别", "其中", "占", "为", "达"):
        if cue in left_of_value:
            feats[f"cue_left_value={cue}_{m.label}"] = 1.0
    # rank among same-type candidates on the same side: nearest = 0
    same_side = sorted(abs(o.start - value.start) for o in same_type if (o.start < value.start) == before)
    rank = same_side.index(abs(m.start - value.start)) if abs(m.start - value.start) in same_side else 9
    feats[f"rank_{'before' if before else 'after'}={min(rank, 4)}"] = 1.0
    v_path, m_path = lay.item_path(value.start), lay.item_path(m.start)
    feats["same_innermost_item"] = float(bool(v_path) and v_path == m_path)
    feats["sibling_item"] = float(bool(v_path) and bool(m_path) and v_path != m_path and m_line not in v_path)
    # what the metric measures: money is rarely the value of a 率/度/性 (it is what the rate is computed from)
    feats[f"mention_head={m.text[-1]}|{value.label}"] = 1.0
    in_sentence = [o for o in same_type if lay.sentence(o.start) == vs]
    feats["sentence_has_same_type"] = float(bool(in_sentence))
    if in_sentence:
        nearest = min(in_sentence, key=lambda o: abs(o.start - value.start))
        feats["nearest_in_sentence"] = float(nearest is m)
    v_head, m_head = lay.table_head[v_line], lay.table_head[m_line]
    if v_head is not None and v_head == m_head:
        feats["table_same_row"] = float(v_line == m_line)
        feats["table_header_same_column"] = float(m_line == v_head and lay.column(m.start) == lay.column(value.start))
        feats["table_header"] = float(m_line == v_head)
        # another data row names another item: its project is not this row's
        feats["table_other_row"] = float(m_line != v_line and m_line != v_head)
    return feats


def coordinated(text: str, a: Mention, b: Mention) -> bool:
    """True when only a coordinating mark lies between two mentions (A、B / A和B / A及B)."""
    return _between(text, a, b).strip() in ("、", "和", "及", "与", "以及", "，", ",")


class RuleLinker:
    name = "rule baseline (SCHEMA nearest mention)"

    def save(self, path: str | Path) -> None:
        save_kind(path, MODEL_FILE, "rule")

    def link(self, text: str, values: list[tuple[Mention, str | None]], mentions: list[Mention],
             lay: Layout | None = None) -> list[tuple[Mention, Mention, float]]:
        lay = lay or Layout.of(text)
        out = []
        for value, _role in values:
            for label in NAME_LABELS:
                cands = [m for m in candidates(lay, value, mentions) if m.label == label]
                if not cands:
                    continue
                same = [m for m in cands if lay.sentence(m.start) == lay.sentence(value.start)]
                pool = same or [m for m in cands if m.start < value.start]
                if not pool:
                    continue
                best = min(pool, key=lambda m: abs(m.start - value.start))
                out.append((value, best, 1.0))
                out += [(value, m, 1.0) for m in pool if m is not best and coordinated(text, best, m)]
        return out


class LearnedLinker(BaseEstimator):
    """scikit-learn conventions: ``__init__`` stores parameters, ``fit`` sets ``model_``."""

    name = "logistic regression over candidate pairs, structured decoding"

    def __init__(self, seed: int = 0, threshold: float = 0.5, max_candidates: int = 8):
        self.seed = seed
        self.threshold = threshold
        self.max_candidates = max_candidates

    def _pipeline(self):
        return make_pipeline(DictVectorizer(), LogisticRegression(C=1.0, max_iter=3000, random_state=self.seed,
                                                                  class_weight="balanced"))

    def _pairs(self, text, lay, values, mentions):
        value_starts = sorted(v.start for v, _ in values)
        for value, role in values:
            cands = candidates(lay, value, mentions)
            for label in NAME_LABELS:
                # the nearest few mentions of a type hold the gold tail (coordinated lists included);
                # scoring the far ones only costs time
                same_type = sorted((m for m in cands if m.label == label),
                                   key=lambda m: abs(m.start - value.start))[: self.max_candidates]
                same_type.sort(key=lambda m: m.start)
                for m in same_type:
                    yield value, m, pair_features(lay, value, role, m, value_starts, same_type)

    def fit(self, docs: list[Document]) -> LearnedLinker:
        X, y = [], []
        for doc in docs:
            lay = Layout.of(doc.text)
            values, mentions = document_mentions(doc)
            gold = {(r.head, r.tail) for r in doc.relations}
            ids = {(s.start, s.end): s.id for s in doc.spans}
            for value, m, feats in self._pairs(doc.text, lay, values, mentions):
                X.append(feats)
                y.append(int((ids[(value.start, value.end)], ids[(m.start, m.end)]) in gold))
        self.model_ = self._pipeline().fit(X, y)
        return self

    def link(self, text: str, values: list[tuple[Mention, str | None]], mentions: list[Mention],
             lay: Layout | None = None) -> list[tuple[Mention, Mention, float]]:
        lay = lay or Layout.of(text)
        pairs = list(self._pairs(text, lay, values, mentions))
        if not pairs:
            return []
        probs = self.model_.predict_proba([f for _, _, f in pairs])[:, 1]
        grouped: dict[tuple[int, str], list[tuple[Mention, Mention, float]]] = {}
        for (value, m, _), p in zip(pairs, probs):
            grouped.setdefault((value.start, m.label), []).append((value, m, float(p)))
        out = []
        for group in grouped.values():
            group.sort(key=lambda t: -t[2])
            value, best, p = group[0]
            if p < self.threshold:
                continue
            chosen = [(value, best, p)]
            names = {best.text}
            # coordinated names (A、B共X万元 / A率和B率100%): follow the chain from the best mention
            frontier = [best]
            while frontier:
                cur = frontier.pop()
                for v, m, q in group:
                    if m.text not in names and q >= self.threshold / 2 and coordinated(text, cur, m):
                        chosen.append((v, m, q))
                        names.add(m.text)
                        frontier.append(m)
            out += chosen
        return out

    def save(self, path: str | Path) -> None:
        save_kind(path, MODEL_FILE, "learned", model=self.model_, threshold=self.threshold,
                  max_candidates=self.max_candidates)


def load_linker(path: str | Path) -> RuleLinker | LearnedLinker:
    data = load_kind(path, MODEL_FILE)
    if data["kind"] == "rule":
        return RuleLinker()
    model = data["model"]
    # the seed is not a field of the file: it is the fitted regression's random_state
    linker = LearnedLinker(seed=model[-1].random_state, threshold=data["threshold"],
                           max_candidates=data.get("max_candidates", 8))
    linker.model_ = model
    return linker


def document_mentions(doc: Document) -> tuple[list[tuple[Mention, str | None]], list[Mention]]:
    values, mentions = [], []
    for s in sorted(doc.spans, key=lambda s: s.start):
        m = Mention(s.start, s.end, s.label, doc.text[s.start : s.end])
        if s.is_value:
            values.append((m, s.role))
        else:
            mentions.append(m)
    return values, mentions


def link_document(linker, doc: Document, tables: bool = True) -> Document:
    """A copy of ``doc`` with its relations replaced by the linker's (--link-only); ``tables``: with
    the table layer's relations put in, as ``perfreport_table_links`` does in the pipeline."""
    values, mentions = document_mentions(doc)
    ids = {(s.start, s.end): s.id for s in doc.spans}
    found = [{"head": (v.start, v.end), "tail": (m.start, m.end), "type": TAIL_TYPE[m.label], "score": p}
             for v, m, p in linker.link(doc.text, values, mentions)]
    if tables:
        found = table_relations(read_tables(doc.text), [(v.start, v.end) for v, _ in values],
                                [(m.start, m.end) for m in mentions], found)
    relations = [Relation(head=ids[r["head"]], tail=ids[r["tail"]], type=r["type"], score=round(r["score"], 4))
                 for r in found]
    return Document(id=doc.id, text=doc.text, meta=dict(doc.meta), spans=list(doc.spans), relations=relations)
