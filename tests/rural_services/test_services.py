"""Service-network services: centres, points with their services, monthly activity; validated and versioned."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from rural_services.models import ServiceActivity, ServicePoint
from rural_services.services import (
    county_center_create,
    county_center_delete,
    county_center_update,
    service_activity_create,
    service_activity_update,
    service_point_create,
    service_point_delete,
    service_point_update,
)
from tests.factories import (
    CountyOperationCenterFactory,
    ServiceActivityFactory,
    ServicePointFactory,
    VillageFactory,
)
from villages.services.errors import ConflictError


@pytest.fixture
def village(tree):
    return VillageFactory(township=tree.town, code="371721121227")


def test_county_center_create_is_recorded_and_scoped(tree, official, other_official):
    center = county_center_create(by=official, county=tree.county, name="曹县农村淘宝运营中心")
    assert center.version == 1

    with pytest.raises(PermissionDenied):
        county_center_create(by=other_official, county=tree.county, name="越权中心")


def test_county_center_must_be_in_a_county_level_division(tree, administrator):
    with pytest.raises(ValidationError) as error:
        county_center_create(by=administrator, county=tree.town, name="镇级中心")
    assert "county" in error.value.message_dict


def test_county_center_stale_version_is_a_conflict(tree, official):
    center = CountyOperationCenterFactory(county=tree.county)
    county_center_update(center=center, by=official, version=1, address="新址")

    with pytest.raises(ConflictError):
        county_center_update(center=center, by=official, version=1, address="旧址")
    center.refresh_from_db()
    assert (center.address, center.version) == ("新址", 2)


def test_county_center_with_service_points_cannot_be_deleted(tree, village, administrator):
    center = CountyOperationCenterFactory(county=tree.county)
    ServicePointFactory(village=village, county_center=center)

    with pytest.raises(ConflictError) as error:
        county_center_delete(center=center, by=administrator)
    assert "village service points" in str(error.value)


def test_service_point_create_sets_its_services_and_history(village, official):
    point = service_point_create(
        by=official,
        code="CX-DL-01",
        name="丁楼村服务站",
        village=village,
        services=["parcel_pickup", "assisted_buying"],
        partner_phone="13912345678",
    )

    assert sorted(point.services.values_list("code", flat=True)) == ["assisted_buying", "parcel_pickup"]
    assert point.history.earliest().history_user == official


def test_service_point_create_refuses_unknown_services_and_writes_nothing(village, official):
    with pytest.raises(ValidationError) as error:
        service_point_create(by=official, code="CX-X", name="站", village=village, services=["teleportation"])

    assert "teleportation" in str(error.value.message_dict["services"])
    assert not ServicePoint.objects.exists()


def test_service_point_rejects_a_partner_phone_that_is_not_a_mainland_mobile(village, official):
    with pytest.raises(ValidationError) as error:
        service_point_create(by=official, code="CX-Y", name="站", village=village, partner_phone="12345")
    assert "partner_phone" in error.value.message_dict


def test_service_point_centre_must_be_in_the_villages_county(tree, village, administrator):
    elsewhere = CountyOperationCenterFactory(county=tree.other_county)

    with pytest.raises(ValidationError) as error:
        service_point_create(by=administrator, code="CX-Z", name="站", village=village, county_center=elsewhere)
    assert "county_center" in error.value.message_dict


def test_service_point_update_replaces_services_and_bumps_the_version(village, official):
    point = ServicePointFactory(village=village)
    point.services.set(["training"])

    updated = service_point_update(point=point, by=official, version=1, services=["bill_payment"], name="新站名")

    assert updated.version == 2 and updated.name == "新站名"
    assert list(updated.services.values_list("code", flat=True)) == ["bill_payment"]


def test_service_point_update_stale_version_keeps_the_services(village, official):
    point = ServicePointFactory(village=village)
    point.services.set(["training"])
    service_point_update(point=point, by=official, version=1, name="改过")

    with pytest.raises(ConflictError):
        service_point_update(point=point, by=official, version=1, services=["bill_payment"])
    assert list(point.services.values_list("code", flat=True)) == ["training"]


def test_reviewer_cannot_change_a_service_point(village, reviewer):
    point = ServicePointFactory(village=village)
    with pytest.raises(PermissionDenied):
        service_point_update(point=point, by=reviewer, version=1, name="审核员改名")


def test_service_point_delete_is_for_administrators_and_recorded(village, official, administrator):
    point = ServicePointFactory(village=village)
    with pytest.raises(PermissionDenied):
        service_point_delete(point=point, by=official)

    point_pk = point.pk
    service_point_delete(point=point, by=administrator)
    assert ServicePoint.history.filter(id=point_pk).latest().history_user == administrator


def test_activity_month_must_be_the_first_day(village, official):
    point = ServicePointFactory(village=village)

    with pytest.raises(ValidationError) as error:
        service_activity_create(by=official, point=point, month=datetime.date(2024, 3, 15))
    assert "first day" in str(error.value.message_dict["month"])


def test_activity_second_row_for_a_month_is_refused(village, official):
    activity = ServiceActivityFactory(point=ServicePointFactory(village=village))

    with pytest.raises(ValidationError):
        service_activity_create(by=official, point=activity.point, month=activity.month)
    assert ServiceActivity.objects.count() == 1


def test_activity_update_is_versioned(village, official):
    activity = ServiceActivityFactory(point=ServicePointFactory(village=village))
    service_activity_update(activity=activity, by=official, version=1, parcels=600)

    with pytest.raises(ConflictError):
        service_activity_update(activity=activity, by=official, version=1, parcels=1)
    activity.refresh_from_db()
    assert activity.parcels == 600
