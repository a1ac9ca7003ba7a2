"""The API's view of a report before submission: `reports/{id}/expected-result/` and the submit's warnings."""

import datetime

import pytest

from tests.factories import AnnualReportFactory, OnlineShopFactory, ShopYearFactory, VillageFactory
from villages.models import AnnualReport, ReportingWindow

pytestmark = pytest.mark.django_db


@pytest.fixture
def village(tree):
    return VillageFactory(township=tree.town, households=1200)


@pytest.fixture
def open_window(db):
    today = datetime.date.today()
    ReportingWindow.objects.create(
        year=2023, opens_on=today - datetime.timedelta(days=30), closes_on=today + datetime.timedelta(days=30)
    )


def register_active_shops(village, count, year=2023):
    for _ in range(count):
        ShopYearFactory(shop=OnlineShopFactory(village=village), year=year, sales=100_000)


def expected_url(report_id):
    return f"/api/v1/reports/{report_id}/expected-result/"


def test_the_expected_result_answers_the_verdict_the_gaps_and_the_warnings(api_for, official, village):
    register_active_shops(village, 90)
    report = AnnualReportFactory(village=village, ecommerce_sales=8_200_000, active_shops=95, households=1200)
    answer = api_for(official).get(expected_url(report.pk), HTTP_ACCEPT_LANGUAGE="en")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    result = body["expected_result"]
    assert result["qualified"] is False and result["year"] == 2023
    checks = {check["key"]: check for check in result["checks"]}
    assert checks["sales"] == {
        "key": "sales", "passed": False, "actual": 8_200_000, "required": 10_000_000, "gap": 1_800_000,
        "text": "sales RMB 8,200,000: RMB 1,800,000 short of RMB 10,000,000",
    }
    assert checks["shops"]["text"] == "active shops 95: 5 short of 100, or 10 % of households (120)"
    assert checks["location"]["passed"] is True
    assert body["registered"] == {"year": 2023, "shop_years": 90, "active_shops": 90, "ecommerce_sales": 9_000_000}
    assert body["acknowledgement_required"] is True
    assert body["warnings"][0]["key"] == "registered_shops_differ"


def test_qualifying_figures_matching_the_registered_shops_need_no_acknowledgement(api_for, official, village):
    register_active_shops(village, 120)
    report = AnnualReportFactory(village=village, ecommerce_sales=10_000_000, active_shops=120, households=1200)
    body = api_for(official).get(expected_url(report.pk)).json()
    assert body["expected_result"]["qualified"] is True
    assert body["acknowledgement_required"] is False
    assert "registered_shops_differ" not in {warning["key"] for warning in body["warnings"]}


def test_the_expected_result_reads_in_chinese(api_for, official, village):
    report = AnnualReportFactory(village=village, ecommerce_sales=8_200_000, active_shops=95, households=1200)
    body = api_for(official).get(expected_url(report.pk), HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    sales = next(check for check in body["expected_result"]["checks"] if check["key"] == "sales")
    assert sales["text"] == "销售额 820 万元：距 1,000 万元 还差 180 万元"


@pytest.mark.parametrize("user_fixture, status", [
    ("official", 200), ("reviewer", 200), ("administrator", 200), ("other_official", 404), ("other_reviewer", 404),
])
def test_only_those_who_work_on_the_report_read_it(api_for, request, village, user_fixture, status):
    report = AnnualReportFactory(village=village)
    assert api_for(request.getfixturevalue(user_fixture)).get(expected_url(report.pk)).status_code == status


def test_anonymous_callers_must_log_in(anonymous_api, village):
    report = AnnualReportFactory(village=village)
    assert anonymous_api.get(expected_url(report.pk)).status_code == 401


@pytest.mark.parametrize("report_id", ["0", "abc", "99999999999999999999999", "-1"])
def test_a_bad_report_id_is_404(api_for, official, report_id):
    assert api_for(official).get(expected_url(report_id)).status_code == 404


def test_the_expected_result_runs_a_constant_number_of_queries(api_for, official, village, django_assert_num_queries):
    register_active_shops(village, 30)
    report = AnnualReportFactory(village=village)
    client = api_for(official)
    client.get(expected_url(report.pk))  # the first request reads the user's groups and jurisdiction
    # The report, the registered figures, the reviewer's warnings (3), the expected result (3).
    with django_assert_num_queries(EXPECTED_RESULT_QUERIES):
        client.get(expected_url(report.pk))
    register_active_shops(village, 30)
    with django_assert_num_queries(EXPECTED_RESULT_QUERIES):
        client.get(expected_url(report.pk))


EXPECTED_RESULT_QUERIES = 8


def test_a_submit_with_a_difference_still_succeeds_and_answers_the_warning(api_for, official, village, open_window):
    register_active_shops(village, 100)
    report = AnnualReportFactory(village=village, active_shops=120)
    answer = api_for(official).post(f"/api/v1/reports/{report.pk}/submit/", {}, format="json")
    assert answer.status_code == 200, answer.content
    assert answer.json()["status"] == "submitted"
    assert [warning["key"] for warning in answer.json()["unacknowledged_warnings"]] == ["registered_shops_differ"]


def test_an_acknowledged_submit_answers_no_warning(api_for, official, village, open_window):
    register_active_shops(village, 100)
    report = AnnualReportFactory(village=village, active_shops=120)
    answer = api_for(official).post(
        f"/api/v1/reports/{report.pk}/submit/", {"acknowledge_warnings": True}, format="json"
    )
    assert answer.status_code == 200 and answer.json()["unacknowledged_warnings"] == []
    report.refresh_from_db()
    assert report.status == AnnualReport.Status.SUBMITTED


def test_a_non_boolean_acknowledgement_is_400_and_changes_nothing(api_for, official, village, open_window):
    report = AnnualReportFactory(village=village)
    answer = api_for(official).post(
        f"/api/v1/reports/{report.pk}/submit/", {"acknowledge_warnings": {"x": 1}}, format="json"
    )
    assert answer.status_code == 400 and "acknowledge_warnings" in answer.json()
    report.refresh_from_db()
    assert report.status == AnnualReport.Status.DRAFT


def test_the_schema_documents_the_expected_result_and_the_acknowledgement(anonymous_api):
    schema = anonymous_api.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    assert "/api/v1/reports/{report_id}/expected-result/" in schema["paths"]
    components = schema["components"]["schemas"]
    assert "acknowledge_warnings" in components["SubmitInputRequest"]["properties"]
    assert "unacknowledged_warnings" in components["SubmittedReport"]["properties"]
