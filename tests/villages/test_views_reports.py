"""Report pages: save draft / submit, the review page with warnings, approve and return, the queue, the timeline."""

import datetime

import pytest
from django.urls import reverse

from tests.factories import AnnualReportFactory, VillageFactory
from villages.models import AnnualReport, ReportingWindow

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_window(db):
    today = datetime.date.today()
    for year in range(2019, today.year + 1):
        ReportingWindow.objects.create(
            year=year, opens_on=today - datetime.timedelta(days=30), closes_on=today + datetime.timedelta(days=30)
        )


@pytest.fixture
def village(tree):
    return VillageFactory(township=tree.town, households=800)


def report_data(**overrides):
    return {"year": "2023", "ecommerce_sales": "12000000", "active_shops": "120", "households": "800", **overrides}


def test_official_saves_a_draft_report(client_for, official, village):
    response = client_for(official).post(
        reverse("villages:report_create", args=[village.code]), {**report_data(), "save": ""}
    )
    report = AnnualReport.objects.get(village=village, year=2023)
    assert response.status_code == 302 and report.status == AnnualReport.Status.DRAFT


def test_official_submits_a_report_in_the_window(client_for, official, village, open_window):
    client = client_for(official)
    response = client.post(reverse("villages:report_create", args=[village.code]), {**report_data(), "submit": ""})
    report = AnnualReport.objects.get(village=village, year=2023)
    # Saved, then the submission is confirmed on its own page (issue 19, item 8).
    assert response["Location"] == reverse("villages:report_submit", args=[report.pk])
    assert report.status == AnnualReport.Status.DRAFT
    client.post(response["Location"], {"confirmed": "yes"})
    report.refresh_from_db()
    assert report.status == AnnualReport.Status.SUBMITTED


def test_report_form_shows_errors_beside_fields_in_chinese(client_for, official, village):
    client = client_for(official)
    response = client.post(
        reverse("villages:report_create", args=[village.code]),
        {**report_data(households="0"), "save": ""},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 200
    assert "households" in response.context["form"].errors
    assert 'id="field-households"' in response.content.decode()


def test_other_official_cannot_open_the_report_form_of_another_county(client_for, other_official, village):
    assert client_for(other_official).get(reverse("villages:report_create", args=[village.code])).status_code == 404


def test_reviewer_sees_the_queue_and_the_previous_approved_year_with_warnings(client_for, reviewer, village):
    AnnualReportFactory(village=village, year=2022, ecommerce_sales=1_000_000, status="approved")
    report = AnnualReportFactory(village=village, year=2023, ecommerce_sales=9_000_000, status="submitted")
    client = client_for(reviewer)
    queue = client.get(reverse("villages:review_queue"))
    assert report in list(queue.context["page"].object_list)
    page = client.get(reverse("villages:report_detail", args=[report.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert page.context["previous"].year == 2022
    assert page.context["reviewable"]
    assert any(warning.key == "sales_jump" for warning in page.context["warnings"])


def test_reviewer_returns_with_a_comment_and_approves_later(client_for, reviewer, village):
    report = AnnualReportFactory(village=village, year=2023, status="submitted")
    client = client_for(reviewer)
    response = client.post(
        reverse("villages:report_review", args=[report.pk]), {"action": "return", "comment": "请核对网店数"}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == AnnualReport.Status.RETURNED and report.review_comment == "请核对网店数"
    AnnualReport.objects.filter(pk=report.pk).update(status="submitted")
    client.post(reverse("villages:report_review", args=[report.pk]), {"action": "approve", "confirm_warnings": "on"})
    report.refresh_from_db()
    assert report.status == AnnualReport.Status.APPROVED


def test_return_without_comment_is_refused_on_the_page(client_for, reviewer, village):
    report = AnnualReportFactory(village=village, year=2023, status="submitted")
    response = client_for(reviewer).post(
        reverse("villages:report_review", args=[report.pk]), {"action": "return", "comment": ""}
    )
    assert response.status_code == 400
    report.refresh_from_db()
    assert report.status == AnnualReport.Status.SUBMITTED


def test_official_cannot_approve(client_for, official, village):
    report = AnnualReportFactory(village=village, year=2023, status="submitted")
    client_for(official).post(reverse("villages:report_review", args=[report.pk]), {"action": "approve"})
    report.refresh_from_db()
    assert report.status == AnnualReport.Status.SUBMITTED


def test_reviewer_of_another_province_gets_404(client_for, other_reviewer, village):
    report = AnnualReportFactory(village=village, year=2023, status="submitted")
    assert client_for(other_reviewer).get(reverse("villages:report_detail", args=[report.pk])).status_code == 404
    assert (
        client_for(other_reviewer)
        .post(reverse("villages:report_review", args=[report.pk]), {"action": "approve"})
        .status_code
        == 404
    )


def test_anonymous_never_sees_a_draft_report(client, village):
    report = AnnualReportFactory(village=village, year=2023)
    assert client.get(reverse("villages:report_detail", args=[report.pk])).status_code == 404


def test_stale_report_edit_shows_both_versions(client_for, official, village):
    report = AnnualReportFactory(village=village, year=2023, active_shops=120)
    client = client_for(official)
    AnnualReport.objects.filter(pk=report.pk).update(active_shops=99, version=report.version + 1)
    response = client.post(
        reverse("villages:report_edit", args=[report.pk]),
        {**report_data(active_shops="130"), "version": str(report.version), "save": ""},
    )
    assert response.status_code == 200
    assert response.context["conflict"] is not None
    assert AnnualReport.objects.get(pk=report.pk).active_shops == 99


def test_home_shows_reports_by_status_and_the_reviewers_queue(client, client_for, reviewer, official, village):
    AnnualReportFactory(village=village, year=2023, status="submitted")
    page = client_for(reviewer).get(reverse("villages:home"))
    assert dict((value, count) for value, _label, count in page.context["statuses"])["submitted"] == 1
    assert len(page.context["queue"]) == 1
    assert client_for(official).get(reverse("villages:home")).status_code == 200
    assert client.get(reverse("villages:home")).status_code == 302


def test_review_queue_runs_a_constant_number_of_queries(client_for, reviewer, tree, django_assert_max_num_queries):
    client = client_for(reviewer)
    for _ in range(2):
        AnnualReportFactory(village=VillageFactory(township=tree.town), year=2023, status="submitted")
    with django_assert_max_num_queries(12) as captured:
        client.get(reverse("villages:review_queue"))
    few = len(captured.captured_queries)
    for _ in range(15):
        AnnualReportFactory(village=VillageFactory(township=tree.town), year=2023, status="submitted")
    with django_assert_max_num_queries(few):
        client.get(reverse("villages:review_queue"))


def test_approving_a_report_someone_else_just_approved_says_why_on_the_report_page(client_for, reviewer, village):
    report = AnnualReportFactory(village=village, year=2023, status="submitted")
    client = client_for(reviewer)
    page = client.get(reverse("villages:report_detail", args=[report.pk]))
    assert page.status_code == 200
    AnnualReport.objects.filter(pk=report.pk).update(status=AnnualReport.Status.APPROVED)

    response = client.post(reverse("villages:report_review", args=[report.pk]), {"action": "approve"}, follow=True)

    assert response.redirect_chain == [(reverse("villages:report_detail", args=[report.pk]), 302)]
    shown = [str(message) for message in response.context["messages"]]
    assert shown == ["Only a submitted report can be approved; this one is approved."]


def test_an_official_approving_is_told_why_on_the_report_page(client_for, official, village):
    report = AnnualReportFactory(village=village, year=2023, status="submitted")

    response = client_for(official).post(
        reverse("villages:report_review", args=[report.pk]), {"action": "approve"}, follow=True
    )

    assert response.status_code == 200
    assert [str(message) for message in response.context["messages"]] == [
        "Only a reviewer responsible for this village's prefecture or province may review its reports."
    ]
    report.refresh_from_db()
    assert report.status == AnnualReport.Status.SUBMITTED
