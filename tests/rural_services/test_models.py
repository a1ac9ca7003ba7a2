"""Every invalid value of the service-network models is refused by model validation and by the database."""

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from rural_services.models import ServiceActivity
from tests.factories import (
    CountyOperationCenterFactory,
    ServiceActivityFactory,
    ServicePointFactory,
    VillageFactory,
)
from tests.model_checks import assert_database_refuses, assert_invalid

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def village(tree):
    return VillageFactory(township=tree.town, code="371721121227")


def point(village, **values):
    return ServicePointFactory.build(village=village, **values)


# County operation centres


def test_centre_cannot_close_before_it_opened(tree):
    centre = CountyOperationCenterFactory.build(
        county=tree.county, opened_on=datetime.date(2016, 5, 1), closed_on=datetime.date(2016, 4, 1)
    )
    assert_invalid(centre, "closed_on", "A centre cannot close before it opened.")
    assert_database_refuses(centre)


def test_centre_must_be_in_a_county(tree):
    assert_invalid(CountyOperationCenterFactory.build(county=tree.town), "county")


def test_centre_status_must_be_known(tree):
    centre = CountyOperationCenterFactory.build(county=tree.county, status="demolished")
    assert_invalid(centre, "status")
    assert_database_refuses(centre)


# Service points


@pytest.mark.parametrize("phone", ["12812345678", "1381234567", "138123456789", "+8613812345678", "010-1234567"])
def test_partner_phone_must_be_a_mainland_mobile_number(village, phone):
    service_point = point(village, partner_phone=phone)
    assert_invalid(service_point, "partner_phone", "11-digit mainland mobile number")
    assert_database_refuses(service_point)


def test_partner_phone_may_be_left_empty(village):
    point(village, partner_phone="").full_clean()


@pytest.mark.parametrize("code", ["", "-SP1", "SP 1", "站点1", "S" * 33])
def test_service_point_code_is_letters_digits_hyphens(village, code):
    assert_invalid(point(village, code=code), "code")


def test_service_point_code_is_unique(village):
    ServicePointFactory(village=village, code="RT-1")
    service_point = point(village, code="RT-1")
    assert_invalid(service_point, "code", "already exists")
    assert_database_refuses(service_point)


def test_service_point_cannot_close_before_it_opened(village):
    service_point = point(village, opened_on=datetime.date(2017, 6, 1), closed_on=datetime.date(2017, 5, 31))
    assert_invalid(service_point, "closed_on", "A service point cannot close before it opened.")
    assert_database_refuses(service_point)


@pytest.mark.parametrize(
    ("latitude", "longitude", "field"), [("55.0", "115.0", "latitude"), ("34.7", "70.0", "longitude")]
)
def test_service_point_coordinates_must_lie_in_china(village, latitude, longitude, field):
    service_point = point(village, latitude=Decimal(latitude), longitude=Decimal(longitude))
    assert_invalid(service_point, field)
    assert_database_refuses(service_point)


def test_service_point_coordinates_come_in_pairs(village):
    service_point = point(village, latitude=Decimal("34.7"))
    assert_invalid(service_point, "longitude", message="Give both latitude and longitude, or neither.")
    assert_database_refuses(service_point)


def test_service_point_status_must_be_known(village):
    service_point = point(village, status="bankrupt")
    assert_invalid(service_point, "status")
    assert_database_refuses(service_point)


def test_service_point_centre_must_be_in_the_villages_county(village, tree):
    other_centre = CountyOperationCenterFactory(county=tree.other_county)
    assert_invalid(
        point(village, county_center=other_centre),
        "county_center",
        "The county operation centre must be in the village's county.",
    )


def test_service_point_in_its_county_centre_is_valid(village, tree):
    point(village, county_center=CountyOperationCenterFactory(county=tree.county)).full_clean()


# Monthly activity


def test_activity_month_is_given_as_its_first_day(village):
    activity = ServiceActivityFactory.build(
        point=ServicePointFactory(village=village), month=datetime.date(2024, 3, 15)
    )
    assert_invalid(activity, "month", "Give the month as its first day")


@pytest.mark.parametrize("field", ["assisted_purchase_value", "produce_sales_value"])
def test_activity_values_cannot_be_negative(village, field):
    activity = ServiceActivityFactory.build(point=ServicePointFactory(village=village), **{field: -1})
    assert_invalid(activity, field, "Values cannot be negative.")
    assert_database_refuses(activity)


def test_one_activity_record_per_point_and_month(village):
    existing = ServiceActivityFactory(point=ServicePointFactory(village=village))
    duplicate = ServiceActivity(point=existing.point, month=existing.month)
    assert_invalid(duplicate, message="This service point already has figures for this month.")
    assert_database_refuses(duplicate)
