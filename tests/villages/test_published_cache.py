"""The public face is computed once per published data version: approve, reopen and rescore change it at once."""

import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from tests.factories import AnnualReportFactory, ServicePointFactory, VillageFactory
from villages import page_parts
from villages.models import AnnualReport, Assessment, CriteriaSet, PublishedDataVersion
from villages.services.certification import assessments_rescore, report_assess
from villages.services.reports import report_reopen

pytestmark = pytest.mark.django_db

CSRF_VALUE = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def certified(township, name, *, latitude=None, longitude=None):
    village = VillageFactory(township=township, name=name, latitude=latitude, longitude=longitude)
    report_assess(report=AnnualReportFactory(village=village, year=2023, status=AnnualReport.Status.APPROVED))
    return village


def dashboard_page(client):
    response = client.get(reverse("villages:dashboard"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return CSRF_VALUE.sub("", response.content.decode())


@pytest.fixture
def anonymous_api():
    return APIClient()


@pytest.fixture
def without_page_parts(monkeypatch):
    """The dashboard without the service network's panel, which reads its own figures."""
    monkeypatch.setitem(page_parts.PAGE_PARTS, page_parts.DASHBOARD, [])


def test_the_dashboards_second_request_reads_only_the_data_version_and_shows_the_same_page(
    client, tree, without_page_parts, django_assert_max_num_queries
):
    certified(tree.town, "缓存村")
    first = dashboard_page(client)

    with django_assert_max_num_queries(1):
        second = dashboard_page(client)

    assert second == first
    assert "缓存村" in second


def test_an_approval_changes_what_the_next_dashboard_request_shows(client, tree):
    certified(tree.town, "先到村")
    token = PublishedDataVersion.objects.get().token
    assert "后到村" not in dashboard_page(client)

    certified(tree.other_town, "后到村")

    assert PublishedDataVersion.objects.get().token != token
    page = dashboard_page(client)
    assert "先到村" in page and "后到村" in page


def test_a_reopening_removes_the_village_from_the_next_request(client, tree, reviewer):
    village = certified(tree.town, "撤回村")
    assert "撤回村" in dashboard_page(client)

    report_reopen(report=AnnualReport.objects.get(village=village), by=reviewer, comment="数据有误")

    assert "撤回村" not in dashboard_page(client)


def test_a_rescoring_under_stricter_thresholds_shows_at_once(client, tree, anonymous_api):
    certified(tree.town, "重评村")
    assert "重评村" in dashboard_page(client)
    assert _registry_villages(anonymous_api, 2023) == 1
    CriteriaSet.objects.filter(first_year=2020).update(village_min_sales=50_000_000)

    assessments_rescore(years=[2023])

    assert "重评村" not in dashboard_page(client)
    assert _registry_villages(anonymous_api, 2023) == 0


def test_a_flushed_cache_gives_the_same_page_again(client, tree):
    certified(tree.town, "清空村")
    before = dashboard_page(client)

    cache.clear()

    assert dashboard_page(client) == before


def test_without_a_version_row_nothing_is_cached_and_direct_writes_show(client, tree):
    """Until the first approval, reopening or rescoring there is no version to key the cache on."""
    village = VillageFactory(township=tree.town, name="直写村")
    assert "直写村" not in dashboard_page(client)
    Assessment.objects.create(
        village=village, year=2023, criteria_set=CriteriaSet.objects.get(first_year=2020), qualified=True, score=100
    )

    assert not PublishedDataVersion.objects.exists()
    assert "直写村" in dashboard_page(client)


def _registry_villages(api, year):
    rows = api.get("/api/v1/stats/yearly/", {"page_size": 500}).json()["results"]
    return next((row["taobao_villages"] for row in rows if row["year"] == year), 0)


def test_the_yearly_statistics_are_served_from_the_version_cache(tree, anonymous_api, django_assert_max_num_queries):
    certified(tree.town, "统计村")
    assert _registry_villages(anonymous_api, 2023) == 1

    with django_assert_max_num_queries(1):
        assert _registry_villages(anonymous_api, 2023) == 1
    certified(tree.other_town, "统计二村")
    assert _registry_villages(anonymous_api, 2023) == 2


def test_the_village_geojson_is_cached_per_filter(tree, anonymous_api, django_assert_max_num_queries):
    certified(tree.town, "山东村", latitude=34.8, longitude=115.6)
    certified(tree.other_town, "江苏村", latitude=33.9, longitude=117.9)

    def names(params):
        body = anonymous_api.get("/api/v1/villages/geojson/", params).json()
        return sorted(feature["properties"]["name"] for feature in body["features"])

    assert names({}) == ["山东村", "江苏村"]
    assert names({"county": tree.other_county.code}) == ["江苏村"]
    with django_assert_max_num_queries(1):
        assert names({"county": tree.other_county.code, "unrelated": "x"}) == ["江苏村"]
    assert anonymous_api.get("/api/v1/villages/geojson/", {"county": "12"}).status_code == 400

    certified(tree.other_town, "江苏新村", latitude=33.95, longitude=117.95)
    assert names({"county": tree.other_county.code}) == ["江苏新村", "江苏村"]


def test_the_map_data_links_every_feature_to_its_page_and_follows_approvals(client, tree):
    village = certified(tree.town, "地图村", latitude=34.8, longitude=115.6)
    point = ServicePointFactory(village=village, latitude="34.81", longitude="115.61")

    features = client.get(reverse("rural_services:map_data")).json()["features"]

    assert {(feature["properties"]["kind"], feature["properties"]["url"]) for feature in features} == {
        ("village", reverse("villages:village_detail", args=[village.code])),
        ("service_point", reverse("rural_services:point_detail", args=[point.code])),
    }
    later = certified(tree.town, "新地图村", latitude=34.9, longitude=115.7)
    features = client.get(reverse("rural_services:map_data")).json()["features"]
    assert later.code in {feature["properties"]["code"] for feature in features}


def test_the_dashboard_says_as_of_when_the_published_figures_last_changed(client):
    from villages.services.data_version import published_data_changed

    published_data_changed()
    version = PublishedDataVersion.objects.get()

    page = client.get(reverse("villages:dashboard"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    as_of = timezone.localtime(version.changed_at).strftime("%Y-%m-%d %H:%M")
    assert f'<p class="muted" id="data-as-of">Data as of {as_of}</p>' in page


def test_the_dashboard_is_computed_when_the_shared_cache_is_down(client, settings):
    from villages.services.data_version import published_data_changed

    published_data_changed()
    settings.CACHES = {
        "default": {
            "BACKEND": "taobao_site.cache.RegistryRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }

    response = client.get(reverse("villages:dashboard"), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert "Data as of" in response.content.decode()
