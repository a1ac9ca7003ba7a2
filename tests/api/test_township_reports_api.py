"""township-reports/: the report workflow's steps for a township's own figures, per role, with its errors."""

import pytest

from villages.models import TownshipReport
from villages.services.reports import township_report_approve, township_report_create, township_report_submit

pytestmark = pytest.mark.django_db
YEAR = 2020
OVER_THE_SCALE_BAR = {"ecommerce_sales": 45_000_000, "active_shops": 420}


@pytest.fixture
def draft(tree, official):
    return township_report_create(by=official, township=tree.town, year=YEAR, **OVER_THE_SCALE_BAR)


def approve(report, official, reviewer):
    township_report_submit(report=report, by=official)
    return township_report_approve(report=report, by=reviewer)



def test_the_api_takes_a_township_report_through_the_workflow(tree, official, reviewer, api_for):
    county = api_for(official)
    created = county.post(
        "/api/v1/township-reports/", {"township": tree.town.code, "year": YEAR, **OVER_THE_SCALE_BAR}, format="json"
    )
    assert created.status_code == 201, created.content
    report_id = created.json()["id"]
    assert county.post(f"/api/v1/township-reports/{report_id}/submit/", {}, format="json").status_code == 200
    assert county.post(f"/api/v1/township-reports/{report_id}/approve/", {}, format="json").status_code == 403
    approved = api_for(reviewer).post(f"/api/v1/township-reports/{report_id}/approve/", {}, format="json")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    again = api_for(reviewer).post(f"/api/v1/township-reports/{report_id}/approve/", {}, format="json")
    assert again.status_code == 409
    towns = api_for(reviewer).get("/api/v1/taobao-towns/", {"year": YEAR}).json()["results"]
    assert [(town["township"], town["figures"]) for town in towns] == [(tree.town.code, "township_report")]


def test_drafts_are_seen_only_in_the_jurisdiction_and_approved_reports_by_everyone(
    tree, draft, official, other_official, reviewer, api_for, anonymous_api
):
    def ids(api):
        response = api.get("/api/v1/township-reports/")
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]]

    assert ids(api_for(official)) == [draft.pk]
    assert ids(api_for(reviewer)) == [draft.pk]
    assert ids(api_for(other_official)) == [] and ids(anonymous_api) == []
    approve(draft, official, reviewer)
    assert ids(api_for(other_official)) == [draft.pk] and ids(anonymous_api) == [draft.pk]


@pytest.mark.parametrize(
    "body, field",
    [
        ({"township": "371721", "year": YEAR, **OVER_THE_SCALE_BAR}, "township"),
        ({"township": "371721121", "year": 1999, **OVER_THE_SCALE_BAR}, "year"),
        ({"township": "371721121", "year": YEAR, "ecommerce_sales": -1, "active_shops": 3}, "ecommerce_sales"),
        ({"township": "371721999", "year": YEAR, **OVER_THE_SCALE_BAR}, "township"),
    ],
)
def test_bad_township_reports_are_400s_that_name_the_field(tree, official, api_for, body, field):
    response = api_for(official).post("/api/v1/township-reports/", body, format="json")
    assert response.status_code == 400 and field in response.json(), response.content
    assert not TownshipReport.objects.exists()


def test_the_api_refuses_others_and_anonymous_callers(tree, other_official, api_for, anonymous_api):
    body = {"township": tree.town.code, "year": YEAR, **OVER_THE_SCALE_BAR}
    assert api_for(other_official).post("/api/v1/township-reports/", body, format="json").status_code == 403
    assert anonymous_api.post("/api/v1/township-reports/", body, format="json").status_code == 401
    assert anonymous_api.get("/api/v1/township-reports/", {"year": "20x0"}).status_code == 400


def test_the_list_costs_the_same_for_one_report_or_many(tree, official, api_for, django_assert_max_num_queries):
    for year in range(2019, 2025):
        township_report_create(by=official, township=tree.town, year=year, **OVER_THE_SCALE_BAR)
    api = api_for(official)
    with django_assert_max_num_queries(6):
        assert api.get("/api/v1/township-reports/").json()["count"] == 6
