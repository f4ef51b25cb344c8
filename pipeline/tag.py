"""Tag stage: spaCy pieces around the trained span tagger.

- ``perfreport_spans_to_ents``: after spancat, the best non-overlapping spans become entities.
- ``perfreport_value_patterns``: the hybrid step after the trained tagger: it snaps the
  boundaries of predicted MONEY/PERCENT spans to the value pattern they overlap and adds
  pattern matches the model missed. Switchable in ``config.cfg`` so both are measured.
- ``perfreport_span_scores``: beam confidences for the ``ner`` variant (off by default).
- ``perfreport.name_suggester.v1``: spancat's candidate spans for names.
- ``docbin_from_documents``: gold Documents → training paragraphs with entities and spans.

Value filling (``perfreport_values``) lives in :mod:`pipeline.values`, the ``._`` attributes in
:mod:`pipeline.extensions`.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans, registry
from thinc.api import Ragged, get_current_ops

from pipeline.document import NAME_LABELS, VALUE_LABELS, Document
from pipeline.extensions import register_extensions
from pipeline.rules import repair_project, rule_spans, value_matches
from pipeline.values import ValueAttributes, make_values  # noqa: F401  (installed entry points name pipeline.tag:make_values)


def char_span(doc: Doc, start: int, end: int, label: str) -> Span | None:
    """The token span for character offsets, widened to token boundaries if needed."""
    return doc.char_span(start, end, label=label, alignment_mode="expand")


@Language.factory("perfreport_value_patterns",
                  default_config={"add_missing": True, "project_boundaries": False, "name_fallback": False},
                  assigns=["doc.ents"])
def make_value_patterns(nlp: Language, name: str, add_missing: bool, project_boundaries: bool,
                        name_fallback: bool) -> ValuePatterns:
    return ValuePatterns(add_missing, project_boundaries, name_fallback)


class ValuePatterns:
    """Rules after the trained tagger: value patterns always; optionally SCHEMA's PROJECT
    boundary rules and the baseline's INDICATOR/PROJECT cues where the model found nothing."""

    def __init__(self, add_missing: bool = True, project_boundaries: bool = False, name_fallback: bool = False):
        self.add_missing = add_missing
        self.project_boundaries = project_boundaries
        self.name_fallback = name_fallback

    def __call__(self, doc: Doc) -> Doc:
        text = doc.text
        matches = value_matches(text)  # sorted, non-overlapping within a label
        match_starts = [m[0] for m in matches]
        kept = []
        claimed = set()
        for ent in doc.ents:
            # matches overlapping the entity: those starting before its end, from a little before it
            lo = bisect.bisect_left(match_starts, ent.start_char - 40)
            hi = bisect.bisect_left(match_starts, ent.end_char)
            overlap = [m for m in matches[lo:hi] if ent.start_char < m[1]]
            if ent.label_ in VALUE_LABELS:
                if not overlap:
                    continue  # a value the patterns cannot read is more likely wrong than right
                s, e, label = overlap[0]
                span = char_span(doc, s, e, label)
                if span is not None:
                    kept.append(span)
                    claimed.add((s, e))
                continue
            if overlap:
                # a name that swallowed an amount (就业117.07万元): keep the name before it
                if overlap[0][0] - ent.start_char >= 2:
                    cut = char_span(doc, ent.start_char, overlap[0][0], ent.label_)
                    if cut is not None and cut.end_char <= overlap[0][0]:
                        kept.append(cut)
                continue
            if self.project_boundaries and ent.label_ == "PROJECT":
                s, e = repair_project(text, ent.start_char, ent.end_char)
                if (s, e) != (ent.start_char, ent.end_char) and not any(m[0] < e and s < m[1] for m in matches):
                    ent = char_span(doc, s, e, "PROJECT") or ent
            kept.append(ent)
        if self.add_missing:
            for s, e, label in matches:
                if (s, e) in claimed:
                    continue
                span = char_span(doc, s, e, label)
                if span is not None and all(span.end <= k.start or span.start >= k.end for k in kept):
                    kept.append(span)
        if self.name_fallback:
            for s, e, label in rule_spans(text):
                if label in NAME_LABELS:
                    span = char_span(doc, s, e, label)
                    if span is not None and all(span.end <= k.start or span.start >= k.end for k in kept):
                        kept.append(span)
        doc.ents = filter_spans(kept)
        return doc


@Language.factory("perfreport_spans_to_ents", default_config={"spans_key": "sc"}, assigns=["doc.ents", "span._.score"])
def make_spans_to_ents(nlp: Language, name: str, spans_key: str):
    """After spancat: the best-scoring non-overlapping spans become the flat entities SCHEMA wants."""
    register_extensions()

    def spans_to_ents(doc: Doc) -> Doc:
        group = doc.spans.get(spans_key)
        if group is None:
            return doc
        scores = group.attrs.get("scores")
        # spancat keeps one score per label per span; a span's confidence is that of its label
        conf = [float(scores[i].max()) if scores is not None else 0.0 for i in range(len(group))]
        taken: list[tuple[Span, float]] = []
        for i in sorted(range(len(group)), key=lambda i: -conf[i]):
            span = group[i]
            if all(span.end <= t.start or span.start >= t.end for t, _ in taken):
                taken.append((span, conf[i]))
        taken.sort(key=lambda t: t[0].start)
        doc.ents = [span for span, _ in taken]
        for ent, (_, c) in zip(doc.ents, taken):
            ent._.score = c
        return doc

    return spans_to_ents


@Language.factory("perfreport_span_scores", default_config={"beam_width": 4, "ner_name": "ner"},
                  assigns=["span._.score"])
def make_span_scores(nlp: Language, name: str, beam_width: int, ner_name: str):
    """A confidence per entity: the probability mass of the beam parses that contain it.

    The greedy ``ner`` gives no probabilities; a small beam over the same model does. Runs
    after every other tagging step, so the scores belong to the spans that are finally output.
    """
    register_extensions()

    def span_scores(doc: Doc) -> Doc:
        if not doc.ents:
            return doc
        ner = nlp.get_pipe(ner_name)
        kept = list(doc.ents)
        # preset entities would constrain the beam (ner respects them): hide them while it runs
        doc.set_ents([], default="missing")
        scores = ner.scored_ents(ner.beam_parse([doc], beam_width=beam_width))[0]
        doc.set_ents(kept, default="outside")
        for ent in doc.ents:
            ent._.score = min(1.0, float(scores.get((ent.start, ent.end, ent.label_), 0.0)))
        return doc

    return span_scores


def paragraph_bounds(doc: Document) -> Iterator[tuple[int, int]]:
    """Cut a report at line breaks that no span crosses; yield non-blank pieces."""
    inside = [False] * (len(doc.text) + 1)
    for s in doc.spans:
        for i in range(s.start, s.end):
            inside[i] = True
    start = 0
    for i, ch in enumerate(doc.text):
        if ch == "\n" and not inside[i]:
            if doc.text[start:i].strip():
                yield start, i
            start = i + 1
    if doc.text[start:].strip():
        yield start, len(doc.text)


_HAS_UNIT = re.compile(r"[元万亿%％‰]|百分之|千分之")


def docbin_from_documents(nlp: Language, docs: list[Document]):
    """A DocBin of reference docs (paragraphs) with entities snapped to token boundaries."""
    from spacy.tokens import DocBin

    out = DocBin(store_user_data=False)
    for gold in docs:
        for start, end in paragraph_bounds(gold):
            piece = gold.text[start:end]
            ref = nlp.make_doc(piece)
            ents = []
            for s in gold.spans:
                if s.is_value and not _HAS_UNIT.search(gold.text[s.start : s.end]):
                    continue  # a bare table number: the table layer reads it from its header, not the tagger
                if start <= s.start and s.end <= end:
                    span = char_span(ref, s.start - start, s.end - start, s.label)
                    if span is not None:
                        ents.append(span)
            ref.ents = filter_spans(ents)
            ref.spans["sc"] = list(ref.ents)  # the same gold for the spancat variant
            out.add(ref)
    return out


# Tokens that never lie inside an INDICATOR or PROJECT name (the corpus has quotes, brackets,
# '.', '-' and '～' inside names, nothing else that is not a letter or digit), and words that
# never start or end one. Candidates that break these rules are not scored at all: that is
# where most of spancat's time and memory went.
_INSIDE_OK = set("\"“”‘’'（）().-～—")
_EDGE_STOP = frozenset("的 了 和 及 与 在 对 为 是 等 将 已 并 由 从 把 被 按 于 达 达到 完成 实现 共 其中 分别 "
                       "年初 全年 进行 开展 通过 根据 主要 用于 我局 我县 我市 我区".split())


def _breaks(token) -> bool:
    text = token.text
    return token.is_space or (not any(ch.isalnum() for ch in text) and not set(text) <= _INSIDE_OK)


@registry.misc("perfreport.name_suggester.v1")
def build_name_suggester(max_size: int = 10):
    """n-grams of 1..max_size tokens that stay inside a clause and do not start/end on a function word."""

    def suggest(docs, *, ops=None):
        ops = ops or get_current_ops()
        spans, lengths = [], []
        for doc in docs:
            breaks = [_breaks(t) for t in doc]
            stop = [t.text in _EDGE_STOP for t in doc]
            found = []
            for i in range(len(doc)):
                if breaks[i] or stop[i]:
                    continue
                for j in range(i, min(len(doc), i + max_size)):
                    if breaks[j]:
                        break
                    if not stop[j]:
                        found.append((i, j + 1))
            spans.extend(found)
            lengths.append(len(found))
        data = ops.asarray2i(spans) if spans else ops.xp.zeros((0, 2), dtype="i")
        return Ragged(data, ops.asarray1i(lengths))

    return suggest
