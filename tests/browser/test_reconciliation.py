"""The county in Chromium: the feed's unregistered shops on the report page, one registered from the feed."""

import pytest
from django.contrib.auth.models import Group

from tests.factories import AnnualReportFactory, DivisionTreeFactory, UserFactory, VillageFactory
from tests.feed_factories import FeedBatchFactory, PlatformShopYearFactory
from villages.models import COUNTY_OFFICIALS, JurisdictionAssignment, OnlineShop, ShopYear

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PASSWORD = "secret-pass-123"
LANGUAGES = {"zh": "zh-CN", "en": "en-US"}


@pytest.fixture
def report():
    tree = DivisionTreeFactory.build_tree()
    official = UserFactory(username="caoxian")
    official.groups.add(Group.objects.get(name=COUNTY_OFFICIALS))
    JurisdictionAssignment.objects.create(user=official, division=tree.county)
    village = VillageFactory(township=tree.town, code="371721121227", name="丁楼村")
    batch = FeedBatchFactory()
    PlatformShopYearFactory(
        village=village, batch=batch, platform_shop_id="tb-hanfu-1", shop_name="丁楼汉服", sales=6_000_000
    )
    PlatformShopYearFactory(
        village=village, batch=batch, platform_shop_id="tb-hanfu-2", shop_name="丁楼演出服", sales=5_000_000
    )
    return AnnualReportFactory(village=village, ecommerce_sales=14_000_000, active_shops=2)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_county_sees_the_feeds_unregistered_shops_and_registers_one(
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

    page.goto(f"{live_server.url}/reports/{report.pk}/")
    card = page.locator("#reconciliation")
    # 14,000,000 declared against 11,000,000 from the platform: a warning with both numbers.
    assert card.locator("#reconciliation-warnings").is_visible()
    warning = card.locator("#reconciliation-warnings").inner_text()
    assert ("1,400" in warning and "1,100" in warning) or ("14,000,000" in warning and "11,000,000" in warning)
    rows = card.locator("#unregistered-shops tbody tr")
    assert rows.count() == 2
    assert "丁楼汉服" in rows.nth(0).inner_text() and "丁楼演出服" in rows.nth(1).inner_text()

    screenshot(page, f"reconciliation-{language}")
    rows.nth(0).locator("button[type=submit]").click()
    page.wait_for_load_state()

    assert page.url.rstrip("/").endswith(f"/reports/{report.pk}")
    assert page.locator(".messages .message-success").is_visible()
    remaining = page.locator("#unregistered-shops tbody tr")
    assert remaining.count() == 1 and "丁楼演出服" in remaining.inner_text()
    shop = OnlineShop.objects.get()
    assert (shop.platform_shop_id, shop.name, shop.village_id) == ("tb-hanfu-1", "丁楼汉服", report.village_id)
    assert ShopYear.objects.get(shop=shop).sales == 6_000_000
    context.close()
