"""Where the reconciliation shows on the web: report page, submit confirmation, review queue, area page, and
"register from the feed"."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import AnnualReportFactory, OnlineShopFactory, VillageFactory
from tests.feed_factories import FeedBatchFactory, PlatformShopYearFactory
from villages.models import AnnualReport, OnlineShop, ShopYear
from villages.services.reports import report_approve, report_submit

Status = AnnualReport.Status


@pytest.fixture
def village(tree):
    return VillageFactory(township=tree.town, households=1000, name="丁楼村")


def feed(village, count=100, *, sales=100_000, year=2023, **figures):
    batch = FeedBatchFactory(year=year)
    return [
        PlatformShopYearFactory(village=village, year=year, sales=sales, batch=batch, **figures) for _ in range(count)
    ]


def register_all(village):
    for fed in village.platform_shop_years.all():
        OnlineShopFactory(village=village, platform=fed.platform, platform_shop_id=fed.platform_shop_id)


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def declared_15_percent_above(village):
    feed(village)  # 10,000,000 from 100 active shops
    register_all(village)
    return AnnualReportFactory(village=village, ecommerce_sales=11_500_000, active_shops=100)


@pytest.fixture
def declared_5_percent_above(village):
    feed(village)
    register_all(village)
    return AnnualReportFactory(village=village, ecommerce_sales=10_500_000, active_shops=100)


SALES_WARNING = "differ from the RMB 10,000,000 in the platforms"


def test_the_county_sees_a_15_percent_gap_on_the_report_page_and_before_submitting(
    declared_15_percent_above, official, client_for
):
    client = client_for(official)
    report = declared_15_percent_above

    detail = page(client, reverse("villages:report_detail", args=[report.pk]))
    confirm = page(client, reverse("villages:report_submit", args=[report.pk]))

    for html in (detail, confirm):
        assert SALES_WARNING in html and "RMB 11,500,000" in html
    assert "+15.0 %" in detail


def test_the_reconciliation_speaks_chinese(declared_15_percent_above, official, client_for):
    client = client_for(official)
    (fed,) = feed(declared_15_percent_above.village, 1, year=2023)
    report = declared_15_percent_above

    detail = client.get(reverse("villages:report_detail", args=[report.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    area = client.get(reverse("villages:reconciliation_list"), HTTP_ACCEPT_LANGUAGE="zh-hans")

    html = detail.content.decode()
    for chinese in ("与平台数据核对", "超出容差", "按平台数据登记", "平台在本村列出但尚未登记的网店", "相差超过 10 %"):
        assert chinese in html
    for english in ("Register from the feed", "beyond the tolerance", "Checked against"):
        assert english not in html
    assert "申报数据与平台数据对照" in area.content.decode() and "differs from" not in area.content.decode()


def test_a_5_percent_gap_is_no_warning_on_the_report_page(declared_5_percent_above, official, client_for):
    html = page(client_for(official), reverse("villages:report_detail", args=[declared_5_percent_above.pk]))

    assert "Checked against the platforms" in html and "within the tolerance" in html
    assert SALES_WARNING not in html and "beyond the tolerance" not in html


def test_the_reviewer_sees_the_gap_among_the_warnings_and_in_the_review_queue(
    declared_15_percent_above, official, reviewer, client_for, tree
):
    other = VillageFactory(township=tree.town)
    feed(other)
    register_all(other)
    within = AnnualReportFactory(village=other, ecommerce_sales=10_500_000, active_shops=100)
    for report in (declared_15_percent_above, within):
        report_submit(report=report, by=official)
    client = client_for(reviewer)

    detail = page(client, reverse("villages:report_detail", args=[declared_15_percent_above.pk]))
    queue = page(client, reverse("villages:review_queue"))

    assert 'name="confirm_warnings"' in detail and SALES_WARNING in detail
    rows = {row.split("</tr>")[0] for row in queue.split("<tr>")[2:]}
    flagged = [row for row in rows if 'data-reconciliation="flagged"' in row]
    matched = [row for row in rows if 'data-reconciliation="within"' in row]
    assert len(flagged) == 1 and declared_15_percent_above.village.code in flagged[0] and "15.0 %" in flagged[0]
    assert len(matched) == 1 and other.code in matched[0]


def test_an_approved_report_says_its_sales_were_declared_and_checked(village, official, reviewer, client_for):
    feed(village, sales=103_000)  # 10,300,000
    report = AnnualReportFactory(village=village, ecommerce_sales=10_609_000, active_shops=100)
    report_submit(report=report, by=official)
    report_approve(report=report, by=reviewer)

    html = page(client_for(official), reverse("villages:report_detail", args=[report.pk]))

    assert "declared, checked against platform data (difference 3.0 %)" in html


# --- the area page ---------------------------------------------------------------------------------------


@pytest.fixture
def two_counties(tree, village):
    feed(village, sales=100_000)
    mine = AnnualReportFactory(village=village, ecommerce_sales=30_000_000, active_shops=100)
    elsewhere = VillageFactory(township=tree.other_town, name="东风村")
    feed(elsewhere, sales=100_000)
    theirs = AnnualReportFactory(village=elsewhere, ecommerce_sales=50_000_000, active_shops=100)
    return mine, theirs


@pytest.mark.parametrize(
    ("user", "sees_mine", "sees_theirs"),
    [
        ("official", True, False),
        ("other_official", False, True),
        ("reviewer", True, False),
        ("other_reviewer", False, True),
        ("administrator", True, True),
    ],
)
def test_the_area_page_shows_only_the_users_jurisdiction(
    two_counties, request, client_for, user, sees_mine, sees_theirs
):
    html = page(client_for(request.getfixturevalue(user)), reverse("villages:reconciliation_list"))

    assert ("丁楼村" in html) is sees_mine
    assert ("东风村" in html) is sees_theirs


def test_the_area_page_needs_a_login(two_counties, client):
    response = client.get(reverse("villages:reconciliation_list"))

    assert response.status_code == 302 and "login" in response["Location"]


def test_the_area_page_filters_and_refuses_bad_filters(two_counties, administrator, client_for, tree):
    client = client_for(administrator)
    url = reverse("villages:reconciliation_list")

    by_county = page(client, f"{url}?county={tree.other_county.code}&year=2023&flagged=true")
    unflagged = page(client, f"{url}?flagged=false")
    bad = client.get(f"{url}?year=abc&county=99&flagged=maybe")

    assert "东风村" in by_county and "丁楼村" not in by_county
    assert "东风村" not in unflagged and "丁楼村" not in unflagged
    assert bad.status_code == 400
    assert "丁楼村" not in bad.content.decode()


def test_the_area_page_lists_the_largest_gaps_first(two_counties, administrator, client_for):
    html = page(client_for(administrator), reverse("villages:reconciliation_list"))

    assert html.index("东风村") < html.index("丁楼村")


def test_the_area_page_runs_the_same_queries_for_2_or_20_reports(
    tree, official, client_for, django_assert_num_queries
):
    client = client_for(official)
    url = reverse("villages:reconciliation_list")

    def add_reports(count):
        for _ in range(count):
            village = VillageFactory(township=tree.town)
            feed(village, 3)
            AnnualReportFactory(village=village, ecommerce_sales=1_000_000, active_shops=3)

    add_reports(2)
    page(client, url)
    with CaptureQueriesContext(connection) as few:
        page(client, url)
    add_reports(18)
    with django_assert_num_queries(len(few.captured_queries)):
        html = page(client, url)
    assert html.count('data-reconciliation="') == 20


# --- register from the feed -----------------------------------------------------------------------------


@pytest.fixture
def unregistered(village):
    (fed,) = feed(village, 1, sales=640_000, shop_name="汉服小店", days_open=200, orders_last_3_months=9)
    AnnualReportFactory(village=village, ecommerce_sales=640_000, active_shops=1)
    return fed


def test_the_county_registers_a_shop_from_the_feed_once(unregistered, official, client_for):
    client = client_for(official)
    report = AnnualReport.objects.get()
    html = page(client, reverse("villages:report_detail", args=[report.pk]))
    url = reverse("villages:register_from_feed", args=[unregistered.pk])
    assert url in html and "汉服小店" in html

    first = client.post(url, follow=True)
    second = client.post(url, follow=True)

    assert first.redirect_chain[-1][0] == reverse("villages:report_detail", args=[report.pk])
    assert "is registered from the platform" in first.content.decode()
    assert "is already registered; nothing was changed" in second.content.decode()
    shop = OnlineShop.objects.get()
    assert (shop.platform_shop_id, shop.name) == (unregistered.platform_shop_id, "汉服小店")
    assert ShopYear.objects.get(shop=shop).sales == 640_000
    assert url not in second.content.decode()  # no longer listed as unregistered


def test_a_shop_registered_in_another_county_is_not_named(unregistered, official, client_for, tree):
    elsewhere = VillageFactory(township=tree.other_town, name="东风村")
    OnlineShopFactory(
        village=elsewhere, platform=unregistered.platform, platform_shop_id=unregistered.platform_shop_id,
        name="睢宁网店",
    )

    response = client_for(official).post(
        reverse("villages:register_from_feed", args=[unregistered.pk]), follow=True
    )

    html = response.content.decode()
    assert "already registered in another county; nothing was changed" in html
    assert "睢宁网店" not in html and OnlineShop.objects.count() == 1


def test_a_reviewer_sees_the_unregistered_shops_but_cannot_register_them(unregistered, reviewer, client_for):
    client = client_for(reviewer)
    report = AnnualReport.objects.get()
    url = reverse("villages:register_from_feed", args=[unregistered.pk])
    html = page(client, reverse("villages:report_detail", args=[report.pk]))
    assert "汉服小店" in html and url not in html

    response = client.post(url, follow=True)

    assert response.status_code == 200
    assert "only in the counties assigned to you" in response.content.decode()
    assert not OnlineShop.objects.exists()


def test_another_county_cannot_register_or_see_the_shop(unregistered, other_official, client_for):
    client = client_for(other_official)

    assert client.post(reverse("villages:register_from_feed", args=[unregistered.pk])).status_code == 404
    assert client.get(reverse("villages:report_detail", args=[AnnualReport.objects.get().pk])).status_code == 404
    assert not OnlineShop.objects.exists()


def test_register_from_the_feed_takes_a_post_only(unregistered, official, client_for):
    assert client_for(official).get(reverse("villages:register_from_feed", args=[unregistered.pk])).status_code == 405
    assert not OnlineShop.objects.exists()


def test_the_review_queue_with_its_platform_column_runs_the_same_queries_for_2_or_12_reports(
    tree, official, reviewer, client_for, django_assert_num_queries
):
    client = client_for(reviewer)
    url = reverse("villages:review_queue")

    def submit(count):
        for _ in range(count):
            village = VillageFactory(township=tree.town)
            feed(village, 2)
            report_submit(report=AnnualReportFactory(village=village, ecommerce_sales=900_000, active_shops=2),
                          by=official)

    submit(2)
    page(client, url)
    with CaptureQueriesContext(connection) as few:
        page(client, url)
    submit(10)
    with django_assert_num_queries(len(few.captured_queries)):
        html = page(client, url)
    assert html.count('data-reconciliation="flagged"') == 12
