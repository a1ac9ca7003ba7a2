"""Service network pages: point list and detail by role, the forms, monthly activity, centres, the public map."""

import pytest
from django.urls import reverse

from rural_services.models import CountyOperationCenter, ServiceActivity, ServicePoint
from tests.factories import CountyOperationCenterFactory, ServiceActivityFactory, ServicePointFactory, VillageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def village(tree):
    return VillageFactory(township=tree.town, latitude="34.8", longitude="115.5")


def test_point_detail_shows_partner_only_to_users_with_jurisdiction(
    client, client_for, official, other_official, village
):
    point = ServicePointFactory(village=village, partner_name="王五", partner_phone="13712345678")
    url = reverse("rural_services:point_detail", args=[point.code])
    assert "13712345678" in client_for(official).get(url).content.decode()
    for viewer in (client, client_for(other_official)):
        page = viewer.get(url).content.decode()
        assert "13712345678" not in page and "王五" not in page


def test_planned_point_is_hidden_from_anonymous(client, village):
    point = ServicePointFactory(village=village, status=ServicePoint.Status.PLANNED)
    assert client.get(reverse("rural_services:point_detail", args=[point.code])).status_code == 404


def test_point_list_is_scoped_and_runs_constant_queries(
    client_for, official, other_official, village, tree, django_assert_max_num_queries
):
    ServicePointFactory(village=village, name="本县站")
    ServicePointFactory(village=VillageFactory(township=tree.other_town), name="外县站")
    client = client_for(official)
    page = client.get(reverse("rural_services:point_list")).content.decode()
    assert "本县站" in page and "外县站" not in page
    with django_assert_max_num_queries(15) as captured:
        client.get(reverse("rural_services:point_list"))
    few = len(captured.captured_queries)
    for _ in range(12):
        ServicePointFactory(village=village)
    with django_assert_max_num_queries(few):
        client.get(reverse("rural_services:point_list"))


def test_official_adds_a_service_point_with_services(client_for, official, village):
    response = client_for(official).post(
        reverse("rural_services:point_create"),
        {
            "code": "CX-001",
            "name": "丁楼服务站",
            "village": village.code,
            "status": "open",
            "services": ["parcel_pickup"],
            "partner_phone": "13812345678",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    assert ServicePoint.objects.get(code="CX-001").village == village


def test_point_form_rejects_a_bad_phone_beside_the_field(client_for, official, village):
    response = client_for(official).post(
        reverse("rural_services:point_create"),
        {"code": "CX-002", "name": "站", "village": village.code, "status": "open", "partner_phone": "12345"},
    )
    assert response.status_code == 200 and "partner_phone" in response.context["form"].errors


def test_official_cannot_add_a_point_in_another_county(client_for, official, tree):
    other = VillageFactory(township=tree.other_town)
    response = client_for(official).post(
        reverse("rural_services:point_create"), {"code": "X-1", "name": "站", "village": other.code, "status": "open"}
    )
    assert response.status_code == 200 and "village" in response.context["form"].errors


def test_official_enters_monthly_activity(client_for, official, village):
    point = ServicePointFactory(village=village)
    response = client_for(official).post(
        reverse("rural_services:activity_create", args=[point.code]),
        {
            "month": "2024-03-01",
            "assisted_purchases": "4",
            "assisted_purchase_value": "1000",
            "produce_sales_value": "0",
            "parcels": "50",
        },
    )
    assert response.status_code == 302
    assert ServiceActivity.objects.get(point=point).parcels == 50


def test_stale_activity_edit_shows_both_versions(client_for, official, village):
    activity = ServiceActivityFactory(point=ServicePointFactory(village=village), parcels=500)
    ServiceActivity.objects.filter(pk=activity.pk).update(parcels=600, version=activity.version + 1)
    response = client_for(official).post(
        reverse("rural_services:activity_edit", args=[activity.pk]),
        {
            "version": str(activity.version),
            "month": "2024-03-01",
            "assisted_purchases": "40",
            "assisted_purchase_value": "12000",
            "produce_sales_value": "30000",
            "parcels": "700",
        },
    )
    assert response.status_code == 200 and response.context["conflict"] is not None
    assert ServiceActivity.objects.get(pk=activity.pk).parcels == 600


def test_official_adds_a_county_centre(client_for, official, tree):
    response = client_for(official).post(
        reverse("rural_services:center_create"),
        {"county": tree.county.code, "name": "曹县运营中心", "status": "open"},
    )
    assert response.status_code == 302
    assert CountyOperationCenter.objects.get(name="曹县运营中心").county == tree.county
    assert "曹县运营中心" in client_for(official).get(reverse("rural_services:center_list")).content.decode()


def test_reviewer_cannot_open_data_entry_forms(client_for, reviewer):
    assert client_for(reviewer).get(reverse("rural_services:point_create")).status_code == 403
    assert client_for(reviewer).get(reverse("rural_services:center_create")).status_code == 403


def test_public_map_data_has_open_points_without_personal_data(client, village):
    ServicePointFactory(village=village, latitude="34.81", longitude="115.51", partner_phone="13612345678")
    ServicePointFactory(village=village, latitude="34.82", longitude="115.52", status=ServicePoint.Status.PLANNED)
    body = client.get(reverse("rural_services:map_data"))
    features = body.json()["features"]
    assert [feature["properties"]["kind"] for feature in features] == ["service_point"]
    assert "13612345678" not in body.content.decode()
    page = client.get(reverse("rural_services:map")).content.decode()
    assert "/static/vendor/leaflet/leaflet.js" in page


def test_dashboard_shows_service_coverage(client, village):
    ServicePointFactory(village=village)
    page = client.get(reverse("villages:dashboard"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "counties with an open service point" in page
    assert "100,000" in page


def test_dashboard_measures_the_network_against_each_published_target_with_its_source(client, village, tree):
    from rural_services.models import NetworkTarget

    ServicePointFactory(village=village)
    CountyOperationCenterFactory(county=tree.county)
    assert set(NetworkTarget.objects.values_list("counties", "villages")) == {(1_000, 100_000), (1_000, 150_000)}

    page = client.get(reverse("villages:dashboard"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "千县万村 2014" in page and "Rural Taobao 2018" in page
    assert "1 of 100,000 (0.0 %)" in page and "1 of 150,000 (0.0 %)" in page
    assert "1 of 1,000 (0.1 %)" in page
    assert "postandparcel.info/97003" in page

    NetworkTarget.objects.filter(name="Rural Taobao 2018").update(villages=4)
    page = client.get(reverse("villages:dashboard"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "1 of 4 (25.0 %)" in page
