"""Contract tests for county-centers/ and service-points/: fields, filters, and partner data only in scope."""

import pytest

from rural_services.models import CountyOperationCenter, ServiceKind, ServicePoint
from tests.api.conftest import list_rows
from tests.factories import CountyOperationCenterFactory, ServicePointFactory, VillageFactory

pytestmark = pytest.mark.django_db

POINT_FIELDS = {
    "code",
    "name",
    "village",
    "county_center",
    "services",
    "status",
    "opened_on",
    "closed_on",
    "latitude",
    "longitude",
    "partner_name",
    "partner_phone",
}


def codes_of(response):
    return [row["code"] for row in list_rows(response)]


def test_county_center_fields_and_public_open_only(tree, anonymous_api, official, api_for):
    open_center = CountyOperationCenterFactory(county=tree.county)
    planned = CountyOperationCenterFactory(county=tree.county, status=CountyOperationCenter.Status.PLANNED)
    body = anonymous_api.get("/api/v1/county-centers/").json()
    assert [row["id"] for row in body["results"]] == [open_center.id]
    assert set(body["results"][0]) >= {"id", "county", "name", "address", "opened_on", "closed_on", "status"}
    assert body["results"][0]["county"] == "371721"
    official_ids = [row["id"] for row in api_for(official).get("/api/v1/county-centers/").json()["results"]]
    assert sorted(official_ids) == sorted([open_center.id, planned.id])


def test_service_point_detail_by_code_with_partner_for_official_in_scope(tree, official, api_for):
    center = CountyOperationCenterFactory(county=tree.county)
    point = ServicePointFactory(
        code="CX-001", village=VillageFactory(township=tree.town), county_center=center, latitude=34.8, longitude=115.6
    )
    point.services.set(ServiceKind.objects.filter(code__in=["parcel_pickup", "assisted_buying"]))
    body = api_for(official).get("/api/v1/service-points/CX-001/").json()
    assert set(body) >= POINT_FIELDS
    assert body["village"] == point.village.code
    assert body["county_center"] == center.id
    assert sorted(body["services"]) == ["assisted_buying", "parcel_pickup"]
    assert (body["partner_name"], body["partner_phone"]) == ("张三", "13812345678")


@pytest.mark.parametrize("who", ["anonymous", "other_official"])
def test_partner_details_are_hidden_without_jurisdiction(tree, anonymous_api, other_official, api_for, who):
    ServicePointFactory(code="CX-002", village=VillageFactory(township=tree.town))
    client = anonymous_api if who == "anonymous" else api_for(other_official)
    body = client.get("/api/v1/service-points/CX-002/").json()
    assert body["partner_name"] is None
    assert body["partner_phone"] is None
    listed = client.get("/api/v1/service-points/").json()["results"]
    assert [(row["partner_name"], row["partner_phone"]) for row in listed] == [(None, None)]


def test_closed_point_outside_jurisdiction_is_404(tree, other_official, api_for, anonymous_api):
    ServicePointFactory(code="CX-003", village=VillageFactory(township=tree.town), status=ServicePoint.Status.CLOSED)
    assert api_for(other_official).get("/api/v1/service-points/CX-003/").status_code == 404
    assert anonymous_api.get("/api/v1/service-points/CX-003/").status_code == 404


def test_service_point_filters(tree, administrator, api_for):
    cao_village = VillageFactory(township=tree.town)
    parcels = ServicePointFactory(village=cao_village)
    parcels.services.add(ServiceKind.objects.get(code="parcel_pickup"))
    suspended = ServicePointFactory(village=cao_village, status=ServicePoint.Status.SUSPENDED)
    suining = ServicePointFactory(village=VillageFactory(township=tree.other_town))
    client = api_for(administrator)
    assert codes_of(client.get("/api/v1/service-points/", {"county": "320324"})) == [suining.code]
    assert codes_of(client.get("/api/v1/service-points/", {"village": cao_village.code})) == [
        parcels.code,
        suspended.code,
    ]
    assert codes_of(client.get("/api/v1/service-points/", {"status": "suspended"})) == [suspended.code]
    assert codes_of(client.get("/api/v1/service-points/", {"service": "parcel_pickup"})) == [parcels.code]
    assert client.get("/api/v1/service-points/", {"service": "teleportation"}).status_code == 400


def test_service_point_geojson_is_scoped(tree, anonymous_api):
    village = VillageFactory(township=tree.town)
    ServicePointFactory(code="OPEN-1", village=village, latitude=34.8, longitude=115.6)
    ServicePointFactory(code="PLAN-1", village=village, latitude=34.9, longitude=115.7, status="planned")
    ServicePointFactory(code="NOWHERE", village=village)
    body = anonymous_api.get("/api/v1/service-points/geojson/").json()
    assert body["type"] == "FeatureCollection"
    assert [feature["properties"]["code"] for feature in body["features"]] == ["OPEN-1"]
    assert body["features"][0]["geometry"] == {"type": "Point", "coordinates": [115.6, 34.8]}
    assert "partner_name" not in body["features"][0]["properties"]


def test_county_center_filters_take_division_codes(tree, administrator, api_for):
    cao = CountyOperationCenterFactory(county=tree.county)
    suining = CountyOperationCenterFactory(county=tree.other_county)
    client = api_for(administrator)

    def ids(params):
        return [row["id"] for row in client.get("/api/v1/county-centers/", params).json()["results"]]

    assert ids({"county": "371721"}) == [cao.id]
    assert ids({"province": "320000"}) == [suining.id]
    assert sorted(ids({"status": "open"})) == sorted([cao.id, suining.id])
