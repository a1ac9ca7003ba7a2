"""Taobao villages without coordinates stand at their township's representative point for the cluster rule."""

import math
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from tests.factories import AnnualReportFactory, DivisionFactory, VillageFactory
from villages.models import AnnualReport, CriteriaSet, TownshipPoint, VillageCluster
from villages.scoring import KM_PER_DEGREE_LATITUDE
from villages.services.certification import assessments_rescore, clusters_refresh, report_assess
from villages.services.township_points import township_point_set

pytestmark = pytest.mark.django_db
YEAR = 2023


def east_of(kilometres, latitude=35.0, longitude=115.0):
    return round(longitude + kilometres / (KM_PER_DEGREE_LATITUDE * math.cos(math.radians(latitude))), 6)


@pytest.fixture
def two_townships(tree):
    """Two neighbouring townships of Cao County, 6 and 5 Taobao villages, none with coordinates."""
    west = DivisionFactory(code="371721301", name="西镇", level="township", parent=tree.county)
    east = DivisionFactory(code="371721302", name="东镇", level="township", parent=tree.county)
    villages = [VillageFactory(township=west, code=f"371721301{200 + i}") for i in range(6)]
    villages += [VillageFactory(township=east, code=f"371721302{200 + i}") for i in range(5)]
    for village in villages:
        report_assess(report=AnnualReportFactory(village=village, year=YEAR, status=AnnualReport.Status.APPROVED))
    return west, east


def clusters():
    return list(VillageCluster.objects.filter(year=YEAR).values_list("village_count", "approximate_villages"))


def test_without_any_point_the_two_townships_form_no_cluster(two_townships):
    assert clusters() == []


def test_points_the_county_enters_for_the_townships_make_the_eleven_villages_one_approximate_cluster(
    two_townships, official
):
    west, east = two_townships

    township_point_set(by=official, township=west, latitude=Decimal("35.0"), longitude=Decimal("115.0"))
    assert clusters() == []
    township_point_set(by=official, township=east, latitude=Decimal("35.0"), longitude=Decimal(str(east_of(3))))

    assert clusters() == [(11, 11)]
    assessments_rescore(years=[YEAR])
    assert clusters() == [(11, 11)]


def test_the_mean_of_the_located_villages_of_a_township_stands_in_for_its_point(two_townships, tree):
    west, east = two_townships
    # One more village in each township, with coordinates but no report: only their position counts.
    VillageFactory(township=west, code="371721301299", latitude=Decimal("35.0"), longitude=Decimal("115.0"))
    VillageFactory(township=east, code="371721302299", latitude=Decimal("35.0"), longitude=Decimal(str(east_of(4))))

    clusters_refresh(year=YEAR, criteria_set=CriteriaSet.objects.get(first_year=2020))

    assert clusters() == [(11, 11)]


def test_townships_too_far_apart_stay_apart(two_townships, official):
    west, east = two_townships
    township_point_set(by=official, township=west, latitude=Decimal("35.0"), longitude=Decimal("115.0"))
    township_point_set(by=official, township=east, latitude=Decimal("35.0"), longitude=Decimal(str(east_of(6))))
    assert clusters() == []


def test_a_new_taobao_village_beside_the_point_joins_the_approximate_cluster(two_townships, official, tree):
    west, east = two_townships
    township_point_set(by=official, township=west, latitude=Decimal("35.0"), longitude=Decimal("115.0"))
    township_point_set(by=official, township=east, latitude=Decimal("35.0"), longitude=Decimal(str(east_of(3))))
    third = DivisionFactory(code="371721303", name="北镇", level="township", parent=tree.county)
    located = VillageFactory(
        township=third, code="371721303201", latitude=Decimal("35.0"), longitude=Decimal(str(east_of(7)))
    )

    report_assess(report=AnnualReportFactory(village=located, year=YEAR, status=AnnualReport.Status.APPROVED))

    assert clusters() == [(12, 11)]


def test_only_the_county_of_the_township_enters_its_point(two_townships, other_official, reviewer):
    west, _east = two_townships
    for user in (other_official, reviewer):
        with pytest.raises(PermissionDenied):
            township_point_set(by=user, township=west, latitude=Decimal("35.0"), longitude=Decimal("115.0"))
    assert not TownshipPoint.objects.exists()


def test_the_cluster_api_says_how_many_villages_were_placed_approximately(two_townships, official, client):
    west, east = two_townships
    township_point_set(by=official, township=west, latitude=Decimal("35.0"), longitude=Decimal("115.0"))
    township_point_set(by=official, township=east, latitude=Decimal("35.0"), longitude=Decimal(str(east_of(3))))

    rows = client.get("/api/v1/clusters/", {"year": YEAR}).json()["results"]

    assert [(row["village_count"], row["approximate_villages"]) for row in rows] == [(11, 11)]


def test_a_county_official_enters_the_point_in_the_admin(two_townships, official, other_official, client):
    west, _east = two_townships
    official.is_staff = True
    official.save()
    client.force_login(official)
    response = client.post(
        "/admin/villages/townshippoint/add/", {"township": west.pk, "latitude": "35.0", "longitude": "115.0"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert TownshipPoint.objects.get().entered_by == official

    other_official.is_staff = True
    other_official.save()
    other = Client()
    other.force_login(other_official)
    assert "西镇" not in other.get("/admin/villages/townshippoint/").content.decode()
