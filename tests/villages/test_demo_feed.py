"""The sample feed of the demo villages: the file in the repo, and `load_demo` posting it through the feed once."""

import io
from collections import defaultdict

import pytest
from django.core.management import call_command

from villages.demo_data import DEMO_VILLAGES
from villages.feed.demo import DEMO_FEED_FILE, DEMO_FEED_YEAR, demo_feed_csv, demo_feed_rows
from villages.models import AnnualReport, FeedBatch, OnlineShop, PlatformShopYear
from villages.scoring import is_active_shop


def test_the_file_in_the_repo_is_what_the_generator_makes():
    assert DEMO_FEED_FILE.read_bytes() == demo_feed_csv()


def test_the_sample_has_registered_and_unregistered_shops_and_gaps_on_both_sides_of_ten_percent():
    rows = demo_feed_rows()
    by_village = defaultdict(list)
    for row in rows:
        by_village[row["village_code"]].append(row)
    assert set(by_village) == {spec.code for spec in DEMO_VILLAGES}
    first = DEMO_VILLAGES[0].code
    assert f"{first}-06" not in {row["platform_shop_id"] for row in by_village[first]}  # a registered unknown one
    assert any(row["platform_shop_id"].startswith("TB") for row in by_village[first])
    gaps = {}
    for spec in DEMO_VILLAGES:
        declared_sales, declared_shops = spec.report_figures(DEMO_FEED_YEAR)
        platform_sales = sum(row["sales"] for row in by_village[spec.code])
        gaps[spec.code] = (declared_sales - platform_sales) / platform_sales
        active = sum(is_active_shop(days_open=row["days_open"], orders_last_3_months=row["orders_last_3_months"])
                     for row in by_village[spec.code])
        assert abs(active - declared_shops) <= 1, spec.code
    assert gaps["371721121211"] > 0.14
    assert sum(gap > 0.10 for gap in gaps.values()) == 2
    assert all(abs(gap) < 0.03 for code, gap in gaps.items() if code not in {"371721121211", "371721121240"})


@pytest.mark.django_db
def test_load_demo_posts_the_sample_through_the_feed_and_a_second_load_changes_nothing(official_divisions):
    call_command("load_demo", stdout=io.StringIO())
    batch = FeedBatch.objects.get()
    assert (batch.status, batch.year, batch.row_count, batch.created_count) == (
        "applied", DEMO_FEED_YEAR, len(demo_feed_rows()), len(demo_feed_rows()))
    assert batch.posted_by.username == "taobao_feed" and not batch.posted_by.has_usable_password()
    registered = set(OnlineShop.objects.values_list("platform", "platform_shop_id"))
    fed = set(PlatformShopYear.objects.values_list("platform", "platform_shop_id"))
    assert registered & fed and fed - registered and registered - fed
    assert AnnualReport.objects.filter(village__code="371721121211", year=DEMO_FEED_YEAR).exists()
    before = sorted(PlatformShopYear.objects.values_list("platform_shop_id", "updated_at", "batch_id"))
    call_command("load_demo", stdout=io.StringIO())
    assert FeedBatch.objects.count() == 1
    assert sorted(PlatformShopYear.objects.values_list("platform_shop_id", "updated_at", "batch_id")) == before
