"""``perfreport_linker``: the spaCy component around the linkers of :mod:`pipeline.link`.

``Doc._.relations`` from the entities: the rule linker until ``initialize`` or ``from_disk`` sets
the trained one (the learned linker is fitted on SCHEMA Documents, since relations are not part
of spaCy's Examples, so it arrives fitted).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.document import TAIL_TYPE, VALUE_LABELS
from pipeline.extensions import register_extensions
from pipeline.link import LearnedLinker, Mention, RuleLinker, load_linker


@Language.factory("perfreport_linker", assigns=["doc._.relations"])
def make_linker(nlp: Language, name: str) -> LinkerComponent:
    return LinkerComponent()


Link = tuple[tuple[int, int], tuple[int, int], str, float]  # (value offsets, tail offsets, type, score)


class LinkerComponent:
    """``Doc._.relations`` from the entities (rule linker until initialize/from_disk sets one)."""

    def __init__(self):
        register_extensions()
        self.linker: RuleLinker | LearnedLinker = RuleLinker()

    def initialize(self, get_examples: Callable[[], Iterable] | None = None, *, nlp: Language | None = None,
                   linker: RuleLinker | LearnedLinker | None = None) -> None:
        """Trained state comes in here, as for spaCy's own components. The linker is fitted on
        SCHEMA Documents (relations are not part of spaCy's Examples), so it arrives fitted."""
        if linker is not None:
            self.linker = linker

    def __call__(self, doc: Doc) -> Doc:
        self.set_annotations([doc], self.predict([doc]))
        return doc

    def predict(self, docs: Iterable[Doc]) -> list[list[Link]]:
        out = []
        for doc in docs:
            values, mentions = [], []
            for ent in doc.ents:
                m = Mention(ent.start_char, ent.end_char, ent.label_, ent.text)
                if ent.label_ in VALUE_LABELS:
                    values.append((m, ent._.role))
                else:
                    mentions.append(m)
            out.append([((v.start, v.end), (m.start, m.end), TAIL_TYPE[m.label], p)
                        for v, m, p in self.linker.link(doc.text, values, mentions)])
        return out

    def set_annotations(self, docs: Iterable[Doc], links: list[list[Link]]) -> None:
        for doc, found in zip(docs, links):
            doc._.relations = [{"head": head, "tail": tail, "type": typ, "score": p} for head, tail, typ, p in found]

    def to_disk(self, path, exclude=tuple()):
        self.linker.save(path)

    def from_disk(self, path, exclude=tuple()):
        self.linker = load_linker(path)
        return self
