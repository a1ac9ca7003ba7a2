"""Reconciliation of a report's declaration against the platform's figures: the rule, its SQL twin, the lists."""

import random
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.test import override_settings

from tests.conftest import make_user
from tests.factories import AnnualReportFactory, OnlineShopFactory, ShopYearFactory, VillageFactory
from tests.feed_factories import FeedBatchFactory, PlatformShopYearFactory, PlatformVillageYearFactory
from villages import reconciliation
from villages.models import ADMINISTRATORS, AnnualReport, OnlineShop, PlatformShopYear, ShopYear
from villages.scoring import is_active_shop
from villages.selectors.reconciliation import (
    platform_figures,
    reconciliation_of,
    reconciliations_in_scope,
    report_reconciliation,
    report_shop_lists,
    with_platform_figures,
)
from villages.selectors.review import active_shop_year_q, report_warnings
from villages.services.reconciliation import shop_register_from_feed
from villages.services.reports import report_approve, report_submit

Status = AnnualReport.Status

# The active-shop rule's boundaries (tests/villages/test_scoring.py): 30 days, prorated months, 1 order a month.
BOUNDARY_CASES = [
    (29, 5, False),  # open less than 30 days: never active
    (30, 1, True),  # 30 days, 1 order
    (30, 0, False),
    (45, 1, False),  # 45 days prorated: 1.5 orders needed, so 2
    (45, 2, True),
    (60, 2, True),
    (61, 2, False),
    (89, 3, True),
    (90, 3, True),  # the full 3-month window: 3 orders
    (90, 2, False),
    (365, 3, True),
    (365, 2, False),
]


@pytest.fixture
def village(tree):
    return VillageFactory(township=tree.town, households=1000)


def fed_shops(village, count, *, year=2023, sales=100_000, platform="taobao", **figures):
    batch = FeedBatchFactory(year=year)
    return [
        PlatformShopYearFactory(village=village, year=year, sales=sales, platform=platform, batch=batch, **figures)
        for _index in range(count)
    ]


def annotated(report):
    return with_platform_figures(AnnualReport.objects.filter(pk=report.pk)).get()


# --- the pure comparison ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("declared", "platform", "beyond"),
    [
        (11_500_000, 10_000_000, True),  # 15 % above
        (10_500_000, 10_000_000, False),  # 5 % above
        (11_000_000, 10_000_000, False),  # exactly the tolerance: within
        (11_000_001, 10_000_000, True),
        (8_999_999, 10_000_000, True),  # below counts too
        (1, 0, True),
        (0, 0, False),
        (5, None, False),  # no platform figure: nothing to compare
    ],
)
def test_beyond_tolerance_is_strictly_more_than_the_percentage(declared, platform, beyond):
    assert reconciliation.beyond_tolerance(declared, platform, 10) is beyond


def test_difference_percent_is_relative_to_the_platform_figure():
    assert reconciliation.difference_percent(10_300_000, 10_000_000) == Decimal("3.0")
    assert reconciliation.difference_percent(8_500_000, 10_000_000) == Decimal("-15.0")
    assert reconciliation.difference_percent(5, 0) is None
    assert reconciliation.difference_percent(5, None) is None


def test_active_shop_count_is_the_registry_rule_at_its_boundaries():
    shops = [reconciliation.PlatformShopFigures(days, orders) for days, orders, _active in BOUNDARY_CASES]
    assert reconciliation.active_shop_count(shops) == sum(active for _days, _orders, active in BOUNDARY_CASES)
    for days, orders, active in BOUNDARY_CASES:
        assert is_active_shop(days_open=days, orders_last_3_months=orders) is active


# --- active shops from fed figures, in SQL ----------------------------------------------------------------


def test_active_shops_counted_from_fed_figures_equal_the_rule_at_its_boundaries(village):
    batch = FeedBatchFactory()
    for days, orders, _active in BOUNDARY_CASES:
        PlatformShopYearFactory(village=village, batch=batch, days_open=days, orders_last_3_months=orders)
    report = AnnualReportFactory(village=village, active_shops=1)

    expected = sum(active for _days, _orders, active in BOUNDARY_CASES)
    assert annotated(report).platform_active_shops == expected
    rows = PlatformShopYear.objects.filter(village=village)
    assert expected == reconciliation.active_shop_count(rows)
    assert {row.pk for row in rows if row.is_active} == set(
        PlatformShopYear.objects.filter(active_shop_year_q()).values_list("pk", flat=True)
    )


def test_active_shop_filter_on_fed_figures_agrees_with_the_pure_rule_on_a_grid(village):
    batch = FeedBatchFactory()
    grid = [(days, orders) for days in (0, 29, 30, 31, 45, 59, 60, 61, 89, 90, 91, 366) for orders in range(5)]
    rows = PlatformShopYear.objects.bulk_create(
        PlatformShopYear(
            platform="taobao", platform_shop_id=f"grid-{index}", village=village, year=2023, days_open=days,
            orders_last_3_months=orders, batch=batch,
        )
        for index, (days, orders) in enumerate(grid)
    )
    expected = {row.pk for row in PlatformShopYear.objects.filter(pk__in=[r.pk for r in rows]) if row.is_active}
    assert 0 < len(expected) < len(rows)

    assert set(PlatformShopYear.objects.filter(active_shop_year_q()).values_list("pk", flat=True)) == expected


def test_the_sql_flag_agrees_with_the_pure_rule_on_generated_figures(tree):
    randomness = random.Random(20261202)
    batch = FeedBatchFactory()
    cases = []
    for index in range(60):
        village = VillageFactory(township=tree.town if index % 2 else tree.second_county_town)
        platform_sales = randomness.choice([0, 1_000_000, 10_000_000, 33_333_333])
        declared = randomness.choice(
            [
                0,
                platform_sales,
                platform_sales * 11 // 10,
                platform_sales * 11 // 10 + 1,
                max(platform_sales * 9 // 10 - 1, 0),
                randomness.randrange(0, 50_000_000),
            ]
        )
        active = randomness.randrange(0, 6)
        for _shop in range(active):
            PlatformShopYearFactory(village=village, batch=batch, sales=0, days_open=365, orders_last_3_months=3)
        PlatformVillageYearFactory(village=village, sales=platform_sales)
        declared_shops = randomness.choice([active, active + 1, max(active - 1, 0), active * 2])
        cases.append(AnnualReportFactory(village=village, ecommerce_sales=declared, active_shops=declared_shops))

    rows = {row.pk: row for row in with_platform_figures(AnnualReport.objects.all())}
    assert len(rows) == len(cases)
    outcomes = set()
    for report in cases:
        row = rows[report.pk]
        pure = reconciliation_of(row)
        assert (row.sales_flagged, row.shops_flagged, row.reconciliation_flagged) == (
            pure.sales.flagged, pure.active_shops.flagged, pure.flagged
        ), (report.ecommerce_sales, row.platform_sales, report.active_shops, row.platform_active_shops)
        outcomes.add(pure.flagged)
    assert outcomes == {True, False}
    # The figures alone (what pages that compare row by row read) give every report the same comparison.
    alone = {row.pk: row for row in platform_figures(AnnualReport.objects.all())}
    assert {pk: reconciliation_of(row) for pk, row in alone.items()} == {
        pk: reconciliation_of(row) for pk, row in rows.items()
    }
    assert not hasattr(next(iter(alone.values())), "gap_percent")


# --- which platform figures count ------------------------------------------------------------------------


def test_without_platform_figures_nothing_is_known_and_nothing_flagged(village):
    report = AnnualReportFactory(village=village)

    result = reconciliation_of(annotated(report))

    assert (result.sales.platform, result.active_shops.platform) == (None, None)
    assert not result.has_platform_figures and not result.flagged


def test_sales_sum_the_shop_figures_unless_the_platform_sent_its_village_total(village):
    fed_shops(village, 3, sales=1_000_000)  # taobao: 3,000,000 from its shops, but its own total wins
    PlatformVillageYearFactory(village=village, platform="taobao", sales=4_000_000)
    fed_shops(village, 2, sales=500_000, platform="jd")  # jd: no total, so its shops: 1,000,000
    fed_shops(village, 1, sales=9_999_999, year=2022)  # another year
    report = AnnualReportFactory(village=village, ecommerce_sales=5_000_000, active_shops=5)

    row = annotated(report)

    assert row.platform_sales == 5_000_000
    assert row.platform_active_shops == 5
    assert not row.reconciliation_flagged


def test_a_declaration_15_percent_above_the_platform_sales_is_a_warning_with_both_numbers(village):
    fed_shops(village, 100, sales=100_000)  # 10,000,000
    _register(village, 100)
    report = AnnualReportFactory(village=village, ecommerce_sales=11_500_000, active_shops=100)

    result = report_reconciliation_for_admin(report)

    assert result.sales.flagged and not result.active_shops.flagged
    assert result.sales.difference_percent == Decimal("15.0")
    warning = [w for w in report_warnings(report) if w.key == "platform_sales"]
    assert len(warning) == 1
    assert "11,500,000" in warning[0].message and "10,000,000" in warning[0].message


def test_a_declaration_5_percent_above_the_platform_sales_is_no_warning(village):
    fed_shops(village, 100, sales=100_000)
    _register(village, 100)
    report = AnnualReportFactory(village=village, ecommerce_sales=10_500_000, active_shops=100)

    assert not report_reconciliation_for_admin(report).flagged
    assert [w.key for w in report_warnings(report) if w.key.startswith("platform_")] == []


@override_settings(RECONCILIATION_TOLERANCE_PERCENT=3)
def test_the_tolerance_is_a_setting(village):
    fed_shops(village, 100, sales=100_000)
    report = AnnualReportFactory(village=village, ecommerce_sales=10_500_000, active_shops=100)

    assert report_reconciliation_for_admin(report).sales.flagged


def test_declared_active_shops_far_above_the_platform_count_are_flagged(village):
    fed_shops(village, 10)
    fed_shops(village, 5, days_open=20)  # not active under the rule
    report = AnnualReportFactory(village=village, ecommerce_sales=1_500_000, active_shops=15)

    result = report_reconciliation_for_admin(report)

    assert result.active_shops.platform == 10 and result.active_shops.flagged
    assert [w.key for w in report_warnings(report) if w.key.startswith("platform_")] == ["platform_active_shops"]


def _register(village, count):
    for shop in PlatformShopYear.objects.filter(village=village)[:count]:
        ShopYearFactory(
            shop=OnlineShopFactory(village=village, platform=shop.platform, platform_shop_id=shop.platform_shop_id),
            year=shop.year,
        )


def report_reconciliation_for_admin(report):
    return report_reconciliation(make_user("reconciling_administrator", ADMINISTRATORS), report)


# --- the shop lists ------------------------------------------------------------------------------------


def test_shop_lists_name_unregistered_platform_shops_and_registered_shops_the_platform_does_not_know(
    village, official
):
    known, unregistered = fed_shops(village, 2)
    OnlineShopFactory(village=village, platform=known.platform, platform_shop_id=known.platform_shop_id)
    unknown = OnlineShopFactory(village=village, platform="taobao", platform_shop_id="only-in-the-registry")
    OnlineShopFactory(village=village, platform="douyin")  # douyin sent no figures: nothing to say about it
    report = AnnualReportFactory(village=village)

    lists = report_shop_lists(official, report)
    row = annotated(report)

    assert [shop.pk for shop in lists.unregistered] == [unregistered.pk]
    assert [shop.pk for shop in lists.unknown_registered] == [unknown.pk]
    assert (row.unregistered_shops, row.unknown_registered_shops) == (1, 1)


def test_reconciliations_list_the_largest_gaps_first_in_constant_queries(tree, official, django_assert_num_queries):
    gaps = {}
    for index, declared in enumerate([10_100_000, 30_000_000, 12_000_000, 10_000_000]):
        village = VillageFactory(township=tree.town)
        fed_shops(village, 10, sales=1_000_000)
        gaps[AnnualReportFactory(village=village, ecommerce_sales=declared, active_shops=10).pk] = index
    AnnualReportFactory(village=VillageFactory(township=tree.town))  # no platform figures: last
    AnnualReportFactory(village=VillageFactory(township=tree.other_town), ecommerce_sales=1)  # another county

    list(reconciliations_in_scope(official))  # the official's jurisdiction is read once and kept on the user
    with django_assert_num_queries(1):
        rows = list(reconciliations_in_scope(official))

    assert [gaps.get(row.pk) for row in rows] == [1, 2, 0, 3, None]


# --- the assessment records the sources of its inputs ------------------------------------------------------


def test_an_approved_assessment_records_the_platform_figure_beside_the_declared_sales(village, official, reviewer):
    fed_shops(village, 100, sales=114_563)  # 11,456,300
    report = AnnualReportFactory(village=village, ecommerce_sales=11_800_000, active_shops=100)
    report_submit(report=report, by=official)

    assessment = report_approve(report=report, by=reviewer).assessment
    assessment.refresh_from_db()

    assert assessment.input_sources["ecommerce_sales"] == {
        "source": "declared", "check": "checked", "platform": 11_456_300, "difference_percent": 3.0, "flagged": False,
    }
    assert assessment.input_sources["active_shops"]["platform"] == 100
    assert assessment.input_sources["households"]["check"] == "unchecked"
    assert assessment.inputs["ecommerce_sales"] == 11_800_000  # scoring stays on the declaration


# --- register from the feed --------------------------------------------------------------------------------


def test_register_from_the_feed_creates_the_shop_and_its_year_from_the_platform_figures(village, official):
    (fed,) = fed_shops(village, 1, sales=777_000, days_open=200, orders_last_3_months=12, shop_name="曹县汉服")

    shop, created = shop_register_from_feed(by=official, platform_shop_year=fed)

    assert created
    assert (shop.village, shop.platform, shop.platform_shop_id, shop.name) == (
        village, fed.platform, fed.platform_shop_id, "曹县汉服"
    )
    shop_year = ShopYear.objects.get(shop=shop)
    assert (shop_year.year, shop_year.sales, shop_year.days_open, shop_year.orders_last_3_months) == (
        2023, 777_000, 200, 12
    )
    assert shop.history.count() == 1


def test_registering_from_the_feed_twice_registers_one_shop(village, official):
    (fed,) = fed_shops(village, 1)

    first = shop_register_from_feed(by=official, platform_shop_year=fed)
    second = shop_register_from_feed(by=official, platform_shop_year=fed)

    assert (first.created, second.created) == (True, False)
    assert second.shop == first.shop
    assert OnlineShop.objects.count() == 1 and ShopYear.objects.count() == 1


@pytest.mark.parametrize("user", ["reviewer", "other_official"])
def test_reviewers_and_other_counties_cannot_register_from_the_feed(village, request, user):
    (fed,) = fed_shops(village, 1)

    with pytest.raises(PermissionDenied):
        shop_register_from_feed(by=request.getfixturevalue(user), platform_shop_year=fed)

    assert not OnlineShop.objects.exists()
