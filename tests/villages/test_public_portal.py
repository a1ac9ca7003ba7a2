"""The statistics portal: filters in the URL, only approved data, pinned query counts, table downloads, drill-down."""

import csv
import io
import json

import openpyxl
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import AnnualReportFactory, ServicePointFactory, TaobaoTownFactory, VillageFactory
from villages.models import AnnualReport, VillageCluster
from villages.services.certification import report_assess
from villages.services.reports import report_reopen

pytestmark = pytest.mark.django_db

APPROVED = AnnualReport.Status.APPROVED


def certified(township, name, year=2023):
    village = VillageFactory(township=township, name=name)
    report_assess(report=AnnualReportFactory(village=village, year=year, status=APPROVED))
    return village


@pytest.fixture
def registry(tree, reviewer):
    """Certified villages in two counties of Shandong and in Jiangsu, and reports that must never show:
    a draft, a submitted one, and an approved one that was reopened."""
    villages = {
        "daji": certified(tree.town, "大集公开村"),
        "daji_2022": certified(tree.town, "往年村", year=2022),
        "shan": certified(tree.second_county_town, "单县公开村"),
        "jiangsu": certified(tree.other_town, "沙集公开村"),
    }
    AnnualReportFactory(village=VillageFactory(township=tree.town, name="草稿村"), year=2023)
    AnnualReportFactory(
        village=VillageFactory(township=tree.town, name="待审村"), year=2023, status=AnnualReport.Status.SUBMITTED
    )
    reopened = certified(tree.town, "撤回村")
    report_reopen(report=AnnualReport.objects.get(village=reopened), by=reviewer, comment="数据有误")
    TaobaoTownFactory(township=tree.town, year=2023)
    cluster = VillageCluster.objects.create(year=2023, size_class="cluster", village_count=10, counties=["371721"])
    cluster.villages.add(villages["daji"])
    ServicePointFactory(village=villages["daji"])
    cache.clear()
    return villages


def get(client, name, **params):
    return client.get(reverse(name), params, HTTP_ACCEPT_LANGUAGE="en")


HIDDEN = ("草稿村", "待审村", "撤回村")


def test_the_dashboard_filtered_to_a_province_shows_only_its_villages_and_names_it(client, tree, registry):
    page = get(client, "villages:dashboard", province="370000").content.decode()
    assert "Taobao villages in 山东省" in page
    assert "大集公开村" in page and "单县公开村" in page
    assert "沙集公开村" not in page


def test_the_dashboard_filtered_to_a_county_leaves_out_the_other_county(client, tree, registry):
    page = get(client, "villages:dashboard", province="370000", prefecture="371700", county="371721").content.decode()
    assert "大集公开村" in page
    assert "单县公开村" not in page
    assert "selected>曹县" in page


def test_the_year_in_the_url_is_honoured(client, tree, registry):
    latest = get(client, "villages:dashboard").content.decode()
    earlier = get(client, "villages:dashboard", year="2022").content.decode()
    assert "Certified Taobao villages, 2023" in latest and "往年村" not in latest.split('id="certified-villages"')[1]
    assert "Certified Taobao villages, 2022" in earlier
    assert "往年村" in earlier.split('id="certified-villages"')[1]


@pytest.mark.parametrize("page_name", ["villages:dashboard", "villages:drill_down"])
def test_only_approved_data_appears_on_the_public_pages(client, tree, registry, page_name):
    for params in ({}, {"province": "370000"}, {"county": "371721"}, {"year": "2023", "county": "371721"}):
        page = get(client, page_name, **params).content.decode()
        for name in HIDDEN:
            assert name not in page, (page_name, params, name)


@pytest.mark.parametrize("table", ["certified", "registry-villages", "towns", "clusters", "regions"])
def test_downloads_hold_only_approved_data(client, tree, registry, table):
    for extension in ("csv", "json"):
        response = client.get(reverse("villages:dashboard_table", args=[table, extension]), {"county": "371721"})
        body = response.content.decode("utf-8-sig")
        assert response.status_code == 200
        assert not any(name in body for name in HIDDEN)


@pytest.mark.parametrize(
    "params, field",
    [
        ({"year": "abc"}, "year"),
        ({"year": "1999"}, "year"),
        ({"province": "990000"}, "province"),
        ({"province": "37"}, "province"),
        ({"county": "371721'; DROP TABLE x"}, "county"),
        ({"province": "320000", "prefecture": "371700"}, "prefecture"),
        ({"prefecture": "371700", "county": "320324"}, "county"),
    ],
)
@pytest.mark.parametrize("page_name", ["villages:dashboard", "villages:drill_down"])
def test_invalid_filters_answer_400_with_the_reason(client, tree, page_name, params, field):
    response = get(client, page_name, **params)
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="filter-errors"' in page
    assert "Show the whole country" in page


def test_an_invalid_filter_on_a_download_is_a_400_not_a_file(client, tree):
    response = client.get(reverse("villages:dashboard_table", args=["certified", "csv"]), {"province": "990000"})
    assert response.status_code == 400
    assert "attachment" not in response.get("Content-Disposition", "")


def test_an_unknown_table_or_format_is_a_404(client, tree):
    assert client.get(reverse("villages:dashboard_table", args=["secrets", "csv"])).status_code == 404
    assert client.get(reverse("villages:dashboard_table", args=["certified", "exe"])).status_code == 404


def test_the_cache_keeps_each_filter_apart(client, tree, registry):
    shandong = get(client, "villages:dashboard", province="370000").content.decode()
    jiangsu = get(client, "villages:dashboard", province="320000").content.decode()
    assert "大集公开村" in shandong and "大集公开村" not in jiangsu
    assert "沙集公开村" in jiangsu and "沙集公开村" not in shandong


def test_a_download_is_exactly_the_table_the_page_shows(client, tree, registry):
    page = get(client, "villages:dashboard", province="370000").content.decode()
    table_html = page.split('id="certified-table"')[1].split("</table>")[0]
    response = client.get(
        reverse("villages:dashboard_table", args=["certified", "csv"]),
        {"province": "370000"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Village code", "Village", "Township", "County", "Score"]
    assert sorted(row[1] for row in rows[1:]) == sorted(["大集公开村", "单县公开村"])
    for row in rows[1:]:
        assert row[0] in table_html and row[1] in table_html

    as_json = client.get(
        reverse("villages:dashboard_table", args=["registry-villages", "json"]), {"province": "370000"}
    ).json()
    assert as_json["rows"] == [{"year": 2022, "taobao_villages": 1}, {"year": 2023, "taobao_villages": 2}]

    workbook = openpyxl.load_workbook(
        io.BytesIO(
            client.get(reverse("villages:dashboard_table", args=["published", "xlsx"]), {"province": "370000"}).content
        )
    )
    published = {row[0]: row[1] for row in workbook.active.iter_rows(min_row=2, values_only=True)}
    assert published[2020] == 5425
    assert published[2023] is None  # not published: an empty cell, never 0


FILTER_COMBINATIONS = [
    {},
    {"year": "2023"},
    {"province": "370000"},
    {"province": "370000", "prefecture": "371700"},
    {"province": "370000", "prefecture": "371700", "county": "371721"},
    {"county": "371721"},
    {"year": "2022", "province": "370000", "prefecture": "371700", "county": "371721"},
]
# Pinned per page and filter combination, with an empty cache (the first request after a data change):
# 1 data version, 1 per division code checked, the figures, the filter form and the service network's panel;
# the same numbers again after more villages, towns and clusters are added (no query per row).
DASHBOARD_QUERIES = {0: 10, 1: 10, 2: 12, 3: 14, 4: 15, 5: 11, 6: 15}
DRILL_DOWN_QUERIES = {0: 9, 1: 8, 2: 12, 3: 14, 4: 14, 5: 10, 6: 13}


def queries_of(client, page_name, params) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = get(client, page_name, **params)
    assert response.status_code == 200
    return len(captured)


def more_data(tree):
    for index in range(6):
        certified(tree.town, f"加村{index}")
        certified(tree.second_county_town, f"单加村{index}")
        certified(tree.other_town, f"苏加村{index}")
    cache.clear()


@pytest.mark.parametrize("index", range(len(FILTER_COMBINATIONS)))
def test_the_dashboard_runs_a_pinned_number_of_queries_per_filter_combination(client, tree, registry, index):
    params = FILTER_COMBINATIONS[index]
    assert queries_of(client, "villages:dashboard", params) == DASHBOARD_QUERIES[index]
    more_data(tree)
    assert queries_of(client, "villages:dashboard", params) == DASHBOARD_QUERIES[index]
    with CaptureQueriesContext(connection) as warm:
        get(client, "villages:dashboard", **params)
    # The data version and the service network's panel (three of its own, two inside an area, where the national
    # targets are not read); the division codes checked by the first request are remembered (`division_known`).
    codes_checked = sum(1 for key in params if key != "year")
    assert len(warm) == 1 + (2 if codes_checked else 3)


@pytest.mark.parametrize("index", range(len(FILTER_COMBINATIONS)))
def test_the_drill_down_runs_a_pinned_number_of_queries_per_filter_combination(client, tree, registry, index):
    params = FILTER_COMBINATIONS[index]
    assert queries_of(client, "villages:drill_down", params) == DRILL_DOWN_QUERIES[index]
    more_data(tree)
    assert queries_of(client, "villages:drill_down", params) == DRILL_DOWN_QUERIES[index]


def test_the_drill_down_goes_from_the_nation_to_the_villages_with_their_counts(client, tree, registry):
    nation = get(client, "villages:drill_down", year="2023").context["drill"]
    by_code = {row.code: row for row in nation.rows}
    assert nation.child_level == "province"
    assert by_code["370000"].taobao_villages == 2
    assert by_code["370000"].taobao_towns == 1
    assert by_code["370000"].clusters == 1
    assert by_code["370000"].extra == {"service_points": 1}
    assert by_code["320000"].taobao_villages == 1

    prefecture = get(client, "villages:drill_down", year="2023", province="370000").context["drill"]
    assert [row.code for row in prefecture.rows] == ["371700"]

    counties = get(client, "villages:drill_down", year="2023", province="370000", prefecture="371700").context["drill"]
    cao = {row.code: row for row in counties.rows}["371721"]
    # Cao County's village committees: 大集公开村, 往年村, 草稿村, 待审村, 撤回村; one certified in 2023.
    assert (cao.taobao_villages, cao.village_committees) == (1, 5)
    assert cao.committee_share == pytest.approx(0.2)

    county = get(client, "villages:drill_down", year="2023", county="371721")
    villages = {row.name: row for row in county.context["drill"].rows}
    assert county.context["drill"].child_level == "village"
    assert villages["大集公开村"].taobao_villages == 1
    assert villages["大集公开村"].extra == {"service_points": 1}
    assert "撤回村" not in villages  # never certified: counted among the committees, not named
    assert "Open service points" in county.content.decode()


def test_the_dashboard_names_its_licence_sources_and_methodology(client, tree, registry, settings):
    settings.OPEN_DATA_LICENSE = {
        "name": "ODbL-1.0",
        "title": "Open Database License",
        "path": "https://opendatacommons.org/licenses/odbl/",
    }
    page = get(client, "villages:dashboard").content.decode()
    assert 'id="data-as-of"' in page
    assert "Open Database License" in page
    assert "aliresearch.com" in page
    assert "Methodology" in page


def test_the_json_download_is_valid_json_with_nulls_for_unpublished_years(client, tree, registry):
    response = client.get(reverse("villages:dashboard_table", args=["published", "json"]))
    payload = json.loads(response.content)
    by_year = {row["year"]: row for row in payload["rows"]}
    assert by_year[2023]["published_taobao_villages"] is None
    assert by_year[2022]["published_taobao_villages"] == 7780


def test_the_map_is_narrowed_to_the_area_in_the_url(client, tree, registry):
    for village in registry.values():
        village.latitude, village.longitude = "34.8", "115.5"
        village.save(update_fields=["latitude", "longitude"])
    cache.clear()
    page = get(client, "rural_services:map", province="370000")
    assert page.status_code == 200
    assert "province=370000" in page.context["data_url"]
    shandong = client.get(reverse("rural_services:map_data"), {"year": "2023", "province": "370000"}).json()
    names = {feature["properties"]["name"] for feature in shandong["features"]}
    assert "大集公开村" in names and "沙集公开村" not in names
    jiangsu = client.get(reverse("rural_services:map_data"), {"year": "2023", "county": "320324"}).json()
    assert {feature["properties"]["name"] for feature in jiangsu["features"]} == {"沙集公开村"}


@pytest.mark.parametrize("params", [{"province": "990000"}, {"province": "320000", "county": "371721"}])
def test_the_map_refuses_an_invalid_area_with_a_400(client, tree, registry, params):
    assert get(client, "rural_services:map", **params).status_code == 400
    response = client.get(reverse("rural_services:map_data"), params)
    assert response.status_code == 400 and response.json()


def test_the_service_network_panel_follows_the_area_of_the_dashboard(client, tree, registry):
    ServicePointFactory(village=registry["jiangsu"])
    national = get(client, "villages:dashboard").content.decode().split('id="service-coverage"')[1]
    jiangsu = get(client, "villages:dashboard", province="320000").content.decode().split('id="service-coverage"')[1]
    county = get(client, "villages:dashboard", county="371722").content.decode().split('id="service-coverage"')[1]
    assert '<div class="stat">2</div>' in national
    assert '<div class="stat">1</div>' in jiangsu and "In the area chosen" in jiangsu
    assert '<div class="stat">0</div>' in county


def test_the_drill_down_downloads_its_table_for_the_same_filters(client, tree, registry):
    payload = client.get(reverse("villages:drill_down_table", args=["json"]), {"year": "2023"}).json()
    shandong = next(row for row in payload["rows"] if row["code"] == "370000")
    assert (shandong["taobao_villages"], shandong["service_points"]) == (2, 1)
    county = client.get(reverse("villages:drill_down_table", args=["csv"]), {"year": "2023", "county": "371721"})
    rows = list(csv.reader(io.StringIO(county.content.decode("utf-8-sig"))))
    # Every public (once certified) village of the county, with its count for the year asked.
    assert [(row[1], row[2]) for row in rows[1:]] == [("大集公开村", "1"), ("往年村", "0")]
    assert client.get(reverse("villages:drill_down_table", args=["csv"]), {"county": "9"}).status_code == 400


def test_the_full_certified_list_link_keeps_the_area_when_its_export_can(client, tree, registry):
    page = get(client, "villages:dashboard", province="370000", county="371721").content.decode()
    assert 'href="/dashboard/certified.csv?year=2023&amp;province=370000&amp;county=371721"' in page
    prefecture_only = get(client, "villages:dashboard", prefecture="371700").content.decode()
    assert "/dashboard/certified.csv" not in prefecture_only
