"""Counting a visible list by its disjoint parts (#14): the jurisdiction's villages and the certified ones outside it.

An official sees the villages of the jurisdiction and the certified villages anywhere. As one condition (`code
range OR certified`) the database can only test it village by village, so a count of the whole list read every
village in the country; counted as the two parts, each read through an index, it reads those villages alone. These
tests hold that the parts are the same villages as the list, for every role, that the API and the web list count
through them (no counting statement tests the OR), and that the web list says "about" when the count is estimated.
"""

import json
import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.api.conftest import make_assessment
from tests.conftest import make_user
from tests.factories import VillageFactory
from villages.models import COUNTY_OFFICIALS, REVIEWERS
from villages.selectors.visibility import villages_visible_parts, villages_visible_to

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="Estimated counts come from PostgreSQL.")


@pytest.fixture
def villages(tree):
    """Villages in Cao County (two of them certified, one assessed but not qualified), in Shan County and in
    Jiangsu (one certified in each, one certified twice), and uncertified ones everywhere."""
    made = {}
    for name, township in [
        ("cao_certified", tree.town),
        ("cao_certified_subdistrict", tree.subdistrict),
        ("cao_not_qualified", tree.town),
        ("cao_plain", tree.town),
        ("shan_certified", tree.second_county_town),
        ("shan_plain", tree.second_county_town),
        ("jiangsu_certified_twice", tree.other_town),
        ("jiangsu_plain", tree.other_town),
    ]:
        made[name] = VillageFactory(township=township)
    make_assessment(made["cao_certified"], 2023, qualified=True)
    make_assessment(made["cao_certified_subdistrict"], 2022, qualified=True)
    make_assessment(made["cao_not_qualified"], 2023, qualified=False)
    make_assessment(made["shan_certified"], 2023, qualified=True)
    make_assessment(made["jiangsu_certified_twice"], 2022, qualified=True)
    make_assessment(made["jiangsu_certified_twice"], 2023, qualified=True)
    return made


@pytest.fixture
def users(tree, official, reviewer, administrator):
    return {
        "county official": official,
        "province reviewer": reviewer,
        "official of two counties": make_user("two_counties", COUNTY_OFFICIALS, [tree.county, tree.other_county]),
        "reviewer without a jurisdiction": make_user("nowhere", REVIEWERS),
        "anonymous": AnonymousUser(),
        "administrator": administrator,
    }


ROLES = ["county official", "province reviewer", "official of two counties"]


@pytest.mark.parametrize("role", ROLES)
def test_the_parts_are_the_visible_villages_each_once(villages, users, role):
    user = users[role]
    parts = [list(part.values_list("pk", flat=True)) for part in villages_visible_parts(user)]
    every = [pk for part in parts for pk in part]
    assert len(every) == len(set(every)), "a village in two parts, or twice in one, would be counted twice"
    assert set(every) == set(villages_visible_to(user).values_list("pk", flat=True))


@pytest.mark.parametrize("role", ["administrator", "anonymous", "reviewer without a jurisdiction"])
def test_who_sees_one_condition_has_no_parts_to_count(villages, users, role):
    assert villages_visible_parts(users[role]) is None


def test_the_official_parts_hold_what_the_official_sees(villages, users):
    in_county, certified_elsewhere = (set(part) for part in villages_visible_parts(users["county official"]))
    cao = {villages[name] for name in ("cao_certified", "cao_certified_subdistrict", "cao_not_qualified", "cao_plain")}
    assert in_county == cao
    assert certified_elsewhere == {villages["shan_certified"], villages["jiangsu_certified_twice"]}


def _counted(client, path, params=None, status=200):
    """The answer and the counting statements it ran."""
    with CaptureQueriesContext(connection) as queries:
        answer = client.get(path, params or {})
    assert answer.status_code == status
    return answer, [query["sql"] for query in queries.captured_queries if "COUNT(" in query["sql"]]


def _expected(user, **filters):
    return villages_visible_to(user).filter(**filters).count()


@pytest.mark.parametrize(
    "params, filters",
    [
        ({}, {}),
        ({"county": "371722"}, {"code__startswith": "371722"}),
        ({"county": "371721"}, {"code__startswith": "371721"}),
        ({"committee_type": "village_committee"}, {"committee_type": "village_committee"}),
    ],
)
def test_the_api_counts_an_officials_list_by_its_parts(villages, official, api_for, params, filters):
    answer, counts = _counted(api_for(official), "/api/v1/villages/", params)
    body = answer.json()
    assert (body["count"], body["count_is_estimate"]) == (_expected(official, **filters), False)
    assert len(body["results"]) == body["count"]
    assert counts, "the list was counted"
    assert not [sql for sql in counts if "EXISTS" in sql], "no count tests the OR village by village"


def test_the_api_counts_the_certified_elsewhere_by_key(villages, official, api_for):
    answer, counts = _counted(api_for(official), "/api/v1/villages/")
    assert answer.json()["count"] == 6
    certified = [sql for sql in counts if "villages_assessment" in sql]
    assert len(certified) == 1
    if connection.vendor == "postgresql":
        assert "= ANY(ARRAY(SELECT" in certified[0]


def test_the_api_counts_the_anonymous_list_in_one_statement(villages, anonymous_api):
    answer, counts = _counted(anonymous_api, "/api/v1/villages/")
    assert answer.json()["count"] == 4
    assert len(counts) == 1


def test_the_api_counts_an_administrators_list_whole(villages, administrator, api_for):
    answer, counts = _counted(api_for(administrator), "/api/v1/villages/")
    assert answer.json()["count"] == len(villages)
    assert len(counts) == 1


def _results_line(html: str) -> str:
    return re.search(r'<p class="muted">([^<]*results?|[^<]*条结果)</p>', html).group(1)


@pytest.mark.parametrize(
    "params, filters",
    [
        ({}, {}),
        ({"county": "371722"}, {"code__startswith": "371722"}),
        ({"county": "320324"}, {"code__startswith": "320324"}),
    ],
)
def test_the_web_list_counts_an_officials_list_by_its_parts(villages, official, client_for, params, filters):
    answer, counts = _counted(client_for(official), "/villages/", params)
    expected = _expected(official, **filters)
    assert _results_line(answer.content.decode()) == f"{expected} result{'' if expected == 1 else 's'}"
    assert counts
    assert not [sql for sql in counts if "EXISTS" in sql]


@on_postgresql
@pytest.mark.parametrize("language, about", [("en", "About 8 results"), ("zh-hans", "约 8 条结果")])
def test_the_web_list_says_about_when_its_count_is_an_estimate(villages, administrator, settings, language, about):
    settings.COUNT_ESTIMATE_THRESHOLD = 3
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE villages_village")
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(administrator)
    html = client.get("/villages/").content.decode()
    assert _results_line(html) == about


@pytest.mark.skipif(connection.vendor == "postgresql", reason="PostgreSQL estimates beyond the threshold.")
def test_the_web_list_counts_exactly_on_sqlite_whatever_the_size(villages, administrator, client_for, settings):
    settings.COUNT_ESTIMATE_THRESHOLD = 3
    assert _results_line(client_for(administrator).get("/villages/").content.decode()) == "8 results"


@pytest.mark.parametrize("path", ["/api/v1/villages/", "/villages/"])
def test_the_filters_are_validated_once_for_the_list_and_its_parts(villages, official, api_for, client_for, path,
                                                                   monkeypatch):
    from villages import filters

    asked = []
    real = filters.division_known

    def known(code, level):
        asked.append(code)
        return real(code, level)

    monkeypatch.setattr(filters, "division_known", known)
    client = api_for(official) if path.startswith("/api/") else client_for(official)
    assert client.get(path, {"county": "371722"}).status_code == 200
    assert asked == ["371722"]


def test_an_invalid_filter_is_still_a_400_and_counts_nothing(villages, official, api_for):
    answer, counts = _counted(api_for(official), "/api/v1/villages/", {"county": "999999"}, status=400)
    assert "county" in json.dumps(answer.json())
    assert counts == []


def _more_villages(tree, villages):
    """Ten more villages in Cao County and five more certified in Jiangsu."""
    for _ in range(10):
        VillageFactory(township=tree.town)
    for _ in range(5):
        make_assessment(VillageFactory(township=tree.other_town), 2023, qualified=True)


@pytest.mark.parametrize("path, expected", [("/api/v1/villages/", 4), ("/villages/", 8)])
def test_an_officials_list_runs_the_same_queries_whatever_it_holds(
    tree, villages, official, api_for, client_for, path, expected
):
    """Pinned: the API's (roles, two counts, the page, its latest assessments) and the web page's (session, user,
    roles, two counts, the division picker, the page, its certified years); the parts add one count to a list's
    queries, never one a row."""
    client = api_for(official) if path.startswith("/api/") else client_for(official)
    client.get(path)  # what a first request caches (the division codes a filter names, the count's kind)
    few = _counts_and_queries(client, path)
    _more_villages(tree, villages)
    many = _counts_and_queries(client, path)
    assert few == many
    assert few == (2, expected)


def _counts_and_queries(client, path) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    sqls = [query["sql"] for query in queries.captured_queries]
    return len([sql for sql in sqls if sql.startswith("SELECT COUNT(*)")]), len(sqls)
