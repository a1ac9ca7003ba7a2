"""Contract tests for stats/yearly/ and the what-if endpoint POST criteria/simulate/."""

import pytest

from tests.factories import AnnualReportFactory, VillageFactory
from villages.models import AnnualReport
from villages.services.certification import report_assess

pytestmark = pytest.mark.django_db


def approved_and_scored(village, year, *, ecommerce_sales, active_shops=120):
    report = AnnualReportFactory(
        village=village,
        year=year,
        ecommerce_sales=ecommerce_sales,
        active_shops=active_shops,
        status=AnnualReport.Status.APPROVED,
    )
    return report_assess(report=report)


def test_yearly_statistics_beside_the_published_series(tree, anonymous_api):
    approved_and_scored(VillageFactory(township=tree.town), 2022, ecommerce_sales=12_000_000)
    approved_and_scored(VillageFactory(township=tree.town), 2022, ecommerce_sales=2_000_000)
    response = anonymous_api.get("/api/v1/stats/yearly/", {"page_size": 500})
    assert response.status_code == 200
    rows = {row["year"]: row for row in response.json()["results"]}
    assert set(rows[2022]) == {
        "year",
        "taobao_villages",
        "taobao_towns",
        "published_taobao_villages",
        "published_taobao_towns",
    }
    assert rows[2022]["taobao_villages"] == 1
    assert rows[2022]["published_taobao_villages"] == 7780
    assert rows[2018]["published_taobao_towns"] == 363
    assert rows[2018]["taobao_villages"] == 0


def test_what_if_counts_qualifying_gained_and_lost_per_province(tree, official, api_for):
    approved_and_scored(VillageFactory(township=tree.town), 2022, ecommerce_sales=12_000_000)
    approved_and_scored(VillageFactory(township=tree.town), 2022, ecommerce_sales=8_000_000)
    approved_and_scored(VillageFactory(township=tree.other_town), 2022, ecommerce_sales=9_500_000)
    response = api_for(official).post(
        "/api/v1/criteria/simulate/", {"year": 2022, "village_min_sales": 9_000_000}, format="json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["year"] == 2022
    assert body["criteria_version"] == "AliResearch 2020 onward"
    assert body["total"] == {"qualifying_now": 1, "qualifying": 2, "gained": 1, "lost": 0}
    assert body["provinces"] == [
        {"province": "320000", "qualifying_now": 0, "qualifying": 1, "gained": 1, "lost": 0},
        {"province": "370000", "qualifying_now": 1, "qualifying": 1, "gained": 0, "lost": 0},
    ]


def test_what_if_with_stricter_shops_loses_villages(tree, official, api_for):
    approved_and_scored(VillageFactory(township=tree.town), 2022, ecommerce_sales=12_000_000, active_shops=120)
    response = api_for(official).post(
        "/api/v1/criteria/simulate/",
        {"year": 2022, "village_min_active_shops": 200, "village_min_household_share": "0.5"},
        format="json",
    )
    assert response.json()["total"] == {"qualifying_now": 1, "qualifying": 0, "gained": 0, "lost": 1}


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"year": 1999},
        {"year": 2022, "village_min_sales": -1},
        {"year": 2022, "village_min_sales": 10**30},
        {"year": 2022, "village_min_household_share": "1.5"},
        {"year": 2022, "village_min_household_share": "NaN"},
        {"year": 2022, "eligible_committee_types": ["castle"]},
        {"year": "２０２２\x00"},
    ],
)
def test_what_if_refuses_bad_thresholds(official, api_for, body):
    assert api_for(official).post("/api/v1/criteria/simulate/", body, format="json").status_code == 400


def test_what_if_needs_a_login(anonymous_api, db):
    assert anonymous_api.post("/api/v1/criteria/simulate/", {"year": 2022}, format="json").status_code == 401
