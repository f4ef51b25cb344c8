"""The model: find it, check it, load it, name it, and run it over texts.

Every command that uses a saved pipeline goes through here (extract, evaluate, train, bench,
cv), so a model is loaded and run the same way everywhere.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pipeline.document import Document, validate
from pipeline.extensions import register_extensions
from pipeline.paths import DEFAULT_MODEL, from_root
from pipeline.read import RawReport

__all__ = ["DEFAULT_MODEL", "load_model", "model_meta", "model_name", "model_problem", "predict_documents",
           "predict_reports", "register_components", "resolve_model"]


def resolve_model(model: str | Path) -> Path:
    """A relative model path is taken from the working directory, else from the project root."""
    return from_root(model)


def model_problem(path: Path) -> str | None:
    """Why ``path`` is not a saved pipeline (None when it looks like one)."""
    path = Path(path)
    if not path.exists():
        return f"no model at {path}"
    if not (path / "config.cfg").is_file() or not (path / "meta.json").is_file():
        return f"{path} is not a saved spaCy pipeline (config.cfg or meta.json missing)"
    return None


def register_components() -> None:
    """Register the project's factories, tokenizer and ``._`` attributes.

    The installed entry points do this for a plain ``spacy.load``; importing the modules here
    makes it independent of how (or whether) the package was installed.
    """
    import pipeline.link  # noqa: F401  (perfreport_linker)
    import pipeline.project_component  # noqa: F401  (perfreport_project_owners)
    import pipeline.table_component  # noqa: F401  (perfreport_tables, perfreport_table_links)
    import pipeline.tag  # noqa: F401  (value patterns, spans to ents, span scores, name suggester)
    import pipeline.tokenize  # noqa: F401  (perfreport.tokenizer.v1)
    import pipeline.values  # noqa: F401  (perfreport_values)

    register_extensions()


def load_model(path: str | Path, span_scores: bool = False) -> Any:
    """``spacy.load`` after registering the project's pieces.

    ``span_scores`` turns on the beam-based span confidences (off in the saved model: ~4× slower).
    """
    import spacy

    register_components()
    nlp = spacy.load(path)
    if span_scores and "perfreport_span_scores" in nlp.disabled:
        nlp.enable_pipe("perfreport_span_scores")
    return nlp


def model_meta(path: str | Path) -> dict[str, Any]:
    """meta.json of a saved pipeline, without loading it."""
    return json.loads((Path(path) / "meta.json").read_text(encoding="utf-8"))


def model_name(meta: dict[str, Any]) -> str:
    return f"{meta.get('name', 'unknown')}-{meta.get('version', '0.0.0')}"


def predict_documents(nlp: Any, docs: Iterable[Document], batch_size: int = 2) -> list[Document]:
    """Run the pipeline on each document's text; ids and ``meta.source`` are kept, gold spans ignored."""
    from pipeline.write import doc_to_document

    docs = list(docs)
    return [doc_to_document(spacy_doc, doc.id, {"source": doc.meta.get("source")})
            for doc, spacy_doc in zip(docs, nlp.pipe((d.text for d in docs), batch_size=batch_size))]


def predict_reports(nlp: Any, reports: list[RawReport], model: str, batch_size: int) -> list[Document | str]:
    """One valid Document per report, or the problem (str) for a report the model could not process."""
    texts = [r.text for r in reports]
    try:
        docs: list[Any] = list(nlp.pipe(texts, batch_size=batch_size))
    except Exception:
        # One bad document must not sink the rest of its batch: redo them one by one to find it.
        docs = []
        for text in texts:
            try:
                docs.append(nlp(text))
            except Exception as err:
                docs.append(f"processing failed ({type(err).__name__}: {err})")
    return [_to_document(doc, raw, model) for doc, raw in zip(docs, reports, strict=True)]


def _to_document(doc: Any, raw: RawReport, model: str) -> Document | str:
    from pipeline.write import doc_to_document

    if isinstance(doc, str):
        return doc
    try:
        document = doc_to_document(doc, raw.id, raw.meta | {"model": model})
    except Exception as err:
        return f"processing failed ({type(err).__name__}: {err})"
    # Offsets index the stored text: a tokenizer that altered it would make every span wrong.
    if document.text != raw.text:
        return "processing failed (the pipeline changed the text, so offsets would not match)"
    problems = validate(document, raw.id)
    if problems:
        # OUT must stay scorable: a document that breaks the schema is a failure, not a line.
        return f"model output breaks SCHEMA.md: {'; '.join(problems[:3])}"
    return document
