"""A season followed in Chromium: a provincial reviewer drills down to a county; its official tracks a village."""

import pytest

from tests.browser.test_accessibility import axe_script  # noqa: F401 - the fixture, shared
from tests.completeness_data import YEAR, build_season
from tests.factories import DivisionTreeFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PASSWORD = "secret-pass-123"


@pytest.fixture
def season():
    return build_season(DivisionTreeFactory.build_tree())


def logged_in(browser, live_server, username):
    page = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900}).new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    return page


def test_a_reviewer_drills_down_from_the_province_to_a_countys_villages(live_server, browser, season, screenshot):
    page = logged_in(browser, live_server, "henan_reviewer")
    page.click("nav.main-nav >> text=Reporting completeness")
    page.fill("#completeness-year", str(YEAR))
    page.click("main form.filters button[type=submit]")
    page.click("table >> text=河南省")
    assert page.locator("h1").inner_text().endswith("河南省")
    page.click("table >> text=郑州市")
    page.click("table >> text=中原区")
    rows = page.locator("table").first.locator("tbody tr")
    assert rows.count() == 5
    assert "missing" in page.locator("tr", has_text="一村").first.inner_text()
    missing = page.locator("h2:has-text('Missing reports') + p + .table-wrap tbody tr")
    assert [missing.nth(index).locator("td").first.inner_text() for index in range(missing.count())] == [
        "一村", "八村", "五村"]
    page.click("nav.breadcrumbs >> text=郑州市")
    assert page.locator("h1").inner_text().endswith("郑州市")
    screenshot(page, "completeness-prefecture")


def test_a_county_official_marks_a_village_as_tracked(live_server, browser, season):
    page = logged_in(browser, live_server, "official_a")
    page.goto(f"{live_server.url}/completeness/?year={YEAR}&county=410102")
    page.fill("#track-village", season.villages["v6"].code)
    page.click("text=Mark as tracked")
    assert page.locator(".message-success").inner_text() == f"六村 is now expected to report for {YEAR}."
    assert page.locator("table").first.locator("tbody tr").count() == 6
    page.locator("tr", has_text="六村").locator("button", has_text="Unmark").click()
    assert "no longer tracked" in page.locator(".message-success").inner_text()


@pytest.mark.parametrize("language, locale", [("zh-hans", "zh-CN"), ("en", "en-US")])
def test_the_completeness_pages_have_no_serious_accessibility_violation(
        live_server, browser, season, axe_script, language, locale):  # noqa: F811 - the shared fixture
    from tests.browser.test_accessibility import violations

    problems = {}
    for username, paths in (
        ("henan_reviewer", [f"/completeness/?year={YEAR}", f"/completeness/?year={YEAR}&province=410000",
                            f"/completeness/?year={YEAR}&county=410102"]),
        ("official_a", [f"/completeness/?year={YEAR}&county=410102", "/completeness/?year=abc"]),
    ):
        context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 900}, bypass_csp=True)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        for path in paths:
            page.goto(f"{live_server.url}{path}")
            page.wait_for_load_state("networkidle")
            found = violations(page, axe_script)
            if found:
                problems[f"{username} {path}"] = found
        context.close()
    assert problems == {}
