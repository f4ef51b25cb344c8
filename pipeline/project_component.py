"""``perfreport_project_owners``: PROJECT spans for named items that own an amount (pipeline.projects).

Runs after the value patterns: where the trained tagger left a name before an amount unmarked
and the owner model says it is a spending item, the name becomes a PROJECT; then every other
mention of each PROJECT name the document now has is marked too (``propagate``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import filter_spans

from pipeline.extensions import register_extensions
from pipeline.projects import ProjectOwnerModel, is_organisation, propagate, title_projects


@Language.factory("perfreport_project_owners", assigns=["doc.ents"],
                  default_config={"propagate_names": True, "propagate_labels": ["PROJECT"], "titles": False,
                                  "drop_organisations": False})
def make_project_owners(nlp: Language, name: str, propagate_names: bool, propagate_labels: list[str], titles: bool,
                        drop_organisations: bool) -> ProjectOwners:
    return ProjectOwners(propagate_names, tuple(propagate_labels), titles, drop_organisations)


class ProjectOwners:
    def __init__(self, propagate_names: bool = True, propagate_labels: tuple[str, ...] = ("PROJECT",),
                 titles: bool = False, drop_organisations: bool = False):
        register_extensions()
        self.propagate_names = propagate_names
        self.propagate_labels = propagate_labels
        self.titles = titles  # projects named by form and attachment titles (projects.title_projects)
        self.drop_organisations = drop_organisations  # units named as units (projects.is_organisation)
        self.model: ProjectOwnerModel | None = None

    def initialize(self, get_examples: Callable[[], Iterable] | None = None, *, nlp: Language | None = None,
                   model: ProjectOwnerModel | None = None) -> None:
        """The owner model is fitted on SCHEMA Documents (as the role classifier), so it arrives fitted."""
        self.model = model

    def __call__(self, doc: Doc) -> Doc:
        text = doc.text
        ents = list(doc.ents)
        if self.drop_organisations:
            ents = [e for e in ents if e.label_ != "PROJECT" or not is_organisation(text, e.start_char, e.end_char)]
        if self.titles:
            for start, end in title_projects(text):
                span = doc.char_span(start, end, label="PROJECT")
                if span is None:
                    continue
                # the title decides its own edges: a model span overlapping it gives way
                ents = [e for e in ents if e.end <= span.start or e.start >= span.end]
                ents.append(span)
        if self.model is not None:
            for start, end, prob in self.model.predict(text):
                if any(e.start_char < end and start < e.end_char for e in ents):
                    continue
                span = doc.char_span(start, end, label="PROJECT")
                if span is not None:
                    span._.score = prob
                    ents.append(span)
        if self.propagate_names:
            names = [(e.start_char, e.end_char, e.label_) for e in ents if e.label_ in self.propagate_labels]
            taken = [(e.start_char, e.end_char) for e in ents]
            for start, end, label in propagate(text, names, taken):
                span = doc.char_span(start, end, label=label)
                if span is not None:
                    ents.append(span)
        doc.ents = filter_spans(ents)
        return doc

    def to_disk(self, path, exclude=tuple()):
        Path(path).mkdir(parents=True, exist_ok=True)
        if self.model is not None:
            self.model.save(path)

    def from_disk(self, path, exclude=tuple()):
        if (Path(path) / "project_owner.pkl").exists():
            self.model = ProjectOwnerModel.load(path)
        return self
