"""The report workflow through the API: create, edit, submit, approve (scored at once), return, reopen,
the timeline, and 409 for illegal steps, locked reports and stale versions."""

import pytest

from tests.factories import VillageFactory
from villages.models import AnnualReport, Assessment

pytestmark = pytest.mark.django_db


@pytest.fixture
def village(tree):
    return VillageFactory(township=tree.town, code="371721121227", households=1200)


@pytest.fixture
def draft_id(village, official, api_for):
    response = api_for(official).post(
        "/api/v1/reports/",
        {"village": village.code, "year": 2023, "ecommerce_sales": 15_000_000, "active_shops": 150, "households": 1200},
        format="json",
    )
    assert response.status_code == 201, response.content
    return response.json()["id"]


def post(client, draft_id, step, body=None):
    return client.post(f"/api/v1/reports/{draft_id}/{step}/", body or {}, format="json")


def test_full_workflow_scores_on_approval(draft_id, official, reviewer, api_for):
    assert post(api_for(official), draft_id, "submit").json()["status"] == "submitted"
    approved = post(api_for(reviewer), draft_id, "approve", {"comment": "核实无误"})
    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == "approved"
    assert approved.json()["reviewed_at"] is not None
    assessment = Assessment.objects.get(report_id=draft_id)
    assert assessment.qualified is True


def test_return_needs_a_comment_and_reopen_withdraws_the_certification(draft_id, official, reviewer, api_for):
    post(api_for(official), draft_id, "submit")
    reviewer_client = api_for(reviewer)
    assert post(reviewer_client, draft_id, "return", {"comment": ""}).status_code == 400
    assert post(reviewer_client, draft_id, "return").status_code == 400
    returned = post(reviewer_client, draft_id, "return", {"comment": "销售额请附证明"})
    assert (returned.status_code, returned.json()["status"]) == (200, "returned")
    assert returned.json()["review_comment"] == "销售额请附证明"
    post(api_for(official), draft_id, "submit")
    post(reviewer_client, draft_id, "approve")
    assert Assessment.objects.filter(report_id=draft_id).exists()
    reopened = post(reviewer_client, draft_id, "reopen", {"comment": "数据有误"})
    assert (reopened.status_code, reopened.json()["status"]) == (200, "returned")
    assert not Assessment.objects.filter(report_id=draft_id).exists()


def test_illegal_steps_are_409(draft_id, official, reviewer, api_for):
    assert post(api_for(reviewer), draft_id, "approve").status_code == 409
    assert post(api_for(reviewer), draft_id, "reopen", {"comment": "x"}).status_code == 409
    post(api_for(official), draft_id, "submit")
    assert post(api_for(official), draft_id, "submit").status_code == 409


def test_official_may_not_approve_and_reviewer_may_not_submit(draft_id, official, reviewer, api_for):
    assert post(api_for(reviewer), draft_id, "submit").status_code == 403
    post(api_for(official), draft_id, "submit")
    assert post(api_for(official), draft_id, "approve").status_code == 403


def test_reviewer_elsewhere_gets_404_for_a_draft(draft_id, other_reviewer, api_for):
    assert post(api_for(other_reviewer), draft_id, "approve").status_code == 404


def test_patch_while_draft_then_locked_once_submitted(draft_id, official, api_for):
    client = api_for(official)
    patched = client.patch(f"/api/v1/reports/{draft_id}/", {"active_shops": 160, "version": 1}, format="json")
    assert (patched.status_code, patched.json()["active_shops"], patched.json()["version"]) == (200, 160, 2)
    stale = client.patch(f"/api/v1/reports/{draft_id}/", {"active_shops": 170, "version": 1}, format="json")
    assert stale.status_code == 409
    version = post(client, draft_id, "submit").json()["version"]
    locked = client.patch(f"/api/v1/reports/{draft_id}/", {"active_shops": 170, "version": version}, format="json")
    assert locked.status_code == 409
    assert AnnualReport.objects.get(pk=draft_id).active_shops == 160


def test_second_report_for_the_same_year_is_refused(draft_id, village, official, api_for):
    response = api_for(official).post(
        "/api/v1/reports/",
        {"village": village.code, "year": 2023, "ecommerce_sales": 1, "active_shops": 1, "households": 1},
        format="json",
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    "figures",
    [
        {"ecommerce_sales": -1},
        {"ecommerce_sales": 2**63},
        {"ecommerce_sales": "1e7"},
        {"active_shops": 2**31},
        {"households": 0},
        {"year": 2008},
        {"year": 99999},
    ],
)
def test_bad_report_figures_are_400(village, official, api_for, figures):
    body = {"village": village.code, "year": 2023, "ecommerce_sales": 1, "active_shops": 1, "households": 1}
    response = api_for(official).post("/api/v1/reports/", {**body, **figures}, format="json")
    assert response.status_code == 400, response.content
    assert set(response.json()) == set(figures)


def test_history_lists_the_review_steps(draft_id, official, reviewer, api_for):
    post(api_for(official), draft_id, "submit")
    post(api_for(reviewer), draft_id, "return", {"comment": "补充材料"})
    response = api_for(official).get(f"/api/v1/reports/{draft_id}/history/")
    assert response.status_code == 200
    steps = response.json()["results"]
    assert [(step["from_status"], step["to_status"], step["by"]) for step in steps] == [
        ("draft", "submitted", "official"),
        ("submitted", "returned", "reviewer"),
    ]
    assert steps[1]["comment"] == "补充材料"
    assert set(steps[0]) == {"from_status", "to_status", "by", "at", "comment"}


def test_history_is_for_the_jurisdiction_only(draft_id, official, other_official, reviewer, api_for, anonymous_api):
    post(api_for(official), draft_id, "submit")
    post(api_for(reviewer), draft_id, "approve")
    assert anonymous_api.get(f"/api/v1/reports/{draft_id}/history/").status_code == 401
    assert api_for(other_official).get(f"/api/v1/reports/{draft_id}/history/").status_code == 404
    assert api_for(other_official).get(f"/api/v1/reports/{draft_id}/").status_code == 200
