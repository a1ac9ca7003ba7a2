"""Exports: CSV with BOM and XLSX of filtered lists, with formula-looking cells escaped."""

import io

import openpyxl
import pytest

from tests.factories import VillageFactory
from villages.exports.formats import csv_stream, escape_cell, xlsx_file
from villages.exports.sources import EXPORT_SOURCES
from villages.models import Village


@pytest.mark.parametrize("dangerous", ["=1+1", "+86", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_cells_that_start_like_formulas_get_a_quote(dangerous):
    assert escape_cell(dangerous) == "'" + dangerous


def test_ordinary_cells_and_numbers_are_unchanged():
    assert escape_cell("丁楼村") == "丁楼村"
    assert escape_cell(-5) == -5


@pytest.fixture
def villages(tree):
    VillageFactory(township=tree.town, code="371721121227", name="=HYPERLINK(\"http://x\")", main_products="服装")
    VillageFactory(township=tree.town, code="371721121211", name="张庄村", main_products="-演出服")
    return Village.objects.order_by("code")


def test_csv_export_has_bom_headers_and_escaped_cells(villages):
    text = "".join(csv_stream(villages, EXPORT_SOURCES["villages"].columns))
    assert text.startswith("\ufeff")
    lines = text.lstrip("\ufeff").splitlines()
    assert lines[0].split(",")[0] == "Village code"
    assert "'-演出服" in lines[1]
    assert "\"'=HYPERLINK(\"\"http://x\"\")\"" in lines[2]


def test_xlsx_export_stores_escaped_text_not_formulas(villages):
    with xlsx_file(villages, EXPORT_SOURCES["villages"].columns) as file:
        workbook = openpyxl.load_workbook(file)
    sheet = workbook.active
    names = [row[1].value for row in sheet.iter_rows(min_row=2)]
    assert names == ["张庄村", "'=HYPERLINK(\"http://x\")"]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_api_export_is_scoped_and_filtered(official, other_official, client_for, villages, tree):
    VillageFactory(township=tree.other_town, code="320324109200", name="外县村")
    response = client_for(official).get("/api/v1/exports/villages.csv", {"county": "371721"})
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert response.status_code == 200
    assert "371721121227" in body and "320324109200" not in body
    response = client_for(other_official).get("/api/v1/exports/villages.xlsx")
    assert response["Content-Disposition"] == 'attachment; filename="villages.xlsx"'
    assert response.streaming  # sent from a temporary file in blocks, not built up in memory
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(workbook.active.iter_rows(min_row=2, values_only=True))
    assert [row[0] for row in rows] == ["320324109200"]


def test_api_export_query_count_does_not_grow_with_rows(official, client_for, tree, django_assert_max_num_queries):
    for number in range(30):
        VillageFactory(township=tree.town, code=f"371721121{200 + number:03d}")
    client = client_for(official)
    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/exports/villages.csv")
        body = b"".join(response.streaming_content)
    assert body.count(b"\n") == 31
