"""Township reports as full members of the review workflow: queue, mail, timeline (page and API) and admin."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from rest_framework.test import APIClient

from tests.conftest import make_user
from tests.factories import AnnualReportFactory, VillageFactory
from villages.models import COUNTY_OFFICIALS, REVIEWERS, Division, OutboundMail, ReviewEvent, TownshipReport
from villages.services.reports import (
    township_report_approve,
    township_report_create,
    township_report_reopen,
    township_report_return,
    township_report_submit,
)

pytestmark = pytest.mark.django_db
YEAR = 2020
FIGURES = {"ecommerce_sales": 45_000_000, "active_shops": 420}
Status = TownshipReport.Status


@pytest.fixture
def draft(tree, official):
    return township_report_create(by=official, township=tree.town, year=YEAR, **FIGURES)


def api_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


# --- The review queue --------------------------------------------------------------------------------------


def test_the_review_queue_lists_the_submitted_township_reports_of_the_reviewers_area(
    tree, draft, official, reviewer, other_reviewer, client_for
):
    other = township_report_create(
        by=make_user("jiangsu_official", COUNTY_OFFICIALS, [tree.other_county]),
        township=tree.other_town,
        year=YEAR,
        **FIGURES,
    )
    township_report_create(by=official, township=tree.subdistrict, year=YEAR, **FIGURES)  # a draft: not queued
    township_report_submit(report=draft, by=official)
    township_report_submit(report=other, by=other.created_by)

    page = client_for(reviewer).get(reverse("villages:review_queue"))

    assert page.status_code == 200
    assert list(page.context["township_page"].object_list) == [draft]
    html = page.content.decode()
    assert reverse("villages:township_report_detail", args=[draft.pk]) in html
    assert tree.town.name in html and tree.other_town.name not in html
    queued = client_for(other_reviewer).get(reverse("villages:review_queue")).context["township_page"]
    assert list(queued.object_list) == [other]


def test_an_approved_township_report_leaves_the_queue(tree, draft, official, reviewer, client_for):
    township_report_submit(report=draft, by=official)
    township_report_approve(report=draft, by=reviewer)
    page = client_for(reviewer).get(reverse("villages:review_queue"))
    assert list(page.context["township_page"].object_list) == []


def test_the_review_queue_with_township_reports_runs_a_constant_number_of_queries(
    tree, official, reviewer, client_for, django_assert_max_num_queries
):
    townships = [
        Division.objects.create(
            code=f"371721{number:03d}", name=f"乡{number}", level="township", parent=tree.county
        )
        for number in range(200, 220)
    ]

    def queue_one(township):
        township_report_submit(
            report=township_report_create(by=official, township=township, year=YEAR, **FIGURES), by=official
        )
        AnnualReportFactory(village=VillageFactory(township=township), year=YEAR, status="submitted")

    client = client_for(reviewer)
    for township in townships[:2]:
        queue_one(township)
    with django_assert_max_num_queries(14) as captured:
        assert client.get(reverse("villages:review_queue")).status_code == 200
    few = len(captured.captured_queries)
    for township in townships[2:]:
        queue_one(township)
    with django_assert_max_num_queries(few):
        page = client.get(reverse("villages:review_queue"))
    assert page.context["township_page"].paginator.count == 20


def test_the_township_queue_pages_on_its_own_parameter(tree, official, reviewer, client_for):
    page = client_for(reviewer).get(reverse("villages:review_queue"), {"township_page": "no-number"})
    assert page.status_code == 200 and page.context["township_page"].number == 1


# --- Mail ---------------------------------------------------------------------------------------------------


def test_submitting_a_township_report_emails_the_reviewers_of_its_area(
    tree, draft, official, reviewer, other_reviewer, mailoutbox, django_capture_on_commit_callbacks
):
    prefecture_reviewer = make_user("prefecture_reviewer", REVIEWERS, [tree.prefecture])
    with django_capture_on_commit_callbacks(execute=True):
        township_report_submit(report=draft, by=official)

    recorded = OutboundMail.objects.filter(township_report=draft)
    assert sorted(recorded.values_list("recipient", flat=True)) == sorted([reviewer.email, prefecture_reviewer.email])
    assert not recorded.filter(report__isnull=False).exists()
    assert sorted(message.to[0] for message in mailoutbox) == sorted([reviewer.email, prefecture_reviewer.email])
    message = mailoutbox[0]
    assert tree.town.name in message.subject and str(YEAR) in message.subject
    assert reverse("villages:township_report_detail", args=[draft.pk]) in message.body
    assert "Households" not in message.body and "户数" not in message.body


@pytest.mark.parametrize("step", ["approve", "return", "reopen"])
def test_each_review_step_of_a_township_report_emails_the_submitter(
    step, draft, official, reviewer, mailoutbox, django_capture_on_commit_callbacks
):
    township_report_submit(report=draft, by=official)
    if step == "reopen":
        township_report_approve(report=draft, by=reviewer)
    mailoutbox.clear()
    OutboundMail.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        if step == "approve":
            township_report_approve(report=draft, by=reviewer, comment="数据可信")
        elif step == "return":
            township_report_return(report=draft, by=reviewer, comment="网店数量需核实")
        else:
            township_report_reopen(report=draft, by=reviewer, comment="重复计算")

    assert list(OutboundMail.objects.values_list("recipient", "township_report")) == [(official.email, draft.pk)]
    assert [message.to for message in mailoutbox] == [[official.email]]
    assert reverse("villages:township_report_detail", args=[draft.pk]) in mailoutbox[0].body


# --- The timeline -------------------------------------------------------------------------------------------


def take_every_step(draft, official, reviewer):
    township_report_submit(report=draft, by=official)
    township_report_return(report=draft, by=reviewer, comment="网店数量需核实")
    township_report_submit(report=draft, by=official)
    township_report_approve(report=draft, by=reviewer, comment="通过")
    township_report_reopen(report=draft, by=reviewer, comment="重复计算")


def test_every_step_of_a_township_report_is_a_review_event(draft, official, reviewer):
    take_every_step(draft, official, reviewer)
    steps = ReviewEvent.objects.filter(township_report=draft).order_by("at", "pk")
    assert [(step.from_status, step.to_status, step.by.username, step.comment) for step in steps] == [
        (Status.DRAFT, Status.SUBMITTED, "official", ""),
        (Status.SUBMITTED, Status.RETURNED, "reviewer", "网店数量需核实"),
        (Status.RETURNED, Status.SUBMITTED, "official", ""),
        (Status.SUBMITTED, Status.APPROVED, "reviewer", "通过"),
        (Status.APPROVED, Status.RETURNED, "reviewer", "重复计算"),
    ]
    assert not steps.filter(report__isnull=False).exists()


def test_the_township_report_page_shows_its_timeline_in_the_area_only(
    draft, official, reviewer, other_official, client_for
):
    township_report_submit(report=draft, by=official)
    township_report_approve(report=draft, by=reviewer, comment="数据可信")
    url = reverse("villages:township_report_detail", args=[draft.pk])

    page = client_for(official).get(url)
    assert [event.comment for event in page.context["timeline"]] == ["", "数据可信"]
    assert "数据可信" in page.content.decode() and "Review timeline" in page.content.decode()

    public = client_for(other_official).get(url)  # approved: public, but its timeline is the area's
    assert public.status_code == 200 and "Review timeline" not in public.content.decode()


def test_the_api_history_of_a_township_report_mirrors_the_village_reports(draft, official, reviewer):
    township_report_submit(report=draft, by=official)
    township_report_return(report=draft, by=reviewer, comment="补充材料")

    response = api_for(official).get(f"/api/v1/township-reports/{draft.pk}/history/")

    assert response.status_code == 200
    steps = response.json()["results"]
    assert [(step["from_status"], step["to_status"], step["by"]) for step in steps] == [
        ("draft", "submitted", "official"),
        ("submitted", "returned", "reviewer"),
    ]
    assert steps[1]["comment"] == "补充材料"
    assert set(steps[0]) == {"from_status", "to_status", "by", "at", "comment"}


def test_the_api_history_of_a_township_report_is_for_its_area_only(draft, official, reviewer, other_official):
    township_report_submit(report=draft, by=official)
    township_report_approve(report=draft, by=reviewer)
    assert APIClient().get(f"/api/v1/township-reports/{draft.pk}/history/").status_code == 401
    assert api_for(other_official).get(f"/api/v1/township-reports/{draft.pk}/history/").status_code == 404
    assert api_for(other_official).get(f"/api/v1/township-reports/{draft.pk}/").status_code == 200
    assert api_for(reviewer).get("/api/v1/township-reports/999999/history/").status_code == 404


def test_the_schema_documents_the_township_report_history():
    paths = APIClient().get("/api/v1/schema/", {"format": "json"}).json()["paths"]
    assert "/api/v1/township-reports/{id}/history/" in paths
    assert set(paths["/api/v1/township-reports/{id}/history/"]["get"]["responses"]) >= {"200", "401", "404"}


# --- The admin ----------------------------------------------------------------------------------------------


@pytest.fixture
def staff_reviewer(reviewer):
    reviewer.is_staff = True
    reviewer.save()
    return reviewer


def test_the_admin_returns_a_township_report_after_asking_for_the_comment(
    draft, official, staff_reviewer, client_for
):
    township_report_submit(report=draft, by=official)
    client = client_for(staff_reviewer)
    url = reverse("admin:villages_townshipreport_changelist")

    asked = client.post(url, {"action": "return_reports", ACTION_CHECKBOX_NAME: [draft.pk]})
    assert asked.status_code == 200 and 'name="comment"' in asked.content.decode()
    assert TownshipReport.objects.get().status == Status.SUBMITTED

    client.post(url, {"action": "return_reports", ACTION_CHECKBOX_NAME: [draft.pk], "apply": "1", "comment": "缺材料"})

    draft.refresh_from_db()
    assert (draft.status, draft.review_comment) == (Status.RETURNED, "缺材料")
    assert ReviewEvent.objects.filter(township_report=draft, to_status=Status.RETURNED, by=staff_reviewer).exists()


def test_the_admin_reopens_an_approved_township_report(tree, draft, official, staff_reviewer, client_for):
    township_report_submit(report=draft, by=official)
    township_report_approve(report=draft, by=staff_reviewer)
    client = client_for(staff_reviewer)
    url = reverse("admin:villages_townshipreport_changelist")

    asked = client.post(url, {"action": "reopen_reports", ACTION_CHECKBOX_NAME: [draft.pk]})
    assert asked.status_code == 200 and 'name="comment"' in asked.content.decode()

    client.post(url, {"action": "reopen_reports", ACTION_CHECKBOX_NAME: [draft.pk], "apply": "1", "comment": "重复"})

    draft.refresh_from_db()
    assert (draft.status, draft.reopened, draft.review_comment) == (Status.RETURNED, True, "重复")
    assert not tree.town.taobao_town_years.filter(year=YEAR, figures="township_report").exists()


def test_the_admin_refuses_to_reopen_a_report_that_is_not_approved(draft, official, staff_reviewer, client_for):
    township_report_submit(report=draft, by=official)
    response = client_for(staff_reviewer).post(
        reverse("admin:villages_townshipreport_changelist"),
        {"action": "reopen_reports", ACTION_CHECKBOX_NAME: [draft.pk], "apply": "1", "comment": "重复"},
        follow=True,
    )
    assert response.status_code == 200
    assert TownshipReport.objects.get().status == Status.SUBMITTED
    assert any(message.level_tag == "error" for message in response.context["messages"])


def test_only_reviewers_get_the_review_actions_on_township_reports(official, staff_reviewer, client_for):
    official.is_staff = True
    official.save()

    def actions(user):
        page = client_for(user).get(reverse("admin:villages_townshipreport_changelist"))
        assert page.status_code == 200
        form = page.context["action_form"]
        return {choice for choice, _label in form.fields["action"].choices} if form else set()

    review_actions = {"approve_reports", "return_reports", "reopen_reports"}
    assert review_actions <= actions(staff_reviewer)
    assert not review_actions & actions(official)


def test_the_admin_page_of_a_township_report_shows_its_timeline(draft, official, staff_reviewer, client_for):
    township_report_submit(report=draft, by=official)
    township_report_return(report=draft, by=staff_reviewer, comment="缺少网店名单")
    page = client_for(staff_reviewer).get(reverse("admin:villages_townshipreport_change", args=[draft.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and 'id="review_events-group"' in html
    assert "缺少网店名单" in html.split('id="review_events-group"')[1]
