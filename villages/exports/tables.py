"""Tables a public page shows, and their "download this" as CSV, XLSX or JSON: the same rows, the same columns.

A page builds a `Table` from plain values, renders it (the accessible table under a chart, or a list) and
offers it for download from the same builder, so a download is exactly what the page shows. A cell of None is
a figure that does not exist (a year without a published figure): empty in CSV and XLSX, null in JSON.
Text cells are escaped against formula injection like every other export (`formats.escape_cell`).
"""

import csv
import io
import json
from dataclasses import dataclass

from django.http import HttpResponse
from django.utils.functional import Promise

from villages.exports.formats import CSV, XLSX, escape_cell

JSON = "json"
TABLE_FORMATS = (CSV, XLSX, JSON)


@dataclass(frozen=True)
class Column:
    key: str
    header: Promise | str
    numeric: bool = False


@dataclass(frozen=True)
class Table:
    """One table of a page: `name` is its download's name, `rows` tuples of cell values in column order."""

    name: str
    caption: Promise | str
    columns: tuple[Column, ...]
    rows: list[tuple]

    @property
    def headers(self) -> list[str]:
        return [str(column.header) for column in self.columns]

    def display_rows(self) -> list[list[tuple]]:
        """The rows as (value, numeric) pairs, for a template that cannot zip a row with the columns."""
        flags = [column.numeric for column in self.columns]
        return [list(zip(row, flags, strict=True)) for row in self.rows]

    def records(self) -> list[dict]:
        keys = [column.key for column in self.columns]
        return [dict(zip(keys, row, strict=True)) for row in self.rows]


def _cell(value):
    return "" if value is None else escape_cell(value)


def _csv_bytes(table: Table) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([escape_cell(header) for header in table.headers])
    writer.writerows([_cell(value) for value in row] for row in table.rows)
    # With a BOM, as every CSV export of the registry, so Excel reads the Chinese names.
    return ("\ufeff" + buffer.getvalue()).encode()


def _xlsx_bytes(table: Table) -> bytes:
    import openpyxl
    from openpyxl.cell import WriteOnlyCell

    workbook = openpyxl.Workbook(write_only=True)
    worksheet = workbook.create_sheet(title=table.name[:31])
    worksheet.append(table.headers)
    for row in table.rows:
        cells = []
        for value in row:
            cell = WriteOnlyCell(worksheet, value=None if value is None else escape_cell(value))
            if isinstance(value, str):
                cell.data_type = "s"
            cells.append(cell)
        worksheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def table_response(table: Table, file_format: str, *, file_stem: str) -> HttpResponse:
    """The table as a download in `file_format` (one of TABLE_FORMATS)."""
    if file_format == XLSX:
        body, content_type = _xlsx_bytes(table), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    elif file_format == JSON:
        payload = {
            "columns": [column.key for column in table.columns],
            "headers": table.headers,
            "rows": table.records(),
        }
        body, content_type = json.dumps(payload, ensure_ascii=False, indent=1).encode(), "application/json"
    else:
        body, content_type = _csv_bytes(table), "text/csv; charset=utf-8"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{file_stem}.{file_format}"'
    return response
