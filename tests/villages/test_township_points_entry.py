"""Township points entered by counties on the web and through the API (`township-points/`), per role."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from tests.conftest import make_user
from tests.factories import VillageFactory
from villages.models import ADMINISTRATORS, Division, TownshipPoint
from villages.services.township_points import township_point_set

pytestmark = pytest.mark.django_db
POINTS = "/api/v1/township-points/"


def api_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


# --- The web form -------------------------------------------------------------------------------------------


def test_a_county_official_sets_and_then_moves_the_point_of_a_township_of_the_county(tree, official, client_for):
    client = client_for(official)
    url = reverse("villages:township_point", args=[tree.town.code])
    assert client.get(url).status_code == 200

    response = client.post(url, {"latitude": "34.826000", "longitude": "115.543000"})
    assert response.status_code == 302
    point = TownshipPoint.objects.get(township=tree.town)
    assert (point.latitude, point.longitude, point.entered_by) == (Decimal("34.826"), Decimal("115.543"), official)

    client.post(url, {"latitude": "34.9", "longitude": "115.6"})
    point.refresh_from_db()
    assert (point.latitude, point.longitude) == (Decimal("34.9"), Decimal("115.6"))
    page = client.get(url)
    assert page.context["form"].initial["latitude"] == Decimal("34.9")


def test_the_village_page_links_its_townships_point_form(tree, official, client_for):
    village = VillageFactory(township=tree.town)
    page = client_for(official).get(reverse("villages:village_detail", args=[village.code]))
    assert reverse("villages:township_point", args=[tree.town.code]) in page.content.decode()


@pytest.mark.parametrize(
    "data, field",
    [
        ({"latitude": "60", "longitude": "115.5"}, "latitude"),
        ({"latitude": "34.8", "longitude": "200"}, "longitude"),
        ({"latitude": "34.8"}, "longitude"),
        ({"latitude": "北纬", "longitude": "115.5"}, "latitude"),
    ],
)
def test_a_bad_point_is_refused_beside_its_field_and_changes_nothing(tree, official, client_for, data, field):
    response = client_for(official).post(reverse("villages:township_point", args=[tree.town.code]), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not TownshipPoint.objects.exists()


def test_others_cannot_open_the_point_form(tree, reviewer, other_official, official, client, client_for):
    url = reverse("villages:township_point", args=[tree.town.code])
    assert client_for(reviewer).post(url, {"latitude": "34.8", "longitude": "115.5"}).status_code == 404
    assert client_for(other_official).get(url).status_code == 404
    assert client.get(url).status_code == 302  # to the login page
    assert client_for(official).get(reverse("villages:township_point", args=[tree.county.code])).status_code == 404
    assert client_for(official).get(reverse("villages:township_point", args=["abc"])).status_code == 404
    assert not TownshipPoint.objects.exists()


# --- The API ------------------------------------------------------------------------------------------------


def test_a_county_official_creates_reads_and_moves_a_point_through_the_api(tree, official):
    county = api_for(official)
    created = county.post(
        POINTS, {"township": tree.town.code, "latitude": "34.826", "longitude": "115.543"}, format="json"
    )
    assert created.status_code == 201, created.content
    assert created.json() == {
        "township": tree.town.code,
        "township_name": tree.town.name,
        "latitude": 34.826,
        "longitude": 115.543,
        "entered_by": "official",
        "updated_at": created.json()["updated_at"],
    }
    moved = county.patch(f"{POINTS}{tree.town.code}/", {"longitude": "115.6"}, format="json")
    assert moved.status_code == 200, moved.content
    assert (moved.json()["latitude"], moved.json()["longitude"]) == (34.826, 115.6)
    assert county.get(f"{POINTS}{tree.town.code}/").json()["longitude"] == 115.6


def test_points_are_read_in_the_jurisdiction_only_and_written_by_its_county_officials_only(
    tree, official, other_official, reviewer, other_reviewer
):
    township_point_set(by=official, township=tree.town, latitude=Decimal("34.8"), longitude=Decimal("115.5"))
    jiangsu = make_user("jiangsu_official", "county_official", [tree.other_county])
    township_point_set(by=jiangsu, township=tree.other_town, latitude=Decimal("33.9"), longitude=Decimal("117.9"))

    def listed(user):
        response = api_for(user).get(POINTS)
        assert response.status_code == 200, response.content
        return [row["township"] for row in response.json()["results"]]

    assert listed(official) == [tree.town.code]
    assert listed(reviewer) == [tree.town.code]
    assert listed(other_reviewer) == [tree.other_town.code]
    assert listed(make_user("admin", ADMINISTRATORS)) == sorted([tree.town.code, tree.other_town.code])
    assert APIClient().get(POINTS).status_code == 401
    assert api_for(other_official).get(f"{POINTS}{tree.town.code}/").status_code == 404

    read_only = api_for(reviewer)
    assert read_only.get(f"{POINTS}{tree.town.code}/").status_code == 200
    assert read_only.patch(f"{POINTS}{tree.town.code}/", {"latitude": "35"}, format="json").status_code == 403
    elsewhere = {"township": tree.subdistrict.code, "latitude": "35", "longitude": "115"}
    assert read_only.post(POINTS, elsewhere, format="json").status_code == 403
    assert api_for(other_official).post(POINTS, elsewhere, format="json").status_code == 403
    assert TownshipPoint.objects.get(township=tree.town).latitude == Decimal("34.8")
    assert not TownshipPoint.objects.filter(township=tree.subdistrict).exists()


@pytest.mark.parametrize(
    "body, field",
    [
        ({"township": "371721", "latitude": "34.8", "longitude": "115.5"}, "township"),
        ({"township": "371721999", "latitude": "34.8", "longitude": "115.5"}, "township"),
        ({"township": "371721121", "latitude": "60", "longitude": "115.5"}, "latitude"),
        ({"township": "371721121", "latitude": "34.8", "longitude": None}, "longitude"),
        ({"township": "371721121", "latitude": "34.8"}, "longitude"),
        ({"township": "371721121", "latitude": "x", "longitude": "115.5"}, "latitude"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(tree, official, body, field):
    response = api_for(official).post(POINTS, body, format="json")
    assert response.status_code == 400, response.content
    assert field in str(response.json())
    assert not TownshipPoint.objects.exists()


def test_a_bad_code_in_the_address_is_a_404(tree, official):
    client = api_for(official)
    for code in ("abc", "371721", "3717211210", "999999999"):
        assert client.get(f"{POINTS}{code}/").status_code == 404
        assert client.patch(f"{POINTS}{code}/", {"latitude": "35"}, format="json").status_code == 404
    township_point_set(by=official, township=tree.town, latitude=Decimal("34.8"), longitude=Decimal("115.5"))
    assert client.patch(f"{POINTS}{tree.town.code}/", {"latitude": None}, format="json").status_code == 400
    assert client.delete(f"{POINTS}{tree.town.code}/").status_code == 405


def test_the_point_list_runs_a_constant_number_of_queries(tree, official, django_assert_max_num_queries):
    townships = [
        Division.objects.create(code=f"371721{number:03d}", name=f"乡{number}", level="township", parent=tree.county)
        for number in range(200, 230)
    ]
    client = api_for(official)
    for township in townships[:2]:
        township_point_set(by=official, township=township, latitude=Decimal("34.8"), longitude=Decimal("115.5"))
    with django_assert_max_num_queries(10) as captured:
        assert client.get(POINTS).status_code == 200
    few = len(captured.captured_queries)
    for township in townships[2:]:
        township_point_set(by=official, township=township, latitude=Decimal("34.8"), longitude=Decimal("115.5"))
    with django_assert_max_num_queries(few):
        assert len(client.get(POINTS).json()["results"]) == 30


def test_the_schema_documents_township_points():
    paths = APIClient().get("/api/v1/schema/", {"format": "json"}).json()["paths"]
    assert set(paths[POINTS]) >= {"get", "post"}
    assert set(paths[POINTS + "{code}/"]) >= {"get", "patch"}
    assert "delete" not in paths[POINTS + "{code}/"] and "put" not in paths[POINTS + "{code}/"]


def test_the_point_form_speaks_chinese(tree, official):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(official)
    page = client.get(reverse("villages:township_point", args=[tree.town.code])).content.decode()
    assert "乡镇政府驻地" in page and "大集镇 的位置点" in page
