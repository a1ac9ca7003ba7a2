"""Every list endpoint costs the same number of queries for any page: 1 row or 500, by number or by cursor (pinned)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from rural_services.models import ServiceKind
from tests.api.conftest import make_assessment
from tests.factories import (
    AnnualReportFactory,
    CountyOperationCenterFactory,
    DivisionFactory,
    OnlineShopFactory,
    ServicePointFactory,
    TaobaoTownFactory,
    VillageClusterFactory,
    VillageFactory,
)
from villages.models import CriteriaSet, ReviewEvent, VillageCluster
from villages.selectors.certification import criteria_set_for_year
from villages.services.certification import clusters_refresh

pytestmark = pytest.mark.django_db

ROWS = 100


def build_divisions(tree):
    for number in range(ROWS):
        DivisionFactory(code=f"371721{300 + number:03d}", level="township", parent=tree.county)


def build_villages(tree):
    for number in range(ROWS):
        village = VillageFactory(township=tree.town, latitude=34.8, longitude=115.6)
        make_assessment(village, 2021 + number % 2, qualified=True)


def build_shops(tree):
    village = VillageFactory(township=tree.town)
    for _number in range(ROWS):
        OnlineShopFactory(village=village)


def build_reports(tree):
    for _number in range(ROWS):
        AnnualReportFactory(village=VillageFactory(township=tree.town))


def build_assessments(tree):
    for _number in range(ROWS):
        make_assessment(VillageFactory(township=tree.town), 2022, qualified=True)


def build_criteria(tree):
    template = CriteriaSet.objects.get(first_year=2009)
    for number in range(ROWS):
        template.pk = None
        template.name = f"test version {number}"
        template.save()


def build_towns(tree):
    for number in range(ROWS):
        township = DivisionFactory(code=f"371721{300 + number:03d}", level="township", parent=tree.county)
        TaobaoTownFactory(township=township, year=2022, active_shops=500, ecommerce_sales=50_000_000)


def build_clusters(tree):
    for _number in range(ROWS):
        VillageClusterFactory(year=2022)


def build_centers(tree):
    for _number in range(ROWS):
        CountyOperationCenterFactory(county=tree.county)


def build_points(tree):
    village = VillageFactory(township=tree.town)
    kinds = list(ServiceKind.objects.all()[:2])
    for _number in range(ROWS):
        point = ServicePointFactory(village=village, latitude=34.8, longitude=115.6)
        point.services.set(kinds)


# (url, builder, queries with an administrator's token): token+user, [groups for scoped tables], count, page,
# [latest assessments or services prefetch].
PAGINATED = [
    ("/api/v1/divisions/", build_divisions, 3),
    ("/api/v1/villages/", build_villages, 5),
    ("/api/v1/shops/", build_shops, 4),
    ("/api/v1/reports/", build_reports, 4),
    ("/api/v1/assessments/", build_assessments, 3),
    ("/api/v1/criteria/", build_criteria, 3),
    ("/api/v1/taobao-towns/", build_towns, 3),
    ("/api/v1/clusters/", build_clusters, 3),
    ("/api/v1/county-centers/", build_centers, 4),
    ("/api/v1/service-points/", build_points, 5),
]
UNPAGINATED = [
    ("/api/v1/villages/geojson/", build_villages, 4),
    ("/api/v1/service-points/geojson/", build_points, 3),
]


def token_client(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def queries_for(client, url, params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200, response.content
    return response, len(queries)


@pytest.mark.parametrize(("url", "build", "expected"), PAGINATED, ids=[row[0] for row in PAGINATED])
def test_list_queries_do_not_grow_with_the_page(tree, administrator, url, build, expected):
    build(tree)
    client = token_client(administrator)
    one, one_count = queries_for(client, url, {"page_size": 1})
    hundred, hundred_count = queries_for(client, url, {"page_size": ROWS})
    most, most_count = queries_for(client, url, {"page_size": 500})
    numbered, numbered_count = queries_for(client, url, {"page_size": 1, "page": 3})
    assert len(one.json()["results"]) == len(numbered.json()["results"]) == 1
    assert len(hundred.json()["results"]) == ROWS
    assert len(most.json()["results"]) >= ROWS
    assert one_count == hundred_count == most_count == numbered_count == expected


@pytest.mark.parametrize(("url", "build", "expected"), PAGINATED, ids=[row[0] for row in PAGINATED])
def test_cursor_pages_cost_what_the_first_page_costs(tree, administrator, url, build, expected):
    build(tree)
    client = token_client(administrator)
    first, _count = queries_for(client, url, {"page_size": 10})
    second, forward_count = queries_for(client, first.json()["next"], {})
    back, backward_count = queries_for(client, second.json()["previous"], {})
    assert len(second.json()["results"]) == 10
    assert back.json()["results"] == first.json()["results"]
    assert forward_count == backward_count == expected


def test_anonymous_village_pages_cost_the_same_by_cursor(tree, anonymous_api):
    build_villages(tree)
    first, first_count = queries_for(anonymous_api, "/api/v1/villages/", {"page_size": 10})
    deeper, deeper_count = queries_for(anonymous_api, first.json()["next"], {})
    assert [row["latest_assessment"]["qualified"] for row in deeper.json()["results"]] == [True] * 10
    assert first_count == deeper_count == 3


@pytest.mark.parametrize(("url", "build", "expected"), UNPAGINATED, ids=[row[0] for row in UNPAGINATED])
def test_geojson_queries_do_not_grow_with_the_rows(tree, administrator, url, build, expected):
    build(tree)
    client = token_client(administrator)
    _response, all_count = queries_for(client, url, {})
    assert len(_response.json()["features"]) >= ROWS
    assert all_count == expected


def test_service_point_partner_visibility_costs_no_query_per_row(tree, official):
    build_points(tree)
    client = token_client(official)
    one, one_count = queries_for(client, "/api/v1/service-points/", {"page_size": 1})
    hundred, hundred_count = queries_for(client, "/api/v1/service-points/", {"page_size": ROWS})
    assert all(row["partner_name"] == "张三" for row in hundred.json()["results"])
    assert one_count == hundred_count == 5


def test_yearly_statistics_queries_do_not_grow_with_the_page(tree, administrator):
    build_assessments(tree)
    client = token_client(administrator)
    one, one_count = queries_for(client, "/api/v1/stats/yearly/", {"page_size": 1})
    many, many_count = queries_for(client, "/api/v1/stats/yearly/", {"page_size": ROWS})
    assert len(one.json()["results"]) == 1
    assert len(many.json()["results"]) > 10
    assert one_count == many_count == 4


def test_report_history_queries_do_not_grow_with_the_page(tree, official, reviewer):
    report = AnnualReportFactory(village=VillageFactory(township=tree.town))
    for number in range(ROWS):
        ReviewEvent.objects.create(
            report=report, from_status="submitted", to_status="returned", by=reviewer, comment=f"#{number}"
        )
    client = token_client(official)
    url = f"/api/v1/reports/{report.id}/history/"
    one, one_count = queries_for(client, url, {"page_size": 1})
    hundred, hundred_count = queries_for(client, url, {"page_size": ROWS})
    assert len(hundred.json()["results"]) == ROWS
    assert one_count == hundred_count == 5


# One approval whose village's status does not change (issue 14's goal: at most 15 queries at national scale):
# the token (1), the reviewer's groups and area (1: one read), the report with the platforms' figures beside it
# (1), the claim (1: the row in hand is the stored one, so the conditional UPDATE writes the step and nothing is
# re-read), the history and the event (2), the assessment (criteria, the village's years, the row, the township's
# sums: 4) and the data version (1) = 11 (a village neither qualified before nor now has no certificate to issue
# or revoke), whether the registry holds 1 or ROWS other certified villages (beside it, so no town changes). In
# a test the service's atomic block adds a SAVEPOINT and a RELEASE, which are not counted.
APPROVAL_QUERIES = 11
# One that makes its village a Taobao village beside a stored cluster, which it joins: the certificate (1), the
# walk (1: the villages it reaches are in the cluster, taken whole), the cluster's UPDATE and the membership (2).
JOINING_APPROVAL_QUERIES = APPROVAL_QUERIES + 4


def approve_counting_queries(client, report):
    with CaptureQueriesContext(connection) as queries:
        response = client.post(f"/api/v1/reports/{report.id}/approve/", {"comment": ""}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "approved"
    return len([query for query in queries.captured_queries if "SAVEPOINT" not in query["sql"]])


def approval_queries(tree, client, others):
    for _number in range(others):
        make_assessment(VillageFactory(township=tree.subdistrict, latitude=34.8, longitude=115.6), 2023, qualified=True)
    report = AnnualReportFactory(
        village=VillageFactory(township=tree.town), year=2023, status="submitted", ecommerce_sales=1_000
    )
    return approve_counting_queries(client, report)


def test_an_approval_through_the_api_runs_eleven_queries_whatever_the_registry_holds(tree, reviewer):
    client = token_client(reviewer)
    few = approval_queries(tree, client, 1)
    many = approval_queries(tree, client, ROWS)
    assert few == many == APPROVAL_QUERIES, (few, many)


def joining_approval_queries(tree, client, members):
    """A stored cluster of `members` Taobao villages of one township; a village of another township, beside
    them, is approved with qualifying figures and joins it."""
    township = DivisionFactory(code=f"371721{100 + members:03d}", level="township", parent=tree.county)
    latitude = 30 + members / 10  # each call's cluster far from the others'
    for _number in range(members):
        make_assessment(VillageFactory(township=township, latitude=latitude, longitude=115.6), 2023, qualified=True)
    clusters_refresh(year=2023, criteria_set=criteria_set_for_year(2023))
    cluster = VillageCluster.objects.filter(year=2023, villages__township=township).distinct().get()
    joining = AnnualReportFactory(
        village=VillageFactory(
            township=DivisionFactory(code=f"371721{500 + members:03d}", level="township", parent=tree.county),
            latitude=latitude,
            longitude=115.6,
        ),
        year=2023,
        status="submitted",
    )
    queries = approve_counting_queries(client, joining)
    cluster.refresh_from_db()
    assert cluster.village_count == members + 1
    assert cluster.villages.filter(pk=joining.village_id).exists()
    return queries


def test_an_approval_that_joins_a_cluster_runs_fifteen_queries_whatever_its_size(tree, reviewer):
    client = token_client(reviewer)
    few = joining_approval_queries(tree, client, 10)
    many = joining_approval_queries(tree, client, ROWS)
    assert few == many == JOINING_APPROVAL_QUERIES <= 15, (few, many)
