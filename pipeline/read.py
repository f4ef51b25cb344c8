"""Stage 1 of the pipeline (read → tokenize → tag → normalise → link → write): files to report texts.

Every later stage computes code-point offsets into ``RawReport.text``, so this module never
"cleans" what it reads: no stripping, no newline conversion, no ``errors="replace"``. A file it
cannot read faithfully is refused with a :class:`ReadError` that names the file and the problem,
so that one bad input in a folder is reported instead of silently producing garbage.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.document import check_files

SUPPORTED = (".txt", ".docx", ".pdf", ".html", ".htm", ".xlsx", ".xls", ".ods", ".jsonl")
MAX_BYTES = 20_000_000  # default cap; callers can pass max_bytes

_BOM = "\ufeff"
# Control characters that plain text legitimately contains.
_TEXT_CONTROLS = frozenset("\t\n\r\x0b\x0c")
# Share of stray control/unassigned characters a decode may have and still count as text: a
# DOS end-of-file mark or a character newer than this Python's Unicode tables must not sink a report.
_MAX_BAD_SHARE = 0.01


@dataclass
class RawReport:
    id: str  # file stem, or the JSONL document id
    text: str  # decoded content exactly; a leading BOM is not content and is dropped
    # {"source": str(path), "format": "txt"|"docx"|"pdf"|"jsonl", "encoding": ... (txt), "pages": n (pdf)}
    meta: dict[str, Any] = field(default_factory=dict)


class ReadError(Exception):
    """A file that cannot be turned into a report; ``str(err) == f"{path}: {problem}"``."""

    def __init__(self, path: str | Path, problem: str):
        self.path = Path(path)
        self.problem = problem
        super().__init__(f"{path}: {problem}")

    def __reduce__(self):  # keep it picklable for process pools: args is not (path, problem)
        return (type(self), (self.path, self.problem))


# --------------------------------------------------------------------------------------------
# Finding inputs


def _skipped_in_folder(name: str) -> bool:
    # Hidden entries (.git, .ipynb_checkpoints) and Word's "~$x.docx" lock files are never reports;
    # they are skipped only while walking a folder, a file named explicitly is always read.
    return name.startswith((".", "~$"))


def find_inputs(paths: Iterable[str | Path]) -> tuple[list[Path], list[ReadError]]:
    """Expand files and folders (recursively) into the supported input files.

    Returns the files sorted and de-duplicated (two spellings of one file count once), and the
    problems found on the way (a missing path, an explicitly named unsupported file, an
    unreadable folder) as ReadError entries, so that the caller decides whether to stop.
    """
    found: dict[Path, Path] = {}  # resolved path → path as the caller spelled it
    errors: list[ReadError] = []

    def add(path: Path) -> None:
        found.setdefault(path.resolve(), path)

    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            # os.walk does not follow symlinked folders, so a link cycle cannot loop forever.
            def on_error(err: OSError, top: Path = path) -> None:
                errors.append(ReadError(err.filename or top, f"cannot read folder ({err.strerror or err})"))

            for folder, dirs, files in os.walk(path, onerror=on_error):
                dirs[:] = [d for d in dirs if not _skipped_in_folder(d)]
                for name in files:
                    if _skipped_in_folder(name):
                        continue
                    if Path(name).suffix.lower() in SUPPORTED:
                        add(Path(folder) / name)
                    else:  # never a silent skip: the user learns which files were not read and why
                        errors.append(ReadError(Path(folder) / name, unreadable_problem(Path(name))))
        elif path.exists():
            if path.suffix.lower() in SUPPORTED:
                add(path)
            else:
                errors.append(ReadError(path, unreadable_problem(path)))
        else:
            errors.append(ReadError(path, "does not exist"))
    return sorted(found.values(), key=str), errors


# What to tell the user for the formats we cannot read (SCHEMA-free: these never become reports).
UNREADABLE = {
    ".doc": "legacy Word file: open it in Word or WPS and save it as .docx",
    ".wps": "WPS document: save it as .docx from WPS",
    ".et": "WPS spreadsheet: save it as .xlsx from WPS",
    ".ofd": "OFD file: convert it to PDF (e.g. with the 数科 OFD reader) and extract the PDF",
    ".rtf": "RTF file: save it as .docx",
    ".zip": "archive: unpack it and extract the files inside",
    ".rar": "archive: unpack it and extract the files inside",
    ".7z": "archive: unpack it and extract the files inside",
}
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".gif", ".webp")


def unreadable_problem(path: Path) -> str:
    """The message for a file type no reader handles, saying what to do with it."""
    suffix = path.suffix.lower()
    if suffix in UNREADABLE:
        return f"cannot read {suffix} files ({UNREADABLE[suffix]})"
    if suffix in IMAGE_SUFFIXES:
        return f"is an image ({suffix}): it needs OCR first; extract the OCR text as .txt"
    shown = repr(suffix) if suffix else "(no extension)"
    return f"unsupported file type {shown} (supported: .txt .docx .pdf .html .htm .xlsx .xls .ods .jsonl)"


# --------------------------------------------------------------------------------------------
# Reading one file


def read_reports(path: Path, max_bytes: int = MAX_BYTES) -> list[RawReport]:
    """Read one input file into reports (one for .txt/.docx/.pdf, one per document for .jsonl).

    Raises ReadError naming the file and the problem; nothing else escapes for a bad file.
    """
    path = Path(path)
    kind = path.suffix.lower()
    if kind not in SUPPORTED:
        raise ReadError(path, unreadable_problem(path))
    data = _read_bytes(path, max_bytes)
    if not data:
        raise ReadError(path, "is empty (0 bytes)")
    if kind == ".txt":
        return [_read_txt(path, data)]
    if kind == ".jsonl":
        return _read_jsonl(path)
    from pipeline import readers  # imported here: reading .txt must not load the office libraries

    if kind == ".docx":
        return [readers.read_docx(path, data)]
    if kind == ".pdf":
        return [readers.read_pdf(path, data)]
    if kind in (".html", ".htm"):
        return [readers.read_html(path, data)]
    return [readers.read_spreadsheet(path, data)]


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise ReadError(path, f"is too large ({size:,} bytes; the limit is {max_bytes:,} bytes)")
        with path.open("rb") as f:
            # Read one byte past the limit: the file may have grown since stat().
            data = f.read(max_bytes + 1)
    except OSError as err:
        raise ReadError(path, f"cannot be read ({err.strerror or err})") from err
    if len(data) > max_bytes:
        raise ReadError(path, f"is too large (more than {max_bytes:,} bytes; the limit is {max_bytes:,} bytes)")
    return data


def _read_txt(path: Path, data: bytes) -> RawReport:
    try:
        text, encoding = decode_text(data)
    except ValueError as err:
        raise ReadError(path, str(err)) from err
    if not text.strip():
        raise ReadError(path, "is empty (only white space)")
    return RawReport(path.stem, text, {"source": str(path), "format": "txt", "encoding": encoding})


# --------------------------------------------------------------------------------------------
# Text decoding


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode the bytes of a text file strictly; return (text, Python codec name).

    ``data.decode(encoding)`` gives back ``text`` (plus the leading BOM that is dropped). Raises
    ValueError saying why when no supported encoding yields plausible text.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return _strict(data, "utf-8-sig", "starts with a UTF-8 byte-order mark but is not valid UTF-8"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Python's "utf-16" codec reads the BOM to pick the byte order and drops it.
        return _strict(data, "utf-16", "starts with a UTF-16 byte-order mark but is not valid UTF-16"), "utf-16"
    # No BOM from here on (FF FE / FE FF / EF BB BF cannot start valid UTF-8 or GB18030 anyway).
    if b"\x00" in data:
        # UTF-8 and GB18030 text has no NUL bytes; UTF-16 of ASCII/CJK text has many.
        for encoding in _utf16_orders(data):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                continue
            if _looks_like_text(text):
                return text.removeprefix(_BOM), encoding
        raise ValueError(_BINARY)
    # UTF-8 first: valid UTF-8 is almost never accidental, while GB18030 accepts many byte
    # sequences (including UTF-8 read the wrong way), so it is only the fallback.
    # Limitation: BOM-less UTF-16 of purely CJK text has no NUL bytes and is not detected.
    for encoding in ("utf-8", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if not _looks_like_text(text):
            raise ValueError(_BINARY)
        return text.removeprefix(_BOM), encoding
    raise ValueError("cannot be decoded as UTF-8, UTF-16 or GB18030")


_BINARY = (
    "looks like a binary file: it has NUL bytes or control characters that no supported encoding "
    "(UTF-8, UTF-16, GB18030) explains"
)


def _strict(data: bytes, encoding: str, problem: str) -> str:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as err:
        raise ValueError(f"{problem} ({err.reason} at byte {err.start})") from err
    if not _looks_like_text(text):
        raise ValueError(_BINARY)
    return text.removeprefix(_BOM)


def _utf16_orders(data: bytes) -> list[str]:
    """UTF-16 byte orders worth trying for BOM-less data, the likelier first (none if odd length)."""
    if len(data) % 2:
        return []
    # ASCII characters (digits, newlines, punctuation) put their NUL in the high byte: odd
    # offsets for little endian, even for big endian. CJK such as 一 (U+4E00) adds a few NULs on
    # the other side, so the majority decides the order and the other one is still tried.
    odd = data[1::2].count(0)
    even = data[0::2].count(0)
    return ["utf-16-le", "utf-16-be"] if odd >= even else ["utf-16-be", "utf-16-le"]


def _looks_like_text(text: str) -> bool:
    if "\x00" in text:
        return False
    bad = sum(
        1 for ch in text if ch not in _TEXT_CONTROLS and unicodedata.category(ch) in ("Cc", "Cn")
    )
    return bad <= len(text) * _MAX_BAD_SHARE


# --------------------------------------------------------------------------------------------
# .jsonl (SCHEMA.md)


def _read_jsonl(path: Path) -> list[RawReport]:
    docs, problems = check_files(path)
    if problems:
        # One bad line usually means a broken export; refusing the file keeps ids and counts honest.
        shown = "; ".join(problems[:3])
        more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        raise ReadError(path, f"{len(problems)} problem(s) in the JSONL file: {shown}{more}")
    if not docs:
        raise ReadError(path, "is empty (no documents)")
    # The document's own meta is kept apart so that its keys cannot clash with source/format.
    return [
        RawReport(doc.id, doc.text, {"source": str(path), "format": "jsonl", "document_meta": doc.meta})
        for doc in docs
    ]
