"""Reading uploaded spreadsheets safely: CSV in any encoding Excel in China saves, and XLSX without surprises.

A file is checked before a single row is parsed: its size, what it really is (zip, OLE container, text),
the zip's uncompressed size and compression ratio (zip bombs), then its header against the columns of the
import kind. Rows are then streamed, never read into one list. Every refusal is a `SpreadsheetError` with a
message a county clerk can act on.
"""

import codecs
import csv
import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from villages import stored_messages
from villages.headers import Header

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
CHUNK_BYTES = 1 << 20
MAX_COMPRESSION_RATIO = 100
CSV = "csv"
XLSX = "xlsx"


class SpreadsheetError(ValidationError):
    """The file as a whole cannot be imported; nothing in it was looked at row by row.

    `parts` are its messages stored as codes and values (`villages.stored_messages`), so that the job shows
    them in its reader's language; a refusal that names several problems gives one part for each.
    """

    def __init__(self, message, code=None, params=None, parts=None):
        super().__init__(message, code=code, params=params)
        self.parts = parts if parts is not None else [stored_messages.freeze(message, params)]


@dataclass(frozen=True)
class Column:
    """One importable column: the model field it fills, its header from the catalogue, whether it is required.

    `example` fills the template's example row; `unit` and `note` (lazy texts) explain the column on the
    template's notes sheet, beside what the model field itself says (type, limits, allowed values).
    """

    field: str
    header: Header
    required: bool = False
    example: str = ""
    unit: object = ""
    note: object = ""


def max_file_bytes() -> int:
    return getattr(settings, "IMPORT_MAX_FILE_BYTES", 20 * 1024 * 1024)


def max_rows() -> int:
    return getattr(settings, "IMPORT_MAX_ROWS", 1_000_000)


def max_uncompressed_bytes() -> int:
    return getattr(settings, "IMPORT_MAX_UNCOMPRESSED_BYTES", 10 * max_file_bytes())


def _normalise(header) -> str:
    return " ".join(str(header or "").replace("\ufeff", "").split()).casefold()


def header_lookup(columns: tuple[Column, ...]) -> dict[str, str]:
    """Every accepted spelling of a header (field name, English, Chinese; case and spacing ignored) -> field.

    Both languages whatever the request's: a clerk may upload a template downloaded in the other one.
    """
    lookup = {}
    for column in columns:
        for spelling in (column.field, column.header.english, column.header.chinese):
            lookup[_normalise(spelling)] = column.field
    return lookup


def match_header(raw_header: list, columns: tuple[Column, ...]) -> list[str]:
    """The field of each header cell, or a SpreadsheetError naming unknown, repeated and missing columns."""
    lookup = header_lookup(columns)
    fields, unknown, repeated = [], [], []
    for cell in raw_header:
        if _normalise(cell) == "":
            fields.append("")
            continue
        field = lookup.get(_normalise(cell))
        if field is None:
            unknown.append(str(cell))
        elif field in fields:
            repeated.append(str(cell))
        fields.append(field or "")
    missing = [column for column in columns if column.required and column.field not in fields]
    problems = []
    if unknown:
        problems.append((_("Unknown columns: %(columns)s."), {"columns": ", ".join(unknown)}))
    if repeated:
        problems.append((_("Columns given twice: %(columns)s."), {"columns": ", ".join(repeated)}))
    if missing:
        problems.append((
            _("Missing required columns: %(columns)s."),
            {"columns": ", ".join(f"{column.header.chinese} / {column.header.english}" for column in missing)},
        ))
    if problems:
        raise SpreadsheetError(
            " ".join(str(text % params) for text, params in problems), code="columns",
            parts=[stored_messages.freeze(text, params) for text, params in problems])
    return fields


def file_kind(name: str, head: bytes) -> str:
    """CSV or XLSX from what the bytes are, not only from the name; refuse what is neither."""
    if head.startswith(OLE_MAGIC):
        raise SpreadsheetError(
            _(
                "This file is password-protected or an old Excel 97–2003 (.xls) workbook. "
                "Remove the password and save it as .xlsx or .csv."
            ),
            code="encrypted",
        )
    lowered = name.lower()
    if head.startswith(ZIP_MAGIC) or lowered.endswith(".xlsx"):
        return XLSX
    if lowered.endswith((".csv", ".txt")) or not lowered.rpartition(".")[1]:
        return CSV
    raise SpreadsheetError(_("Upload a .csv or .xlsx file."), code="file_type")


def _size_of(uploaded) -> int:
    size = getattr(uploaded, "size", None)
    if size is None:
        position = uploaded.tell()
        uploaded.seek(0, io.SEEK_END)
        size = uploaded.tell()
        uploaded.seek(position)
    return size


def _check_size(uploaded) -> None:
    size = _size_of(uploaded)
    if size > max_file_bytes():
        raise SpreadsheetError(
            _("The file is %(size)s MB; the limit is %(limit)s MB. Split it into smaller files."),
            params={"size": round(size / 1048576, 1), "limit": round(max_file_bytes() / 1048576, 1)},
            code="too_large",
        )
    if size == 0:
        raise SpreadsheetError(_("The file is empty."), code="empty")


HEAD_BYTES = 4096


def _looks_like_utf16(head: bytes) -> bool:
    """BOM-less UTF-16: the NULs of its ASCII characters (digits, commas, line ends) all fall on one parity."""
    even, odd = head[0::2].count(0), head[1::2].count(0)
    return max(even, odd) >= max(2, len(head) // 16) and min(even, odd) * 20 <= max(even, odd)


def _nul_error(line: int) -> SpreadsheetError:
    return SpreadsheetError(
        _(
            "The file contains NUL bytes (the first on line %(line)s), which no spreadsheet text has: it is "
            "damaged or not a CSV file. Open it in Excel and save it again as CSV UTF-8 or XLSX."
        ),
        params={"line": line},
        code="nul",
    )


def detect_encoding(binary) -> str:
    """The encoding of a CSV file, checked over the whole file before any row is read.

    UTF-16 with a byte-order mark (Excel's "Unicode text") when it decodes strictly; otherwise UTF-8 (with or
    without BOM) when the whole file decodes strictly as UTF-8, else GB18030 (covers GBK). NUL bytes are
    refused in any of them: the database cannot store them, and no spreadsheet writes them, so a file with
    NULs is damaged or is UTF-16 without its byte-order mark, which is named as such.
    """
    binary.seek(0)
    head = binary.read(HEAD_BYTES)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        if _decodes_without_nul(binary, "utf-16"):
            return "utf-16"
        raise SpreadsheetError(
            _("The file starts like UTF-16 text but is damaged. Save it again as CSV (UTF-8) or XLSX."),
            code="encoding",
        )
    if b"\x00" in head and _looks_like_utf16(head):
        raise SpreadsheetError(
            _("The file looks like UTF-16 without a byte-order mark; save it as UTF-8 CSV or XLSX."), code="utf16"
        )
    for encoding in ("utf-8-sig", "gb18030"):
        if _decodes_without_nul(binary, encoding):
            return encoding
    raise SpreadsheetError(
        _("The text of this CSV file is neither UTF-8 nor GBK/GB18030. Save it again as CSV (UTF-8)."),
        code="encoding",
    )


def _decodes_without_nul(binary, encoding: str) -> bool:
    """Whether the whole file decodes strictly in `encoding`; a SpreadsheetError if its text holds a NUL."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    binary.seek(0)
    lines = 1
    try:
        while chunk := binary.read(CHUNK_BYTES):
            text = decoder.decode(chunk)
            if "\x00" in text:
                raise _nul_error(lines + text[: text.index("\x00")].count("\n"))
            lines += text.count("\n")
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    binary.seek(0)
    return True


class _RowLimit:
    def __init__(self):
        self.limit = max_rows()

    def check(self, count: int) -> None:
        if count > self.limit:
            raise SpreadsheetError(
                _("The file has more than %(limit)s rows. Split it into smaller files."),
                params={"limit": f"{self.limit:,}"},
                code="too_many_rows",
            )


@dataclass
class Sheet:
    """An opened, checked spreadsheet: the field of each column, and a stream of (row number, values) pairs."""

    fields: list[str]
    rows: Iterator[tuple[int, dict[str, str]]]
    file_kind: str
    encoding: str = ""
    position: Callable[[], float] = field(default=lambda: 0.0)


class _Readable(io.RawIOBase):
    """Presents any object with read() (a Django File, an upload) as a raw stream TextIOWrapper accepts."""

    def __init__(self, source):
        self.source = source

    def readable(self):
        return True

    def readinto(self, buffer):
        data = self.source.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _delimiter(binary, encoding: str) -> str:
    """A tab when the header line has tabs and no comma (Excel's "Unicode text" is tab-separated), else a comma."""
    binary.seek(0)
    header_line = binary.read(HEAD_BYTES).decode(encoding, errors="ignore").partition("\n")[0]
    binary.seek(0)
    return "\t" if "\t" in header_line and "," not in header_line else ","


def _csv_rows(binary, encoding: str, columns) -> Sheet:
    size = _size_of(binary)
    delimiter = _delimiter(binary, encoding)
    text = io.TextIOWrapper(io.BufferedReader(_Readable(binary), CHUNK_BYTES), encoding=encoding, newline="")
    reader = csv.reader(text, delimiter=delimiter)
    try:
        raw_header = next(reader, None)
    except csv.Error as error:
        raise SpreadsheetError(
            _("The CSV file is malformed: %(error)s"), code="malformed", params={"error": str(error)}
        ) from error
    if not raw_header:
        raise SpreadsheetError(_("The file has no header row."), code="no_header")
    fields = match_header(raw_header, columns)

    every_column_imported = all(fields)

    def rows():
        limit = _RowLimit()
        count = 0
        strip = str.strip
        try:
            for row_number, row in enumerate(reader, start=2):
                cells = list(map(strip, row))
                if not any(cells):
                    continue
                count += 1
                limit.check(count)
                if every_column_imported:
                    yield row_number, dict(zip(fields, cells, strict=False))
                else:
                    yield row_number, {field: cell for field, cell in zip(fields, cells, strict=False) if field}
        except csv.Error as error:
            raise SpreadsheetError(
                _("The CSV file is malformed near row %(row)s: %(error)s"),
                params={"row": reader.line_num, "error": str(error)},
                code="malformed",
            ) from error

    return Sheet(
        fields=fields, rows=rows(), file_kind=CSV, encoding=encoding, position=lambda: binary.tell() / size
    )


def _check_zip(binary) -> None:
    binary.seek(0)
    try:
        archive = zipfile.ZipFile(binary)
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise SpreadsheetError(
            _("This is not a readable .xlsx file (the archive is damaged). Open it in Excel and save it again."),
            code="malformed",
        ) from error
    uncompressed = sum(member.file_size for member in members)
    compressed = sum(member.compress_size for member in members)
    if any(member.flag_bits & 0x1 for member in members):
        raise SpreadsheetError(
            _("This workbook is encrypted. Remove the password and save it again."), code="encrypted"
        )
    if uncompressed > max_uncompressed_bytes() or uncompressed > MAX_COMPRESSION_RATIO * max(compressed, 1):
        raise SpreadsheetError(
            _("This workbook unpacks to %(size)s MB, far more than its size suggests; it is refused as unsafe."),
            params={"size": round(uncompressed / 1048576, 1)},
            code="zip_bomb",
        )
    if "xl/workbook.xml" not in {member.filename for member in members}:
        raise SpreadsheetError(_("This archive is not an Excel workbook (.xlsx)."), code="malformed")


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "date") and hasattr(value, "hour"):
        return value.date().isoformat() if (value.hour, value.minute, value.second) == (0, 0, 0) else value.isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value).strip()


def _xlsx_rows(binary, columns) -> Sheet:
    import openpyxl  # Imported here: only XLSX uploads pay for it; openpyxl parses through defusedxml.
    from openpyxl.utils.exceptions import InvalidFileException

    _check_zip(binary)
    binary.seek(0)
    try:
        workbook = openpyxl.load_workbook(binary, read_only=True, data_only=False)
        worksheet = workbook.worksheets[0]
        cells = worksheet.iter_rows()
        header_cells = next(cells, None)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError) as error:
        raise SpreadsheetError(
            _("This is not a readable .xlsx file. Open it in Excel and save it again."), code="malformed"
        ) from error
    except Exception as error:  # defusedxml refusals (entities, external references) and XML syntax errors
        raise SpreadsheetError(
            _("The workbook contains unsafe or broken XML; it is refused."), code="malformed"
        ) from error
    if not header_cells:
        raise SpreadsheetError(_("The file has no header row."), code="no_header")
    fields = match_header([cell.value for cell in header_cells], columns)

    progress = {"row": 1}

    def rows():
        limit = _RowLimit()
        count = 0
        try:
            for row_number, row in enumerate(cells, start=2):
                progress["row"] = row_number
                values = {}
                for field, cell in zip(fields, row, strict=False):
                    if cell.data_type == "f":
                        raise SpreadsheetError(
                            _(
                                "Row %(row)s, column %(column)s holds a formula. Formulas are not imported: "
                                "copy the sheet and paste it as values only."
                            ),
                            params={"row": row_number, "column": cell.column_letter},
                            code="formula",
                        )
                    if field:
                        values[field] = _cell_text(cell.value)
                if not any(values.values()):
                    continue
                count += 1
                limit.check(count)
                yield row_number, values
        finally:
            workbook.close()

    total_rows = worksheet.max_row or 0
    return Sheet(
        fields=fields,
        rows=rows(),
        file_kind=XLSX,
        position=lambda: (progress["row"] / total_rows) if total_rows else 0.0,
    )


def open_sheet(uploaded, *, name: str, columns: tuple[Column, ...]) -> Sheet:
    """Check an uploaded file and open it as a stream of rows keyed by field name."""
    _check_size(uploaded)
    uploaded.seek(0)
    head = uploaded.read(8)
    uploaded.seek(0)
    kind = file_kind(name, head)
    if kind == XLSX:
        return _xlsx_rows(uploaded, columns)
    return _csv_rows(uploaded, detect_encoding(uploaded), columns)
