"""The record of every spreadsheet import: who uploaded what, its counts, invalid rows and progress."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from villages import stored_messages


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("waiting to run")
    RUNNING = "running", _("running")
    VALIDATED = "validated", _("checked (dry run), nothing changed")
    APPLIED = "applied", _("applied")
    REJECTED = "rejected", _("rejected: invalid rows, nothing changed")
    FAILED = "failed", _("failed: nothing was changed (the message says why)")
    INTERRUPTED = "interrupted", _("interrupted: the server stopped while it ran; nothing was changed")


class ImportJob(models.Model):
    Status = ImportStatus

    FINISHED_STATUSES = (
        ImportStatus.VALIDATED, ImportStatus.APPLIED, ImportStatus.REJECTED, ImportStatus.FAILED,
        ImportStatus.INTERRUPTED,
    )
    RETRYABLE_STATUSES = (ImportStatus.INTERRUPTED, ImportStatus.FAILED)

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    # The last sign of life: set when the job is queued and, while it runs, from its progress (jobs.py).
    heartbeat_at = models.DateTimeField(_("last sign of life"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    task_id = models.CharField(_("background task"), max_length=64, blank=True)
    kind = models.CharField(_("what is imported"), max_length=32)
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/")
    file_name = models.CharField(_("file name"), max_length=255)
    dry_run = models.BooleanField(_("dry run"), default=True)
    status = models.CharField(_("status"), max_length=12, choices=ImportStatus.choices, default=ImportStatus.PENDING)
    message = models.TextField(_("message"), blank=True)
    rows_processed = models.PositiveIntegerField(_("rows processed"), default=0)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    created_count = models.PositiveIntegerField(_("new"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)
    invalid_count = models.PositiveIntegerField(_("invalid"), default=0)
    errors = models.JSONField(_("invalid rows"), default=list, blank=True)
    # The message as codes and values (villages.stored_messages), shown in each reader's language; `message`
    # keeps the sentence of the moment for the admin's search and for jobs recorded before.
    message_parts = models.JSONField(_("message as codes"), default=list, blank=True)
    preview = models.JSONField(_("preview of the rows to write"), default=list, blank=True)

    class Meta:
        verbose_name = _("spreadsheet import")
        verbose_name_plural = _("spreadsheet imports")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="import_job_progress_at_most_100"
            ),
        ]

    def __str__(self):
        return f"{self.file_name} ({self.kind}, {self.get_status_display()})"

    @property
    def shown_message(self) -> str:
        """The job's message in the active language."""
        return stored_messages.render_all(self.message_parts, self.message)

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED_STATUSES

    @property
    def is_retryable(self) -> bool:
        return self.status in self.RETRYABLE_STATUSES
