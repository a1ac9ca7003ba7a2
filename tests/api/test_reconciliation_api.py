"""The reconciliation in the API: `GET reconciliation/`, the report detail's `reconciliation`, the assessments'
`input_sources`; scoped per role, validated filters, constant queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.api.conftest import list_rows
from tests.factories import AnnualReportFactory, VillageFactory
from tests.feed_factories import FeedBatchFactory, PlatformShopYearFactory
from villages.services.reports import report_approve, report_submit

URL = "/api/v1/reconciliation/"


def feed(village, count=100, *, sales=100_000):
    batch = FeedBatchFactory()
    for _ in range(count):
        PlatformShopYearFactory(village=village, sales=sales, batch=batch)


@pytest.fixture
def reports(tree):
    """In Cao County: one declared 15 % above the platforms' sales, one 5 % above; one in Suining County."""
    above, close, elsewhere = (
        VillageFactory(township=tree.town),
        VillageFactory(township=tree.town),
        VillageFactory(township=tree.other_town),
    )
    for village in (above, close, elsewhere):
        feed(village)  # RMB 10,000,000 from 100 active shops
    return {
        "above": AnnualReportFactory(village=above, ecommerce_sales=11_500_000, active_shops=100),
        "close": AnnualReportFactory(village=close, ecommerce_sales=10_500_000, active_shops=100),
        "elsewhere": AnnualReportFactory(village=elsewhere, ecommerce_sales=10_000_000, active_shops=100),
    }


def test_a_15_percent_gap_is_flagged_and_5_percent_is_not(reports, api_for, official):
    rows = {row["report"]: row for row in list_rows(api_for(official).get(URL))}

    above, close = rows[reports["above"].pk], rows[reports["close"].pk]
    assert above["reconciliation"]["flagged"] is True
    assert above["reconciliation"]["ecommerce_sales"] == {
        "declared": 11_500_000, "platform": 10_000_000, "difference": 1_500_000, "difference_percent": 15.0,
        "flagged": True,
    }
    assert above["reconciliation"]["active_shops"]["platform"] == 100
    assert above["reconciliation"]["tolerance_percent"] == 10
    assert close["reconciliation"]["flagged"] is False
    assert close["reconciliation"]["ecommerce_sales"]["difference_percent"] == 5.0
    assert [row["report"] for row in list_rows(api_for(official).get(URL))][:2] == [
        reports["above"].pk, reports["close"].pk
    ]  # the largest gap first


def test_the_report_detail_carries_its_reconciliation(reports, api_for, official):
    answer = api_for(official).get(f"/api/v1/reports/{reports['above'].pk}/")

    assert answer.status_code == 200
    body = answer.json()
    assert body["ecommerce_sales"] == 11_500_000
    assert body["reconciliation"]["flagged"] is True
    assert body["reconciliation"]["ecommerce_sales"]["platform"] == 10_000_000


def test_an_approved_report_read_from_outside_its_area_shows_no_platform_figures(
    reports, api_for, official, reviewer, other_official, anonymous_api
):
    report = reports["close"]
    report_submit(report=report, by=official)
    report_approve(report=report, by=reviewer)

    for client in (anonymous_api, api_for(other_official)):
        body = client.get(f"/api/v1/reports/{report.pk}/").json()
        assert body["status"] == "approved" and body["reconciliation"] is None


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        ("official", {"above", "close"}),
        ("other_official", {"elsewhere"}),
        ("reviewer", {"above", "close"}),
        ("other_reviewer", {"elsewhere"}),
        ("administrator", {"above", "close", "elsewhere"}),
    ],
)
def test_the_list_shows_only_the_callers_jurisdiction(reports, api_for, request, user, expected):
    rows = list_rows(api_for(request.getfixturevalue(user)).get(URL))

    names = {name for name, report in reports.items() if report.pk in {row["report"] for row in rows}}
    assert names == expected


def test_another_county_does_not_see_a_report_or_its_reconciliation(reports, api_for, other_official):
    assert api_for(other_official).get(f"/api/v1/reports/{reports['above'].pk}/").status_code == 404


def test_the_list_needs_a_login(reports, anonymous_api):
    assert anonymous_api.get(URL).status_code == 401


def test_the_filters(reports, api_for, administrator, tree):
    client = api_for(administrator)

    def found(query):
        rows = list_rows(client.get(URL, query))
        return {name for name, report in reports.items() if report.pk in {row["report"] for row in rows}}

    assert found({"flagged": "true"}) == {"above"}
    assert found({"flagged": "false"}) == {"close", "elsewhere"}
    assert found({"county": tree.county.code}) == {"above", "close"}
    assert found({"prefecture": tree.other_prefecture.code}) == {"elsewhere"}
    assert found({"province": tree.province.code, "year": 2023}) == {"above", "close"}
    assert found({"year": 2022}) == set()


@pytest.mark.parametrize(
    "query",
    [{"year": "abc"}, {"year": "1900"}, {"county": "99"}, {"province": "371721"}, {"flagged": "maybe"}, {"page": "0"}],
)
def test_bad_filters_are_a_400(reports, api_for, administrator, query):
    answer = api_for(administrator).get(URL, query)

    assert answer.status_code in (400, 404), answer.content
    assert answer.status_code != 500


def test_the_list_runs_the_same_queries_for_3_or_30_reports(
    reports, api_for, official, tree, django_assert_num_queries
):
    client = api_for(official)
    list_rows(client.get(URL))
    with CaptureQueriesContext(connection) as few:
        list_rows(client.get(URL))
    for _ in range(27):
        village = VillageFactory(township=tree.town)
        feed(village, 2)
        AnnualReportFactory(village=village, ecommerce_sales=300_000, active_shops=2)

    with django_assert_num_queries(len(few.captured_queries)):
        assert len(list_rows(client.get(URL))) == 29


def test_the_assessment_records_the_platform_figure_beside_the_declaration(reports, api_for, official, reviewer):
    report = reports["close"]
    report_submit(report=report, by=official)
    report_approve(report=report, by=reviewer)

    (row,) = list_rows(api_for(reviewer).get("/api/v1/assessments/", {"village": report.village.code}))

    assert row["input_sources"]["ecommerce_sales"] == {
        "source": "declared", "check": "checked", "platform": 10_000_000, "difference_percent": 5.0, "flagged": False,
    }
    assert row["input_sources"]["households"]["check"] == "unchecked"


def test_the_schema_documents_the_reconciliation(anonymous_api):
    schema = anonymous_api.get("/api/v1/schema/", {"format": "json"}).json()

    operation = schema["paths"]["/api/v1/reconciliation/"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"year", "county", "prefecture", "province", "flagged"}
    assert {"400", "401"} <= set(operation["responses"])
    assert "reconciliation" in schema["components"]["schemas"]["AnnualReportDetail"]["properties"]
    assert "input_sources" in schema["components"]["schemas"]["Assessment"]["properties"]

