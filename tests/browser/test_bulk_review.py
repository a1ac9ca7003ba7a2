"""The reviewer in Chromium: ticks reports in the review queue, confirms the bulk approval, reads the result."""

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from tests.browser.test_accessibility import axe_script, violations  # noqa: F401 (the fixture, reused)
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


def log_in(page, base):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "shandong")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/")


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_reviewer_bulk_approves_two_reports_from_the_queue(live_server, browser, queue, screenshot, language):
    context = browser.new_context(locale=LANGUAGES[language], viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in(page, live_server.url)

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


def test_the_queue_confirmation_and_result_pages_have_no_serious_accessibility_violation(
    live_server, browser, queue, axe_script  # noqa: F811
):
    # The site's Content-Security-Policy rightly refuses the injected script; the test context bypasses it.
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/review/")
    problems = {"queue": violations(page, axe_script)}
    page.check(f"input[name=report][value='{queue[0].pk}']")
    page.fill("#bulk-review-comment", "请补充网店名单")
    page.click("#bulk-review button[value=return]")
    page.wait_for_url(f"{live_server.url}/review/bulk/confirm/")
    problems["confirmation"] = violations(page, axe_script)
    page.check("#id_confirmed")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/review/bulk/result/")
    assert "1 returned to their counties, 0 refused." in page.locator("#bulk-review-summary").inner_text()
    problems["result"] = violations(page, axe_script)
    context.close()
    assert problems == {"queue": [], "confirmation": [], "result": []}
