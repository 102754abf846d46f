"""Spreadsheets exchanged with MCN organizations and operators: creator rosters, metrics files.

Uploads are judged by their bytes, not their names: XLSX, or CSV text in UTF-8 or GB18030. File
problems raise ``TableError`` when ``read_table`` is called ("too many rows" only while iterating);
rows are yielded lazily, numbered as Excel shows them. Exports are CSV (UTF-8 with a BOM, guarded
against formula injection) or XLSX (strings stored as text, never as formulas).
"""

import contextlib
import csv
import datetime
import io
import itertools
import math
import re
import time
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal

import openpyxl
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from portal.core.uploads import _human_size
from portal.core.xlsx_guard import PartRefused, check_archive

MAX_VALUE_CHARS = 500
# An XLSX that unpacks to more than this many times max_bytes (or MAX_UNPACKED_BYTES, or one part
# to more than MAX_PART_BYTES), or whose XML unpacks to more than this many times the file's own
# size, is a ZIP bomb, not a roster: real workbooks unpack to 5 to 30 times their size, and a
# million rows of eleven columns to about 500 MB.
MAX_UNPACKED_RATIO = 100
MAX_UNPACKED_BYTES = 2 << 30
MAX_PART_BYTES = 1 << 30
SNIFF_BYTES = 8192
CSV_CHUNK_ROWS = 500
DELIMITERS = (",", "\t", ";")  # on a tie the first wins
INJECTION_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
ZIP_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0"
# Excel rounds numbers of 16 digits or more (IDs show as 1.23457E+16); such values go out as text.
MAX_EXACT_INT = 10**15
XLSX_MAX_TEXT = 32767
SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
SPACE = re.compile(r"[\s\u200b\ufeff]+")
EDGE_SPACE = re.compile(r"^[\s\u200b\ufeff]+|[\s\u200b\ufeff]+$")
INVISIBLE = "\u200b\ufeff"  # zero-width characters that str.strip() keeps
# After NFKC (full-width "（人）", "：", "＊" become ASCII): trailing colons, asterisks, "(...)".
HEADER_SUFFIX = re.compile(r"(?:[:*]|\([^()]*\))+$")

MESSAGES = {
    "empty": _("The file is empty."),
    "too_large": _("The file is larger than %(limit)s; split it into smaller files."),
    "unpacked": _("The workbook is too large once unpacked; split it into smaller files."),
    "markup": _(
        "The workbook contains XML that spreadsheet programs do not write (a document type, or "
        "an oversized comment or tag). Open it in Excel or WPS and save it again, or save it as "
        "CSV."
    ),
    "too_slow": _(
        "The workbook takes too long to read. Save it as CSV, or split it into smaller files."
    ),
    "xls": _("Save the file as .xlsx or .csv and upload it again."),
    "not_table": _("This file is not a spreadsheet; upload an .xlsx or .csv file."),
    "encoding": _("The text encoding of the file is not recognised; save it as CSV UTF-8."),
    "malformed": _("Row %(row)s cannot be read; check for an unclosed quotation mark."),
    "missing_columns": _("The file is missing required columns: %(columns)s."),
    "duplicate_column": _("The column “%(column)s” appears more than once."),
    "too_many_rows": _("The file has more than %(limit)s data rows; split it into smaller files."),
    "no_rows": _("The file has a header row but no data rows."),
}


@dataclass(frozen=True)
class Column:
    field: str  # our name, e.g. "platform_account_id"
    headers: tuple[str, ...]  # accepted header texts, e.g. ("平台账号ID", "platform account id")
    required: bool = True  # the header must be present


class TableError(ValidationError):
    """A problem with the whole file (not one row)."""


def _error(code, message_key=None, **params) -> TableError:
    return TableError(MESSAGES[message_key or code], code=code, params=params or None)


def read_table(
    upload, columns: list[Column], *, max_rows: int, max_bytes: int, max_seconds=None
) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (row_number, {field: text}) for every data row, row_number as a person sees it in Excel
    (the header is row 1, so the first data row is 2). Values are stripped strings ('' when empty).
    Fields of optional columns absent from the file are ''. With `max_seconds`, reading a workbook
    that takes longer stops with a TableError (for files read while a person waits)."""
    data = _read_bounded(upload, max_bytes)
    source = (
        _xlsx_rows(data, max_bytes, max_seconds) if data.startswith(ZIP_MAGIC) else _csv_rows(data)
    )
    try:
        numbered = enumerate(source, start=1)
        positions = _header(numbered, columns)
        fields = [(column.field, positions.get(column.field)) for column in columns]
        first = next(_data_rows(numbered, fields, max_rows), None)
        if first is None:
            raise _error("no_rows")
    except BaseException:
        source.close()
        raise
    return _rows(first, numbered, fields, max_rows, source)


def _rows(first, numbered, fields, max_rows, source):
    with contextlib.closing(source):
        yield first
        # The first data row was counted already; continue the count from one.
        yield from _data_rows(numbered, fields, max_rows, seen=1)


def _data_rows(numbered, fields, max_rows, seen=0):
    """fields: (field, cell index or None for an optional column the file lacks)."""
    for number, cells in numbered:
        row = {f: _clean(cells[i]) if i is not None and i < len(cells) else "" for f, i in fields}
        if not any(row.values()) and not any(_clean(cell) for cell in cells):
            continue
        seen += 1
        if seen > max_rows:
            raise _error("too_many_rows", limit=max_rows)
        yield number, row


def _read_bounded(upload, max_bytes: int) -> bytes:
    with contextlib.suppress(AttributeError, OSError, ValueError):
        upload.seek(0)
    chunks, total = [], 0
    while total <= max_bytes:  # streams may return short reads
        chunk = upload.read(max_bytes + 1 - total)
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    if total == 0:
        raise _error("empty")
    if total > max_bytes:
        raise _error("too_large", limit=_human_size(max_bytes))
    return b"".join(chunks)


def _header(numbered, columns: list[Column]) -> dict[str, int]:
    """Read up to the first non-empty row and map each field to its cell index."""
    aliases = {}
    for column in columns:
        for text in column.headers:
            aliases.setdefault(_header_key(text), column)
    for _number, cells in numbered:
        if not any(_clean(cell) for cell in cells):
            continue
        positions = {}
        for index, cell in enumerate(cells):
            column = aliases.get(_header_key(cell))
            if column is None:
                continue
            if column.field in positions:
                raise _error("duplicate_column", column=_label(column))
            positions[column.field] = index
        missing = [_label(c) for c in columns if c.required and c.field not in positions]
        if missing:
            raise _error("missing_columns", columns="; ".join(missing))
        return positions
    raise _error("empty")


def _header_key(text: str) -> str:
    text = SPACE.sub("", unicodedata.normalize("NFKC", text)).casefold()
    return HEADER_SUFFIX.sub("", text)


def _label(column: Column) -> str:
    chinese = next((h for h in column.headers if not h.isascii()), None)
    english = next((h for h in column.headers if h.isascii()), None)
    return " / ".join(h for h in (chinese, english) if h) or column.field


def _clean(value: str) -> str:
    if "\x00" in value:  # PostgreSQL text cannot hold NUL; no spreadsheet means one
        value = value.replace("\x00", "")
    value = value.strip()
    if value and (value[0] in INVISIBLE or value[-1] in INVISIBLE):
        value = EDGE_SPACE.sub("", value)
    return value[:MAX_VALUE_CHARS]


def _csv_rows(data: bytes) -> Iterator[list[str]]:
    if data.startswith(XLS_MAGIC):
        raise _error("xls")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Excel's "Unicode text" (tab-separated UTF-16 with a BOM), common on Chinese Windows.
        try:
            data = data.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError:
            raise _error("encoding") from None
    if b"\x00" in data[:SNIFF_BYTES]:
        raise _error("not_table")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            raise _error("encoding") from None
    newline = "\n" if "\n" in text else "\r"  # "\r" alone: old Mac Excel
    header = next((line for line in _lines(text, newline) if line.strip()), "")
    delimiter = max(DELIMITERS, key=header.count)
    return _parse_csv(_lines(text, newline), delimiter)


def _parse_csv(lines, delimiter) -> Iterator[list[str]]:
    number = 0
    try:
        for cells in csv.reader(lines, delimiter=delimiter):
            number += 1
            yield cells
    except csv.Error:  # e.g. an unclosed quote swallowed the rest of the file into one field
        raise _error("malformed", row=number + 1) from None


def _lines(text: str, newline: str) -> Iterator[str]:
    """Lines with their endings, without copying the text into a StringIO (4 bytes a character)."""
    start = 0
    while start < len(text):
        end = text.find(newline, start)
        end = len(text) if end < 0 else end + 1
        yield text[start:end]
        start = end


def _xlsx_rows(data: bytes, max_bytes: int, max_seconds: float | None) -> Iterator[list[str]]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > min(
                MAX_UNPACKED_RATIO * max_bytes, MAX_UNPACKED_BYTES
            ):
                raise _error("too_large", "unpacked")
            check_archive(
                archive,
                max_part_bytes=MAX_PART_BYTES,
                max_xml_bytes=min(MAX_UNPACKED_RATIO * len(data), MAX_UNPACKED_BYTES),
            )
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except TableError:
        raise
    except PartRefused as refused:
        code = ("too_large", "unpacked") if refused.reason == "size" else ("markup",)
        raise _error(*code) from None
    except Exception:  # any ZIP that openpyxl cannot open: .docx, .numbers, damaged files
        raise _error("not_table") from None
    return _sheet_rows(workbook, max_seconds)


def _sheet_rows(workbook, max_seconds: float | None) -> Iterator[list[str]]:
    deadline = None if max_seconds is None else time.monotonic() + max_seconds
    try:
        for sheet in workbook.worksheets[:1]:
            # The stored dimension may be wrong (some exporters write "A1"); trust the rows.
            sheet.reset_dimensions()
            for number, values in enumerate(sheet.iter_rows(values_only=True)):
                if deadline is not None and number % 1000 == 0 and time.monotonic() > deadline:
                    raise _error("too_slow")
                yield [_cell_text(value) for value in values]
    except TableError:
        raise
    except Exception:  # damaged sheet XML
        raise _error("not_table") from None
    finally:
        workbook.close()


def _cell_text(value) -> str:
    if isinstance(value, datetime.datetime) and value.time() == datetime.time(0):
        return value.date().isoformat()
    return _text(value)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        # repr() is the shortest exact text; Decimal drops its exponent (1e-07 -> 0.0000001).
        return str(int(value)) if value.is_integer() else format(Decimal(repr(value)), "f")
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value)


def _is_number(value) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def write_csv(headers: list[str], rows: Iterable[Sequence]) -> Iterator[bytes]:
    """Stream a CSV in UTF-8 with a BOM (so Excel on Chinese Windows opens it correctly)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow([_csv_text(header) for header in headers])
    yield _drain(buffer)
    for batch in itertools.batched(rows, CSV_CHUNK_ROWS):
        writer.writerows([_csv_text(value) for value in row] for row in batch)
        yield _drain(buffer)


def _drain(buffer: io.StringIO) -> bytes:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text.encode("utf-8")


def _csv_text(value) -> str:
    text = _text(value)
    # Spreadsheets run cells starting with these as formulas; an apostrophe makes them text.
    if not _is_number(value) and text.startswith(INJECTION_PREFIXES):
        return "'" + text
    return text


def write_xlsx(headers: list[str], rows: Iterable[Sequence], *, sheet_title: str) -> bytes:
    """An XLSX file (openpyxl write_only workbook), bold header row, frozen first row."""
    workbook = openpyxl.Workbook(write_only=True)
    title = SHEET_TITLE_FORBIDDEN.sub(" ", str(sheet_title)).strip()[:31] or "Sheet1"
    sheet = workbook.create_sheet(title=title)
    for index, header in enumerate(headers, start=1):
        width = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in str(header))
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, 10), 40)
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    sheet.append([_xlsx_cell(sheet, header, bold) for header in headers])
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value) for value in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _xlsx_cell(sheet, value, font=None) -> WriteOnlyCell:
    """Numbers stay numbers (Excel can sum them); everything else is stored as text."""
    if value is None:
        cell = WriteOnlyCell(sheet)
    elif _is_number(value) and math.isfinite(value) and not abs(value) >= MAX_EXACT_INT:
        cell = WriteOnlyCell(sheet, value=value)
    else:
        text = ILLEGAL_CHARACTERS_RE.sub("", _text(value))[:XLSX_MAX_TEXT]
        cell = WriteOnlyCell(sheet, value=text)
        cell.data_type = "s"  # openpyxl would store "=1+1" as a formula
    if font is not None:
        cell.font = font
    return cell
