"""A county clerk's day in Chromium, in Chinese and English, at 1280 px and 375 px: the code typed is the code
saved, every error at once, the picker keeping its choice, amounts with separators, actions on screen."""

import datetime
import re

import pytest
from django.contrib.auth.models import Group

from tests.factories import AnnualReportFactory, DivisionTreeFactory, OnlineShopFactory, ShopYearFactory, UserFactory
from villages.models import COUNTY_OFFICIALS, REVIEWERS, AnnualReport, JurisdictionAssignment, ReportingWindow, Village

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PASSWORD = "secret-pass-123"
LANGUAGES = {"zh": "zh-CN", "en": "en-US"}
WIDTHS = (1280, 375)
SETTINGS = [(language, width) for language in LANGUAGES for width in WIDTHS]


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


def open_page(browser, live_server, username, language, width):
    context = browser.new_context(locale=LANGUAGES[language], viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    return page


def within_viewport(page, selector):
    box = page.locator(selector).first.bounding_box()
    width = page.viewport_size["width"]
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width


@pytest.mark.parametrize(("language", "width"), SETTINGS)
def test_the_code_typed_is_the_code_saved_and_every_error_shows_at_once(
    live_server, browser, registry, screenshot, language, width
):
    page = open_page(browser, live_server, "caoxian", language, width)
    page.goto(f"{live_server.url}/villages/new/")

    # The picker starts from the official's own county, not from 33 provinces.
    assert page.locator("#picker-province option[value]:not([value=''])").count() == 1
    assert page.input_value("#picker-county") == "371721"
    page.select_option("#picker-township", "371721121")
    assert page.inner_text("[data-code-prefix]") == "371721121"
    page.wait_for_selector(".code-options p")
    assert page.evaluate("document.activeElement.id") == "id_code"

    # The trap: the full code typed key by key after picking the township.
    page.keyboard.type("371721121288")
    assert page.input_value("#id_code") == "371721121288"
    page.fill("#id_name", "新丁楼村")
    page.fill("#id_population", "-5")
    page.fill("#id_latitude", "95")
    page.fill("#id_longitude", "200")
    page.click("main form button[type=submit]")

    summary = page.locator("[data-error-summary]")
    assert summary.is_visible()
    assert {page.locator("[data-error-summary] a").nth(i).get_attribute("href") for i in range(3)} == {
        "#id_population",
        "#id_latitude",
        "#id_longitude",
    }
    for field in ("population", "latitude", "longitude"):
        assert page.locator(f"#id_{field}-errors").is_visible()
    # The choice survives the error: the picker, the township and the code as typed.
    assert page.input_value("#picker-township") == "371721121"
    assert page.input_value("#id_township") == "371721121"
    assert page.input_value("#id_code") == "371721121288"
    screenshot(page, f"clerk-all-errors-{language}-{width}")
    page.click("[data-error-summary] a[href='#id_latitude']")
    assert page.evaluate("document.activeElement.id") == "id_latitude"

    page.fill("#id_population", "3000")
    page.fill("#id_latitude", "34.8")
    page.fill("#id_longitude", "115.5")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/villages/371721121288/(#.*)?$"))
    assert Village.objects.filter(code="371721121288").exists()

    # A whole code of another township is refused with the reason, never recombined.
    page.goto(f"{live_server.url}/villages/new/")
    page.select_option("#picker-township", "371721121")
    page.fill("#id_code", "371721001299")
    page.fill("#id_name", "错码村")
    page.click("main form button[type=submit]")
    assert "371721121" in page.inner_text("#id_code-errors")
    assert not Village.objects.filter(name="错码村").exists()


@pytest.mark.parametrize(("language", "width"), SETTINGS)
def test_amounts_typed_with_separators_show_their_wan_and_are_saved(
    live_server, browser, registry, screenshot, language, width
):
    village = Village.objects.create(code="371721121227", name="丁楼村", township=registry.town, households=800)
    page = open_page(browser, live_server, "caoxian", language, width)
    page.goto(f"{live_server.url}/villages/{village.code}/reports/new/")

    page.fill("#id_year", "2023")
    page.locator("#id_ecommerce_sales").press_sequentially("1,200,000")
    hint = page.inner_text("#id_ecommerce_sales-money-hint")
    assert ("120 万元" in hint) if language == "zh" else ("RMB 1,200,000" in hint)
    page.fill("#id_ecommerce_sales", "１２０００００")
    assert "120" in page.inner_text("#id_ecommerce_sales-money-hint")
    page.fill("#id_active_shops", "120")
    page.fill("#id_households", "800")
    screenshot(page, f"clerk-money-{language}-{width}")
    page.click("button[name=save]")
    page.wait_for_url(re.compile(r"/reports/[0-9]+/$"))
    assert AnnualReport.objects.get(village=village).ecommerce_sales == 1_200_000


@pytest.mark.parametrize(("language", "width"), SETTINGS)
def test_the_review_action_and_the_shop_columns_stay_readable(
    live_server, browser, registry, screenshot, language, width
):
    village = Village.objects.create(code="371721121227", name="丁楼村", township=registry.town, households=800)
    AnnualReportFactory(village=village, status=AnnualReport.Status.SUBMITTED)
    ShopYearFactory(shop=OnlineShopFactory(village=village, name="丁楼演出服旗舰店"), sales=200)
    page = open_page(browser, live_server, "heze_reviewer", language, width)

    page.goto(f"{live_server.url}/review/")
    assert within_viewport(page, "main table a.button")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"review-queue-{language}-{width}")

    page.goto(f"{live_server.url}/villages/{village.code}/")
    shop_cell = page.locator("main td", has_text="丁楼演出服旗舰店").first
    # Not a character per line: the shop's name keeps its line.
    assert shop_cell.bounding_box()["height"] < 80
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"village-shops-{language}-{width}")

    page.goto(f"{live_server.url}/dashboard/")
    tick = page.locator(".chart text").first
    assert tick.bounding_box()["height"] >= 9


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_public_village_list_goes_province_prefecture_county(live_server, browser, registry, language):
    context = browser.new_context(locale=LANGUAGES[language], viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/villages/")

    page.select_option("#picker-province", "370000")
    page.wait_for_selector("#picker-prefecture option[value='371700']", state="attached")
    assert page.locator("#picker-county option[value]:not([value=''])").count() == 0
    page.select_option("#picker-prefecture", "371700")
    page.wait_for_selector("#picker-county option[value='371722']", state="attached")
    page.select_option("#picker-county", "371721")
    page.wait_for_selector("#picker-township option[value='371721121']", state="attached")


def test_a_slow_answer_for_an_earlier_choice_never_empties_the_townships_of_a_later_one(live_server, browser, registry):
    """Choosing a prefecture asks for its counties and then for townships under the prefecture itself (a level may
    be skipped); a county chosen before that second answer arrives must keep its townships when it does."""
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    held = []

    def hold_prefecture_townships(route):
        if "level=township" in route.request.url and "parent=371700" in route.request.url:
            held.append(route)
        else:
            route.continue_()

    page.route("**/divisions.json?*", hold_prefecture_townships)
    page.goto(f"{live_server.url}/villages/")
    page.select_option("#picker-province", "370000")
    page.wait_for_selector("#picker-prefecture option[value='371700']", state="attached")
    page.select_option("#picker-prefecture", "371700")
    page.wait_for_selector("#picker-county option[value='371721']", state="attached")
    page.select_option("#picker-county", "371721")
    page.wait_for_selector("#picker-township option[value='371721121']", state="attached")
    assert held, "the prefecture's own townships were asked for (the request this test holds back)"
    for route in held:
        route.continue_()
    page.wait_for_load_state("networkidle")
    assert page.locator("#picker-township option[value='371721121']").count() == 1
    context.close()
