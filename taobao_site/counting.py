"""Counts of long lists that stay cheap: exact when short, the planner's estimate beyond a threshold.

One rule for the API lists (`api_pagination.RegistryPagination`) and the admin changelists
(`villages.admin.scoped.EstimatedCountPaginator`):

- `count` is exact up to `COUNT_ESTIMATE_THRESHOLD` rows (default 10,000), counted with a LIMIT so that a
  large list costs no more than the threshold. Beyond it, on PostgreSQL, it is the planner's estimate of the
  filtered query's rows (one EXPLAIN, no execution), and says so; SQLite counts exactly.
- In steps, so that the national lists are never counted to the threshold: a count up to a twentieth of it
  (`PROBE_FRACTION`; 500 rows) settles short lists in one cheap statement; beyond that, the EXPLAIN; a list
  the planner expects to be more than `TRUSTED_ESTIMATE_FACTOR` (10) times the threshold is then not counted
  further (only a plan wrong by that factor could call a list below the threshold an estimate, and it would
  say so); any other is counted to the threshold. The probe stays small because a selective filter over a
  large table (certified villages whose name holds a word) reads many rows for each one it counts.
- An estimate, once made, is kept in the shared cache for `COUNT_ESTIMATE_CACHE_SECONDS` (default 300; 0
  keeps none), under the SQL and parameters of the query's primary keys (which hold the caller's scope and
  filters, but not a cursor's position), so that the next page of the same list costs no count at all. An
  estimate a few minutes old is still an estimate, and the answer says it is one; only a list found longer
  than the threshold gets one, so a list that is counted exactly is never answered from the cache unless it
  was beyond the threshold within those minutes.
- A list longer than the probe that the count to the threshold settled keeps, for the same time, only that
  fact (`COUNT_TO_THRESHOLD`): its next page is counted to the threshold at once, without the probe and the
  EXPLAIN, and exactly (a county's villages at national scale: 807 rows, three statements a page before).
- A list whose condition the database can only test row by row may be counted as disjoint parts that indexes
  serve (`bounded_parts_count`; an official's villages: those of the jurisdiction, and the certified ones
  outside it). The count is their sum, an estimate if any part's is.

`BoundedCountPaginator` is Django's paginator with this count, for the web lists and the admin.
"""

import hashlib
import json
import logging

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

TRUSTED_ESTIMATE_FACTOR = 10
PROBE_FRACTION = 20
# Kept instead of an estimate for a list that neither the probe nor the planner settled (longer than the probe,
# expected within ten times the threshold, found within the threshold by counting): its next page counts to the
# threshold straight away, one statement instead of three, and the answer is still exact.
COUNT_TO_THRESHOLD = -1


def _keys_statement(unordered) -> tuple[str, tuple] | None:
    """The SQL and parameters of the query's primary keys (its joins, filters and DISTINCT); None for a query that
    matches nothing by construction.

    Compiled once, it names the rows for the cache key, and the counts and the EXPLAIN run on it: compiling the
    whole select list, with its related models, would cost more than the cache saves, and Django's `count()` and
    `explain()` would each compile the query again (half a millisecond apiece)."""
    try:
        return unordered.values_list("pk").query.get_compiler(using=unordered.db).as_sql()
    except EmptyResultSet:
        return None


def _estimate_key(db: str, keys: tuple[str, tuple], threshold: int) -> str:
    """The cache key of the query's estimate."""
    sql, params = keys
    digest = hashlib.sha256(json.dumps([db, threshold, sql, params], default=str).encode()).hexdigest()
    return f"count-estimate:{digest}"


def _cached_estimate(key: str) -> int | None:
    try:
        return cache.get(key)
    except RedisError:
        logger.warning("The shared cache is unreachable; the list is counted without it.")
        return None


def _keep_estimate(key: str | None, estimate: int) -> None:
    seconds = settings.COUNT_ESTIMATE_CACHE_SECONDS
    if key is None or seconds <= 0:
        return
    try:
        cache.set(key, estimate, seconds)
    except RedisError:
        logger.warning("The shared cache is unreachable; the count estimate was not kept.")


def _counted_to(connection, keys: tuple[str, tuple], limit: int) -> int:
    """How many rows the keys' query has, counted no further than `limit`."""
    sql, params = keys
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM (SELECT 1 FROM ({sql}) AS listed LIMIT %s) AS counted", (*params, limit))
        return cursor.fetchone()[0]


def _planner_estimate(connection, keys: tuple[str, tuple]) -> int:
    sql, params = keys
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return int(plan[0]["Plan"]["Plan Rows"])


def bounded_count(queryset) -> tuple[int, bool]:
    """The number of rows and whether it is an estimate (see the module's docstring)."""
    if not isinstance(queryset, QuerySet):
        return len(queryset), False
    unordered = queryset.order_by()
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return unordered.count(), False
    keys = _keys_statement(unordered)
    if keys is None:
        return 0, False
    threshold = settings.COUNT_ESTIMATE_THRESHOLD
    key = _estimate_key(queryset.db, keys, threshold) if settings.COUNT_ESTIMATE_CACHE_SECONDS > 0 else None
    kept = _cached_estimate(key) if key is not None else None
    if kept is not None and kept != COUNT_TO_THRESHOLD:
        return kept, True
    estimate = None
    if kept is None:
        probe = threshold // PROBE_FRACTION
        counted = _counted_to(connection, keys, probe + 1)
        if counted <= probe:
            return counted, False
        estimate = _planner_estimate(connection, keys)
        if estimate > threshold * TRUSTED_ESTIMATE_FACTOR:
            _keep_estimate(key, estimate)
            return estimate, True
    counted = _counted_to(connection, keys, threshold + 1)
    if counted <= threshold:
        if kept is None:
            _keep_estimate(key, COUNT_TO_THRESHOLD)
        return counted, False
    # Longer than the threshold (a list kept as "count it" may have grown since): the planner's estimate.
    estimate = max(counted, estimate if estimate is not None else _planner_estimate(connection, keys))
    _keep_estimate(key, estimate)
    return estimate, True


def bounded_parts_count(parts) -> tuple[int, bool]:
    """The rows of disjoint `parts` (querysets) together, by `bounded_count` of each: their sum, and whether any
    part's count is an estimate."""
    counts = [bounded_count(part) for part in parts]
    return sum(count for count, _ in counts), any(estimate for _, estimate in counts)


class BoundedCountPaginator(Paginator):
    """Django's paginator counting by `bounded_count` (or, given `count_parts`, by `bounded_parts_count` of them:
    disjoint querysets holding the same rows as the list). `count_is_estimate` says when the count is the
    planner's estimate; then the last page links may point a little short of or past the real last page (an
    empty page)."""

    def __init__(self, object_list, per_page, *args, count_parts=None, **kwargs):
        super().__init__(object_list, per_page, *args, **kwargs)
        self.count_parts = count_parts

    @cached_property
    def _bounded_count(self) -> tuple[int, bool]:
        if self.count_parts is not None:
            return bounded_parts_count(self.count_parts)
        return bounded_count(self.object_list)

    @cached_property
    def count(self):
        return self._bounded_count[0]

    @property
    def count_is_estimate(self) -> bool:
        return self._bounded_count[1]
