"""Readers for the office and web formats reports are published in: .docx, .pdf, .html, .xlsx/.xls/.ods.

Each reader renders one file into the report's text, tables as one row per line with cells
separated by tabs, so that the table layer (``pipeline.tables``) sees the same shape whatever the
source. What a reader returns is the document's text exactly: every later offset points into it.

Libraries, chosen by measurement (README, "Readers"):
- HTML: inscriptis renders tables cell by cell (``table_cell_separator="\\t"``); trafilatura, tried
  beside it, fell back to its baseline extractor on small 自评表 pages and flattened the tables to
  one cell per line. Page furniture (nav, header, footer, scripts) is dropped before rendering.
- .xlsx: openpyxl, because it keeps the number format: a cell shown as ``97.91%`` is stored as
  0.9791 and only the format says it is a percentage. .xls/.ods: python-calamine (openpyxl cannot
  read them); their percentages come out as fractions.
- PDF: pdfplumber finds ruled tables and gives their cells; text outside the tables comes from the
  same page in reading order. pypdf's bare text layer is the fallback when pdfplumber fails.
- .jsonl: one document per line, SCHEMA.md documents or plain ``{"id", "text"}`` lines; a bad line
  is refused alone, with its line number, and the others are kept.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pipeline.document import parse_document
from pipeline.read import RawReport, ReadError, decode_text

# OLE2 compound file: what Word writes for a password-protected .docx and for a legacy .doc;
# python-docx would only say "not a zip file".
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0"


def _row_line(cells: list[str]) -> str:
    # A cell's own line breaks would split its row: they become spaces.
    return "\t".join(re.sub(r"\s*\n\s*", " ", c).strip() for c in cells)


# --------------------------------------------------------------------------------------------
# .docx


def read_docx(path: Path, data: bytes) -> RawReport:
    if data.startswith(_OLE2_MAGIC):
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


def read_pdf(path: Path, data: bytes) -> RawReport:
    """Text and ruled tables of every page (pdfplumber); pypdf's text layer if pdfplumber fails."""
    _check_pdf_opens(path, data)
    try:
        pages = _pdfplumber_pages(data)
        reader_name = "pdfplumber"
    except Exception:  # a PDF pypdf opens but pdfminer chokes on still has a text layer
        pages = _pypdf_pages(data)
        reader_name = "pypdf"
    if not pages:
        raise ReadError(path, "has no pages")
    if not any(page.strip() for page in pages):
        raise ReadError(path, "has no text layer; it needs OCR first")
    meta = {"source": str(path), "format": "pdf", "pages": len(pages), "pdf_reader": reader_name}
    return RawReport(path.stem, "\n".join(pages), meta)


def _check_pdf_opens(path: Path, data: bytes) -> None:
    from pypdf import PasswordType, PdfReader
    from pypdf.errors import DependencyError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            # An empty user password (only an owner password restricting copying/printing) is
            # common in published reports and opens fine; anything else needs the password.
            raise ReadError(path, "password-protected PDF")
        len(reader.pages)
    except ReadError:
        raise
    except DependencyError as err:  # AES encryption needs the optional 'cryptography' package
        raise ReadError(path, f"encrypted PDF that cannot be opened here ({err})") from err
    except Exception as err:  # pypdf raises many types (PdfReadError, ValueError, KeyError…) on bad files
        raise ReadError(path, f"not a valid PDF ({type(err).__name__}: {err})") from err


def _pypdf_pages(data: bytes) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages]


def _pdfplumber_pages(data: bytes) -> list[str]:
    import pdfplumber

    pages = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            tables = page.find_tables()
            boxes = [t.bbox for t in tables]

            def outside(obj: dict, boxes: list = boxes) -> bool:
                x = (obj["x0"] + obj["x1"]) / 2
                y = (obj["top"] + obj["bottom"]) / 2
                return not any(b[0] <= x <= b[2] and b[1] <= y <= b[3] for b in boxes)

            # (top, text) blocks: text lines outside tables, and each table's rows, in reading order.
            blocks: list[tuple[float, str]] = []
            for line in page.filter(outside).extract_text_lines():
                blocks.append((line["top"], line["text"]))
            for table in tables:
                rows = [_row_line([c or "" for c in row]) for row in table.extract()]
                blocks.append((table.bbox[1], "\n".join(rows)))
            blocks.sort(key=lambda b: b[0])
            pages.append("\n".join(text for _, text in blocks) + "\n")
    return pages


# --------------------------------------------------------------------------------------------
# .html / .htm

# Page furniture of government sites: dropped before rendering (tags, and class/id words).
_FURNITURE_TAGS = ("script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe")
_FURNITURE_WORDS = re.compile(r"nav|menu|breadcrumb|crumb|footer|header|sidebar|banner|share|copyright|toolbar|position",
                              re.I)


def read_html(path: Path, data: bytes) -> RawReport:
    import lxml.html
    from inscriptis import Inscriptis
    from inscriptis.css_profiles import CSS_PROFILES
    from inscriptis.model.config import ParserConfig

    markup = _decode_html(path, data)
    try:
        tree = lxml.html.document_fromstring(markup)
    except Exception as err:  # lxml: empty document, broken encoding declaration …
        raise ReadError(path, f"not a readable HTML page ({type(err).__name__}: {err})") from err
    for element in list(tree.iter(*_FURNITURE_TAGS)):
        element.drop_tree()
    for element in list(tree.iter()):
        if not isinstance(element.tag, str) or element.tag in ("html", "body"):
            continue
        marks = f"{element.get('class', '')} {element.get('id', '')}"
        if marks.strip() and _FURNITURE_WORDS.search(marks) and not element.findall(".//table"):
            element.drop_tree()
    config = ParserConfig(css=CSS_PROFILES["strict"], table_cell_separator="\t")
    rendered = Inscriptis(tree, config).get_text()
    # inscriptis pads cells to align columns; the padding is layout, not content.
    lines = [re.sub(r" +\t", "\t", line).rstrip() for line in rendered.split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n") + "\n"
    if not text.strip():
        raise ReadError(path, "is empty (no text in the page)")
    return RawReport(path.stem, text, {"source": str(path), "format": "html"})


def _decode_html(path: Path, data: bytes) -> str:
    head = data[:2048].decode("ascii", "ignore").lower()
    match = re.search(r"charset=[\"']?([a-z0-9_-]+)", head)
    if match:
        declared = match.group(1).replace("gb2312", "gb18030").replace("gbk", "gb18030")
        try:
            return data.decode(declared)
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong declaration is common; fall back to detection
    try:
        return decode_text(data)[0]
    except ValueError as err:
        raise ReadError(path, str(err)) from err


# --------------------------------------------------------------------------------------------
# .xlsx / .xls / .ods


def read_spreadsheet(path: Path, data: bytes) -> RawReport:
    """Every sheet, a line with its name, then its rows as tab-separated lines."""
    suffix = path.suffix.lower()
    try:
        sheets = _openpyxl_sheets(data) if suffix == ".xlsx" else _calamine_sheets(data)
    except ReadError:
        raise
    except Exception as err:  # zip, XML and BIFF errors of damaged workbooks
        raise ReadError(path, f"not a valid {suffix} workbook ({type(err).__name__}: {err})") from err
    parts = []
    for name, rows in sheets:
        lines = [_row_line(cells) for cells in rows]
        while lines and not lines[-1].strip("\t"):
            lines.pop()
        if lines:
            parts.append("\n".join([f"【{name}】", *lines]))
    text = "\n\n".join(parts) + "\n" if parts else ""
    if not text.strip():
        raise ReadError(path, "is empty (no cell has text)")
    return RawReport(path.stem, text, {"source": str(path), "format": suffix[1:], "sheets": len(sheets)})


def _openpyxl_sheets(data: bytes) -> list[tuple[str, list[list[str]]]]:
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    sheets = []
    for sheet in book.worksheets:
        rows = []
        for row in sheet.iter_rows():
            cells = [_excel_cell_text(c.value, getattr(c, "number_format", "General")) for c in row]
            while cells and not cells[-1]:
                cells.pop()
            rows.append(cells)
        sheets.append((sheet.title, rows))
    book.close()
    return sheets


def _calamine_sheets(data: bytes) -> list[tuple[str, list[list[str]]]]:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    sheets = []
    for name in book.sheet_names:
        rows = []
        for row in book.get_sheet_by_name(name).to_python(skip_empty_area=False):
            cells = [_excel_cell_text(v, "General") for v in row]
            while cells and not cells[-1]:
                cells.pop()
            rows.append(cells)
        sheets.append((name, rows))
    return sheets


def _excel_cell_text(value: Any, number_format: str) -> str:
    """A cell as the sheet shows it: percentages with %, decimals as formatted, dates as dates."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float):
        decimals = _format_decimals(number_format)
        if "%" in number_format:
            return f"{value * 100:.{decimals if decimals is not None else 0}f}%"
        if decimals is not None:
            return f"{value:.{decimals}f}"
        if float(value).is_integer():
            return str(int(value))
        return repr(float(value)) if abs(value) < 1e15 else str(value)
    return str(value)


def _format_decimals(number_format: str) -> int | None:
    match = re.search(r"0\.(0+)", number_format or "")
    if match:
        return len(match.group(1))
    if re.search(r"(^|[^.])0(%|$|;|_)", number_format or "") or (number_format or "").strip() in ("0", "0%", "#,##0"):
        return 0
    return None


# --------------------------------------------------------------------------------------------
# .jsonl


def read_jsonl(path: Path, data: bytes) -> tuple[list[RawReport], list[ReadError]]:
    """The documents of a .jsonl file, and a ReadError (with its line) for each line that is not one.

    A line is a SCHEMA.md document (its spans and relations are checked, then ignored) or a plain
    ``{"id": …, "text": …}`` object (``meta`` and any other keys kept as the document's meta).
    One bad line or a repeated id costs that line only: the rest of an export is still extracted.
    """
    try:
        content = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ReadError(path, f"is not UTF-8 ({err.reason} at byte {err.start}): a .jsonl file must be "
                              "UTF-8; save it as UTF-8 and extract it again") from err
    reports: list[RawReport] = []
    problems: list[ReadError] = []
    first_line: dict[str, int] = {}
    # A BOM is not JSON (Notepad writes one). Split on \n only: a text may hold \r or U+2028.
    for number, line in enumerate(content.removeprefix("\ufeff").split("\n"), 1):
        if not line.strip():
            continue
        try:
            report, problem = _jsonl_report(json.loads(line), path, number)
        except json.JSONDecodeError as err:
            report, problem = None, f"not JSON ({err.msg} at column {err.colno}): fix or remove the line"
        if report is not None and report.id in first_line:
            problem = (f"document id {report.id!r} is already used on line {first_line[report.id]}: "
                       "give this document another id")
        if problem is not None:
            problems.append(ReadError(path, problem, line=number, doc_id=report.id if report else None))
            continue
        assert report is not None
        first_line[report.id] = number
        reports.append(report)
    if not reports and not problems:
        raise ReadError(path, "is empty (no documents)")
    return reports, problems


def _jsonl_report(obj: Any, path: Path, number: int) -> tuple[RawReport | None, str | None]:
    if not isinstance(obj, dict):
        return None, f"a line must be a JSON object, not {type(obj).__name__}: fix or remove the line"
    meta: dict[str, Any] = {"source": str(path), "format": "jsonl"}
    if "spans" in obj or "relations" in obj:
        doc, broken = parse_document(obj, "document")
        if broken or doc is None:
            return None, f"breaks SCHEMA.md ({'; '.join(broken[:3])}): fix the line, or keep only its id and text"
        doc_id, text, document_meta = doc.id, doc.text, doc.meta
    else:
        doc_id, text = obj.get("id"), obj.get("text")
        if isinstance(doc_id, int) and not isinstance(doc_id, bool):
            doc_id = str(doc_id)  # {"id": 7, …}: a number is a fine name
        if not isinstance(doc_id, str) or not doc_id:
            return None, "has no 'id' (a non-empty string): add one"
        if not isinstance(text, str):
            return None, "has no 'text' string: add the report's text"
        if not isinstance(obj.get("meta", {}), dict):
            return None, "'meta' must be a JSON object"
        # Other keys (title, source, year…) are the document's too: kept beside its meta.
        document_meta = {k: v for k, v in obj.items() if k not in ("id", "text", "meta")} | obj.get("meta", {})
    if not text.strip():
        return None, "has an empty text: remove the line or fill in the report's text"
    # The document's own meta is kept apart so that its keys cannot clash with source/format.
    return RawReport(doc_id, text, meta | {"document_meta": document_meta}, line=number), None
