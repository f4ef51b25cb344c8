"""Stage 1 of the pipeline (read → tokenize → tag → normalise → link → write): files to report texts.

Every later stage computes code-point offsets into ``RawReport.text``, so this module never
"cleans" what it reads: no stripping, no newline conversion, no ``errors="replace"``. A file it
cannot read faithfully is refused with a :class:`ReadError` that names the file and the problem,
so that one bad input in a folder is reported instead of silently producing garbage.
"""

from __future__ import annotations

import io
import os
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.document import check_files

SUPPORTED = (".txt", ".docx", ".pdf", ".jsonl")
MAX_BYTES = 20_000_000  # default cap; callers can pass max_bytes

_BOM = "\ufeff"
# OLE2 compound file: what Word writes for a password-protected .docx (the encrypted package is
# wrapped in OLE2) and for a legacy .doc; python-docx would only say "not a zip file".
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
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
                    if not _skipped_in_folder(name) and Path(name).suffix.lower() in SUPPORTED:
                        add(Path(folder) / name)
        elif path.exists():
            if path.suffix.lower() in SUPPORTED:
                add(path)
            else:
                errors.append(ReadError(path, f"unsupported file type {_suffix_text(path)} ({_supported_text()})"))
        else:
            errors.append(ReadError(path, "does not exist"))
    return sorted(found.values(), key=str), errors


def _suffix_text(path: Path) -> str:
    return repr(path.suffix) if path.suffix else "(no extension)"


def _supported_text() -> str:
    return "supported: " + ", ".join(SUPPORTED)


# --------------------------------------------------------------------------------------------
# Reading one file


def read_reports(path: Path, max_bytes: int = MAX_BYTES) -> list[RawReport]:
    """Read one input file into reports (one for .txt/.docx/.pdf, one per document for .jsonl).

    Raises ReadError naming the file and the problem; nothing else escapes for a bad file.
    """
    path = Path(path)
    kind = path.suffix.lower()
    if kind not in SUPPORTED:
        raise ReadError(path, f"unsupported file type {_suffix_text(path)} ({_supported_text()})")
    data = _read_bytes(path, max_bytes)
    if not data:
        raise ReadError(path, "is empty (0 bytes)")
    if kind == ".txt":
        return [_read_txt(path, data)]
    if kind == ".docx":
        return [_read_docx(path, data)]
    if kind == ".pdf":
        return [_read_pdf(path, data)]
    return _read_jsonl(path)


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
# .docx


def _read_docx(path: Path, data: bytes) -> RawReport:
    if data.startswith(_OLE2_MAGIC[:4]):
        raise ReadError(path, "password-protected or legacy Word file; save it as .docx without a password")
    import docx  # imported here: reading .txt must not need python-docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
        lines = _block_lines(document)
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, EOFError) as err:
        raise ReadError(path, "not a valid .docx (corrupt or truncated)") from err
    except ValueError as err:
        # python-docx: "file '…' is not a Word file, content type is '…'" (e.g. an .xlsx renamed)
        raise ReadError(path, f"not a valid .docx ({err})") from err
    except Exception as err:  # lxml.etree.XMLSyntaxError and friends from a damaged part
        raise ReadError(path, f"not a valid .docx ({type(err).__name__}: {err})") from err
    text = "\n".join(lines)
    if not text.strip():
        raise ReadError(path, "is empty (no text in the document body)")
    return RawReport(path.stem, text, {"source": str(path), "format": "docx"})


def _block_lines(container: Any) -> list[str]:
    """One line per paragraph and per table row, in document order.

    iter_inner_content walks the body XML children, so a table stays between the paragraphs
    that surround it instead of being appended after all of them.
    """
    from docx.table import Table, _Cell

    lines: list[str] = []
    for block in container.iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                # Each <w:tc> once: row.cells repeats a merged cell once per grid column it spans
                # and copies vertically merged text into every row, which would duplicate text.
                cells = (_Cell(tc, block) for tc in row._tr.tc_lst)
                # A cell's own paragraphs (and nested tables) are joined with spaces so that a row
                # stays one line; tabs separate the cells.
                lines.append("\t".join(" ".join(_block_lines(cell)) for cell in cells))
        else:
            lines.append(block.text)
    return lines


# --------------------------------------------------------------------------------------------
# .pdf


def _read_pdf(path: Path, data: bytes) -> RawReport:
    from pypdf import PasswordType, PdfReader
    from pypdf.errors import DependencyError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            # An empty user password (only an owner password restricting copying/printing) is
            # common in published reports and opens fine; anything else needs the password.
            raise ReadError(path, "password-protected PDF")
        pages = [page.extract_text() or "" for page in reader.pages]
    except ReadError:
        raise
    except DependencyError as err:  # AES encryption needs the optional 'cryptography' package
        raise ReadError(path, f"encrypted PDF that cannot be opened here ({err})") from err
    except Exception as err:  # pypdf raises many types (PdfReadError, ValueError, KeyError…) on bad files
        raise ReadError(path, f"not a valid PDF ({type(err).__name__}: {err})") from err
    if not pages:
        raise ReadError(path, "has no pages")
    if not any(page.strip() for page in pages):
        raise ReadError(path, "has no text layer; it needs OCR first")
    # Page texts are kept as pypdf gives them (each usually ends in "\n"), so a page break reads
    # as a blank line; nothing is stripped.
    return RawReport(path.stem, "\n".join(pages), {"source": str(path), "format": "pdf", "pages": len(pages)})


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
