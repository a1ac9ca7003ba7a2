"""Steps that are hard to undo ask first; a reopening leaves its trace; a taken code names its holder (issue 19, 8).

The web pages confirm without JavaScript: a confirmation page for submitting, a box to tick for approving
despite warnings and for reopening. The API keeps its one-step calls.
"""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tests.factories import AnnualReportFactory, OnlineShopFactory, ShopYearFactory, VillageFactory
from villages.models import AnnualReport, Village
from villages.selectors.review import report_warnings
from villages.services.reports import report_approve, report_reopen, report_submit

Status = AnnualReport.Status


@pytest.fixture
def api_client_for():
    def authenticate(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return authenticate


@pytest.fixture
def village(tree):
    return VillageFactory(township=tree.town, code="371721121227", name="丁楼村", households=800)


@pytest.fixture
def draft(village):
    return AnnualReportFactory(village=village, year=2023)


def test_submitting_from_the_report_page_shows_a_confirmation_first(client_for, official, draft):
    client = client_for(official)
    url = reverse("villages:report_submit", args=[draft.pk])
    page = client.post(url, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and 'id="confirm-submit"' in page.content.decode()
    assert 'name="confirmed" value="yes"' in page.content.decode()
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
    assert client.get(url).status_code == 200
    assert client.post(url, {"confirmed": "yes"}).status_code == 302
    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED


def test_the_submit_confirmation_speaks_chinese(client_for, official, draft):
    page = client_for(official).get(reverse("villages:report_submit", args=[draft.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    text = page.content.decode()
    assert "提交审核" in text and "Submit the" not in text


def test_a_report_that_cannot_be_submitted_offers_no_confirmation(client_for, official, reviewer, draft):
    AnnualReport.objects.filter(pk=draft.pk).update(status=Status.SUBMITTED)
    response = client_for(official).get(reverse("villages:report_submit", args=[draft.pk]))
    assert response.status_code == 302
    assert client_for(reviewer).get(reverse("villages:report_submit", args=[draft.pk])).status_code == 302


def test_approving_despite_warnings_needs_the_box_ticked(client_for, official, reviewer, draft):
    report_submit(report=draft, by=official)
    assert report_warnings(draft)
    client = client_for(reviewer)
    url = reverse("villages:report_review", args=[draft.pk])
    page = client.get(reverse("villages:report_detail", args=[draft.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'name="confirm_warnings"' in page
    refused = client.post(url, {"action": "approve"}, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 400
    assert "Tick this box to approve despite the warnings" in refused.content.decode()
    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED
    assert client.post(url, {"action": "approve", "confirm_warnings": "on"}).status_code == 302
    draft.refresh_from_db()
    assert draft.status == Status.APPROVED


def test_a_report_without_warnings_is_approved_without_a_box(client_for, official, reviewer, village):
    shop = OnlineShopFactory(village=village)
    ShopYearFactory(shop=shop, year=2023, days_open=365, orders_last_3_months=100)
    report = AnnualReportFactory(village=village, year=2023, active_shops=1, status=Status.SUBMITTED)
    assert report_warnings(report) == []
    client = client_for(reviewer)
    page = client.get(reverse("villages:report_detail", args=[report.pk])).content.decode()
    assert 'name="confirm_warnings"' not in page
    client.post(reverse("villages:report_review", args=[report.pk]), {"action": "approve"})
    report.refresh_from_db()
    assert report.status == Status.APPROVED


def test_returning_needs_no_box_even_with_warnings(client_for, official, reviewer, draft):
    report_submit(report=draft, by=official)
    client_for(reviewer).post(reverse("villages:report_review", args=[draft.pk]),
                              {"action": "return", "comment": "请核对"})
    draft.refresh_from_db()
    assert draft.status == Status.RETURNED


def test_reopening_needs_the_box_ticked(client_for, official, reviewer, draft):
    report_submit(report=draft, by=official)
    report_approve(report=draft, by=reviewer)
    client = client_for(reviewer)
    url = reverse("villages:report_review", args=[draft.pk])
    refused = client.post(url, {"action": "reopen", "reopen-comment": "重复网店"}, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 400 and "Tick this box to confirm the reopening." in refused.content.decode()
    draft.refresh_from_db()
    assert draft.status == Status.APPROVED
    client.post(url, {"action": "reopen", "reopen-comment": "重复网店", "reopen-confirm": "on"})
    draft.refresh_from_db()
    assert draft.status == Status.RETURNED


def test_the_api_steps_stay_one_call(api_client_for, official, reviewer, draft):
    assert api_client_for(official).post(f"/api/v1/reports/{draft.pk}/submit/").status_code == 200
    assert api_client_for(reviewer).post(f"/api/v1/reports/{draft.pk}/approve/", {}, format="json").status_code == 200
    reopened = api_client_for(reviewer).post(f"/api/v1/reports/{draft.pk}/reopen/", {"comment": "x"}, format="json")
    assert reopened.status_code == 200


@pytest.mark.parametrize(("language", "said"), [("en", "Reason"), ("zh-hans", "理由")])
def test_after_a_reopen_the_village_page_keeps_the_trace_of_the_withdrawn_approval(
    client_for, official, reviewer, draft, village, language, said
):
    report_submit(report=draft, by=official)
    report_approve(report=draft, by=reviewer)
    report_reopen(report=draft, by=reviewer, comment="发现重复网店")
    page = client_for(official).get(reverse("villages:village_detail", args=[village.code]),
                                    HTTP_ACCEPT_LANGUAGE=language).content.decode()
    trace = page.split('id="withdrawn-approvals"', 1)[1].split("</div>", 1)[0]
    assert "发现重复网店" in trace and reviewer.get_username() in trace and "2023" in trace
    assert said in trace
    assert reverse("villages:report_detail", args=[draft.pk]) in trace


def test_the_trace_is_not_shown_to_whom_the_report_is_hidden(client_for, official, reviewer, other_official, draft,
                                                               village):
    report_submit(report=draft, by=official)
    report_approve(report=draft, by=reviewer)
    report_reopen(report=draft, by=reviewer, comment="发现重复网店")
    response = client_for(other_official).get(reverse("villages:village_detail", args=[village.code]))
    assert response.status_code == 404 or "发现重复网店" not in response.content.decode()


@pytest.mark.parametrize(("language", "words"), [
    ("en", "Village code 371721121227 is already registered, to 丁楼村 in 大集镇."),
    ("zh-hans", "村代码 371721121227 已登记为大集镇的丁楼村"),
])
def test_a_taken_code_names_the_village_that_holds_it_on_the_form(client_for, official, tree, village, language,
                                                                  words):
    response = client_for(official).post(
        reverse("villages:village_create"),
        {"township": tree.town.code, "code": "371721121227", "name": "新村", "households": "10"},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 200
    assert words in " ".join(response.context["form"].errors["code"])
    assert Village.objects.filter(code="371721121227").count() == 1


@pytest.mark.parametrize(("language", "words"), [
    ("en", "Village code 371721121227 is already registered, to 丁楼村 in 大集镇."),
    ("zh-hans", "村代码 371721121227 已登记为大集镇的丁楼村"),
])
def test_a_taken_code_names_the_village_that_holds_it_in_the_api(api_client_for, official, village, language, words):
    response = api_client_for(official).post("/api/v1/villages/", {"code": "371721121227", "name": "新村"},
                                             format="json", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 400
    assert any(words in message for message in response.json()["code"])
