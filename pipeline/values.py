"""Value filling: value, unit, cmp, approx, per (normaliser) and role (role classifier).

One function, :func:`fill`, does it for a text and its value spans; the spaCy component
``perfreport_values`` applies it to a Doc's entities, :func:`fill_values` to the spans of a
SCHEMA Document (the rules-only baseline of ``make cv``), and :func:`with_roles` predicts
roles alone (to score role classifiers on gold spans).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.document import VALUE_LABELS, Document
from pipeline.extensions import register_extensions
from pipeline.normalise import Normalised, NormaliseError, normalise


@dataclass
class Filled:
    """What :func:`fill` found for one value span: its attributes, or why it could not read it."""

    role: str
    norm: Normalised | None = None
    error: str | None = None


def fill(text: str, values: list[tuple[int, int, str]], role_classifier) -> list[Filled]:
    """Normalise each (start, end, label) value of ``text`` and predict its role.

    Roles are predicted for every value, readable or not: the learned classifier sees all of a
    sentence's values, so dropping one first would change its neighbours' features.
    """
    roles = role_classifier.predict(text, values)
    out = []
    for (start, end, label), role in zip(values, roles):
        try:
            out.append(Filled(role, norm=normalise(text, start, end, label)))
        except NormaliseError as err:
            out.append(Filled(role, error=str(err)))
    return out


def fill_values(doc: Document, role_classifier) -> Document:
    """Normalise and give roles to the value spans of a rule-made Document (drops unreadable ones)."""
    values = [s for s in doc.spans if s.is_value]
    filled = dict(zip((s.id for s in values), fill(doc.text, [(s.start, s.end, s.label) for s in values],
                                                    role_classifier)))
    kept = []
    for s in doc.spans:
        if s.is_value:
            f = filled[s.id]
            if f.norm is None:
                continue
            n = f.norm
            s.value, s.unit, s.cmp, s.approx, s.per, s.role = n.value, n.unit, n.cmp, n.approx, n.per, f.role
        kept.append(s)
    doc.spans = kept
    return doc


def with_roles(doc: Document, role_classifier) -> Document:
    """A copy of a gold doc whose value roles are predicted (to score role classifiers alone)."""
    values = [s for s in doc.spans if s.is_value]
    roles = role_classifier.predict(doc.text, [(s.start, s.end, s.label) for s in values])
    role_of = {s.id: r for s, r in zip(values, roles)}
    spans = [replace(s, role=role_of.get(s.id, s.role)) for s in doc.spans]
    return Document(id=doc.id, text=doc.text, meta=dict(doc.meta), spans=spans, relations=list(doc.relations))


# ``role_model`` is accepted and ignored: saved models' config.cfg name it (``role_model = null``)
# and spaCy refuses a config key the factory does not take. The trained classifier arrives
# through ``initialize`` or ``from_disk``.
@Language.factory("perfreport_values", assigns=["span._.value", "span._.unit", "span._.cmp", "span._.approx",
                                                "span._.per", "span._.role", "doc._.normalise_errors"])
def make_values(nlp: Language, name: str, role_model: str | None = None) -> ValueAttributes:
    return ValueAttributes()


class ValueAttributes:
    """Normalise every value entity and classify its role (cue rules until trained state arrives)."""

    def __init__(self):
        from pipeline.roles import CueRoleClassifier

        register_extensions()
        self.role_classifier = CueRoleClassifier()

    def initialize(self, get_examples: Callable[[], Iterable] | None = None, *, nlp: Language | None = None,
                   role_classifier=None) -> None:
        """Trained state comes in here, as for spaCy's own components. The classifier is fitted on
        SCHEMA Documents (roles are not part of spaCy's Examples), so it arrives fitted."""
        if role_classifier is not None:
            self.role_classifier = role_classifier

    def __call__(self, doc: Doc) -> Doc:
        self.set_annotations([doc], self.predict([doc]))
        return doc

    def predict(self, docs: Iterable[Doc]) -> list[list[Filled]]:
        out = []
        for doc in docs:
            text = doc.text  # built from the tokens on every access: read it once
            values = [(e.start_char, e.end_char, e.label_) for e in doc.ents if e.label_ in VALUE_LABELS]
            out.append(fill(text, values, self.role_classifier))
        return out

    def set_annotations(self, docs: Iterable[Doc], filled: list[list[Filled]]) -> None:
        for doc, found in zip(docs, filled):
            values = [e for e in doc.ents if e.label_ in VALUE_LABELS]
            errors = []
            for ent, f in zip(values, found):
                if ent._.from_table:
                    continue  # the table said what it is (value by the header's unit, role by its column)
                if f.norm is None:
                    errors.append(f.error)
                else:
                    n = f.norm
                    ent._.value, ent._.unit, ent._.cmp, ent._.approx, ent._.per = n.value, n.unit, n.cmp, n.approx, n.per
                ent._.role = f.role
            doc._.normalise_errors = errors

    def to_disk(self, path, exclude=tuple()):
        self.role_classifier.save(path)

    def from_disk(self, path, exclude=tuple()):
        from pipeline.roles import load_role_classifier

        self.role_classifier = load_role_classifier(path)
        return self
