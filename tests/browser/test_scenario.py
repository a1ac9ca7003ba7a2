"""The whole county-to-dashboard story in a real browser: register, report, return, resubmit, approve, publish."""

import datetime
import re

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


def log_in(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/")


def log_out(page):
    page.click("header form button")


def test_village_goes_from_registration_to_the_public_dashboard(live_server, browser, registry, screenshot):
    base = live_server.url
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)

    log_in(page, base, "caoxian")
    screenshot(page, "01-home-official")

    page.goto(f"{base}/villages/new/")
    page.select_option("#picker-province", "370000")
    page.wait_for_selector("#picker-county option[value='371721']", state="attached")
    page.select_option("#picker-county", "371721")
    page.wait_for_selector("#picker-township option[value='371721121']", state="attached")
    page.select_option("#picker-township", "371721121")
    assert page.input_value("#id_township") == "371721121"
    assert page.input_value("#id_code") == "371721121"
    page.fill("#id_code", VILLAGE_CODE)
    page.fill("#id_name", "新丁楼村")
    page.fill("#id_households", "800")
    screenshot(page, "02-village-form")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/villages/{VILLAGE_CODE}/")

    page.click("text=Add an online shop")
    page.select_option("#id_platform", "taobao")
    page.fill("#id_platform_shop_id", "tb-0001")
    page.fill("#id_name", "丁楼演出服")
    page.click("main form button[type=submit]")
    page.fill("#id_year", "2023")
    page.fill("#id_sales", "300000")
    page.fill("#id_orders_last_3_months", "40")
    page.fill("#id_days_open", "365")
    page.click("main form button:has-text('Save')")
    page.wait_for_url(f"{base}/villages/{VILLAGE_CODE}/")

    page.click("text=New annual report")
    page.fill("#id_year", "2023")
    page.fill("#id_ecommerce_sales", "9000000")
    page.fill("#id_active_shops", "120")
    page.fill("#id_households", "800")
    screenshot(page, "03-report-form")
    page.click("button[name=submit]")
    page.wait_for_selector("#confirm-submit")
    page.click("#confirm-submit button[type=submit]")
    page.wait_for_selector("text=submitted for review")
    report_url = page.url
    log_out(page)

    log_in(page, base, "heze_reviewer")
    page.goto(f"{base}/review/")
    screenshot(page, "04-review-queue")
    page.click("main table a.button")
    page.fill("#id_comment", "Sales look low: please check the Tmall shops.")
    screenshot(page, "05-review-page")
    page.click("button[value=return]")
    page.wait_for_selector("text=Report returned to the county")
    log_out(page)

    log_in(page, base, "caoxian")
    assert "Sales look low" in page.content()
    page.goto(report_url)
    page.click("text=Edit report")
    page.fill("#id_ecommerce_sales", "12000000")
    page.click("button[name=submit]")
    page.click("#confirm-submit button[type=submit]")
    page.wait_for_selector("text=submitted for review")
    log_out(page)

    log_in(page, base, "heze_reviewer")
    page.goto(report_url)
    # One registered shop against 120 declared active shops: a warning, so approving takes the tick.
    page.check("#id_confirm_warnings")
    page.click("button[value=approve]")
    page.wait_for_selector("text=Report approved")
    screenshot(page, "06-report-approved-timeline")
    log_out(page)

    page.goto(f"{base}/villages/{VILLAGE_CODE}/")
    assert page.is_visible("#assessment-2023 >> text=certified Taobao village")
    assert page.is_visible("text=Meets every criterion of this year.")
    screenshot(page, "07-village-certified")

    page.goto(f"{base}/dashboard/")
    row = page.locator("#yearly-towns details tbody tr", has_text=re.compile(r"^\s*2023"))
    assert row.locator("td").nth(1).text_content().strip() == "1"
    assert page.is_visible("#certified-villages >> text=新丁楼村")
    screenshot(page, "08-dashboard-en")

    page.select_option("#language-select", "zh-hans")
    page.wait_for_selector("text=中国的淘宝村")
    assert page.is_visible("text=历年淘宝村数量")
    screenshot(page, "09-dashboard-zh")
    page.goto(f"{base}/villages/{VILLAGE_CODE}/")
    assert page.is_visible("#assessment-2023 >> text=已认定为淘宝村")
    assert "1,200 万元" in page.content()
    screenshot(page, "10-village-zh")

    page.goto(f"{base}/map/")
    page.wait_for_selector(".leaflet-container")
    screenshot(page, "11-map")
    context.close()
