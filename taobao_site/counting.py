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
"""

import hashlib
import json
import logging

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

TRUSTED_ESTIMATE_FACTOR = 10
PROBE_FRACTION = 20
# Kept instead of an estimate for a list that neither the probe nor the planner settled (longer than the probe,
# expected within ten times the threshold, found within the threshold by counting): its next page counts to the
# threshold straight away, one statement instead of three, and the answer is still exact.
COUNT_TO_THRESHOLD = -1


def _estimate_key(unordered, threshold: int) -> str | None:
    """The cache key of the query's estimate; None for a query that matches nothing by construction.

    The rows are named by the primary keys' query (its joins, filters and DISTINCT): compiling the whole select
    list, with its related models, would cost more than the cache saves."""
    try:
        sql, params = unordered.values_list("pk").query.sql_with_params()
    except EmptyResultSet:
        return None
    digest = hashlib.sha256(json.dumps([unordered.db, threshold, sql, params], default=str).encode()).hexdigest()
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


def _planner_estimate(unordered) -> int:
    plan = json.loads(unordered.explain(format="json"))
    return int(plan[0]["Plan"]["Plan Rows"])


def bounded_count(queryset) -> tuple[int, bool]:
    """The number of rows and whether it is an estimate (see the module's docstring)."""
    if not isinstance(queryset, QuerySet):
        return len(queryset), False
    unordered = queryset.order_by()
    if connections[queryset.db].vendor != "postgresql":
        return unordered.count(), False
    threshold = settings.COUNT_ESTIMATE_THRESHOLD
    key = _estimate_key(unordered, threshold) if settings.COUNT_ESTIMATE_CACHE_SECONDS > 0 else None
    kept = _cached_estimate(key) if key is not None else None
    if kept is not None and kept != COUNT_TO_THRESHOLD:
        return kept, True
    estimate = None
    if kept is None:
        probe = threshold // PROBE_FRACTION
        counted = unordered[: probe + 1].count()
        if counted <= probe:
            return counted, False
        estimate = _planner_estimate(unordered)
        if estimate > threshold * TRUSTED_ESTIMATE_FACTOR:
            _keep_estimate(key, estimate)
            return estimate, True
    counted = unordered[: threshold + 1].count()
    if counted <= threshold:
        if kept is None:
            _keep_estimate(key, COUNT_TO_THRESHOLD)
        return counted, False
    # Longer than the threshold (a list kept as "count it" may have grown since): the planner's estimate.
    estimate = max(counted, estimate if estimate is not None else _planner_estimate(unordered))
    _keep_estimate(key, estimate)
    return estimate, True
