"""Data-quality warnings a reviewer sees on a report: informative, never blocking, computed in a few queries."""

import pytest

from tests.factories import AnnualReportFactory, OnlineShopFactory, ShopYearFactory, VillageFactory
from villages.models import AnnualReport, ShopYear
from villages.scoring import is_active_shop
from villages.selectors.review import active_shop_year_q, report_warnings
from villages.services.reports import report_approve, report_submit

Status = AnnualReport.Status


@pytest.fixture
def village(tree):
    return VillageFactory(township=tree.town, households=1000)


def _keys(report):
    return [warning.key for warning in report_warnings(report)]


def _register_active_shops(village, count, year=2023):
    for _index in range(count):
        ShopYearFactory(shop=OnlineShopFactory(village=village), year=year, days_open=365, orders_last_3_months=9)


@pytest.mark.parametrize(
    ("previous_sales", "sales"),
    [(3_000_000, 12_000_000), (2_000_000, 10_000_000)],
    ids=["consistent", "exactly-five-times-the-previous-year"],
)
def test_report_up_to_five_times_the_previous_approved_year_has_no_warnings(village, previous_sales, sales):
    _register_active_shops(village, 3)
    AnnualReportFactory(village=village, year=2022, status=Status.APPROVED, ecommerce_sales=previous_sales)
    report = AnnualReportFactory(village=village, year=2023, ecommerce_sales=sales, active_shops=3)

    assert report_warnings(report) == []


def test_sales_more_than_five_times_the_previous_approved_year_are_flagged(village):
    _register_active_shops(village, 3)
    AnnualReportFactory(village=village, year=2020, status=Status.APPROVED, ecommerce_sales=100_000_000)
    AnnualReportFactory(village=village, year=2021, status=Status.APPROVED, ecommerce_sales=2_000_000)
    AnnualReportFactory(village=village, year=2022, status=Status.RETURNED, ecommerce_sales=1)
    report = AnnualReportFactory(village=village, year=2023, ecommerce_sales=10_000_001, active_shops=3)

    warnings = report_warnings(report)

    assert [warning.key for warning in warnings] == ["sales_jump"]
    assert "2021" in warnings[0].message


def test_more_active_shops_than_households_is_flagged(village):
    _register_active_shops(village, 3)
    report = AnnualReportFactory(village=village, active_shops=3, households=2)

    assert _keys(report) == ["shops_above_households"]


def test_declared_shops_above_the_registered_active_shops_of_that_year_are_flagged(village):
    _register_active_shops(village, 2)
    _register_active_shops(village, 5, year=2022)
    ShopYearFactory(shop=OnlineShopFactory(village=village), year=2023, days_open=365, orders_last_3_months=2)
    report = AnnualReportFactory(village=village, year=2023, active_shops=3)

    warnings = report_warnings(report)

    assert [warning.key for warning in warnings] == ["shops_above_registered"]
    assert "only 2 shops" in warnings[0].message


def test_village_without_any_registered_shop_is_flagged(village):
    report = AnnualReportFactory(village=village, active_shops=0)

    assert _keys(report) == ["no_registered_shops"]


def test_warnings_take_three_queries_however_many_shops(village, django_assert_num_queries):
    _register_active_shops(village, 20)
    report = AnnualReportFactory(village=village, active_shops=50)

    with django_assert_num_queries(3):
        report_warnings(report)


def test_warnings_do_not_block_approval(village, official, reviewer):
    report = AnnualReportFactory(village=village, active_shops=5000, households=10)
    assert _keys(report) == ["shops_above_households", "no_registered_shops"]

    report_submit(report=report, by=official)
    assert report_approve(report=report, by=reviewer).status == Status.APPROVED


def test_active_shop_filter_agrees_with_the_pure_rule(village):
    shop = OnlineShopFactory(village=village)
    grid = [(days, orders) for days in (0, 29, 30, 31, 45, 59, 60, 61, 89, 90, 91, 366) for orders in range(5)]
    rows = ShopYear.objects.bulk_create(
        ShopYear(shop=shop, year=2009 + index, days_open=days, orders_last_3_months=orders)
        for index, (days, orders) in enumerate(grid)
    )
    expected = {
        row.pk for row in rows if is_active_shop(days_open=row.days_open, orders_last_3_months=row.orders_last_3_months)
    }
    assert 0 < len(expected) < len(rows)

    assert set(ShopYear.objects.filter(active_shop_year_q()).values_list("pk", flat=True)) == expected
