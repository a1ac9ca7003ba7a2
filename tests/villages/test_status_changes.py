"""The public status-change log: gained, retained (absent), lost by sales, by shops and by the 2020 rule, a
reopened report's change gone; the web page, its downloads and the API, in a constant number of queries."""

import csv
import io

import pytest
from django.core.cache import cache
from django.test import Client

from tests.factories import AnnualReportFactory, VillageFactory
from villages.models import AnnualReport, CriteriaSet
from villages.services.certification import report_assess
from villages.services.reports import report_approve, report_create, report_reopen, report_submit
from villages.status_reasons import VersionYears, excluded_since

APPROVED = AnnualReport.Status.APPROVED


def assessed(village, year, **figures):
    report = AnnualReportFactory(village=village, year=year, status=APPROVED, **figures)
    return report_assess(report=report)


def log(client=None, **params):
    client = client or Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.get("/api/v1/status-changes/", params)
    assert response.status_code == 200, response.content
    return response.json()["results"]


@pytest.fixture
def villages(tree):
    return [VillageFactory(township=tree.town, households=800) for _ in range(4)]


def test_a_village_that_qualifies_after_a_year_without_is_gained_with_its_shop_route(villages):
    village = villages[0]
    assessed(village, 2022, ecommerce_sales=5_000_000, active_shops=20, households=800)
    assessed(village, 2023, ecommerce_sales=12_000_000, active_shops=96, households=800)

    (entry,) = log()
    assert (entry["village"], entry["year"], entry["change"]) == (village.code, 2023, "new")
    assert entry["reason_code"] == "shops_share"
    assert entry["reason"] == "gained: sales RMB 12 million, active shops 12 % of households"
    assert [check["key"] for check in entry["checks"]] == ["location", "sales", "shops"]


def test_a_village_qualified_both_years_retains_and_is_not_in_the_log(villages):
    assessed(villages[0], 2022)
    assessed(villages[0], 2023)
    assert [entry["year"] for entry in log()] == [2022]  # only its first certification: gained


def test_lost_by_sales_says_how_far_short(villages):
    assessed(villages[0], 2022)
    assessed(villages[0], 2023, ecommerce_sales=8_200_000, active_shops=150)

    (entry,) = log(change="lost")
    assert entry["reason_code"] == "sales"
    assert entry["reason"] == "lost: sales RMB 8.2 million, RMB 1.8 million short of RMB 10 million"


def test_lost_by_shops_says_both_routes(villages):
    assessed(villages[0], 2022)
    assessed(villages[0], 2023, ecommerce_sales=12_000_000, active_shops=50, households=800)

    (entry,) = log(change="lost")
    assert entry["reason_code"] == "shops"
    assert entry["reason"] == (
        "lost: 50 active shops (6.25 % of households), 30 short of 100 shops or 10 % of households"
    )


def test_lost_by_sales_and_shops_names_both(villages):
    assessed(villages[0], 2022)
    assessed(villages[0], 2023, ecommerce_sales=9_000_000, active_shops=50, households=800)
    (entry,) = log(change="lost")
    assert entry["reason_code"] == "sales_shops"
    assert entry["reason"].startswith("lost: sales RMB 9 million, RMB 1 million short of RMB 10 million; 50 active")


def test_lost_by_the_2020_rule_names_the_neighbourhood_committee_and_the_year(tree):
    committee = VillageFactory(township=tree.town, code="371721121105", households=800)
    assert committee.committee_type == "neighbourhood_committee"
    # The strict reading of 2020: every neighbourhood committee is out, certified before or not.
    CriteriaSet.objects.filter(first_year=2020).update(neighbourhood_committee_rule="excluded")
    assessed(committee, 2019)
    assessed(committee, 2020)

    (entry,) = log(change="lost")
    assert (entry["year"], entry["reason_code"]) == (2020, "location")
    assert entry["reason"] == "lost: a neighbourhood committee, excluded from 2020"
    chinese = log(Client(HTTP_ACCEPT_LANGUAGE="zh-hans"), change="lost")[0]
    assert chinese["reason"] == "失去认定：居委会，自2020年起不再纳入"


def test_the_exclusion_year_is_the_start_of_the_unbroken_run_of_versions_without_the_type():
    versions = [
        VersionYears(2009, 2018, ("village_committee", "neighbourhood_committee")),
        VersionYears(2019, 2019, ("village_committee", "neighbourhood_committee")),
        VersionYears(2020, 2024, ("village_committee",)),
        VersionYears(2025, None, ("village_committee",)),
    ]
    assert excluded_since("neighbourhood_committee", 2026, versions) == 2020
    assert excluded_since("neighbourhood_committee", 2019, versions) is None


def test_a_reopened_report_takes_its_change_out_of_the_log(tree, official, reviewer):
    village = VillageFactory(township=tree.town, households=800)
    assessed(village, 2022)
    report = report_create(
        by=official, village=village, year=2023, ecommerce_sales=8_200_000, active_shops=150, households=800
    )
    report_submit(report=report, by=official)
    report_approve(report=report, by=reviewer)
    assert [(entry["year"], entry["change"]) for entry in log()] == [(2023, "lost"), (2022, "new")]

    report_reopen(report=report, by=reviewer, comment="figures to be checked")
    assert [(entry["year"], entry["change"]) for entry in log()] == [(2022, "new")]
    # A draft or submitted report gives no entry either.
    AnnualReportFactory(village=VillageFactory(township=tree.town), year=2023, status=AnnualReport.Status.SUBMITTED)
    assert len(log()) == 1


def test_filters_by_year_province_county_and_change(tree, villages):
    assessed(villages[0], 2023)
    other = VillageFactory(township=tree.other_town)
    assessed(other, 2022)
    assessed(other, 2023, ecommerce_sales=1_000_000)
    assert {entry["village"] for entry in log(province="370000")} == {villages[0].code}
    assert {entry["village"] for entry in log(county="320324")} == {other.code}
    assert [entry["village"] for entry in log(year=2023, change="lost")] == [other.code]
    assert [entry["year"] for entry in log(year=2022)] == [2022]


@pytest.mark.parametrize(
    "params",
    [{"year": "20x3"}, {"year": "1900"}, {"province": "37"}, {"county": "999999"}, {"change": "retained"}],
)
def test_bad_filters_are_a_400_with_a_message(db, params):
    api = Client(HTTP_ACCEPT_LANGUAGE="en").get("/api/v1/status-changes/", params)
    assert api.status_code == 400 and list(api.json()) == list(params)
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get("/status-changes/", params)
    assert page.status_code == 400 and 'role="alert"' in page.content.decode()


def _many_changes(tree, count):
    for _ in range(count):
        village = VillageFactory(township=tree.town, households=800)
        assessed(village, 2022)
        assessed(village, 2023, ecommerce_sales=8_000_000)


def test_the_api_and_the_page_cost_the_same_queries_for_few_and_many_rows(tree, django_assert_num_queries):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    _many_changes(tree, 2)
    # The province filter's check, the count, the rows with village and county, the criteria versions.
    cache.clear()  # the province filter's check is remembered after the first request: count it each time
    with django_assert_num_queries(4):
        client.get("/api/v1/status-changes/", {"province": "370000", "year": 2023}).json()
    cache.clear()
    with django_assert_num_queries(5):  # the same and the provinces of the filter form
        client.get("/status-changes/", {"province": "370000"})
    _many_changes(tree, 8)
    cache.clear()
    with django_assert_num_queries(4):
        assert len(client.get("/api/v1/status-changes/", {"province": "370000", "year": 2023}).json()["results"]) == 10
    cache.clear()
    with django_assert_num_queries(5):
        page = client.get("/status-changes/", {"province": "370000"})
    assert page.content.decode().count('data-change="lost"') == 10


def test_the_page_and_its_csv_show_the_reasons_in_the_request_language(villages):
    assessed(villages[0], 2022)
    assessed(villages[0], 2023, ecommerce_sales=8_200_000)
    chinese = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    page = chinese.get("/status-changes/", {"change": "lost"}).content.decode()
    assert "失去认定：销售额820 万元，距1,000 万元还差180 万元" in page

    download = Client(HTTP_ACCEPT_LANGUAGE="en").get("/status-changes/export.csv", {"year": 2023})
    assert download.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(download.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == ["Village code", "Village", "County", "Year", "Change", "Reason", "Reason code"]
    assert rows[1][0] == villages[0].code and rows[1][3] == "2023" and rows[1][6] == "sales"
    assert rows[1][5] == "lost: sales RMB 8.2 million, RMB 1.8 million short of RMB 10 million"
    assert len(rows) == 2
    xlsx = Client(HTTP_ACCEPT_LANGUAGE="en").get("/status-changes/export.xlsx")
    assert xlsx.status_code == 200
    assert Client().get("/status-changes/export.pdf").status_code == 404
