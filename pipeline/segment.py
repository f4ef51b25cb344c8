"""Word segmenters behind one interface: code-point offsets of the non-whitespace tokens of a text.

``token_offsets(text, segmenter)`` returns ``(start, end)`` pairs, in order, that cover every
non-whitespace character of ``text`` exactly once; whitespace is never inside a token (a
segmenter token that contains whitespace is split around it). The offsets index the stored
text as it is, so gold span offsets can be compared with them directly.

Segmenters (``SEGMENTERS``):

- ``char``: one token per non-whitespace character.
- ``jieba``: a private ``jieba.Tokenizer`` (not jieba's global one, so the project's user
  dictionary does not leak into other users of jieba) with the domain dictionary
  ``resources/jieba_userdict.txt`` and HMM on.
- ``pkuseg``: spacy_pkuseg with the project's own model in ``resources/pkuseg_model/``,
  trained by ``scripts/train_pkuseg.py``. The pretrained pkuseg models would have to be
  downloaded, which this project never does at run time.

Nothing here downloads or trains: every resource is a checked-in file, loaded lazily once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

SEGMENTERS = ("char", "jieba", "pkuseg")

RESOURCES = Path(__file__).resolve().parent / "resources"
JIEBA_USERDICT = RESOURCES / "jieba_userdict.txt"
PKUSEG_MODEL = RESOURCES / "pkuseg_model"

_lock = threading.Lock()
_jieba: Any = None
_pkuseg: Any = None


def token_offsets(text: str, segmenter: str) -> list[tuple[int, int]]:
    """(start, end) code-point offsets of the non-whitespace tokens of ``text``, in order."""
    if segmenter == "char":
        return [(i, i + 1) for i, ch in enumerate(text) if not ch.isspace()]
    if segmenter == "jieba":
        tok = jieba_tokenizer()
        return _from_cuts(text, (end for _, _, end in tok.tokenize(text, HMM=True)))
    if segmenter == "pkuseg":
        return _from_cuts(text, _pkuseg_cuts(text))
    raise ValueError(f"unknown segmenter {segmenter!r}; choose one of {', '.join(SEGMENTERS)}")


def tokens(text: str, segmenter: str) -> list[str]:
    """The token strings of :func:`token_offsets` (handy for training data and debugging)."""
    return [text[s:e] for s, e in token_offsets(text, segmenter)]


def _from_cuts(text: str, cuts: Iterable[int]) -> list[tuple[int, int]]:
    """Tokens of the non-whitespace runs of ``text``, cut further at the given positions.

    Building the tokens from cut positions, not from the segmenter's words, guarantees the
    contract whatever the segmenter does with whitespace: every non-whitespace character is
    in exactly one token and no token holds whitespace.
    """
    cut = set(cuts)
    out: list[tuple[int, int]] = []
    start = None
    for i, ch in enumerate(text):
        if ch.isspace():
            if start is not None:
                out.append((start, i))
                start = None
            continue
        if start is not None and i in cut:
            out.append((start, i))
            start = None
        if start is None:
            start = i
    if start is not None:
        out.append((start, len(text)))
    return out


def jieba_tokenizer() -> Any:
    """The project's private jieba tokenizer, built once, with the domain user dictionary."""
    global _jieba
    if _jieba is None:
        with _lock:
            if _jieba is None:
                import jieba

                logger = jieba.default_logger
                level = logger.level
                logger.setLevel(logging.WARNING)  # "Building prefix dict…", "Loading model…"
                try:
                    tok = jieba.Tokenizer()
                    tok.initialize()
                    tok.load_userdict(str(JIEBA_USERDICT))
                finally:
                    logger.setLevel(level)
                _jieba = tok
    return _jieba


# A pkuseg model trained on jieba's output (see scripts/train_pkuseg.py) can at best imitate
# jieba: it is here so that the option is measured like the others, not because it is
# expected to win.
def pkuseg_segmenter() -> Any:
    """The project's own spacy_pkuseg model, loaded once (never downloaded, never trained here)."""
    global _pkuseg
    if _pkuseg is None:
        with _lock:
            if _pkuseg is None:
                if not (PKUSEG_MODEL / "features.msgpack").is_file():
                    raise FileNotFoundError(
                        f"no pkuseg model in {PKUSEG_MODEL}; build it with python scripts/train_pkuseg.py"
                    )
                import spacy_pkuseg

                # user_dict=None: no pre-matching against a dictionary and no post-merging with
                # pkuseg's general-domain word list, so what is measured is the model alone.
                _pkuseg = spacy_pkuseg.pkuseg(model_name=str(PKUSEG_MODEL), user_dict=None)
    return _pkuseg


def _pkuseg_cuts(text: str) -> list[int]:
    """End offsets of pkuseg's words, found by walking the text (pkuseg returns strings only)."""
    seg = pkuseg_segmenter()
    cuts: list[int] = []
    pos = 0
    for word in seg.cut(text):
        word = "".join(word.split())
        if not word:
            continue
        for ch in word:
            while pos < len(text) and text[pos].isspace():
                pos += 1
            if pos >= len(text) or text[pos] != ch:
                raise RuntimeError(f"pkuseg word {word!r} does not match the text at offset {pos}")
            pos += 1
        cuts.append(pos)
    return cuts
