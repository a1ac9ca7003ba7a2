"""Which import jobs have stopped showing signs of life: the reads behind the sweep that marks them interrupted."""

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from villages.models import ImportJob
from villages.tasks import run_import_job


def import_jobs_stale(*, older_than: timedelta):
    """Jobs whose last sign of life is older than `older_than`: running ones, and pending ones no task waits for.

    A running job renews its heartbeat as it goes (`villages.imports.jobs`); a pending one was stamped when it
    was queued, and stays pending only while a queued task of the database worker will run it. With any other
    task backend a task runs at once, so a pending job that old has no task left.
    """
    cutoff = timezone.now() - older_than
    queued_tasks = [
        str(task_id)
        for task_id in DBTaskResult.objects.filter(
            status=TaskResultStatus.READY, task_path=run_import_job.module_path
        ).values_list("id", flat=True)
    ]
    return ImportJob.objects.filter(heartbeat_at__lt=cutoff).filter(
        Q(status=ImportJob.Status.RUNNING) | (Q(status=ImportJob.Status.PENDING) & ~Q(task_id__in=queued_tasks))
    )
