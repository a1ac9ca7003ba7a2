"""`GET /api/v1/completeness/` and `reporting-tracks/`: the contract, bad input, jurisdiction, constant queries."""

import pytest

from tests.completeness_data import YEAR, build_bulk_villages, build_season
from tests.conftest import make_user
from villages.models import ReportingTrack

URL = "/api/v1/completeness/"
TRACKS = "/api/v1/reporting-tracks/"


@pytest.fixture
def season(tree):
    return build_season(tree)


def test_a_province_answers_per_prefecture_with_totals_and_the_missing_villages(api_for, season):
    response = api_for(season.users["reviewer"]).get(URL, {"year": YEAR, "province": "410000"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["year"] == YEAR
    assert body["area"] == {"code": "410000", "name": "河南省", "level": "province"}
    assert body["window"] == {"opens_on": "2024-07-01", "closes_on": "2024-10-31"}
    assert body["totals"] == {"expected": 9, "draft": 2, "submitted": 1, "returned": 1, "approved": 1,
                              "missing": 4, "on_time": 2, "on_time_rate": 0.2222}
    zhengzhou, kaifeng = body["children"]
    assert (zhengzhou["code"], zhengzhou["level"], zhengzhou["expected"], zhengzhou["on_time"]) == (
        "410100", "prefecture", 7, 2)
    assert (kaifeng["code"], kaifeng["missing"], kaifeng["draft"]) == ("410200", 1, 1)
    missing = body["missing"]
    assert missing["count"] == 4 and missing["next"] is None
    assert [(row["name"], row["reason"]) for row in missing["results"]] == [
        ("一村", "certified_last_year"), ("十一村", "certified_last_year"), ("八村", "active_shops"),
        ("五村", "tracked"),
    ]
    assert missing["results"][0] == {"code": "410102100201", "name": "一村", "township": "410102100",
                                     "reason": "certified_last_year", "reasons": ["certified_last_year"]}


def test_a_county_answers_per_village(api_for, season):
    body = api_for(season.users["official_a"]).get(URL, {"year": YEAR, "county": "410102"}).json()
    by_name = {row["name"]: row for row in body["children"]}
    assert set(by_name) == {"一村", "二村", "三村", "五村", "八村"}
    assert by_name["二村"]["status"] == "approved" and by_name["二村"]["on_time"] == 1
    assert by_name["三村"]["status"] == "submitted" and by_name["三村"]["on_time"] == 0
    assert by_name["五村"]["status"] == "missing" and by_name["五村"]["reasons"] == ["tracked"]


def test_the_missing_villages_are_paged(api_for, season):
    client = api_for(season.users["reviewer"])
    first = client.get(URL, {"year": YEAR, "province": "410000", "page_size": 3}).json()["missing"]
    assert len(first["results"]) == 3 and first["previous"] is None
    second = client.get(first["next"]).json()["missing"]
    assert [row["name"] for row in second["results"]] == ["五村"] and second["next"] is None
    assert second["previous"] is not None
    beyond = client.get(URL, {"year": YEAR, "province": "410000", "page": 9}).json()["missing"]
    assert beyond["results"] == [] and beyond["count"] == 4


@pytest.mark.parametrize("query, field", [
    ({}, "year"),
    ({"year": "abc"}, "year"),
    ({"year": "2008"}, "year"),
    ({"year": "2100"}, "year"),
    ({"year": YEAR, "province": "371721"}, "province"),
    ({"year": YEAR, "county": "999999"}, "county"),
    ({"year": YEAR, "county": "41\x000"}, "county"),
    ({"year": YEAR, "province": "410000", "prefecture": "410100"}, "non_field_errors"),
    ({"year": YEAR, "page_size": "501"}, "page_size"),
    ({"year": YEAR, "page": "-1"}, "page"),
])
def test_bad_input_is_a_400_naming_the_field(api_for, season, query, field):
    response = api_for(season.users["reviewer"]).get(URL, query)
    assert response.status_code == 400, response.content
    assert field in response.json()


def test_areas_outside_the_jurisdiction_are_404_and_strangers_are_refused(api_for, anonymous_api, season):
    assert api_for(season.users["other_reviewer"]).get(URL, {"year": YEAR, "province": "410000"}).status_code == 404
    assert api_for(season.users["other_official"]).get(URL, {"year": YEAR, "county": "410102"}).status_code == 404
    assert api_for(season.users["official_a"]).get(URL, {"year": YEAR, "county": "410103"}).status_code == 404
    assert api_for(season.users["prefecture_reviewer"]).get(
        URL, {"year": YEAR, "province": "410000"}).status_code == 404
    assert anonymous_api.get(URL, {"year": YEAR}).status_code == 401
    assert api_for(make_user("visitor")).get(URL, {"year": YEAR}).status_code == 403


def test_without_an_area_each_caller_gets_their_own(api_for, season):
    official = api_for(season.users["official_a"]).get(URL, {"year": YEAR}).json()
    assert official["area"]["level"] == "jurisdiction"
    assert [row["code"] for row in official["children"]] == ["410102"]
    other = api_for(season.users["other_reviewer"]).get(URL, {"year": YEAR}).json()
    assert other["totals"]["expected"] == 0 and other["missing"]["results"] == []
    nation = api_for(season.users["administrator"]).get(URL, {"year": YEAR}).json()
    assert nation["area"]["level"] == "nation"
    assert {row["code"]: row["expected"] for row in nation["children"]}["410000"] == 9


# Auth (session-less: forced), the groups and assignments (one read), the area code's check, the area and its
# parents, the window, the child divisions (not for a county), the grouped counts (or the county's villages),
# missing count and page.
QUERIES = {"province": 8, "county": 7}


@pytest.mark.parametrize("villages", [10, 1000])
@pytest.mark.parametrize("level, code", [("province", "410000"), ("county", "410102")])
def test_the_answer_costs_a_constant_number_of_queries(api_for, season, django_assert_num_queries, villages,
                                                       level, code):
    build_bulk_villages(season, villages)
    client = api_for(season.users["reviewer"])
    with django_assert_num_queries(QUERIES[level]):
        response = client.get(URL, {"year": YEAR, level: code})
    assert response.status_code == 200
    assert response.json()["totals"]["expected"] == (9 if level == "province" else 5) + villages


def test_a_county_official_tracks_a_village_and_takes_the_mark_back(api_for, season):
    client = api_for(season.users["official_a"])
    six = season.villages["v6"]
    created = client.post(TRACKS, {"village": six.code, "year": YEAR}, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["village"] == six.code and created.json()["marked_by"] == "official_a"
    assert client.post(TRACKS, {"village": six.code, "year": YEAR}, format="json").status_code == 400
    county = client.get(URL, {"year": YEAR, "county": "410102"}).json()
    assert "六村" in {row["name"] for row in county["children"]}
    listed = client.get(TRACKS, {"year": YEAR}).json()["results"]
    assert {row["village"] for row in listed} == {six.code, season.villages["v5"].code}
    assert client.delete(f"{TRACKS}{created.json()['id']}/").status_code == 204
    assert not ReportingTrack.objects.filter(village=six).exists()


def test_tracking_is_for_the_villages_own_county(api_for, season):
    six = season.villages["v6"]
    assert api_for(season.users["official_b"]).post(
        TRACKS, {"village": six.code, "year": YEAR}, format="json").status_code == 404
    assert api_for(season.users["reviewer"]).post(
        TRACKS, {"village": six.code, "year": YEAR}, format="json").status_code == 403
    assert api_for(season.users["official_a"]).post(
        TRACKS, {"village": "12", "year": YEAR}, format="json").status_code == 400
    assert api_for(season.users["official_a"]).post(
        TRACKS, {"village": six.code, "year": 2099}, format="json").status_code == 400
    five = ReportingTrack.objects.get(village=season.villages["v5"])
    assert api_for(season.users["official_b"]).delete(f"{TRACKS}{five.pk}/").status_code == 404
    assert api_for(season.users["reviewer"]).delete(f"{TRACKS}{five.pk}/").status_code == 403
    assert api_for(season.users["official_a"]).get(f"{TRACKS}0/").status_code == 404
    assert api_for(season.users["official_a"]).get(TRACKS, {"year": "x"}).status_code == 400
    assert ReportingTrack.objects.filter(pk=five.pk).exists()


def test_the_schema_documents_completeness_with_its_required_year(api_for, season):
    schema = api_for(season.users["reviewer"]).get("/api/v1/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/completeness/"]["get"]
    parameters = {parameter["name"]: parameter for parameter in operation["parameters"]}
    assert parameters["year"]["required"] is True
    assert {"province", "prefecture", "county", "page", "page_size"} <= set(parameters)
    assert {"200", "400", "401", "403", "404"} <= set(operation["responses"])
    assert "/api/v1/reporting-tracks/" in schema["paths"]
