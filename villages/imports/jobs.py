"""The life of an import job once it is recorded: read its file, check every row, apply it unless a dry run."""

from django.utils import timezone
from django.utils.translation import gettext as _

from villages.imports import import_kind
from villages.imports.engine import run_import
from villages.imports.spreadsheets import SpreadsheetError, open_sheet
from villages.models import ImportJob

PROGRESS_FIELDS = ["rows_processed", "progress", "created_count", "updated_count", "unchanged_count", "invalid_count"]


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
