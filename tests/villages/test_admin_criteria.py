"""Criteria versions in the admin: a version used for assessments keeps its thresholds; saves use the service."""

import pytest
from django.urls import reverse

from tests.factories import AnnualReportFactory, VillageFactory
from villages.models import AnnualReport, CriteriaSet
from villages.services.certification import report_assess

pytestmark = pytest.mark.django_db


def change_url(criteria_set):
    return reverse("admin:villages_criteriaset_change", args=[criteria_set.pk])


def form_data(criteria_set, **overrides):
    data = {
        "name": criteria_set.name,
        "first_year": criteria_set.first_year,
        "last_year": criteria_set.last_year or "",
        "eligible_committee_types": '["village_committee"]',
        "village_min_sales": criteria_set.village_min_sales,
        "village_min_active_shops": criteria_set.village_min_active_shops,
        "village_min_household_share": criteria_set.village_min_household_share,
        "town_min_taobao_villages": criteria_set.town_min_taobao_villages,
        "town_scale_route": "on" if criteria_set.town_scale_route else "",
        "town_min_sales": criteria_set.town_min_sales or "",
        "town_min_active_shops": criteria_set.town_min_active_shops or "",
        "subdistricts_can_be_towns": "on" if criteria_set.subdistricts_can_be_towns else "",
        "neighbourhood_committee_rule": criteria_set.neighbourhood_committee_rule,
        "cluster_min_villages": criteria_set.cluster_min_villages,
        "cluster_large_min_villages": criteria_set.cluster_large_min_villages,
        "cluster_super_large_over_villages": criteria_set.cluster_super_large_over_villages,
        "source": criteria_set.source,
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value != ""}


def test_an_unused_version_is_edited_through_the_admin(superuser, client):
    criteria_set = CriteriaSet.objects.get(first_year=2020)
    client.force_login(superuser)
    response = client.post(change_url(criteria_set), form_data(criteria_set, village_min_sales=12_000_000))
    assert response.status_code == 302, response.content.decode()[:2000]
    criteria_set.refresh_from_db()
    assert criteria_set.village_min_sales == 12_000_000


def test_a_used_version_shows_its_thresholds_read_only_and_keeps_them(tree, superuser, client):
    report = AnnualReportFactory(
        village=VillageFactory(township=tree.town), year=2023, status=AnnualReport.Status.APPROVED
    )
    report_assess(report=report)
    criteria_set = CriteriaSet.objects.get(first_year=2020)
    client.force_login(superuser)

    page = client.get(change_url(criteria_set))
    assert page.status_code == 200
    assert 'name="village_min_sales"' not in page.content.decode()
    assert 'name="source"' in page.content.decode()

    client.post(change_url(criteria_set), form_data(criteria_set, village_min_sales=1, source="changed source"))
    criteria_set.refresh_from_db()
    assert criteria_set.village_min_sales == 10_000_000
    assert criteria_set.source == "changed source"
