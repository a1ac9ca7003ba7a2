"""A township's own annual report: the report workflow's steps and windows, and the town rule's scale route."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from tests.factories import AnnualReportFactory, VillageFactory
from villages.models import AnnualReport, ReportingWindow, TaobaoTown, TownshipReport
from villages.services.certification import assessments_rescore, report_assess
from villages.services.errors import ConflictError
from villages.services.reports import (
    township_report_approve,
    township_report_create,
    township_report_reopen,
    township_report_return,
    township_report_submit,
    township_report_update,
)

pytestmark = pytest.mark.django_db
YEAR = 2020
OVER_THE_SCALE_BAR = {"ecommerce_sales": 45_000_000, "active_shops": 420}


def town_of(township):
    return TaobaoTown.objects.filter(township=township, year=YEAR).values_list(
        "route", "figures", "ecommerce_sales", "active_shops", "taobao_villages"
    ).first()


@pytest.fixture
def draft(tree, official):
    return township_report_create(by=official, township=tree.town, year=YEAR, **OVER_THE_SCALE_BAR)


def approve(report, official, reviewer):
    township_report_submit(report=report, by=official)
    return township_report_approve(report=report, by=reviewer)


def test_an_approved_township_report_makes_a_town_by_scale_with_the_townships_own_figures(
    tree, draft, official, reviewer
):
    # Its one registered village sold far less: the villages' sum alone would not reach the bar.
    village = VillageFactory(township=tree.town, code="371721121227")
    report_assess(report=AnnualReportFactory(
        village=village, year=YEAR, status=AnnualReport.Status.APPROVED, ecommerce_sales=12_000_000,
        active_shops=120, households=800,
    ))
    assert town_of(tree.town) is None

    approve(draft, official, reviewer)

    assert town_of(tree.town) == ("scale", "township_report", 45_000_000, 420, 1)
    assessments_rescore(years=[YEAR])
    assert town_of(tree.town) == ("scale", "township_report", 45_000_000, 420, 1)


def test_without_a_township_report_the_registered_villages_sum_counts_and_the_town_says_so(tree):
    for unit in (201, 202, 203):
        village = VillageFactory(township=tree.town, code=f"371721121{unit}")
        report_assess(report=AnnualReportFactory(
            village=village, year=YEAR, status=AnnualReport.Status.APPROVED, ecommerce_sales=11_000_000,
            active_shops=110, households=800,
        ))
    assert town_of(tree.town) == ("villages", "villages_sum", 33_000_000, 330, 3)


def test_a_township_without_any_registered_village_can_be_a_town_on_its_own_report(tree, draft, official, reviewer):
    approve(draft, official, reviewer)
    assert town_of(tree.town) == ("scale", "township_report", 45_000_000, 420, 0)


def test_reopening_the_township_report_falls_back_to_the_villages(tree, draft, official, reviewer):
    approve(draft, official, reviewer)

    township_report_reopen(report=draft, by=reviewer, comment="网店数量需核实")

    assert town_of(tree.town) is None
    assert TownshipReport.objects.get().status == "returned"


def test_the_figures_change_only_while_draft_or_returned(tree, draft, official, reviewer):
    township_report_submit(report=draft, by=official)
    with pytest.raises(ConflictError):
        township_report_update(report=draft, by=official, version=draft.version + 1, active_shops=1)
    township_report_return(report=draft, by=reviewer, comment="请补充")
    fresh = TownshipReport.objects.get()
    updated = township_report_update(report=fresh, by=official, version=fresh.version, active_shops=500)
    assert updated.active_shops == 500


def test_the_reporting_window_applies_and_a_reopening_exempts_one_resubmission(tree, draft, official, reviewer):
    today = timezone.localdate()
    approve(draft, official, reviewer)
    township_report_reopen(report=draft, by=reviewer, comment="补充材料")
    ReportingWindow.objects.create(
        year=YEAR, opens_on=today - datetime.timedelta(days=30), closes_on=today - datetime.timedelta(days=1)
    )
    township_report_submit(report=draft, by=official)
    township_report_return(report=draft, by=reviewer, comment="再次补充")

    with pytest.raises(ConflictError, match="can be submitted only from"):
        township_report_submit(report=draft, by=official)


def test_only_the_townships_county_enters_and_submits_and_only_its_reviewers_review(
    tree, draft, official, other_official, reviewer, other_reviewer
):
    with pytest.raises(PermissionDenied):
        township_report_create(by=other_official, township=tree.second_county_town, year=YEAR, **OVER_THE_SCALE_BAR)
    with pytest.raises(PermissionDenied):
        township_report_create(by=reviewer, township=tree.town, year=YEAR + 1, **OVER_THE_SCALE_BAR)
    with pytest.raises(PermissionDenied):
        township_report_submit(report=draft, by=other_official)
    township_report_submit(report=draft, by=official)
    for user in (official, other_reviewer):
        with pytest.raises(PermissionDenied):
            township_report_approve(report=draft, by=user)
    assert TownshipReport.objects.get().status == "submitted"
    assert township_report_approve(report=draft, by=reviewer).status == "approved"


def test_a_reviewer_approves_in_the_admin(tree, draft, official, reviewer, client):
    township_report_submit(report=draft, by=official)
    reviewer.is_staff = True
    reviewer.save()
    client.force_login(reviewer)
    response = client.post(
        "/admin/villages/townshipreport/",
        {"action": "approve_reports", "_selected_action": [draft.pk]},
    )
    assert response.status_code == 302
    assert TownshipReport.objects.get().status == "approved"
    assert town_of(tree.town)[1] == "township_report"


# --- The web pages -----------------------------------------------------------------------------------------


def test_the_county_enters_and_submits_on_the_web_and_the_reviewer_approves_there(
    tree, official, reviewer, client_for
):
    county = client_for(official)
    form = county.get(f"/townships/{tree.town.code}/reports/new/")
    assert form.status_code == 200 and "大集镇" in form.content.decode()

    saved = county.post(
        f"/townships/{tree.town.code}/reports/new/",
        {"year": YEAR, "ecommerce_sales": "45000000", "active_shops": "420", "submit": ""},
    )
    report = TownshipReport.objects.get()
    assert saved.status_code == 302 and report.status == "submitted"

    review = client_for(reviewer)
    page = review.get(f"/township-reports/{report.pk}/").content.decode()
    assert 'value="approve"' in page
    assert review.post(f"/township-reports/{report.pk}/step/", {"action": "approve", "comment": ""}).status_code == 302
    assert TownshipReport.objects.get().status == "approved"
    assert town_of(tree.town)[1] == "township_report"


def test_a_return_without_a_comment_stays_on_the_page_with_the_reason(tree, draft, official, reviewer, client_for):
    township_report_submit(report=draft, by=official)
    response = client_for(reviewer).post(f"/township-reports/{draft.pk}/step/", {"action": "return", "comment": ""})
    assert response.status_code == 400
    assert "Say what the county must correct" in response.content.decode()
    assert TownshipReport.objects.get().status == "submitted"


def test_other_counties_and_reviewers_get_no_form_and_no_step(
    tree, draft, other_official, reviewer, official, client_for
):
    assert client_for(other_official).get(f"/townships/{tree.town.code}/reports/new/").status_code == 404
    assert client_for(reviewer).get(f"/townships/{tree.town.code}/reports/new/").status_code == 404
    assert client_for(other_official).get(f"/township-reports/{draft.pk}/").status_code == 404
    assert client_for(other_official).post(
        f"/township-reports/{draft.pk}/step/", {"action": "submit"}
    ).status_code == 404
    assert client_for(official).post(
        f"/township-reports/{draft.pk}/step/", {"action": "approve", "comment": ""}
    ).status_code == 302
    assert TownshipReport.objects.get().status == "draft"
