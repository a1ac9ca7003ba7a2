"""The reviewer in Chromium: ticks reports in the review queue, confirms the bulk approval, reads the result."""

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from tests.factories import AnnualReportFactory, DivisionTreeFactory, UserFactory, VillageFactory
from villages.models import REVIEWERS, AnnualReport, Assessment, JurisdictionAssignment

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PASSWORD = "secret-pass-123"
LANGUAGES = {"zh": "zh-CN", "en": "en-US"}


@pytest.fixture
def queue():
    tree = DivisionTreeFactory.build_tree()
    reviewer = UserFactory(username="shandong")
    reviewer.groups.add(Group.objects.get(name=REVIEWERS))
    JurisdictionAssignment.objects.create(user=reviewer, division=tree.province)
    now = timezone.now()
    return [
        AnnualReportFactory(
            village=VillageFactory(township=tree.town, name=name),
            status=AnnualReport.Status.SUBMITTED,
            submitted_at=now - timezone.timedelta(hours=hours),
        )
        for hours, name in ((3, "丁楼村"), (2, "张庄村"), (1, "孙庄村"))
    ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_reviewer_bulk_approves_two_reports_from_the_queue(live_server, browser, queue, screenshot, language):
    context = browser.new_context(locale=LANGUAGES[language], viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "shandong")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/review/")
    first, second, third = queue
    page.check(f"input[name=report][value='{first.pk}']")
    page.check(f"input[name=report][value='{third.pk}']")
    page.click("#bulk-review button[value=approve]")
    page.wait_for_url(f"{live_server.url}/review/bulk/confirm/")

    listed = page.locator("#bulk-review-reports tbody tr")
    assert listed.count() == 2
    assert "丁楼村" in listed.nth(0).inner_text() and "孙庄村" in listed.nth(1).inner_text()
    # Each report of the factory has no registered shops: its warning is listed beside it.
    assert listed.nth(0).locator("ul.warnings li").count() >= 1
    screenshot(page, f"bulk-review-confirm-{language}")
    page.check("#id_confirmed")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/review/bulk/result/")

    summary = page.locator("#bulk-review-summary").inner_text()
    assert ("2 approved, 0 refused." in summary) or ("已批准 2 份，被拒绝 0 份。" in summary)
    assert page.locator("#bulk-review-succeeded tbody tr").count() == 2
    screenshot(page, f"bulk-review-result-{language}")
    statuses = dict(AnnualReport.objects.values_list("pk", "status"))
    assert (statuses[first.pk], statuses[second.pk], statuses[third.pk]) == ("approved", "submitted", "approved")
    assert set(Assessment.objects.values_list("report_id", flat=True)) == {first.pk, third.pk}

    page.reload()
    assert page.locator("#bulk-review-nothing").is_visible()
    context.close()
