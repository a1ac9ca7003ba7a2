"""Taobao towns (both routes, subdistricts by year) and clusters (linkage, size classes), pure and through services."""

import dataclasses

import pytest

from tests.factories import AnnualReportFactory, VillageFactory
from villages.models import AnnualReport, CriteriaSet, TaobaoTown, VillageCluster
from villages.scoring import (
    ClusterCriteria,
    ClusterMember,
    TownCriteria,
    TownInputs,
    cluster_size_class,
    haversine_km,
    link_villages,
    town_route,
)
from villages.services.certification import report_assess

TOWNS_2018 = TownCriteria(
    min_taobao_villages=3, scale_route=False, sales_over=None, active_shops_over=None, subdistricts_can_be_towns=True
)
TOWNS_2019 = TownCriteria(
    min_taobao_villages=3,
    scale_route=True,
    sales_over=30_000_000,
    active_shops_over=300,
    subdistricts_can_be_towns=True,
)
# From 2020 the same thresholds hold, but a subdistrict (街道) no longer counts as a town.
TOWNS_2020 = dataclasses.replace(TOWNS_2019, subdistricts_can_be_towns=False)
DAJI_TOWN = "371721121"
JIANGDONG_SUBDISTRICT = "330782002"
CLUSTERS = ClusterCriteria(min_villages=10, large_min_villages=30, super_large_over_villages=100)


def township(code=DAJI_TOWN, villages=0, sales=0, shops=0):
    return TownInputs(township_code=code, taobao_villages=villages, ecommerce_sales=sales, active_shops=shops)


def test_three_taobao_villages_make_a_town_and_two_do_not():
    assert town_route(TOWNS_2018, township(villages=3)) == "villages"
    assert town_route(TOWNS_2018, township(villages=2, sales=90_000_000, shops=900)) is None


def test_the_2019_scale_route_needs_strictly_more_than_30_million_and_300_shops():
    assert town_route(TOWNS_2019, township(sales=30_000_001, shops=301)) == "scale"
    assert town_route(TOWNS_2019, township(sales=30_000_000, shops=301)) is None
    assert town_route(TOWNS_2019, township(sales=30_000_001, shops=300)) is None
    assert town_route(TOWNS_2019, township(sales=30_000_000, shops=300)) is None


def test_the_villages_route_wins_when_both_hold():
    assert town_route(TOWNS_2019, township(villages=5, sales=90_000_000, shops=900)) == "villages"


def test_a_subdistrict_can_be_a_town_in_2019_but_not_from_2020():
    subdistrict = township(code=JIANGDONG_SUBDISTRICT, villages=4, sales=90_000_000, shops=900)
    assert town_route(TOWNS_2019, subdistrict) == "villages"
    assert town_route(TOWNS_2020, subdistrict) is None
    assert town_route(TOWNS_2020, township(villages=4)) == "villages"


@pytest.mark.parametrize(
    ("count", "size_class"),
    [(9, None), (10, "cluster"), (29, "cluster"), (30, "large"), (100, "large"), (101, "super_large")],
)
def test_cluster_size_classes_at_their_thresholds(count, size_class):
    assert cluster_size_class(CLUSTERS, count) == size_class


def test_haversine_one_degree_of_latitude_is_about_111_km():
    assert haversine_km(35.0, 115.0, 36.0, 115.0) == pytest.approx(111.19, abs=0.05)


def chain(count, step_km, *, latitude=35.0, longitude=115.0, prefix="v"):
    """Villages on a west-east line, each `step_km` from the last, each in its own township."""
    degrees = step_km / haversine_km(latitude, 0.0, latitude, 1.0)
    return [
        ClusterMember(f"{prefix}{i}", f"{prefix}-township-{i}", latitude, longitude + i * degrees)
        for i in range(count)
    ]


def test_villages_link_in_a_chain_even_when_the_ends_are_far_apart():
    groups = link_villages(chain(12, 4.0), link_km=5.0)
    assert len(groups) == 1
    assert len(groups[0]) == 12


def test_a_gap_wider_than_the_link_distance_splits_the_chain():
    west = chain(10, 4.0)
    east = chain(10, 4.0, longitude=115.6, prefix="e")  # about 55 km further east
    groups = link_villages(west + east, link_km=5.0)
    assert sorted(len(group) for group in groups) == [10, 10]


def test_villages_5_1_km_apart_do_not_link_and_4_9_km_apart_do():
    assert len(link_villages(chain(2, 5.1), link_km=5.0)) == 2
    assert len(link_villages(chain(2, 4.9), link_km=5.0)) == 1


def test_villages_in_one_township_link_without_coordinates():
    members = [ClusterMember(i, DAJI_TOWN) for i in range(3)] + [ClusterMember(9, "371722102")]
    assert sorted(len(group) for group in link_villages(members, link_km=5.0)) == [1, 3]


def test_a_township_links_a_located_village_to_a_far_one():
    members = [
        ClusterMember("a", DAJI_TOWN, 35.0, 115.0),
        ClusterMember("b", DAJI_TOWN),
        ClusterMember("c", "other", 35.0, 115.04),  # 3.6 km east of a
    ]
    assert link_villages(members, link_km=5.0) == [["a", "b", "c"]]


def test_linking_compares_only_neighbouring_grid_cells(monkeypatch):
    """Spread villages over a wide area: the distance function runs far fewer than n² times."""
    import villages.scoring as scoring_module

    calls = 0
    real = scoring_module.haversine_km

    def counting(*args):
        nonlocal calls
        calls += 1
        return real(*args)

    monkeypatch.setattr(scoring_module, "haversine_km", counting)
    members = [
        ClusterMember(i, f"t{i}", 25.0 + (i % 40) * 0.5, 100.0 + (i // 40) * 0.5) for i in range(1600)
    ]
    link_villages(members, link_km=5.0)
    assert calls < 1600 * 10


def test_a_chain_of_qualified_villages_across_townships_and_counties_forms_one_cluster(tree):
    townships = [tree.town, tree.subdistrict, tree.second_county_town]
    step = 4.0 / haversine_km(35.0, 0.0, 35.0, 1.0)
    for i in range(12):
        village = VillageFactory(township=townships[i % 3], latitude=35.0, longitude=round(115.0 + i * step, 6))
        report = AnnualReportFactory(village=village, year=2023, status=AnnualReport.Status.APPROVED)
        report_assess(report=report)

    cluster = VillageCluster.objects.get(year=2023)
    assert cluster.village_count == 12
    assert cluster.size_class == "cluster"
    assert cluster.counties == ["371721", "371722"]


def test_large_cluster_threshold_comes_from_the_criteria_version(tree):
    CriteriaSet.objects.filter(first_year=2020).update(cluster_min_villages=2, cluster_large_min_villages=3)
    reports = [
        AnnualReportFactory(village=VillageFactory(township=tree.town), year=2023, status=AnnualReport.Status.APPROVED)
        for _ in range(3)
    ]
    for report in reports:
        report_assess(report=report)

    assert VillageCluster.objects.get().size_class == "large"


def test_a_subdistrict_with_three_taobao_villages_is_a_town_in_2019_but_not_in_2020(tree):
    villages = [VillageFactory(township=tree.subdistrict) for _ in range(3)]
    for year in (2019, 2020):
        for village in villages:
            report_assess(
                report=AnnualReportFactory(village=village, year=year, status=AnnualReport.Status.APPROVED)
            )

    assert list(TaobaoTown.objects.values_list("township_id", "year", "route")) == [
        (tree.subdistrict.code, 2019, "villages")
    ]


def test_a_town_qualifies_by_scale_in_2019_on_its_villages_sums(tree):
    # Two Taobao villages are too few for the villages route; together they sell RMB 31M with 302 shops.
    figures = {"ecommerce_sales": 15_500_000, "active_shops": 151, "households": 5000}
    for _ in range(2):
        report_assess(
            report=AnnualReportFactory(
                village=VillageFactory(township=tree.town), year=2019, status=AnnualReport.Status.APPROVED, **figures
            )
        )

    town = TaobaoTown.objects.get()
    assert (town.route, town.taobao_villages, town.ecommerce_sales, town.active_shops) == (
        "scale",
        2,
        31_000_000,
        302,
    )
