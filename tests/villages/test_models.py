"""Every invalid value of the villages models is refused by model validation and by the database."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from tests.factories import (
    AnnualReportFactory,
    AssessmentFactory,
    JurisdictionAssignmentFactory,
    OnlineShopFactory,
    ReportingWindowFactory,
    ShopYearFactory,
    TaobaoTownFactory,
    VillageFactory,
)
from tests.model_checks import assert_database_refuses, assert_invalid
from villages.models import AnnualReport, CriteriaSet, Division, OnlineShop, ReportingWindow, ShopYear, Village

pytestmark = pytest.mark.django_db
NEXT_YEAR = timezone.localdate().year + 1


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def unsaved_village(tree, **values):
    fields = {"code": "371721121227", "name": "丁楼村", "township": tree.town, "households": 420}
    return Village(**{**fields, **values})


# Divisions


def test_division_code_must_have_6_or_9_digits(tree):
    assert_invalid(
        Division(code="37172", name="x", level="county", parent=tree.prefecture), "code", "6 or 9 digits"
    )


def test_only_provinces_have_no_parent(tree):
    assert_database_refuses(Division(code="371799", name="x", level="county", parent=None))
    assert_database_refuses(Division(code="380000", name="x", level="province", parent=tree.province))


def test_division_level_must_be_known(tree):
    division = Division(code="371799", name="x", level="district", parent=tree.prefecture)
    assert_invalid(division, "level")
    assert_database_refuses(division)


# Villages


@pytest.mark.parametrize("code", ["37172112122", "3717211212270", "37172112122a"])
def test_village_code_must_have_12_digits(tree, code):
    village = unsaved_village(tree, code=code)
    assert_invalid(village, "code", "exactly 12 digits")
    assert_database_refuses(village)


def test_village_code_must_lie_in_its_township(tree):
    village = unsaved_village(tree, code="371721001227")
    assert_invalid(village, "code", "does not belong to township 371721121")
    assert_database_refuses(village)


def test_village_households_must_be_positive(tree):
    village = unsaved_village(tree, households=0)
    assert_invalid(village, "households", "greater than or equal to 1")
    assert_database_refuses(village)


@pytest.mark.parametrize(
    ("latitude", "longitude", "field"),
    [("60.0", "115.6", "latitude"), ("2.0", "115.6", "latitude"), ("34.7", "140.0", "longitude")],
)
def test_village_coordinates_must_lie_in_china(tree, latitude, longitude, field):
    village = unsaved_village(tree, latitude=Decimal(latitude), longitude=Decimal(longitude))
    assert_invalid(village, field)
    assert_database_refuses(village)


@pytest.mark.parametrize("given", ["latitude", "longitude"])
def test_village_coordinates_come_in_pairs(tree, given):
    village = unsaved_village(tree, **{given: Decimal("34.7") if given == "latitude" else Decimal("115.6")})
    missing = "longitude" if given == "latitude" else "latitude"
    assert_invalid(village, missing, message="Give both latitude and longitude, or neither.")
    assert_database_refuses(village)


def test_village_urban_rural_code_must_be_a_published_one(tree):
    village = unsaved_village(tree, urban_rural_code=999)
    assert_invalid(village, "urban_rural_code")
    assert_database_refuses(village)


def test_village_code_is_unique(tree):
    VillageFactory(township=tree.town, code="371721121227")
    village = unsaved_village(tree)
    assert_invalid(village, "code", "is already registered, to")
    assert_database_refuses(village)


@pytest.mark.parametrize(
    ("unit", "committee_type"),
    [
        ("001", "neighbourhood_committee"),
        ("199", "neighbourhood_committee"),
        ("200", "village_committee"),
        ("399", "village_committee"),
        ("400", "other"),
    ],
)
def test_committee_type_is_derived_from_the_code(tree, unit, committee_type):
    village = VillageFactory(township=tree.town, code=f"371721121{unit}")
    village.refresh_from_db()
    assert village.committee_type == committee_type


def test_a_valid_village_passes_validation(tree):
    unsaved_village(tree, latitude=Decimal("34.71"), longitude=Decimal("115.65"), urban_rural_code=220).full_clean()


# Online shops


def test_platform_shop_id_is_unique_per_platform(tree):
    existing = OnlineShopFactory(village__township=tree.town, platform_shop_id="tb-1")
    duplicate = OnlineShop(village=existing.village, platform="taobao", platform_shop_id="tb-1", name="又一店")
    assert_invalid(duplicate, message="A shop with this ID is already registered on this platform.")
    assert_database_refuses(duplicate)


def test_the_same_shop_id_may_exist_on_another_platform(tree):
    existing = OnlineShopFactory(village__township=tree.town, platform_shop_id="tb-1")
    OnlineShop(village=existing.village, platform="tmall", platform_shop_id="tb-1", name="天猫店").full_clean()


def test_shop_cannot_close_before_it_opened(tree):
    shop = OnlineShopFactory.build(
        village=VillageFactory(township=tree.town),
        opened_on=datetime.date(2020, 5, 1),
        closed_on=datetime.date(2020, 4, 30),
    )
    assert_invalid(shop, "closed_on", "A shop cannot close before it opened.")
    assert_database_refuses(shop)


def test_shop_platform_must_be_known(tree):
    shop = OnlineShopFactory.build(village=VillageFactory(township=tree.town), platform="ebay")
    assert_invalid(shop, "platform")
    assert_database_refuses(shop)


# Shop figures


def shop_year(tree, **values):
    return ShopYearFactory.build(shop=OnlineShopFactory(village__township=tree.town), **values)


def test_shop_sales_cannot_be_negative(tree):
    figures = shop_year(tree, sales=-1)
    assert_invalid(figures, "sales", "Sales cannot be negative.")
    assert_database_refuses(figures)


@pytest.mark.parametrize("year", [2008, NEXT_YEAR])
def test_shop_year_must_be_between_2009_and_this_year(tree, year):
    assert_invalid(shop_year(tree, year=year), "year", "The year must be between 2009 and")


def test_database_refuses_shop_years_before_2009(tree):
    assert_database_refuses(shop_year(tree, year=2008))


def test_days_open_cannot_exceed_a_year(tree):
    figures = shop_year(tree, days_open=367)
    assert_invalid(figures, "days_open")
    assert_database_refuses(figures)


def test_one_set_of_figures_per_shop_and_year(tree):
    existing = ShopYearFactory(shop__village__township=tree.town, year=2023)
    duplicate = ShopYear(shop=existing.shop, year=2023, sales=1)
    assert_invalid(duplicate, message="This shop already has figures for this year.")
    assert_database_refuses(duplicate)


@pytest.mark.parametrize(
    ("days_open", "orders", "active"),
    [(365, 3, True), (365, 2, False), (29, 10, False), (45, 2, True), (45, 1, False)],
)
def test_shop_year_says_whether_the_shop_was_active(days_open, orders, active):
    assert ShopYear(days_open=days_open, orders_last_3_months=orders).is_active is active


# Annual reports


def report(tree, **values):
    return AnnualReportFactory.build(village=VillageFactory(township=tree.town), **values)


def test_report_sales_cannot_be_negative(tree):
    annual_report = report(tree, ecommerce_sales=-5)
    assert_invalid(annual_report, "ecommerce_sales")
    assert_database_refuses(annual_report)


def test_report_households_must_be_positive(tree):
    annual_report = report(tree, households=0)
    assert_invalid(annual_report, "households")
    assert_database_refuses(annual_report)


@pytest.mark.parametrize("year", [2008, NEXT_YEAR])
def test_report_year_must_be_between_2009_and_this_year(tree, year):
    assert_invalid(report(tree, year=year), "year", "The year must be between 2009 and")


@pytest.mark.parametrize("year", [2008, 2101])
def test_database_refuses_report_years_out_of_range(tree, year):
    assert_database_refuses(report(tree, year=year))


def test_one_report_per_village_and_year(tree):
    existing = AnnualReportFactory(village__township=tree.town, year=2023)
    duplicate = AnnualReport(village=existing.village, year=2023, ecommerce_sales=1, active_shops=1, households=1)
    assert_invalid(duplicate, message="This village already has a report for this year.")
    assert_database_refuses(duplicate)


def test_report_status_must_be_known(tree):
    annual_report = report(tree, status="published")
    assert_invalid(annual_report, "status")
    assert_database_refuses(annual_report)


def test_reporting_window_cannot_close_before_it_opens():
    window = ReportingWindow(year=2023, opens_on=datetime.date(2023, 7, 1), closes_on=datetime.date(2023, 6, 30))
    assert_invalid(window, "closes_on", "The window cannot close before it opens.")
    assert_database_refuses(window)


def test_one_reporting_window_per_year():
    ReportingWindowFactory(year=2023)
    window = ReportingWindow(year=2023, opens_on=datetime.date(2023, 7, 1), closes_on=datetime.date(2023, 9, 1))
    assert_invalid(window, "year")
    assert_database_refuses(window)


# Criteria, assessments, towns, jurisdiction


def seeded_criteria(**changes):
    """The seeded 2009–2018 version with some values changed (unsaved), so no other version overlaps it."""
    criteria = CriteriaSet.objects.get(first_year=2009)
    for name, value in changes.items():
        setattr(criteria, name, value)
    return criteria


def test_criteria_last_year_cannot_come_before_the_first():
    criteria = seeded_criteria(last_year=2008)
    assert_invalid(criteria, "last_year", "The last year cannot come before the first year.")
    assert_database_refuses(criteria)


def test_criteria_committee_types_must_be_known():
    assert_invalid(seeded_criteria(eligible_committee_types=["hamlet"]), "eligible_committee_types", "Choose")


def test_criteria_scale_route_needs_both_thresholds():
    criteria = seeded_criteria(town_scale_route=True, town_min_sales=30_000_000, town_min_active_shops=None)
    assert_invalid(criteria, message="The town scale route needs both a sales and an active-shop threshold.")
    assert_database_refuses(criteria)


def test_assessment_score_lies_between_0_and_100(tree):
    assessment = AssessmentFactory.build(village=VillageFactory(township=tree.town), score=Decimal("100.5"))
    assert_invalid(assessment, "score")
    assert_database_refuses(assessment)


def test_one_assessment_per_village_and_year(tree):
    existing = AssessmentFactory(village__township=tree.town, year=2023)
    assert_database_refuses(AssessmentFactory.build(village=existing.village, year=2023))


def test_one_taobao_town_record_per_township_and_year(tree):
    TaobaoTownFactory(township=tree.town, year=2023)
    assert_database_refuses(TaobaoTownFactory.build(township=tree.town, year=2023))


def test_a_user_is_assigned_a_division_once(tree):
    existing = JurisdictionAssignmentFactory(division=tree.county)
    assert_database_refuses(JurisdictionAssignmentFactory.build(user=existing.user, division=tree.county))
