"""The whole county-to-dashboard story in a real browser: register, report, return, resubmit, approve, publish."""

import datetime
import re
from dataclasses import dataclass, field

import pytest
from django.contrib.auth.models import Group

from tests.factories import DivisionTreeFactory, UserFactory
from villages.models import COUNTY_OFFICIALS, REVIEWERS, JurisdictionAssignment, ReportingWindow

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PASSWORD = "secret-pass-123"
VILLAGE_CODE = "371721121231"


def make_user(username, role, division):
    user = UserFactory(username=username)
    user.groups.add(Group.objects.get(name=role))
    JurisdictionAssignment.objects.create(user=user, division=division)
    return user


@pytest.fixture
def registry():
    tree = DivisionTreeFactory.build_tree()
    make_user("caoxian", COUNTY_OFFICIALS, tree.county)
    make_user("heze_reviewer", REVIEWERS, tree.province)
    today = datetime.date.today()
    ReportingWindow.objects.create(
        year=2023, opens_on=today - datetime.timedelta(days=10), closes_on=today + datetime.timedelta(days=10)
    )
    return tree


# Runs before any page script: every Content-Security-Policy violation of a page is kept for the test to read.
RECORD_CSP_VIOLATIONS = """
window.registryCspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.registryCspViolations.push(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline code"} at ${event.sourceFile}:${event.lineNumber}`
  );
});
"""


@dataclass
class Scenario:
    """Who plays the story, on which site, with which new village and year (the stack's demo data, or a test's)."""

    base: str
    official: str
    reviewer: str
    password: str
    village_code: str
    village_name: str
    year: int
    shop_id: str = "tb-0001"
    csp_violations: list = field(default_factory=list)
    console: list = field(default_factory=list)


def log_in(page, base, username, password=PASSWORD):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/")


def log_out(page):
    page.click("header form button")


def certified_in_year(page, year: int) -> int:
    """The dashboard's number of Taobao villages of `year` (0 when the year has no row yet)."""
    row = page.locator("#registry-villages-table tbody tr", has_text=re.compile(rf"^\s*{year}"))
    return int(row.locator("td").nth(0).text_content().strip()) if row.count() else 0


def county_to_dashboard(browser, story: Scenario, screenshot, **context_options) -> None:
    """The county-to-dashboard story in Chromium, in English then Chinese; CSP violations land in `story`."""
    base, code, year = story.base, story.village_code, story.year
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900}, **context_options)
    context.add_init_script(RECORD_CSP_VIOLATIONS)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.on("console", lambda message: story.console.append(f"{message.type}: {message.text}"))

    def record_violations():
        story.csp_violations.extend(f"{page.url}: {found}" for found in page.evaluate(
            "window.registryCspViolations || []"
        ))

    page.goto(f"{base}/dashboard/")
    certified_before = certified_in_year(page, year)

    log_in(page, base, story.official, story.password)
    screenshot(page, "01-home-official")

    page.goto(f"{base}/villages/new/")
    # A one-county official's picker starts at the county's townships; the township's 9 digits are a fixed
    # prefix beside the code box, which stays for the clerk to type in.
    assert page.input_value("#picker-county") == "371721"
    page.select_option("#picker-township", "371721121")
    assert page.input_value("#id_township") == "371721121"
    assert page.input_value("#id_code") == ""
    page.fill("#id_code", code[9:])
    page.fill("#id_name", story.village_name)
    page.fill("#id_households", "800")
    screenshot(page, "02-village-form")
    record_violations()
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/villages/{code}/")

    page.click("text=Add an online shop")
    page.select_option("#id_platform", "taobao")
    page.fill("#id_platform_shop_id", story.shop_id)
    page.fill("#id_name", "丁楼演出服")
    page.click("main form button[type=submit]")
    page.fill("#id_year", str(year))
    page.fill("#id_sales", "300000")
    page.fill("#id_orders_last_3_months", "40")
    page.fill("#id_days_open", "365")
    record_violations()
    page.click("main form button:has-text('Save')")
    page.wait_for_url(f"{base}/villages/{code}/")

    page.click("text=New annual report")
    page.fill("#id_year", str(year))
    page.fill("#id_ecommerce_sales", "9000000")
    page.fill("#id_active_shops", "120")
    page.fill("#id_households", "800")
    screenshot(page, "03-report-form")
    record_violations()
    page.click("button[name=submit]")
    page.wait_for_selector("#confirm-submit")
    # 120 active shops declared, one registered: the county confirms the difference before it submits.
    page.check("#id_acknowledge_warnings")
    page.click("#confirm-submit button[type=submit]")
    page.wait_for_selector("text=submitted for review")
    report_url = page.url
    record_violations()
    log_out(page)

    log_in(page, base, story.reviewer, story.password)
    page.goto(f"{base}/review/")
    screenshot(page, "04-review-queue")
    record_violations()
    in_queue = page.locator("main table tr", has_text=story.village_name).locator("a.button")
    if in_queue.count():
        in_queue.first.click()
    else:
        # A queue with many waiting reports (the stack's demo data) may show this one on a later page.
        page.goto(report_url)
    page.fill("#id_comment", "Sales look low: please check the Tmall shops.")
    screenshot(page, "05-review-page")
    record_violations()
    page.click("button[value=return]")
    page.wait_for_selector("text=Report returned to the county")
    log_out(page)

    log_in(page, base, story.official, story.password)
    assert "Sales look low" in page.content()
    page.goto(report_url)
    page.click("text=Edit report")
    page.fill("#id_ecommerce_sales", "12000000")
    record_violations()
    page.click("button[name=submit]")
    page.check("#confirm-submit #id_acknowledge_warnings")
    page.click("#confirm-submit button[type=submit]")
    page.wait_for_selector("text=submitted for review")
    log_out(page)

    log_in(page, base, story.reviewer, story.password)
    page.goto(report_url)
    # One registered shop against 120 declared active shops: a warning, so approving takes the tick.
    page.check("#id_confirm_warnings")
    page.click("button[value=approve]")
    page.wait_for_selector("text=Report approved")
    screenshot(page, "06-report-approved-timeline")
    record_violations()
    log_out(page)

    page.goto(f"{base}/villages/{code}/")
    assert page.is_visible(f"#assessment-{year} >> text=certified Taobao village")
    assert page.is_visible("text=Meets every criterion of this year.")
    screenshot(page, "07-village-certified")
    record_violations()

    page.goto(f"{base}/dashboard/")
    assert certified_in_year(page, year) == certified_before + 1
    assert page.is_visible(f"#certified-villages >> text={story.village_name}")
    screenshot(page, "08-dashboard-en")
    record_violations()

    page.select_option("#language-select", "zh-hans")
    page.wait_for_selector("text=中国的淘宝村")
    assert page.is_visible("text=历年淘宝村数量")
    screenshot(page, "09-dashboard-zh")
    record_violations()
    page.goto(f"{base}/villages/{code}/")
    assert page.is_visible(f"#assessment-{year} >> text=已认定为淘宝村")
    assert "1,200 万元" in page.content()
    screenshot(page, "10-village-zh")
    record_violations()

    page.goto(f"{base}/map/")
    page.wait_for_selector(".leaflet-container")
    screenshot(page, "11-map")
    record_violations()
    context.close()


def test_village_goes_from_registration_to_the_public_dashboard(live_server, browser, registry, screenshot):
    story = Scenario(
        base=live_server.url, official="caoxian", reviewer="heze_reviewer", password=PASSWORD,
        village_code=VILLAGE_CODE, village_name="新丁楼村", year=2023,
    )
    county_to_dashboard(browser, story, screenshot)
    assert story.csp_violations == [], story.console
