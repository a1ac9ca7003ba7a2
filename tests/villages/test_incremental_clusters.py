"""One approval relinks only the clusters around its village, to the same clusters a full rebuild gives."""

import math
import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import AnnualReportFactory, DivisionFactory, VillageFactory
from villages.models import AnnualReport, CriteriaSet, VillageCluster
from villages.scoring import KM_PER_DEGREE_LATITUDE
from villages.services.certification import clusters_refresh, report_assess
from villages.services.reports import report_approve, report_reopen, report_submit

pytestmark = pytest.mark.django_db

YEAR = 2023
STEP_KM = 4.0  # below the 5 km link distance
FAILING = {"ecommerce_sales": 1_000_000}
# The review step around the assessment: the reviewer's role (2, once per user), the claim (the conditional
# UPDATE, which writes the step too: the row in hand is the stored one) and the record (history, event: 2); in a
# test, report_approve's atomic block is a SAVEPOINT and a RELEASE.
REVIEW_STEP = 2 + 1 + 2 + 2
# The assessment's own: criteria, one read of the village's years, the platforms' figures beside the
# declaration, the assessment, its certificate (one insert or revocation), the township's sums (no write when it
# neither was nor becomes a town), the version bump...
ASSESSMENT = 7
# ...and the clusters: the walk (one query a step: here one, since the villages it reaches are in a stored
# cluster, which is taken whole), the kept cluster's UPDATE and the new membership.
JOIN = 3
# A merge hands the other cluster's memberships over and deletes its row.
MERGE = JOIN + 2
# A reopening: the withdrawn row's delete, the township's own approved report (its last assessed village
# went) and the town's delete; the cluster's members, the kept piece's UPDATE, the leaving memberships, the new
# cluster and its memberships.
SPLIT = 3 + 5


@pytest.fixture
def township_of(tree):
    """A new township of Cao County per call, so that villages link by distance alone."""
    numbers = iter(range(301, 999))

    def township():
        return DivisionFactory(code=f"371721{next(numbers)}", level="township", parent=tree.county)

    return township


def located_village(township, latitude, longitude):
    return VillageFactory(township=township, latitude=round(latitude, 6), longitude=round(longitude, 6))


def east_of(kilometres, latitude=35.0, longitude=115.0):
    return longitude + kilometres / (KM_PER_DEGREE_LATITUDE * math.cos(math.radians(latitude)))


def qualified_chain(township_of, count, *, start_km=0.0):
    """`count` Taobao villages on a west-east line, STEP_KM apart, each in its own township."""
    villages = [located_village(township_of(), 35.0, east_of(start_km + i * STEP_KM)) for i in range(count)]
    for village in villages:
        report_assess(report=AnnualReportFactory(village=village, year=YEAR, status=AnnualReport.Status.APPROVED))
    return villages


def submitted(village, **figures):
    return AnnualReportFactory(village=village, year=YEAR, status=AnnualReport.Status.SUBMITTED, **figures)


def stored_clusters():
    return {
        (frozenset(cluster.villages.values_list("pk", flat=True)), cluster.size_class, cluster.village_count,
         tuple(cluster.counties))
        for cluster in VillageCluster.objects.filter(year=YEAR)
    }


def rebuilt_clusters():
    clusters_refresh(year=YEAR, criteria_set=CriteriaSet.objects.get(first_year=2020))
    return stored_clusters()


def cluster_sizes():
    return sorted(VillageCluster.objects.filter(year=YEAR).values_list("village_count", flat=True))


def test_an_approval_that_leaves_the_status_unchanged_does_not_touch_the_clusters(
    township_of, reviewer, django_assert_max_num_queries
):
    chain = qualified_chain(township_of, 10)
    before = stored_clusters()
    failing = submitted(located_village(township_of(), 35.0, east_of(10 * STEP_KM)), **FAILING)

    with CaptureQueriesContext(connection) as queries, django_assert_max_num_queries(REVIEW_STEP + ASSESSMENT):
        report_approve(report=failing, by=reviewer)

    assert not any("villagecluster" in query["sql"] for query in queries.captured_queries)
    assert stored_clusters() == before
    assert cluster_sizes() == [len(chain)]


def test_an_approval_that_joins_an_existing_cluster(township_of, reviewer, django_assert_max_num_queries):
    qualified_chain(township_of, 10)
    cluster_id = VillageCluster.objects.get().pk
    joining = submitted(located_village(township_of(), 35.0, east_of(10 * STEP_KM)))

    with django_assert_max_num_queries(REVIEW_STEP + ASSESSMENT + JOIN):
        report_approve(report=joining, by=reviewer)

    assert cluster_sizes() == [11]
    assert VillageCluster.objects.get().pk == cluster_id
    assert stored_clusters() == rebuilt_clusters()


def test_an_approval_that_merges_two_clusters(township_of, reviewer, django_assert_max_num_queries):
    qualified_chain(township_of, 10)
    qualified_chain(township_of, 10, start_km=11 * STEP_KM)  # a gap of two steps: 8 km
    assert cluster_sizes() == [10, 10]
    bridge = submitted(located_village(township_of(), 35.0, east_of(10 * STEP_KM)))

    with django_assert_max_num_queries(REVIEW_STEP + ASSESSMENT + MERGE):
        report_approve(report=bridge, by=reviewer)

    assert cluster_sizes() == [21]
    assert stored_clusters() == rebuilt_clusters()


def test_an_approval_that_gathers_small_groups_beyond_its_reach_into_a_new_cluster(township_of, reviewer):
    """Two groups of 5 (too small to store) linked by the new village: the walk finds every member."""
    west = qualified_chain(township_of, 5)
    qualified_chain(township_of, 5, start_km=6 * STEP_KM)
    assert VillageCluster.objects.count() == 0
    bridge = submitted(located_village(township_of(), 35.0, east_of(5 * STEP_KM)))

    report_approve(report=bridge, by=reviewer)

    assert cluster_sizes() == [11]
    assert west[0].pk in VillageCluster.objects.get().villages.values_list("pk", flat=True)
    assert stored_clusters() == rebuilt_clusters()


def test_a_reopening_whose_loss_splits_a_cluster(township_of, reviewer, django_assert_max_num_queries):
    chain = qualified_chain(township_of, 21)
    middle = AnnualReport.objects.get(village=chain[10])
    assert cluster_sizes() == [21]

    with django_assert_max_num_queries(REVIEW_STEP + ASSESSMENT + SPLIT):
        report_reopen(report=middle, by=reviewer, comment="数据有误")

    assert cluster_sizes() == [10, 10]
    assert stored_clusters() == rebuilt_clusters()


def test_a_loss_that_leaves_too_few_villages_removes_the_cluster(township_of, reviewer):
    chain = qualified_chain(township_of, 10)

    report_reopen(report=AnnualReport.objects.get(village=chain[0]), by=reviewer, comment="数据有误")

    assert cluster_sizes() == []


def test_a_reopening_of_a_village_in_no_cluster_changes_no_cluster(township_of, reviewer):
    chain = qualified_chain(township_of, 10)
    alone = qualified_chain(township_of, 1, start_km=100)[0]
    before = stored_clusters()

    with CaptureQueriesContext(connection) as queries:
        report_reopen(report=AnnualReport.objects.get(village=alone), by=reviewer, comment="数据有误")

    writes = [query["sql"] for query in queries.captured_queries if "villagecluster" in query["sql"]]
    assert all(sql.startswith("SELECT") for sql in writes)
    assert stored_clusters() == before
    assert cluster_sizes() == [len(chain)]


def test_incremental_clusters_equal_the_full_rebuild_on_villages_around_a_few_centres(
    tree, township_of, official, reviewer
):
    """Random approvals, reopenings and re-approvals around three centres, with shared townships and villages
    without coordinates; after every step the stored clusters are what `clusters_refresh` builds."""
    CriteriaSet.objects.filter(first_year=2020).update(
        cluster_min_villages=3, cluster_large_min_villages=6, cluster_super_large_over_villages=10
    )
    chance = random.Random(20231)
    reports = []
    for centre_latitude, centre_longitude in ((35.0, 115.0), (35.1, 115.12), (34.7, 115.6)):
        townships = [township_of() for _ in range(4)]
        for _ in range(12):
            distance, bearing = chance.uniform(0, 12), chance.uniform(0, 2 * math.pi)
            latitude = centre_latitude + distance * math.cos(bearing) / KM_PER_DEGREE_LATITUDE
            longitude = east_of(distance * math.sin(bearing), latitude, centre_longitude)
            township = chance.choice(townships) if chance.random() < 0.3 else township_of()
            village = (
                VillageFactory(township=township)
                if chance.random() < 0.1
                else located_village(township, latitude, longitude)
            )
            figures = FAILING if chance.random() < 0.2 else {}
            reports.append(submitted(village, **figures))
    chance.shuffle(reports)

    steps = [("approve", report) for report in reports]
    steps += [("reopen", report) for report in chance.sample(reports, 12)]
    steps += [("approve again", report) for report, _ in zip(chance.sample(reports, 30), range(30), strict=False)]
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

    assert any(size >= 6 for size in cluster_sizes())
