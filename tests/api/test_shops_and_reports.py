"""Contract tests for shops/ and reports/ (API.md): fields, filters and who may read them."""

import pytest

from tests.api.conftest import list_rows
from tests.factories import AnnualReportFactory, OnlineShopFactory, VillageFactory
from villages.models import AnnualReport

pytestmark = pytest.mark.django_db

SHOP_FIELDS = {"id", "village", "platform", "platform_shop_id", "name", "category", "opened_on", "closed_on", "version"}
REPORT_FIELDS = {
    "id",
    "village",
    "year",
    "ecommerce_sales",
    "active_shops",
    "households",
    "status",
    "submitted_at",
    "reviewed_at",
    "review_comment",
    "version",
}


def ids_of(response):
    return [row["id"] for row in list_rows(response)]


def test_shops_need_a_login(tree, anonymous_api):
    OnlineShopFactory(village=VillageFactory(township=tree.town))
    assert anonymous_api.get("/api/v1/shops/").status_code == 401


def test_shop_detail_has_every_contract_field(tree, official, api_for):
    shop = OnlineShopFactory(village=VillageFactory(township=tree.town), platform_shop_id="tb-1", name="曹县汉服")
    body = api_for(official).get(f"/api/v1/shops/{shop.id}/").json()
    assert set(body) >= SHOP_FIELDS
    assert body["village"] == shop.village.code
    assert (body["platform"], body["platform_shop_id"], body["name"]) == ("taobao", "tb-1", "曹县汉服")
    assert body["opened_on"] == "2018-03-01"
    assert body["version"] == 1


def test_shops_outside_jurisdiction_are_404_and_not_listed(tree, official, api_for):
    mine = OnlineShopFactory(village=VillageFactory(township=tree.town))
    elsewhere = OnlineShopFactory(village=VillageFactory(township=tree.other_town))
    client = api_for(official)
    assert ids_of(client.get("/api/v1/shops/")) == [mine.id]
    assert client.get(f"/api/v1/shops/{elsewhere.id}/").status_code == 404


def test_shop_filters_village_county_platform(tree, administrator, api_for):
    cao_village = VillageFactory(township=tree.town)
    taobao = OnlineShopFactory(village=cao_village, platform="taobao")
    tmall = OnlineShopFactory(village=cao_village, platform="tmall")
    shan = OnlineShopFactory(village=VillageFactory(township=tree.second_county_town))
    client = api_for(administrator)
    assert ids_of(client.get("/api/v1/shops/", {"village": cao_village.code})) == [taobao.id, tmall.id]
    assert ids_of(client.get("/api/v1/shops/", {"county": "371722"})) == [shan.id]
    assert ids_of(client.get("/api/v1/shops/", {"platform": "tmall"})) == [tmall.id]


def test_report_detail_has_every_contract_field(tree, official, api_for):
    report = AnnualReportFactory(village=VillageFactory(township=tree.town), year=2023)
    body = api_for(official).get(f"/api/v1/reports/{report.id}/").json()
    assert set(body) >= REPORT_FIELDS
    assert body["village"] == report.village.code
    assert (body["year"], body["ecommerce_sales"], body["active_shops"], body["households"]) == (
        2023,
        12_000_000,
        120,
        800,
    )
    assert body["status"] == "draft"
    assert body["submitted_at"] is None


def test_anonymous_sees_only_approved_reports(tree, anonymous_api):
    village = VillageFactory(township=tree.town)
    approved = AnnualReportFactory(village=village, year=2022, status=AnnualReport.Status.APPROVED)
    draft = AnnualReportFactory(village=village, year=2023)
    assert ids_of(anonymous_api.get("/api/v1/reports/")) == [approved.id]
    assert anonymous_api.get(f"/api/v1/reports/{draft.id}/").status_code == 404


def test_other_official_gets_404_for_a_draft_outside_their_county(tree, other_official, api_for):
    draft = AnnualReportFactory(village=VillageFactory(township=tree.town))
    assert api_for(other_official).get(f"/api/v1/reports/{draft.id}/").status_code == 404


def test_report_filters(tree, administrator, api_for):
    cao = VillageFactory(township=tree.town)
    suining = VillageFactory(township=tree.other_town)
    cao_2022 = AnnualReportFactory(village=cao, year=2022, status=AnnualReport.Status.SUBMITTED)
    cao_2023 = AnnualReportFactory(village=cao, year=2023)
    suining_2023 = AnnualReportFactory(village=suining, year=2023)
    client = api_for(administrator)
    assert ids_of(client.get("/api/v1/reports/", {"village": cao.code})) == [cao_2023.id, cao_2022.id]
    assert ids_of(client.get("/api/v1/reports/", {"county": "320324"})) == [suining_2023.id]
    assert ids_of(client.get("/api/v1/reports/", {"province": "370000"})) == [cao_2023.id, cao_2022.id]
    assert sorted(ids_of(client.get("/api/v1/reports/", {"year": 2023}))) == sorted([cao_2023.id, suining_2023.id])
    assert ids_of(client.get("/api/v1/reports/", {"status": "submitted"})) == [cao_2022.id]
