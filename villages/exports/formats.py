"""File formats of list exports: CSV (UTF-8 with BOM, so Excel shows Chinese) and XLSX, safe from formula injection.

A view or API action passes an already filtered and scoped queryset and the name of a list; rows are
streamed from the database with `values_list().iterator()`, never loaded whole. A text cell that begins
with `=`, `+`, `-`, `@`, tab or carriage return is prefixed with a single quote, so that a spreadsheet shows
it as text instead of running it.
"""

import csv
import datetime
import decimal
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.http import FileResponse, StreamingHttpResponse
from django.utils.translation import gettext as _

from villages.headers import Header

CSV = "csv"
XLSX = "xlsx"
FORMATS = (CSV, XLSX)
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
CHUNK_ROWS = 2000


def escape_cell(value):
    """Make a value safe for a spreadsheet cell: text that a spreadsheet would run as a formula gets a quote."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


@dataclass(frozen=True)
class ExportColumn:
    """One exported column: the ORM path of its values and its header from the catalogue."""

    path: str
    header: Header


def _plain(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime.datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    return value


def export_rows(queryset, columns: Iterable[ExportColumn]) -> Iterator[list]:
    """The rows of a queryset as lists of escaped cell values, streamed in chunks."""
    paths = [column.path for column in columns]
    for row in queryset.values_list(*paths).iterator(chunk_size=CHUNK_ROWS):
        yield [escape_cell(_plain(value)) for value in row]


class _Echo:
    def write(self, value):
        return value


def csv_stream(queryset, columns) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([escape_cell(column.header.in_active_language()) for column in columns])
    for row in export_rows(queryset, columns):
        yield writer.writerow(row)


def xlsx_file(queryset, columns):
    """The list as an .xlsx workbook in a temporary file, rewound: every cell a plain value, never a formula.

    Write-only (openpyxl keeps no rows in memory) and saved to disk rather than to a buffer, so a national
    list of 620,000 villages is sent from the file in blocks; the file goes when the response closes it.
    """
    import openpyxl
    from openpyxl.cell import WriteOnlyCell

    workbook = openpyxl.Workbook(write_only=True)
    worksheet = workbook.create_sheet()
    worksheet.append([column.header.in_active_language() for column in columns])
    for row in export_rows(queryset, columns):
        cells = []
        for value in row:
            cell = WriteOnlyCell(worksheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"
            cells.append(cell)
        worksheet.append(cells)
    file = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, which closes it
    try:
        workbook.save(file)
        file.seek(0)
    except BaseException:
        file.close()
        raise
    return file


def export_response(queryset, *, columns: tuple[ExportColumn, ...], file_format: str, file_stem: str):
    """An HTTP download of the rows: streamed CSV, or an XLSX workbook."""
    stem = file_stem
    if file_format == XLSX:
        return FileResponse(
            xlsx_file(queryset, columns),
            as_attachment=True,
            filename=f"{stem}.xlsx",
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response = StreamingHttpResponse(csv_stream(queryset, columns), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{stem}.csv"'
    return response
