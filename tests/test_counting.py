"""`taobao_site.counting` on its own: the parts' sum, the paginator's flag, and one compile per count."""

import pytest
from django.db import connection
from django.db.models.sql.compiler import SQLCompiler
from django.test.utils import CaptureQueriesContext

from taobao_site import counting
from taobao_site.counting import BoundedCountPaginator, bounded_count, bounded_parts_count
from tests.api.test_cursor_pagination import analysed_villages
from villages.models import Village

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="Estimated counts come from PostgreSQL.")


def test_the_parts_count_is_their_sum_and_exact_when_each_is(tree):
    analysed_villages([tree.town, tree.other_town], 4)
    parts = [Village.objects.filter(township=tree.town), Village.objects.filter(township=tree.other_town)]
    assert bounded_parts_count(parts) == (8, False)


def test_a_queryset_that_matches_nothing_by_construction_counts_zero_without_a_statement(tree):
    with CaptureQueriesContext(connection) as queries:
        assert bounded_count(Village.objects.filter(pk__in=[])) == (0, False)
    assert queries.captured_queries == []


def test_a_list_that_is_not_a_queryset_is_counted_by_its_length():
    assert bounded_count([1, 2, 3]) == (3, False)
    assert BoundedCountPaginator([1, 2, 3], 2).count_is_estimate is False


@on_postgresql
def test_an_estimated_part_makes_the_sum_an_estimate(tree, settings):
    settings.COUNT_ESTIMATE_THRESHOLD = 5
    analysed_villages([tree.town], 20)
    analysed_villages([tree.other_town], 2)
    parts = [Village.objects.filter(township=tree.town), Village.objects.filter(township=tree.other_town)]
    count, estimate = bounded_parts_count(parts)
    assert estimate is True
    assert count >= 22
    paginator = BoundedCountPaginator(Village.objects.order_by("code"), 10, count_parts=parts)
    assert (paginator.count, paginator.count_is_estimate) == (count, True)


@on_postgresql
def test_every_statement_of_a_count_runs_on_one_compile_of_the_query(tree, settings, monkeypatch):
    """The probe, the EXPLAIN and the count to the threshold, all three, on the keys' SQL compiled once: Django's
    `count()` and `explain()` would compile the query again for each."""
    settings.COUNT_ESTIMATE_THRESHOLD = 200  # probe to 10, then the planner, then the count to 200
    analysed_villages([tree.town], 30)
    compiles = []
    original = SQLCompiler.as_sql

    def counted_as_sql(self, *args, **kwargs):
        compiles.append(self.query.model)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "as_sql", counted_as_sql)
    with CaptureQueriesContext(connection) as queries:
        assert bounded_count(Village.objects.all()) == (30, False)
    statements = [query["sql"].split(" ", 1)[0] for query in queries.captured_queries]
    assert statements == ["SELECT", "EXPLAIN", "SELECT"]
    assert compiles == [Village]


def test_the_count_is_cached_on_the_paginator(tree, monkeypatch):
    analysed_villages([tree.town], 3)
    calls = []
    monkeypatch.setattr(counting, "bounded_count", lambda rows: calls.append(rows) or (3, False))
    paginator = BoundedCountPaginator(Village.objects.order_by("code"), 2)
    assert (paginator.count, paginator.num_pages, paginator.count_is_estimate) == (3, 2, False)
    assert len(calls) == 1


def test_the_paginator_counts_the_parts_it_is_given_instead_of_the_list(tree):
    analysed_villages([tree.town], 3)
    paginator = BoundedCountPaginator(
        Village.objects.order_by("code"), 2, count_parts=[Village.objects.filter(code__endswith="001")]
    )
    assert paginator.count == 1
