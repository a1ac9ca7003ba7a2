"""Approval up the hierarchy through the API: `first-review` beside `approve`, 403/409 per level, today's
`approve` unchanged in a single-level province, and the new state and endpoint in the schema."""

import pytest

from tests.conftest import make_user
from tests.factories import AnnualReportFactory, VillageFactory
from villages.models import REVIEWERS, AnnualReport, Assessment, ProvinceApprovalPolicy, ReviewEvent

pytestmark = pytest.mark.django_db

Status = AnnualReport.Status


@pytest.fixture
def two_levels(tree):
    return ProvinceApprovalPolicy.objects.create(province=tree.province, levels=2)


@pytest.fixture
def prefecture_reviewer(tree):
    return make_user("prefecture_reviewer", REVIEWERS, [tree.prefecture])


@pytest.fixture
def submitted(tree, official):
    village = VillageFactory(township=tree.town)
    return AnnualReportFactory(village=village, status=Status.SUBMITTED, submitted_by=official)


def post(client, report, step, body=None):
    return client.post(f"/api/v1/reports/{report.pk}/{step}/", body or {}, format="json")


def _status(report):
    return AnnualReport.objects.values_list("status", flat=True).get(pk=report.pk)


def test_two_levels_through_the_api(submitted, two_levels, reviewer, prefecture_reviewer, api_for):
    assert post(api_for(reviewer), submitted, "approve").status_code == 409
    assert post(api_for(reviewer), submitted, "first-review").status_code == 403
    assert post(api_for(prefecture_reviewer), submitted, "approve").status_code == 403
    assert _status(submitted) == Status.SUBMITTED

    passed = post(api_for(prefecture_reviewer), submitted, "first-review", {"comment": "初审通过"})
    assert (passed.status_code, passed.json()["status"]) == (200, "first_passed"), passed.content
    assert not Assessment.objects.filter(report=submitted).exists()

    assert post(api_for(prefecture_reviewer), submitted, "approve").status_code == 403
    assert post(api_for(prefecture_reviewer), submitted, "first-review").status_code == 409
    approved = post(api_for(reviewer), submitted, "approve", {"comment": "复核通过"})
    assert (approved.status_code, approved.json()["status"]) == (200, "approved")
    assert Assessment.objects.filter(report=submitted).exists()

    history = api_for(reviewer).get(f"/api/v1/reports/{submitted.pk}/history/").json()["results"]
    assert [(step["from_status"], step["to_status"]) for step in history] == [
        ("submitted", "first_passed"),
        ("first_passed", "approved"),
    ]


def test_a_return_at_level_two_goes_back_to_the_county(submitted, two_levels, reviewer, prefecture_reviewer, api_for):
    post(api_for(prefecture_reviewer), submitted, "first-review")
    assert post(api_for(prefecture_reviewer), submitted, "return", {"comment": "改"}).status_code == 403
    returned = post(api_for(reviewer), submitted, "return", {"comment": "销售额请附证明"})
    assert (returned.status_code, returned.json()["status"]) == (200, "returned")
    assert returned.json()["review_comment"] == "销售额请附证明"
    assert ReviewEvent.objects.filter(report=submitted, from_status="first_passed", to_status="returned").exists()


def test_reviewers_of_other_areas_cannot_act_at_either_level(
    tree, submitted, two_levels, other_reviewer, other_official, api_for
):
    other_prefecture = make_user("other_prefecture", REVIEWERS, [tree.other_prefecture])
    for user in (other_reviewer, other_prefecture, other_official):
        for step in ("first-review", "approve"):
            assert post(api_for(user), submitted, step).status_code in (403, 404)
    assert _status(submitted) == Status.SUBMITTED


def test_first_review_in_a_single_level_province_is_409_and_approve_works_as_before(
    submitted, prefecture_reviewer, api_for
):
    assert post(api_for(prefecture_reviewer), submitted, "first-review").status_code == 409
    assert post(api_for(prefecture_reviewer), submitted, "approve").json()["status"] == "approved"


def test_first_review_validates_its_body_and_answers_404_for_an_unknown_report(
    submitted, two_levels, prefecture_reviewer, api_for
):
    client = api_for(prefecture_reviewer)
    assert post(client, submitted, "first-review", {"comment": "x" * 5000}).status_code == 400
    assert client.post("/api/v1/reports/999999/first-review/", {}, format="json").status_code == 404
    assert _status(submitted) == Status.SUBMITTED


def test_the_list_filters_by_the_new_state(submitted, two_levels, prefecture_reviewer, reviewer, api_for):
    post(api_for(prefecture_reviewer), submitted, "first-review")
    rows = api_for(reviewer).get("/api/v1/reports/", {"status": "first_passed"}).json()["results"]
    assert [row["id"] for row in rows] == [submitted.pk]


def test_the_schema_documents_the_first_review_and_the_new_state(anonymous_api):
    schema = anonymous_api.get("/api/v1/schema/", {"format": "json"}).json()
    assert "/api/v1/reports/{id}/first-review/" in schema["paths"]
    assert "/api/v1/township-reports/{id}/first-review/" in schema["paths"]
    operation = schema["paths"]["/api/v1/reports/{id}/first-review/"]["post"]
    assert {"400", "403", "404", "409"} <= set(operation["responses"])
    assert "first_passed" in schema["components"]["schemas"]["ReportStatusEnum"]["enum"]
