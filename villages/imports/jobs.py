"""The life of an import job once it is recorded: claim it, read its file, check every row, apply it unless a dry run.

Every step is a conditional UPDATE, so two runners, or a runner and the sweep, never both win:

    PENDING ──claim──▶ RUNNING ──▶ VALIDATED | APPLIED | REJECTED | FAILED        (this module)
    PENDING | RUNNING ──heartbeat stopped──▶ INTERRUPTED      (villages.services.imports, the sweep)
    INTERRUPTED | FAILED ──retry──▶ PENDING                   (villages.services.imports)

While a job runs its `heartbeat_at` is renewed from the progress callback, at most every HEARTBEAT_SECONDS. An
apply writes its rows and the job's final state in one transaction whose first statement touches the job's
row: the row stays locked until the transaction ends, so the sweep (which skips locked rows, or on SQLite waits
for the one writer) never interrupts a job that is alive, and a job that never reached its final state wrote
nothing. A database error ends the job as FAILED with the reason in words, never RUNNING.
"""

import logging
import time

from django.db import DatabaseError, DataError, IntegrityError, OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from villages import stored_messages
from villages.imports import import_kind
from villages.imports.engine import ImportCounts, run_import
from villages.imports.spreadsheets import Sheet, SpreadsheetError, open_sheet
from villages.models import ImportJob

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 5


class _Superseded(Exception):
    """The job left RUNNING while this runner worked on it (the sweep interrupted it); keep nothing."""


class _Heartbeat:
    """The progress callback: stores the counts so far and the job's sign of life, at most every few seconds."""

    def __init__(self, job: ImportJob, sheet: Sheet):
        self.job, self.sheet = job, sheet
        self.last = time.monotonic()

    def touch(self) -> None:
        ImportJob.objects.filter(pk=self.job.pk).update(heartbeat_at=timezone.now())

    def __call__(self, counts: ImportCounts) -> None:
        if time.monotonic() - self.last < HEARTBEAT_SECONDS:
            return
        self.last = time.monotonic()
        ImportJob.objects.filter(pk=self.job.pk).update(
            heartbeat_at=timezone.now(),
            rows_processed=counts.rows,
            progress=min(99, int(self.sheet.position() * 100)),
            created_count=counts.created,
            updated_count=counts.updated,
            unchanged_count=counts.unchanged,
            invalid_count=counts.invalid,
        )


def import_job_run(*, job_id: int) -> ImportJob:
    """Do the work of a pending job: read the file, check every row, and apply it unless it is a dry run."""
    started_at = timezone.now()
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.PENDING).update(
        status=ImportJob.Status.RUNNING, started_at=started_at, heartbeat_at=started_at
    )
    job = ImportJob.objects.select_related("uploaded_by").get(pk=job_id)
    if not claimed:
        return job
    try:
        _run(job, started_at)
    except _Superseded:
        pass
    except SpreadsheetError as error:
        _finish(job, started_at, **_failed(*error.parts))
    except DatabaseError as error:
        logger.warning("Import job %s failed on a database error: %s", job.pk, error)
        _finish(job, started_at, **_failed(stored_messages.freeze(_database_refusal(error))))
    except Exception:
        # Whatever went wrong, the job must not stay RUNNING: the uploader sees it failed and may start it again.
        logger.exception("Import job %s failed unexpectedly", job.pk)
        _finish(job, started_at, **_failed(stored_messages.freeze(
            _("An unexpected error stopped the import; nothing was changed. Ask an administrator to look at "
              "the server log for import %(id)s."), {"id": job.pk})))
    job.refresh_from_db()
    return job


def _run(job: ImportJob, started_at) -> None:
    kind = import_kind(job.kind)
    with job.file.open("rb") as stored:
        sheet = open_sheet(stored, name=job.file_name, columns=kind.columns)
        heartbeat = _Heartbeat(job, sheet)

        def run(apply: bool) -> ImportCounts:
            return run_import(
                sheet, kind=kind, user=job.uploaded_by, apply=apply, on_progress=heartbeat,
                history_reason=str(_("spreadsheet import %(id)s") % {"id": job.pk}),
            )

        if job.dry_run:
            _finish(job, started_at, **_outcome(job, run(apply=False)))
            return
        with transaction.atomic():
            heartbeat.touch()
            if not _finish(job, started_at, **_outcome(job, run(apply=True))):
                raise _Superseded


def _finish(job: ImportJob, started_at, **fields) -> bool:
    """Store the job's final state, unless the sweep interrupted this run meanwhile."""
    return bool(
        ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.RUNNING, started_at=started_at).update(
            finished_at=timezone.now(), **fields)
    )


def _failed(*parts: dict) -> dict:
    """A failed job's state: its message stored as codes and values, and as the sentence of the moment."""
    return {"status": ImportJob.Status.FAILED, "message": stored_messages.render_all(parts),
            "message_parts": list(parts)}


def _outcome(job: ImportJob, counts: ImportCounts) -> dict:
    fields = {
        "rows_processed": counts.rows,
        "created_count": counts.created,
        "updated_count": counts.updated,
        "unchanged_count": counts.unchanged,
        "invalid_count": counts.invalid,
        "errors": [error.as_dict() for error in counts.errors],
        "preview": counts.preview if job.dry_run else [],
        "progress": 100,
    }
    if counts.invalid:
        status = ImportJob.Status.VALIDATED if job.dry_run else ImportJob.Status.REJECTED
        message = stored_messages.freeze(_("%(count)s invalid rows: nothing was changed."), {"count": counts.invalid})
    elif job.dry_run:
        status = ImportJob.Status.VALIDATED
        message = stored_messages.freeze(_("All rows are valid. Confirm to apply them."))
    else:
        status = ImportJob.Status.APPLIED
        message = stored_messages.freeze(
            _("Applied: %(created)s new, %(updated)s updated, %(unchanged)s unchanged."),
            {"created": counts.created, "updated": counts.updated, "unchanged": counts.unchanged})
    return {**fields, "status": status, "message": stored_messages.render(message), "message_parts": [message]}


def _database_refusal(error: DatabaseError) -> str:
    """What a database error means to the uploader; the technical text goes to the log, not to the page."""
    if isinstance(error, DataError):
        return _("The database refused a value in the file (for example a control character, or a number too "
                 "large to store); nothing was changed. Correct the file and upload it again.")
    if isinstance(error, IntegrityError):
        return _("The file conflicts with records saved by someone else while it ran; nothing was changed. "
                 "Start the import again.")
    if isinstance(error, OperationalError):
        return _("The database was busy or unavailable while the import ran; nothing was changed. "
                 "Start it again in a few minutes.")
    return _("The database refused the import; nothing was changed. Ask an administrator to look at the "
             "server log for this import.")
