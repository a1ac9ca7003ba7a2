"""The background workers' bookkeeping: their heartbeats, and the tasks a stopped worker left "running".

django-tasks-db marks a task RUNNING when a worker claims it and SUCCESSFUL or FAILED when it ends; a worker
that is killed mid-task never writes the end, so the row would say "running" for ever. Every `registry_worker`
beats into `WorkerHeartbeat` under the id it claims tasks with, and its sweep fails the running tasks of
workers that stopped beating. What the task was doing is recovered by its own means: an import job is marked
interrupted by its heartbeat (`import_jobs_interrupt_stale`), and a message is queued again here.
"""

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from villages.models import OutboundMail, WorkerHeartbeat
from villages.tasks import deliver_outbound_mail, outbound_mail_enqueue

logger = logging.getLogger(__name__)

LOST_TASK_ERROR = "villages.services.background.WorkerLost"
# Beats of workers gone this long are deleted once their tasks have been dealt with.
FORGET_WORKERS_AFTER = timedelta(days=1)


def worker_heartbeat_record(*, worker_id: str, started: bool = False) -> None:
    """Note that the worker `worker_id` is alive (and, with `started`, that it has just started)."""
    now = timezone.now()
    defaults = {"beat_at": now}
    if started:
        defaults["started_at"] = now
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id, defaults=defaults, create_defaults={"beat_at": now, "started_at": now}
    )


def background_tasks_fail_lost(*, older_than: timedelta) -> int:
    """Mark as failed the running tasks whose worker has not beaten for `older_than`; their number.

    Only tasks claimed by a worker that beats (a `registry_worker`) are judged: a task of a plain `db_worker`
    has no heartbeat to go by. The running tasks are as many as the workers, so reading them is cheap. A lost
    delivery of a message is queued again for when its retry is due.
    """
    cutoff = timezone.now() - older_than
    silent = set(WorkerHeartbeat.objects.filter(beat_at__lt=cutoff).values_list("worker_id", flat=True))
    if not silent:
        return 0
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).values_list(
        "id", "worker_ids", "task_path", "args_kwargs"
    )
    lost = [(pk, path, args) for pk, workers, path, args in running if workers and workers[-1] in silent]
    with transaction.atomic():
        failed = DBTaskResult.objects.filter(
            pk__in=[pk for pk, _path, _args in lost], status=TaskResultStatus.RUNNING
        ).update(
            status=TaskResultStatus.FAILED,
            finished_at=timezone.now(),
            exception_class_path=LOST_TASK_ERROR,
            traceback=f"The worker running this task showed no sign of life after {cutoff:%Y-%m-%d %H:%M:%S%z}.",
            return_value=None,
        )
        WorkerHeartbeat.objects.filter(beat_at__lt=timezone.now() - FORGET_WORKERS_AFTER).delete()
    mail_ids = [args["args"][0] for _pk, path, args in lost if path == deliver_outbound_mail.module_path]
    for mail_id, retry_at in OutboundMail.objects.filter(
        pk__in=mail_ids, status=OutboundMail.Status.QUEUED
    ).values_list("pk", "next_attempt_at"):
        outbound_mail_enqueue(mail_id, run_after=retry_at if retry_at and retry_at > timezone.now() else None)
    if failed:
        logger.warning("%s background task(s) of stopped workers marked failed.", failed)
    return failed
