"""Contract tests for assessments/, criteria/, taobao-towns/ and clusters/: public, with the contract fields."""

import pytest

from tests.api.conftest import list_rows, make_assessment
from tests.factories import TaobaoTownFactory, VillageClusterFactory, VillageFactory

pytestmark = pytest.mark.django_db


def test_assessment_fields_and_checks(tree, anonymous_api):
    village = VillageFactory(township=tree.town)
    make_assessment(village, 2022, qualified=True, status_change="new")
    [row] = list_rows(anonymous_api.get("/api/v1/assessments/"))
    assert set(row) >= {"village", "year", "qualified", "score", "criteria_version", "checks", "status_change"}
    assert (row["village"], row["year"], row["qualified"], row["score"]) == (village.code, 2022, True, 100.0)
    assert row["criteria_version"] == "AliResearch 2020 onward"
    assert row["status_change"] == "new"
    assert [check["key"] for check in row["checks"]] == ["location", "sales", "shops"]
    assert set(row["checks"][1]) >= {"key", "passed", "actual", "required", "gap"}


def test_assessment_filters(tree, anonymous_api):
    cao = VillageFactory(township=tree.town)
    suining = VillageFactory(township=tree.other_town)
    make_assessment(cao, 2021, qualified=False)
    make_assessment(cao, 2022, qualified=True)
    make_assessment(suining, 2022, qualified=False)

    def pairs(params):
        return [(row["village"], row["year"]) for row in list_rows(anonymous_api.get("/api/v1/assessments/", params))]

    assert sorted(pairs({"year": 2022})) == sorted([(cao.code, 2022), (suining.code, 2022)])
    assert pairs({"qualified": "true"}) == [(cao.code, 2022)]
    assert sorted(pairs({"qualified": "false"})) == sorted([(cao.code, 2021), (suining.code, 2022)])
    assert pairs({"province": "320000"}) == [(suining.code, 2022)]
    assert pairs({"county": "371721", "year": 2021}) == [(cao.code, 2021)]
    assert sorted(pairs({"village": cao.code})) == [(cao.code, 2021), (cao.code, 2022)]


def test_criteria_versions_are_public_with_thresholds_and_years(anonymous_api, db):
    rows = list_rows(anonymous_api.get("/api/v1/criteria/"))
    assert [(row["first_year"], row["last_year"]) for row in rows] == [(2009, 2018), (2019, 2019), (2020, None)]
    current = rows[-1]
    assert current["village_min_sales"] == 10_000_000
    assert current["village_min_active_shops"] == 100
    assert current["village_min_household_share"] == 0.1
    assert current["eligible_committee_types"] == ["village_committee"]


def test_taobao_towns_by_year(tree, anonymous_api):
    TaobaoTownFactory(township=tree.town, year=2022, taobao_villages=12, ecommerce_sales=400_000_000, active_shops=3000)
    TaobaoTownFactory(township=tree.town, year=2021, route="scale", taobao_villages=2, active_shops=400)
    [row] = list_rows(anonymous_api.get("/api/v1/taobao-towns/", {"year": 2022}))
    assert set(row) >= {"township", "year", "taobao_villages", "ecommerce_sales", "active_shops", "route"}
    assert (row["township"], row["taobao_villages"], row["route"]) == ("371721121", 12, "villages")


def test_clusters_by_year(anonymous_api, db):
    VillageClusterFactory(year=2019, size_class="super_large", village_count=113, counties=["371721"])
    VillageClusterFactory(year=2018, village_count=11, counties=["320324"])
    [row] = list_rows(anonymous_api.get("/api/v1/clusters/", {"year": 2019}))
    assert set(row) >= {"id", "year", "size_class", "village_count", "counties"}
    assert (row["size_class"], row["village_count"], row["counties"]) == ("super_large", 113, ["371721"])
