"""The background workers' signs of life, in the database that every worker and app server shares."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeat(models.Model):
    """One `registry_worker` process: its id (the one it writes into the tasks it claims) and its last beat.

    A task whose worker stopped beating was cut off mid-run (the process was killed, or its machine went); the
    worker sweep marks it failed instead of leaving it "running" for ever (`background_tasks_fail_lost`).
    """

    worker_id = models.CharField(_("worker"), max_length=64, primary_key=True)
    started_at = models.DateTimeField(_("started at"))
    beat_at = models.DateTimeField(_("last sign of life"), db_index=True)

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self):
        return f"{self.worker_id} ({self.beat_at:%Y-%m-%d %H:%M:%S})"
