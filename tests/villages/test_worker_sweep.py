"""Tasks a killed worker left "running": the sweep fails them by the worker's heartbeat, and queues lost mail again."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from villages.models import OutboundMail, WorkerHeartbeat
from villages.services.background import LOST_TASK_ERROR, background_tasks_fail_lost, worker_heartbeat_record
from villages.tasks import deliver_outbound_mail, run_import_job

TIMEOUT = timedelta(seconds=120)
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def beat(worker_id, *, ago):
    stamp = timezone.now() - ago
    WorkerHeartbeat.objects.create(worker_id=worker_id, started_at=stamp, beat_at=stamp)


def running_task(task, *args, worker="dead-worker"):
    return DBTaskResult.objects.create(
        status=TaskResultStatus.RUNNING, args_kwargs={"args": list(args), "kwargs": {}}, task_path=task.module_path,
        worker_ids=["earlier-worker", worker], queue_name="default", backend_name="default",
        run_after=timezone.now() - timedelta(hours=1), started_at=timezone.now() - timedelta(minutes=30),
    )


@pytest.mark.django_db
def test_a_task_whose_worker_stopped_beating_is_failed_and_says_why():
    beat("dead-worker", ago=timedelta(minutes=10))
    task = running_task(run_import_job, 7)
    assert background_tasks_fail_lost(older_than=TIMEOUT) == 1
    task.refresh_from_db()
    assert task.status == TaskResultStatus.FAILED and task.finished_at is not None
    assert task.exception_class_path == LOST_TASK_ERROR and "no sign of life" in task.traceback


@pytest.mark.django_db
def test_a_task_of_a_worker_that_beats_is_left_running():
    beat("live-worker", ago=timedelta(seconds=5))
    task = running_task(run_import_job, 7, worker="live-worker")
    assert background_tasks_fail_lost(older_than=TIMEOUT) == 0
    task.refresh_from_db()
    assert task.status == TaskResultStatus.RUNNING


@pytest.mark.django_db
def test_a_task_of_a_worker_without_heartbeats_is_not_judged():
    # A plain `db_worker` writes no heartbeat: nothing says its long task is lost.
    beat("dead-worker", ago=timedelta(minutes=10))
    task = running_task(run_import_job, 7, worker="plain-db-worker")
    assert background_tasks_fail_lost(older_than=TIMEOUT) == 0
    task.refresh_from_db()
    assert task.status == TaskResultStatus.RUNNING


@pytest.mark.django_db
def test_finished_tasks_are_never_touched():
    beat("dead-worker", ago=timedelta(minutes=10))
    task = running_task(run_import_job, 7)
    DBTaskResult.objects.filter(pk=task.pk).update(status=TaskResultStatus.SUCCESSFUL)
    assert background_tasks_fail_lost(older_than=TIMEOUT) == 0
    task.refresh_from_db()
    assert task.status == TaskResultStatus.SUCCESSFUL


@pytest.mark.django_db
def test_a_lost_delivery_is_queued_again_for_its_retry(settings):
    settings.TASKS = DATABASE_TASKS
    beat("dead-worker", ago=timedelta(minutes=10))
    mail = OutboundMail.objects.create(recipient="county@example.org", subject="s", body="b",
                                       next_attempt_at=timezone.now() - timedelta(minutes=1))
    lost = running_task(deliver_outbound_mail, mail.pk)
    assert background_tasks_fail_lost(older_than=TIMEOUT) == 1
    lost.refresh_from_db()
    again = DBTaskResult.objects.filter(status=TaskResultStatus.READY, task_path=deliver_outbound_mail.module_path)
    assert lost.status == TaskResultStatus.FAILED
    assert [row.args_kwargs["args"] for row in again] == [[mail.pk]]


@pytest.mark.django_db
def test_a_sent_message_of_a_lost_task_is_not_queued_again(settings):
    settings.TASKS = DATABASE_TASKS
    beat("dead-worker", ago=timedelta(minutes=10))
    mail = OutboundMail.objects.create(recipient="county@example.org", subject="s", body="b",
                                       status=OutboundMail.Status.SENT, sent_at=timezone.now())
    running_task(deliver_outbound_mail, mail.pk)
    assert background_tasks_fail_lost(older_than=TIMEOUT) == 1
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.READY).exists()


@pytest.mark.django_db
def test_a_heartbeat_is_recorded_and_renewed_and_old_workers_are_forgotten():
    worker_heartbeat_record(worker_id="w1", started=True)
    first = WorkerHeartbeat.objects.get(pk="w1")
    worker_heartbeat_record(worker_id="w1")
    renewed = WorkerHeartbeat.objects.get(pk="w1")
    assert renewed.started_at == first.started_at and renewed.beat_at >= first.beat_at
    beat("long-gone", ago=timedelta(days=2))
    background_tasks_fail_lost(older_than=TIMEOUT)
    assert list(WorkerHeartbeat.objects.values_list("pk", flat=True)) == ["w1"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_registry_worker_beats_under_its_worker_id_and_fails_a_dead_workers_task(settings):
    from villages.management.commands.registry_worker import Command

    settings.TASKS = DATABASE_TASKS
    beat("dead-worker", ago=timedelta(minutes=10))
    task = running_task(run_import_job, 7)
    worker = Command()
    worker.worker_id = "this-worker"
    worker.sweep(started=True)
    task.refresh_from_db()
    assert task.status == TaskResultStatus.FAILED
    assert WorkerHeartbeat.objects.filter(pk="this-worker").exists()
