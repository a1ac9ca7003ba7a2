"""`GET /healthz`: is the database, the shared cache and the background worker fit to serve? JSON, 200 or 503."""

import logging
import time
import uuid

from django.conf import settings
from django.core.cache import caches
from django.db import connections
from django.db.models import Case, F, Max, When
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django_tasks_db.models import DBTaskResult, get_date_max

logger = logging.getLogger(__name__)

WORKER_HEARTBEAT_KEY = "registry:worker-heartbeat"


def record_worker_heartbeat() -> None:
    """Note that a worker is alive: call it from the worker's loop on every poll, busy or idle.

    The time goes to the shared cache, which every app server reads. When the cache is down the heartbeat is
    lost, and `/healthz` falls back to what the workers write in the database anyway: when they last started
    or finished a task. A worker must never stop because the cache is down, so failures are only logged.
    """
    try:
        caches["default"].set(WORKER_HEARTBEAT_KEY, time.time(), timeout=None)
    except Exception:
        logger.warning("Could not record the worker heartbeat in the cache", exc_info=True)


def _milliseconds_since(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 1)


def _failure(check: str, error: Exception) -> dict:
    # The exception's class tells the operator what broke; its message can name hosts and stays in the log.
    logger.warning("Health check %s failed", check, exc_info=error)
    return {"status": "down", "reason": "unavailable", "error": type(error).__name__}


def database_check() -> dict:
    """A trivial query on the default database."""
    start = time.perf_counter()
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:
        return _failure("database", error)
    return {"status": "ok", "latency_ms": _milliseconds_since(start)}


def cache_check() -> dict:
    """Write, read back and delete a key of its own in the default (shared) cache."""
    cache = caches["default"]
    key = f"registry:health-probe:{uuid.uuid4().hex}"
    start = time.perf_counter()
    try:
        cache.set(key, key, timeout=30)
        read_back = cache.get(key)
        cache.delete(key)
    except Exception as error:
        return _failure("cache", error)
    if read_back != key:
        return {"status": "down", "reason": "value_not_kept"}
    return {"status": "ok", "latency_ms": _milliseconds_since(start)}


def _heartbeat_age(now: float) -> float | None:
    try:
        beat = caches["default"].get(WORKER_HEARTBEAT_KEY)
    except Exception:
        # The cache check reports the outage; here the database's task timestamps stand in for the heartbeat.
        return None
    return None if beat is None else max(now - beat, 0.0)


def _last_task_activity_age(now: float) -> float | None:
    activity = DBTaskResult.objects.aggregate(started=Max("started_at"), finished=Max("finished_at"))
    moments = [moment.timestamp() for moment in activity.values() if moment is not None]
    return max(now - max(moments), 0.0) if moments else None


def worker_check() -> dict:
    """How long queued work has waited, and whether a worker has shown life since.

    An idle worker with an empty queue is healthy however long it has been quiet: silence matters only while
    there is work waiting, and a worker never seen at all (a fresh install) is judged by the queue's age alone.
    A task scheduled for later counts from the moment it became due, not from when it
    was enqueued, so retries with backoff do not look like a stuck queue.
    """
    now = time.time()
    try:
        ready = DBTaskResult.objects.ready()
        queued = ready.count()
        waiting_since = (
            ready.annotate(due_at=Case(When(run_after=get_date_max(), then=F("enqueued_at")), default=F("run_after")))
            .order_by("due_at")
            .values_list("due_at", flat=True)
            .first()
        )
        last_seen_age, last_seen_source = _heartbeat_age(now), "heartbeat"
        if last_seen_age is None and queued:
            last_seen_age, last_seen_source = _last_task_activity_age(now), "task_timestamps"
    except Exception as error:
        return _failure("worker", error)

    oldest_age = None if waiting_since is None else round(max(now - waiting_since.timestamp(), 0.0), 1)
    result = {
        "status": "ok",
        "queued": queued,
        "oldest_queued_age_seconds": oldest_age,
        "last_seen_age_seconds": None if last_seen_age is None else round(last_seen_age, 1),
        "last_seen_source": last_seen_source if last_seen_age is not None else None,
    }
    if oldest_age is not None and oldest_age > settings.HEALTH_MAX_QUEUE_AGE_SECONDS:
        result.update(status="down", reason="queue_too_old", limit_seconds=settings.HEALTH_MAX_QUEUE_AGE_SECONDS)
    elif queued and last_seen_age is not None and last_seen_age > settings.HEALTH_MAX_WORKER_SILENCE_SECONDS:
        result.update(status="down", reason="worker_silent", limit_seconds=settings.HEALTH_MAX_WORKER_SILENCE_SECONDS)
    return result


@never_cache
@require_safe
def healthz(request):
    """200 with every check "ok", or 503 naming the checks that are down; anonymous, no personal data."""
    checks = {"database": database_check(), "cache": cache_check(), "worker": worker_check()}
    failing = [name for name, check in checks.items() if check["status"] != "ok"]
    body = {"status": "down" if failing else "ok", "failing": failing, "checks": checks}
    return JsonResponse(body, status=503 if failing else 200)
