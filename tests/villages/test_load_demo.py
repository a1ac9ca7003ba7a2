"""`load_demo` and `demo_accounts`: the demo registry on the official divisions, loaded twice without duplicates."""

import io

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import override_settings

from rural_services.models import CountyOperationCenter, ServicePoint
from villages import scoring
from villages.demo_data import DEMO_VILLAGES
from villages.models import (
    AnnualReport,
    Assessment,
    CriteriaSet,
    Division,
    OnlineShop,
    ShopYear,
    TaobaoTown,
    Village,
)

pytestmark = pytest.mark.django_db

# Every table of the two apps (history and link tables too) and the users: a second load may add to none.
COUNTED = (
    *apps.get_app_config("villages").get_models(include_auto_created=True),
    *apps.get_app_config("rural_services").get_models(include_auto_created=True),
    get_user_model(),
)


def load_demo() -> str:
    output = io.StringIO()
    call_command("load_demo", stdout=output)
    return output.getvalue()


def row_counts():
    return {model._meta.label: model._default_manager.count() for model in COUNTED}


@pytest.fixture
def demo(official_divisions):
    load_demo()


def assess(report):
    criteria = CriteriaSet.objects.filter(first_year__lte=report.year).order_by("-first_year").first()
    inputs = scoring.VillageInputs(
        committee_type=report.village.committee_type,
        ecommerce_sales=report.ecommerce_sales,
        active_shops=report.active_shops,
        households=report.households,
    )
    return scoring.assess_village(scoring.VillageCriteria.of(criteria), inputs)


def test_loading_twice_creates_nothing_the_second_time(official_divisions):
    first_output = load_demo()
    after_first = row_counts()
    second_output = load_demo()

    assert row_counts() == after_first
    assert after_first["villages.Village"] == len(DEMO_VILLAGES)
    assert after_first["villages.AnnualReport"] == len(DEMO_VILLAGES) * 6
    assert "(72 new)" in first_output
    assert "(0 new)" in second_output


def test_demo_needs_the_official_divisions(official_divisions):
    Division.objects.filter(code="331122101").delete()

    with pytest.raises(CommandError, match="331122101.*load_divisions"):
        load_demo()
    assert not Village.objects.exists()


@override_settings(SETTINGS_MODULE="taobao_site.settings.production")
def test_demo_is_never_loaded_with_production_settings(official_divisions):
    with pytest.raises(CommandError, match="production"):
        load_demo()
    assert not get_user_model().objects.filter(username="admin").exists()


def test_demo_accounts_have_their_roles_and_areas(demo):
    users = get_user_model().objects.in_bulk(["admin", "reviewer", "caoxian", "suining"], field_name="username")

    assert users["admin"].is_superuser and users["admin"].is_staff
    areas = {
        username: sorted(user.jurisdiction_assignments.values_list("division_id", flat=True))
        for username, user in users.items()
    }
    assert areas == {"admin": [], "reviewer": ["320000", "370000"], "caoxian": ["371721"], "suining": ["320324"]}
    groups = {username: list(user.groups.values_list("name", flat=True)) for username, user in users.items()}
    assert groups == {
        "admin": [],
        "reviewer": ["reviewer"],
        "caoxian": ["county_official"],
        "suining": ["county_official"],
    }
    assert all(user.check_password("taobao-demo") for user in users.values())


def test_demo_password_comes_from_the_environment(official_divisions, monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "another-secret-42")

    load_demo()

    assert get_user_model().objects.get(username="caoxian").check_password("another-secret-42")


def test_demo_has_the_real_places(demo):
    villages = Village.objects.in_bulk(field_name="code")

    assert villages["371721121227"].name == "丁楼村"
    assert villages["371721121211"].name == "张庄村"
    assert villages["371721121240"].name == "孙庄村"
    assert villages["371721121227"].township.name == "大集镇"
    dongfeng = villages["320324109002"]
    assert (dongfeng.township.name, dongfeng.committee_type) == ("沙集镇", "neighbourhood_committee")
    assert villages["330782002203"].township.name == "江东街道"
    assert any(code.startswith("331122101") for code in villages)


def test_demo_reports_cover_2019_to_2024_in_a_mix_of_statuses(demo):
    years = set(AnnualReport.objects.values_list("year", flat=True))
    statuses = set(AnnualReport.objects.values_list("status", flat=True))

    assert years == set(range(2019, 2025))
    assert statuses == {"draft", "submitted", "returned", "approved"}
    returned = AnnualReport.objects.get(status="returned")
    assert returned.review_comment
    assert list(returned.review_events.values_list("to_status", flat=True)) == ["submitted", "returned"]


def test_demo_reports_include_qualifiers_near_misses_and_the_household_route(demo):
    reports = AnnualReport.objects.filter(year=2023).select_related("village")
    results = {report.village.name: assess(report) for report in reports}

    routes = {name: result.check("shops").details["route"] for name, result in results.items() if result.qualified}

    qualified_by_count = [name for name, route in routes.items() if route == "count"]
    by_share_only = [name for name, route in routes.items() if route == "share"]
    near_misses = [name for name, result in results.items() if not result.qualified and 80 <= result.score < 100]
    assert len(qualified_by_count) >= 5
    assert by_share_only == ["殷庄村"]
    assert {"郑庄村", "李庄村"} <= set(near_misses)
    assert not results["东风社区居委会"].qualified


def test_daji_has_enough_taobao_villages_to_be_a_taobao_town(demo):
    for year in range(2019, 2025):
        reports = AnnualReport.objects.filter(year=year, village__township_id="371721121").select_related("village")
        assert sum(assess(report).qualified for report in reports) >= 3


def test_demo_shop_figures_include_active_and_inactive_shops(demo):
    figures = list(ShopYear.objects.filter(year=2024))

    assert any(shop_year.is_active for shop_year in figures)
    assert any(not shop_year.is_active for shop_year in figures)
    assert OnlineShop.objects.filter(closed_on__isnull=False).exists()


def test_demo_service_network_has_open_points_with_monthly_activity(demo):
    centre = CountyOperationCenter.objects.get(county_id="371721")
    open_points = ServicePoint.objects.filter(status="open", county_center=centre)

    assert open_points.count() >= 3
    for point in open_points:
        assert point.activities.count() == 24
        assert point.services.exists()


def test_demo_accounts_are_listed(demo):
    output = io.StringIO()
    call_command("demo_accounts", stdout=output)
    lines = output.getvalue()

    for expected in ("admin", "reviewer", "caoxian", "suining", "371721", "320324", "taobao-demo"):
        assert expected in lines


def test_demo_accounts_says_when_there_are_none():
    output = io.StringIO()
    call_command("demo_accounts", stdout=output)

    assert "load_demo" in output.getvalue()


def test_approved_demo_reports_are_scored_and_the_others_are_not(demo):
    approved = AnnualReport.objects.filter(status="approved")
    pending = AnnualReport.objects.exclude(status="approved")

    assert Assessment.objects.filter(report__in=approved).count() == approved.count()
    assert not Assessment.objects.filter(report__in=pending).exists()
    dongfeng = dict(Assessment.objects.filter(village__code="320324109002").values_list("year", "status_change"))
    # A neighbourhood committee certified in 2019 keeps its eligibility in 2020 (the 2020 source's reading).
    assert (dongfeng[2019], dongfeng[2020]) == ("new", "retained")


def test_daji_is_a_taobao_town_every_demo_year(demo):
    years = set(TaobaoTown.objects.filter(township_id="371721121").values_list("year", flat=True))

    assert years == set(range(2019, 2025))
