"""Write side of spreadsheet imports: record an upload as an import job and start it, confirm a checked one,
start an interrupted or failed one again, and mark the jobs whose heartbeat stopped as interrupted.

Small files run inside the request; larger ones are handed to the worker (`villages.tasks`), which runs
`villages.imports.jobs.import_job_run` (its docstring has the states of a job).
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, JSONField, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from villages import stored_messages
from villages.imports import import_kind
from villages.imports.jobs import import_job_run
from villages.imports.spreadsheets import max_file_bytes
from villages.models import ImportJob
from villages.selectors.imports import import_jobs_stale
from villages.selectors.jurisdiction import is_administrator, may_enter_data
from villages.services.errors import ConflictError
from villages.tasks import run_import_job


def inline_max_bytes() -> int:
    return getattr(settings, "IMPORT_INLINE_MAX_BYTES", 512 * 1024)


def import_job_create(*, user, kind: str, uploaded_file, dry_run: bool = True) -> ImportJob:
    """Record an upload and check (dry run) or apply it; files above IMPORT_INLINE_MAX_BYTES run as a task."""
    if not may_enter_data(user):
        raise PermissionDenied(_("Only county officials and administrators may import data."))
    import_kind(kind)
    size = getattr(uploaded_file, "size", 0) or 0
    if size > max_file_bytes():
        raise ValidationError(
            {"file": _("The file is %(size)s MB; the limit is %(limit)s MB. Split it into smaller files.") % {
                "size": round(size / 1048576, 1), "limit": round(max_file_bytes() / 1048576, 1)}}
        )
    file_name = (getattr(uploaded_file, "name", "") or "upload").rsplit("/", 1)[-1][:255]
    job = ImportJob(uploaded_by=user, kind=kind, file_name=file_name, dry_run=dry_run)
    job.file.save(file_name, uploaded_file, save=False)
    job.save()
    _start(job, size)
    job.refresh_from_db()
    return job


def import_job_confirm(*, job: ImportJob, by) -> ImportJob:
    """Apply a checked file: the whole file in one transaction, or nothing if any row is invalid by now."""
    if by.pk != job.uploaded_by_id and not is_administrator(by):
        raise PermissionDenied(_("Only the person who uploaded this file may confirm its import."))
    updated = ImportJob.objects.filter(
        pk=job.pk, status=ImportJob.Status.VALIDATED, dry_run=True, invalid_count=0
    ).update(dry_run=False, status=ImportJob.Status.PENDING, progress=0, rows_processed=0,
             heartbeat_at=timezone.now())
    if not updated:
        raise ConflictError(
            _("Only a dry run without invalid rows can be confirmed; upload the corrected file again.")
        )
    job.refresh_from_db()
    _start(job, job.file.size)
    job.refresh_from_db()
    return job


def import_job_retry(*, job: ImportJob, by) -> ImportJob:
    """Start an interrupted or failed job again from the start of its file (the same dry run or apply)."""
    if by.pk != job.uploaded_by_id and not is_administrator(by):
        raise PermissionDenied(_("Only the person who uploaded this file may start its import again."))
    try:
        size = job.file.size
    except OSError:
        raise ConflictError(_("The uploaded file is no longer stored; upload it again.")) from None
    updated = ImportJob.objects.filter(pk=job.pk, status__in=ImportJob.RETRYABLE_STATUSES).update(
        status=ImportJob.Status.PENDING, message="", heartbeat_at=timezone.now(), started_at=None,
        finished_at=None, task_id="", progress=0, rows_processed=0, created_count=0, updated_count=0,
        unchanged_count=0, invalid_count=0, errors=[], message_parts=[], preview=[],
    )
    if not updated:
        raise ConflictError(_("Only an interrupted or failed import can be started again."))
    job.refresh_from_db()
    _start(job, size)
    job.refresh_from_db()
    return job


def import_jobs_interrupt_stale(*, older_than: timedelta) -> int:
    """Mark the jobs whose heartbeat stopped (`import_jobs_stale`) as interrupted, with a message; their number.

    One UPDATE. Rows locked by a running apply are skipped (PostgreSQL; SQLite has one writer, so the sweep
    waits for it), so a job that is alive is never touched, however long it has been since its last beat.
    """
    stale = import_jobs_stale(older_than=older_than)
    with transaction.atomic():
        return ImportJob.objects.filter(pk__in=stale.select_for_update(skip_locked=True).values("pk")).update(
            status=ImportJob.Status.INTERRUPTED,
            finished_at=timezone.now(),
            message=Case(
                When(status=ImportJob.Status.PENDING, then=Value(str(NOT_STARTED))),
                When(dry_run=True, then=Value(str(STOPPED_CHECKING))),
                default=Value(str(STOPPED_APPLYING)),
            ),
            message_parts=Case(
                When(status=ImportJob.Status.PENDING, then=_parts(NOT_STARTED)),
                When(dry_run=True, then=_parts(STOPPED_CHECKING)),
                default=_parts(STOPPED_APPLYING),
            ),
        )


NOT_STARTED = gettext_lazy("The worker stopped before this import started; nothing was changed. Start it again.")
STOPPED_CHECKING = gettext_lazy(
    "The server stopped while this file was being checked; nothing was changed. Start the check again.")
STOPPED_APPLYING = gettext_lazy(
    "The server stopped while this file was being applied. Nothing was changed: a file is applied as a whole "
    "or not at all. Start it again.")


def _parts(message) -> Value:
    return Value([stored_messages.freeze(message)], output_field=JSONField())


def _start(job: ImportJob, size: int) -> None:
    if size <= inline_max_bytes():
        import_job_run(job_id=job.pk)
        return
    transaction.on_commit(lambda: _enqueue(job.pk))


def _enqueue(job_id: int) -> None:
    task = run_import_job.enqueue(job_id)
    # The sweep tells a queued job from a lost one by this id.
    ImportJob.objects.filter(pk=job_id).update(task_id=task.id)
