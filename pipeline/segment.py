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
                    _prefix_dict(tok, jieba)
                    tok.load_userdict(str(JIEBA_USERDICT))
                finally:
                    logger.setLevel(level)
                _jieba = tok
    return _jieba


def jieba_cache_file(jieba: Any) -> Path | None:
    """Where jieba's prefix dictionary is cached: the user cache folder, named by jieba's version and
    the size of its dictionary (so that another jieba never reads a stale cache); None: no folder."""
    from pipeline.paths import cache_dir

    folder = cache_dir()
    if folder is None:
        return None
    size = (Path(jieba.__file__).parent / "dict.txt").stat().st_size
    return folder / f"jieba-{jieba.__version__}-{size}.cache"


def _prefix_dict(tok: Any, jieba: Any) -> None:
    """jieba's prefix dictionary (~500,000 entries), from the cache when there is one.

    Building it from jieba's dictionary takes seconds; jieba caches it (``tmp_dir``/``cache_file``,
    pointed here to the user cache folder instead of the shared temp folder) but reads the cache
    with ``marshal.load`` on a file, ~5x slower than ``marshal.loads`` on its bytes: the cache is
    read here that way, and built and written by jieba itself when missing or unreadable. The
    user dictionary is added afterwards, on every start (it is small), so the cache is jieba's own.
    """
    import marshal

    path = jieba_cache_file(jieba)
    if path is None:
        tok.initialize()  # jieba's default: the temp folder
        return
    tok.tmp_dir, tok.cache_file = str(path.parent), path.name
    try:
        freq, total = marshal.loads(path.read_bytes())
        if not isinstance(freq, dict) or not isinstance(total, int):
            raise ValueError("not a jieba cache")
    except (OSError, ValueError, EOFError, TypeError):
        tok.initialize()  # builds the dictionary and writes the cache (atomically)
        return
    tok.FREQ, tok.total, tok.initialized = freq, total, True


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
