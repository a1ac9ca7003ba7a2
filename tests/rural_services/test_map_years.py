"""The map shows the villages certified in the chosen year, and popups say more than a name (issue 19, item 8)."""

import pytest
from django.urls import reverse

from tests.factories import AssessmentFactory, ServicePointFactory, VillageFactory


@pytest.fixture
def villages(tree):
    both = VillageFactory(township=tree.town, code="371721121201", name="两年村", latitude=34.8, longitude=115.6)
    only_2023 = VillageFactory(township=tree.town, code="371721121202", name="旧村", latitude=34.7, longitude=115.5)
    AssessmentFactory(village=both, year=2023)
    AssessmentFactory(village=both, year=2024)
    AssessmentFactory(village=only_2023, year=2023)
    AssessmentFactory(village=only_2023, year=2024, qualified=False, score=40)
    return both, only_2023


def village_codes(client, **params):
    response = client.get(reverse("rural_services:map_data"), params)
    assert response.status_code == 200
    return {feature["properties"]["code"] for feature in response.json()["features"]
            if feature["properties"]["kind"] == "village"}


def test_a_village_not_certified_in_the_chosen_year_is_not_shown_as_certified(client, villages):
    both, only_2023 = villages
    assert village_codes(client, year="2024") == {both.code}
    assert village_codes(client, year="2023") == {both.code, only_2023.code}


def test_without_a_year_the_map_shows_the_latest_certified_year(client, villages):
    both, _only_2023 = villages
    assert village_codes(client) == {both.code}
    page = client.get(reverse("rural_services:map"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<option value="2024" selected>2024</option>' in page and '<option value="2023">2023</option>' in page
    assert f'data-url="{reverse("rural_services:map_data")}?year=2024"' in page
    assert "certified Taobao village in 2024" in page


def test_the_year_choice_works_without_javascript(client, villages):
    page = client.get(reverse("rural_services:map"), {"year": "2023"}, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert '<option value="2023" selected>2023</option>' in page
    assert "<noscript><button" in page


@pytest.mark.parametrize("year", ["1999", "abc", "2024' or 1=1"])
def test_a_year_without_certified_villages_is_a_clear_400(client, villages, year):
    data = client.get(reverse("rural_services:map_data"), {"year": year}, HTTP_ACCEPT_LANGUAGE="en")
    assert data.status_code == 400 and "No village is certified for the year" in data.json()["year"][0]
    page = client.get(reverse("rural_services:map"), {"year": year}, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 400 and "No village is certified for the year" in page.content.decode()


def test_features_carry_what_their_popups_show(client, tree, villages):
    both, _only_2023 = villages
    ServicePointFactory(village=both, code="SP-1", name="两年村服务站", latitude="34.81", longitude="115.61")
    features = client.get(reverse("rural_services:map_data"), {"year": "2024"}).json()["features"]
    by_kind = {feature["properties"]["kind"]: feature["properties"] for feature in features}
    assert by_kind["village"] == {
        "kind": "village", "code": both.code, "name": "两年村", "township": tree.town.name, "certified_in": 2024,
        "url": reverse("villages:village_detail", args=[both.code])}
    assert by_kind["service_point"]["village"] == "两年村" and by_kind["service_point"]["code"] == "SP-1"


def test_the_map_data_runs_a_constant_number_of_queries(client, tree, django_assert_max_num_queries):
    for _number in range(20):
        village = VillageFactory(township=tree.town, latitude=34.8, longitude=115.6)
        AssessmentFactory(village=village, year=2024)
        ServicePointFactory(village=village, latitude="34.81", longitude="115.61")
    with django_assert_max_num_queries(8):
        client.get(reverse("rural_services:map_data"), {"year": "2024"})
