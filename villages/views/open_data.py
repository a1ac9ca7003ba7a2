"""Open data at stable URLs: /open-data/<year>/datapackage.json (Frictionless) and <table>.csv / <table>.xlsx.

The CSV files are plain UTF-8 (no byte order mark), as the Frictionless standard expects; the XLSX files
are for spreadsheet users. The package names its licence (settings.OPEN_DATA_LICENSE, CC BY 4.0 unless
configured) and its sources.
"""

import csv

from django.conf import settings
from django.http import Http404, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation

from villages.exports.formats import CSV, XLSX
from villages.exports.tables import Column, Table, table_response
from villages.published import PUBLISHED_SOURCES
from villages.selectors.data_version import published_data_version
from villages.selectors.open_data import OPEN_TABLES, licence_title, open_data_years
from villages.validators import FIRST_YEAR

REGISTRY_SOURCE_TITLE = "Taobao Village Registry: approved annual reports scored against the stored criteria"


def _english(text) -> str:
    """The package is one file for every reader: its words are in English, as its column names."""
    with translation.override("en"):
        return str(text)


def _checked_year(year: int) -> int:
    if not FIRST_YEAR <= year <= timezone.now().year:
        raise Http404
    return year


def open_data_index(request):
    return render(
        request,
        "villages/open_data.html",
        {
            "years": open_data_years(),
            "tables": OPEN_TABLES.values(),
            "licence": settings.OPEN_DATA_LICENSE,
            "licence_title": licence_title(settings.OPEN_DATA_LICENSE),
        },
    )


def data_package(request, year):
    """The Frictionless Data Package descriptor of a year: its resources, their table schemas, licence, sources."""
    year = _checked_year(year)
    version = published_data_version()
    descriptor = {
        "profile": "tabular-data-package",
        "name": f"taobao-villages-{year}",
        "title": f"Taobao villages, towns and clusters in China, {year}",
        "description": "Certified Taobao villages, Taobao towns and Taobao village clusters of the year, from "
        "approved reports only.",
        "homepage": request.build_absolute_uri(reverse("villages:open_data")),
        "created": (version.changed_at if version else timezone.now()).isoformat(timespec="seconds"),
        "licenses": [dict(settings.OPEN_DATA_LICENSE)],
        "sources": [
            {"title": REGISTRY_SOURCE_TITLE, "path": request.build_absolute_uri(reverse("villages:criteria"))},
            *({"title": _english(title), "path": url} for title, url in PUBLISHED_SOURCES),
        ],
        "resources": [
            {
                "name": table.name,
                "title": table.title,
                "description": table.description,
                "path": f"{table.name}.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": table.schema(),
            }
            for table in OPEN_TABLES.values()
        ],
    }
    return JsonResponse(descriptor, json_dumps_params={"ensure_ascii": False, "indent": 1})


class _Echo:
    def write(self, value):
        return value


def _csv_lines(table, year):
    writer = csv.writer(_Echo())
    yield writer.writerow([field.name for field in table.fields])
    for row in table.rows(year):
        yield writer.writerow(row)


def open_data_file(request, year, table, extension):
    year = _checked_year(year)
    open_table = OPEN_TABLES.get(table)
    if open_table is None or extension not in (CSV, XLSX):
        raise Http404
    stem = f"taobao-{table}-{year}"
    if extension == XLSX:
        rows = list(open_table.rows(year))
        sheet = Table(
            table, open_table.title, tuple(Column(field.name, field.name) for field in open_table.fields), rows
        )
        return table_response(sheet, XLSX, file_stem=stem)
    response = StreamingHttpResponse(_csv_lines(open_table, year), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{stem}.csv"'
    return response
