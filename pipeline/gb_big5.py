"""GB18030 or Big5: decoding a text file that is not UTF-8 (:func:`pipeline.read.decode_text`).

GB18030 (GBK) and Big5 each decode much of the other's bytes, into wrong characters, and GB18030
decodes almost anything (Korean EUC-KR, random bytes) into characters that exist. A decoding is
therefore taken only when its characters look like a Chinese report: common Chinese characters,
punctuation, symbols and numbers; never kana, hangul, box drawing or private-use characters. A file
no encoding reads that way is refused with the shares measured, so that garbage is never
extracted silently.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from functools import lru_cache
from pathlib import Path

from pipeline.read import _BINARY, _BOM, _looks_like_text

# Legacy encodings, the likelier first: mainland reports come in GB18030 (GBK), Taiwan's and Hong
# Kong's in Big5 (Big5-HKSCS adds Hong Kong's characters). Each decodes much of the other's text
# into wrong characters, so the decoding whose characters look like a report is taken.
_LEGACY = {"gb18030": "GB18030", "big5": "Big5", "big5hkscs": "Big5-HKSCS"}
# Measured on the corpus: a report decoded right has 98-100 % of its non-ASCII characters among
# common Chinese characters, punctuation and symbols; Big5 read as GB18030 has about 31 %.
_MIN_REPORT_SHARE = 0.95
# GB18030 decodes Korean EUC-KR (and much else) into common but random characters: real reports
# have 85-97 % of their Chinese characters among the 1,000 most frequent, EUC-KR or random bytes
# read as GB18030 24-28 %. Texts with fewer Chinese characters than this are not judged by it.
_MIN_FREQUENT_SHARE = 0.6
_MIN_HANZI_JUDGED = 20
# Scripts a Chinese report does not use, whose characters GB18030 or Big5 produce from foreign bytes:
# Greek and Cyrillic, box drawing, kana, hangul, private use.
_FOREIGN = ((0x0370, 0x052F), (0x2500, 0x259F), (0x3040, 0x30FF), (0x3130, 0x318F), (0xAC00, 0xD7AF),
            (0xE000, 0xF8FF))


def decode_legacy(data: bytes) -> tuple[str, str]:
    """(text, codec) of a text file that is not UTF-8; ValueError saying why when it reads as no report."""
    readings: list[tuple[float, str, str]] = []  # (report share, codec, text)
    decoded = False
    for encoding in _LEGACY:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        decoded = True
        if encoding == "big5hkscs" and any(r[1] == "big5" for r in readings):
            continue  # plain Big5 reads it: it has no Hong Kong characters
        if _looks_like_text(text):
            readings.append((_report_share(text), encoding, text))
    if not decoded:
        raise ValueError("cannot be decoded as UTF-8, UTF-16, GB18030 or Big5")
    if not readings:
        raise ValueError(_BINARY)
    # The likeliest first (sorted is stable: GB18030 wins a tie), the first that reads as a report.
    for share, encoding, text in sorted(readings, key=lambda r: -r[0]):
        if share >= _MIN_REPORT_SHARE and (encoding != "gb18030" or _frequent_share(text) >= _MIN_FREQUENT_SHARE):
            return text.removeprefix(_BOM), encoding  # GB18030 has a BOM of its own (84 31 95 33)
    shown = "; ".join(
        f"as {_LEGACY[e]} {s:.0%} of its characters are ones reports use"
        + (f", {_frequent_share(t):.0%} of its Chinese characters common ones" if e == "gb18030" else "")
        for s, e, t in readings
    )
    raise ValueError(f"is not UTF-8 and does not read as a Chinese report in GB18030 or Big5 ({shown}): "
                     "if it is a report, save it as UTF-8 and extract it again")


def _report_share(text: str) -> float:
    """Share of the non-ASCII characters of ``text`` that Chinese reports use (1.0 without any)."""
    counts = Counter(ch for ch in text if ch > "\x7f")
    total = sum(counts.values())
    return sum(n for ch, n in counts.items() if _report_char(ch)) / total if total else 1.0


@lru_cache(maxsize=65536)
def _report_char(ch: str) -> bool:
    code = ord(ch)
    if 0x4E00 <= code <= 0x9FFF:
        # GB2312 holds the simplified characters in use, Big5's level 1 (lead bytes A4-C6) the
        # frequent traditional ones; the rest of the block is rare in any report.
        try:
            ch.encode("gb2312")
            return True
        except UnicodeEncodeError:
            pass
        try:
            return 0xA4 <= ch.encode("big5")[0] <= 0xC6
        except UnicodeEncodeError:
            return False
    if any(low <= code <= high for low, high in _FOREIGN):
        return False
    return unicodedata.category(ch)[0] in "PSNZ"  # punctuation, symbols, numbers, spaces


@lru_cache(maxsize=1)
def _frequent_hanzi() -> frozenset[str]:
    path = Path(__file__).resolve().parent / "resources" / "common_hanzi.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset("".join(line for line in lines if not line.startswith("#")))


def _frequent_share(text: str) -> float:
    hanzi = [ch for ch in text if "\u4e00" <= ch <= "\u9fff"]
    if len(hanzi) < _MIN_HANZI_JUDGED:
        return 1.0
    frequent = _frequent_hanzi()
    return sum(ch in frequent for ch in hanzi) / len(hanzi)
