"""The county in Chromium: before submitting, the expected result and the registered-shops warning, which must
be acknowledged on the confirmation before the report goes to the reviewers."""

import datetime

import pytest
from django.contrib.auth.models import Group

from tests.factories import (
    AnnualReportFactory,
    DivisionTreeFactory,
    OnlineShopFactory,
    ShopYearFactory,
    UserFactory,
    VillageFactory,
)
from villages.models import COUNTY_OFFICIALS, AnnualReport, JurisdictionAssignment, ReportingWindow

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PASSWORD = "secret-pass-123"
LANGUAGES = {"zh": "zh-CN", "en": "en-US"}


@pytest.fixture
def report():
    tree = DivisionTreeFactory.build_tree()
    official = UserFactory(username="caoxian")
    official.groups.add(Group.objects.get(name=COUNTY_OFFICIALS))
    JurisdictionAssignment.objects.create(user=official, division=tree.county)
    today = datetime.date.today()
    ReportingWindow.objects.create(
        year=2023, opens_on=today - datetime.timedelta(days=30), closes_on=today + datetime.timedelta(days=30)
    )
    village = VillageFactory(township=tree.town, code="371721121227", name="丁楼村", households=1200)
    for _ in range(95):
        ShopYearFactory(shop=OnlineShopFactory(village=village), year=2023, sales=100_000)
    return AnnualReportFactory(village=village, ecommerce_sales=8_200_000, active_shops=120, households=1200)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_county_sees_the_expected_result_and_acknowledges_the_warning(
    live_server, browser, report, screenshot, language
):
    context = browser.new_context(locale=LANGUAGES[language], viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "caoxian")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/reports/{report.pk}/edit/")
    assert "95" in page.locator("#registered-figures").inner_text()
    expected = page.locator("#expected-result")
    assert expected.locator(".badge-fail").is_visible()
    sales = expected.locator("[data-criterion=sales]").inner_text()
    assert ("1,800,000" in sales and "10,000,000" in sales) or ("180 万元" in sales and "1,000 万元" in sales)
    assert page.locator("#presubmit-warnings [data-warning=registered_shops_differ]").is_visible()
    screenshot(page, f"presubmit-form-{language}")

    page.locator("button[name=submit]").click()
    page.wait_for_url(f"{live_server.url}/reports/{report.pk}/submit/")
    assert page.locator("#presubmit-warnings [data-warning=registered_shops_differ]").is_visible()
    assert page.locator("#expected-result .badge-fail").is_visible()
    page.locator("#confirm-submit button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#id_acknowledge_warnings-errors").is_visible()
    report.refresh_from_db()
    assert report.status == AnnualReport.Status.DRAFT

    page.check("#id_acknowledge_warnings")
    page.locator("#confirm-submit button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/reports/{report.pk}/")
    assert page.locator(".messages .message-success").is_visible()
    report.refresh_from_db()
    assert report.status == AnnualReport.Status.SUBMITTED
    screenshot(page, f"presubmit-submitted-{language}")
    context.close()
