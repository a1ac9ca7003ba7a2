"""The admin at national scale: changelists without DISTINCT, UPPER or full counts, prefix search, autocomplete."""

import json

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import make_user
from tests.factories import (
    AnnualReportFactory,
    AssessmentFactory,
    OnlineShopFactory,
    ReportingWindowFactory,
    ShopYearFactory,
    VillageFactory,
)
from villages.admin.scoped import EstimatedCountPaginator
from villages.models import COUNTY_OFFICIALS, AnnualReport, Assessment, OnlineShop, ShopYear, Village

pytestmark = pytest.mark.django_db

LARGE_TABLES = (Village, OnlineShop, ShopYear, AnnualReport, Assessment)


def changelist(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def villages_in_town(tree, count, start=1):
    return [VillageFactory(township=tree.town, code=f"{tree.town.code}{number:03d}") for number in
            range(start, start + count)]


def add_rows(model, villages):
    """One row of `model` for each village (the villages themselves for Village)."""
    for village in villages:
        if model is OnlineShop:
            OnlineShopFactory(village=village)
        elif model is ShopYear:
            ShopYearFactory(shop=OnlineShopFactory(village=village))
        elif model is AnnualReport:
            AnnualReportFactory(village=village)
        elif model is Assessment:
            AssessmentFactory(village=village)


def sql_of(client, path, **params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, params)
    assert response.status_code == 200
    return [query["sql"] for query in queries.captured_queries]


@pytest.mark.parametrize("model", LARGE_TABLES, ids=lambda model: model.__name__)
@pytest.mark.parametrize("search", ["", "3717", "丁楼"], ids=["plain", "digits", "name"])
def test_changelist_sql_has_no_distinct_and_no_upper(model, search, tree, superuser, client):
    ReportingWindowFactory(year=2023)
    add_rows(model, [VillageFactory(township=tree.town, code="371721121227", name="丁楼村")])
    client.force_login(superuser)

    statements = sql_of(client, changelist(model), q=search) if search else sql_of(client, changelist(model))

    assert not [sql for sql in statements if "DISTINCT" in sql.upper() or "UPPER(" in sql.upper()]


@pytest.mark.parametrize("model", LARGE_TABLES, ids=lambda model: model.__name__)
def test_a_search_of_digits_is_a_code_range_not_a_like(model, tree, superuser, client):
    add_rows(model, [VillageFactory(township=tree.town, code="371721121227")])
    client.force_login(superuser)

    statements = sql_of(client, changelist(model), q="371721")

    page_queries = [sql for sql in statements if model._meta.db_table in sql and ">=" in sql]
    assert page_queries
    assert all(" LIKE " not in sql.upper() for sql in page_queries)


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("3717", {"371721121227", "371722102201"}),
        ("371721", {"371721121227"}),
        ("37172199", set()),  # the range's upper end carries: 37172199… < 371722…
        ("3717211212270", set()),
        ("32", {"320324109201"}),
        ("丁楼", {"371721121227"}),
        ("丁楼 3717", {"371721121227"}),
        ("丁楼 32", set()),
    ],
)
def test_village_search_matches_code_prefixes_and_parts_of_names(term, expected, tree, superuser, client):
    VillageFactory(township=tree.town, code="371721121227", name="丁楼村")
    VillageFactory(township=tree.second_county_town, code="371722102201", name="黄岗村")
    VillageFactory(township=tree.other_town, code="320324109201", name="东风村")
    client.force_login(superuser)

    page = client.get(changelist(Village), {"q": term})

    assert {village.code for village in page.context["cl"].result_list} == expected


@pytest.mark.parametrize("model", LARGE_TABLES, ids=lambda model: model.__name__)
def test_changelist_query_count_is_the_same_for_10_and_300_rows(
    model, tree, superuser, client, django_assert_max_num_queries
):
    ReportingWindowFactory(year=2023)
    add_rows(model, villages_in_town(tree, 10))
    client.force_login(superuser)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(changelist(model)).status_code == 200
    add_rows(model, villages_in_town(tree, 290, start=11))

    with django_assert_max_num_queries(len(queries)):
        page = client.get(changelist(model))

    assert page.context["cl"].result_count == 300
    assert len(page.context["cl"].result_list) == admin.site._registry[model].list_per_page


def test_year_filter_offers_the_reporting_window_years_and_filters(tree, superuser, client):
    ReportingWindowFactory(year=2023)
    ReportingWindowFactory(year=2024)
    village = VillageFactory(township=tree.town)
    AnnualReportFactory(village=village, year=2023)
    AnnualReportFactory(village=village, year=2024)
    client.force_login(superuser)

    page = client.get(changelist(AnnualReport), {"year": "2024"})
    filters = page.context["cl"].filter_specs
    year_filter = next(spec for spec in filters if getattr(spec, "parameter_name", "") == "year")

    assert [value for value, _label in year_filter.lookup_choices] == ["2024", "2023"]
    assert [report.year for report in page.context["cl"].result_list] == [2024]


@pytest.mark.parametrize("value", ["abc", "2024x", "99999", "-1"])
def test_year_and_province_filters_ignore_or_empty_nonsense_without_an_error(value, tree, superuser, client):
    AnnualReportFactory(village=VillageFactory(township=tree.town))
    client.force_login(superuser)

    assert client.get(changelist(AnnualReport), {"year": value}).status_code == 200
    assert client.get(changelist(Village), {"province": value}).status_code == 200


def test_province_filter_is_a_code_range(tree, superuser, client):
    VillageFactory(township=tree.town, code="371721121227")
    VillageFactory(township=tree.other_town, code="320324109201")
    client.force_login(superuser)

    page = client.get(changelist(Village), {"province": "370000"})

    assert [village.code for village in page.context["cl"].result_list] == ["371721121227"]


def test_paginator_counts_exactly_up_to_the_limit(tree, settings):
    """Up to the threshold the count is exact, once the planner knows the table (autovacuum's ANALYZE)."""
    villages_in_town(tree, 12)
    settings.COUNT_ESTIMATE_THRESHOLD = 20
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE villages_village")

    assert EstimatedCountPaginator(Village.objects.order_by("code"), 5).count == 12


def test_paginator_beyond_the_limit_counts_no_further_than_it(tree, settings):
    """Beyond the limit: PostgreSQL's planner estimate (no full COUNT); other databases count exactly."""
    villages_in_town(tree, 12)
    settings.COUNT_ESTIMATE_THRESHOLD = 5

    with CaptureQueriesContext(connection) as queries:
        count = EstimatedCountPaginator(Village.objects.order_by("code"), 5).count

    if connection.vendor == "postgresql":
        assert count >= 6
        assert [sql for sql in queries.captured_queries if sql["sql"].startswith("EXPLAIN")]
        assert all("LIMIT" in sql["sql"] for sql in queries.captured_queries if "COUNT(" in sql["sql"].upper())
    else:
        assert count == 12


def autocomplete(client, term, model_name="onlineshop", field_name="village"):
    response = client.get(
        reverse("admin:autocomplete"),
        {"term": term, "app_label": "villages", "model_name": model_name, "field_name": field_name},
    )
    assert response.status_code == 200
    return [result["text"] for result in json.loads(response.content)["results"]]


@pytest.fixture
def three_counties(tree):
    VillageFactory(township=tree.town, code="371721121227", name="丁楼村")
    VillageFactory(township=tree.second_county_town, code="371722102201", name="黄岗村")
    VillageFactory(township=tree.other_town, code="320324109201", name="东风村")


def test_village_autocomplete_for_a_county_official_stays_in_the_county(three_counties, tree, client):
    official = make_user("staff_official", COUNTY_OFFICIALS, [tree.county], is_staff=True)
    client.force_login(official)

    assert autocomplete(client, "3") == ["丁楼村 (371721121227)"]
    assert autocomplete(client, "丁楼") == ["丁楼村 (371721121227)"]
    assert autocomplete(client, "东风") == []


def test_village_autocomplete_for_an_admin_covers_the_country(three_counties, superuser, client):
    client.force_login(superuser)

    assert autocomplete(client, "3717") == ["丁楼村 (371721121227)", "黄岗村 (371722102201)"]
    assert autocomplete(client, "3") == ["东风村 (320324109201)", "丁楼村 (371721121227)", "黄岗村 (371722102201)"]
    assert autocomplete(client, "村") == ["东风村 (320324109201)", "丁楼村 (371721121227)", "黄岗村 (371722102201)"]


def test_division_autocomplete_searches_code_prefixes(tree, superuser, client):
    client.force_login(superuser)

    found = autocomplete(client, "371721", model_name="division", field_name="parent")

    assert found == ["曹县 (371721)", "曹城街道 (371721001)", "大集镇 (371721121)"]
