"""Cursor (keyset) pages beside `?page=`: the same rows either way, opaque cursors, bounded or estimated counts."""

import base64
import json

import pytest
from django.db import connection

from tests.api.conftest import list_rows, make_assessment
from tests.factories import OnlineShopFactory, VillageClusterFactory, VillageFactory
from villages import codes
from villages.models import Village

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="Estimated counts come from PostgreSQL.")


def bulk_villages(townships, per_township):
    """`per_township` villages in each township given, made in one INSERT (the factory would take minutes)."""
    villages = [
        Village(
            code=f"{township.code}{unit:03d}",
            name=f"测试村{township.code}{unit:03d}",
            township=township,
            committee_type=codes.committee_type_of(f"{township.code}{unit:03d}"),
        )
        for township in townships
        for unit in range(1, per_township + 1)
    ]
    Village.objects.bulk_create(villages)
    return sorted(village.code for village in villages)


def analysed_villages(townships, per_township):
    """`bulk_villages`, then ANALYZE, so that the planner's estimate knows them."""
    codes_made = bulk_villages(townships, per_township)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE villages_village")
    return codes_made


def walk(client, url, params=None):
    """Every page reached from the first by following `next`, and the pages met walking back by `previous`."""
    forward = [client.get(url, params).json()]
    while forward[-1]["next"]:
        forward.append(client.get(forward[-1]["next"]).json())
    backward = [forward[-1]]
    while backward[-1]["previous"]:
        backward.append(client.get(backward[-1]["previous"]).json())
    return forward, backward


def codes_in(pages):
    return [row["code"] for page in pages for row in page["results"]]


def cursor_of(payload) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode()


def test_cursor_walks_1200_villages_forward_and_back_in_the_rows_of_the_numbered_pages(tree, administrator, api_for):
    all_codes = bulk_villages([tree.town, tree.other_town], 600)
    client = api_for(administrator)
    forward, backward = walk(client, "/api/v1/villages/", {"page_size": 500})
    numbered = [client.get("/api/v1/villages/", {"page_size": 500, "page": number}).json() for number in (1, 2, 3)]
    assert [len(page["results"]) for page in forward] == [500, 500, 200]
    assert all("cursor=" in page["next"] for page in forward[:-1])
    assert codes_in(forward) == codes_in(numbered) == all_codes
    assert [page["results"] for page in backward] == [page["results"] for page in reversed(numbered)]
    assert backward[-1]["previous"] is None
    assert {page["count"] for page in forward} == {1200}


def test_numbered_pages_keep_page_links(tree, administrator, api_for):
    bulk_villages([tree.town], 5)
    body = api_for(administrator).get("/api/v1/villages/", {"page_size": 2, "page": 2}).json()
    assert "page=3" in body["next"]
    assert "page=" not in body["previous"]
    assert "cursor=" not in body["next"] + body["previous"]


def test_cursor_links_keep_the_filters_and_drop_the_page_number(tree, administrator, api_for):
    bulk_villages([tree.town, tree.other_town], 3)
    client = api_for(administrator)
    first = client.get("/api/v1/villages/", {"county": "371721", "page_size": 2}).json()
    second = client.get(first["next"]).json()
    assert "county=371721" in first["next"]
    assert [row["code"] for row in first["results"] + second["results"]] == [
        "371721121001",
        "371721121002",
        "371721121003",
    ]
    assert second["next"] is None
    assert second["count"] == 3


def test_cursor_pages_carry_the_latest_assessment_of_their_own_rows(tree, administrator, api_for):
    villages = [VillageFactory(township=tree.town) for _number in range(3)]
    make_assessment(villages[2], 2021, qualified=False)
    make_assessment(villages[2], 2023, qualified=True)
    client = api_for(administrator)
    first = client.get("/api/v1/villages/", {"page_size": 2}).json()
    [last] = client.get(first["next"]).json()["results"]
    assert [row["latest_assessment"] for row in first["results"]] == [None, None]
    assert last["latest_assessment"] == {"year": 2023, "qualified": True}


def test_a_mixed_direction_order_with_ties_is_walked_without_gaps_or_repeats(tree, anonymous_api):
    clusters = [VillageClusterFactory(year=year, village_count=count) for year in (2022, 2023) for count in (5, 5, 9)]
    forward, backward = walk(anonymous_api, "/api/v1/clusters/", {"page_size": 2})
    walked = [row["id"] for page in forward for row in page["results"]]
    numbered = [row["id"] for row in list_rows(anonymous_api.get("/api/v1/clusters/", {"page_size": 10}))]
    assert sorted(walked) == sorted(cluster.id for cluster in clusters)
    assert walked == numbered
    assert [row["year"] for row in forward[0]["results"]] == [2023, 2023]
    assert [row["id"] for page in reversed(backward) for row in page["results"]] == walked


@pytest.mark.parametrize(
    "cursor",
    [
        "not base64 at all!",
        base64.urlsafe_b64encode(b"\xff\xfe").decode(),
        cursor_of(["after"]),
        cursor_of({"after": ["1"], "before": ["2"]}),
        cursor_of({"sideways": ["1"]}),
        cursor_of({"after": ["1", "2"]}),
        cursor_of({"after": [1]}),
        cursor_of({"after": ["shop"]}),
        cursor_of({"after": [str(2**70)]}),
        cursor_of({"after": ["1\x00"]}),
        "A" * 2000,
    ],
)
def test_a_cursor_the_server_did_not_make_is_a_json_404(tree, administrator, api_for, cursor):
    OnlineShopFactory(village=VillageFactory(township=tree.town))
    response = api_for(administrator).get("/api/v1/shops/", {"cursor": cursor}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert "cursor" in response.json()["detail"]


def test_a_cursor_on_a_list_built_in_python_is_a_404(tree, anonymous_api):
    response = anonymous_api.get("/api/v1/stats/yearly/", {"cursor": cursor_of({"after": ["2020"]})})
    assert response.status_code == 404


def test_a_village_code_cursor_with_a_nul_is_a_404_not_a_database_error(tree, anonymous_api):
    response = anonymous_api.get("/api/v1/villages/", {"cursor": cursor_of({"after": ["3717\x00"]})})
    assert response.status_code == 404


def test_the_schema_documents_the_cursor_and_the_estimate_flag(anonymous_api):
    schema = anonymous_api.get("/api/v1/schema/", {"format": "json"}).json()
    parameters = {parameter["name"] for parameter in schema["paths"]["/api/v1/villages/"]["get"]["parameters"]}
    page_schema = schema["components"]["schemas"]["PaginatedVillageList"]
    assert {"cursor", "page", "page_size"} <= parameters
    assert page_schema["properties"]["count_is_estimate"]["type"] == "boolean"


@pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite counts exactly whatever the size.")
def test_sqlite_counts_exactly_beyond_the_threshold(tree, administrator, api_for, settings):
    settings.COUNT_ESTIMATE_THRESHOLD = 5
    bulk_villages([tree.town], 20)
    body = api_for(administrator).get("/api/v1/villages/").json()
    assert (body["count"], body["count_is_estimate"]) == (20, False)


@on_postgresql
def test_postgresql_estimates_the_count_beyond_the_threshold(tree, administrator, api_for, settings):
    settings.COUNT_ESTIMATE_THRESHOLD = 5
    analysed_villages([tree.town], 20)
    client = api_for(administrator)
    beyond = client.get("/api/v1/villages/").json()
    within = client.get("/api/v1/villages/", {"search": "测试村371721121001"}).json()
    assert (beyond["count"], beyond["count_is_estimate"]) == (20, True)
    assert (within["count"], within["count_is_estimate"]) == (1, False)


@on_postgresql
def test_with_an_estimated_count_a_page_number_is_404_only_when_it_holds_no_rows(
    tree, administrator, api_for, settings
):
    settings.COUNT_ESTIMATE_THRESHOLD = 5
    bulk_villages([tree.town], 20)
    client = api_for(administrator)
    last = client.get("/api/v1/villages/", {"page_size": 6, "page": 4})
    assert last.status_code == 200
    assert last.json()["count_is_estimate"] is True
    assert len(last.json()["results"]) == 2
    assert last.json()["next"] is None
    assert client.get("/api/v1/villages/", {"page_size": 6, "page": 5}).status_code == 404


def _counting_statements(client, params=None):
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        body = client.get("/api/v1/villages/", params or {}).json()
    sqls = [query["sql"] for query in queries.captured_queries]
    explains = [sql for sql in sqls if sql.startswith("EXPLAIN")]
    counts = [sql for sql in sqls if sql.startswith("SELECT COUNT(*)")]
    return body, explains, counts


@on_postgresql
def test_a_short_list_is_counted_in_one_statement_without_asking_the_planner(tree, administrator, api_for, settings):
    settings.COUNT_ESTIMATE_THRESHOLD = 200  # counted up to 10 first
    bulk_villages([tree.town], 8)
    body, explains, counts = _counting_statements(api_for(administrator))
    assert (body["count"], body["count_is_estimate"]) == (8, False)
    assert (len(explains), len(counts)) == (0, 1)


@on_postgresql
def test_a_list_the_planner_expects_below_ten_times_the_threshold_is_counted_to_it(
    tree, administrator, api_for, settings
):
    settings.COUNT_ESTIMATE_THRESHOLD = 200  # counted up to 10 first, then to 200
    analysed_villages([tree.town], 40)
    client = api_for(administrator)
    body, explains, counts = _counting_statements(client)
    assert (body["count"], body["count_is_estimate"]) == (40, False)
    assert (len(explains), len(counts)) == (1, 2)
    # The next page knows it is counted to the threshold (COUNT_TO_THRESHOLD): one count, still exact.
    again, explains, counts = _counting_statements(client)
    assert (again["count"], again["count_is_estimate"]) == (40, False)
    assert (len(explains), len(counts)) == (0, 1)
    assert "LIMIT 201" in counts[0]
    bulk_villages([tree.other_town], 5)
    grown, explains, counts = _counting_statements(client)
    assert (grown["count"], grown["count_is_estimate"]) == (45, False)
    assert (len(explains), len(counts)) == (0, 1)


@on_postgresql
def test_a_list_the_planner_expects_far_beyond_the_threshold_is_not_counted_to_it(
    tree, administrator, api_for, settings
):
    settings.COUNT_ESTIMATE_THRESHOLD = 3  # counted up to 0 first: one row says "more"; 40 > 10 × 3
    analysed_villages([tree.town], 40)
    body, explains, counts = _counting_statements(api_for(administrator))
    assert (body["count"], body["count_is_estimate"]) == (40, True)
    assert (len(explains), len(counts)) == (1, 1)
    assert "LIMIT 1" in counts[0]


@on_postgresql
def test_a_list_counted_straight_to_the_threshold_that_grew_beyond_it_is_estimated(
    tree, administrator, api_for, settings
):
    settings.COUNT_ESTIMATE_THRESHOLD = 50  # counted up to 2 first, then to 50
    analysed_villages([tree.town], 40)
    client = api_for(administrator)
    first, _explains, _counts = _counting_statements(client)
    assert (first["count"], first["count_is_estimate"]) == (40, False)
    bulk_villages([tree.other_town], 30)
    grown, explains, counts = _counting_statements(client)
    assert grown["count_is_estimate"] is True and grown["count"] >= 51
    assert (len(explains), len(counts)) == (1, 1)
    again, explains, counts = _counting_statements(client)
    assert (again["count"], again["count_is_estimate"]) == (grown["count"], True)
    assert (explains, counts) == ([], [])


@pytest.fixture
def far_beyond(tree, settings):
    """40 villages against a threshold of 3: a list the planner expects beyond ten times the threshold."""
    settings.COUNT_ESTIMATE_THRESHOLD = 3
    analysed_villages([tree.town], 40)


@on_postgresql
def test_a_far_beyond_estimate_is_kept_so_the_next_page_counts_nothing(far_beyond, administrator, api_for):
    client = api_for(administrator)
    first, first_explains, first_counts = _counting_statements(client)
    again, explains, counts = _counting_statements(client)
    assert (len(first_explains), len(first_counts)) == (1, 1)
    assert (again["count"], again["count_is_estimate"]) == (first["count"], True) == (40, True)
    assert (explains, counts) == ([], [])


@on_postgresql
def test_an_estimate_counted_to_the_threshold_is_kept_too(tree, administrator, api_for, settings):
    """A list the planner expects below ten times the threshold, found longer than the threshold by counting."""
    settings.COUNT_ESTIMATE_THRESHOLD = 20  # counted up to 1 first, then to 20
    analysed_villages([tree.town], 40)
    client = api_for(administrator)
    first, first_explains, first_counts = _counting_statements(client)
    again, explains, counts = _counting_statements(client)
    assert (first["count"], first["count_is_estimate"]) == (again["count"], again["count_is_estimate"]) == (40, True)
    assert (len(first_explains), len(first_counts)) == (1, 2)
    assert (explains, counts) == ([], [])


@on_postgresql
def test_a_kept_estimate_answers_only_the_same_query(far_beyond, administrator, api_for):
    """The key is the query's SQL and parameters: another filter (or another caller's scope) is counted anew."""
    client = api_for(administrator)
    _counting_statements(client)
    narrow, explains, counts = _counting_statements(client, {"search": "测试村371721121001"})
    assert (narrow["count"], narrow["count_is_estimate"]) == (1, False)
    assert counts


@on_postgresql
def test_no_estimate_is_kept_when_the_setting_says_zero(far_beyond, administrator, api_for, settings):
    settings.COUNT_ESTIMATE_CACHE_SECONDS = 0
    client = api_for(administrator)
    _counting_statements(client)
    again, explains, counts = _counting_statements(client)
    assert (again["count"], again["count_is_estimate"]) == (40, True)
    assert (len(explains), len(counts)) == (1, 1)


@on_postgresql
def test_an_unreachable_cache_costs_the_count_and_not_the_answer(far_beyond, administrator, api_for, monkeypatch):
    from redis.exceptions import ConnectionError as RedisConnectionError

    from taobao_site import counting

    def unreachable(*args, **kwargs):
        raise RedisConnectionError("Redis is down")

    monkeypatch.setattr(counting.cache, "get", unreachable)
    monkeypatch.setattr(counting.cache, "set", unreachable)
    body, explains, counts = _counting_statements(api_for(administrator))
    assert (body["count"], body["count_is_estimate"]) == (40, True)
    assert (len(explains), len(counts)) == (1, 1)


@on_postgresql
def test_the_admin_changelist_keeps_the_same_estimate(far_beyond, administrator, client):
    """The admin counts by the same rule, so its second page of a long list asks the planner nothing either."""
    from django.test.utils import CaptureQueriesContext

    from tests.villages.test_admin_scale import changelist

    client.force_login(administrator)
    for expected_explains in (1, 0):
        with CaptureQueriesContext(connection) as queries:
            page = client.get(changelist(Village))
        assert page.status_code == 200
        assert page.context["cl"].result_count == 40
        explains = [query for query in queries.captured_queries if query["sql"].startswith("EXPLAIN")]
        assert len(explains) == expected_explains
