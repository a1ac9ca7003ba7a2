"""Scoping the planner understands: no filter for administrators, code prefixes as index-served ranges."""

import hashlib
import itertools
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from tests.api.conftest import make_assessment
from tests.conftest import make_user
from tests.factories import DivisionFactory, VillageFactory
from villages import codes
from villages.filters import VillageFilter, name_or_code_search
from villages.models import REVIEWERS, Division, Village
from villages.selectors.jurisdiction import code_prefix_q, outermost_prefixes, scope_q
from villages.selectors.visibility import shops_in_scope_of, villages_visible_to


@pytest.mark.parametrize(
    ("prefix", "bound"),
    [("371721", "371722"), ("37", "38"), ("371721999", "371722"), ("3799", "38"), ("19", "2"), ("99", None)],
)
def test_the_upper_bound_of_a_prefix_carries_its_nines(prefix, bound):
    assert codes.prefix_upper_bound(prefix) == bound


def test_the_range_of_a_prefix_holds_exactly_the_digit_strings_that_start_with_it():
    digit_strings = ["".join(digits) for length in (1, 2, 3) for digits in itertools.product("0189", repeat=length)]
    for prefix in [text for text in digit_strings if len(text) <= 2]:
        bound = codes.prefix_upper_bound(prefix)
        in_range = {text for text in digit_strings if text >= prefix and (bound is None or text < bound)}
        assert in_range == {text for text in digit_strings if text.startswith(prefix)}, prefix


def test_a_township_ending_in_nine_does_not_take_in_the_next_county(tree):
    township = DivisionFactory(code="371721999", level="township", parent=tree.county)
    DivisionFactory(code="371722", level="county", parent=tree.prefecture)
    assert list(Division.objects.filter(code_prefix_q("code", "371721999"))) == [township]


def test_prefixes_inside_another_are_dropped():
    assert outermost_prefixes(["371721", "37", "3203", "320324", "37"]) == ["3203", "37"]


@pytest.mark.django_db
def test_an_administrator_has_no_scope_filter_at_all(administrator):
    assert scope_q(administrator, "code") is None
    assert "WHERE" not in str(shops_in_scope_of(administrator).query)
    assert "WHERE" not in str(villages_visible_to(administrator).query)


@pytest.mark.django_db
def test_the_administrators_village_list_queries_the_villages_without_a_where(tree, administrator):
    VillageFactory(township=tree.town)
    client = APIClient()
    client.force_authenticate(administrator)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/villages/")
    assert response.status_code == 200
    village_queries = [query["sql"] for query in queries if 'FROM "villages_village"' in query["sql"]]
    assert len(village_queries) == 2
    assert not [sql for sql in village_queries if "WHERE" in sql]


@pytest.mark.django_db
def test_an_officials_scope_is_a_range_on_the_code_not_a_like(tree, official):
    sql = str(villages_visible_to(official).query)
    assert "LIKE" not in sql.upper()
    assert '"code" >= 371721' in sql
    assert '"code" < 371722' in sql


@pytest.mark.django_db
def test_a_reviewer_of_a_province_and_a_county_inside_it_is_scoped_by_the_province_alone(tree):
    reviewer = make_user("double_reviewer", REVIEWERS, [tree.province, tree.county])
    inside = VillageFactory(township=tree.town)
    VillageFactory(township=tree.other_town)
    assert str(scope_q(reviewer, "code")).count("code__gte") == 1
    assert list(Village.objects.filter(scope_q(reviewer, "code"))) == [inside]


on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="Query plans are PostgreSQL's.")

GENERATED_COUNTIES = 40
GENERATED_VILLAGES = 20_000


@pytest.fixture
def twenty_thousand_villages(tree):
    """40 counties of 500 villages each, made in SQL and analysed, so the planner sees a realistic table."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO villages_division (code, name, level, parent_id, source) "
            "SELECT (371750 + n)::text, 'county ' || n, 'county', %s, 'mca_2025' FROM generate_series(1, %s) AS n",
            [tree.prefecture.code, GENERATED_COUNTIES],
        )
        cursor.execute(
            "INSERT INTO villages_division (code, name, level, parent_id, source) "
            "SELECT (371750 + n)::text || '101', 'town ' || n, 'township', (371750 + n)::text, 'mca_2025' "
            "FROM generate_series(1, %s) AS n",
            [GENERATED_COUNTIES],
        )
        cursor.execute(
            "INSERT INTO villages_village "
            "(created_at, updated_at, version, code, name, committee_type, main_products, township_id) "
            "SELECT now(), now(), 1, township || lpad((n / %(counties)s)::text, 3, '0'), md5(n::text), 'other', '', "
            "township FROM (SELECT n, (371751 + n %% %(counties)s)::text || '101' AS township "
            "FROM generate_series(0, %(villages)s - 1) AS n) AS generated",
            {"counties": GENERATED_COUNTIES, "villages": GENERATED_VILLAGES},
        )
        cursor.execute("ANALYZE villages_village")


def uses_an_index(plan: str) -> bool:
    return "Seq Scan" not in plan and any(scan in plan for scan in ("Index Scan", "Index Only Scan"))


@pytest.mark.postgres_only
@on_postgresql
@pytest.mark.django_db
def test_postgresql_serves_the_county_filter_from_the_code_index(twenty_thousand_villages):
    villages = VillageFilter({"county": "371760"}, queryset=Village.objects.order_by("code")).qs
    page_plan = villages[:51].explain()
    count_plan = villages.order_by().explain()
    assert villages.count() == GENERATED_VILLAGES // GENERATED_COUNTIES
    assert uses_an_index(page_plan), page_plan
    assert uses_an_index(count_plan), count_plan


@pytest.mark.postgres_only
@on_postgresql
@pytest.mark.django_db
def test_postgresql_serves_a_name_search_from_the_trigram_index(twenty_thousand_villages):
    with connection.cursor() as cursor:
        # What autovacuum does after a bulk insert: move the GIN index's pending entries into the index proper.
        cursor.execute("SELECT gin_clean_pending_list('village_name_trgm')")
    term = hashlib.md5(b"777").hexdigest()[2:10]
    villages = name_or_code_search(Village.objects.order_by("code"), term)
    plan = villages.order_by().explain()
    assert not term.isdigit()
    assert villages.count() >= 1
    assert "village_name_trgm" in plan, plan
    assert "Seq Scan" not in plan, plan


@pytest.mark.postgres_only
@on_postgresql
@pytest.mark.django_db
def test_an_officials_list_narrowed_to_a_county_reads_that_county_alone(twenty_thousand_villages, tree, official):
    """The official's list filtered to a county (the web list, `?county=`) reads the county's range of the code
    index once. One set of ids (`id IN (range UNION ALL certified)`) read the range a second time inside a
    nested loop, because PostgreSQL estimates a code range at a row or two: 117 ms at 620,000 villages."""
    elsewhere = Village.objects.filter(code__startswith="371760").order_by("code").first()
    make_assessment(elsewhere, 2023, qualified=True)
    VillageFactory(township=tree.town, code="371721121201")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE villages_village")
        cursor.execute("ANALYZE villages_assessment")
    visible = villages_visible_to(official)
    narrowed = VillageFilter({"county": "371721"}, queryset=visible.order_by("code")).qs
    plan = narrowed.order_by().explain()
    assert len(re.findall(r"on villages_village\b", plan)) == 1, plan  # the table once (its code index aside)
    assert uses_an_index(plan), plan
    assert list(narrowed.values_list("code", flat=True)) == ["371721121201"]
    assert sorted(visible.values_list("code", flat=True)) == ["371721121201", elsewhere.code]
