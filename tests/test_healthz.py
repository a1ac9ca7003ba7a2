"""`/healthz`: 200 when the database, the cache and the worker are fit; 503 naming what is down, never a 500."""

import datetime
import time

import pytest
from django.core.cache import caches
from django.db import OperationalError, connections
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from taobao_site import health
from villages.tasks import run_import_job

UNREACHABLE_REDIS = {
    "default": {
        "BACKEND": "taobao_site.cache.RegistryRedisCache",
        # Nothing listens on port 1; the timeouts keep a real outage (a host that drops packets) short too.
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
}
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def queue(db):
    """Background tasks go to the database queue, as in production, and nothing runs them."""
    with override_settings(TASKS=DATABASE_TASKS):
        yield


def enqueue_task(waited_seconds=0):
    result = run_import_job.enqueue(job_id=1)
    DBTaskResult.objects.filter(id=result.id).update(
        enqueued_at=timezone.now() - datetime.timedelta(seconds=waited_seconds)
    )
    return result


def get_health(client):
    response = client.get("/healthz")
    return response, response.json()


@pytest.fixture(autouse=True)
def fresh_cache():
    caches["default"].clear()


def test_all_up_with_an_idle_worker_and_an_empty_queue_is_ok(client, db):
    response, body = get_health(client)

    assert response.status_code == 200
    assert body["status"] == "ok"
    assert body["failing"] == []
    assert {name: check["status"] for name, check in body["checks"].items()} == {
        "database": "ok",
        "cache": "ok",
        "worker": "ok",
    }
    assert body["checks"]["worker"]["queued"] == 0
    assert response["Cache-Control"].startswith("max-age=0")


def test_the_answer_names_only_its_checks_and_their_measurements(client, db):
    _, body = get_health(client)

    assert set(body) == {"status", "failing", "checks"}
    assert set(body["checks"]["database"]) == {"status", "latency_ms"}
    assert set(body["checks"]["cache"]) == {"status", "latency_ms"}
    assert set(body["checks"]["worker"]) == {
        "status",
        "queued",
        "oldest_queued_age_seconds",
        "last_seen_age_seconds",
        "last_seen_source",
    }


def test_an_unreachable_cache_is_a_503_naming_the_cache(client, db):
    with override_settings(CACHES=UNREACHABLE_REDIS):
        response, body = get_health(client)

    assert response.status_code == 503
    assert body["status"] == "down"
    assert body["failing"] == ["cache"]
    assert body["checks"]["cache"] == {"status": "down", "reason": "unavailable", "error": "ConnectionError"}
    assert body["checks"]["database"]["status"] == "ok"


def test_a_task_queued_longer_than_the_limit_is_a_503_naming_the_worker(client, queue, settings):
    settings.HEALTH_MAX_QUEUE_AGE_SECONDS = 300
    health.record_worker_heartbeat()
    enqueue_task(waited_seconds=3600)

    response, body = get_health(client)

    assert response.status_code == 503
    assert body["failing"] == ["worker"]
    worker = body["checks"]["worker"]
    assert worker["reason"] == "queue_too_old"
    assert worker["queued"] == 1
    assert worker["oldest_queued_age_seconds"] >= 3600


def test_a_fresh_task_with_a_recent_heartbeat_is_ok(client, queue):
    health.record_worker_heartbeat()
    enqueue_task()

    response, body = get_health(client)

    assert response.status_code == 200
    assert body["checks"]["worker"]["queued"] == 1
    assert body["checks"]["worker"]["last_seen_source"] == "heartbeat"


def test_waiting_work_with_a_silent_worker_is_a_503(client, queue, settings):
    settings.HEALTH_MAX_WORKER_SILENCE_SECONDS = 300
    caches["default"].set(health.WORKER_HEARTBEAT_KEY, time.time() - 3600, timeout=None)
    enqueue_task()

    response, body = get_health(client)

    assert response.status_code == 503
    assert body["checks"]["worker"]["reason"] == "worker_silent"
    assert body["checks"]["worker"]["last_seen_age_seconds"] >= 3600


def test_without_a_heartbeat_the_tasks_the_worker_last_finished_stand_in(client, queue):
    finished = enqueue_task()
    DBTaskResult.objects.filter(id=finished.id).update(
        status="SUCCESSFUL", started_at=timezone.now() - datetime.timedelta(hours=2), finished_at=timezone.now()
    )
    enqueue_task()

    _, body = get_health(client)

    assert body["checks"]["worker"]["status"] == "ok"
    assert body["checks"]["worker"]["last_seen_source"] == "task_timestamps"
    assert body["checks"]["worker"]["last_seen_age_seconds"] < 3600


def test_a_task_scheduled_for_later_is_not_waiting_yet(client, queue):
    result = run_import_job.using(run_after=timezone.now() + datetime.timedelta(hours=1)).enqueue(job_id=1)
    DBTaskResult.objects.filter(id=result.id).update(enqueued_at=timezone.now() - datetime.timedelta(days=1))

    response, body = get_health(client)

    assert response.status_code == 200
    assert body["checks"]["worker"]["queued"] == 0


def test_a_database_error_is_a_503_naming_the_database(client, db, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("connection to server failed")

    monkeypatch.setattr(connections["default"], "cursor", refuse)
    response, body = get_health(client)
    monkeypatch.undo()

    assert response.status_code == 503
    assert "database" in body["failing"]
    assert body["checks"]["database"] == {"status": "down", "reason": "unavailable", "error": "OperationalError"}
    assert "connection to server" not in response.content.decode()


def test_a_worker_heartbeat_with_the_cache_down_does_not_raise():
    with override_settings(CACHES=UNREACHABLE_REDIS):
        health.record_worker_heartbeat()


def test_only_reads_are_allowed(client, db):
    assert client.post("/healthz").status_code == 405
