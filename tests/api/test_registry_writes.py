"""Writes through the API: villages, shops, county centres and service points go through the services,
with jurisdiction (403/404), validation (400) and optimistic concurrency (409 on a stale version)."""

import pytest

from rural_services.models import ServicePoint
from tests.factories import (
    AnnualReportFactory,
    CountyOperationCenterFactory,
    OnlineShopFactory,
    ServicePointFactory,
    VillageFactory,
)
from villages.models import AnnualReport, OnlineShop, Village

pytestmark = pytest.mark.django_db


def test_official_creates_a_village_in_their_county(tree, official, api_for):
    response = api_for(official).post(
        "/api/v1/villages/",
        {"code": "371721121227", "name": "丁楼村", "households": 1200, "latitude": "34.8", "longitude": "115.6"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["code"], body["township"], body["committee_type"], body["version"]) == (
        "371721121227",
        "371721121",
        "village_committee",
        1,
    )
    assert Village.objects.get(code="371721121227").history.first().history_user == official


def test_official_may_not_create_a_village_outside_their_county(tree, official, api_for):
    response = api_for(official).post("/api/v1/villages/", {"code": "320324109227", "name": "x"}, format="json")
    assert response.status_code == 403
    assert not Village.objects.filter(code="320324109227").exists()


def test_anonymous_writes_are_401(tree, anonymous_api):
    assert (
        anonymous_api.post("/api/v1/villages/", {"code": "371721121227", "name": "x"}, format="json").status_code == 401
    )


def test_reviewer_cannot_change_figures(tree, reviewer, api_for):
    village = VillageFactory(township=tree.town)
    response = api_for(reviewer).patch(
        f"/api/v1/villages/{village.code}/", {"households": 5, "version": 1}, format="json"
    )
    assert response.status_code == 403


def test_village_patch_raises_the_version_and_a_stale_version_is_409(tree, official, api_for):
    village = VillageFactory(township=tree.town, households=800)
    client = api_for(official)
    first = client.patch(f"/api/v1/villages/{village.code}/", {"households": 900, "version": 1}, format="json")
    assert first.status_code == 200, first.content
    assert (first.json()["households"], first.json()["version"]) == (900, 2)
    stale = client.patch(f"/api/v1/villages/{village.code}/", {"households": 1000, "version": 1}, format="json")
    assert stale.status_code == 409
    assert "detail" in stale.json()
    village.refresh_from_db()
    assert village.households == 900


def test_patch_without_version_is_400(tree, official, api_for):
    village = VillageFactory(township=tree.town)
    response = api_for(official).patch(f"/api/v1/villages/{village.code}/", {"households": 5}, format="json")
    assert response.status_code == 400
    assert "version" in response.json()


def test_patch_of_a_village_outside_jurisdiction_is_404(tree, official, api_for):
    village = VillageFactory(township=tree.other_town)
    response = api_for(official).patch(f"/api/v1/villages/{village.code}/", {"name": "x", "version": 1}, format="json")
    assert response.status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {"code": "37172112122", "name": "short code"},
        {"code": "371721121227", "name": "x" * 101},
        {"code": "371721121227", "name": "nul\x00"},
        {"code": "３７１７２１１２１２２７", "name": "fullwidth"},
        {"code": "371721121227", "name": "x", "households": 2**40},
        {"code": "371721121227", "name": "x", "households": 0},
        {"code": "371721121227", "name": "x", "latitude": "91", "longitude": "115"},
        {"code": "371721121227", "name": "x", "latitude": "NaN", "longitude": "115"},
        {"code": "371721121227", "name": "x", "urban_rural_code": 999},
    ],
)
def test_bad_village_bodies_are_400(tree, official, api_for, body):
    response = api_for(official).post("/api/v1/villages/", body, format="json")
    assert response.status_code == 400, response.content
    assert not Village.objects.exists()


def test_a_code_under_an_unknown_township_is_outside_an_officials_county_and_a_code_error_for_an_administrator(
    tree, official, administrator, api_for
):
    body = {"code": "999999999227", "name": "no such township"}
    refused = api_for(official).post("/api/v1/villages/", body, format="json")
    assert (refused.status_code, list(refused.json())) == (403, ["detail"])
    invalid = api_for(administrator).post("/api/v1/villages/", body, format="json")
    assert (invalid.status_code, list(invalid.json())) == (400, ["code"])
    assert not Village.objects.exists()


def test_shop_create_patch_delete(tree, official, api_for):
    village = VillageFactory(township=tree.town)
    client = api_for(official)
    created = client.post(
        "/api/v1/shops/",
        {"village": village.code, "platform": "taobao", "platform_shop_id": "tb-9", "name": "汉服小店"},
        format="json",
    )
    assert created.status_code == 201, created.content
    shop_id = created.json()["id"]
    patched = client.patch(f"/api/v1/shops/{shop_id}/", {"category": "汉服", "version": 1}, format="json")
    assert (patched.status_code, patched.json()["category"], patched.json()["version"]) == (200, "汉服", 2)
    assert client.delete(f"/api/v1/shops/{shop_id}/").status_code == 204
    assert not OnlineShop.objects.filter(pk=shop_id).exists()


def test_duplicate_platform_shop_id_is_a_400_validation_error(tree, official, api_for):
    village = VillageFactory(township=tree.town)
    OnlineShopFactory(village=village, platform="tmall", platform_shop_id="tm-1")
    response = api_for(official).post(
        "/api/v1/shops/",
        {"village": village.code, "platform": "tmall", "platform_shop_id": "tm-1", "name": "copy"},
        format="json",
    )
    assert (response.status_code, list(response.json())) == (400, ["__all__"]), response.content
    assert OnlineShop.objects.filter(platform_shop_id="tm-1").count() == 1


def test_shop_in_a_village_the_official_cannot_see_is_400(tree, official, api_for):
    village = VillageFactory(township=tree.other_town)
    response = api_for(official).post(
        "/api/v1/shops/",
        {"village": village.code, "platform": "taobao", "platform_shop_id": "x", "name": "x"},
        format="json",
    )
    assert response.status_code == 400
    assert "village" in response.json()


def test_county_center_create(tree, official, api_for):
    response = api_for(official).post(
        "/api/v1/county-centers/", {"county": "371721", "name": "曹县农村淘宝运营中心"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["county"] == "371721"
    elsewhere = api_for(official).post("/api/v1/county-centers/", {"county": "320324", "name": "x"}, format="json")
    assert elsewhere.status_code == 403


def test_service_point_create_and_patch_services(tree, official, api_for):
    village = VillageFactory(township=tree.town)
    center = CountyOperationCenterFactory(county=tree.county)
    client = api_for(official)
    created = client.post(
        "/api/v1/service-points/",
        {
            "code": "CX-100",
            "name": "丁楼服务站",
            "village": village.code,
            "county_center": center.id,
            "services": ["parcel_pickup"],
            "status": "open",
            "partner_name": "李四",
            "partner_phone": "13912345678",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["services"] == ["parcel_pickup"]
    patched = client.patch(
        "/api/v1/service-points/CX-100/",
        {"services": ["assisted_buying", "training"], "version": 1},
        format="json",
    )
    assert patched.status_code == 200, patched.content
    assert sorted(patched.json()["services"]) == ["assisted_buying", "training"]
    unknown = client.patch(
        "/api/v1/service-points/CX-100/", {"services": ["teleportation"], "version": 2}, format="json"
    )
    assert unknown.status_code == 400


def test_service_point_stale_version_is_409(tree, official, api_for):
    point = ServicePointFactory(village=VillageFactory(township=tree.town))
    ServicePoint.objects.filter(pk=point.pk).update(version=3)
    response = api_for(official).patch(
        f"/api/v1/service-points/{point.code}/", {"name": "x", "version": 2}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["current_version"] == 3


def test_code_change_of_a_village_with_an_approved_report_is_409(tree, official, api_for):
    village = VillageFactory(township=tree.town, code="371721121227")
    AnnualReportFactory(village=village, status=AnnualReport.Status.APPROVED)
    response = api_for(official).patch(
        f"/api/v1/villages/{village.code}/", {"code": "371721121228", "version": 1}, format="json"
    )
    assert response.status_code == 409
