"""While Taobao villages of the year lack coordinates, an approval still relinks only around its village: those
villages stand at their township's representative point, and the result equals a full rebuild."""

import math
import random
from decimal import Decimal

import pytest

from tests.factories import AnnualReportFactory, DivisionFactory, VillageFactory
from villages.models import AnnualReport, CriteriaSet, TownshipPoint, VillageCluster
from villages.scoring import KM_PER_DEGREE_LATITUDE
from villages.services import certification
from villages.services.certification import report_assess
from villages.services.reports import report_approve, report_reopen, report_submit

pytestmark = pytest.mark.django_db
YEAR = 2023
FAILING = {"ecommerce_sales": 1_000_000}
FULL_REBUILD = certification.clusters_refresh


def east_of(kilometres, latitude=35.0, longitude=115.0):
    return round(longitude + kilometres / (KM_PER_DEGREE_LATITUDE * math.cos(math.radians(latitude))), 6)


@pytest.fixture
def township_of(tree):
    numbers = iter(range(301, 999))

    def township():
        return DivisionFactory(code=f"371721{next(numbers)}", level="township", parent=tree.county)

    return township


@pytest.fixture(autouse=True)
def small_clusters(db):
    """Clusters from 3 villages (large from 6, super-large over 10), so that a few villages make one."""
    CriteriaSet.objects.filter(first_year=2020).update(
        cluster_min_villages=3, cluster_large_min_villages=6, cluster_super_large_over_villages=10
    )


@pytest.fixture
def no_full_rebuild(monkeypatch):
    """Any call of the year's full rebuild during a step fails the test; the comparison calls it directly."""

    def refuse(**kwargs):
        raise AssertionError("the whole year's clusters were rebuilt")

    monkeypatch.setattr(certification, "clusters_refresh", refuse)


def stored_clusters():
    return {
        (
            frozenset(cluster.villages.values_list("pk", flat=True)),
            cluster.size_class,
            cluster.village_count,
            tuple(cluster.counties),
            cluster.approximate_villages,
        )
        for cluster in VillageCluster.objects.filter(year=YEAR)
    }


def rebuilt_clusters():
    FULL_REBUILD(year=YEAR, criteria_set=CriteriaSet.objects.get(first_year=2020))
    return stored_clusters()


def submitted(village, **figures):
    return AnnualReportFactory(village=village, year=YEAR, status=AnnualReport.Status.SUBMITTED, **figures)


def approved(village):
    report_assess(report=AnnualReportFactory(village=village, year=YEAR, status=AnnualReport.Status.APPROVED))


def test_a_village_without_coordinates_joins_the_cluster_at_its_townships_point_without_a_full_rebuild(
    township_of, official, reviewer, no_full_rebuild
):
    west, east = township_of(), township_of()
    TownshipPoint.objects.create(township=west, latitude=Decimal("35.0"), longitude=Decimal("115.0"))
    located = [
        VillageFactory(township=east, latitude=Decimal("35.0"), longitude=Decimal(str(east_of(3 + step))))
        for step in range(2)
    ]
    for village in located:
        approved(village)
    unlocated = VillageFactory(township=west)
    assert stored_clusters() == set()

    report_approve(report=submitted(unlocated), by=reviewer)

    incremental = stored_clusters()
    assert incremental == {(frozenset([*(v.pk for v in located), unlocated.pk]), "cluster", 3, ("371721",), 1)}
    assert incremental == rebuilt_clusters()


def test_the_approval_keeps_the_clusters_elsewhere_untouched_and_its_queries_do_not_grow_with_the_year(
    township_of, reviewer, django_assert_max_num_queries, no_full_rebuild
):
    """A far-away approximate cluster keeps its row; the step costs the same with one or four such clusters."""

    def far_cluster(index):
        township = township_of()
        TownshipPoint.objects.create(
            township=township, latitude=Decimal(str(30 + index)), longitude=Decimal("110.0")
        )
        for _ in range(3):
            approved(VillageFactory(township=township))

    def near_step():
        township = township_of()
        TownshipPoint.objects.create(township=township, latitude=Decimal("35.0"), longitude=Decimal("115.0"))
        village = VillageFactory(township=township)
        return submitted(village)

    far_cluster(0)
    kept = set(VillageCluster.objects.values_list("pk", flat=True))
    first = near_step()
    with django_assert_max_num_queries(40) as captured:
        report_approve(report=first, by=reviewer)
    few = len(captured.captured_queries)
    assert kept <= set(VillageCluster.objects.values_list("pk", flat=True))

    for index in range(1, 4):
        far_cluster(index)
    kept = set(VillageCluster.objects.values_list("pk", flat=True))
    second = near_step()
    with django_assert_max_num_queries(few):
        report_approve(report=second, by=reviewer)
    assert set(VillageCluster.objects.values_list("pk", flat=True)) == kept  # nothing rebuilt, no new cluster
    assert stored_clusters() == rebuilt_clusters()


def test_a_loss_splits_an_approximate_cluster_locally(township_of, official, reviewer, no_full_rebuild):
    west, middle, east = township_of(), township_of(), township_of()
    for township, kilometres in ((west, 0), (middle, 4), (east, 8)):
        TownshipPoint.objects.create(
            township=township, latitude=Decimal("35.0"), longitude=Decimal(str(east_of(kilometres)))
        )
    for township in (west, east):
        for _ in range(3):
            approved(VillageFactory(township=township))
    bridge = submitted(VillageFactory(township=middle))
    report_approve(report=bridge, by=reviewer)
    assert [size for _ids, _class, size, _counties, _approx in stored_clusters()] == [7]

    report_reopen(report=bridge, by=reviewer, comment="复核")

    incremental = stored_clusters()
    assert sorted(size for _ids, _class, size, _counties, approximate in incremental if size == approximate) == [3, 3]
    assert incremental == rebuilt_clusters()


def test_local_relinking_with_many_villages_without_coordinates_equals_the_full_rebuild(
    township_of, official, reviewer, no_full_rebuild
):
    """Random approvals, reopenings and re-approvals; a third of the villages have no coordinates (their township
    has an entered point, the mean of its located villages, or neither); after every step the stored clusters,
    with their count of approximately placed villages, are what the full rebuild gives."""
    chance = random.Random(15)
    reports = []
    for centre_latitude, centre_longitude in ((35.0, 115.0), (35.08, 115.1)):
        townships = [township_of() for _ in range(5)]
        for township in townships[:2]:
            distance = chance.uniform(0, 8)
            TownshipPoint.objects.create(
                township=township,
                latitude=Decimal(str(round(centre_latitude + distance / KM_PER_DEGREE_LATITUDE, 6))),
                longitude=Decimal(str(centre_longitude)),
            )
        for _ in range(14):
            distance, bearing = chance.uniform(0, 10), chance.uniform(0, 2 * math.pi)
            latitude = round(centre_latitude + distance * math.cos(bearing) / KM_PER_DEGREE_LATITUDE, 6)
            longitude = east_of(distance * math.sin(bearing), latitude, centre_longitude)
            township = chance.choice(townships)
            if chance.random() < 0.35:
                village = VillageFactory(township=township)
            else:
                village = VillageFactory(
                    township=township, latitude=Decimal(str(latitude)), longitude=Decimal(str(longitude))
                )
            reports.append(submitted(village, **(FAILING if chance.random() < 0.15 else {})))
    chance.shuffle(reports)

    steps = [("approve", report) for report in reports]
    steps += [("reopen", report) for report in chance.sample(reports, 10)]
    steps += [("approve again", report) for report in chance.sample(reports, 20)]
    for action, report in steps:
        report.refresh_from_db()
        if action == "reopen" and report.status == AnnualReport.Status.APPROVED:
            report_reopen(report=report, by=reviewer, comment="复核")
        elif action == "approve again" and report.status == AnnualReport.Status.RETURNED:
            report_submit(report=report, by=official)
            report_approve(report=report, by=reviewer)
        elif action == "approve":
            report_approve(report=report, by=reviewer)
        incremental = stored_clusters()
        assert incremental == rebuilt_clusters(), (action, report.village_id)

    assert any(approximate for *_rest, approximate in stored_clusters())
