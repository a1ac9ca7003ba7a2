"""Contract tests for divisions/ and villages/ (API.md): fields, filters, lookups by code and visibility."""

import pytest

from tests.api.conftest import list_rows, make_assessment
from tests.factories import VillageFactory
from villages.models import Division

pytestmark = pytest.mark.django_db

VILLAGE_FIELDS = {
    "code",
    "name",
    "township",
    "county",
    "province",
    "committee_type",
    "households",
    "population",
    "urban_rural_code",
    "latitude",
    "longitude",
    "main_products",
    "version",
    "latest_assessment",
}


def codes_of(response):
    return [row["code"] for row in list_rows(response)]


def test_division_list_is_public_and_paginated_with_the_contract_fields(tree, anonymous_api):
    response = anonymous_api.get("/api/v1/divisions/", {"page_size": 2})
    body = response.json()
    assert set(body) == {"count", "count_is_estimate", "next", "previous", "results"}
    assert body["count"] == 11
    assert body["count_is_estimate"] is False
    assert len(body["results"]) == 2
    assert "cursor=" in body["next"]
    assert set(body["results"][0]) == {"code", "name", "level", "parent", "source"}


def test_division_detail_by_code_names_its_parent(tree, anonymous_api):
    response = anonymous_api.get("/api/v1/divisions/371721/")
    assert response.json() == {
        "code": "371721", "name": "曹县", "level": "county", "parent": "371700", "source": "mca_2025"
    }


def test_a_division_only_the_nbs_list_carries_says_so(tree, anonymous_api):
    Division.objects.create(
        code="371771", name="曹县开发区", level="county", parent=tree.prefecture, source=Division.Source.NBS_2023
    )
    assert anonymous_api.get("/api/v1/divisions/371771/").json()["source"] == "nbs_2023"


def test_division_filters_level_parent_and_search(tree, anonymous_api):
    assert codes_of(anonymous_api.get("/api/v1/divisions/", {"level": "province"})) == ["320000", "370000"]
    assert codes_of(anonymous_api.get("/api/v1/divisions/", {"parent": "371721"})) == ["371721001", "371721121"]
    assert codes_of(anonymous_api.get("/api/v1/divisions/", {"search": "曹县"})) == ["371721"]


def test_unknown_division_code_is_404(tree, anonymous_api):
    assert anonymous_api.get("/api/v1/divisions/999999/").status_code == 404


def test_village_detail_has_every_contract_field(tree, official, api_for):
    village = VillageFactory(township=tree.town, code="371721121227", name="丁楼村", latitude=34.8, longitude=115.6)
    make_assessment(village, 2021, qualified=False)
    make_assessment(village, 2022, qualified=True)
    body = api_for(official).get(f"/api/v1/villages/{village.code}/").json()
    assert set(body) == VILLAGE_FIELDS
    assert body["code"] == "371721121227"
    assert (body["township"], body["county"], body["province"]) == ("371721121", "371721", "370000")
    assert body["committee_type"] == "village_committee"
    assert body["latitude"] == 34.8
    assert body["version"] == 1
    assert body["latest_assessment"] == {"year": 2022, "qualified": True}


def test_village_without_assessment_has_null_latest_assessment(tree, official, api_for):
    village = VillageFactory(township=tree.town)
    assert api_for(official).get(f"/api/v1/villages/{village.code}/").json()["latest_assessment"] is None


def test_committee_type_is_derived_from_the_code(tree, official, api_for):
    VillageFactory(township=tree.town, code="371721121001")
    VillageFactory(township=tree.town, code="371721121450")
    client = api_for(official)
    assert codes_of(client.get("/api/v1/villages/", {"committee_type": "neighbourhood_committee"})) == ["371721121001"]
    assert codes_of(client.get("/api/v1/villages/", {"committee_type": "other"})) == ["371721121450"]


def test_anonymous_sees_only_certified_villages(tree, anonymous_api):
    certified = VillageFactory(township=tree.town)
    uncertified = VillageFactory(township=tree.town)
    make_assessment(certified, 2022, qualified=True)
    make_assessment(uncertified, 2022, qualified=False)
    assert codes_of(anonymous_api.get("/api/v1/villages/")) == [certified.code]
    assert anonymous_api.get(f"/api/v1/villages/{uncertified.code}/").status_code == 404


def test_official_gets_404_for_an_uncertified_village_outside_their_county(tree, official, api_for):
    elsewhere = VillageFactory(township=tree.other_town)
    assert api_for(official).get(f"/api/v1/villages/{elsewhere.code}/").status_code == 404


def test_reviewer_sees_villages_in_their_province_only(tree, reviewer, api_for):
    mine = VillageFactory(township=tree.second_county_town)
    VillageFactory(township=tree.other_town)
    assert codes_of(api_for(reviewer).get("/api/v1/villages/")) == [mine.code]


def test_village_division_filters_take_codes(tree, administrator, api_for):
    cao = VillageFactory(township=tree.town)
    shan = VillageFactory(township=tree.second_county_town)
    suining = VillageFactory(township=tree.other_town)
    client = api_for(administrator)
    assert codes_of(client.get("/api/v1/villages/", {"province": "370000"})) == [cao.code, shan.code]
    assert codes_of(client.get("/api/v1/villages/", {"prefecture": "320300"})) == [suining.code]
    assert codes_of(client.get("/api/v1/villages/", {"county": "371722"})) == [shan.code]
    assert codes_of(client.get("/api/v1/villages/", {"township": "371721121"})) == [cao.code]


def test_village_search_and_certified_in(tree, administrator, api_for):
    dinglou = VillageFactory(township=tree.town, name="丁楼村")
    zhangzhuang = VillageFactory(township=tree.town, name="张庄村")
    make_assessment(dinglou, 2021, qualified=True)
    make_assessment(zhangzhuang, 2022, qualified=True)
    client = api_for(administrator)
    assert codes_of(client.get("/api/v1/villages/", {"search": "丁楼"})) == [dinglou.code]
    assert codes_of(client.get("/api/v1/villages/", {"certified_in": 2022})) == [zhangzhuang.code]


def test_village_search_by_digits_is_a_code_prefix_and_by_text_a_name_search(tree, administrator, api_for):
    town = VillageFactory(township=tree.town, code="371721121227", name="丁楼村")
    subdistrict = VillageFactory(township=tree.subdistrict, code="371721001201", name="村头村")
    elsewhere = VillageFactory(township=tree.other_town, code="320324109201", name="东风村")
    client = api_for(administrator)

    def found(term):
        return codes_of(client.get("/api/v1/villages/", {"search": term}))

    assert found("371721") == [subdistrict.code, town.code]
    assert found("371721121") == [town.code]
    assert found("3203") == [elsewhere.code]
    assert found("楼村") == [town.code]
    assert found("村") == [subdistrict.code]
    assert found("丁") == [town.code]
    assert found("9") == []


def test_a_one_character_search_of_divisions_finds_the_names_that_start_with_it(tree, anonymous_api):
    assert codes_of(anonymous_api.get("/api/v1/divisions/", {"search": "曹"})) == ["371721", "371721001"]
    assert codes_of(anonymous_api.get("/api/v1/divisions/", {"search": "县"})) == []
    assert codes_of(anonymous_api.get("/api/v1/divisions/", {"search": "371721"})) == [
        "371721",
        "371721001",
        "371721121",
    ]


def test_village_geojson_lists_certified_villages_with_coordinates(tree, anonymous_api):
    mapped = VillageFactory(township=tree.town, latitude=34.8, longitude=115.6)
    unmapped = VillageFactory(township=tree.town)
    uncertified = VillageFactory(township=tree.town, latitude=34.9, longitude=115.7)
    make_assessment(mapped, 2022, qualified=True)
    make_assessment(unmapped, 2022, qualified=True)
    make_assessment(uncertified, 2022, qualified=False)
    body = anonymous_api.get("/api/v1/villages/geojson/").json()
    assert body["type"] == "FeatureCollection"
    assert body["features"] == [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [115.6, 34.8]},
            "properties": {
                "code": mapped.code,
                "name": mapped.name,
                "county": "371721",
                "committee_type": "village_committee",
            },
        }
    ]


def test_village_geojson_takes_the_village_filters(tree, anonymous_api):
    village = VillageFactory(township=tree.town, latitude=34.8, longitude=115.6)
    make_assessment(village, 2022, qualified=True)
    assert anonymous_api.get("/api/v1/villages/geojson/", {"county": "320324"}).json()["features"] == []
    assert anonymous_api.get("/api/v1/villages/geojson/", {"county": "12"}).status_code == 400
