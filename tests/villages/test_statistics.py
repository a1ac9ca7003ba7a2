"""Yearly statistics beside the published series, the near-miss watchlist and what-if counts."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tests.factories import AnnualReportFactory, VillageFactory
from villages.models import AnnualReport, Assessment
from villages.selectors.certification import near_miss_assessments, what_if
from villages.selectors.statistics import (
    yearly_statistics,
    yearly_statistics_by_province,
    yearly_statistics_by_region,
)
from villages.services.certification import report_assess

QUALIFYING = {"ecommerce_sales": 12_000_000, "active_shops": 120, "households": 800}


def assessed(township, year=2023, **figures):
    village = VillageFactory(township=township)
    report = AnnualReportFactory(
        village=village, year=year, status=AnnualReport.Status.APPROVED, **(figures or QUALIFYING)
    )
    return report_assess(report=report)


@pytest.fixture
def registry(tree):
    """2023: three Taobao villages in Daji town (Shandong), one in Shaji town (Jiangsu), one that failed."""
    for _ in range(3):
        assessed(tree.town)
    assessed(tree.other_town)
    assessed(tree.other_town, ecommerce_sales=1_000_000)
    return tree


def test_yearly_statistics_put_the_registry_beside_the_published_series(registry, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        rows = {row["year"]: row for row in yearly_statistics()}

    assert rows[2023] == {
        "year": 2023,
        "taobao_villages": 4,
        "taobao_towns": 1,
        "published_taobao_villages": None,
        "published_taobao_towns": None,
    }
    assert rows[2020]["published_taobao_villages"] == 5425
    assert rows[2020]["published_taobao_towns"] == 1756
    assert rows[2020]["taobao_villages"] == 0
    assert rows[2009]["published_taobao_towns"] is None


def test_statistics_per_province(registry):
    rows = yearly_statistics_by_province(year=2023)

    assert [(r["province"], r["province_name"], r["taobao_villages"], r["taobao_towns"]) for r in rows] == [
        ("320000", "江苏省", 1, 0),
        ("370000", "山东省", 3, 1),
    ]


def test_statistics_per_economic_region(registry):
    rows = {row["region"]: row for row in yearly_statistics_by_region(year=2023)}

    assert set(rows) == {"east", "central", "west", "northeast"}
    assert (rows["east"]["taobao_villages"], rows["east"]["taobao_towns"]) == (4, 1)
    assert rows["west"]["taobao_villages"] == 0


def test_near_miss_lists_failed_villages_within_the_margin_of_every_missed_threshold(tree):
    close_on_sales = assessed(tree.town, ecommerce_sales=8_000_000, active_shops=120, households=800)
    close_on_both = assessed(tree.town, ecommerce_sales=9_500_000, active_shops=80, households=5000)
    close_by_share = assessed(tree.town, ecommerce_sales=9_000_000, active_shops=40, households=450)
    assessed(tree.town, ecommerce_sales=7_999_999, active_shops=120, households=800)  # 20.0001 % short
    assessed(tree.town, ecommerce_sales=12_000_000, active_shops=79, households=5000)  # 21 % short on shops
    assessed(tree.town)  # qualified

    listed = list(near_miss_assessments(margin=0.20))

    assert listed == sorted([close_on_sales, close_on_both, close_by_share], key=lambda a: -a.score)
    assert [a.score for a in listed] == sorted((a.score for a in listed), reverse=True)


def test_near_miss_ignores_villages_that_fail_location(tree):
    community = VillageFactory(township=tree.town, code="371721121010")
    report = AnnualReportFactory(
        village=community, year=2023, status=AnnualReport.Status.APPROVED, ecommerce_sales=9_900_000
    )
    report_assess(report=report)

    assert not near_miss_assessments().exists()


def test_near_miss_uses_only_the_latest_assessment_of_a_village(tree):
    village = VillageFactory(township=tree.town)
    for year, sales in ((2022, 9_000_000), (2023, 12_000_000)):
        report_assess(
            report=AnnualReportFactory(
                village=village, year=year, status=AnnualReport.Status.APPROVED, ecommerce_sales=sales
            )
        )

    assert not near_miss_assessments().exists()


def test_near_miss_can_be_scoped_by_a_base_queryset(tree):
    assessed(tree.town, ecommerce_sales=9_000_000)
    assessed(tree.other_town, ecommerce_sales=9_000_000)

    scoped = near_miss_assessments(base=Assessment.objects.filter(village__code__startswith="32"))

    assert [a.village.township_id for a in scoped] == [tree.other_town.code]


def test_what_if_counts_qualifying_gained_and_lost_per_province(registry, django_assert_max_num_queries):
    assessed(registry.town, ecommerce_sales=9_000_000)  # gained if the bar drops to 9M

    with django_assert_max_num_queries(2):
        lower_sales = what_if(year=2023, village_min_sales=9_000_000)
    assert (lower_sales.total.now, lower_sales.total.then, lower_sales.total.gained, lower_sales.total.lost) == (
        4,
        5,
        1,
        0,
    )
    by_province = {row.province: row for row in lower_sales.provinces}
    assert (by_province["370000"].then, by_province["370000"].gained) == (4, 1)
    assert (by_province["320000"].then, by_province["320000"].gained) == (1, 0)

    more_shops = what_if(year=2023, village_min_active_shops=121, village_min_household_share=Decimal("0.2"))
    assert (more_shops.total.then, more_shops.total.lost) == (0, 4)
    assert Assessment.objects.filter(year=2023, qualified=True).count() == 4


def test_what_if_refuses_unknown_or_invalid_thresholds(registry):
    with pytest.raises(ValidationError):
        what_if(year=2023, town_min_sales=1)
    with pytest.raises(ValidationError):
        what_if(year=2023, village_min_household_share=Decimal("1.5"))
    with pytest.raises(ValidationError):
        what_if(year=2023, eligible_committee_types=["city"])
