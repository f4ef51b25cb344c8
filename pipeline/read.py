"""Stage 1 of the pipeline (read → tokenize → tag → normalise → link → write): files to report texts.

Every later stage computes code-point offsets into ``RawReport.text``, so this module never
"cleans" what it reads: no stripping, no newline conversion, no ``errors="replace"``. A file it
cannot read faithfully is refused with a :class:`ReadError` that names the file and the problem,
so that one bad input in a folder is reported instead of silently producing garbage; a bad line
of a .jsonl file is refused alone (``ReadError.line``) and the file's other documents are kept.
"""

from __future__ import annotations

import errno
import os
import stat
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SUPPORTED = (".txt", ".docx", ".pdf", ".html", ".htm", ".xlsx", ".xls", ".ods", ".jsonl")
# Default cap on a file's size. A decoded text never has more characters than its file has bytes
# (.txt, .html, .jsonl), and the text of a .docx/.pdf/.xlsx is held to the same number, so
# ``max_bytes`` is the character limit too; the model reads any such text in pieces
# (pipeline.model.PIECE_CHARS), so spaCy's nlp.max_length is never what refuses a report.
MAX_BYTES = 20_000_000

_BOM = "\ufeff"
# Control characters that plain text legitimately contains.
_TEXT_CONTROLS = frozenset("\t\n\r\x0b\x0c")
# Share of stray control/unassigned characters a decode may have and still count as text: a
# DOS end-of-file mark or a character newer than this Python's Unicode tables must not sink a report.
_MAX_BAD_SHARE = 0.01


@dataclass
class RawReport:
    id: str  # file stem (made unique by report_ids), or the JSONL document id
    text: str  # decoded content exactly; a leading BOM is not content and is dropped
    # {"source": str(path), "format": "txt"|"docx"|"pdf"|"jsonl", "encoding": ... (txt), "pages": n (pdf)}
    meta: dict[str, Any] = field(default_factory=dict)
    line: int | None = field(default=None, compare=False)  # its line in a .jsonl file


class ReadError(Exception):
    """A file (or one line of a .jsonl file) that cannot be turned into a report.

    ``str(err) == f"{path}: {problem}"``, or ``f"{path}:{line}: {problem}"`` for a line; ``doc_id``
    is the id a bad line carries, when it has one.
    """

    def __init__(self, path: str | Path, problem: str, line: int | None = None, doc_id: str | None = None):
        self.path = Path(path)
        self.problem = problem
        self.line = line
        self.doc_id = doc_id
        super().__init__(f"{path}:{line}: {problem}" if line else f"{path}: {problem}")

    def __reduce__(self):  # keep it picklable for process pools: args is not (path, problem)
        return (type(self), (self.path, self.problem, self.line, self.doc_id))


# --------------------------------------------------------------------------------------------
# Finding inputs


def _skipped_in_folder(name: str) -> bool:
    # Hidden entries (.git, .ipynb_checkpoints, our lock files) and Word's "~$x.docx" lock files are
    # never reports; they are skipped only while walking a folder, a file named explicitly is always read.
    return name.startswith((".", "~$"))


def _stat_problem(path: Path, err: OSError) -> str:
    """What is wrong with a path that cannot even be looked at, and what to do about it."""
    if err.errno == errno.ELOOP:
        return "is a symbolic link loop (the link leads back to itself); skipped: fix or remove the link"
    if os.path.islink(path) and err.errno == errno.ENOENT:
        return f"is a broken symbolic link (to {os.readlink(path)}, which does not exist); skipped: fix or remove the link"
    if err.errno == errno.ENOENT:
        return "does not exist"
    return f"cannot be read ({err.strerror or err})"


def find_inputs(paths: Iterable[str | Path]) -> tuple[list[Path], list[ReadError]]:
    """Expand files and folders (recursively, following symbolic links) into the supported input files.

    Returns the files sorted and de-duplicated (two spellings of one file count once), and the
    problems found on the way (a missing path, an explicitly named unsupported file, an
    unreadable folder, a symbolic link loop or a broken link) as ReadError entries, so that the
    caller decides whether to stop. Nothing here opens a file: a FIFO named .txt is found like any
    file and refused by :func:`read_file` without blocking.
    """
    found: dict[str, Path] = {}  # real path → path as the caller spelled it
    errors: list[ReadError] = []

    def add(path: Path) -> None:
        found.setdefault(os.path.realpath(path), path)

    def walk(folder: Path, chain: frozenset[tuple[int, int]]) -> None:
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as err:
            errors.append(ReadError(folder, f"cannot read folder ({err.strerror or err})"))
            return
        for entry in entries:
            path = Path(entry.path)
            if _skipped_in_folder(entry.name):
                continue
            try:
                st = entry.stat()  # follows symbolic links: a linked folder is walked like a real one
            except OSError as err:
                errors.append(ReadError(path, _stat_problem(path, err)))
                continue
            if stat.S_ISDIR(st.st_mode):
                # A folder that is already on the way down (a link to a parent) would be walked forever.
                key = (st.st_dev, st.st_ino)
                if key in chain:
                    errors.append(ReadError(path, "is a symbolic link loop (it leads back to a folder that "
                                                  "contains it); not followed: remove the link"))
                else:
                    walk(path, chain | {key})
            elif path.suffix.lower() in SUPPORTED:
                add(path)
            else:  # never a silent skip: the user learns which files were not read and why
                errors.append(ReadError(path, unreadable_problem(path)))

    for raw in paths:
        path = Path(raw)
        try:
            st = path.stat()
        except OSError as err:
            errors.append(ReadError(path, _stat_problem(path, err)))
            continue
        if stat.S_ISDIR(st.st_mode):
            walk(path, frozenset({(st.st_dev, st.st_ino)}))
        elif path.suffix.lower() in SUPPORTED:
            add(path)
        else:
            errors.append(ReadError(path, unreadable_problem(path)))
    return sorted(found.values(), key=str), errors


def report_ids(files: Iterable[Path]) -> dict[Path, str]:
    """The id of each .txt/.docx/.pdf/... file's report: its name without the extension.

    When several inputs share that name (县A/自评报告.txt, 县B/自评报告.txt), each gets instead its
    path relative to the folder they have in common, without the extension (县A/自评报告,
    县B/自评报告), or with it when only the extension differs (报告.txt, 报告.docx). .jsonl
    documents keep their own ids.
    """
    by_stem: dict[str, list[Path]] = {}
    for path in files:
        if path.suffix.lower() != ".jsonl":
            by_stem.setdefault(path.stem, []).append(path)
    ids: dict[Path, str] = {}
    for stem, group in by_stem.items():
        if len(group) == 1:
            ids[group[0]] = stem
            continue
        absolute = [Path(os.path.abspath(p)) for p in group]
        common = Path(os.path.commonpath(absolute))
        relative = [a.relative_to(common) for a in absolute]
        plain = [r.with_suffix("").as_posix() for r in relative]
        with_suffix = len(set(plain)) < len(plain)
        for path, rel, short in zip(group, relative, plain):
            ids[path] = rel.as_posix() if with_suffix else short
    return ids


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


def read_file(path: Path, max_bytes: int = MAX_BYTES) -> tuple[list[RawReport], list[ReadError]]:
    """Read one input file into reports (one for .txt/.docx/.pdf/..., one per good line for .jsonl).

    Returns the reports and the bad lines of a .jsonl file (each a ReadError with ``line``); raises
    ReadError naming the file and the problem when the whole file cannot be read. Nothing else
    escapes for a bad file.
    """
    path = Path(path)
    kind = path.suffix.lower()
    if kind not in SUPPORTED:
        raise ReadError(path, unreadable_problem(path))
    data = _read_bytes(path, max_bytes)
    if not data:
        raise ReadError(path, "is empty (0 bytes)")
    from pipeline import readers  # imported here: reading .txt must not load the office libraries

    if kind == ".jsonl":
        return readers.read_jsonl(path, data)
    if kind == ".txt":
        report = _read_txt(path, data)
    elif kind == ".docx":
        report = readers.read_docx(path, data)
    elif kind == ".pdf":
        report = readers.read_pdf(path, data)
    elif kind in (".html", ".htm"):
        report = readers.read_html(path, data)
    else:
        report = readers.read_spreadsheet(path, data)
    if len(report.text) > max_bytes:  # a zipped .docx/.xlsx can hold far more text than its size
        raise ReadError(path, f"has {len(report.text):,} characters once read, more than the limit of "
                              f"{max_bytes:,}: split it into smaller files, or raise --max-bytes")
    return [report], []


def read_reports(path: Path, max_bytes: int = MAX_BYTES) -> list[RawReport]:
    """:func:`read_file`, strict: a .jsonl file with any bad line is refused whole."""
    reports, problems = read_file(path, max_bytes)
    if problems:
        shown = "; ".join(str(p) for p in problems[:3])
        more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        raise ReadError(path, f"{len(problems)} problem(s) in the JSONL file: {shown}{more}")
    return reports


_FILE_KINDS = {stat.S_IFIFO: "named pipe (FIFO)", stat.S_IFSOCK: "socket", stat.S_IFCHR: "character device",
               stat.S_IFBLK: "block device"}


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    try:
        # O_NONBLOCK: opening a FIFO for reading would otherwise wait forever for a writer. It
        # changes nothing for a regular file, and anything else is refused by fstat below.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as err:
        raise ReadError(path, _stat_problem(path, err) if err.errno == errno.ELOOP
                        else f"cannot be read ({err.strerror or err})") from err
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise ReadError(path, "cannot be read (Is a directory)")
        if not stat.S_ISREG(st.st_mode):
            kind = _FILE_KINDS.get(stat.S_IFMT(st.st_mode), "special file")
            raise ReadError(path, f"is not a regular file but a {kind}; skipped: a report must be an "
                                  "ordinary file (copy its content into one)")
        if st.st_size > max_bytes:
            raise ReadError(path, f"is too large ({st.st_size:,} bytes; the limit is {max_bytes:,} bytes)")
        with os.fdopen(fd, "rb", closefd=False) as f:
            data = f.read(max_bytes + 1)  # one byte past the limit: the file may have grown since fstat()
    except OSError as err:
        raise ReadError(path, f"cannot be read ({err.strerror or err})") from err
    finally:
        os.close(fd)
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

    ``data.decode(encoding)`` gives back ``text``, less one leading BOM (utf-8-sig and utf-16 drop
    it themselves; a second U+FEFF is content and stays). Raises ValueError saying why when no
    supported encoding yields plausible text.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return _strict(data, "utf-8-sig", "starts with a UTF-8 byte-order mark but is not valid UTF-8"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Python's "utf-16" codec reads the BOM to pick the byte order and drops it.
        return _strict(data, "utf-16", "starts with a UTF-16 byte-order mark but is not valid UTF-16"), "utf-16"
    # No BOM from here on, so no decoding below can start with U+FEFF (but GB18030's own BOM).
    if b"\x00" in data:
        # UTF-8, GB18030 and Big5 text has no NUL bytes; UTF-16 of ASCII/CJK text has many.
        for encoding in _utf16_orders(data):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                continue
            if _looks_like_text(text):
                return text, encoding
        raise ValueError(_BINARY)
    # UTF-8 first: valid UTF-8 is almost never accidental, while GB18030 and Big5 accept many
    # byte sequences (including each other's text), so they are weighed only when UTF-8 fails.
    # Limitation: BOM-less UTF-16 of purely CJK text has no NUL bytes and is not detected.
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        from pipeline.gb_big5 import decode_legacy

        return decode_legacy(data)
    if not _looks_like_text(text):
        raise ValueError(_BINARY)
    return text, "utf-8"


_BINARY = (
    "looks like a binary file: it has NUL bytes or control characters that no supported encoding "
    "(UTF-8, UTF-16, GB18030, Big5) explains"
)
def _strict(data: bytes, encoding: str, problem: str) -> str:
    try:
        text = data.decode(encoding)  # the codec drops the one BOM that chose it
    except UnicodeDecodeError as err:
        raise ValueError(f"{problem} ({err.reason} at byte {err.start})") from err
    if not _looks_like_text(text):
        raise ValueError(_BINARY)
    return text


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
    bad = sum(1 for ch in text if ch not in _TEXT_CONTROLS and unicodedata.category(ch) in ("Cc", "Cn"))
    return bad <= len(text) * _MAX_BAD_SHARE
