"""The inbox in Chromium: a county's comment shows in the reviewer's header count, the inbox leads to the report,
and "mark all read" clears the count."""

import pytest

from tests.conftest import make_user
from tests.factories import AnnualReportFactory, DivisionTreeFactory, VillageFactory
from villages.models import COUNTY_OFFICIALS, REVIEWERS

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PASSWORD = "secret-pass-123"


@pytest.fixture
def report():
    tree = DivisionTreeFactory.build_tree()
    make_user("caoxian", COUNTY_OFFICIALS, [tree.county])
    make_user("heze_reviewer", REVIEWERS, [tree.province], email="")
    return AnnualReportFactory(village=VillageFactory(township=tree.town, name="丁楼村"))


def logged_in(browser, live_server, username):
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    return page


def test_a_comment_raises_the_reviewers_count_and_the_inbox_leads_to_the_report(
    live_server, browser, report, screenshot
):
    reviewer = logged_in(browser, live_server, "heze_reviewer")
    assert reviewer.locator(".inbox-link [data-unread-count]").count() == 0

    county = logged_in(browser, live_server, "caoxian")
    county.goto(f"{live_server.url}/reports/{report.pk}/")
    county.fill("#id_comment-text", "Platform statement attached")
    county.click("#discussion button[type=submit]")
    county.wait_for_selector("#discussion li:has-text('Platform statement attached')")

    reviewer.reload()
    assert reviewer.inner_text(".inbox-link [data-unread-count]").endswith("1")
    reviewer.click(".inbox-link")
    reviewer.wait_for_selector(".inbox-unread")
    screenshot(reviewer, "inbox_unread")
    reviewer.click(".inbox-unread a:has-text('Platform statement attached')")
    reviewer.wait_for_url(f"{live_server.url}/reports/{report.pk}/")

    reviewer.click(".inbox-link")
    reviewer.click("button:has-text('Mark all read')")
    reviewer.wait_for_selector("text=1 notification marked read.")
    assert reviewer.locator(".inbox-unread").count() == 0
    assert reviewer.locator(".inbox-link [data-unread-count]").count() == 0
