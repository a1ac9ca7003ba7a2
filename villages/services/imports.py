"""Write side of spreadsheet imports: create an import job, run it (now or as a background task), confirm it."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from villages.imports import import_kind, run_import
from villages.models import ADMINISTRATORS, COUNTY_OFFICIALS, ImportJob
from villages.selectors.jurisdiction import user_role
from villages.services.errors import ConflictError
from villages.spreadsheets import SpreadsheetError, max_file_bytes, open_sheet

PROGRESS_FIELDS = ["rows_processed", "progress", "created_count", "updated_count", "unchanged_count", "invalid_count"]


def may_import(user) -> bool:
    """County officials import into their counties, administrators anywhere; reviewers change no figures."""
    return user_role(user) in (COUNTY_OFFICIALS, ADMINISTRATORS)


def inline_max_bytes() -> int:
    return getattr(settings, "IMPORT_INLINE_MAX_BYTES", 512 * 1024)


def import_job_create(*, user, kind: str, uploaded_file, dry_run: bool = True) -> ImportJob:
    """Record an upload and check (dry run) or apply it; files above IMPORT_INLINE_MAX_BYTES run as a task."""
    if not may_import(user):
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
    if by.pk != job.uploaded_by_id and user_role(by) != ADMINISTRATORS:
        raise PermissionDenied(_("Only the person who uploaded this file may confirm its import."))
    updated = ImportJob.objects.filter(
        pk=job.pk, status=ImportJob.Status.VALIDATED, dry_run=True, invalid_count=0
    ).update(dry_run=False, status=ImportJob.Status.PENDING, progress=0, rows_processed=0)
    if not updated:
        raise ConflictError(
            _("Only a dry run without invalid rows can be confirmed; upload the corrected file again.")
        )
    job.refresh_from_db()
    _start(job, job.file.size)
    job.refresh_from_db()
    return job


def _start(job: ImportJob, size: int) -> None:
    if size <= inline_max_bytes():
        import_job_run(job_id=job.pk)
        return
    from villages.tasks import run_import_job

    transaction.on_commit(lambda: run_import_job.enqueue(job.pk))


def import_job_run(*, job_id: int) -> ImportJob:
    """Do the work of a pending job: read the file, check every row, and apply it unless it is a dry run."""
    job = ImportJob.objects.select_related("uploaded_by").get(pk=job_id)
    if job.status != ImportJob.Status.PENDING:
        return job
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)
    kind = import_kind(job.kind)
    with job.file.open("rb") as stored:
        try:
            sheet = open_sheet(stored, name=job.file_name, columns=kind.columns)

            def on_progress(counts):
                ImportJob.objects.filter(pk=job.pk).update(
                    rows_processed=counts.rows,
                    progress=min(99, int(sheet.position() * 100)),
                    created_count=counts.created,
                    updated_count=counts.updated,
                    unchanged_count=counts.unchanged,
                    invalid_count=counts.invalid,
                )

            counts = run_import(
                sheet,
                kind=kind,
                user=job.uploaded_by,
                apply=not job.dry_run,
                on_progress=on_progress,
                history_reason=_("spreadsheet import %(id)s") % {"id": job.pk},
            )
        except SpreadsheetError as error:
            job.status = ImportJob.Status.FAILED
            job.message = " ".join(error.messages)
            job.finished_at = timezone.now()
            job.save(update_fields=["status", "message", "finished_at"])
            return job
    job.rows_processed = counts.rows
    job.created_count, job.updated_count = counts.created, counts.updated
    job.unchanged_count, job.invalid_count = counts.unchanged, counts.invalid
    job.errors = [error.as_dict() for error in counts.errors]
    job.progress = 100
    job.finished_at = timezone.now()
    if counts.invalid:
        job.status = ImportJob.Status.VALIDATED if job.dry_run else ImportJob.Status.REJECTED
        job.message = _("%(count)s invalid rows: nothing was changed.") % {"count": counts.invalid}
    elif job.dry_run:
        job.status = ImportJob.Status.VALIDATED
        job.message = _("All rows are valid. Confirm to apply them.")
    else:
        job.status = ImportJob.Status.APPLIED
        job.message = _("Applied: %(created)s new, %(updated)s updated, %(unchanged)s unchanged.") % {
            "created": counts.created, "updated": counts.updated, "unchanged": counts.unchanged}
    job.save(update_fields=[*PROGRESS_FIELDS, "errors", "finished_at", "status", "message"])
    return job
