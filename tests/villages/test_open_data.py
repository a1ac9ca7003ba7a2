"""Open data: per-year CSV/XLSX of certified villages, towns and clusters, and a Frictionless package that validates."""

import csv
import io
import json

import openpyxl
import pytest
from django.urls import reverse
from frictionless import Package

from tests.factories import AnnualReportFactory, TaobaoTownFactory, VillageFactory
from villages.models import AnnualReport, VillageCluster
from villages.services.certification import report_assess
from villages.services.reports import report_reopen

pytestmark = pytest.mark.django_db


@pytest.fixture
def year_2023(tree, reviewer):
    villages = []
    for index in range(2):
        village = VillageFactory(township=tree.town, name=f"开放村{index}", latitude="34.8", longitude="115.5")
        report_assess(report=AnnualReportFactory(village=village, year=2023, status=AnnualReport.Status.APPROVED))
        villages.append(village)
    AnnualReportFactory(village=VillageFactory(township=tree.town, name="草稿村"), year=2023)
    reopened = VillageFactory(township=tree.town, name="撤回村")
    report_assess(report=AnnualReportFactory(village=reopened, year=2023, status=AnnualReport.Status.APPROVED))
    report_reopen(report=AnnualReport.objects.get(village=reopened), by=reviewer, comment="数据有误")
    TaobaoTownFactory(township=tree.other_town, year=2023)
    cluster = VillageCluster.objects.create(
        year=2023, size_class="cluster", village_count=10, counties=["371721", "371722"]
    )
    cluster.villages.add(*villages)
    return villages


def download(client, name, *args):
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200, response.content[:300]
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_data_package_validates_with_frictionless(client, year_2023, tmp_path):
    descriptor = json.loads(download(client, "villages:data_package", 2023))
    (tmp_path / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    for resource in descriptor["resources"]:
        (tmp_path / resource["path"]).write_bytes(
            download(client, "villages:open_data_file", 2023, resource["name"], "csv")
        )

    report = Package(str(tmp_path / "datapackage.json")).validate()

    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert descriptor["licenses"][0]["name"] == "CC-BY-4.0"
    assert any("aliresearch" in source["path"] for source in descriptor["sources"])
    assert [resource["name"] for resource in descriptor["resources"]] == ["villages", "towns", "clusters"]


def test_the_licence_comes_from_the_setting(client, tree, settings):
    settings.OPEN_DATA_LICENSE = {
        "name": "ODC-BY-1.0",
        "title": "Open Data Commons Attribution",
        "path": "https://opendatacommons.org/licenses/by/",
    }
    descriptor = json.loads(download(client, "villages:data_package", 2023))
    assert descriptor["licenses"] == [settings.OPEN_DATA_LICENSE]


def test_the_villages_file_holds_only_approved_certified_villages(client, year_2023):
    text = download(client, "villages:open_data_file", 2023, "villages", "csv").decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert sorted(row["village_name"] for row in rows) == ["开放村0", "开放村1"]
    assert rows[0]["county_code"] == "371721" and rows[0]["latitude"] == "34.8"
    assert not text.startswith("\ufeff")


def test_the_towns_and_clusters_files_and_the_excel_workbook(client, year_2023):
    towns = list(
        csv.DictReader(io.StringIO(download(client, "villages:open_data_file", 2023, "towns", "csv").decode()))
    )
    assert [row["township_code"] for row in towns] == ["320324109"]
    clusters = list(
        csv.DictReader(io.StringIO(download(client, "villages:open_data_file", 2023, "clusters", "csv").decode()))
    )
    assert clusters[0]["county_codes"] == "371721 371722"
    workbook = openpyxl.load_workbook(io.BytesIO(download(client, "villages:open_data_file", 2023, "villages", "xlsx")))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0][0] == "village_code" and len(rows) == 3


@pytest.mark.parametrize(
    "path",
    [
        "/open-data/1999/datapackage.json",
        "/open-data/2999/villages.csv",
        "/open-data/2023/secrets.csv",
        "/open-data/2023/villages.exe",
    ],
)
def test_unknown_years_tables_and_formats_are_404(client, tree, path):
    assert client.get(path).status_code == 404


def test_the_index_lists_each_year_with_its_stable_urls(client, year_2023):
    page = client.get(reverse("villages:open_data"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "/open-data/2023/datapackage.json" in page
    assert "/open-data/2023/villages.csv" in page and "/open-data/2023/clusters.xlsx" in page
    assert "Creative Commons Attribution 4.0" in page


def test_the_api_lists_the_open_data_urls_and_is_linked_from_the_api_root(client, year_2023):
    index = client.get("/api/v1/open-data/").json()
    assert index["licence"]["name"] == "CC-BY-4.0"
    year = index["years"][0]
    assert year["year"] == 2023 and year["taobao_villages"] == 2
    assert year["datapackage"].endswith("/open-data/2023/datapackage.json")
    assert year["files"]["towns"]["xlsx"].endswith("/open-data/2023/towns.xlsx")
    assert "open-data" in client.get("/api/v1/").json()["resources"]
    assert "/api/v1/open-data/" in client.get("/api/v1/schema/", {"format": "json"}).content.decode()


def test_the_open_data_pages_and_files_run_a_fixed_number_of_queries(client, year_2023, django_assert_num_queries):
    with django_assert_num_queries(1):
        client.get(reverse("villages:open_data"))
    with django_assert_num_queries(1):
        client.get(reverse("villages:data_package", args=[2023]))
    for table in ("villages", "towns", "clusters"):
        with django_assert_num_queries(1):
            download(client, "villages:open_data_file", 2023, table, "csv")
    with django_assert_num_queries(1):
        client.get(reverse("villages:criteria"))
