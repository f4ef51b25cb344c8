"""Tokenize stage: a spaCy tokenizer over the project's segmenters (characters, jieba, pkuseg).

Registered as ``perfreport.tokenizer.v1`` so that ``config.cfg`` chooses the segmenter and a
saved pipeline rebuilds the same tokenizer on ``spacy.load``.
"""

from __future__ import annotations

from pathlib import Path

import srsly
from spacy.tokens import Doc
from spacy.util import get_words_and_spaces, registry
from spacy.vocab import Vocab

from pipeline.segment import SEGMENTERS, token_offsets


class ReportTokenizer:
    def __init__(self, vocab: Vocab, segmenter: str = "char"):
        if segmenter not in SEGMENTERS:
            raise ValueError(f"unknown segmenter {segmenter!r}; choose one of {', '.join(SEGMENTERS)}")
        self.vocab = vocab
        self.segmenter = segmenter

    def __call__(self, text: str) -> Doc:
        words = [text[s:e] for s, e in token_offsets(text, self.segmenter)]
        # Whitespace runs become whitespace tokens or trailing spaces, so doc.text == text.
        words, spaces = get_words_and_spaces(words, text)
        return Doc(self.vocab, words=words, spaces=spaces)

    def pipe(self, texts, batch_size: int = 1000):
        for text in texts:
            yield self(text)

    def to_bytes(self, **kwargs) -> bytes:
        return srsly.msgpack_dumps({"segmenter": self.segmenter})

    def from_bytes(self, data: bytes, **kwargs) -> ReportTokenizer:
        self.segmenter = srsly.msgpack_loads(data)["segmenter"]
        return self

    def to_disk(self, path: str | Path, **kwargs) -> None:
        Path(path).mkdir(parents=True, exist_ok=True)
        srsly.write_json(Path(path) / "cfg.json", {"segmenter": self.segmenter})

    def from_disk(self, path: str | Path, **kwargs) -> ReportTokenizer:
        self.segmenter = srsly.read_json(Path(path) / "cfg.json")["segmenter"]
        return self


@registry.tokenizers("perfreport.tokenizer.v1")
def create_tokenizer(segmenter: str = "char"):
    def make_tokenizer(nlp):
        return ReportTokenizer(nlp.vocab, segmenter)

    return make_tokenizer
